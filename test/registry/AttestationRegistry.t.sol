// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import "../BaseTest.sol";
import {Model, DataCommitment, Attestation} from "../../src/interfaces/IAttestationRegistry.sol";

/// @notice Control-flow unit tests of the registry, with the TEST-ONLY ConfigurableVerifier. Real proofs:
/// test/proof/RegistryProof.t.sol.
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
        emit EventsLib.ModelRegistered(id, address(verifier), 2, 16, 7 days);
        vm.prank(GOVERNANCE);
        registry.registerModel(id, address(verifier), 2, 16, 7 days);

        Model memory m = registry.model(id);
        assertEq(m.verifier, address(verifier));
        assertEq(m.tierCount, 2);
        assertEq(m.outputScale, 16);
        assertEq(m.lifetime, 7 days);
        assertTrue(m.registered);
        assertTrue(m.active);
    }

    function testRegisterModelUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), registry.GOVERNOR_ROLE()
            )
        );
        registry.registerModel(bytes32(uint256(1)), address(verifier), 3, 0, 7 days);
    }

    function testRegisterModelZeroId() public {
        vm.expectRevert(ErrorsLib.InvalidModelId.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(0), address(verifier), 3, 0, 7 days);
    }

    function testRegisterModelIdOutsideField(uint256 id) public {
        id = bound(id, ConstantsLib.SNARK_SCALAR_FIELD, type(uint256).max);
        vm.expectRevert(ErrorsLib.InvalidModelId.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(id), address(verifier), 3, 0, 7 days);
    }

    function testRegisterModelZeroVerifier() public {
        vm.expectRevert(ErrorsLib.InvalidVerifier.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(1)), address(0), 3, 0, 7 days);
    }

    function testRegisterModelVerifierWithoutCode() public {
        vm.expectRevert(ErrorsLib.InvalidVerifier.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(1)), makeAddr("eoa"), 3, 0, 7 days);
    }

    function testRegisterModelBadTierCount() public {
        vm.startPrank(GOVERNANCE);
        vm.expectRevert(ErrorsLib.InvalidTierCount.selector);
        registry.registerModel(bytes32(uint256(1)), address(verifier), 0, 0, 7 days);
        vm.expectRevert(ErrorsLib.InvalidTierCount.selector);
        registry.registerModel(bytes32(uint256(1)), address(verifier), ConstantsLib.MAX_TIER_COUNT + 1, 0, 7 days);
        vm.stopPrank();
    }

    function testRegisterModelBadOutputScale() public {
        vm.expectRevert(ErrorsLib.InvalidOutputScale.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(bytes32(uint256(1)), address(verifier), 3, ConstantsLib.MAX_OUTPUT_SCALE + 1, 7 days);
    }

    function testRegisterModelBadLifetime() public {
        vm.startPrank(GOVERNANCE);
        vm.expectRevert(ErrorsLib.InvalidLifetime.selector);
        registry.registerModel(bytes32(uint256(1)), address(verifier), 3, 0, ConstantsLib.MIN_ATTESTATION_LIFETIME - 1);
        vm.expectRevert(ErrorsLib.InvalidLifetime.selector);
        registry.registerModel(bytes32(uint256(1)), address(verifier), 3, 0, ConstantsLib.MAX_ATTESTATION_LIFETIME + 1);
        vm.stopPrank();
    }

    function testRegisterModelDuplicate() public {
        vm.expectRevert(ErrorsLib.ModelAlreadyRegistered.selector);
        vm.prank(GOVERNANCE);
        registry.registerModel(MODEL_ID, address(verifier), 3, 0, 7 days);
    }

    function testRegisterModelRetiredIdNotReusable() public {
        vm.startPrank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        vm.expectRevert(ErrorsLib.ModelAlreadyRegistered.selector);
        registry.registerModel(MODEL_ID, address(verifier), 3, 0, 7 days);
        vm.stopPrank();
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
        emit EventsLib.CommitmentPosted(WALLET, ATTESTOR, commitment, next, uint64(block.timestamp));
        _postCommitment(WALLET, next);

        DataCommitment memory c = registry.commitmentOf(WALLET);
        assertEq(c.value, next);
        assertEq(c.postedAt, block.timestamp);
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

    /* ATTEST */

    function testAttest(uint256 tier) public {
        uint8 t = _boundTier(tier);
        uint64 now_ = uint64(block.timestamp);
        vm.expectEmit(address(registry));
        emit EventsLib.Attested(WALLET, MODEL_ID, address(this), t, now_, now_ + LIFETIME, keccak256(PROOF), commitment);
        assertEq(_attestWallet(t), t);

        Attestation memory a = registry.attestationOf(WALLET);
        assertEq(a.modelId, MODEL_ID);
        assertEq(a.inputCommitment, commitment);
        assertEq(a.proofHash, keccak256(PROOF));
        assertEq(a.tier, t);
        assertEq(a.issuedAt, now_);
        assertEq(a.expiresAt, now_ + LIFETIME);

        (uint8 readTier, uint64 validUntil, bool verified) = registry.tierOf(WALLET);
        assertEq(readTier, t);
        assertEq(validUntil, now_ + LIFETIME);
        assertTrue(verified);
    }

    function testAttestIsPermissionless(address caller) public {
        vm.prank(caller);
        _attestWallet(1);
        (,, bool verified) = registry.tierOf(WALLET);
        assertTrue(verified);
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

    function testAttestInstanceCount(uint256 length) public {
        length = bound(length, 0, 8);
        vm.assume(length != 3);
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

    function testAttestInputCommitmentMismatch() public {
        vm.expectRevert(ErrorsLib.InputCommitmentMismatch.selector);
        registry.attest(WALLET, MODEL_ID, PROOF, _instances(commitment + 1, MODEL_ID, 0, OUTPUT_SCALE));
    }

    function testAttestReplacedCommitment() public {
        _postCommitment(WALLET, commitment + 1);
        vm.expectRevert(ErrorsLib.InputCommitmentMismatch.selector);
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

    function testAttestVerifierReverts() public {
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(WALLET, MODEL_ID, hex"bad0", _instances(commitment, MODEL_ID, 0, OUTPUT_SCALE));
    }

    function testAttestVerifierReturnsFalse() public {
        verifier.setReturnFalse(true);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        _attestWallet(0);
    }

    function testAttestRefreshOverwrites() public {
        _attestWallet(2);
        skip(1 days);
        _attestWallet(0);
        Attestation memory a = registry.attestationOf(WALLET);
        assertEq(a.tier, 0);
        assertEq(a.issuedAt, block.timestamp);
    }

    /* TIER OF */

    function testTierOfNoAttestation() public view {
        (uint8 tier, uint64 validUntil, bool verified) = registry.tierOf(WALLET);
        assertEq(tier, ConstantsLib.NO_TIER);
        assertEq(validUntil, 0);
        assertFalse(verified);
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

    function testTierOfSupersededByNewCommitment() public {
        _attestWallet(0);
        _postCommitment(WALLET, commitment + 1);
        (,, bool verified) = registry.tierOf(WALLET);
        assertFalse(verified);
    }
}
