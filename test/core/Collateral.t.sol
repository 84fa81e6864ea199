// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

contract CollateralTest is BaseTest {
    function testSupplyCollateral(uint256 assets) public {
        assets = _boundAmount(assets);
        collateralToken.mint(address(this), assets);
        vm.expectEmit(address(lending));
        emit EventsLib.SupplyCollateral(address(this), BORROWER, assets);
        lending.supplyCollateral(assets, BORROWER);
        assertEq(lending.position(BORROWER).collateral, assets);
        assertEq(collateralToken.balanceOf(address(lending)), assets);
    }

    function testSupplyCollateralZeroAmount() public {
        vm.expectRevert(ErrorsLib.ZeroAmount.selector);
        lending.supplyCollateral(0, BORROWER);
    }

    function testSupplyCollateralZeroOnBehalf() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        lending.supplyCollateral(1, address(0));
    }

    function testWithdrawCollateralNoDebt(uint256 assets) public {
        assets = _boundAmount(assets);
        _supplyCollateral(BORROWER, assets);
        vm.expectEmit(address(lending));
        emit EventsLib.WithdrawCollateral(BORROWER, LIQUIDATOR, assets);
        vm.prank(BORROWER);
        lending.withdrawCollateral(assets, LIQUIDATOR);
        assertEq(collateralToken.balanceOf(LIQUIDATOR), assets);
        assertEq(lending.position(BORROWER).collateral, 0);
    }

    function testWithdrawCollateralZeroAmount() public {
        vm.expectRevert(ErrorsLib.ZeroAmount.selector);
        lending.withdrawCollateral(0, BORROWER);
    }

    function testWithdrawCollateralZeroReceiver() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        lending.withdrawCollateral(1, address(0));
    }

    function testWithdrawCollateralInsufficient() public {
        _supplyCollateral(BORROWER, 1e18);
        vm.expectRevert(ErrorsLib.InsufficientCollateral.selector);
        vm.prank(BORROWER);
        lending.withdrawCollateral(1e18 + 1, BORROWER);
    }

    function testWithdrawCollateralBeyondMaxLtv() public {
        _supply(SUPPLIER, 10_000e18);
        _supplyCollateral(BORROWER, 1e18); // worth 2000
        vm.prank(BORROWER);
        lending.borrow(1000e18, BORROWER); // 50% < 60% unverified max LTV
        // Leaving 0.8e18 (1600) of collateral: 1000 / 1600 = 62.5% > 60%.
        vm.expectRevert(ErrorsLib.MaxLtvExceeded.selector);
        vm.prank(BORROWER);
        lending.withdrawCollateral(0.2e18, BORROWER);
        vm.prank(BORROWER);
        lending.withdrawCollateral(0.1e18, BORROWER); // 1000 / 1800 = 55.6%
    }
}
