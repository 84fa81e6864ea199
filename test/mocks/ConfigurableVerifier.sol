// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "../../src/interfaces/IProofVerifier.sol";

/// @title ConfigurableVerifier
/// @notice TEST-ONLY stand-in for a generated EZKL verifier, for unit tests of the registry's control flow. It
/// accepts exactly the proof bytes it was told to accept and, like the generated verifiers, reverts with no data on
/// anything else; it can also be switched to return false. It proves nothing: real-proof tests live in test/proof/.
contract ConfigurableVerifier is IProofVerifier {
    mapping(bytes32 proofHash => bool) public accepted;
    bool public returnFalse;
    uint256 public calls;

    function setAccepted(bytes calldata proof, bool ok) external {
        accepted[keccak256(proof)] = ok;
    }

    function setReturnFalse(bool value) external {
        returnFalse = value;
    }

    function verifyProof(bytes calldata proof, uint256[] calldata) external returns (bool) {
        ++calls;
        if (returnFalse) return false;
        if (!accepted[keccak256(proof)]) {
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        return true;
    }
}
