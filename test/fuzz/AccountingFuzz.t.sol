// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

/// @notice Fuzz tests of the market's accounting with bounded inputs.
contract AccountingFuzzTest is BaseTest {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    uint256 internal constant LIQUIDITY = 1e30;

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, LIQUIDITY);
    }

    function testFuzzSupplyWithdrawNeverProfits(uint256 assets, uint256 elapsed) public {
        assets = _boundAmount(assets);
        elapsed = bound(elapsed, 0, 365 days);
        _supply(BORROWER, assets);
        _skip(elapsed);
        uint256 shares = lending.position(BORROWER).supplyShares;
        vm.prank(BORROWER);
        (uint256 withdrawn,) = lending.withdraw(0, shares, BORROWER);
        // No borrowers: no interest, so never more than supplied.
        assertLe(withdrawn, assets);
        assertApproxEqAbs(withdrawn, assets, 1);
    }

    function testFuzzBorrowRepayNeverProfits(uint256 collateral, uint256 fraction, uint256 elapsed, uint256 tier)
        public
    {
        collateral = bound(collateral, 1e9, 1e24);
        uint8 t = _boundTier(tier);
        _attest(BORROWER, t);
        _supplyCollateral(BORROWER, collateral);
        uint256 maxBorrow = _maxBorrow(collateral, lending.tierParams(t).maxLtv);
        uint256 assets = maxBorrow.mulDivDown(bound(fraction, 1, 1e4), 1e4);
        vm.assume(assets > 0);
        vm.prank(BORROWER);
        lending.borrow(assets, BORROWER);
        assertGe(lending.debtOf(BORROWER), assets);

        _skip(bound(elapsed, 0, LIFETIME - 1));
        uint256 shares = lending.position(BORROWER).borrowShares;
        loanToken.mint(address(this), assets * 2);
        (uint256 repaid,) = lending.repay(0, shares, BORROWER);
        assertGe(repaid, assets);
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
    }

    function testFuzzSyncPreservesTotals(uint256 borrowed, uint256 fromTier, uint256 toTier, uint256 elapsed) public {
        uint8 a = _boundTier(fromTier);
        uint8 b = uint8(bound(toTier, 0, 3)); // 3: lapse
        _attest(BORROWER, a);
        _supplyCollateral(BORROWER, 1e24);
        borrowed = bound(borrowed, 1, _maxBorrow(1e24, lending.tierParams(a).maxLtv));
        vm.prank(BORROWER);
        lending.borrow(borrowed, BORROWER);

        _skip(bound(elapsed, 0, 10 days));
        lending.accrueInterest();
        uint256 totalBefore = lending.totalBorrowAssets();
        uint256 debtBefore = lending.debtOf(BORROWER);
        if (b == 3) _postCommitment(BORROWER, 12_345);
        else _attest(BORROWER, b);
        uint8 bucketAfter = lending.syncTier(BORROWER);

        assertEq(bucketAfter, b);
        assertEq(lending.totalBorrowAssets(), totalBefore);
        assertEq(_sumBucketAssets(), totalBefore);
        // Moving never lowers the borrower's debt by more than one unit of rounding.
        assertGe(lending.debtOf(BORROWER) + 1, debtBefore);
        if (a != b) {
            assertEq(lending.bucket(a).borrowShares, 0);
            assertEq(lending.bucket(a).borrowAssets, 0);
        }
    }

    function testFuzzHealthyPositionCannotBeLiquidated(uint256 collateral, uint256 fraction, uint256 answer) public {
        collateral = bound(collateral, 1e12, 1e24);
        _supplyCollateral(BORROWER, collateral);
        uint256 assets = _maxBorrow(collateral, HIGH_MAX_LTV).mulDivDown(bound(fraction, 1, 100), 100);
        vm.assume(assets > 0);
        vm.prank(BORROWER);
        lending.borrow(assets, BORROWER);

        _setAnswer(int256(bound(answer, 1e8, 4000e8)));
        uint256 maxDebt = _collateralValue(collateral).wMulDown(HIGH_LLTV);
        bool healthy = lending.debtOf(BORROWER) <= maxDebt;
        assertEq(lending.isHealthy(BORROWER), healthy);

        loanToken.mint(LIQUIDATOR, assets);
        uint256 shares = lending.position(BORROWER).borrowShares / 2 + 1;
        vm.prank(LIQUIDATOR);
        try lending.liquidate(BORROWER, 0, shares) {
            assertFalse(healthy, "healthy position liquidated");
        } catch (bytes memory reason) {
            if (healthy) {
                assertEq(bytes4(reason), ErrorsLib.HealthyPosition.selector);
            } else {
                // Deeply underwater: half the debt is worth more than the collateral.
                assertEq(bytes4(reason), ErrorsLib.InsufficientCollateral.selector);
            }
        }
    }

    function testFuzzIncentiveFactorWithinBounds(uint256 lltv) public pure {
        lltv = bound(lltv, 0, ConstantsLib.MAX_LLTV);
        uint256 lif = MathLib.min(
            ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR,
            MathLib.wDivDown(ConstantsLib.WAD, ConstantsLib.WAD - MathLib.wMulDown(0.3e18, ConstantsLib.WAD - lltv))
        );
        assertGe(lif, ConstantsLib.WAD);
        assertLe(lif, ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR);
    }
}
