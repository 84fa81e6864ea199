// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import "../BaseTest.sol";
import {Model, DataCommitment, Round, AttestationView} from "../../src/interfaces/IAttestationRegistry.sol";

import {ConfigurableVerifier} from "../mocks/ConfigurableVerifier.sol";

/// @notice Control-flow unit tests of the registry's governance, commitments and single-wallet `attest`, with the
/// TEST-ONLY ConfigurableVerifier. Rounds: AttestationRound.t.sol. Real proofs: test/proof/RegistryProof.t.sol.
contract AttestationRegistryTest is BaseTest {
    address internal WALLET = makeAddr("wallet");
    bytes internal constant PROOF = hex"c0ffee";
    uint256 internal commitment;

    function setUp() public override {
        super.setUp();
        commitment = _commitmentFor(WALLET, 0);
        _postCommitment(WALLET, commitment);
        verifier.setAccepted(PROOF, true);
    }

    function _attestWallet(uint256 tier) internal returns (uint8) {
        return registry.attest(WALLET, MODEL_ID, PROOF, _instances(commitment, MODEL_ID, tier, OUTPUT_SCALE));
    }

    /* CONSTRUCTOR AND ROLES */

    function testConstructorGrantsRoles() public view {
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), GOVERNANCE));
        assertTrue(registry.hasRole(registry.GOVERNOR_ROLE(), GOVERNANCE));
        assertEq(registry.getRoleAdmin(registry.ATTESTOR_ROLE()), registry.GOVERNOR_ROLE());
    }

    function testConstructorZeroGovernance() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        new AttestationRegistry(address(0));
    }

    function testGovernanceReplacesAttestor() public {
        address newAttestor = makeAddr("newAttestor");
        vm.startPrank(GOVERNANCE);
        registry.revokeRole(registry.ATTESTOR_ROLE(), ATTESTOR);
        registry.grantRole(registry.ATTESTOR_ROLE(), newAttestor);
        vm.stopPrank();

        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, ATTESTOR, registry.ATTESTOR_ROLE()
            )
        );
        vm.prank(ATTESTOR);
        registry.postCommitment(WALLET, 42);

        vm.prank(newAttestor);
        registry.postCommitment(WALLET, 42);
        assertEq(registry.commitmentOf(WALLET).value, 42);
    }

    function testSeveralAttestors() public {
        address second = makeAddr("second");
        vm.startPrank(GOVERNANCE);
        registry.grantRole(registry.ATTESTOR_ROLE(), second);
        vm.stopPrank();
        vm.prank(second);
        registry.postCommitment(WALLET, 7);
        vm.prank(ATTESTOR);
        registry.postCommitment(WALLET, 8);
        assertEq(registry.commitmentOf(WALLET).value, 8);
    }

    /* REGISTER MODEL */

    function testRegisterModel() public {
        bytes32 id = bytes32(uint256(123));
        vm.expectEmit(address(registry));
        emit EventsLib.ModelRegistered(id, 2, 16, 7 days);
        vm.prank(GOVERNANCE);
        registry.registerModel(id, 2, 16, 7 days);

        Model memory m = registry.model(id);
        assertEq(m.tierCount, 2);
        assertEq(m.outputScale, 16);
        assertEq(m.lifetime, 7 days);
        assertTrue(m.registered);
        assertTrue(m.active);
        assertEq(registry.verifierOf(id, 1), address(0), "no circuit yet");
    }

    function testRegisterModelMakesItCurrent() public {
        assertEq(registry.currentModel(), MODEL_ID);
        bytes32 id = bytes32(uint256(123));
        vm.prank(GOVERNANCE);
        registry.registerModel(id, 3, 0, 7 days);
        assertEq(registry.currentModel(), id);
        assertTrue(registry.model(MODEL_ID).active, "the older model stays active");
    }

    function testRegisterModelUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), registry.GOVERNOR_ROLE()
            )
        );
        registry.registerModel(bytes32(uint256(1)), 3, 0, 7 days);
    }

    function testRegisterModelZeroId() public {
        vm.expectRevert(ErrorsLib.InvalidModelId.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(0), 3, 0, 7 days);
    }

    function testRegisterModelIdOutsideField(uint256 id) public {
        id = bound(id, ConstantsLib.SNARK_SCALAR_FIELD, type(uint256).max);
        vm.expectRevert(ErrorsLib.InvalidModelId.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(id), 3, 0, 7 days);
    }

    function testRegisterModelBadTierCount() public {
        vm.startPrank(GOVERNANCE);
        vm.expectRevert(ErrorsLib.InvalidTierCount.selector);
        registry.registerModel(bytes32(uint256(1)), 0, 0, 7 days);
        vm.expectRevert(ErrorsLib.InvalidTierCount.selector);
        registry.registerModel(bytes32(uint256(1)), ConstantsLib.MAX_TIER_COUNT + 1, 0, 7 days);
        vm.stopPrank();
    }

    function testRegisterModelBadOutputScale() public {
        vm.expectRevert(ErrorsLib.InvalidOutputScale.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(1)), 3, ConstantsLib.MAX_OUTPUT_SCALE + 1, 7 days);
    }

    function testRegisterModelBadLifetime() public {
        vm.startPrank(GOVERNANCE);
        vm.expectRevert(ErrorsLib.InvalidLifetime.selector);
        registry.registerModel(bytes32(uint256(1)), 3, 0, ConstantsLib.MIN_ATTESTATION_LIFETIME - 1);
        vm.expectRevert(ErrorsLib.InvalidLifetime.selector);
        registry.registerModel(bytes32(uint256(1)), 3, 0, ConstantsLib.MAX_ATTESTATION_LIFETIME + 1);
        vm.stopPrank();
    }

    function testRegisterModelDuplicate() public {
        vm.expectRevert(ErrorsLib.ModelAlreadyRegistered.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(MODEL_ID, 3, 0, 7 days);
    }

    function testRegisterModelRetiredIdNotReusable() public {
        vm.startPrank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        vm.expectRevert(ErrorsLib.ModelAlreadyRegistered.selector);
        registry.registerModel(MODEL_ID, 3, 0, 7 days);
        vm.stopPrank();
    }

    /* REGISTER CIRCUIT */

    function testRegisterCircuit() public {
        ConfigurableVerifier roundVerifier = new ConfigurableVerifier();
        vm.expectEmit(address(registry));
        emit EventsLib.CircuitRegistered(MODEL_ID, 96, address(roundVerifier));
        vm.prank(GOVERNANCE);
        registry.registerCircuit(MODEL_ID, 96, address(roundVerifier));
        assertEq(registry.verifierOf(MODEL_ID, 96), address(roundVerifier));
        assertEq(registry.verifierOf(MODEL_ID, 1), address(verifier));
        assertEq(registry.verifierOf(MODEL_ID, 95), address(0));
    }

    function testRegisterCircuitMaxSlots() public {
        vm.prank(GOVERNANCE);
        registry.registerCircuit(MODEL_ID, ConstantsLib.MAX_ROUND_SLOTS, address(verifier));
        assertEq(registry.verifierOf(MODEL_ID, ConstantsLib.MAX_ROUND_SLOTS), address(verifier));
    }

    function testRegisterCircuitUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), registry.GOVERNOR_ROLE()
            )
        );
        registry.registerCircuit(MODEL_ID, 2, address(verifier));
    }

    function testRegisterCircuitUnknownModel() public {
        vm.expectRevert(ErrorsLib.UnknownModel.selector);
        vm.prank(GOVERNANCE);
        registry.registerCircuit(bytes32(uint256(999)), 2, address(verifier));
    }

    function testRegisterCircuitRetiredModel() public {
        vm.startPrank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        vm.expectRevert(ErrorsLib.ModelRetired.selector);
        registry.registerCircuit(MODEL_ID, 2, address(verifier));
        vm.stopPrank();
    }

    function testRegisterCircuitBadSlotCount(uint256 slots) public {
        uint16 bad = uint16(bound(slots, ConstantsLib.MAX_ROUND_SLOTS + 1, type(uint16).max));
        vm.startPrank(GOVERNANCE);
        vm.expectRevert(ErrorsLib.InvalidSlotCount.selector);
        registry.registerCircuit(MODEL_ID, 0, address(verifier));
        vm.expectRevert(ErrorsLib.InvalidSlotCount.selector);
        registry.registerCircuit(MODEL_ID, bad, address(verifier));
        vm.stopPrank();
    }

    function testRegisterCircuitZeroVerifier() public {
        vm.expectRevert(ErrorsLib.InvalidVerifier.selector);
        vm.prank(GOVERNANCE);
        registry.registerCircuit(MODEL_ID, 2, address(0));
    }

    function testRegisterCircuitVerifierWithoutCode() public {
        vm.expectRevert(ErrorsLib.InvalidVerifier.selector);
        vm.prank(GOVERNANCE);
        registry.registerCircuit(MODEL_ID, 2, makeAddr("eoa"));
    }

    function testRegisterCircuitOnlyOnce() public {
        ConfigurableVerifier other = new ConfigurableVerifier();
        vm.expectRevert(ErrorsLib.CircuitAlreadyRegistered.selector);
        vm.prank(GOVERNANCE);
        registry.registerCircuit(MODEL_ID, 1, address(other));
        assertEq(registry.verifierOf(MODEL_ID, 1), address(verifier));
    }

    /* RETIRE MODEL */

    function testRetireModel() public {
        vm.expectEmit(address(registry));
        emit EventsLib.ModelRetired(MODEL_ID);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        assertFalse(registry.model(MODEL_ID).active);
        assertTrue(registry.model(MODEL_ID).registered);
    }

    function testRetireCurrentModelLeavesNoCurrentModel() public {
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        assertEq(registry.currentModel(), bytes32(0));

        bytes32 next = bytes32(uint256(77));
        vm.prank(GOVERNANCE);
        registry.registerModel(next, 3, 0, 7 days);
        assertEq(registry.currentModel(), next);
    }

    function testRetireOlderModelKeepsCurrentModel() public {
        bytes32 next = bytes32(uint256(77));
        vm.startPrank(GOVERNANCE);
        registry.registerModel(next, 3, 0, 7 days);
        registry.retireModel(MODEL_ID);
        vm.stopPrank();
        assertEq(registry.currentModel(), next);
    }

    function testRetireModelUnknown() public {
        vm.expectRevert(ErrorsLib.UnknownModel.selector);
        vm.prank(GOVERNANCE);
        registry.retireModel(bytes32(uint256(999)));
    }

    function testRetireModelTwice() public {
        vm.startPrank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        vm.expectRevert(ErrorsLib.ModelRetired.selector);
        registry.retireModel(MODEL_ID);
        vm.stopPrank();
    }

    function testRetireModelUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, ATTESTOR, registry.GOVERNOR_ROLE()
            )
        );
        vm.prank(ATTESTOR);
        registry.retireModel(MODEL_ID);
    }

    /* POST COMMITMENT */

    function testPostCommitmentReplacesAndEmitsOldAndNew() public {
        uint256 next = commitment + 1;
        skip(1 hours);
        vm.expectEmit(address(registry));
        emit EventsLib.CommitmentPosted(WALLET, ATTESTOR, commitment, next, uint64(block.timestamp), 2);
        _postCommitment(WALLET, next);

        DataCommitment memory c = registry.commitmentOf(WALLET);
        assertEq(c.value, next);
        assertEq(c.postedAt, block.timestamp);
        assertEq(c.nonce, 2);
    }

    function testPostCommitmentNonceCountsEveryPost() public {
        address fresh = makeAddr("fresh");
        assertEq(registry.commitmentOf(fresh).nonce, 0);
        _postCommitment(fresh, 5);
        assertEq(registry.commitmentOf(fresh).nonce, 1, "starts at 1");
        _postCommitment(fresh, 5);
        assertEq(registry.commitmentOf(fresh).nonce, 2, "the same value again is a new post");
        _postCommitment(fresh, 6);
        assertEq(registry.commitmentOf(fresh).nonce, 3);
    }

    function testPostCommitmentUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), registry.ATTESTOR_ROLE()
            )
        );
        registry.postCommitment(WALLET, 1);
    }

    function testPostCommitmentZeroWallet() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        _postCommitment(address(0), 1);
    }

    function testPostCommitmentZero() public {
        vm.expectRevert(ErrorsLib.InvalidCommitment.selector);
        _postCommitment(WALLET, 0);
    }

    function testPostCommitmentOutsideField(uint256 value) public {
        value = bound(value, ConstantsLib.SNARK_SCALAR_FIELD, type(uint256).max);
        vm.expectRevert(ErrorsLib.InvalidCommitment.selector);
        _postCommitment(WALLET, value);
    }

    /// @dev Issue 11, item 6: a commitment value live for one wallet is refused for another, so one proof can never
    /// attest two wallets.
    function testCommitmentLiveForAnotherWalletIsRefused() public {
        address other = makeAddr("other");
        vm.expectRevert(abi.encodeWithSignature("CommitmentOfAnotherWallet(address)", WALLET));
        _postCommitment(other, commitment);

        // WALLET's proof attests WALLET only; `other` has no commitment to attest.
        _attestWallet(0);
        vm.expectRevert(ErrorsLib.NoCommitment.selector);
        registry.attest(other, MODEL_ID, PROOF, _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE));
    }

    /// @dev Nor once its holder has moved on: the value stays its first wallet's.
    function testCommitmentOfAnotherWalletRefusedAfterItWasReplaced() public {
        address other = makeAddr("other");
        _postCommitment(WALLET, commitment + 1);
        vm.expectRevert(abi.encodeWithSignature("CommitmentOfAnotherWallet(address)", WALLET));
        _postCommitment(other, commitment);
        // The holder may post its own earlier value again.
        _postCommitment(WALLET, commitment);
        assertEq(registry.commitmentOf(WALLET).value, commitment);
    }

    /* ATTEST */

    function testAttest(uint256 tier, bool neverLiquidated) public {
        uint8 t = _boundTier(tier);
        uint64 now_ = uint64(block.timestamp);
        vm.expectEmit(address(registry));
        emit EventsLib.Attested(WALLET, 1, MODEL_ID, keccak256(PROOF), t, neverLiquidated, now_ + LIFETIME);
        vm.expectEmit(address(registry));
        emit EventsLib.RoundAttested(1, MODEL_ID, keccak256(PROOF), address(this), 1, 1);
        uint8 proven = registry.attest(
            WALLET, MODEL_ID, PROOF, _instances(commitment, MODEL_ID, t, neverLiquidated, OUTPUT_SCALE)
        );
        assertEq(proven, t);

        AttestationView memory a = registry.attestationOf(WALLET);
        assertEq(a.roundId, 1);
        assertEq(a.modelId, MODEL_ID);
        assertEq(a.proofHash, keccak256(PROOF));
        assertEq(a.tier, t);
        assertEq(a.neverLiquidated, neverLiquidated);
        assertEq(a.issuedAt, now_);
        assertEq(a.expiresAt, now_ + LIFETIME);
        assertEq(a.commitmentNonce, 1);

        Round memory r = registry.roundOf(1);
        assertEq(r.modelId, MODEL_ID);
        assertEq(r.proofHash, keccak256(PROOF));
        assertEq(r.issuedAt, now_);
        assertEq(r.slots, 1);
        assertEq(r.attested, 1);
        assertEq(registry.roundCount(), 1);

        (uint8 readTier, uint64 validUntil, bool verified) = registry.tierOf(WALLET);
        assertEq(readTier, t);
        assertEq(validUntil, now_ + LIFETIME);
        assertTrue(verified);
        (bool readClaim, uint64 claimValidUntil, bool claimVerified) = registry.neverLiquidatedOf(WALLET);
        assertEq(readClaim, neverLiquidated);
        assertEq(claimValidUntil, now_ + LIFETIME);
        assertTrue(claimVerified);
    }

    function testAttestExpiresWithTheCommitmentNotTheProof() public {
        skip(10 days);
        _attestWallet(0);
        assertEq(registry.attestationOf(WALLET).expiresAt, registry.commitmentOf(WALLET).postedAt + LIFETIME);
        assertEq(registry.attestationOf(WALLET).issuedAt, block.timestamp);
    }

    function testAttestIsPermissionless(address caller) public {
        vm.prank(caller);
        _attestWallet(1);
        (,, bool verified) = registry.tierOf(WALLET);
        assertTrue(verified);
        assertEq(registry.roundOf(1).attested, 1);
    }

    function testAttestUnknownModel() public {
        bytes32 other = bytes32(uint256(5));
        vm.expectRevert(ErrorsLib.UnknownModel.selector);
        registry.attest(WALLET, other, PROOF, _instances(commitment, other, 0, OUTPUT_SCALE));
    }

    function testAttestRetiredModel() public {
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        vm.expectRevert(ErrorsLib.ModelRetired.selector);
        _attestWallet(0);
    }

    function testAttestOlderModelNotCurrent() public {
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(77)), TIER_COUNT, OUTPUT_SCALE, LIFETIME);
        vm.expectRevert(ErrorsLib.NotCurrentModel.selector);
        _attestWallet(0);
    }

    function testAttestWithoutSingleWalletCircuit() public {
        bytes32 next = bytes32(uint256(77));
        vm.startPrank(GOVERNANCE);
        registry.registerModel(next, TIER_COUNT, OUTPUT_SCALE, LIFETIME);
        registry.registerCircuit(next, 4, address(verifier));
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(ErrorsLib.NoCircuitForSlots.selector, 1));
        registry.attest(WALLET, next, PROOF, _instances(commitment, next, 0, OUTPUT_SCALE));
    }

    function testAttestInstanceCount(uint256 length) public {
        length = bound(length, 0, 8);
        vm.assume(length != ConstantsLib.CREDIT_PROOF_INSTANCES);
        uint256[] memory instances = new uint256[](length);
        vm.expectRevert(ErrorsLib.InvalidInstanceCount.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, instances);
    }

    function testAttestParamCommitmentMismatch() public {
        uint256[] memory instances = _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE);
        instances[1] = uint256(MODEL_ID) + 1;
        vm.expectRevert(ErrorsLib.ParamCommitmentMismatch.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, instances);
    }

    function testAttestNoCommitment() public {
        address fresh = makeAddr("fresh");
        vm.expectRevert(ErrorsLib.NoCommitment.selector);
        registry.attest(fresh, MODEL_ID, PROOF, _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE));
    }

    function testAttestZeroWalletHasNoCommitment() public {
        vm.expectRevert(ErrorsLib.NoCommitment.selector);
        registry.attest(address(0), MODEL_ID, PROOF, _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE));
    }

    function testAttestInputCommitmentMismatch() public {
        vm.expectRevert(ErrorsLib.InputCommitmentMismatch.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, _instances(commitment + 1, MODEL_ID, 0, OUTPUT_SCALE));
    }

    function testAttestReplacedCommitment() public {
        _postCommitment(WALLET, commitment + 1);
        vm.expectRevert(ErrorsLib.InputCommitmentMismatch.selector);
        _attestWallet(0);
    }

    function testAttestExpiredCommitment() public {
        skip(LIFETIME - 1);
        _attestWallet(0);
        skip(1);
        vm.expectRevert(ErrorsLib.CommitmentExpired.selector);
        _attestWallet(0);
    }

    function testAttestTierInstanceNotMultiple(uint256 remainder) public {
        remainder = bound(remainder, 1, (uint256(1) << OUTPUT_SCALE) - 1);
        uint256[] memory instances = _instances(commitment, MODEL_ID, 1, OUTPUT_SCALE);
        instances[2] += remainder;
        vm.expectRevert(ErrorsLib.InvalidTierInstance.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, instances);
    }

    function testAttestTierOutOfRange(uint256 tier) public {
        tier = bound(tier, TIER_COUNT, type(uint128).max);
        vm.expectRevert(ErrorsLib.InvalidTierInstance.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, _instances(commitment, MODEL_ID, tier, OUTPUT_SCALE));
    }

    function testAttestNegativeOutputRejected() public {
        // A negative model output appears as p - |x| in the field.
        uint256[] memory instances = _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE);
        instances[2] = ConstantsLib.SNARK_SCALAR_FIELD - (uint256(1) << OUTPUT_SCALE);
        vm.expectRevert(ErrorsLib.InvalidTierInstance.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, instances);
    }

    function testAttestInvalidClaimInstance(uint256 claim) public {
        vm.assume(claim != 0 && claim != uint256(1) << OUTPUT_SCALE);
        uint256[] memory instances = _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE);
        instances[3] = claim;
        vm.expectRevert(ErrorsLib.InvalidClaimInstance.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, instances);
    }

    function testAttestVerifierReverts() public {
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(WALLET, MODEL_ID, hex"bad0", _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE));
    }

    function testAttestVerifierReturnsFalse() public {
        verifier.setReturnFalse(true);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        _attestWallet(0);
    }

    function testAttestFailureWritesNothing() public {
        _attestWallet(1);
        AttestationView memory before = registry.attestationOf(WALLET);
        verifier.setReturnFalse(true);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        _attestWallet(2);
        assertEq(registry.roundCount(), 1);
        assertEq(keccak256(abi.encode(registry.attestationOf(WALLET))), keccak256(abi.encode(before)));
    }

    function testAttestRefreshOverwrites() public {
        _attestWallet(2);
        skip(1 days);
        _attestWallet(0);
        AttestationView memory a = registry.attestationOf(WALLET);
        assertEq(a.tier, 0);
        assertEq(a.roundId, 2);
        assertEq(a.issuedAt, block.timestamp);
        assertEq(a.expiresAt, block.timestamp - 1 days + LIFETIME, "expiry stays tied to the commitment");
    }

    /* TIER OF */

    function testTierOfNoAttestation() public view {
        (uint8 tier, uint64 validUntil, bool verified) = registry.tierOf(WALLET);
        assertEq(tier, ConstantsLib.NO_TIER);
        assertEq(validUntil, 0);
        assertFalse(verified);
        (bool claim, uint64 claimValidUntil, bool claimVerified) = registry.neverLiquidatedOf(WALLET);
        assertFalse(claim);
        assertEq(claimValidUntil, 0);
        assertFalse(claimVerified);
    }

    function testTierOfExpired() public {
        _attestWallet(0);
        skip(LIFETIME - 1);
        (,, bool verified) = registry.tierOf(WALLET);
        assertTrue(verified);
        skip(1);
        (uint8 tier, uint64 validUntil, bool stillVerified) = registry.tierOf(WALLET);
        assertFalse(stillVerified);
        assertEq(tier, ConstantsLib.NO_TIER);
        assertEq(validUntil, 0);
    }

    function testTierOfRetiredModel() public {
        _attestWallet(0);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        (,, bool verified) = registry.tierOf(WALLET);
        assertFalse(verified);
    }

    function testTierOfOlderActiveModelStillCounts() public {
        _attestWallet(1);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(77)), TIER_COUNT, OUTPUT_SCALE, LIFETIME);
        (uint8 tier,, bool verified) = registry.tierOf(WALLET);
        assertTrue(verified);
        assertEq(tier, 1);
    }

    function testTierOfSupersededByNewCommitment() public {
        _attestWallet(0);
        _postCommitment(WALLET, commitment + 1);
        (,, bool verified) = registry.tierOf(WALLET);
        assertFalse(verified);
    }

    function testTierOfSupersededByTheSameCommitmentReposted() public {
        _attestWallet(0);
        _postCommitment(WALLET, commitment);
        (,, bool verified) = registry.tierOf(WALLET);
        assertFalse(verified, "a re-post is a new nonce");
    }
}
