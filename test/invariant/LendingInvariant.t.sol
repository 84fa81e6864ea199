// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";
import {LendingHandler} from "./LendingHandler.sol";

/// @notice Handler-based invariants of the lending market (run with `forge test --match-contract Invariant`).
/// Attestations in this suite come from the registry with the TEST-ONLY ConfigurableVerifier: the property under
/// test is the market's accounting, not proof verification.
contract LendingInvariantTest is BaseTest {
    LendingHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new LendingHandler(lending, registry, verifier, feed, oracle, ATTESTOR, MODEL_ID);
        // The handler refreshes the feed and posts commitments.
        feed.transferOwnership(address(handler));
        vm.startPrank(GOVERNANCE);
        registry.grantRole(registry.ATTESTOR_ROLE(), address(handler));
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
}
