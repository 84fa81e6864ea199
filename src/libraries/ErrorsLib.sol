// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ErrorsLib
/// @notice Every custom error of zkrisk, declared once.
library ErrorsLib {
    /* COMMON */

    /// @notice Thrown when a required address is zero.
    error ZeroAddress();

    /* ATTESTATION REGISTRY: MODELS */

    /// @notice Thrown when a model id (parameter commitment) is zero or not a BN254 scalar field element.
    error InvalidModelId();
    /// @notice Thrown when a verifier address is zero or holds no code.
    error InvalidVerifier();
    /// @notice Thrown when a tier count is outside [MIN_TIER_COUNT, MAX_TIER_COUNT].
    error InvalidTierCount();
    /// @notice Thrown when an output scale is above MAX_OUTPUT_SCALE.
    error InvalidOutputScale();
    /// @notice Thrown when an attestation lifetime is outside [MIN_ATTESTATION_LIFETIME, MAX_ATTESTATION_LIFETIME].
    error InvalidLifetime();
    /// @notice Thrown when registering a model id that was registered before (retired ids included).
    error ModelAlreadyRegistered();
    /// @notice Thrown when a model id was never registered.
    error UnknownModel();
    /// @notice Thrown when a model was retired.
    error ModelRetired();
    /// @notice Thrown when attesting under a model that is not the current (most recently registered) one.
    error NotCurrentModel();
    /// @notice Thrown when a circuit's slot count is 0 or above MAX_ROUND_SLOTS.
    error InvalidSlotCount();
    /// @notice Thrown when registering a circuit for a (model, slots) pair that already has one.
    error CircuitAlreadyRegistered();

    /* ATTESTATION REGISTRY: COMMITMENTS AND PROOFS */

    /// @notice Thrown when a data commitment is zero or not a BN254 scalar field element.
    error InvalidCommitment();
    /// @notice Thrown when attesting a wallet that has no data commitment.
    error NoCommitment();
    /// @notice Thrown when attesting a wallet whose data commitment is older than the model's lifetime.
    error CommitmentExpired();
    /// @notice Thrown when a round has no wallet slot, or only padding.
    error EmptyRound();
    /// @notice Thrown when the model has no circuit with this many wallet slots.
    error NoCircuitForSlots(uint256 slots);
    /// @notice Thrown when a proof does not carry exactly INSTANCES_PER_SLOT * slots + 1 public instances.
    error InvalidInstanceCount();
    /// @notice Thrown when the proof's parameter commitment (the instance after the input commitments) is not the
    /// model's.
    error ParamCommitmentMismatch();
    /// @notice Thrown when the proof's input commitment is not the wallet's current data commitment.
    error InputCommitmentMismatch();
    /// @notice Thrown when a tier instance is not tier * 2**outputScale with tier < tierCount.
    error InvalidTierInstance();
    /// @notice Thrown when a claim instance is neither 0 nor 2**outputScale.
    error InvalidClaimInstance();
    /// @notice Thrown when a round lists the same wallet in two neighbouring slots.
    error DuplicateWallet(address wallet);
    /// @notice Thrown when a round's wallets are not strictly ascending, or a real wallet follows padding.
    error WalletsNotAscending();
    /// @notice Thrown when the verifier reverts on the proof or returns false.
    error ProofRejected();
    /// @notice Thrown when the verifier call failed for lack of gas (it left the registry less than
    /// 1/VERIFIER_OUT_OF_GAS_DIVISOR of the gas it had before the call): retry with a higher gas limit.
    error VerifierOutOfGas();
    /// @notice Thrown when posting a commitment value that was already posted for another wallet, `holder`.
    error CommitmentOfAnotherWallet(address holder);

    /* LENDING: INPUTS */

    /// @notice Thrown when exactly one of (assets, shares) was expected to be non-zero.
    error InconsistentInput();
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a bucket index is not below BUCKET_COUNT.
    error InvalidBucket();

    /* LENDING: GOVERNANCE */

    /// @notice Thrown when a bucket's base APR is above MAX_BASE_APR.
    error AprTooHigh();
    /// @notice Thrown when LTVs break 0 < maxLtv, maxLtv + MIN_LTV_BUFFER <= lltv <= MAX_LLTV.
    error InvalidLtv();
    /// @notice Thrown when governance tries to lower a bucket's liquidation LTV (it would liquidate at once).
    error LltvDecrease();
    /// @notice Thrown when the kink utilization or the jump APR is out of bounds.
    error InvalidRateModel();
    /// @notice Thrown when borrowing or supplying while the market is paused.
    error MarketPaused();
    /// @notice Thrown when pausing a paused market or unpausing an unpaused one.
    error PauseUnchanged();

    /* LENDING: ACCOUNTING */

    /// @notice Thrown when withdrawing more supply shares than held.
    error InsufficientSupplyShares();
    /// @notice Thrown when repaying more than the debt.
    error RepayExceedsDebt();
    /// @notice Thrown when the market lacks liquidity for a borrow or a withdrawal.
    error InsufficientLiquidity();
    /// @notice Thrown when withdrawing or seizing more collateral than the position holds.
    error InsufficientCollateral();
    /// @notice Thrown when a borrow or a collateral withdrawal would leave debt above the bucket's max LTV.
    error MaxLtvExceeded();
    /// @notice Thrown when liquidating a position that is healthy at its effective liquidation LTV.
    error HealthyPosition();

    /* ORACLE ADAPTER */

    /// @notice Thrown when a heartbeat is zero or above MAX_HEARTBEAT.
    error InvalidHeartbeat();
    /// @notice Thrown when token and feed decimals cannot be scaled to ORACLE_PRICE_SCALE.
    error InvalidDecimals();
    /// @notice Thrown when the feed answer is zero or negative.
    error NonPositivePrice();
    /// @notice Thrown when the round is incomplete (updatedAt == 0 or answeredInRound < roundId).
    error IncompleteRound();
    /// @notice Thrown when the round is older than the heartbeat.
    error StalePrice();
    /// @notice Thrown when the round's timestamp is in the future.
    error FutureTimestamp();
}
