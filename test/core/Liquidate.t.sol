// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

import "../BaseTest.sol";

contract LiquidateTest is BaseTest {
    using MathLib for uint256;

    uint256 internal constant COLLATERAL = 10e18; // worth 20,000 at 2,000
    uint256 internal constant BORROWED = 12_000e18; // 60%: unverified max LTV

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, 1_000_000e18);
        _supplyCollateral(BORROWER, COLLATERAL);
        vm.prank(BORROWER);
        lending.borrow(BORROWED, BORROWER);
        loanToken.mint(LIQUIDATOR, 1_000_000e18);
    }

    function _lif(uint256 lltv) internal pure returns (uint256) {
        return MathLib.min(
            ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR,
            MathLib.wDivDown(ConstantsLib.WAD, ConstantsLib.WAD - MathLib.wMulDown(0.3e18, ConstantsLib.WAD - lltv))
        );
    }

    function testLiquidateHealthyPosition() public {
        vm.expectRevert(ErrorsLib.HealthyPosition.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
    }

    function testLiquidateAtExactThresholdIsHealthy() public {
        // 10 * 1714.28571429 * 70% = 12,000.00000003 >= 12,000: healthy; one feed unit lower it is not.
        _setAnswer(1714.28571429e8);
        assertTrue(lending.isHealthy(BORROWER));
        vm.expectRevert(ErrorsLib.HealthyPosition.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);

        _setAnswer(1714.28571428e8);
        assertFalse(lending.isHealthy(BORROWER));
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
    }

    function testLiquidateInconsistentInput() public {
        vm.expectRevert(ErrorsLib.InconsistentInput.selector);
        lending.liquidate(BORROWER, 0, 0);
        vm.expectRevert(ErrorsLib.InconsistentInput.selector);
        lending.liquidate(BORROWER, 1, 1);
    }

    function testLiquidateBySeizedAssetsPaysIncentive() public {
        _setAnswer(1600e8); // value 16,000; 12,000 / 16,000 = 75% > 70%
        assertFalse(lending.isHealthy(BORROWER));
        uint256 seized = 1e18; // worth 1,600
        uint256 lif = _lif(HIGH_LLTV);
        assertEq(lif, uint256(1e36) / 0.91e18); // 1 / (0.3 * 0.7 + 0.7)

        vm.prank(LIQUIDATOR);
        (uint256 seizedAssets, uint256 repaidAssets) = lending.liquidate(BORROWER, seized, 0);
        assertEq(seizedAssets, seized);
        assertApproxEqAbs(repaidAssets, uint256(1600e18).wDivUp(lif), 1);
        // The liquidator paid ~1,456 for collateral worth 1,600.
        assertEq(collateralToken.balanceOf(LIQUIDATOR), seized);
        assertEq(loanToken.balanceOf(LIQUIDATOR), 1_000_000e18 - repaidAssets);
        assertEq(lending.position(BORROWER).collateral, COLLATERAL - seized);
        assertApproxEqAbs(lending.debtOf(BORROWER), BORROWED - repaidAssets, 1);
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
    }

    function testLiquidateByRepaidShares() public {
        _setAnswer(1600e8);
        uint256 shares = lending.position(BORROWER).borrowShares / 4;
        vm.prank(LIQUIDATOR);
        (uint256 seizedAssets, uint256 repaidAssets) = lending.liquidate(BORROWER, 0, shares);
        assertApproxEqAbs(repaidAssets, BORROWED / 4, 1);
        uint256 expectedSeized = (BORROWED / 4).wMulDown(_lif(HIGH_LLTV)) * 1e8 / 1600e8;
        assertApproxEqAbs(seizedAssets, expectedSeized, 1e3);
    }

    function testLiquidateSeizeTooMuch() public {
        _setAnswer(1600e8);
        vm.expectRevert(ErrorsLib.RepayExceedsDebt.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, COLLATERAL, 0); // would repay more than the debt
    }

    function testLiquidateInsufficientCollateral() public {
        _setAnswer(1000e8); // underwater: 12,000 debt vs 10,000 collateral value
        uint256 shares = lending.position(BORROWER).borrowShares;
        vm.expectRevert(ErrorsLib.InsufficientCollateral.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 0, shares);
    }

    function testLiquidateBadDebtIsSocialised() public {
        _setAnswer(1000e8);
        uint256 supplyBefore = lending.totalSupplyAssets();
        uint256 lif = _lif(HIGH_LLTV);
        uint256 repaidExpected = uint256(10_000e18).wDivUp(lif);
        uint256 badDebtExpected = BORROWED - repaidExpected;

        vm.expectEmit(true, true, false, false, address(lending));
        emit EventsLib.BadDebt(BORROWER, ConstantsLib.BUCKET_UNVERIFIED, 0, 0);
        vm.prank(LIQUIDATOR);
        (, uint256 repaidAssets) = lending.liquidate(BORROWER, COLLATERAL, 0);

        assertApproxEqAbs(repaidAssets, repaidExpected, 1);
        Position memory p = lending.position(BORROWER);
        assertEq(p.collateral, 0);
        assertEq(p.borrowShares, 0);
        assertApproxEqAbs(lending.totalBadDebt(), badDebtExpected, 2);
        assertEq(lending.totalSupplyAssets(), supplyBefore - lending.totalBadDebt());
        assertEq(lending.totalBorrowAssets(), 0);
        assertEq(_sumBucketAssets(), 0);
    }

    /// @dev Issue 11, item 3: a liquidation that leaves a few wei of collateral under a large debt realises the bad
    /// debt at once; the position is left with no more debt than its collateral is worth.
    function testBadDebtRealisedWhenLiquidationLeavesDustCollateral() public {
        _setAnswer(1000e8); // 12,000 debt vs 10,000 of collateral: insolvent
        uint256 supplyBefore = lending.totalSupplyAssets();

        vm.expectEmit(true, true, false, false, address(lending));
        emit EventsLib.BadDebt(BORROWER, ConstantsLib.BUCKET_UNVERIFIED, 0, 0);
        vm.prank(LIQUIDATOR);
        (, uint256 repaidAssets) = lending.liquidate(BORROWER, COLLATERAL - 1, 0); // leaves 1 wei of collateral

        Position memory p = lending.position(BORROWER);
        assertEq(p.collateral, 1);
        uint256 dustValue = _collateralValue(1); // 1,000 wei of loan token
        assertLe(lending.debtOf(BORROWER), dustValue, "no more debt than collateral value");
        assertApproxEqAbs(lending.totalBadDebt(), BORROWED - repaidAssets - dustValue, 2);
        assertEq(lending.totalSupplyAssets(), supplyBefore - lending.totalBadDebt());
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
    }

    /// @dev A partial liquidation that leaves the position solvent writes nothing off.
    function testNoBadDebtWhenRemainingCollateralCoversDebt() public {
        _setAnswer(1600e8);
        vm.recordLogs();
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != EventsLib.BadDebt.selector);
        }
        assertEq(lending.totalBadDebt(), 0);
    }

    /// @dev The write-off stops at the collateral's value: the position stays open, solvent, and a later liquidation
    /// of all that is left writes off the rest.
    function testBadDebtWrittenOffDownToCollateralValue() public {
        _setAnswer(1000e8);
        // Seizing 8 of the 10 collateral repays 8,000 / LIF of the 12,000: ~4,720 left against 2,000 of collateral.
        vm.prank(LIQUIDATOR);
        (, uint256 repaid) = lending.liquidate(BORROWER, 8e18, 0);
        assertApproxEqAbs(repaid, uint256(8000e18).wDivUp(_lif(HIGH_LLTV)), 1);
        uint256 left = lending.debtOf(BORROWER);
        assertLe(left, 2000e18);
        assertApproxEqAbs(left, 2000e18, 1);
        assertApproxEqAbs(lending.totalBadDebt(), BORROWED - repaid - 2000e18, 2);

        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 2e18, 0);
        assertEq(lending.position(BORROWER).borrowShares, 0);
        assertEq(lending.totalBorrowAssets(), 0);
    }

    function testLiquidateStaleOracleReverts() public {
        _setAnswer(1600e8);
        vm.warp(block.timestamp + HEARTBEAT + 1);
        vm.expectRevert(ErrorsLib.StalePrice.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
    }

    function testIncentiveFactorIsCapped() public pure {
        assertEq(_lif(0.01e18), ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR);
    }
}
