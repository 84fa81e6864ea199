// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import "../BaseTest.sol";

contract GovernanceTest is BaseTest {
    /* CONSTRUCTOR */

    function testConstructorState() public view {
        assertEq(lending.LOAN_TOKEN(), address(loanToken));
        assertEq(lending.COLLATERAL_TOKEN(), address(collateralToken));
        assertEq(lending.ORACLE(), address(oracle));
        assertEq(lending.CREDIT_ORACLE(), address(registry));
        assertEq(lending.KINK_UTILIZATION(), KINK);
        assertEq(lending.JUMP_APR(), JUMP_APR);
        assertEq(lending.lastUpdate(), block.timestamp);
        assertTrue(lending.hasRole(lending.DEFAULT_ADMIN_ROLE(), GOVERNANCE));
        assertTrue(lending.hasRole(lending.RISK_MANAGER_ROLE(), GOVERNANCE));
        assertTrue(lending.hasRole(lending.PAUSER_ROLE(), GOVERNANCE));
        TierParams memory low = lending.tierParams(ConstantsLib.BUCKET_LOW);
        assertEq(low.apr, LOW_APR);
        assertEq(low.maxLtv, LOW_MAX_LTV);
        assertEq(low.lltv, LOW_LLTV);
        TierParams memory unverified = lending.tierParams(ConstantsLib.BUCKET_UNVERIFIED);
        assertEq(unverified.lltv, HIGH_LLTV);
    }

    function testConstructorZeroAddress() public {
        MarketConfig memory config = _config();
        config.oracle = address(0);
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        new ZkRiskLending(config, _referenceParams(), GOVERNANCE);
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        new ZkRiskLending(_config(), _referenceParams(), address(0));
    }

    function testConstructorInvalidRateModel() public {
        MarketConfig memory config = _config();
        config.kinkUtilization = ConstantsLib.MIN_KINK_UTILIZATION - 1;
        vm.expectRevert(ErrorsLib.InvalidRateModel.selector);
        new ZkRiskLending(config, _referenceParams(), GOVERNANCE);
        config.kinkUtilization = ConstantsLib.MAX_KINK_UTILIZATION + 1;
        vm.expectRevert(ErrorsLib.InvalidRateModel.selector);
        new ZkRiskLending(config, _referenceParams(), GOVERNANCE);
        config = _config();
        config.jumpApr = ConstantsLib.MAX_JUMP_APR + 1;
        vm.expectRevert(ErrorsLib.InvalidRateModel.selector);
        new ZkRiskLending(config, _referenceParams(), GOVERNANCE);
    }

    function testConstructorInvalidParams() public {
        TierParams[4] memory params = _referenceParams();
        params[2].apr = ConstantsLib.MAX_BASE_APR + 1;
        vm.expectRevert(ErrorsLib.AprTooHigh.selector);
        new ZkRiskLending(_config(), params, GOVERNANCE);
    }

    /* SET TIER PARAMS */

    function testSetTierParams() public {
        TierParams memory p = TierParams(0.05e18, 0.86e18, 0.92e18);
        vm.expectEmit(address(lending));
        emit EventsLib.TierParamsSet(ConstantsLib.BUCKET_LOW, p.apr, p.maxLtv, p.lltv);
        vm.prank(GOVERNANCE);
        lending.setTierParams(ConstantsLib.BUCKET_LOW, p);
        TierParams memory stored = lending.tierParams(ConstantsLib.BUCKET_LOW);
        assertEq(stored.apr, p.apr);
        assertEq(stored.maxLtv, p.maxLtv);
        assertEq(stored.lltv, p.lltv);
    }

    function testSetTierParamsAccruesFirst() public {
        _supply(SUPPLIER, 1000e18);
        _supplyCollateral(BORROWER, 1e18);
        vm.prank(BORROWER);
        lending.borrow(100e18, BORROWER);
        _skip(30 days);
        vm.prank(GOVERNANCE);
        lending.setTierParams(ConstantsLib.BUCKET_UNVERIFIED, TierParams(0.5e18, HIGH_MAX_LTV, HIGH_LLTV));
        assertEq(lending.lastUpdate(), block.timestamp);
        assertGt(lending.totalBorrowAssets(), 100e18);
    }

    function testSetTierParamsUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), lending.RISK_MANAGER_ROLE()
            )
        );
        lending.setTierParams(0, TierParams(LOW_APR, LOW_MAX_LTV, LOW_LLTV));
    }

    function testSetTierParamsInvalidBucket() public {
        vm.expectRevert(ErrorsLib.InvalidBucket.selector);
        vm.prank(GOVERNANCE);
        lending.setTierParams(ConstantsLib.BUCKET_COUNT, TierParams(LOW_APR, LOW_MAX_LTV, LOW_LLTV));
    }

    function testSetTierParamsAprTooHigh() public {
        vm.expectRevert(ErrorsLib.AprTooHigh.selector);
        vm.prank(GOVERNANCE);
        lending.setTierParams(0, TierParams(ConstantsLib.MAX_BASE_APR + 1, LOW_MAX_LTV, LOW_LLTV));
    }

    function testSetTierParamsInvalidLtv() public {
        vm.startPrank(GOVERNANCE);
        vm.expectRevert(ErrorsLib.InvalidLtv.selector);
        lending.setTierParams(0, TierParams(LOW_APR, 0, LOW_LLTV));
        vm.expectRevert(ErrorsLib.InvalidLtv.selector);
        lending.setTierParams(0, TierParams(LOW_APR, LOW_LLTV - ConstantsLib.MIN_LTV_BUFFER + 1, LOW_LLTV));
        vm.expectRevert(ErrorsLib.InvalidLtv.selector);
        lending.setTierParams(0, TierParams(LOW_APR, LOW_MAX_LTV, ConstantsLib.MAX_LLTV + 1));
        vm.stopPrank();
    }

    function testSetTierParamsLltvDecrease() public {
        vm.expectRevert(ErrorsLib.LltvDecrease.selector);
        vm.prank(GOVERNANCE);
        lending.setTierParams(0, TierParams(LOW_APR, 0.8e18, LOW_LLTV - 1));
    }

    /* PAUSE */

    function testPauseBlocksSupplyAndBorrowOnly() public {
        _supply(SUPPLIER, 1000e18);
        _supplyCollateral(BORROWER, 1e18);
        vm.prank(BORROWER);
        lending.borrow(100e18, BORROWER);

        vm.expectEmit(address(lending));
        emit EventsLib.PausedSet(GOVERNANCE, true);
        vm.prank(GOVERNANCE);
        lending.setPaused(true);
        assertTrue(lending.paused());

        loanToken.mint(address(this), 1e18);
        vm.expectRevert(ErrorsLib.MarketPaused.selector);
        lending.supply(1e18, SUPPLIER);
        vm.expectRevert(ErrorsLib.MarketPaused.selector);
        vm.prank(BORROWER);
        lending.borrow(1e18, BORROWER);

        // Never pausable: repay, supplyCollateral, withdrawCollateral, withdraw, syncTier, liquidate.
        loanToken.mint(address(this), 10e18);
        lending.repay(10e18, 0, BORROWER);
        _supplyCollateral(BORROWER, 1e18);
        vm.prank(BORROWER);
        lending.withdrawCollateral(1e18, BORROWER);
        vm.prank(SUPPLIER);
        lending.withdraw(1e18, 0, SUPPLIER);
        lending.syncTier(BORROWER);
        _setAnswer(100e8);
        loanToken.mint(LIQUIDATOR, 1000e18);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 0.1e18, 0);

        vm.prank(GOVERNANCE);
        lending.setPaused(false);
        lending.supply(1e18, SUPPLIER);
    }

    function testSetPausedUnchanged() public {
        vm.expectRevert(ErrorsLib.PauseUnchanged.selector);
        vm.prank(GOVERNANCE);
        lending.setPaused(false);
    }

    function testSetPausedUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), lending.PAUSER_ROLE()
            )
        );
        lending.setPaused(true);
    }
}
