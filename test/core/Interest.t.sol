// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

/// @notice The interest approximation at the extremes the parameters allow (issue 11, item 5): every bucket at
/// MAX_BASE_APR, the market deployed with MAX_JUMP_APR and fully utilized (600% a year), and idle gaps from an hour to
/// beyond the compounding cap. The accrued interest is compared with continuous compounding computed to 1e-21.
contract InterestTest is BaseTest {
    using MathLib for uint256;

    uint256 internal constant BORROWED = 1_000_000e18;
    uint256 internal constant MAX_APR = ConstantsLib.MAX_BASE_APR + ConstantsLib.MAX_JUMP_APR;

    ZkRiskLending internal market;

    function setUp() public override {
        super.setUp();
        MarketConfig memory config = _config();
        config.jumpApr = ConstantsLib.MAX_JUMP_APR;
        TierParams[4] memory params = _referenceParams();
        for (uint256 b; b < 4; ++b) {
            params[b].apr = ConstantsLib.MAX_BASE_APR;
        }
        market = new ZkRiskLending(config, params, GOVERNANCE);

        loanToken.mint(address(this), BORROWED);
        loanToken.approve(address(market), type(uint256).max);
        market.supply(BORROWED, SUPPLIER);
        collateralToken.mint(address(this), 1_000_000e18);
        collateralToken.approve(address(market), type(uint256).max);
        market.supplyCollateral(1_000_000e18, BORROWER);
        vm.prank(BORROWER);
        market.borrow(BORROWED, BORROWER); // 100% utilization: base 100% + premium 500%
    }

    /// @dev e^y (y in WAD) scaled by 1e27: 8 Taylor terms on y / 2^20, squared 20 times. Relative error below 1e-20.
    function _exp27(uint256 y) internal pure returns (uint256 sum) {
        uint256 scale = 1e27;
        uint256 z = (y * 1e9) >> 20;
        uint256 term = scale;
        sum = scale;
        for (uint256 k = 1; k <= 8; ++k) {
            term = term * z / (scale * k);
            sum += term;
        }
        for (uint256 i; i < 20; ++i) {
            sum = sum * sum / scale;
        }
    }

    /// @dev The interest the market accrues on its only bucket over `gap` seconds, and continuous compounding's at the
    /// same per-second rate, and how far below the latter the former is (WAD: 1e18 = 100%).
    function _accrue(uint256 gap) internal returns (uint256 interest, uint256 exact, uint256 shortfall) {
        uint256 before = market.bucket(ConstantsLib.BUCKET_UNVERIFIED).borrowAssets;
        uint256 rate = MAX_APR / ConstantsLib.SECONDS_PER_YEAR;
        assertEq(market.borrowRate(ConstantsLib.BUCKET_UNVERIFIED), rate);
        vm.warp(block.timestamp + gap);
        market.accrueInterest();
        interest = market.bucket(ConstantsLib.BUCKET_UNVERIFIED).borrowAssets - before;
        uint256 exponent = (rate * gap).min(ConstantsLib.MAX_COMPOUNDING_EXPONENT);
        exact = before.mulDivDown(_exp27(exponent) - 1e27, 1e27);
        assertLe(interest, exact, "never above continuous compounding");
        shortfall = (exact - interest).wDivUp(exact);
    }

    /// @dev Issue 11, item 5: the error at 600% a year stays within the documented bounds for every idle gap, up to
    /// the cap (MathLib.wExpMinusOneDown's NatSpec states these numbers).
    function testInterestErrorBoundedAtMaxAprOverLongIdleGaps() public {
        uint256[6] memory gaps = [uint256(1 hours), 1 days, 7 days, 30 days, 365 days, 608 days];
        uint256[6] memory bounds = [uint256(2e7), 2e11, 9e12, 1.3e13, 2.6e13, 7.8e13];
        for (uint256 i; i < gaps.length; ++i) {
            uint256 snapshot = vm.snapshotState();
            (,, uint256 shortfall) = _accrue(gaps[i]);
            emit log_named_uint(string.concat("shortfall (1e18 = 100%) after ", vm.toString(gaps[i])), shortfall);
            assertLe(shortfall, bounds[i]);
            vm.revertToState(snapshot);
        }
    }

    /// @dev Beyond the cap (608 days at 600%) one accrual compounds e^10 and no more.
    function testOneAccrualCompoundsAtMostTheCap() public {
        (uint256 interest, uint256 exact,) = _accrue(700 days);
        assertApproxEqRel(interest, exact, 7.8e13);
        assertApproxEqRel(interest + BORROWED, BORROWED * 22_026_465_794 / 1_000_000, 7.8e13); // e^10
    }

    /// @dev Over any gap, at any rate the parameters allow, never above e^y - 1 and at most 7.8e-5 below it.
    function testFuzzExpMinusOneWithinBound(uint256 y) public pure {
        y = bound(y, 1e6, ConstantsLib.MAX_COMPOUNDING_EXPONENT);
        uint256 got = MathLib.wExpMinusOneDown(y);
        uint256 exact = (_exp27(y) - 1e27) / 1e9;
        assertLe(got, exact + 1);
        assertLe(exact - got.min(exact), exact.mulDivUp(7.8e13, 1e18) + 1);
    }
}
