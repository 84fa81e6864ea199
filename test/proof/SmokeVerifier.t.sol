// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

/// @dev The generated verifier's entry point (see src/verifiers/SmokeVerifier.sol).
interface IHalo2Verifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool);
}

/// @notice Real EZKL proofs of the smoke model, checked by the real generated verifier.
/// Fixtures: test/fixtures/smoke (regenerate with `npm run pipeline -- --model smoke`).
contract SmokeVerifierTest is Test {
    string internal constant DIR = "test/fixtures/smoke/";

    IHalo2Verifier internal verifier;
    string[] internal names;

    function setUp() public {
        verifier = IHalo2Verifier(deployCode("SmokeVerifier.sol:SmokeVerifier"));
        names = vm.parseJsonStringArray(vm.readFile(string.concat(DIR, "manifest.json")), ".fixtures");
    }

    function _load(string memory name) internal view returns (bytes memory proof, uint256[] memory instances) {
        string memory json = vm.readFile(string.concat(DIR, name));
        proof = vm.parseJsonBytes(json, ".proof");
        instances = vm.parseJsonUintArray(json, ".instances");
    }

    function test_everyFixtureVerifies() public {
        assertGe(names.length, 3, "expected fixtures for all three tiers");
        for (uint256 i; i < names.length; ++i) {
            (bytes memory proof, uint256[] memory instances) = _load(names[i]);
            assertTrue(verifier.verifyProof(proof, instances), names[i]);
        }
    }

    function test_fixturesCoverAllTiers() public view {
        bool[3] memory seen;
        for (uint256 i; i < names.length; ++i) {
            uint256 tier = vm.parseJsonUint(vm.readFile(string.concat(DIR, names[i])), ".tier");
            (, uint256[] memory instances) = _load(names[i]);
            assertEq(instances[2], tier, "output instance must be the tier (output scale 0)");
            seen[tier] = true;
        }
        assertTrue(seen[0] && seen[1] && seen[2]);
    }

    /// @dev The calldata EZKL encodes is exactly verifyProof(proof, instances).
    function test_calldataMatchesAbiEncoding() public view {
        string memory json = vm.readFile(string.concat(DIR, names[0]));
        (bytes memory proof, uint256[] memory instances) = _load(names[0]);
        assertEq(vm.parseJsonBytes(json, ".calldata"), abi.encodeCall(IHalo2Verifier.verifyProof, (proof, instances)));
    }

    function test_flippedProofByteIsRejected() public {
        (bytes memory proof, uint256[] memory instances) = _load(names[0]);
        proof[proof.length / 2] ^= 0x01;
        vm.expectRevert();
        verifier.verifyProof(proof, instances);
    }

    function testFuzz_anyFlippedProofByteIsRejected(uint256 index, uint8 mask) public {
        (bytes memory proof, uint256[] memory instances) = _load(names[0]);
        index = bound(index, 0, proof.length - 1);
        mask = uint8(bound(mask, 1, 255));
        proof[index] ^= bytes1(mask);
        (bool ok, bytes memory ret) =
            address(verifier).call(abi.encodeCall(IHalo2Verifier.verifyProof, (proof, instances)));
        assertTrue(!ok || !abi.decode(ret, (bool)), "tampered proof accepted");
    }

    function test_changedInputCommitmentIsRejected() public {
        (bytes memory proof, uint256[] memory instances) = _load(names[0]);
        instances[0] += 1;
        vm.expectRevert();
        verifier.verifyProof(proof, instances);
    }

    function test_changedTierIsRejected() public {
        (bytes memory proof, uint256[] memory instances) = _load(names[0]);
        instances[2] = instances[2] == 0 ? 2 : 0;
        vm.expectRevert();
        verifier.verifyProof(proof, instances);
    }

    function test_otherWalletsInstancesAreRejected() public {
        (bytes memory proof,) = _load(names[0]);
        (, uint256[] memory other) = _load(names[names.length - 1]);
        vm.expectRevert();
        verifier.verifyProof(proof, other);
    }

    function test_wrongInstanceCountIsRejected() public {
        (bytes memory proof, uint256[] memory instances) = _load(names[0]);
        uint256[] memory shorter = new uint256[](2);
        shorter[0] = instances[0];
        shorter[1] = instances[1];
        vm.expectRevert();
        verifier.verifyProof(proof, shorter);
    }
}
