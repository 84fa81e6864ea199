// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AttestationRegistry} from "../../src/AttestationRegistry.sol";
import {AttestationView} from "../../src/interfaces/IAttestationRegistry.sol";
import {ConstantsLib} from "../../src/libraries/ConstantsLib.sol";
import {ErrorsLib} from "../../src/libraries/ErrorsLib.sol";

/// @notice The registry against REAL EZKL proofs and the REAL generated single-wallet verifier of a model, read from
/// test/fixtures/<model>/ (manifest.json + one JSON file per proof). No mock verifier here. Skipped while the
/// fixtures are in the old format (3 instances, before the claim instance was added).
abstract contract RegistryProofTest is Test {
    uint64 internal constant LIFETIME = 30 days;

    struct Fixture {
        string name;
        uint8 tier;
        bytes proof;
        uint256[] instances;
    }

    address internal GOVERNANCE = makeAddr("governance");
    address internal ATTESTOR = makeAddr("attestor");

    AttestationRegistry internal registry;
    address internal verifier;
    bytes32 internal modelId;
    uint8 internal outputScale;
    uint8 internal tierCount;
    Fixture[] internal fixtures;

    /// @dev The fixture folder, e.g. "test/fixtures/smoke/".
    function _dir() internal pure virtual returns (string memory);

    function setUp() public virtual {
        string memory manifestPath = string.concat(_dir(), "manifest.json");
        if (!vm.exists(manifestPath)) {
            vm.skip(true, string.concat("no fixtures yet at ", manifestPath));
            return;
        }
        string memory manifest = vm.readFile(manifestPath);
        modelId = vm.parseJsonBytes32(manifest, ".modelId");
        assertEq(modelId, vm.parseJsonBytes32(manifest, ".paramCommitment"), "modelId must be the param commitment");
        outputScale = uint8(vm.parseJsonUint(manifest, ".outputScale"));
        tierCount = uint8(vm.parseJsonUint(manifest, ".tierCount"));
        string memory name = _singleWalletVerifier(manifest);
        verifier = deployCode(string.concat(name, ".sol:", name));

        string[] memory names = vm.parseJsonStringArray(manifest, ".fixtures");
        for (uint256 i; i < names.length; ++i) {
            string memory json = vm.readFile(string.concat(_dir(), names[i]));
            uint256[] memory instances = vm.parseJsonUintArray(json, ".instances");
            if (instances.length != ConstantsLib.CREDIT_PROOF_INSTANCES) {
                vm.skip(true, string.concat("old-format fixture (", vm.toString(instances.length), " instances)"));
                return;
            }
            Fixture storage f = fixtures.push();
            f.name = names[i];
            f.tier = uint8(vm.parseJsonUint(json, ".tier"));
            f.proof = vm.parseJsonBytes(json, ".proof");
            f.instances = instances;
            assertEq(f.instances[0], vm.parseJsonUint(json, ".inputCommitment"));
        }
        assertGe(fixtures.length, 2, "need at least two fixtures");

        registry = new AttestationRegistry(GOVERNANCE);
        vm.startPrank(GOVERNANCE);
        registry.grantRole(registry.ATTESTOR_ROLE(), ATTESTOR);
        registry.registerModel(modelId, tierCount, outputScale, LIFETIME);
        registry.registerCircuit(modelId, ConstantsLib.SINGLE_WALLET_SLOTS, verifier);
        vm.stopPrank();
    }

    /// @dev The manifest's single-wallet verifier contract: the `circuits` entry with 1 slot, else the top-level
    /// `verifierContract` (manifests from before rounds).
    function _singleWalletVerifier(string memory manifest) internal view returns (string memory) {
        for (uint256 i; vm.keyExistsJson(manifest, string.concat(".circuits[", vm.toString(i), "]")); ++i) {
            string memory path = string.concat(".circuits[", vm.toString(i), "]");
            if (vm.parseJsonUint(manifest, string.concat(path, ".slots")) == ConstantsLib.SINGLE_WALLET_SLOTS) {
                return vm.parseJsonString(manifest, string.concat(path, ".verifierContract"));
            }
        }
        return vm.parseJsonString(manifest, ".verifierContract");
    }

    function _wallet(uint256 i) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("wallet", i)))));
    }

    /// @dev Posts fixture i's input commitment for wallet i.
    function _post(uint256 i) internal returns (address wallet) {
        wallet = _wallet(i);
        vm.prank(ATTESTOR);
        registry.postCommitment(wallet, fixtures[i].instances[0]);
    }

    function _attest(uint256 i) internal returns (address wallet) {
        wallet = _post(i);
        registry.attest(wallet, modelId, fixtures[i].proof, fixtures[i].instances);
    }

    function testValidProofsAttestTheirTier() public {
        for (uint256 i; i < fixtures.length; ++i) {
            address wallet = _post(i);
            uint8 tier = registry.attest(wallet, modelId, fixtures[i].proof, fixtures[i].instances);
            assertEq(tier, fixtures[i].tier, fixtures[i].name);

            (uint8 readTier, uint64 validUntil, bool verified) = registry.tierOf(wallet);
            assertTrue(verified, fixtures[i].name);
            assertEq(readTier, fixtures[i].tier, fixtures[i].name);
            assertEq(validUntil, block.timestamp + LIFETIME);

            AttestationView memory a = registry.attestationOf(wallet);
            assertEq(a.proofHash, keccak256(fixtures[i].proof));
            assertEq(a.modelId, modelId);
            assertEq(a.commitmentNonce, registry.commitmentOf(wallet).nonce);
            assertEq(a.neverLiquidated, fixtures[i].instances[3] != 0, fixtures[i].name);
        }
    }

    function testFixturesCoverEveryTier() public view {
        bool[] memory seen = new bool[](tierCount);
        for (uint256 i; i < fixtures.length; ++i) {
            assertEq(fixtures[i].instances[2], uint256(fixtures[i].tier) << outputScale, fixtures[i].name);
            seen[fixtures[i].tier] = true;
        }
        for (uint256 t; t < tierCount; ++t) {
            assertTrue(seen[t], "a tier has no fixture");
        }
    }

    function testFlippedProofByteIsRejected() public {
        address wallet = _post(0);
        bytes memory proof = fixtures[0].proof;
        proof[proof.length / 2] ^= 0x01;
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(wallet, modelId, proof, fixtures[0].instances);
    }

    /// forge-config: ci.fuzz.runs = 1000
    function testFuzzFlippedProofByteIsRejected(uint256 index, uint8 mask) public {
        address wallet = _post(0);
        bytes memory proof = fixtures[0].proof;
        index = bound(index, 0, proof.length - 1);
        proof[index] ^= bytes1(uint8(bound(mask, 1, type(uint8).max)));
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(wallet, modelId, proof, fixtures[0].instances);
    }

    function testTruncatedProofIsRejected() public {
        address wallet = _post(0);
        bytes memory proof = fixtures[0].proof;
        assembly ("memory-safe") {
            mstore(proof, sub(mload(proof), 32))
        }
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(wallet, modelId, proof, fixtures[0].instances);
    }

    /// @dev A different (still well-formed) tier instance passes the registry's checks; the verifier rejects it.
    function testChangedTierInstanceIsRejected() public {
        address wallet = _post(0);
        uint256[] memory instances = fixtures[0].instances;
        uint256 otherTier = (fixtures[0].tier + 1) % tierCount;
        instances[2] = otherTier << outputScale;
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(wallet, modelId, fixtures[0].proof, instances);
    }

    /// @dev The attestor posts a commitment that is not the proof's: the registry refuses before the verifier.
    function testChangedInputInstanceIsRejected() public {
        address wallet = _post(0);
        uint256[] memory instances = fixtures[0].instances;
        instances[0] += 1;
        vm.prank(ATTESTOR);
        registry.postCommitment(wallet, instances[0]);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(wallet, modelId, fixtures[0].proof, instances);
    }

    function testChangedParamInstanceIsRejected() public {
        address wallet = _post(0);
        uint256[] memory instances = fixtures[0].instances;
        instances[1] += 1;
        vm.expectRevert(ErrorsLib.ParamCommitmentMismatch.selector);
        registry.attest(wallet, modelId, fixtures[0].proof, instances);
    }

    function testAnotherWalletsProofIsRejected() public {
        _post(0);
        address other = _post(1);
        // Wallet 0's proof and instances against wallet 1's commitment.
        vm.expectRevert(ErrorsLib.InputCommitmentMismatch.selector);
        registry.attest(other, modelId, fixtures[0].proof, fixtures[0].instances);
        // Wallet 0's proof with wallet 1's instances: the verifier refuses.
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest(other, modelId, fixtures[0].proof, fixtures[1].instances);
    }

    function testProofForReplacedCommitmentIsRejected() public {
        address wallet = _post(0);
        vm.prank(ATTESTOR);
        registry.postCommitment(wallet, fixtures[1].instances[0]);
        vm.expectRevert(ErrorsLib.InputCommitmentMismatch.selector);
        registry.attest(wallet, modelId, fixtures[0].proof, fixtures[0].instances);
    }

    function testReplacedCommitmentSupersedesAttestation() public {
        address wallet = _attest(0);
        vm.prank(ATTESTOR);
        registry.postCommitment(wallet, fixtures[1].instances[0]);
        (,, bool verified) = registry.tierOf(wallet);
        assertFalse(verified);
    }

    function testUnknownModelIsRejected() public {
        AttestationRegistry fresh = new AttestationRegistry(GOVERNANCE);
        vm.startPrank(GOVERNANCE);
        fresh.grantRole(fresh.ATTESTOR_ROLE(), ATTESTOR);
        vm.stopPrank();
        vm.prank(ATTESTOR);
        fresh.postCommitment(_wallet(0), fixtures[0].instances[0]);
        vm.expectRevert(ErrorsLib.UnknownModel.selector);
        fresh.attest(_wallet(0), modelId, fixtures[0].proof, fixtures[0].instances);
    }

    function testRetiredModelIsRejected() public {
        address wallet = _post(0);
        vm.prank(GOVERNANCE);
        registry.retireModel(modelId);
        vm.expectRevert(ErrorsLib.ModelRetired.selector);
        registry.attest(wallet, modelId, fixtures[0].proof, fixtures[0].instances);
    }

    function testRetiredModelAttestationReadsUnverified() public {
        address wallet = _attest(0);
        vm.prank(GOVERNANCE);
        registry.retireModel(modelId);
        (uint8 tier,, bool verified) = registry.tierOf(wallet);
        assertFalse(verified);
        assertEq(tier, ConstantsLib.NO_TIER);
    }

    function testExpiredAttestationReadsUnverified() public {
        address wallet = _attest(0);
        vm.warp(block.timestamp + LIFETIME - 1);
        (,, bool verified) = registry.tierOf(wallet);
        assertTrue(verified);
        vm.warp(block.timestamp + 1);
        (,, verified) = registry.tierOf(wallet);
        assertFalse(verified);
    }

    function testWrongModelIdForProofIsRejected() public {
        // Register a second model id backed by the same verifier: the param instance no longer matches.
        bytes32 otherId = bytes32(uint256(modelId) ^ 1);
        vm.prank(GOVERNANCE);
        registry.registerModel(otherId, tierCount, outputScale, LIFETIME);
        vm.prank(GOVERNANCE);
        registry.registerCircuit(otherId, ConstantsLib.SINGLE_WALLET_SLOTS, verifier);
        address wallet = _post(0);
        vm.expectRevert(ErrorsLib.ParamCommitmentMismatch.selector);
        registry.attest(wallet, otherId, fixtures[0].proof, fixtures[0].instances);
    }
}

/// @notice Real proofs of the credit model; skipped until test/fixtures/credit/manifest.json exists.
contract RegistryProofCreditTest is RegistryProofTest {
    function _dir() internal pure override returns (string memory) {
        return "test/fixtures/credit/";
    }
}
