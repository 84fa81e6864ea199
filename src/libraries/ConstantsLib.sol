// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev Number of debt buckets (LOW, MEDIUM, HIGH, UNVERIFIED). File-level so that it can size arrays.
uint256 constant DEBT_BUCKET_COUNT = 4;

/// @title ConstantsLib
/// @notice Protocol-wide constants of zkrisk.
library ConstantsLib {
    /* FIXED POINT */

    /// @dev 1.0 in WAD (18-decimal) fixed point.
    uint256 internal constant WAD = 1e18;

    /// @dev Oracle prices are the price of 1 collateral base unit in loan base units, scaled by 1e36.
    uint256 internal constant ORACLE_PRICE_SCALE = 1e36;

    /// @dev Seconds in a (365-day) year: APRs are converted to per-second rates with it.
    uint256 internal constant SECONDS_PER_YEAR = 365 days;

    /* SNARK FIELD */

    /// @dev The BN254 scalar field modulus: every public instance of a Halo2 proof is an element below it.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21_888_242_871_839_275_222_246_405_745_257_275_088_548_364_400_416_034_343_698_204_186_575_808_495_617;

    /* CREDIT TIERS */

    /// @dev Public instances per wallet slot of a credit proof: input commitment, tier, claim. A proof with B slots
    /// carries INSTANCES_PER_SLOT * B + 1 instances: `[c_0..c_{B-1}, paramCommitment, tier_0, claim_0, ...]`.
    uint256 internal constant INSTANCES_PER_SLOT = 3;
    /// @dev Wallet slots of the single-wallet circuit (the one `attest` uses).
    uint16 internal constant SINGLE_WALLET_SLOTS = 1;
    /// @dev Public instances of a single-wallet credit proof: [inputCommitment, paramCommitment, tier, claim].
    uint256 internal constant CREDIT_PROOF_INSTANCES = INSTANCES_PER_SLOT * SINGLE_WALLET_SLOTS + 1;
    /// @dev Largest number of wallet slots of a registered circuit.
    uint16 internal constant MAX_ROUND_SLOTS = 256;

    /// @dev Smallest number of tiers a model may output.
    uint8 internal constant MIN_TIER_COUNT = 1;
    /// @dev Largest number of tiers a model may output (0 low, 1 medium, 2 high risk: the protocol-wide meaning).
    uint8 internal constant MAX_TIER_COUNT = 3;
    /// @dev Largest fixed-point output scale of a model (tier * 2**scale stays far below the field modulus).
    uint8 internal constant MAX_OUTPUT_SCALE = 128;
    /// @dev Shortest attestation lifetime governance may register.
    uint64 internal constant MIN_ATTESTATION_LIFETIME = 1 hours;
    /// @dev Longest attestation lifetime governance may register.
    uint64 internal constant MAX_ATTESTATION_LIFETIME = 365 days;
    /// @dev Tier returned by `ICreditOracle.tierOf` for a wallet without a valid attestation.
    uint8 internal constant NO_TIER = type(uint8).max;
    /// @dev A verifier call that fails leaving the registry less than 1/VERIFIER_OUT_OF_GAS_DIVISOR of the gas it had
    /// before the call ran out of gas. Out of gas in the verifier leaves about 1/64 (EIP-150); out of gas in a
    /// precompile it called with all its gas about 2/64; 1/16 also covers two more such levels.
    uint256 internal constant VERIFIER_OUT_OF_GAS_DIVISOR = 16;

    /* LENDING BUCKETS */

    /// @dev Debt bucket of wallets attested low risk (tier 0).
    uint8 internal constant BUCKET_LOW = 0;
    /// @dev Debt bucket of wallets attested medium risk (tier 1).
    uint8 internal constant BUCKET_MEDIUM = 1;
    /// @dev Debt bucket of wallets attested high risk (tier 2).
    uint8 internal constant BUCKET_HIGH = 2;
    /// @dev Debt bucket of wallets without a valid attestation.
    uint8 internal constant BUCKET_UNVERIFIED = 3;
    /// @dev Number of debt buckets.
    // forge-lint: disable-next-line(unsafe-typecast)
    uint8 internal constant BUCKET_COUNT = uint8(DEBT_BUCKET_COUNT);

    /* RISK PARAMETER BOUNDS */

    /// @dev Largest base APR governance may set on a bucket (100% per year).
    uint256 internal constant MAX_BASE_APR = 1e18;
    /// @dev Largest extra APR above the kink (at 100% utilization) the market may be deployed with (500% per year).
    uint256 internal constant MAX_JUMP_APR = 5e18;
    /// @dev Smallest utilization kink (50%).
    uint256 internal constant MIN_KINK_UTILIZATION = 0.5e18;
    /// @dev Largest utilization kink (99%).
    uint256 internal constant MAX_KINK_UTILIZATION = 0.99e18;
    /// @dev Largest liquidation LTV governance may set (95%).
    uint256 internal constant MAX_LLTV = 0.95e18;
    /// @dev Smallest gap between a bucket's max LTV and its liquidation LTV (2 percentage points).
    uint256 internal constant MIN_LTV_BUFFER = 0.02e18;

    /// @dev Time over which a downgrade lowers the effective liquidation LTV from the old to the new value. A ramp
    /// never ends later than DOWNGRADE_RAMP after the downgrade that started it, whatever happens during it.
    uint64 internal constant DOWNGRADE_RAMP = 24 hours;

    /* INTEREST */

    /// @dev Largest exponent (rate * time, WAD) at which `MathLib.wExpMinusOneDown` evaluates its Taylor polynomial
    /// directly; larger exponents are halved until they fit, and the result squared back.
    uint256 internal constant TAYLOR_MAX_EXPONENT = 0.0625e18;
    /// @dev Largest exponent (rate * time, WAD) one accrual compounds: e^10, about 22,026x. At the largest rate the
    /// parameters allow (MAX_BASE_APR + MAX_JUMP_APR = 600% a year) that is 608 days without any accrual; any call
    /// accrues, and `accrueInterest` is permissionless. The cap keeps debt far from overflowing share arithmetic.
    uint256 internal constant MAX_COMPOUNDING_EXPONENT = 10e18;

    /* LIQUIDATION */

    /// @dev Liquidation cursor β of the incentive factor LIF = min(MAX_LIF, 1 / (β * LLTV + (1 - β))).
    uint256 internal constant LIQUIDATION_CURSOR = 0.3e18;
    /// @dev Largest liquidation incentive factor (15% bonus).
    uint256 internal constant MAX_LIQUIDATION_INCENTIVE_FACTOR = 1.15e18;

    /* ORACLE */

    /// @dev Longest heartbeat an oracle adapter may be configured with.
    uint256 internal constant MAX_HEARTBEAT = 7 days;
}
