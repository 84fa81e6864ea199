// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

/// @notice Downgrades take effect when the attestation stops counting, not when somebody syncs (issue 11, items 1
/// and 2): the views, `liquidate` and the rate all follow the wallet's current tier, the ramp is dated from the
/// registry's record of when the attestation stopped counting, and a ramp never outlasts its first downgrade by more
/// than DOWNGRADE_RAMP.
contract DowngradeTest is BaseTest {
    using MathLib for uint256;

    uint256 internal constant COLLATERAL = 10e18; // 20,000 at 2,000
    uint256 internal constant BORROWED = 16_000e18; // 80%: fine at LOW (lltv 90%), far above UNVERIFIED's 70%
    uint64 internal constant RAMP = ConstantsLib.DOWNGRADE_RAMP;

    address internal OTHER = makeAddr("other");

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, 1_000_000e18);
        _supplyCollateral(BORROWER, COLLATERAL);
        loanToken.mint(LIQUIDATOR, 1_000_000e18);
        vm.prank(LIQUIDATOR);
        loanToken.approve(address(lending), type(uint256).max);
    }

    function _borrowAt(address who, uint8 tier, uint256 assets) internal {
        _attest(who, tier);
        vm.prank(who);
        lending.borrow(assets, who);
    }

    /* ITEM 1: A DOWNGRADE TAKES EFFECT FOR A PASSIVE BORROWER */

    /// @dev Nobody syncs: the views still move to the UNVERIFIED tier, ramping from the expiry.
    function testDowngradeTakesEffectWithoutSync() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(LIFETIME); // the attestation expires now
        assertEq(lending.bucketFor(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
        assertEq(lending.liquidationLtvOf(BORROWER), LOW_LLTV, "not liquidatable the instant it lapses");

        _skip(RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), (LOW_LLTV + HIGH_LLTV) / 2);

        _skip(RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV, "the ramp ran from the expiry, without any sync");
        lending.accrueInterest();
        assertFalse(lending.isHealthy(BORROWER));
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_LOW, "nothing was written");
    }

    /// @dev A liquidation a full ramp after the expiry is judged at UNVERIFIED's 70%, although nobody synced.
    function testLiquidationJudgedAtCurrentTierWithoutSync() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(LIFETIME + RAMP);

        vm.expectEmit(true, true, true, false, address(lending));
        emit EventsLib.Liquidate(LIQUIDATOR, BORROWER, ConstantsLib.BUCKET_UNVERIFIED, 0, 0, 0);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
    }

    /// @dev A liquidation attempted mid-ramp fails (the position is still healthy) and rolls its sync back; the
    /// ramp keeps running from the expiry all the same.
    function testDowngradeSurvivesLiquidationThatReverts() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(LIFETIME + RAMP / 4); // effective 85%; the position is at ~80.6%
        assertTrue(lending.isHealthy(BORROWER));
        vm.expectRevert(ErrorsLib.HealthyPosition.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);

        _skip(RAMP / 2); // effective 75%
        assertEq(lending.liquidationLtvOf(BORROWER), 0.75e18);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
    }

    /// @dev Two identical borrowers lapse together; a keeper syncs one at once, nobody syncs the other. Both owe the
    /// same: the passive one pays UNVERIFIED's rate from the expiry too (views first, then once synced).
    function testPassiveBorrowerPaysNewRateFromWhenAttestationStopped() public {
        _supplyCollateral(OTHER, COLLATERAL);
        _borrowAt(BORROWER, 0, 10_000e18);
        _borrowAt(OTHER, 0, 10_000e18);

        _skip(LIFETIME);
        lending.syncTier(OTHER); // the keeper, at the expiry
        _skip(60 days);
        lending.accrueInterest();

        uint256 synced = lending.debtOf(OTHER);
        assertApproxEqRel(lending.debtOf(BORROWER), synced, 1e-7 * 1e18, "view: charged UNVERIFIED's rate");
        lending.syncTier(BORROWER);
        assertApproxEqRel(lending.debtOf(BORROWER), synced, 1e-7 * 1e18, "synced late: same debt");
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
        // 20% (UNVERIFIED) over the 60 days, not 8% (LOW).
        uint256 atExpiry =
            uint256(10_000e18).wMulDown(ConstantsLib.WAD + MathLib.wCompoundedDown(LOW_APR / 365 days, LIFETIME));
        assertApproxEqRel(synced, atExpiry * 10_334_231 / 10_000_000, 0.000001e18);
    }

    /// @dev The attestor replaced the data commitment: the ramp runs from that moment.
    function testDowngradeDatedFromSupersededCommitment() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(10 days);
        _postCommitment(BORROWER, _commitmentFor(BORROWER, 999)); // supersedes the attestation
        _skip(RAMP / 4);
        assertEq(lending.liquidationLtvOf(BORROWER), 0.85e18);
        _skip(RAMP);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
        lending.accrueInterest();
        assertFalse(lending.isHealthy(BORROWER));
    }

    /// @dev Governance retired the model: the ramp runs from the retirement.
    function testDowngradeDatedFromModelRetirement() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(3 days);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        _skip(RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), 0.8e18);
        _skip(RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
    }

    /// @dev Re-attested at a worse tier (MEDIUM, 80%) without a sync: judged at MEDIUM, ramping from the moment the
    /// LOW attestation stopped counting.
    function testReattestedAtWorseTierJudgedAtItWithoutSync() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(5 days);
        _attest(BORROWER, 1); // supersedes LOW and attests MEDIUM in the same block
        _skip(RAMP / 4);
        assertEq(lending.liquidationLtvOf(BORROWER), 0.875e18);
        _skip(RAMP);
        assertEq(lending.liquidationLtvOf(BORROWER), MEDIUM_LLTV);
        lending.accrueInterest();
        assertFalse(lending.isHealthy(BORROWER));
    }

    /// @dev An upgrade counts at once in the views too.
    function testUpgradeEffectiveWithoutSync() public {
        vm.prank(BORROWER);
        lending.borrow(12_000e18, BORROWER); // unverified
        _setAnswer(1650e8); // 72.7%: unhealthy at UNVERIFIED's 70%
        assertFalse(lending.isHealthy(BORROWER));
        _attest(BORROWER, 0);
        assertEq(lending.liquidationLtvOf(BORROWER), LOW_LLTV);
        assertTrue(lending.isHealthy(BORROWER));
        vm.expectRevert(ErrorsLib.HealthyPosition.selector);
        vm.prank(LIQUIDATOR);
        lending.liquidate(BORROWER, 1e18, 0);
    }

    /// @dev The routine refresh (new commitment and proof at the same tier) is no downgrade; when the refreshed
    /// attestation later lapses, the ramp runs from its own expiry, not from the end of the first one.
    function testRefreshedThenLapsedRampsFromLatestExpiry() public {
        _borrowAt(BORROWER, 0, BORROWED);
        _skip(20 days);
        _attest(BORROWER, 0); // refresh: expires 30 days from now
        assertEq(lending.liquidationLtvOf(BORROWER), LOW_LLTV);
        _skip(LIFETIME);
        assertEq(lending.liquidationLtvOf(BORROWER), LOW_LLTV, "the ramp starts at the refreshed expiry");
        _skip(RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), (LOW_LLTV + HIGH_LLTV) / 2);
    }

    /* ITEM 2: A RAMP NEVER ENDS LATER THAN 24 H AFTER ITS FIRST DOWNGRADE */

    /// @dev LOW -> UNVERIFIED, then MEDIUM at 6 h, then UNVERIFIED again at 12 h, each synced at once: the ramp
    /// still ends at 24 h, at UNVERIFIED's 70%, continuous at each change.
    function testRampNeverEndsLaterThan24hAfterFirstDowngrade() public {
        _borrowAt(BORROWER, 0, 1000e18);
        _skip(LIFETIME); // first downgrade: LOW (90%) -> UNVERIFIED (70%)
        lending.syncTier(BORROWER);

        _skip(RAMP / 4); // 85%
        _attest(BORROWER, 1); // MEDIUM (80%) is below 85%: the ramp continues toward 80%, ending at 24 h
        lending.syncTier(BORROWER);
        assertEq(lending.liquidationLtvOf(BORROWER), 0.85e18);

        _skip(RAMP / 4); // 12 h: 85% - 5% * 6/18
        uint256 at12h = lending.liquidationLtvOf(BORROWER);
        assertEq(at12h, 0.85e18 - uint256(0.05e18).mulDivUp(6 hours, 18 hours));
        _postCommitment(BORROWER, _commitmentFor(BORROWER, 777)); // UNVERIFIED again: toward 70%, still by 24 h
        lending.syncTier(BORROWER);
        assertEq(lending.liquidationLtvOf(BORROWER), at12h);

        _skip(RAMP / 2); // 24 h after the first downgrade
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
    }

    /// @dev The same changes with nobody syncing: the same ramp.
    function testRampNeverEndsLaterThan24hAfterFirstDowngradeWithoutSync() public {
        _borrowAt(BORROWER, 0, 1000e18);
        _skip(LIFETIME);
        _skip(RAMP / 4);
        _attest(BORROWER, 1);
        assertEq(lending.liquidationLtvOf(BORROWER), 0.85e18);
        _skip(RAMP / 4);
        _postCommitment(BORROWER, _commitmentFor(BORROWER, 777));
        _skip(RAMP / 2);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
    }
}
