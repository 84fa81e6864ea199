// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";
import {CreditPeriod} from "../../src/interfaces/ICreditOracle.sol";
import {LendingHandler} from "./LendingHandler.sol";

/// @notice Handler-based invariants of the lending market (run with `forge test --match-contract Invariant`).
/// Attestations in this suite come from the registry with the TEST-ONLY ConfigurableVerifier: the property under
/// test is the market's accounting, not proof verification.
contract LendingInvariantTest is BaseTest {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    LendingHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new LendingHandler(lending, registry, verifier, feed, oracle, ATTESTOR, MODEL_ID);
        // The handler refreshes the feed and posts commitments.
        feed.transferOwnership(address(handler));
        vm.startPrank(GOVERNANCE);
        registry.grantRole(registry.ATTESTOR_ROLE(), address(handler));
        registry.grantRole(registry.GOVERNOR_ROLE(), address(handler)); // model rotations
        vm.stopPrank();

        targetContract(address(handler));
    }

    function _actors() internal view returns (address[] memory list) {
        uint256 n = handler.actorCount();
        list = new address[](n);
        for (uint256 i; i < n; ++i) {
            list[i] = handler.actors(i);
        }
    }

    function afterInvariant() public {
        emit log_named_uint("borrows", handler.borrows());
        emit log_named_uint("liquidations", handler.liquidations());
        emit log_named_uint("bad debt", lending.totalBadDebt());
        emit log_named_uint("total borrow", lending.totalBorrowAssets());
        emit log_named_uint("model rotations", handler.modelRotations());
        address[] memory list = _actors();
        uint256 lapsed;
        for (uint256 i; i < list.length; ++i) {
            if (
                lending.position(list[i]).borrowShares > 0
                    && block.timestamp >= handler.endsAt(list[i]) + ConstantsLib.DOWNGRADE_RAMP
            ) ++lapsed;
        }
        emit log_named_uint("positions past a downgrade ramp", lapsed);
    }

    /// @dev Total borrowed never exceeds total supplied (bad debt is deducted from supply when it is realised).
    function invariant_borrowedWithinSupplied() public view {
        assertLe(lending.totalBorrowAssets(), lending.totalSupplyAssets());
    }

    /// @dev The sum of the buckets' debts is the total debt.
    function invariant_bucketsSumToTotal() public view {
        assertEq(_sumBucketAssets(), lending.totalBorrowAssets());
    }

    /// @dev Every borrow share is held by a position of the same bucket.
    function invariant_bucketSharesMatchPositions() public view {
        address[] memory list = _actors();
        uint256[4] memory shares;
        for (uint256 i; i < list.length; ++i) {
            Position memory p = lending.position(list[i]);
            shares[p.bucket] += p.borrowShares;
        }
        for (uint8 b; b < ConstantsLib.BUCKET_COUNT; ++b) {
            assertEq(lending.bucket(b).borrowShares, shares[b]);
        }
    }

    /// @dev Supply shares sum to the total.
    function invariant_supplySharesMatchPositions() public view {
        address[] memory list = _actors();
        uint256 sum;
        for (uint256 i; i < list.length; ++i) {
            sum += lending.position(list[i]).supplyShares;
        }
        assertEq(sum, lending.totalSupplyShares());
    }

    /// @dev The market holds the idle liquidity and every unit of collateral.
    function invariant_tokensBacked() public view {
        assertGe(loanToken.balanceOf(address(lending)), lending.totalSupplyAssets() - lending.totalBorrowAssets());
        address[] memory list = _actors();
        uint256 collateral;
        for (uint256 i; i < list.length; ++i) {
            collateral += lending.position(list[i]).collateral;
        }
        assertEq(collateralToken.balanceOf(address(lending)), collateral);
    }

    /// @dev Bad debt is counted exactly as realised.
    function invariant_badDebtAccounted() public view {
        assertEq(lending.totalBadDebt(), handler.badDebtSeen());
    }

    /// @dev Share/asset conversions never favoured a user.
    function invariant_roundingFavoursProtocol() public view {
        assertFalse(handler.roundingFavouredUser());
    }

    /// @dev No borrow (or collateral withdrawal) left debt above the max LTV of the tier it was made in.
    function invariant_borrowWithinMaxLtv() public view {
        assertFalse(handler.borrowAboveMaxLtv());
    }

    /// @dev No position that was healthy was liquidated.
    function invariant_noHealthyLiquidation() public view {
        assertFalse(handler.healthyLiquidated());
    }

    /// @dev Issue 11: a wallet whose attestation no longer counts is never judged at a better tier's terms after the
    /// ramp (DOWNGRADE_RAMP after it stopped counting: expiry, superseded commitment or retired model, as the handler
    /// caused it), synced or not: its liquidation LTV is UNVERIFIED's and `isHealthy` judges its debt by it.
    function invariant_lapsedWalletJudgedAtCurrentTierAfterRamp() public view {
        address[] memory list = _actors();
        uint256 lltv = lending.tierParams(ConstantsLib.BUCKET_UNVERIFIED).lltv;
        for (uint256 i; i < list.length; ++i) {
            Position memory p = lending.position(list[i]);
            uint256 endsAt = handler.endsAt(list[i]);
            if (p.borrowShares == 0 || block.timestamp < endsAt + ConstantsLib.DOWNGRADE_RAMP) continue;
            assertEq(lending.bucketFor(list[i]), ConstantsLib.BUCKET_UNVERIFIED);
            assertEq(lending.liquidationLtvOf(list[i]), lltv, "judged at UNVERIFIED's LTV");
            uint256 maxDebt = p.collateral.mulDivDown(oracle.price(), ConstantsLib.ORACLE_PRICE_SCALE).wMulDown(lltv);
            assertEq(lending.isHealthy(list[i]), lending.debtOf(list[i]) <= maxDebt, "isHealthy at UNVERIFIED's LTV");
        }
    }

    /// @dev Issue 11: nor is it charged a better tier's rate: while its position still sits, unsynced, in the bucket
    /// of the attestation that stopped counting, `debtOf` already includes UNVERIFIED's extra rate since then (at
    /// least its first-order part), and the registry dates the end as the handler caused it.
    function invariant_lapsedWalletChargedAtCurrentTierRate() public view {
        address[] memory list = _actors();
        TierParams memory unverified = lending.tierParams(ConstantsLib.BUCKET_UNVERIFIED);
        uint256 lastUpdate = lending.lastUpdate();
        for (uint256 i; i < list.length; ++i) {
            CreditPeriod memory c = registry.creditPeriodOf(list[i]);
            assertEq(c.endsAt, handler.endsAt(list[i]), "the registry dates the end");
            Position memory p = lending.position(list[i]);
            if (p.borrowShares == 0 || c.counts || p.round != c.roundId || lastUpdate <= c.endsAt) continue;
            uint256 storedApr = lending.tierParams(p.bucket).apr;
            if (unverified.apr <= storedApr) continue;
            Bucket memory bk = lending.bucket(p.bucket);
            uint256 stored = p.borrowShares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
            uint256 extra = stored.mulDivDown((unverified.apr - storedApr) * (lastUpdate - c.endsAt), 1e18 * 365 days);
            assertGe(lending.debtOf(list[i]) + 2, stored + extra, "charged UNVERIFIED's rate since it stopped counting");
        }
    }

    /// @dev Issue 11, item 3: no liquidation leaves a position with more debt than its remaining collateral is worth
    /// (at the liquidation's price): the excess is realised as bad debt in the same call.
    function invariant_noInsolventPositionAfterLiquidation() public view {
        assertFalse(handler.insolventAfterLiquidation());
    }

    /// @dev `isHealthy` agrees with `debtOf` and `liquidationLtvOf`, synced or not.
    function invariant_healthViewsAgree() public view {
        assertFalse(handler.viewsDisagree());
    }
}
