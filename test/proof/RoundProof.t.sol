// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";
import {Vm} from "forge-std/Vm.sol";

import {AttestationRegistry} from "../../src/AttestationRegistry.sol";
import {AttestationView, Round, SkipReason} from "../../src/interfaces/IAttestationRegistry.sol";
import {IProofVerifier} from "../../src/interfaces/IProofVerifier.sol";
import {ConstantsLib} from "../../src/libraries/ConstantsLib.sol";
import {ErrorsLib} from "../../src/libraries/ErrorsLib.sol";
import {EventsLib} from "../../src/libraries/EventsLib.sol";

/// @notice Attestation rounds against REAL EZKL round proofs of the credit model and the REAL generated
/// CreditRoundVerifier (plus the single-wallet CreditVerifier), behind the real AttestationRegistry. No mock verifier.
/// Reads test/fixtures/credit/ (manifest.json, round-full.json, round-padded.json, low-0.json); skipped while the
/// manifest is absent.
contract RoundProofCreditTest is Test {
    string internal constant DIR = "test/fixtures/credit/";
    uint64 internal constant LIFETIME = 30 days;
    /// @dev Distance between consecutive slot wallets: keeps them strictly ascending and clear of precompiles.
    uint160 internal constant WALLET_STRIDE = uint160(1) << 150;

    struct Slot {
        string name;
        bool padding;
        uint256 inputCommitment;
        uint8 tier;
        bool neverLiquidated;
    }

    struct RoundFixture {
        string name;
        bytes proof;
        uint256[] instances;
        Slot[] slots;
    }

    address internal GOVERNANCE = makeAddr("governance");
    address internal ATTESTOR = makeAddr("attestor");
    address internal SUBMITTER = makeAddr("submitter");

    AttestationRegistry internal registry;
    address internal singleVerifier;
    address internal roundVerifier;
    bytes32 internal modelId;
    uint8 internal outputScale;
    uint8 internal tierCount;
    uint16 internal roundSlots;

    RoundFixture internal full;
    RoundFixture internal padded;

    bytes internal singleProof;
    uint256[] internal singleInstances;
    uint8 internal singleTier;

    function setUp() public {
        string memory manifestPath = string.concat(DIR, "manifest.json");
        if (!vm.exists(manifestPath)) {
            vm.skip(true, string.concat("no fixtures yet at ", manifestPath));
            return;
        }
        string memory manifest = vm.readFile(manifestPath);
        modelId = vm.parseJsonBytes32(manifest, ".modelId");
        assertEq(modelId, vm.parseJsonBytes32(manifest, ".paramCommitment"), "modelId must be the param commitment");
        outputScale = uint8(vm.parseJsonUint(manifest, ".outputScale"));
        tierCount = uint8(vm.parseJsonUint(manifest, ".tierCount"));

        string memory singleName;
        string memory roundName;
        for (uint256 i; vm.keyExistsJson(manifest, string.concat(".circuits[", vm.toString(i), "]")); ++i) {
            string memory path = string.concat(".circuits[", vm.toString(i), "]");
            uint256 slots = vm.parseJsonUint(manifest, string.concat(path, ".slots"));
            assertEq(vm.parseJsonUint(manifest, string.concat(path, ".instances")), 3 * slots + 1, "instance count");
            string memory name = vm.parseJsonString(manifest, string.concat(path, ".verifierContract"));
            if (slots == ConstantsLib.SINGLE_WALLET_SLOTS) {
                singleName = name;
            } else {
                roundName = name;
                roundSlots = uint16(slots);
            }
        }
        assertEq(singleName, "CreditVerifier", "single-wallet circuit");
        assertEq(roundName, "CreditRoundVerifier", "round circuit");
        singleVerifier = deployCode(string.concat(singleName, ".sol:", singleName));
        roundVerifier = deployCode(string.concat(roundName, ".sol:", roundName));

        string[] memory roundFixtures = vm.parseJsonStringArray(manifest, ".roundFixtures");
        assertEq(roundFixtures.length, 2, "round fixtures");
        assertEq(roundFixtures[0], "round-full.json");
        assertEq(roundFixtures[1], "round-padded.json");
        _loadRound(full, roundFixtures[0]);
        _loadRound(padded, roundFixtures[1]);

        string memory single = vm.readFile(string.concat(DIR, vm.parseJsonStringArray(manifest, ".fixtures")[0]));
        singleProof = vm.parseJsonBytes(single, ".proof");
        singleInstances = vm.parseJsonUintArray(single, ".instances");
        singleTier = uint8(vm.parseJsonUint(single, ".tier"));
        assertEq(singleInstances.length, ConstantsLib.CREDIT_PROOF_INSTANCES, "single-wallet instances");

        registry = new AttestationRegistry(GOVERNANCE);
        vm.startPrank(GOVERNANCE);
        registry.grantRole(registry.ATTESTOR_ROLE(), ATTESTOR);
        registry.registerModel(modelId, tierCount, outputScale, LIFETIME);
        registry.registerCircuit(modelId, ConstantsLib.SINGLE_WALLET_SLOTS, singleVerifier);
        registry.registerCircuit(modelId, roundSlots, roundVerifier);
        vm.stopPrank();
    }

    /// @dev Loads a round fixture and checks that its per-wallet records agree with its instances.
    function _loadRound(RoundFixture storage f, string memory file) internal {
        string memory json = vm.readFile(string.concat(DIR, file));
        f.name = file;
        f.proof = vm.parseJsonBytes(json, ".proof");
        f.instances = vm.parseJsonUintArray(json, ".instances");
        assertEq(f.instances.length, 3 * uint256(roundSlots) + 1, string.concat(file, ": instances"));
        assertEq(f.instances[roundSlots], uint256(modelId), string.concat(file, ": param commitment at index B"));
        assertEq(vm.parseJsonBytes32(json, ".paramCommitment"), modelId, file);

        assertFalse(
            vm.keyExistsJson(json, string.concat(".wallets[", vm.toString(uint256(roundSlots)), "]")),
            string.concat(file, ": more wallets than slots")
        );
        uint256 unit = uint256(1) << outputScale;
        for (uint256 i; i < roundSlots; ++i) {
            string memory at = string.concat(file, ": slot ", vm.toString(i));
            string memory path = string.concat(".wallets[", vm.toString(i), "]");
            Slot memory s = Slot({
                name: vm.parseJsonString(json, string.concat(path, ".name")),
                padding: vm.parseJsonBool(json, string.concat(path, ".padding")),
                inputCommitment: vm.parseJsonUint(json, string.concat(path, ".inputCommitment")),
                tier: uint8(vm.parseJsonUint(json, string.concat(path, ".tier"))),
                neverLiquidated: vm.parseJsonBool(json, string.concat(path, ".neverLiquidated"))
            });
            assertEq(s.inputCommitment, f.instances[i], at);
            assertEq(f.instances[roundSlots + 1 + 2 * i], uint256(s.tier) << outputScale, at);
            assertEq(f.instances[roundSlots + 2 + 2 * i], s.neverLiquidated ? unit : 0, at);
            f.slots.push(s);
        }
    }

    /* HELPERS */

    function _wallet(uint256 slot) internal pure returns (address) {
        return address(uint160(slot + 1) * WALLET_STRIDE);
    }

    /// @dev One wallet per slot of `f`: strictly ascending real wallets, address(0) for padding.
    function _wallets(RoundFixture storage f) internal view returns (address[] memory wallets) {
        wallets = new address[](f.slots.length);
        for (uint256 i; i < wallets.length; ++i) {
            if (!f.slots[i].padding) wallets[i] = _wallet(i);
        }
    }

    /// @dev Posts commitments[i] for each real wallet i.
    function _post(address[] memory wallets, uint256[] memory commitments) internal {
        vm.startPrank(ATTESTOR);
        for (uint256 i; i < wallets.length && wallets[i] != address(0); ++i) {
            registry.postCommitment(wallets[i], commitments[i]);
        }
        vm.stopPrank();
    }

    /// @dev Posts each real wallet's fixture input commitment; returns the wallets.
    function _postRound(RoundFixture storage f) internal returns (address[] memory wallets) {
        wallets = _wallets(f);
        _post(wallets, f.instances);
    }

    function _attestRound(RoundFixture storage f, address[] memory wallets)
        internal
        returns (uint64 roundId, uint256 attested)
    {
        vm.prank(SUBMITTER);
        return registry.attestRound(modelId, wallets, f.proof, f.instances);
    }

    function _assertUnattested(address wallet, string memory what) internal view {
        (uint8 tier, uint64 validUntil, bool verified) = registry.tierOf(wallet);
        assertFalse(verified, what);
        assertEq(tier, ConstantsLib.NO_TIER, what);
        assertEq(validUntil, 0, what);
        (,, verified) = registry.neverLiquidatedOf(wallet);
        assertFalse(verified, what);
        assertEq(registry.attestationOf(wallet).roundId, 0, what);
    }

    /// @dev Slot `slot` of `f` is attested in round `roundId` with its fixture tier and claim.
    function _assertAttested(RoundFixture storage f, address wallet, uint256 slot, uint64 roundId) internal view {
        Slot memory s = f.slots[slot];
        string memory what = string.concat(f.name, ": ", s.name, " (slot ", vm.toString(slot), ")");
        uint64 expiresAt = registry.commitmentOf(wallet).postedAt + LIFETIME;

        (uint8 tier, uint64 validUntil, bool verified) = registry.tierOf(wallet);
        assertTrue(verified, what);
        assertEq(tier, s.tier, what);
        assertEq(validUntil, expiresAt, what);
        bool neverLiquidated;
        (neverLiquidated, validUntil, verified) = registry.neverLiquidatedOf(wallet);
        assertTrue(verified, what);
        assertEq(neverLiquidated, s.neverLiquidated, what);
        assertEq(validUntil, expiresAt, what);

        AttestationView memory a = registry.attestationOf(wallet);
        assertEq(a.roundId, roundId, what);
        assertEq(a.modelId, modelId, what);
        assertEq(a.proofHash, keccak256(f.proof), what);
        assertEq(a.tier, s.tier, what);
        assertEq(a.neverLiquidated, s.neverLiquidated, what);
        assertEq(a.expiresAt, expiresAt, what);
        assertEq(a.commitmentNonce, registry.commitmentOf(wallet).nonce, what);
    }

    /// @dev First real slot of `f` with tier `tier`.
    function _slotWithTier(RoundFixture storage f, uint8 tier) internal view returns (uint256) {
        for (uint256 i; i < f.slots.length; ++i) {
            if (!f.slots[i].padding && f.slots[i].tier == tier) return i;
        }
        revert("no slot with that tier");
    }

    function _swap(uint256[] memory a, uint256 i, uint256 j) internal pure {
        (a[i], a[j]) = (a[j], a[i]);
    }

    /// @dev Nothing was attested: no round, no wallet of `wallets` attested.
    function _assertNothingStored(address[] memory wallets) internal view {
        assertEq(registry.roundCount(), 0, "no round recorded");
        for (uint256 i; i < wallets.length; ++i) {
            if (wallets[i] != address(0)) _assertUnattested(wallets[i], "nothing attested");
        }
    }

    /* FULL ROUND */

    function testFullRoundAttestsEveryWalletWithItsProvenTierAndClaim() public {
        // The fixture covers every tier and both claim values, with no padding.
        bool[] memory tierSeen = new bool[](tierCount);
        bool[2] memory claimSeen;
        for (uint256 i; i < roundSlots; ++i) {
            assertFalse(full.slots[i].padding, "round-full has no padding");
            tierSeen[full.slots[i].tier] = true;
            claimSeen[full.slots[i].neverLiquidated ? 1 : 0] = true;
        }
        for (uint256 t; t < tierCount; ++t) {
            assertTrue(tierSeen[t], string.concat("round-full lacks tier ", vm.toString(t)));
        }
        assertTrue(claimSeen[0] && claimSeen[1], "round-full lacks a claim value");

        address[] memory wallets = _postRound(full);
        vm.warp(block.timestamp + 1 hours);
        bytes32 proofHash = keccak256(full.proof);

        uint64[] memory expiries = new uint64[](roundSlots);
        for (uint256 i; i < roundSlots; ++i) {
            expiries[i] = registry.commitmentOf(wallets[i]).postedAt + LIFETIME;
        }
        for (uint256 i; i < roundSlots; ++i) {
            vm.expectEmit(address(registry));
            emit EventsLib.Attested(
                wallets[i], 1, modelId, proofHash, full.slots[i].tier, full.slots[i].neverLiquidated, expiries[i]
            );
        }
        vm.expectEmit(address(registry));
        emit EventsLib.RoundAttested(1, modelId, proofHash, SUBMITTER, roundSlots, roundSlots);

        vm.recordLogs();
        vm.prank(SUBMITTER);
        uint256 gasBefore = gasleft();
        (uint64 roundId, uint256 attested) = registry.attestRound(modelId, wallets, full.proof, full.instances);
        uint256 gasUsed = gasBefore - gasleft();
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(roundId, 1);
        assertEq(attested, roundSlots);
        uint256 attestedEvents;
        uint256 roundEvents;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == EventsLib.Attested.selector) ++attestedEvents;
            if (logs[i].topics[0] == EventsLib.RoundAttested.selector) ++roundEvents;
            assertTrue(logs[i].topics[0] != EventsLib.SlotSkipped.selector, "no slot skipped");
        }
        assertEq(attestedEvents, roundSlots, "one Attested per wallet");
        assertEq(roundEvents, 1, "one RoundAttested");

        Round memory r = registry.roundOf(roundId);
        assertEq(r.modelId, modelId);
        assertEq(r.proofHash, proofHash);
        assertEq(r.issuedAt, block.timestamp);
        assertEq(r.slots, roundSlots);
        assertEq(r.attested, roundSlots);
        assertEq(registry.roundCount(), 1);
        for (uint256 i; i < roundSlots; ++i) {
            _assertAttested(full, wallets[i], i, roundId);
        }

        // The verifier alone (warm now), for the share of the round's gas that is verification.
        uint256 verifierBefore = gasleft();
        bool ok = IProofVerifier(roundVerifier).verifyProof(full.proof, full.instances);
        uint256 verifierGas = verifierBefore - gasleft();
        assertTrue(ok, "the round verifier accepts round-full");

        console.log("attestRound wallets", uint256(roundSlots));
        console.log("  total gas", gasUsed);
        console.log("  gas per wallet", gasUsed / roundSlots);
        console.log("  verifyProof alone (warm)", verifierGas);
        console.log("  registry per wallet, excluding verifyProof", (gasUsed - verifierGas) / roundSlots);
    }

    /* PADDED ROUND */

    function testPaddedRoundAttestsOnlyTheRealWallets() public {
        uint256 real;
        while (real < roundSlots && !padded.slots[real].padding) ++real;
        assertEq(real, 6, "round-padded has 6 real wallets");
        for (uint256 i = real; i < roundSlots; ++i) {
            assertTrue(padded.slots[i].padding, "padding only after the real wallets");
            assertEq(padded.instances[i], padded.instances[real], "one padding input commitment");
        }

        address[] memory wallets = _postRound(padded);
        for (uint256 i = real; i < roundSlots; ++i) {
            assertEq(wallets[i], address(0));
        }

        vm.recordLogs();
        (uint64 roundId, uint256 attested) = _attestRound(padded, wallets);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(roundId, 1);
        assertEq(attested, real);
        Round memory r = registry.roundOf(roundId);
        assertEq(r.attested, real);
        assertEq(r.slots, roundSlots);
        assertEq(r.proofHash, keccak256(padded.proof));
        for (uint256 i; i < real; ++i) {
            _assertAttested(padded, wallets[i], i, roundId);
        }
        _assertUnattested(address(0), "padding never attested");

        uint256 attestedEvents;
        for (uint256 i; i < logs.length; ++i) {
            bytes32 topic = logs[i].topics[0];
            assertTrue(topic != EventsLib.SlotSkipped.selector, "padding is not a skipped slot");
            if (topic == EventsLib.Attested.selector) {
                assertTrue(logs[i].topics[1] != bytes32(0), "no Attested for address(0)");
                ++attestedEvents;
            }
        }
        assertEq(attestedEvents, real);
    }

    /* STALE SLOT */

    function testReplacedCommitmentSkipsOnlyThatSlot() public {
        address[] memory wallets = _postRound(full);
        uint256 stale = 40;
        uint256 newCommitment = uint256(keccak256("newer data")) % ConstantsLib.SNARK_SCALAR_FIELD;
        assertTrue(newCommitment != full.instances[stale]);
        vm.prank(ATTESTOR);
        registry.postCommitment(wallets[stale], newCommitment);

        vm.expectEmit(address(registry));
        emit EventsLib.SlotSkipped(1, wallets[stale], stale, SkipReason.CommitmentChanged);
        vm.expectEmit(address(registry));
        emit EventsLib.RoundAttested(1, modelId, keccak256(full.proof), SUBMITTER, roundSlots, roundSlots - 1);
        (uint64 roundId, uint256 attested) = _attestRound(full, wallets);

        assertEq(attested, roundSlots - 1);
        assertEq(registry.roundOf(roundId).attested, roundSlots - 1);
        _assertUnattested(wallets[stale], "stale slot");
        assertEq(registry.commitmentOf(wallets[stale]).value, newCommitment, "the new commitment stays");
        for (uint256 i; i < roundSlots; ++i) {
            if (i != stale) _assertAttested(full, wallets[i], i, roundId);
        }
    }

    /* WRONG CIRCUIT */

    function testRoundProofIsRejectedByTheSingleWalletCircuit() public {
        address[] memory wallets = _postRound(full);
        address wallet = wallets[0];
        uint256 commitment = registry.commitmentOf(wallet).value;

        // The full round proof and instances through attest(): the single-wallet circuit takes 4 instances.
        vm.expectRevert(ErrorsLib.InvalidInstanceCount.selector);
        registry.attest(wallet, modelId, full.proof, full.instances);

        // A round of one wallet selects the single-wallet circuit: same refusal.
        address[] memory one = new address[](1);
        one[0] = wallet;
        vm.expectRevert(ErrorsLib.InvalidInstanceCount.selector);
        registry.attestRound(modelId, one, full.proof, full.instances);

        // Slot 0's instances in the single-wallet layout pass the registry's checks; CreditVerifier refuses.
        uint256[] memory slot0 = new uint256[](ConstantsLib.CREDIT_PROOF_INSTANCES);
        slot0[0] = full.instances[0];
        slot0[1] = full.instances[roundSlots];
        slot0[2] = full.instances[roundSlots + 1];
        slot0[3] = full.instances[roundSlots + 2];
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(wallet, modelId, full.proof, slot0);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attestRound(modelId, one, full.proof, slot0);

        assertEq(registry.commitmentOf(wallet).value, commitment);
        _assertNothingStored(wallets);
    }

    /* TAMPERED INSTANCES */

    function testReorderedOrTamperedInstancesAreRejected() public {
        address[] memory wallets = _wallets(full);
        uint256 low = _slotWithTier(full, 0);
        uint256 high = _slotWithTier(full, tierCount - 1);
        uint256 b = roundSlots;

        // Two slots' input commitments swapped, each wallet's commitment posted to match: the registry's checks
        // pass and the verifier refuses.
        uint256[] memory instances = full.instances;
        _swap(instances, low, high);
        uint256 fresh = vm.snapshotState(); // a commitment value stays its first wallet's: undo these posts below
        _post(wallets, instances);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attestRound(modelId, wallets, full.proof, instances);

        // Two whole slots swapped (commitment, tier and claim): still refused.
        _swap(instances, b + 1 + 2 * low, b + 1 + 2 * high);
        _swap(instances, b + 2 + 2 * low, b + 2 + 2 * high);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attestRound(modelId, wallets, full.proof, instances);

        // The param commitment moved away from index B, either way.
        vm.revertToState(fresh);
        _post(wallets, full.instances);
        instances = full.instances;
        _swap(instances, b - 1, b);
        vm.expectRevert(ErrorsLib.ParamCommitmentMismatch.selector);
        registry.attestRound(modelId, wallets, full.proof, instances);
        instances = full.instances;
        _swap(instances, b, b + 1);
        vm.expectRevert(ErrorsLib.ParamCommitmentMismatch.selector);
        registry.attestRound(modelId, wallets, full.proof, instances);

        // One slot's tier instance flipped to another valid tier.
        instances = full.instances;
        instances[b + 1 + 2 * low] = uint256(tierCount - 1) << outputScale;
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attestRound(modelId, wallets, full.proof, instances);

        // One slot's claim instance flipped.
        instances = full.instances;
        instances[b + 2 + 2 * high] = full.slots[high].neverLiquidated ? 0 : uint256(1) << outputScale;
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attestRound(modelId, wallets, full.proof, instances);

        _assertNothingStored(wallets);
    }

    /* REPLAY */

    function testReplayedRoundDoesNotExtendExpiry() public {
        address[] memory wallets = _postRound(full);
        uint64 postedAt = uint64(block.timestamp);
        uint64 expiresAt = postedAt + LIFETIME;

        vm.warp(block.timestamp + 1 hours);
        _attestRound(full, wallets);

        // The same round again, 10 days later: a new round, the same expiry.
        vm.warp(block.timestamp + 10 days);
        (uint64 roundId, uint256 attested) = _attestRound(full, wallets);
        assertEq(roundId, 2);
        assertEq(attested, roundSlots);
        assertEq(registry.roundOf(roundId).issuedAt, block.timestamp);
        for (uint256 i; i < roundSlots; ++i) {
            AttestationView memory a = registry.attestationOf(wallets[i]);
            assertEq(a.roundId, 2);
            assertEq(a.expiresAt, expiresAt, "replay extends nothing");
            (, uint64 validUntil, bool verified) = registry.tierOf(wallets[i]);
            assertTrue(verified);
            assertEq(validUntil, expiresAt);
        }

        // Once the commitments expire, a replay attests no one: every slot is skipped as Expired.
        vm.warp(expiresAt);
        vm.expectEmit(address(registry));
        emit EventsLib.SlotSkipped(3, wallets[0], 0, SkipReason.Expired);
        vm.expectEmit(address(registry));
        emit EventsLib.SlotSkipped(3, wallets[roundSlots - 1], roundSlots - 1, SkipReason.Expired);
        vm.expectEmit(address(registry));
        emit EventsLib.RoundAttested(3, modelId, keccak256(full.proof), SUBMITTER, roundSlots, 0);
        (roundId, attested) = _attestRound(full, wallets);
        assertEq(roundId, 3);
        assertEq(attested, 0);
        for (uint256 i; i < roundSlots; ++i) {
            (,, bool verified) = registry.tierOf(wallets[i]);
            assertFalse(verified);
            AttestationView memory a = registry.attestationOf(wallets[i]);
            assertEq(a.roundId, 2, "the expired replay writes nothing");
            assertEq(a.expiresAt, expiresAt);
        }
    }

    /* SINGLE WALLET */

    function testSingleWalletProofStillAttestsThroughAttest() public {
        address wallet = makeAddr("single");
        vm.prank(ATTESTOR);
        registry.postCommitment(wallet, singleInstances[0]);

        uint8 tier = registry.attest(wallet, modelId, singleProof, singleInstances);
        assertEq(tier, singleTier);
        (uint8 readTier, uint64 validUntil, bool verified) = registry.tierOf(wallet);
        assertTrue(verified);
        assertEq(readTier, singleTier);
        assertEq(validUntil, block.timestamp + LIFETIME);
        AttestationView memory a = registry.attestationOf(wallet);
        assertEq(a.roundId, 1);
        assertEq(a.proofHash, keccak256(singleProof));
        assertEq(a.neverLiquidated, singleInstances[3] != 0);
        assertEq(registry.roundOf(1).slots, ConstantsLib.SINGLE_WALLET_SLOTS);
        assertEq(registry.roundOf(1).attested, 1);
    }
}
