// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

import "../BaseTest.sol";

contract TierSyncTest is BaseTest {
    uint256 internal constant COLLATERAL = 10e18; // 20,000

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, 1_000_000e18);
        _supplyCollateral(BORROWER, COLLATERAL);
    }

    function _borrowLow(uint256 assets) internal {
        _attest(BORROWER, 0);
        vm.prank(BORROWER);
        lending.borrow(assets, BORROWER);
    }

    function testBucketFor() public {
        assertEq(lending.bucketFor(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
        _attest(BORROWER, 1);
        assertEq(lending.bucketFor(BORROWER), ConstantsLib.BUCKET_MEDIUM);
    }

    function testSyncWithoutDebtSetsBucketWithoutRamp() public {
        _attest(BORROWER, 0);
        lending.syncTier(BORROWER);
        vm.prank(ATTESTOR);
        registry.postCommitment(BORROWER, 99); // supersedes the attestation
        assertEq(lending.syncTier(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
        Position memory p = lending.position(BORROWER);
        assertEq(p.rampStart, 0);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
    }

    function testSyncNoChangeIsNoop() public {
        _borrowLow(1000e18);
        vm.recordLogs();
        lending.syncTier(BORROWER);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function testUpgradeAppliesAtOnce() public {
        vm.prank(BORROWER);
        lending.borrow(10_000e18, BORROWER); // unverified
        _attest(BORROWER, 0);
        uint256 debt = lending.debtOf(BORROWER);

        vm.expectEmit(true, true, true, false, address(lending));
        emit EventsLib.TierSynced(BORROWER, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEq(lending.syncTier(BORROWER), ConstantsLib.BUCKET_LOW);
        assertEq(lending.liquidationLtvOf(BORROWER), LOW_LLTV);
        assertApproxEqAbs(lending.debtOf(BORROWER), debt, 1);
        assertEq(lending.bucket(3).borrowAssets, 0);
        assertEq(lending.bucket(3).borrowShares, 0);
        assertEq(lending.bucket(0).borrowAssets, debt);
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
        // Can now borrow up to 85%.
        vm.prank(BORROWER);
        lending.borrow(7000e18, BORROWER);
    }

    function testExpiryRampsLiquidationLtv() public {
        _borrowLow(16_000e18); // 80%: fine for LOW (lltv 90%), far above UNVERIFIED's 70%
        _skip(LIFETIME);
        (,, bool verified) = registry.tierOf(BORROWER);
        assertFalse(verified);

        lending.syncTier(BORROWER);
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
        Position memory p = lending.position(BORROWER);
        assertEq(p.rampStart, block.timestamp);
        assertEq(p.rampEnd, block.timestamp + ConstantsLib.DOWNGRADE_RAMP);
        assertEq(p.rampFromLltv, LOW_LLTV);
        // Not liquidatable the instant the credential lapses.
        assertEq(lending.liquidationLtvOf(BORROWER), LOW_LLTV);
        assertTrue(lending.isHealthy(BORROWER));
        vm.expectRevert(ErrorsLib.HealthyPosition.selector);
        lending.liquidate(BORROWER, 1e18, 0);

        // Half-way: 80%.
        _skip(ConstantsLib.DOWNGRADE_RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), (LOW_LLTV + HIGH_LLTV) / 2);

        // Ramp over: 70%, and the ~80% position is liquidatable.
        _skip(ConstantsLib.DOWNGRADE_RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
        lending.accrueInterest();
        assertFalse(lending.isHealthy(BORROWER));
        loanToken.mint(address(this), 100_000e18);
        lending.liquidate(BORROWER, 1e18, 0);
    }

    function testDowngradeMidRampContinuesFromCurrentValue() public {
        _borrowLow(1000e18);
        _skip(LIFETIME);
        lending.syncTier(BORROWER); // LOW -> UNVERIFIED, ramp 90% -> 70%
        uint256 rampEnd = block.timestamp + ConstantsLib.DOWNGRADE_RAMP;
        _skip(ConstantsLib.DOWNGRADE_RAMP / 4); // effective 85%
        _attest(BORROWER, 1); // MEDIUM lltv 80% < 85%: the ramp continues from 85%, to the same end
        lending.syncTier(BORROWER);
        Position memory p = lending.position(BORROWER);
        assertEq(p.rampFromLltv, 0.85e18);
        assertEq(p.rampStart, block.timestamp);
        assertEq(p.rampEnd, rampEnd);
        assertEq(lending.liquidationLtvOf(BORROWER), 0.85e18);
        _skip(ConstantsLib.DOWNGRADE_RAMP * 3 / 4);
        assertEq(lending.liquidationLtvOf(BORROWER), MEDIUM_LLTV);
    }

    function testUpgradeMidRampClearsRamp() public {
        _borrowLow(1000e18);
        _skip(LIFETIME);
        lending.syncTier(BORROWER);
        _skip(ConstantsLib.DOWNGRADE_RAMP * 3 / 4); // effective 75%
        _attest(BORROWER, 1); // MEDIUM 80% >= 75%: at once
        lending.syncTier(BORROWER);
        assertEq(lending.position(BORROWER).rampStart, 0);
        assertEq(lending.position(BORROWER).rampEnd, 0);
        assertEq(lending.liquidationLtvOf(BORROWER), MEDIUM_LLTV);
    }

    function testRetiredModelDowngrades() public {
        _borrowLow(1000e18);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        assertEq(lending.syncTier(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
    }

    function testBorrowUsesCurrentTier() public {
        _borrowLow(1000e18);
        _skip(LIFETIME);
        // The credential lapsed: the next borrow is capped by the UNVERIFIED max LTV (60% of 20,000).
        vm.expectRevert(ErrorsLib.MaxLtvExceeded.selector);
        vm.prank(BORROWER);
        lending.borrow(11_100e18, BORROWER);
        vm.prank(BORROWER);
        lending.borrow(10_000e18, BORROWER);
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
    }

    function testSyncRecordsRoundAndTime() public {
        _borrowLow(1000e18);
        Position memory p = lending.position(BORROWER);
        assertEq(p.round, registry.attestationOf(BORROWER).roundId);
        assertEq(p.syncedAt, block.timestamp);
    }

    /// @dev The sync of a passive borrower adds the interest it owed since the tier changed, and events it.
    function testLateSyncAddsCatchUpInterest() public {
        _borrowLow(10_000e18);
        _skip(LIFETIME + 10 days);
        lending.accrueInterest();
        uint256 viewDebt = lending.debtOf(BORROWER);
        uint256 supplyBefore = lending.totalSupplyAssets();
        vm.recordLogs();
        lending.syncTier(BORROWER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (,, uint256 catchUp,,,,,) =
            abi.decode(logs[0].data, (uint64, uint256, uint256, uint256, uint256, uint256, uint64, uint64));
        // 10 days at 20% - 8% on the debt 40 days at 8% left.
        assertApproxEqRel(catchUp, 33.220793e18, 0.00001e18); // 10,088.06 * (e^(0.12 * 10 / 365) - 1)
        assertEq(lending.debtOf(BORROWER), viewDebt);
        assertEq(lending.totalSupplyAssets(), supplyBefore + catchUp, "the catch-up goes to suppliers");
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
    }

    /// @dev Repaying syncs first: a passive borrower cannot repay at the old rate.
    function testRepaySyncsFirst() public {
        _borrowLow(10_000e18);
        _skip(LIFETIME + 10 days);
        lending.accrueInterest();
        uint256 owed = lending.debtOf(BORROWER);
        loanToken.mint(address(this), owed);
        (, uint256 shares) = lending.repay(owed, 0, BORROWER);
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
        assertLe(lending.position(BORROWER).borrowShares, 1);
        assertGt(shares, 0);
    }

    function testSyncMovesDebtAcrossRates() public {
        _borrowLow(10_000e18);
        _skip(LIFETIME);
        lending.syncTier(BORROWER); // now accrues at 20%
        uint256 debt = lending.debtOf(BORROWER);
        _skip(365 days);
        lending.accrueInterest();
        assertApproxEqRel(lending.debtOf(BORROWER), debt * 122_133 / 100_000, 0.0001e18);
    }
}
