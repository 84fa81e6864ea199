// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IAttestationRegistry, Model, DataCommitment, Attestation} from "./interfaces/IAttestationRegistry.sol";
import {ICreditOracle} from "./interfaces/ICreditOracle.sol";
import {IProofVerifier} from "./interfaces/IProofVerifier.sol";

import {ConstantsLib} from "./libraries/ConstantsLib.sol";
import {ErrorsLib} from "./libraries/ErrorsLib.sol";
import {EventsLib} from "./libraries/EventsLib.sol";

/// @title AttestationRegistry
/// @notice Records credit tiers proven by zero-knowledge proofs of registered ML models.
contract AttestationRegistry is IAttestationRegistry, AccessControl {
    /* ROLES */

    /// @inheritdoc IAttestationRegistry
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @inheritdoc IAttestationRegistry
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");

    /* STORAGE */

    mapping(bytes32 modelId => Model) internal _models;
    mapping(address wallet => DataCommitment) internal _commitments;
    mapping(address wallet => Attestation) internal _attestations;

    /* CONSTRUCTOR */

    /// @param governance Receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE. GOVERNOR_ROLE administers ATTESTOR_ROLE.
    constructor(address governance) {
        if (governance == address(0)) revert ErrorsLib.ZeroAddress();
        _setRoleAdmin(ATTESTOR_ROLE, GOVERNOR_ROLE);
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(GOVERNOR_ROLE, governance);
    }

    /* GOVERNANCE */

    /// @inheritdoc IAttestationRegistry
    function registerModel(bytes32 modelId, address verifier, uint8 tierCount, uint8 outputScale, uint64 lifetime)
        external
        onlyRole(GOVERNOR_ROLE)
    {
        if (!_isFieldElement(uint256(modelId))) revert ErrorsLib.InvalidModelId();
        if (verifier.code.length == 0) revert ErrorsLib.InvalidVerifier();
        if (tierCount < ConstantsLib.MIN_TIER_COUNT || tierCount > ConstantsLib.MAX_TIER_COUNT) {
            revert ErrorsLib.InvalidTierCount();
        }
        if (outputScale > ConstantsLib.MAX_OUTPUT_SCALE) revert ErrorsLib.InvalidOutputScale();
        if (lifetime < ConstantsLib.MIN_ATTESTATION_LIFETIME || lifetime > ConstantsLib.MAX_ATTESTATION_LIFETIME) {
            revert ErrorsLib.InvalidLifetime();
        }
        if (_models[modelId].registered) revert ErrorsLib.ModelAlreadyRegistered();

        _models[modelId] = Model({
            verifier: verifier,
            tierCount: tierCount,
            outputScale: outputScale,
            lifetime: lifetime,
            registered: true,
            active: true
        });

        emit EventsLib.ModelRegistered(modelId, verifier, tierCount, outputScale, lifetime);
    }

    /// @inheritdoc IAttestationRegistry
    function retireModel(bytes32 modelId) external onlyRole(GOVERNOR_ROLE) {
        Model storage m = _models[modelId];
        if (!m.registered) revert ErrorsLib.UnknownModel();
        if (!m.active) revert ErrorsLib.ModelRetired();

        m.active = false;

        emit EventsLib.ModelRetired(modelId);
    }

    /* ATTESTOR */

    /// @inheritdoc IAttestationRegistry
    function postCommitment(address wallet, uint256 commitment) external onlyRole(ATTESTOR_ROLE) {
        if (wallet == address(0)) revert ErrorsLib.ZeroAddress();
        if (!_isFieldElement(commitment)) revert ErrorsLib.InvalidCommitment();

        DataCommitment storage current = _commitments[wallet];
        uint256 oldCommitment = current.value;
        uint64 postedAt = uint64(block.timestamp);
        current.value = commitment;
        current.postedAt = postedAt;

        emit EventsLib.CommitmentPosted(wallet, msg.sender, oldCommitment, commitment, postedAt);
    }

    /* ATTESTATION */

    /// @inheritdoc IAttestationRegistry
    function attest(address wallet, bytes32 modelId, bytes calldata proof, uint256[] calldata instances)
        external
        returns (uint8 tier)
    {
        Model memory m = _models[modelId];
        if (!m.registered) revert ErrorsLib.UnknownModel();
        if (!m.active) revert ErrorsLib.ModelRetired();
        if (instances.length != ConstantsLib.CREDIT_PROOF_INSTANCES) revert ErrorsLib.InvalidInstanceCount();
        if (instances[ConstantsLib.PARAM_COMMITMENT_INDEX] != uint256(modelId)) {
            revert ErrorsLib.ParamCommitmentMismatch();
        }
        uint256 commitment = _commitments[wallet].value;
        if (commitment == 0) revert ErrorsLib.NoCommitment();
        if (instances[ConstantsLib.INPUT_COMMITMENT_INDEX] != commitment) revert ErrorsLib.InputCommitmentMismatch();
        tier = _internalTierFromInstance(instances[ConstantsLib.TIER_INSTANCE_INDEX], m);

        // The verifier is governance-registered code; it is not `view` and reverts on invalid proofs.
        try IProofVerifier(m.verifier).verifyProof(proof, instances) returns (bool ok) {
            if (!ok) revert ErrorsLib.ProofRejected();
        } catch {
            revert ErrorsLib.ProofRejected();
        }

        uint64 issuedAt = uint64(block.timestamp);
        uint64 expiresAt = issuedAt + m.lifetime;
        bytes32 proofHash = keccak256(proof);
        _attestations[wallet] = Attestation({
            modelId: modelId,
            inputCommitment: commitment,
            proofHash: proofHash,
            tier: tier,
            issuedAt: issuedAt,
            expiresAt: expiresAt
        });

        emit EventsLib.Attested(wallet, modelId, msg.sender, tier, issuedAt, expiresAt, proofHash, commitment);
    }

    /* VIEWS */

    /// @inheritdoc ICreditOracle
    function tierOf(address wallet) external view returns (uint8 tier, uint64 validUntil, bool verified) {
        Attestation memory a = _attestations[wallet];
        if (
            a.issuedAt == 0 || block.timestamp >= a.expiresAt || !_models[a.modelId].active
                || _commitments[wallet].value != a.inputCommitment
        ) return (ConstantsLib.NO_TIER, 0, false);
        return (a.tier, a.expiresAt, true);
    }

    /// @inheritdoc IAttestationRegistry
    function model(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    /// @inheritdoc IAttestationRegistry
    function commitmentOf(address wallet) external view returns (DataCommitment memory) {
        return _commitments[wallet];
    }

    /// @inheritdoc IAttestationRegistry
    function attestationOf(address wallet) external view returns (Attestation memory) {
        return _attestations[wallet];
    }

    /* INTERNAL */

    /// @dev Returns the tier of a fixed-point tier instance; reverts unless it is tier * 2**outputScale with
    /// tier < tierCount.
    function _internalTierFromInstance(uint256 tierInstance, Model memory m) internal pure returns (uint8) {
        uint256 unit = uint256(1) << m.outputScale;
        if (tierInstance % unit != 0) revert ErrorsLib.InvalidTierInstance();
        uint256 tier = tierInstance / unit;
        if (tier >= m.tierCount) revert ErrorsLib.InvalidTierInstance();
        // Casting to uint8 is safe: tier < tierCount <= MAX_TIER_COUNT.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint8(tier);
    }

    /// @dev Whether `x` is a non-zero BN254 scalar field element.
    function _isFieldElement(uint256 x) internal pure returns (bool) {
        return x != 0 && x < ConstantsLib.SNARK_SCALAR_FIELD;
    }
}
