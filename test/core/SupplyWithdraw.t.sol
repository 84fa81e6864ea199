// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

contract SupplyWithdrawTest is BaseTest {
    using SharesMathLib for uint256;

    function testSupply(uint256 assets) public {
        assets = _boundAmount(assets);
        loanToken.mint(address(this), assets);
        uint256 expectedShares = assets * SharesMathLib.VIRTUAL_SHARES;
        vm.expectEmit(address(lending));
        emit EventsLib.Supply(address(this), SUPPLIER, assets, expectedShares);
        uint256 shares = lending.supply(assets, SUPPLIER);

        assertEq(shares, expectedShares);
        assertEq(lending.position(SUPPLIER).supplyShares, shares);
        assertEq(lending.totalSupplyAssets(), assets);
        assertEq(lending.totalSupplyShares(), shares);
        assertEq(loanToken.balanceOf(address(lending)), assets);
    }

    function testSupplyZeroAmount() public {
        vm.expectRevert(ErrorsLib.ZeroAmount.selector);
        lending.supply(0, SUPPLIER);
    }

    function testSupplyZeroOnBehalf() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        lending.supply(1, address(0));
    }

    function testWithdrawByAssets(uint256 supplied, uint256 withdrawn) public {
        supplied = _boundAmount(supplied);
        withdrawn = bound(withdrawn, 1, supplied);
        _supply(SUPPLIER, supplied);

        vm.prank(SUPPLIER);
        (uint256 assets, uint256 shares) = lending.withdraw(withdrawn, 0, SUPPLIER);
        assertEq(assets, withdrawn);
        assertEq(shares, withdrawn.toSharesUp(supplied, supplied * SharesMathLib.VIRTUAL_SHARES));
        assertEq(loanToken.balanceOf(SUPPLIER), withdrawn);
        assertEq(lending.totalSupplyAssets(), supplied - withdrawn);
    }

    function testWithdrawAllByShares(uint256 supplied) public {
        supplied = _boundAmount(supplied);
        _supply(SUPPLIER, supplied);
        uint256 shares = lending.position(SUPPLIER).supplyShares;

        vm.expectEmit(address(lending));
        emit EventsLib.Withdraw(SUPPLIER, SUPPLIER, supplied, shares);
        vm.prank(SUPPLIER);
        lending.withdraw(0, shares, SUPPLIER);
        assertEq(loanToken.balanceOf(SUPPLIER), supplied);
        assertEq(lending.position(SUPPLIER).supplyShares, 0);
    }

    function testWithdrawInconsistentInput() public {
        vm.expectRevert(ErrorsLib.InconsistentInput.selector);
        lending.withdraw(0, 0, SUPPLIER);
        vm.expectRevert(ErrorsLib.InconsistentInput.selector);
        lending.withdraw(1, 1, SUPPLIER);
    }

    function testWithdrawZeroReceiver() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        lending.withdraw(1, 0, address(0));
    }

    function testWithdrawInsufficientShares() public {
        _supply(SUPPLIER, 100e18);
        vm.expectRevert(ErrorsLib.InsufficientSupplyShares.selector);
        vm.prank(BORROWER);
        lending.withdraw(1e18, 0, BORROWER);
    }

    function testWithdrawInsufficientLiquidity() public {
        _supply(SUPPLIER, 100e18);
        _supplyCollateral(BORROWER, 1e18);
        vm.prank(BORROWER);
        lending.borrow(50e18, BORROWER);
        vm.expectRevert(ErrorsLib.InsufficientLiquidity.selector);
        vm.prank(SUPPLIER);
        lending.withdraw(51e18, 0, SUPPLIER);
    }

    function testFirstDepositorInflationIsUnprofitable() public {
        // Attacker supplies 1 wei then donates a large amount; the victim still gets a fair share.
        loanToken.mint(address(this), 1);
        lending.supply(1, address(this));
        loanToken.mint(address(lending), 1000e18); // donation: not counted in totalSupplyAssets
        _supply(SUPPLIER, 100e18);
        uint256 shares = lending.position(SUPPLIER).supplyShares;
        vm.prank(SUPPLIER);
        (uint256 assets,) = lending.withdraw(0, shares, SUPPLIER);
        assertEq(assets, 100e18);
    }
}
