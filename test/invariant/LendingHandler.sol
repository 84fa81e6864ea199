// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {ZkRiskLending} from "../../src/ZkRiskLending.sol";
import {AttestationRegistry} from "../../src/AttestationRegistry.sol";
import {MockAggregator} from "../../src/mocks/MockAggregator.sol";
import {MockERC20} from "../../src/mocks/MockERC20.sol";
import {ChainlinkOracleAdapter} from "../../src/oracles/ChainlinkOracleAdapter.sol";
import {Bucket, Position} from "../../src/interfaces/IZkRiskLending.sol";
import {ConstantsLib} from "../../src/libraries/ConstantsLib.sol";
import {MathLib} from "../../src/libraries/MathLib.sol";
import {SharesMathLib} from "../../src/libraries/SharesMathLib.sol";

import {ConfigurableVerifier} from "../mocks/ConfigurableVerifier.sol";

/// @notice Drives the market with bounded, mostly-valid calls from a fixed set of actors and records ghost flags
/// for properties checked at call time (rounding direction, max LTV at borrow time, no healthy liquidation, no
/// position left with more debt than collateral value by a liquidation). Tiers change by attestation, superseded
/// commitment, expiry and model rotation (the old model retired); positions are synced only sometimes, and half of
/// the liquidations are attempted without a prior sync, so the effective (unsynced) terms are what is judged.
contract LendingHandler is CommonBase, StdCheats, StdUtils {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    uint256 internal constant MAX_SUPPLY = 1e27;
    uint256 internal constant MAX_COLLATERAL = 1e24;
    uint256 internal constant MAX_WARP = 3 days;
    uint256 internal constant MIN_ANSWER = 200e8;
    uint256 internal constant MAX_ANSWER = 4000e8;
    uint8 internal constant OUTPUT_SCALE = 7;
    uint64 internal constant LIFETIME = 30 days; // every model's, as in BaseTest

    ZkRiskLending internal immutable lending;
    AttestationRegistry internal immutable registry;
    ConfigurableVerifier internal immutable verifier;
    MockAggregator internal immutable feed;
    ChainlinkOracleAdapter internal immutable oracle;
    MockERC20 internal immutable loanToken;
    MockERC20 internal immutable collateralToken;
    address internal immutable attestor;
    bytes32 public modelId;

    address[] public actors;

    /* GHOSTS */

    bool public roundingFavouredUser;
    bool public borrowAboveMaxLtv;
    bool public healthyLiquidated;
    bool public insolventAfterLiquidation;
    bool public viewsDisagree;
    uint256 public modelRotations;
    /// @dev When each actor's latest attestation stops (or stopped) counting, as the handler caused it: expiry,
    /// superseded commitment or retired model (0: never attested). Independent of the registry's own record.
    mapping(address actor => uint256) public endsAt;
    uint256 public badDebtSeen;
    uint256 public calls;
    uint256 public liquidations;
    uint256 public borrows;
    uint256 internal nonce;

    constructor(
        ZkRiskLending lending_,
        AttestationRegistry registry_,
        ConfigurableVerifier verifier_,
        MockAggregator feed_,
        ChainlinkOracleAdapter oracle_,
        address attestor_,
        bytes32 modelId_
    ) {
        lending = lending_;
        registry = registry_;
        verifier = verifier_;
        feed = feed_;
        oracle = oracle_;
        loanToken = MockERC20(lending_.LOAN_TOKEN());
        collateralToken = MockERC20(lending_.COLLATERAL_TOKEN());
        attestor = attestor_;
        modelId = modelId_;
        for (uint256 i; i < 4; ++i) {
            address actor = makeAddr(string.concat("actor", vm.toString(i)));
            actors.push(actor);
            vm.startPrank(actor);
            loanToken.approve(address(lending), type(uint256).max);
            collateralToken.approve(address(lending), type(uint256).max);
            vm.stopPrank();
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    /// @dev The stored debt (as of the last accrual and sync).
    function _debt(address account) internal view returns (uint256) {
        Position memory p = lending.position(account);
        Bucket memory bk = lending.bucket(p.bucket);
        return p.borrowShares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
    }

    function _collateralValue(address account) internal view returns (uint256) {
        return lending.position(account).collateral.mulDivDown(oracle.price(), ConstantsLib.ORACLE_PRICE_SCALE);
    }

    /* SUPPLY SIDE */

    function supply(uint256 actorSeed, uint256 assets) external {
        ++calls;
        address actor = _actor(actorSeed);
        assets = bound(assets, 1, MAX_SUPPLY);
        loanToken.mint(actor, assets);
        vm.prank(actor);
        uint256 shares = lending.supply(assets, actor);
        if (shares.toAssetsDown(lending.totalSupplyAssets(), lending.totalSupplyShares()) > assets) {
            roundingFavouredUser = true;
        }
    }

    function withdraw(uint256 actorSeed, uint256 shares) external {
        ++calls;
        address actor = _actor(actorSeed);
        uint256 held = lending.position(actor).supplyShares;
        if (held == 0) return;
        shares = bound(shares, 1, held);
        lending.accrueInterest();
        uint256 totalAssets = lending.totalSupplyAssets();
        uint256 totalShares = lending.totalSupplyShares();
        vm.prank(actor);
        try lending.withdraw(0, shares, actor) returns (uint256 assets, uint256) {
            // The assets paid are at most the burnt shares' value rounded down.
            if (assets > shares.toAssetsDown(totalAssets, totalShares)) roundingFavouredUser = true;
        } catch {}
    }

    /* COLLATERAL */

    function supplyCollateral(uint256 actorSeed, uint256 assets) external {
        ++calls;
        address actor = _actor(actorSeed);
        assets = bound(assets, 1, MAX_COLLATERAL);
        collateralToken.mint(actor, assets);
        vm.prank(actor);
        lending.supplyCollateral(assets, actor);
    }

    function withdrawCollateral(uint256 actorSeed, uint256 assets) external {
        ++calls;
        address actor = _actor(actorSeed);
        uint256 held = lending.position(actor).collateral;
        if (held == 0) return;
        assets = bound(assets, 1, held);
        vm.prank(actor);
        try lending.withdrawCollateral(assets, actor) {
            uint8 b = lending.position(actor).bucket;
            if (_debt(actor) > _collateralValue(actor).wMulDown(lending.tierParams(b).maxLtv)) {
                borrowAboveMaxLtv = true;
            }
        } catch {}
    }

    /* BORROW SIDE */

    /// @dev Borrows between half and all of the actor's room, topping up collateral and liquidity when missing so
    /// that most calls exercise a real borrow.
    function borrow(uint256 actorSeed, uint256 fraction) external {
        ++calls;
        address actor = _actor(actorSeed);
        if (lending.position(actor).collateral == 0) {
            uint256 collateral = bound(uint256(keccak256(abi.encode(fraction))), 1e6, MAX_COLLATERAL);
            collateralToken.mint(actor, collateral);
            vm.prank(actor);
            lending.supplyCollateral(collateral, actor);
        }
        if (lending.totalSupplyAssets() - lending.totalBorrowAssets() < MAX_SUPPLY / 2) {
            loanToken.mint(actor, MAX_SUPPLY);
            vm.prank(actor);
            lending.supply(MAX_SUPPLY, actor);
        }
        lending.syncTier(actor);
        uint8 b = lending.position(actor).bucket;
        uint256 maxDebt = _collateralValue(actor).wMulDown(lending.tierParams(b).maxLtv);
        uint256 debt = _debt(actor);
        uint256 liquidity = lending.totalSupplyAssets().zeroFloorSub(lending.totalBorrowAssets());
        uint256 room = maxDebt.zeroFloorSub(debt + 1).min(liquidity);
        if (room == 0) return;
        uint256 assets = room.mulDivDown(bound(fraction, 50, 100), 100);
        if (assets == 0) return;

        vm.prank(actor);
        try lending.borrow(assets, actor) {
            ++borrows;
            uint256 debtAfter = _debt(actor);
            // The borrower owes at least what it took (shares rounded up).
            if (debtAfter < debt + assets) roundingFavouredUser = true;
            // Debt right after a borrow never exceeds the max LTV of the tier it borrowed in.
            if (debtAfter > maxDebt) borrowAboveMaxLtv = true;
        } catch {}
    }

    function repay(uint256 actorSeed, uint256 shares) external {
        ++calls;
        address actor = _actor(actorSeed);
        lending.syncTier(actor); // repay syncs too; its shares are those after the sync
        uint256 held = lending.position(actor).borrowShares;
        if (held == 0) return;
        shares = bound(shares, 1, held);
        lending.accrueInterest();
        uint256 debtBefore = _debt(actor);
        loanToken.mint(actor, debtBefore + 1);
        vm.prank(actor);
        (uint256 assets,) = lending.repay(0, shares, actor);
        // The debt decreases by at most what was paid (assets rounded up).
        if (debtBefore > _debt(actor) + assets + 1) roundingFavouredUser = true;
    }

    /// @dev Half the time the liquidator syncs first and repays shares (at most half the position); otherwise it
    /// liquidates the position as it stands, unsynced, seizing any amount of collateral up to all of it (dust left
    /// behind included).
    function liquidate(uint256 liquidatorSeed, uint256 borrowerSeed, uint256 amount) external {
        ++calls;
        address liquidator = _actor(liquidatorSeed);
        // Picks the first actor with debt from the seed on.
        address borrower;
        for (uint256 i; i < actors.length; ++i) {
            borrower = _actor(borrowerSeed % actors.length + i);
            if (lending.position(borrower).borrowShares > 0) break;
        }
        if (lending.position(borrower).borrowShares == 0) return;
        bool bySeizure = liquidatorSeed % 2 == 0;
        uint256 seized;
        uint256 shares;
        if (bySeizure) {
            lending.accrueInterest(); // what liquidate does first; the views then see the same state
            seized = bound(amount, 1, lending.position(borrower).collateral.max(1));
        } else {
            lending.syncTier(borrower);
            shares = bound(amount, 1, lending.position(borrower).borrowShares / 2 + 1);
        }

        uint256 price = oracle.price();
        uint256 debt = lending.debtOf(borrower);
        uint256 maxDebt = _collateralValue(borrower).wMulDown(lending.liquidationLtvOf(borrower));
        bool healthy = debt <= maxDebt;
        if (healthy != lending.isHealthy(borrower)) viewsDisagree = true;

        loanToken.mint(liquidator, debt + 1);
        uint256 badDebtBefore = lending.totalBadDebt();
        vm.prank(liquidator);
        try lending.liquidate(borrower, seized, shares) {
            ++liquidations;
            if (healthy) healthyLiquidated = true;
            badDebtSeen += lending.totalBadDebt() - badDebtBefore;
            uint256 value = lending.position(borrower).collateral.mulDivDown(price, ConstantsLib.ORACLE_PRICE_SCALE);
            if (lending.debtOf(borrower) > value) insolventAfterLiquidation = true;
        } catch {}
    }

    /* TIERS, TIME, PRICE */

    /// @dev Attests the actor `tier`, or (tier == 3) supersedes its attestation with a new commitment.
    function setTier(uint256 actorSeed, uint256 tier) external {
        ++calls;
        address actor = _actor(actorSeed);
        tier = bound(tier, 0, 3);
        uint256 commitment = uint256(keccak256(abi.encode(actor, ++nonce))) % ConstantsLib.SNARK_SCALAR_FIELD | 1;
        vm.prank(attestor);
        registry.postCommitment(actor, commitment);
        if (endsAt[actor] > block.timestamp) endsAt[actor] = block.timestamp;
        if (tier == 3) return;
        bytes memory proof = abi.encode(commitment, tier, modelId);
        verifier.setAccepted(proof, true);
        uint256[] memory instances = new uint256[](ConstantsLib.CREDIT_PROOF_INSTANCES);
        instances[0] = commitment;
        instances[1] = uint256(modelId);
        instances[2] = tier << OUTPUT_SCALE;
        instances[3] = uint256(1) << OUTPUT_SCALE;
        registry.attest(actor, modelId, proof, instances);
        endsAt[actor] = block.timestamp + LIFETIME;
    }

    /// @dev Governance retires the current model (every attestation under it stops counting) and registers the next.
    function rotateModel() external {
        ++calls;
        ++modelRotations;
        bytes32 next = bytes32(uint256(keccak256(abi.encode("handler model", modelRotations))) >> 8);
        registry.retireModel(modelId);
        for (uint256 i; i < actors.length; ++i) {
            if (endsAt[actors[i]] > block.timestamp) endsAt[actors[i]] = block.timestamp;
        }
        registry.registerModel(next, 3, OUTPUT_SCALE, LIFETIME);
        registry.registerCircuit(next, ConstantsLib.SINGLE_WALLET_SLOTS, address(verifier));
        modelId = next;
    }

    function syncTier(uint256 actorSeed) external {
        ++calls;
        lending.syncTier(_actor(actorSeed));
    }

    function warp(uint256 seconds_) external {
        ++calls;
        seconds_ = bound(seconds_, 1, MAX_WARP);
        vm.warp(block.timestamp + seconds_);
        feed.setUpdatedAt(block.timestamp);
    }

    function setPrice(uint256 answer) external {
        ++calls;
        answer = bound(answer, MIN_ANSWER, MAX_ANSWER);
        feed.setAnswer(int256(answer));
    }
}
