// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditOracle} from "./ICreditOracle.sol";

/// @notice A registered credit model.
/// @param verifier The generated verifier of the model's circuit.
/// @param tierCount The number of tiers the model outputs (tiers 0 .. tierCount - 1).
/// @param outputScale The fixed-point scale of the model output: the tier instance is tier * 2**outputScale.
/// @param lifetime How long an attestation under this model stays valid, in seconds.
/// @param registered Whether the model was ever registered.
/// @param active Whether the model is active (false once retired).
struct Model {
    address verifier;
    uint8 tierCount;
    uint8 outputScale;
    uint64 lifetime;
    bool registered;
    bool active;
}

/// @notice A wallet's salted data commitment, posted by an attestor.
/// @param value The Poseidon hash of the wallet's salted feature vector (a BN254 scalar field element, 0 if none).
/// @param postedAt When it was posted.
struct DataCommitment {
    uint256 value;
    uint64 postedAt;
}

/// @notice A wallet's latest attestation: the audit trail of one verified proof.
/// @param modelId The model (parameter commitment) that produced the tier.
/// @param inputCommitment The data commitment the proof was made against.
/// @param proofHash keccak256 of the proof bytes.
/// @param tier The proven tier.
/// @param issuedAt When the proof was verified.
/// @param expiresAt When the attestation stops counting (issuedAt + the model's lifetime).
struct Attestation {
    bytes32 modelId;
    uint256 inputCommitment;
    bytes32 proofHash;
    uint8 tier;
    uint64 issuedAt;
    uint64 expiresAt;
}

/// @title IAttestationRegistry
/// @notice Registry of zero-knowledge-proven credit tiers.
/// @dev Trust model. Proven: the registered model (identified by the Poseidon commitment of its weights) was run on
/// the data committed for the wallet and output the attested tier. Trusted: the holders of ATTESTOR_ROLE, for the
/// authenticity of the data behind each commitment. Governance (DEFAULT_ADMIN_ROLE / GOVERNOR_ROLE) registers
/// models and their verifiers, and can replace the attestors.
/// @dev An attestation counts only while (a) it has not expired, (b) its model is still active and (c) the wallet's
/// current data commitment is still the one the proof was made against: posting a new commitment supersedes the
/// attestation until a proof over the new data is submitted.
interface IAttestationRegistry is ICreditOracle {
    /* ROLES */

    /// @notice The role that registers and retires models; admin of ATTESTOR_ROLE.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /// @notice The role that posts wallets' data commitments. Several holders are allowed.
    function ATTESTOR_ROLE() external view returns (bytes32);

    /* GOVERNANCE */

    /// @notice Registers a credit model under its parameter commitment.
    /// @dev Model ids are never reused: a retired model cannot be registered again.
    /// @param modelId bytes32(paramCommitment): the Poseidon hash of the model weights, a non-zero field element.
    /// @param verifier The generated verifier of the model's circuit (must hold code).
    /// @param tierCount Number of tiers, in [MIN_TIER_COUNT, MAX_TIER_COUNT].
    /// @param outputScale Fixed-point output scale, at most MAX_OUTPUT_SCALE.
    /// @param lifetime Attestation lifetime, in [MIN_ATTESTATION_LIFETIME, MAX_ATTESTATION_LIFETIME].
    function registerModel(bytes32 modelId, address verifier, uint8 tierCount, uint8 outputScale, uint64 lifetime)
        external;

    /// @notice Retires a model for good: its attestations stop counting and it accepts no new proofs.
    function retireModel(bytes32 modelId) external;

    /* ATTESTOR */

    /// @notice Posts `wallet`'s salted data commitment, replacing the previous one.
    /// @dev Supersedes the wallet's current attestation (see the contract-level notes).
    /// @param commitment A non-zero BN254 scalar field element.
    function postCommitment(address wallet, uint256 commitment) external;

    /* ATTESTATION */

    /// @notice Verifies a credit proof for `wallet` under `modelId` and records the proven tier. Permissionless.
    /// @dev Anyone may submit the proof: it can only restate what the model outputs on the wallet's committed data.
    /// Re-submitting a proof over the same commitment refreshes the attestation's expiry.
    /// @param instances [inputCommitment, paramCommitment, tier * 2**outputScale], big-endian field elements.
    /// @return tier The proven tier.
    function attest(address wallet, bytes32 modelId, bytes calldata proof, uint256[] calldata instances)
        external
        returns (uint8 tier);

    /* VIEWS */

    /// @notice The model registered under `modelId` (all fields zero if none).
    function model(bytes32 modelId) external view returns (Model memory);

    /// @notice `wallet`'s current data commitment (value 0 if none).
    function commitmentOf(address wallet) external view returns (DataCommitment memory);

    /// @notice `wallet`'s latest attestation record, valid or not (all fields zero if none).
    function attestationOf(address wallet) external view returns (Attestation memory);
}
