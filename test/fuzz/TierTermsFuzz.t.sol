// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

/// @notice The views tell the truth about tier changes nobody synced: after any sequence of re-attestations,
/// superseded commitments, expiries and a retirement, at random times, synced or not in between, `debtOf`,
/// `liquidationLtvOf` and `isHealthy` before a sync equal what the sync then writes, to the wei.
contract TierTermsFuzzTest is BaseTest {
    using MathLib for uint256;
    using SharesMathLib for uint256;

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, 1e30);
    }

    function _step(uint256 action, uint256 tier, uint256 nonce) internal {
        action = action % 4;
        if (action == 0) {
            _attest(BORROWER, _boundTier(tier));
        } else if (action == 1) {
            _postCommitment(BORROWER, _commitmentFor(BORROWER, 1e9 + nonce));
        } else if (action == 2 && registry.currentModel() != bytes32(0)) {
            // Retire the model and register another with the same verifier: later steps attest under it.
            bytes32 next = bytes32(uint256(keccak256(abi.encode("model", nonce))) >> 8);
            vm.startPrank(GOVERNANCE);
            registry.retireModel(registry.currentModel());
            registry.registerModel(next, TIER_COUNT, OUTPUT_SCALE, LIFETIME);
            registry.registerCircuit(next, ConstantsLib.SINGLE_WALLET_SLOTS, address(verifier));
            vm.stopPrank();
        }
        // action 3: time only
    }

    /// @dev `_attest` proves under MODEL_ID: once the model rotates, attest under the current one.
    function _attestCurrent(uint8 tier) internal {
        bytes32 id = registry.currentModel();
        uint256 commitment = _commitmentFor(BORROWER, vm.getBlockTimestamp() * 7 + tier);
        _postCommitment(BORROWER, commitment);
        bytes memory proof = abi.encode("proof", BORROWER, commitment, tier);
        verifier.setAccepted(proof, true);
        registry.attest(BORROWER, id, proof, _instances(commitment, id, tier, OUTPUT_SCALE));
    }

    function testFuzzViewsEqualStateAfterSync(
        uint256 firstTier,
        uint256 fraction,
        uint256[4] memory actions,
        uint256[4] memory tiers,
        uint256[4] memory gaps,
        bool[4] memory syncs,
        uint256 answer
    ) public {
        _attest(BORROWER, _boundTier(firstTier));
        _supplyCollateral(BORROWER, 100e18);
        uint8 b = lending.bucketFor(BORROWER);
        uint256 assets = _maxBorrow(100e18, lending.tierParams(b).maxLtv).mulDivDown(bound(fraction, 1, 100), 100);
        vm.prank(BORROWER);
        lending.borrow(assets, BORROWER);

        for (uint256 i; i < 4; ++i) {
            _skip(bound(gaps[i], 0, 40 days));
            uint256 action = actions[i] % 4;
            if (action == 0) _attestCurrent(_boundTier(tiers[i]));
            else _step(action, tiers[i], i);
            if (syncs[i]) lending.syncTier(BORROWER);
        }
        _skip(bound(gaps[0] ^ gaps[1], 0, 3 days));
        _setAnswer(int256(bound(answer, 500e8, 4000e8)));
        lending.accrueInterest();

        uint256 debt = lending.debtOf(BORROWER);
        uint256 lltv = lending.liquidationLtvOf(BORROWER);
        bool healthy = lending.isHealthy(BORROWER);
        uint8 current = lending.bucketFor(BORROWER);

        lending.syncTier(BORROWER);
        Position memory p = lending.position(BORROWER);
        assertEq(p.bucket, current, "the sync moves the debt to the current tier's bucket");
        assertEq(lending.debtOf(BORROWER), debt, "debtOf told the truth");
        Bucket memory bk = lending.bucket(p.bucket);
        assertEq(p.borrowShares.toAssetsUp(bk.borrowAssets, bk.borrowShares), debt);
        assertEq(lending.liquidationLtvOf(BORROWER), lltv, "liquidationLtvOf told the truth");
        assertEq(lending.isHealthy(BORROWER), healthy, "isHealthy told the truth");
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
        assertLe(lending.totalBorrowAssets(), lending.totalSupplyAssets());
        // A second sync changes nothing.
        vm.recordLogs();
        lending.syncTier(BORROWER);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    /// @dev After the ramp, a wallet whose attestation stopped counting is judged at UNVERIFIED's terms, synced or not.
    function testFuzzLapsedJudgedAtUnverifiedAfterRamp(uint256 tier, uint256 gap, uint256 how) public {
        _attest(BORROWER, _boundTier(tier));
        _supplyCollateral(BORROWER, 100e18);
        vm.prank(BORROWER);
        lending.borrow(1000e18, BORROWER);
        _skip(bound(gap, 0, LIFETIME - 1));
        how = how % 3;
        if (how == 0) {
            _postCommitment(BORROWER, _commitmentFor(BORROWER, 42));
        } else if (how == 1) {
            vm.warp(registry.attestationOf(BORROWER).expiresAt);
        } else {
            vm.prank(GOVERNANCE);
            registry.retireModel(MODEL_ID);
        }
        _skip(ConstantsLib.DOWNGRADE_RAMP);
        assertEq(lending.liquidationLtvOf(BORROWER), HIGH_LLTV);
        assertEq(lending.bucketFor(BORROWER), ConstantsLib.BUCKET_UNVERIFIED);
    }
}
