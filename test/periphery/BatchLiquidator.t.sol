// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {console2} from "forge-std/console2.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import "../BaseTest.sol";
import {BatchLiquidator} from "../../src/periphery/BatchLiquidator.sol";
import {IBatchLiquidator, Order} from "../../src/periphery/interfaces/IBatchLiquidator.sol";
import {IZkRiskLending} from "../../src/interfaces/IZkRiskLending.sol";

/// @notice The batch liquidator against the real market: positions made unhealthy by a price fall, as in
/// test/core/Liquidate.t.sol.
contract BatchLiquidatorTest is BaseTest {
    using MathLib for uint256;

    uint256 internal constant COLLATERAL = 10e18; // worth 20,000 at 2,000
    uint256 internal constant BORROWED = 12_000e18; // 60%: unverified max LTV, 70% liquidation LTV
    int256 internal constant FALLEN_ANSWER = 1600e8; // 12,000 / 16,000 = 75% > 70%: liquidatable
    uint256 internal constant BUDGET = 1_000_000e18;

    BatchLiquidator internal batch;
    IZkRiskLending internal market;

    function setUp() public override {
        super.setUp();
        batch = new BatchLiquidator();
        market = IZkRiskLending(address(lending));
        _supply(SUPPLIER, 100_000_000e18);
        loanToken.mint(LIQUIDATOR, BUDGET);
        vm.prank(LIQUIDATOR);
        loanToken.approve(address(batch), type(uint256).max);
    }

    /* HELPERS */

    function _borrower(uint256 i) internal returns (address) {
        return makeAddr(string.concat("borrower-", vm.toString(i)));
    }

    /// @dev `count` unverified borrowers, each with COLLATERAL and BORROWED (debt scaled by `debtBps` / 10,000).
    function _openPositions(uint256 count, uint256 debtBps) internal returns (address[] memory borrowers) {
        borrowers = new address[](count);
        for (uint256 i; i < count; ++i) {
            borrowers[i] = _borrower(i);
            _supplyCollateral(borrowers[i], COLLATERAL);
            vm.prank(borrowers[i]);
            lending.borrow(BORROWED.mulDivDown(debtBps, 10_000), borrowers[i]);
        }
    }

    function _halfShares(address borrower) internal view returns (Order memory) {
        return Order({borrower: borrower, seizedAssets: 0, repaidShares: lending.position(borrower).borrowShares / 2});
    }

    function _run(Order[] memory orders, uint256 maxRepaid) internal returns (uint256, uint256, uint256) {
        vm.prank(LIQUIDATOR);
        return batch.liquidateBatch(market, orders, maxRepaid);
    }

    /// @dev The liquidator keeps nothing: no token and no allowance to the market.
    function _assertBatchEmpty() internal view {
        assertEq(loanToken.balanceOf(address(batch)), 0, "batch holds loan token");
        assertEq(collateralToken.balanceOf(address(batch)), 0, "batch holds collateral");
        assertEq(loanToken.allowance(address(batch), address(lending)), 0, "allowance left to the market");
    }

    /* BATCHES */

    function testBatchLiquidatesSeveralPositions() public {
        address[] memory borrowers = _openPositions(5, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](5);
        uint256[] memory sharesBefore = new uint256[](5);
        for (uint256 i; i < 5; ++i) {
            orders[i] = _halfShares(borrowers[i]);
            sharesBefore[i] = lending.position(borrowers[i]).borrowShares;
            assertFalse(lending.isHealthy(borrowers[i]));
        }
        uint256 marketLoanBefore = loanToken.balanceOf(address(lending));
        uint256 marketCollateralBefore = collateralToken.balanceOf(address(lending));

        (uint256 repaid, uint256 seized, uint256 liquidated) = _run(orders, BUDGET);

        assertEq(liquidated, 5);
        for (uint256 i; i < 5; ++i) {
            assertEq(lending.position(borrowers[i]).borrowShares, sharesBefore[i] - orders[i].repaidShares);
        }
        assertApproxEqAbs(repaid, 5 * BORROWED / 2, 5);
        assertEq(loanToken.balanceOf(address(lending)), marketLoanBefore + repaid);
        assertEq(collateralToken.balanceOf(address(lending)), marketCollateralBefore - seized);
        assertEq(loanToken.balanceOf(LIQUIDATOR), BUDGET - repaid);
        assertEq(collateralToken.balanceOf(LIQUIDATOR), seized);
        _assertBatchEmpty();
    }

    function testBatchEmitsEventsNamingTheLiquidator() public {
        address[] memory borrowers = _openPositions(2, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](2);
        orders[0] = _halfShares(borrowers[0]);
        orders[1] = Order({borrower: borrowers[1], seizedAssets: 1e18, repaidShares: 0});

        vm.recordLogs();
        (uint256 repaid, uint256 seized,) = _run(orders, BUDGET);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256 liquidateEvents;
        bool batchEvent;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(lending) && logs[i].topics[0] == EventsLib.Liquidate.selector) {
                assertEq(address(uint160(uint256(logs[i].topics[1]))), address(batch), "market's caller");
                ++liquidateEvents;
            }
            if (logs[i].emitter == address(batch) && logs[i].topics[0] == IBatchLiquidator.BatchLiquidated.selector) {
                assertEq(address(uint160(uint256(logs[i].topics[1]))), LIQUIDATOR);
                assertEq(address(uint160(uint256(logs[i].topics[2]))), address(lending));
                (uint256 liquidated, uint256 skipped, uint256 repaidLogged, uint256 seizedLogged) =
                    abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
                assertEq(liquidated, 2);
                assertEq(skipped, 0);
                assertEq(repaidLogged, repaid);
                assertEq(seizedLogged, seized);
                batchEvent = true;
            }
        }
        assertEq(liquidateEvents, 2);
        assertTrue(batchEvent);
    }

    function testHealthyBorrowerIsSkipped() public {
        address[] memory borrowers = _openPositions(2, 10_000);
        address healthy = _borrower(99);
        _supplyCollateral(healthy, COLLATERAL);
        vm.prank(healthy);
        lending.borrow(BORROWED / 2, healthy); // 30%: healthy after the fall
        _setAnswer(FALLEN_ANSWER);

        Order[] memory orders = new Order[](3);
        orders[0] = _halfShares(borrowers[0]);
        orders[1] = _halfShares(healthy);
        orders[2] = _halfShares(borrowers[1]);
        uint256 healthySharesBefore = lending.position(healthy).borrowShares;

        vm.expectEmit(true, true, false, true, address(batch));
        emit IBatchLiquidator.OrderSkipped(address(lending), healthy, ErrorsLib.HealthyPosition.selector);
        (,, uint256 liquidated) = _run(orders, BUDGET);

        assertEq(liquidated, 2);
        assertEq(lending.position(healthy).borrowShares, healthySharesBefore);
        assertLt(lending.position(borrowers[1]).borrowShares, healthySharesBefore * 2);
        _assertBatchEmpty();
    }

    function testBorrowerLiquidatedEarlierInTheBatchIsSkipped() public {
        address[] memory borrowers = _openPositions(2, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](3);
        orders[0] = Order({borrower: borrowers[0], seizedAssets: 0, repaidShares: lending.position(borrowers[0]).borrowShares});
        orders[1] = orders[0]; // again: nothing left to repay
        orders[2] = _halfShares(borrowers[1]);

        vm.expectEmit(true, true, false, true, address(batch));
        emit IBatchLiquidator.OrderSkipped(address(lending), borrowers[0], ErrorsLib.HealthyPosition.selector);
        (uint256 repaid,, uint256 liquidated) = _run(orders, BUDGET);

        assertEq(liquidated, 2);
        assertEq(lending.position(borrowers[0]).borrowShares, 0);
        assertApproxEqAbs(repaid, BORROWED + BORROWED / 2, 2);
        _assertBatchEmpty();
    }

    function testOrderBeyondTheFundsLeftIsSkippedAndASmallerOneLaterIsNot() public {
        address[] memory borrowers = _openPositions(3, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](3);
        orders[0] = _halfShares(borrowers[0]); // ~6,000
        orders[1] = _halfShares(borrowers[1]); // ~6,000: more than is left
        orders[2] = Order({borrower: borrowers[2], seizedAssets: 1e18, repaidShares: 0}); // ~1,456: fits
        uint256 budget = 8_000e18;
        uint256 sharesBefore = lending.position(borrowers[1]).borrowShares;

        vm.expectEmit(true, true, false, false, address(batch));
        emit IBatchLiquidator.OrderSkipped(address(lending), borrowers[1], IERC20Errors.ERC20InsufficientBalance.selector);
        (uint256 repaid, uint256 seized, uint256 liquidated) = _run(orders, budget);

        assertEq(liquidated, 2);
        assertEq(lending.position(borrowers[1]).borrowShares, sharesBefore, "skipped order left intact");
        assertLe(repaid, budget);
        assertEq(loanToken.balanceOf(LIQUIDATOR), BUDGET - repaid, "unused budget returned");
        assertEq(collateralToken.balanceOf(LIQUIDATOR), seized);
        _assertBatchEmpty();
    }

    function testAllOrdersSkippedReturnsEverything() public {
        address[] memory borrowers = _openPositions(2, 10_000); // healthy at the initial price
        Order[] memory orders = new Order[](2);
        orders[0] = _halfShares(borrowers[0]);
        orders[1] = _halfShares(borrowers[1]);
        (uint256 repaid, uint256 seized, uint256 liquidated) = _run(orders, BUDGET);
        assertEq(repaid, 0);
        assertEq(seized, 0);
        assertEq(liquidated, 0);
        assertEq(loanToken.balanceOf(LIQUIDATOR), BUDGET);
        _assertBatchEmpty();
    }

    function testInconsistentOrderIsSkipped() public {
        address[] memory borrowers = _openPositions(1, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](1);
        orders[0] = Order({borrower: borrowers[0], seizedAssets: 1, repaidShares: 1});
        vm.expectEmit(true, true, false, true, address(batch));
        emit IBatchLiquidator.OrderSkipped(address(lending), borrowers[0], ErrorsLib.InconsistentInput.selector);
        (,, uint256 liquidated) = _run(orders, BUDGET);
        assertEq(liquidated, 0);
        _assertBatchEmpty();
    }

    /// @dev Issue 14's expired tiers: borrowers attested LOW whose attestations expired with nobody syncing. The sync
    /// happens inside each `liquidate` of the batch (the debt moves to the unverified bucket, catch-up interest
    /// added); the unverified bucket, where another borrower's debt has accrued at 20% all along, holds shares worth
    /// more, so a repay-all order planned on the stored (LOW) shares repays more shares than the position has after
    /// the sync: skipped, while seize-based orders go through.
    function testExpiredTiersSyncInsideTheBatch() public {
        address unverified = _borrower(99);
        _supplyCollateral(unverified, COLLATERAL);
        vm.prank(unverified);
        lending.borrow(BORROWED / 2, unverified);
        address[] memory borrowers = new address[](3);
        for (uint256 i; i < 3; ++i) {
            borrowers[i] = _borrower(i);
            _attest(borrowers[i], ConstantsLib.BUCKET_LOW);
            _supplyCollateral(borrowers[i], COLLATERAL);
            vm.prank(borrowers[i]);
            lending.borrow(BORROWED, borrowers[i]); // 60%: healthy under LOW (90%) and under unverified (70%)
        }
        _skip(LIFETIME + ConstantsLib.DOWNGRADE_RAMP); // expired, ramp over: judged at 70% now
        _setAnswer(FALLEN_ANSWER); // 75% > 70%
        for (uint256 i; i < 3; ++i) {
            assertEq(_bucketOf(borrowers[i]), ConstantsLib.BUCKET_LOW, "stored bucket not synced yet");
            assertFalse(lending.isHealthy(borrowers[i]));
        }
        // What a sync would leave: more debt (catch-up interest) in a bucket with another share price.
        uint256 storedShares = lending.position(borrowers[0]).borrowShares;
        uint256 snapshot = vm.snapshotState();
        lending.syncTier(borrowers[0]);
        uint256 syncedShares = lending.position(borrowers[0]).borrowShares;
        vm.revertToState(snapshot);
        assertGt(storedShares, syncedShares, "the unverified bucket's shares are worth more: fewer after the sync");

        Order[] memory orders = new Order[](3);
        orders[0] = Order({borrower: borrowers[0], seizedAssets: 0, repaidShares: storedShares}); // planned on stale shares
        orders[1] = Order({borrower: borrowers[1], seizedAssets: 2e18, repaidShares: 0});
        orders[2] = Order({borrower: borrowers[2], seizedAssets: 2e18, repaidShares: 0});
        vm.expectEmit(true, true, false, true, address(batch));
        emit IBatchLiquidator.OrderSkipped(address(lending), borrowers[0], ErrorsLib.RepayExceedsDebt.selector);
        (, uint256 seized, uint256 liquidated) = _run(orders, BUDGET);

        assertEq(liquidated, 2);
        assertEq(seized, 4e18);
        assertEq(_bucketOf(borrowers[0]), ConstantsLib.BUCKET_LOW, "the skipped order's sync was rolled back");
        assertEq(_bucketOf(borrowers[1]), ConstantsLib.BUCKET_UNVERIFIED, "synced inside liquidate");
        assertEq(_bucketOf(borrowers[2]), ConstantsLib.BUCKET_UNVERIFIED, "synced inside liquidate");
        assertEq(collateralToken.balanceOf(LIQUIDATOR), seized);
        _assertBatchEmpty();
    }

    /* REVERTS */

    function testEmptyBatchReverts() public {
        vm.expectRevert(IBatchLiquidator.EmptyBatch.selector);
        _run(new Order[](0), BUDGET);
    }

    function testMarketWithoutCodeReverts() public {
        address notAMarket = makeAddr("not-a-market");
        Order[] memory orders = new Order[](1);
        orders[0] = Order({borrower: BORROWER, seizedAssets: 1, repaidShares: 0});
        vm.expectRevert(abi.encodeWithSelector(IBatchLiquidator.MarketHasNoCode.selector, notAMarket));
        vm.prank(LIQUIDATOR);
        batch.liquidateBatch(IZkRiskLending(notAMarket), orders, BUDGET);
    }

    function testCallerWithoutAllowanceReverts() public {
        address[] memory borrowers = _openPositions(1, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](1);
        orders[0] = _halfShares(borrowers[0]);
        uint256 sharesBefore = lending.position(borrowers[0]).borrowShares;
        address stranger = makeAddr("stranger");
        loanToken.mint(stranger, BUDGET);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(batch), 0, BUDGET)
        );
        vm.prank(stranger);
        batch.liquidateBatch(market, orders, BUDGET);
        assertEq(lending.position(borrowers[0]).borrowShares, sharesBefore);
    }

    /// @dev Whatever the gas limit, a batch either reverts or liquidates every order it would liquidate with ample
    /// gas: running out of gas inside an order never turns into a skipped order (a gas estimate would settle there).
    function testFuzzGasLimitNeverSkipsAnOrder(uint256 gasLimit) public {
        address[] memory borrowers = _openPositions(3, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](3);
        uint256[] memory sharesBefore = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            orders[i] = _halfShares(borrowers[i]);
            sharesBefore[i] = lending.position(borrowers[i]).borrowShares;
        }
        gasLimit = bound(gasLimit, 30_000, 1_500_000);
        vm.prank(LIQUIDATOR);
        (bool ok, bytes memory data) =
            address(batch).call{gas: gasLimit}(abi.encodeCall(batch.liquidateBatch, (market, orders, BUDGET)));
        if (ok) {
            (,, uint256 liquidated) = abi.decode(data, (uint256, uint256, uint256));
            assertEq(liquidated, 3, "an order was skipped for lack of gas");
        } else {
            for (uint256 i; i < 3; ++i) {
                assertEq(lending.position(borrowers[i]).borrowShares, sharesBefore[i], "a failed batch changed nothing");
            }
        }
        _assertBatchEmpty();
    }

    function testOrderOutOfGasRevertsWithItsIndex() public {
        address[] memory borrowers = _openPositions(2, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory orders = new Order[](2);
        orders[0] = _halfShares(borrowers[0]);
        orders[1] = _halfShares(borrowers[1]);
        // Find a limit at which the batch fails with OrderOutOfGas (the second order starved).
        uint256 snapshot = vm.snapshotState();
        vm.prank(LIQUIDATOR);
        uint256 before = gasleft();
        batch.liquidateBatch(market, orders, BUDGET);
        uint256 full = before - gasleft();
        vm.revertToState(snapshot);

        bool sawOutOfGas;
        for (uint256 limit = full * 3 / 4; limit < full * 2 && !sawOutOfGas; limit += 1_000) {
            vm.prank(LIQUIDATOR);
            (bool ok, bytes memory data) =
                address(batch).call{gas: limit}(abi.encodeCall(batch.liquidateBatch, (market, orders, BUDGET)));
            if (ok) break;
            if (data.length >= 4 && bytes4(data) == IBatchLiquidator.OrderOutOfGas.selector) sawOutOfGas = true;
        }
        assertTrue(sawOutOfGas, "no limit produced OrderOutOfGas");
    }

    /* GAS */

    /// @dev Every storage slot cold again, as at the start of a transaction.
    function _coolAll() internal {
        address[7] memory touched = [
            address(lending), address(loanToken), address(collateralToken), address(oracle), address(feed),
            address(registry), address(batch)
        ];
        for (uint256 i; i < touched.length; ++i) {
            vm.cool(touched[i]);
        }
    }

    /// @dev Reports the gas of a batch of 1 and of 20 liquidations (each position liquidated in part, its first
    /// liquidation, as a keeper's batch would be), from cold storage, and the marginal gas per liquidation. Execution
    /// gas only: a transaction adds 21,000 and its calldata (about 100 bytes per order).
    function testGasPerLiquidationInABatch() public {
        address[] memory borrowers = _openPositions(21, 10_000);
        _setAnswer(FALLEN_ANSWER);
        Order[] memory one = new Order[](1);
        one[0] = _halfShares(borrowers[20]);
        Order[] memory twenty = new Order[](20);
        for (uint256 i; i < 20; ++i) {
            twenty[i] = _halfShares(borrowers[i]);
        }
        _coolAll();
        vm.prank(LIQUIDATOR);
        uint256 g = gasleft();
        batch.liquidateBatch(market, one, BUDGET);
        uint256 gasOne = g - gasleft();
        uint256 budget = loanToken.balanceOf(LIQUIDATOR);
        _coolAll();
        vm.prank(LIQUIDATOR);
        g = gasleft();
        (,, uint256 liquidated) = batch.liquidateBatch(market, twenty, budget);
        uint256 gasTwenty = g - gasleft();
        assertEq(liquidated, 20);
        console2.log("batch of 1 (execution gas):", gasOne);
        console2.log("batch of 20 (execution gas):", gasTwenty);
        console2.log("marginal gas per liquidation:", (gasTwenty - gasOne) / 19);
    }
}
