// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProofVerifier
/// @notice The narrow interface of a generated EZKL (Halo2, KZG over BN254) Solidity verifier.
interface IProofVerifier {
    /// @notice Verifies `proof` against the public `instances` (big-endian field elements, in circuit order).
    /// @dev Warning: the generated verifiers are not `view`, and they REVERT with no data on an invalid proof, a
    /// proof of the wrong length or a wrong number of instances, rather than returning false. Callers must treat
    /// both a revert and a `false` return as a rejection.
    /// @return True when the proof is valid.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool);
}
