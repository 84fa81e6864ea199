// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

contract BorrowRepayTest is BaseTest {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    uint256 internal constant COLLATERAL = 10e18; // worth 20,000

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, 1_000_000e18);
        _supplyCollateral(BORROWER, COLLATERAL);
    }

    function testBorrowUnverifiedUpToMaxLtv() public {
        uint256 maxAssets = _maxBorrow(COLLATERAL, HIGH_MAX_LTV); // 12,000
        assertEq(maxAssets, 12_000e18);

        vm.expectRevert(ErrorsLib.MaxLtvExceeded.selector);
        vm.prank(BORROWER);
        lending.borrow(maxAssets + 1, BORROWER);

        uint256 expectedShares = maxAssets.toSharesUp(0, 0);
        vm.expectEmit(address(lending));
        emit EventsLib.Borrow(BORROWER, BORROWER, ConstantsLib.BUCKET_UNVERIFIED, maxAssets, expectedShares);
        vm.prank(BORROWER);
        uint256 shares = lending.borrow(maxAssets, BORROWER);

        assertEq(shares, expectedShares);
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
        assertEq(lending.debtOf(BORROWER), maxAssets);
        assertEq(lending.bucket(ConstantsLib.BUCKET_UNVERIFIED).borrowAssets, maxAssets);
        assertEq(lending.totalBorrowAssets(), maxAssets);
        assertEq(loanToken.balanceOf(BORROWER), maxAssets);
    }

    function testBorrowPerTierMaxLtv(uint256 tier) public {
        uint8 t = _boundTier(tier);
        _attest(BORROWER, t);
        uint256 maxLtv = lending.tierParams(t).maxLtv;
        uint256 maxAssets = _maxBorrow(COLLATERAL, maxLtv);

        vm.expectRevert(ErrorsLib.MaxLtvExceeded.selector);
        vm.prank(BORROWER);
        lending.borrow(maxAssets + 1, BORROWER);

        vm.prank(BORROWER);
        lending.borrow(maxAssets, BORROWER);
        assertEq(_bucketOf(BORROWER), t);
    }

    function testBorrowZeroAmount() public {
        vm.expectRevert(ErrorsLib.ZeroAmount.selector);
        lending.borrow(0, BORROWER);
    }

    function testBorrowZeroReceiver() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        lending.borrow(1, address(0));
    }

    function testBorrowInsufficientLiquidity() public {
        _supplyCollateral(BORROWER, 10_000e18);
        vm.expectRevert(ErrorsLib.InsufficientLiquidity.selector);
        vm.prank(BORROWER);
        lending.borrow(1_000_000e18 + 1, BORROWER);
    }

    function testBorrowWithoutCollateral() public {
        vm.expectRevert(ErrorsLib.MaxLtvExceeded.selector);
        vm.prank(LIQUIDATOR);
        lending.borrow(1, LIQUIDATOR);
    }

    function testRepayByAssetsOnBehalf(uint256 borrowed, uint256 repaid) public {
        borrowed = bound(borrowed, 1, _maxBorrow(COLLATERAL, HIGH_MAX_LTV));
        repaid = bound(repaid, 1, borrowed);
        vm.prank(BORROWER);
        lending.borrow(borrowed, BORROWER);

        loanToken.mint(address(this), repaid);
        uint256 sharesBefore = lending.position(BORROWER).borrowShares;
        (uint256 assets, uint256 shares) = lending.repay(repaid, 0, BORROWER);
        assertEq(assets, repaid);
        assertEq(shares, repaid.toSharesDown(borrowed, sharesBefore));
        assertEq(lending.position(BORROWER).borrowShares, sharesBefore - shares);
        assertEq(lending.totalBorrowAssets(), borrowed - repaid);
    }

    function testRepayAllByShares() public {
        vm.prank(BORROWER);
        lending.borrow(5000e18, BORROWER);
        _skip(100 days);
        uint256 shares = lending.position(BORROWER).borrowShares;
        loanToken.mint(address(this), 10_000e18);

        lending.accrueInterest();
        uint256 expected = lending.debtOf(BORROWER);
        vm.expectEmit(address(lending));
        emit EventsLib.Repay(address(this), BORROWER, ConstantsLib.BUCKET_UNVERIFIED, expected, shares);
        (uint256 assets,) = lending.repay(0, shares, BORROWER);
        assertEq(assets, expected);
        assertGt(assets, 5000e18);
        assertEq(lending.position(BORROWER).borrowShares, 0);
        assertEq(lending.totalBorrowAssets(), 0);
    }

    function testRepayInconsistentInput() public {
        vm.expectRevert(ErrorsLib.InconsistentInput.selector);
        lending.repay(0, 0, BORROWER);
        vm.expectRevert(ErrorsLib.InconsistentInput.selector);
        lending.repay(1, 1, BORROWER);
    }

    function testRepayZeroOnBehalf() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        lending.repay(1, 0, address(0));
    }

    function testRepayExceedsDebt() public {
        vm.prank(BORROWER);
        lending.borrow(100e18, BORROWER);
        loanToken.mint(address(this), 200e18);
        vm.expectRevert(ErrorsLib.RepayExceedsDebt.selector);
        lending.repay(101e18, 0, BORROWER);
    }

    function testInterestAccruesPerBucket() public {
        _attest(BORROWER, 0);
        vm.prank(BORROWER);
        lending.borrow(1000e18, BORROWER);

        address other = makeAddr("other");
        _supplyCollateral(other, COLLATERAL);
        vm.prank(other);
        lending.borrow(1000e18, other);

        _skip(LIFETIME - 1); // the attestation still counts
        lending.accrueInterest();
        // Compounded continuously: 1000 * e^(0.08 * t), 1000 * e^(0.2 * t) for t = 30 days - 1 s.
        assertApproxEqRel(lending.debtOf(BORROWER), 1006.597005e18, 0.000001e18);
        assertApproxEqRel(lending.debtOf(other), 1016.574203e18, 0.000001e18);
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
        assertEq(lending.totalSupplyAssets() - 1_000_000e18, lending.totalBorrowAssets() - 2000e18);
    }

    function testKinkPremiumAppliesToEveryTier() public {
        _attest(BORROWER, 0);
        assertEq(lending.borrowRate(0), LOW_APR / ConstantsLib.SECONDS_PER_YEAR);
        _supplyCollateral(BORROWER, 1000e18);
        vm.prank(BORROWER);
        lending.borrow(950_000e18, BORROWER); // 95% utilization: half-way from kink to 100%
        uint256 premium = JUMP_APR / 2;
        assertEq(lending.borrowRate(0), (LOW_APR + premium) / ConstantsLib.SECONDS_PER_YEAR);
        assertEq(lending.borrowRate(3), (HIGH_APR + premium) / ConstantsLib.SECONDS_PER_YEAR);
    }
}
