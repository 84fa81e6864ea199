// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

/// @notice Issue 11, item 4: a verifier call that fails for lack of gas reverts with VerifierOutOfGas, not
/// ProofRejected, so that the submitter retries with more gas instead of giving up on a valid proof. With the
/// TEST-ONLY ConfigurableVerifier (out of gas itself, or in a sub-call it gives all its gas to, as the generated
/// verifiers do with the pairing precompiles) and with the REAL generated credit verifier and a real proof.
contract VerifierGasTest is BaseTest {
    /// @dev ErrorsLib.VerifierOutOfGas.selector, spelt out.
    bytes4 internal constant VERIFIER_OUT_OF_GAS = bytes4(keccak256("VerifierOutOfGas()"));

    address internal WALLET = makeAddr("wallet");
    bytes internal constant PROOF = hex"c0ffee";
    uint256 internal commitment;

    function setUp() public override {
        super.setUp();
        commitment = _commitmentFor(WALLET, 0);
        _postCommitment(WALLET, commitment);
        verifier.setAccepted(PROOF, true);
    }

    function _instancesFor(uint256 tier) internal view returns (uint256[] memory) {
        return _instances(commitment, MODEL_ID, tier, OUTPUT_SCALE);
    }

    function testVerifierOutOfGasIsNotProofRejected() public {
        verifier.setBurnAllGas(true);
        uint256[] memory instances = _instancesFor(1);
        vm.expectRevert(VERIFIER_OUT_OF_GAS);
        registry.attest{gas: 1_000_000}(WALLET, MODEL_ID, PROOF, instances);
    }

    function testVerifierOutOfGasInSubCallIsNotProofRejected() public {
        verifier.setSubCallOutOfGas(true);
        uint256[] memory instances = _instancesFor(1);
        vm.expectRevert(VERIFIER_OUT_OF_GAS);
        registry.attest{gas: 1_000_000}(WALLET, MODEL_ID, PROOF, instances);
    }

    function testRoundVerifierOutOfGasIsNotProofRejected() public {
        verifier.setBurnAllGas(true);
        address[] memory wallets = new address[](1);
        wallets[0] = WALLET;
        uint256[] memory instances = _instancesFor(1);
        vm.expectRevert(VERIFIER_OUT_OF_GAS);
        registry.attestRound{gas: 1_000_000}(MODEL_ID, wallets, PROOF, instances);
    }

    /// @dev A rejection with gas to spare is still a rejection.
    function testRejectionWithGasToSpareIsProofRejected() public {
        uint256[] memory instances = _instancesFor(1);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest{gas: 1_000_000}(WALLET, MODEL_ID, hex"bad0", instances);
        verifier.setReturnFalse(true);
        vm.expectRevert(ErrorsLib.ProofRejected.selector);
        registry.attest{gas: 1_000_000}(WALLET, MODEL_ID, PROOF, instances);
    }

    /* REAL VERIFIER */

    function testRealVerifierOutOfGasIsNotProofRejected() public {
        string memory dir = "test/fixtures/credit/";
        string memory manifest = vm.readFile(string.concat(dir, "manifest.json"));
        bytes32 modelId = vm.parseJsonBytes32(manifest, ".modelId");
        string memory json = vm.readFile(string.concat(dir, "low-0.json"));
        bytes memory proof = vm.parseJsonBytes(json, ".proof");
        uint256[] memory instances = vm.parseJsonUintArray(json, ".instances");
        address real = deployCode("CreditVerifier.sol:CreditVerifier");

        AttestationRegistry fresh = new AttestationRegistry(GOVERNANCE);
        vm.startPrank(GOVERNANCE);
        fresh.grantRole(fresh.ATTESTOR_ROLE(), ATTESTOR);
        fresh.registerModel(
            modelId,
            uint8(vm.parseJsonUint(manifest, ".tierCount")),
            uint8(vm.parseJsonUint(manifest, ".outputScale")),
            LIFETIME
        );
        fresh.registerCircuit(modelId, ConstantsLib.SINGLE_WALLET_SLOTS, real);
        vm.stopPrank();
        vm.prank(ATTESTOR);
        fresh.postCommitment(WALLET, instances[0]);

        // Too little gas for the pairing check, at several limits: always VerifierOutOfGas, never ProofRejected.
        uint256[4] memory limits = [uint256(150_000), 250_000, 400_000, 500_000];
        for (uint256 i; i < limits.length; ++i) {
            vm.expectRevert(VERIFIER_OUT_OF_GAS);
            fresh.attest{gas: limits[i]}(WALLET, modelId, proof, instances);
        }
        // The same proof with enough gas is accepted.
        fresh.attest{gas: 2_000_000}(WALLET, modelId, proof, instances);
        (,, bool verified) = fresh.tierOf(WALLET);
        assertTrue(verified);
    }
}
