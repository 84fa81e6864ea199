// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AttestationRegistry} from "../src/AttestationRegistry.sol";
import {ZkRiskLending} from "../src/ZkRiskLending.sol";
import {ChainlinkOracleAdapter} from "../src/oracles/ChainlinkOracleAdapter.sol";
import {MockAggregator} from "../src/mocks/MockAggregator.sol";
import {MockERC20} from "../src/mocks/MockERC20.sol";
import {TierParams, MarketConfig, Bucket, Position} from "../src/interfaces/IZkRiskLending.sol";
import {IAggregatorV3} from "../src/interfaces/IAggregatorV3.sol";
import {ConstantsLib} from "../src/libraries/ConstantsLib.sol";
import {ErrorsLib} from "../src/libraries/ErrorsLib.sol";
import {EventsLib} from "../src/libraries/EventsLib.sol";
import {MathLib} from "../src/libraries/MathLib.sol";
import {SharesMathLib} from "../src/libraries/SharesMathLib.sol";

import {ConfigurableVerifier} from "./mocks/ConfigurableVerifier.sol";

/// @notice Shared setup: an 18-decimal loan token, an 18-decimal collateral token priced by a Chainlink-style mock
/// feed (8 decimals) through the real adapter, a registry with one model whose single-wallet circuit is the TEST-ONLY
/// ConfigurableVerifier,
/// and a lending market with the reference tier parameters.
contract BaseTest is Test {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    /* REFERENCE PARAMETERS */

    uint256 internal constant LOW_APR = 0.08e18;
    uint256 internal constant LOW_MAX_LTV = 0.85e18;
    uint256 internal constant LOW_LLTV = 0.9e18;
    uint256 internal constant MEDIUM_APR = 0.12e18;
    uint256 internal constant MEDIUM_MAX_LTV = 0.75e18;
    uint256 internal constant MEDIUM_LLTV = 0.8e18;
    uint256 internal constant HIGH_APR = 0.2e18;
    uint256 internal constant HIGH_MAX_LTV = 0.6e18;
    uint256 internal constant HIGH_LLTV = 0.7e18;
    uint256 internal constant KINK = 0.9e18;
    uint256 internal constant JUMP_APR = 1e18;

    uint8 internal constant FEED_DECIMALS = 8;
    int256 internal constant INITIAL_ANSWER = 2000e8; // 1 collateral = 2,000 loan tokens
    uint256 internal constant HEARTBEAT = 1 days;
    uint64 internal constant LIFETIME = 30 days;
    uint8 internal constant OUTPUT_SCALE = 7;
    uint8 internal constant TIER_COUNT = 3;

    /// @dev A made-up parameter commitment (a field element) for the mock model.
    bytes32 internal constant MODEL_ID = bytes32(uint256(keccak256("zkrisk.test.model")) >> 8);

    uint256 internal constant MIN_AMOUNT = 1e6;
    uint256 internal constant MAX_AMOUNT = 1e30;

    /* ACTORS */

    address internal GOVERNANCE = makeAddr("governance");
    address internal ATTESTOR = makeAddr("attestor");
    address internal SUPPLIER = makeAddr("supplier");
    address internal BORROWER = makeAddr("borrower");
    address internal LIQUIDATOR = makeAddr("liquidator");

    /* CONTRACTS */

    MockERC20 internal loanToken;
    MockERC20 internal collateralToken;
    MockAggregator internal feed;
    ChainlinkOracleAdapter internal oracle;
    ConfigurableVerifier internal verifier;
    AttestationRegistry internal registry;
    ZkRiskLending internal lending;

    function setUp() public virtual {
        vm.warp(1_700_000_000);

        loanToken = new MockERC20("Loan", "LOAN", 18);
        collateralToken = new MockERC20("Collateral", "COLL", 18);
        feed = new MockAggregator(address(this), FEED_DECIMALS, INITIAL_ANSWER);
        oracle = new ChainlinkOracleAdapter(
            IAggregatorV3(address(feed)), HEARTBEAT, address(collateralToken), address(loanToken)
        );

        verifier = new ConfigurableVerifier();
        registry = new AttestationRegistry(GOVERNANCE);
        vm.startPrank(GOVERNANCE);
        registry.grantRole(registry.ATTESTOR_ROLE(), ATTESTOR);
        registry.registerModel(MODEL_ID, TIER_COUNT, OUTPUT_SCALE, LIFETIME);
        registry.registerCircuit(MODEL_ID, ConstantsLib.SINGLE_WALLET_SLOTS, address(verifier));
        vm.stopPrank();

        lending = new ZkRiskLending(_config(), _referenceParams(), GOVERNANCE);

        address[4] memory actors = [SUPPLIER, BORROWER, LIQUIDATOR, address(this)];
        for (uint256 i; i < actors.length; ++i) {
            vm.startPrank(actors[i]);
            loanToken.approve(address(lending), type(uint256).max);
            collateralToken.approve(address(lending), type(uint256).max);
            vm.stopPrank();
        }
    }

    /* CONFIG */

    function _config() internal view returns (MarketConfig memory) {
        return MarketConfig({
            loanToken: address(loanToken),
            collateralToken: address(collateralToken),
            oracle: address(oracle),
            creditOracle: address(registry),
            kinkUtilization: KINK,
            jumpApr: JUMP_APR
        });
    }

    function _referenceParams() internal pure returns (TierParams[4] memory params) {
        params[ConstantsLib.BUCKET_LOW] = TierParams(LOW_APR, LOW_MAX_LTV, LOW_LLTV);
        params[ConstantsLib.BUCKET_MEDIUM] = TierParams(MEDIUM_APR, MEDIUM_MAX_LTV, MEDIUM_LLTV);
        params[ConstantsLib.BUCKET_HIGH] = TierParams(HIGH_APR, HIGH_MAX_LTV, HIGH_LLTV);
        params[ConstantsLib.BUCKET_UNVERIFIED] = TierParams(HIGH_APR, HIGH_MAX_LTV, HIGH_LLTV);
    }

    /* ATTESTATION HELPERS (mock verifier) */

    function _commitmentFor(address wallet, uint256 nonce) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("commitment", wallet, nonce))) % ConstantsLib.SNARK_SCALAR_FIELD | 1;
    }

    /// @dev Single-wallet instances [inputCommitment, paramCommitment, tier, claim], claiming "never liquidated".
    function _instances(uint256 inputCommitment, bytes32 modelId, uint256 tier, uint8 outputScale)
        internal
        pure
        returns (uint256[] memory)
    {
        return _instances(inputCommitment, modelId, tier, true, outputScale);
    }

    function _instances(uint256 inputCommitment, bytes32 modelId, uint256 tier, bool neverLiquidated, uint8 outputScale)
        internal
        pure
        returns (uint256[] memory instances)
    {
        instances = new uint256[](ConstantsLib.CREDIT_PROOF_INSTANCES);
        instances[0] = inputCommitment;
        instances[1] = uint256(modelId);
        instances[2] = tier << outputScale;
        instances[3] = neverLiquidated ? uint256(1) << outputScale : 0;
    }

    function _postCommitment(address wallet, uint256 commitment) internal {
        vm.prank(ATTESTOR);
        registry.postCommitment(wallet, commitment);
    }

    /// @dev Posts a fresh commitment for `wallet` and attests `tier` with a proof the mock verifier accepts.
    function _attest(address wallet, uint8 tier) internal {
        uint256 commitment = _commitmentFor(wallet, vm.getBlockTimestamp() + tier);
        _postCommitment(wallet, commitment);
        bytes memory proof = abi.encode("proof", wallet, commitment, tier);
        verifier.setAccepted(proof, true);
        registry.attest(wallet, MODEL_ID, proof, _instances(commitment, MODEL_ID, tier, OUTPUT_SCALE));
    }

    /* MARKET HELPERS */

    function _supply(address onBehalf, uint256 assets) internal {
        loanToken.mint(address(this), assets);
        lending.supply(assets, onBehalf);
    }

    function _supplyCollateral(address onBehalf, uint256 assets) internal {
        collateralToken.mint(address(this), assets);
        lending.supplyCollateral(assets, onBehalf);
    }

    function _price() internal view returns (uint256) {
        return oracle.price();
    }

    /// @dev Collateral value in loan token, rounded down.
    function _collateralValue(uint256 collateral) internal view returns (uint256) {
        return collateral.mulDivDown(_price(), ConstantsLib.ORACLE_PRICE_SCALE);
    }

    /// @dev Largest borrow that keeps `collateral` within `ltv`, ignoring share rounding (minus a small margin).
    function _maxBorrow(uint256 collateral, uint256 ltv) internal view returns (uint256) {
        return _collateralValue(collateral).wMulDown(ltv);
    }

    /// @dev Warps forward and refreshes the feed so the oracle stays fresh.
    function _skip(uint256 seconds_) internal {
        vm.warp(vm.getBlockTimestamp() + seconds_);
        feed.setUpdatedAt(vm.getBlockTimestamp());
    }

    /// @dev Sets the feed answer (a new round, updated now).
    function _setAnswer(int256 answer) internal {
        feed.setAnswer(answer);
    }

    function _bucketOf(address account) internal view returns (uint8) {
        return lending.position(account).bucket;
    }

    function _sumBucketAssets() internal view returns (uint256 sum) {
        for (uint8 b; b < ConstantsLib.BUCKET_COUNT; ++b) {
            sum += lending.bucket(b).borrowAssets;
        }
    }

    /* FUZZ HELPERS */

    function _boundAmount(uint256 amount) internal pure returns (uint256) {
        return bound(amount, MIN_AMOUNT, MAX_AMOUNT);
    }

    function _boundTier(uint256 tier) internal pure returns (uint8) {
        return uint8(bound(tier, 0, TIER_COUNT - 1));
    }

    function _boundBucket(uint256 b) internal pure returns (uint8) {
        return uint8(bound(b, 0, ConstantsLib.BUCKET_COUNT - 1));
    }
}
