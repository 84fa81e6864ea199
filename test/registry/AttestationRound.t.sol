// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {console} from "forge-std/console.sol";
import {Vm} from "forge-std/Vm.sol";

import "../BaseTest.sol";
import {Round, Attestation, AttestationView, SkipReason} from "../../src/interfaces/IAttestationRegistry.sol";
import {IProofVerifier} from "../../src/interfaces/IProofVerifier.sol";

/// @notice Control-flow unit tests of attestation rounds (`attestRound`: one proof, many wallet slots), with the
/// TEST-ONLY ConfigurableVerifier.
contract AttestationRoundTest is BaseTest {
    uint16 internal constant SLOTS = 4;
    uint16 internal constant FULL_SLOTS = 96;
    /// @dev The input commitment the prover puts in padding slots (any value: padding is never attested).
    uint256 internal constant PADDING_COMMITMENT = 0xbad;
    /// @dev Storage slot of the registry's `_attestations` mapping (see `forge inspect AttestationRegistry storage`).
    uint256 internal constant ATTESTATIONS_SLOT = 7;
    bytes internal constant ROUND_PROOF = hex"0123456789";

    ConfigurableVerifier internal roundVerifier;

    function setUp() public override {
        super.setUp();
        roundVerifier = new ConfigurableVerifier();
        roundVerifier.setAccepted(ROUND_PROOF, true);
        verifier.setAccepted(ROUND_PROOF, true);
        vm.startPrank(GOVERNANCE);
        registry.registerCircuit(MODEL_ID, SLOTS, address(roundVerifier));
        registry.registerCircuit(MODEL_ID, FULL_SLOTS, address(roundVerifier));
        vm.stopPrank();
    }

    /* HELPERS */

    /// @dev Real wallet i: ascending in i.
    function _wallet(uint256 i) internal pure returns (address) {
        return address(uint160(uint256(keccak256("zkrisk.round.wallet")) >> 8) + uint160(i));
    }

    function _tier(uint256 i) internal pure returns (uint8) {
        return uint8(i % TIER_COUNT);
    }

    function _claim(uint256 i) internal pure returns (bool) {
        return i % 2 == 0;
    }

    /// @dev `real` ascending wallets followed by `slots - real` padding slots.
    function _wallets(uint256 real, uint256 slots) internal pure returns (address[] memory wallets) {
        wallets = new address[](slots);
        for (uint256 i; i < real; ++i) {
            wallets[i] = _wallet(i);
        }
    }

    /// @dev Round instances for `wallets`: slot i proves tier _tier(i) and claim _claim(i) on the wallet's current
    /// commitment (PADDING_COMMITMENT, tier 0, claim 1 in padding slots).
    function _roundInstances(address[] memory wallets) internal view returns (uint256[] memory instances) {
        uint256 b = wallets.length;
        instances = new uint256[](3 * b + 1);
        instances[b] = uint256(MODEL_ID);
        for (uint256 i; i < b; ++i) {
            bool padding = wallets[i] == address(0);
            instances[i] = padding ? PADDING_COMMITMENT : registry.commitmentOf(wallets[i]).value;
            instances[b + 1 + 2 * i] = padding ? 0 : uint256(_tier(i)) << OUTPUT_SCALE;
            instances[b + 2 + 2 * i] = padding || _claim(i) ? uint256(1) << OUTPUT_SCALE : 0;
        }
    }

    /// @dev Posts a commitment for each real wallet of `wallets`.
    function _postAll(address[] memory wallets) internal {
        for (uint256 i; i < wallets.length && wallets[i] != address(0); ++i) {
            _postCommitment(wallets[i], _commitmentFor(wallets[i], vm.getBlockTimestamp()));
        }
    }

    /// @dev A round of `real` wallets with commitments posted now, padded to `slots`.
    function _round(uint256 real, uint256 slots)
        internal
        returns (address[] memory wallets, uint256[] memory instances)
    {
        wallets = _wallets(real, slots);
        _postAll(wallets);
        instances = _roundInstances(wallets);
    }

    function _attestRound(address[] memory wallets, uint256[] memory instances)
        internal
        returns (uint64 roundId, uint256 attested)
    {
        return registry.attestRound(MODEL_ID, wallets, ROUND_PROOF, instances);
    }

    /// @dev Expects attestRound to revert with `err`, writing nothing; `verifierCalled` says whether the checks
    /// may reach the verifier (false: every check before it).
    function _expectRejected(
        bytes memory err,
        address[] memory wallets,
        uint256[] memory instances,
        bool verifierCalled
    ) internal {
        uint64 roundsBefore = registry.roundCount();
        bytes32[] memory before = new bytes32[](wallets.length);
        for (uint256 i; i < wallets.length; ++i) {
            before[i] = keccak256(abi.encode(registry.attestationOf(wallets[i])));
        }
        if (!verifierCalled) {
            vm.expectCall(address(roundVerifier), abi.encodeWithSelector(IProofVerifier.verifyProof.selector), 0);
            vm.expectCall(address(verifier), abi.encodeWithSelector(IProofVerifier.verifyProof.selector), 0);
        }
        vm.expectRevert(err);
        registry.attestRound(MODEL_ID, wallets, ROUND_PROOF, instances);

        assertEq(registry.roundCount(), roundsBefore, "no round recorded");
        for (uint256 i; i < wallets.length; ++i) {
            assertEq(keccak256(abi.encode(registry.attestationOf(wallets[i]))), before[i], "attestation unchanged");
        }
    }

    function _assertAttested(address wallet, uint256 slot, uint64 roundId, uint64 expiresAt) internal view {
        AttestationView memory a = registry.attestationOf(wallet);
        assertEq(a.roundId, roundId, "roundId");
        assertEq(a.modelId, MODEL_ID, "modelId");
        assertEq(a.proofHash, keccak256(ROUND_PROOF), "proofHash");
        assertEq(a.tier, _tier(slot), "tier");
        assertEq(a.neverLiquidated, _claim(slot), "neverLiquidated");
        assertEq(a.expiresAt, expiresAt, "expiresAt");
        assertEq(a.commitmentNonce, registry.commitmentOf(wallet).nonce, "nonce");
        (uint8 tier, uint64 validUntil, bool verified) = registry.tierOf(wallet);
        assertTrue(verified, "verified");
        assertEq(tier, _tier(slot));
        assertEq(validUntil, expiresAt);
    }

    /* FULL AND PADDED ROUNDS */

    function testFullRoundAttestsEveryWallet() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        uint64 expiresAt = uint64(block.timestamp) + LIFETIME;
        for (uint256 i; i < SLOTS; ++i) {
            vm.expectEmit(address(registry));
            emit EventsLib.Attested(wallets[i], 1, MODEL_ID, keccak256(ROUND_PROOF), _tier(i), _claim(i), expiresAt);
        }
        vm.expectEmit(address(registry));
        emit EventsLib.RoundAttested(1, MODEL_ID, keccak256(ROUND_PROOF), address(this), SLOTS, SLOTS);
        vm.expectCall(address(roundVerifier), abi.encodeCall(IProofVerifier.verifyProof, (ROUND_PROOF, instances)), 1);
        (uint64 roundId, uint256 attested) = _attestRound(wallets, instances);

        assertEq(roundId, 1);
        assertEq(attested, SLOTS);
        for (uint256 i; i < SLOTS; ++i) {
            _assertAttested(wallets[i], i, 1, expiresAt);
        }
        Round memory r = registry.roundOf(1);
        assertEq(r.modelId, MODEL_ID);
        assertEq(r.proofHash, keccak256(ROUND_PROOF));
        assertEq(r.issuedAt, block.timestamp);
        assertEq(r.slots, SLOTS);
        assertEq(r.attested, SLOTS);
    }

    function testAttestationIsPackedInOneStorageSlot() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        _attestRound(wallets, instances);
        for (uint256 i; i < SLOTS; ++i) {
            bytes32 slot = keccak256(abi.encode(wallets[i], ATTESTATIONS_SLOT));
            uint256 word = uint256(vm.load(address(registry), slot));
            Attestation memory expected = Attestation({
                roundId: 1,
                expiresAt: uint64(block.timestamp) + LIFETIME,
                commitmentNonce: 1,
                tier: _tier(i),
                neverLiquidated: _claim(i),
                supersededAt: 0,
                previousEndedAt: 0
            });
            assertEq(uint64(word), expected.roundId, "roundId");
            assertEq(uint64(word >> 64), expected.expiresAt, "expiresAt");
            assertEq(uint32(word >> 128), expected.commitmentNonce, "nonce");
            assertEq(uint8(word >> 160), expected.tier, "tier");
            assertEq(uint8(word >> 168), expected.neverLiquidated ? 1 : 0, "neverLiquidated");
            assertEq(uint40(word >> 176), expected.supersededAt, "supersededAt");
            assertEq(uint40(word >> 216), expected.previousEndedAt, "previousEndedAt");
            assertEq(vm.load(address(registry), bytes32(uint256(slot) + 1)), bytes32(0), "one slot only");
        }
    }

    function testPaddedRoundNeverAttestsPadding() public {
        (address[] memory wallets, uint256[] memory instances) = _round(2, SLOTS);
        vm.recordLogs();
        (uint64 roundId, uint256 attested) = _attestRound(wallets, instances);

        assertEq(attested, 2);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 attestedEvents;
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != EventsLib.SlotSkipped.selector, "padding is not a skipped slot");
            if (logs[i].topics[0] == EventsLib.Attested.selector) ++attestedEvents;
        }
        assertEq(attestedEvents, 2);
        _assertAttested(wallets[0], 0, roundId, uint64(block.timestamp) + LIFETIME);
        _assertAttested(wallets[1], 1, roundId, uint64(block.timestamp) + LIFETIME);
        assertEq(registry.attestationOf(address(0)).roundId, 0, "padding never attested");
        (,, bool verified) = registry.tierOf(address(0));
        assertFalse(verified);
        assertEq(registry.roundOf(roundId).slots, SLOTS);
        assertEq(registry.roundOf(roundId).attested, 2);
    }

    /* SKIPPED SLOTS */

    function testStaleSlotsSkippedRestAttested() public {
        address[] memory wallets = _wallets(SLOTS, SLOTS);
        // Slot 2: posted a lifetime ago.
        _postCommitment(wallets[2], _commitmentFor(wallets[2], 2));
        skip(LIFETIME);
        // Slot 1: posted, proven, then replaced. Slot 3: fresh. Slot 0: never posted.
        _postCommitment(wallets[1], _commitmentFor(wallets[1], 1));
        _postCommitment(wallets[3], _commitmentFor(wallets[3], 3));
        uint256[] memory instances = _roundInstances(wallets);
        instances[0] = _commitmentFor(wallets[0], 0);
        _postCommitment(wallets[1], _commitmentFor(wallets[1], 11));

        vm.expectEmit(address(registry));
        emit EventsLib.SlotSkipped(1, wallets[0], 0, SkipReason.NoCommitment);
        vm.expectEmit(address(registry));
        emit EventsLib.SlotSkipped(1, wallets[1], 1, SkipReason.CommitmentChanged);
        vm.expectEmit(address(registry));
        emit EventsLib.SlotSkipped(1, wallets[2], 2, SkipReason.Expired);
        vm.expectEmit(address(registry));
        emit EventsLib.Attested(
            wallets[3], 1, MODEL_ID, keccak256(ROUND_PROOF), _tier(3), _claim(3), uint64(block.timestamp) + LIFETIME
        );
        vm.expectEmit(address(registry));
        emit EventsLib.RoundAttested(1, MODEL_ID, keccak256(ROUND_PROOF), address(this), SLOTS, 1);
        (, uint256 attested) = _attestRound(wallets, instances);

        assertEq(attested, 1);
        for (uint256 i; i < 3; ++i) {
            assertEq(registry.attestationOf(wallets[i]).roundId, 0);
        }
        _assertAttested(wallets[3], 3, 1, uint64(block.timestamp) + LIFETIME);
    }

    function testRoundAttestingNobodyIsRecorded() public {
        address[] memory wallets = _wallets(SLOTS, SLOTS);
        uint256[] memory instances = _roundInstances(wallets); // no commitment posted: every slot skipped
        (uint64 roundId, uint256 attested) = _attestRound(wallets, instances);
        assertEq(roundId, 1);
        assertEq(attested, 0);
        assertEq(registry.roundCount(), 1);
        assertEq(registry.roundOf(1).attested, 0);
        assertEq(registry.roundOf(1).slots, SLOTS);
    }

    /* REJECTED ROUNDS */

    function testDuplicateWallet() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        wallets[2] = wallets[1];
        _expectRejected(
            abi.encodeWithSelector(ErrorsLib.DuplicateWallet.selector, wallets[1]), wallets, instances, false
        );
    }

    function testUnsortedWallets() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        (wallets[1], wallets[2]) = (wallets[2], wallets[1]);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.WalletsNotAscending.selector), wallets, instances, false);
    }

    function testRealWalletAfterPadding() public {
        (address[] memory wallets, uint256[] memory instances) = _round(2, SLOTS);
        wallets[3] = _wallet(9);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.WalletsNotAscending.selector), wallets, instances, false);
    }

    function testAllPaddingIsEmpty() public {
        address[] memory wallets = _wallets(0, SLOTS);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.EmptyRound.selector), wallets, _roundInstances(wallets), false);
    }

    function testNoWalletsIsEmpty() public {
        address[] memory wallets = new address[](0);
        uint256[] memory instances = new uint256[](1);
        instances[0] = uint256(MODEL_ID);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.EmptyRound.selector), wallets, instances, false);
    }

    function testMoreWalletsThanSlotsHasNoCircuit() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS + 1, SLOTS + 1);
        _expectRejected(
            abi.encodeWithSelector(ErrorsLib.NoCircuitForSlots.selector, SLOTS + 1), wallets, instances, false
        );
    }

    function testTooManySlotsHasNoCircuit() public {
        uint256 slots = uint256(ConstantsLib.MAX_ROUND_SLOTS) + 1;
        address[] memory wallets = _wallets(slots, slots);
        uint256[] memory instances = new uint256[](3 * slots + 1);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.NoCircuitForSlots.selector, slots), wallets, instances, false);
    }

    /// @dev A single-wallet proof (4 instances) sent as a round of 3 wallets: no circuit has 3 slots.
    function testRoundUnderSingleWalletCircuitHasNoCircuit() public {
        (address[] memory wallets,) = _round(3, 3);
        uint256[] memory instances = _instances(registry.commitmentOf(wallets[0]).value, MODEL_ID, 0, OUTPUT_SCALE);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.NoCircuitForSlots.selector, 3), wallets, instances, false);
    }

    function testInstanceCountMismatch(uint256 length) public {
        length = bound(length, 0, 40);
        vm.assume(length != 3 * SLOTS + 1);
        (address[] memory wallets,) = _round(SLOTS, SLOTS);
        _expectRejected(
            abi.encodeWithSelector(ErrorsLib.InvalidInstanceCount.selector), wallets, new uint256[](length), false
        );
    }

    /// @dev Instances in the single-wallet order ([c_0, param, tier_0, claim_0, c_1, ...]) instead of the round's.
    function testParamCommitmentNotAtIndexSlots() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        (instances[1], instances[SLOTS]) = (instances[SLOTS], instances[1]);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.ParamCommitmentMismatch.selector), wallets, instances, false);
    }

    function testInvalidClaimInstance(uint256 slot, uint256 claim) public {
        slot = bound(slot, 0, SLOTS - 1);
        vm.assume(claim != 0 && claim != uint256(1) << OUTPUT_SCALE);
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        instances[SLOTS + 2 + 2 * slot] = claim;
        _expectRejected(abi.encodeWithSelector(ErrorsLib.InvalidClaimInstance.selector), wallets, instances, false);
    }

    function testInvalidClaimInstanceInPadding() public {
        (address[] memory wallets, uint256[] memory instances) = _round(1, SLOTS);
        instances[SLOTS + 2 + 2 * 3] = 1;
        _expectRejected(abi.encodeWithSelector(ErrorsLib.InvalidClaimInstance.selector), wallets, instances, false);
    }

    function testInvalidTierInstance(uint256 slot, uint256 tier) public {
        slot = bound(slot, 0, SLOTS - 1);
        tier = bound(tier, TIER_COUNT, type(uint128).max);
        (address[] memory wallets, uint256[] memory instances) = _round(2, SLOTS); // slots 2, 3 are padding
        instances[SLOTS + 1 + 2 * slot] = tier << OUTPUT_SCALE;
        _expectRejected(abi.encodeWithSelector(ErrorsLib.InvalidTierInstance.selector), wallets, instances, false);
    }

    function testNotCurrentModelAfterNewerRegistered() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(77)), TIER_COUNT, OUTPUT_SCALE, LIFETIME);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.NotCurrentModel.selector), wallets, instances, false);
    }

    function testRetiredModel() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.ModelRetired.selector), wallets, instances, false);
    }

    function testUnknownModel() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        vm.expectRevert(ErrorsLib.UnknownModel.selector);
        registry.attestRound(bytes32(uint256(5)), wallets, ROUND_PROOF, instances);
    }

    function testVerifierRevertsRejected() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        roundVerifier.setAccepted(ROUND_PROOF, false);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.ProofRejected.selector), wallets, instances, true);
    }

    function testVerifierReturnsFalseRejected() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        _attestRound(wallets, instances);
        roundVerifier.setReturnFalse(true);
        _expectRejected(abi.encodeWithSelector(ErrorsLib.ProofRejected.selector), wallets, instances, true);
    }

    /* FRESHNESS */

    function testExpiresAtIsPostedAtPlusLifetime(uint256 delay) public {
        delay = bound(delay, 0, LIFETIME - 1);
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        uint64 postedAt = uint64(block.timestamp);
        skip(delay);
        _attestRound(wallets, instances);
        for (uint256 i; i < SLOTS; ++i) {
            assertEq(registry.attestationOf(wallets[i]).expiresAt, postedAt + LIFETIME);
            assertEq(registry.attestationOf(wallets[i]).issuedAt, block.timestamp);
        }
    }

    function testReplayDoesNotExtendExpiry() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        uint64 expiresAt = uint64(block.timestamp) + LIFETIME;
        _attestRound(wallets, instances);

        skip(LIFETIME / 2);
        (uint64 replayId, uint256 replayed) = _attestRound(wallets, instances);
        assertEq(replayId, 2);
        assertEq(replayed, SLOTS);
        for (uint256 i; i < SLOTS; ++i) {
            assertEq(registry.attestationOf(wallets[i]).expiresAt, expiresAt, "replay extends nothing");
        }

        skip(LIFETIME / 2);
        (, uint256 late) = _attestRound(wallets, instances);
        assertEq(late, 0, "a replay after expiry attests nobody");
        for (uint256 i; i < SLOTS; ++i) {
            (,, bool verified) = registry.tierOf(wallets[i]);
            assertFalse(verified);
            assertEq(registry.attestationOf(wallets[i]).roundId, 2, "the expired record stays as it was");
        }
    }

    /* VALIDITY (tierOf / neverLiquidatedOf) */

    function _assertValidity(address wallet, uint256 slot, bool valid) internal view {
        (uint8 tier, uint64 validUntil, bool verified) = registry.tierOf(wallet);
        (bool claim, uint64 claimValidUntil, bool claimVerified) = registry.neverLiquidatedOf(wallet);
        assertEq(verified, valid, "tierOf verified");
        assertEq(claimVerified, valid, "neverLiquidatedOf verified");
        if (valid) {
            uint64 expiresAt = registry.attestationOf(wallet).expiresAt;
            assertEq(tier, _tier(slot));
            assertEq(claim, _claim(slot));
            assertEq(validUntil, expiresAt);
            assertEq(claimValidUntil, expiresAt);
        } else {
            assertEq(tier, ConstantsLib.NO_TIER);
            assertFalse(claim);
            assertEq(validUntil, 0);
            assertEq(claimValidUntil, 0);
        }
    }

    function testValidityTruthTable() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        _attestRound(wallets, instances);
        for (uint256 i; i < SLOTS; ++i) {
            _assertValidity(wallets[i], i, true);
        }

        // Superseded commitment: wallet 0 only.
        _postCommitment(wallets[0], _commitmentFor(wallets[0], 99));
        _assertValidity(wallets[0], 0, false);
        _assertValidity(wallets[1], 1, true);

        // A newer model: attestations under the older, still-active model keep counting.
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(77)), TIER_COUNT, OUTPUT_SCALE, LIFETIME);
        _assertValidity(wallets[1], 1, true);

        // Expiry: one second before, then at expiresAt.
        skip(LIFETIME - 1);
        _assertValidity(wallets[1], 1, true);
        skip(1);
        _assertValidity(wallets[1], 1, false);
    }

    function testValidityRetiredModel() public {
        (address[] memory wallets, uint256[] memory instances) = _round(SLOTS, SLOTS);
        _attestRound(wallets, instances);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        for (uint256 i; i < SLOTS; ++i) {
            _assertValidity(wallets[i], i, false);
        }
    }

    /* FUZZ */

    /// @dev Any round size and padding: exactly the real wallets that hold the slot's commitment are attested.
    function testFuzzRoundSizeAndPadding(uint256 slots, uint256 padding, uint256 missingMask) public {
        slots = bound(slots, 1, 64);
        padding = bound(padding, 0, slots - 1);
        uint256 real = slots - padding;
        if (registry.verifierOf(MODEL_ID, uint16(slots)) == address(0)) {
            vm.prank(GOVERNANCE);
            registry.registerCircuit(MODEL_ID, uint16(slots), address(roundVerifier));
        }
        address[] memory wallets = _wallets(real, slots);
        uint256 expected;
        for (uint256 i; i < real; ++i) {
            if ((missingMask >> i) & 1 == 0) {
                _postCommitment(wallets[i], _commitmentFor(wallets[i], i));
                ++expected;
            }
        }
        uint256[] memory instances = _roundInstances(wallets);
        for (uint256 i; i < real; ++i) {
            if (instances[i] == 0) instances[i] = _commitmentFor(wallets[i], i); // proven, never posted
        }

        (uint64 roundId, uint256 attested) = _attestRound(wallets, instances);

        assertEq(attested, expected);
        for (uint256 i; i < real; ++i) {
            if ((missingMask >> i) & 1 == 0) {
                _assertAttested(wallets[i], i, roundId, uint64(block.timestamp) + LIFETIME);
            } else {
                assertEq(registry.attestationOf(wallets[i]).roundId, 0);
            }
        }
        assertEq(registry.attestationOf(address(0)).roundId, 0);
        Round memory r = registry.roundOf(roundId);
        assertEq(r.slots, slots);
        assertEq(r.attested, expected);
    }

    /* GAS */

    /// @dev Logs the registry's gas per wallet of a full 96-slot round (mock verifier: add the real verifier's share,
    /// about 8k per wallet), with storage made cold as in a transaction of its own. Execution gas only; the
    /// transaction's calldata and base cost are logged separately.
    function testGasFullRound() public {
        (address[] memory wallets, uint256[] memory instances) = _round(FULL_SLOTS, FULL_SLOTS);
        uint256 calldataGas =
            _calldataGas(abi.encodeCall(registry.attestRound, (MODEL_ID, wallets, ROUND_PROOF, instances)));

        _coolDown();
        uint256 start = gasleft();
        (, uint256 attested) = _attestRound(wallets, instances);
        uint256 first = start - gasleft();
        assertEq(attested, FULL_SLOTS);

        // Refresh: new commitments, the same wallets attested again (non-zero to non-zero writes).
        skip(1 days);
        _postAll(wallets);
        instances = _roundInstances(wallets);
        _coolDown();
        start = gasleft();
        _attestRound(wallets, instances);
        uint256 refresh = start - gasleft();

        console.log(
            "full 96-slot round, mock verifier: execution gas per wallet (first attestation)", first / FULL_SLOTS
        );
        console.log("full 96-slot round, mock verifier: execution gas per wallet (refresh)", refresh / FULL_SLOTS);
        console.log("full 96-slot round: calldata gas per wallet", calldataGas / FULL_SLOTS);
        console.log("full 96-slot round: transaction base gas per wallet", uint256(21_000) / FULL_SLOTS);
    }

    /// @dev Makes the registry's and the verifiers' storage cold again, as in a transaction of its own.
    function _coolDown() internal {
        vm.cool(address(registry));
        vm.cool(address(roundVerifier));
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }
}
