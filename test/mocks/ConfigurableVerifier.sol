// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "../../src/interfaces/IProofVerifier.sol";

/// @title ConfigurableVerifier
/// @notice TEST-ONLY stand-in for a generated EZKL verifier, for unit tests of the registry's control flow. It
/// accepts exactly the proof bytes it was told to accept and, like the generated verifiers, reverts with no data on
/// anything else; it can also be switched to return false, or to run out of gas: itself, or in a sub-call it gives
/// all its gas to before reverting (as the generated verifiers do with the pairing precompiles). It proves nothing:
/// real-proof tests live in test/proof/.
contract ConfigurableVerifier is IProofVerifier {
    mapping(bytes32 proofHash => bool) public accepted;
    bool public returnFalse;
    bool public burnAllGas;
    bool public subCallOutOfGas;
    uint256 public calls;

    function setAccepted(bytes calldata proof, bool ok) external {
        accepted[keccak256(proof)] = ok;
    }

    function setReturnFalse(bool value) external {
        returnFalse = value;
    }

    function setBurnAllGas(bool value) external {
        burnAllGas = value;
    }

    function setSubCallOutOfGas(bool value) external {
        subCallOutOfGas = value;
    }

    /// @dev Spins until out of gas.
    function burn() external pure {
        while (true) {}
    }

    function verifyProof(bytes calldata proof, uint256[] calldata) external returns (bool) {
        ++calls;
        while (burnAllGas) {} // runs out of gas itself
        if (subCallOutOfGas) {
            // Like `staticcall(gas(), 0x08, ...)` in a generated verifier: the callee takes 63/64 and fails.
            (bool ok,) = address(this).staticcall(abi.encodeCall(this.burn, ()));
            if (!ok) {
                assembly ("memory-safe") {
                    revert(0, 0)
                }
            }
        }
        if (returnFalse) return false;
        if (!accepted[keccak256(proof)]) {
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        return true;
    }
}
