// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {
    IAttestationRegistry,
    Model,
    DataCommitment,
    Round,
    Attestation,
    AttestationView,
    SkipReason
} from "./interfaces/IAttestationRegistry.sol";
import {ICreditOracle, CreditPeriod} from "./interfaces/ICreditOracle.sol";
import {IProofVerifier} from "./interfaces/IProofVerifier.sol";

import {ConstantsLib} from "./libraries/ConstantsLib.sol";
import {ErrorsLib} from "./libraries/ErrorsLib.sol";
import {EventsLib} from "./libraries/EventsLib.sol";

/// @title AttestationRegistry
/// @notice Records credit tiers proven by zero-knowledge proofs of registered ML models, many wallets per proof.
contract AttestationRegistry is IAttestationRegistry, AccessControl {
    /* ROLES */

    /// @inheritdoc IAttestationRegistry
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @inheritdoc IAttestationRegistry
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");

    /* TYPES */

    /// @dev What the per-slot code needs to know about the round being attested.
    struct RoundContext {
        bytes32 modelId;
        bytes32 proofHash;
        address verifier;
        uint64 roundId;
        uint64 lifetime;
        uint8 outputScale;
        uint16 slots;
    }

    /* STORAGE */

    /// @inheritdoc IAttestationRegistry
    bytes32 public currentModel;

    /// @inheritdoc IAttestationRegistry
    uint64 public roundCount;

    mapping(bytes32 modelId => Model) internal _models;
    mapping(bytes32 modelId => mapping(uint16 slots => address)) internal _verifiers;
    mapping(uint64 roundId => Round) internal _rounds;
    mapping(address wallet => DataCommitment) internal _commitments;
    mapping(address wallet => Attestation) internal _attestations;
    mapping(uint256 commitment => address wallet) internal _commitmentHolders;

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
    function registerModel(bytes32 modelId, uint8 tierCount, uint8 outputScale, uint64 lifetime)
        external
        onlyRole(GOVERNOR_ROLE)
    {
        if (!_isFieldElement(uint256(modelId))) revert ErrorsLib.InvalidModelId();
        if (tierCount < ConstantsLib.MIN_TIER_COUNT || tierCount > ConstantsLib.MAX_TIER_COUNT) {
            revert ErrorsLib.InvalidTierCount();
        }
        if (outputScale > ConstantsLib.MAX_OUTPUT_SCALE) revert ErrorsLib.InvalidOutputScale();
        if (lifetime < ConstantsLib.MIN_ATTESTATION_LIFETIME || lifetime > ConstantsLib.MAX_ATTESTATION_LIFETIME) {
            revert ErrorsLib.InvalidLifetime();
        }
        if (_models[modelId].registered) revert ErrorsLib.ModelAlreadyRegistered();

        _models[modelId] = Model({
            tierCount: tierCount,
            outputScale: outputScale,
            lifetime: lifetime,
            registered: true,
            active: true,
            retiredAt: 0
        });
        currentModel = modelId;

        emit EventsLib.ModelRegistered(modelId, tierCount, outputScale, lifetime);
    }

    /// @inheritdoc IAttestationRegistry
    function registerCircuit(bytes32 modelId, uint16 slots, address verifier) external onlyRole(GOVERNOR_ROLE) {
        Model memory m = _models[modelId];
        if (!m.registered) revert ErrorsLib.UnknownModel();
        if (!m.active) revert ErrorsLib.ModelRetired();
        if (slots == 0 || slots > ConstantsLib.MAX_ROUND_SLOTS) revert ErrorsLib.InvalidSlotCount();
        if (verifier.code.length == 0) revert ErrorsLib.InvalidVerifier();
        if (_verifiers[modelId][slots] != address(0)) revert ErrorsLib.CircuitAlreadyRegistered();

        _verifiers[modelId][slots] = verifier;

        emit EventsLib.CircuitRegistered(modelId, slots, verifier);
    }

    /// @inheritdoc IAttestationRegistry
    function retireModel(bytes32 modelId) external onlyRole(GOVERNOR_ROLE) {
        Model storage m = _models[modelId];
        if (!m.registered) revert ErrorsLib.UnknownModel();
        if (!m.active) revert ErrorsLib.ModelRetired();

        m.active = false;
        m.retiredAt = uint64(block.timestamp);
        if (currentModel == modelId) delete currentModel;

        emit EventsLib.ModelRetired(modelId);
    }

    /* ATTESTOR */

    /// @inheritdoc IAttestationRegistry
    function postCommitment(address wallet, uint256 commitment) external onlyRole(ATTESTOR_ROLE) {
        if (wallet == address(0)) revert ErrorsLib.ZeroAddress();
        if (!_isFieldElement(commitment)) revert ErrorsLib.InvalidCommitment();
        address holder = _commitmentHolders[commitment];
        if (holder != wallet) {
            if (holder != address(0)) revert ErrorsLib.CommitmentOfAnotherWallet(holder);
            _commitmentHolders[commitment] = wallet;
        }

        DataCommitment storage current = _commitments[wallet];
        uint256 oldCommitment = current.value;
        uint64 postedAt = uint64(block.timestamp);
        uint32 nonce = current.nonce + 1;
        // The attestation made against the commitment being replaced stops counting now.
        Attestation storage a = _attestations[wallet];
        // Casting to uint40 is safe: timestamps stay below 2**40 until the year 36812.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (a.roundId != 0 && a.commitmentNonce == current.nonce) a.supersededAt = uint40(block.timestamp);
        current.value = commitment;
        current.postedAt = postedAt;
        current.nonce = nonce;

        emit EventsLib.CommitmentPosted(wallet, msg.sender, oldCommitment, commitment, postedAt, nonce);
    }

    /* ATTESTATION */

    /// @inheritdoc IAttestationRegistry
    function attestRound(
        bytes32 modelId,
        address[] calldata wallets,
        bytes calldata proof,
        uint256[] calldata instances
    ) external returns (uint64 roundId, uint256 attested) {
        RoundContext memory ctx = _internalCheckProof(modelId, wallets.length, instances);
        uint256 real = _internalCheckWallets(wallets);
        _internalVerify(ctx.verifier, proof, instances);
        _internalOpenRound(ctx, proof);

        roundId = ctx.roundId;
        for (uint256 i; i < real;) {
            if (_internalAttestSlot(ctx, wallets[i], i, instances)) {
                unchecked {
                    ++attested;
                }
            }
            unchecked {
                ++i;
            }
        }

        _internalRecordRound(ctx, attested);
    }

    /// @inheritdoc IAttestationRegistry
    function attest(address wallet, bytes32 modelId, bytes calldata proof, uint256[] calldata instances)
        external
        returns (uint8 tier)
    {
        RoundContext memory ctx = _internalCheckProof(modelId, ConstantsLib.SINGLE_WALLET_SLOTS, instances);
        (bool fresh, SkipReason reason, uint64 expiresAt, uint32 nonce) =
            _internalCheckCommitment(wallet, instances[0], ctx.lifetime);
        if (!fresh) {
            if (reason == SkipReason.NoCommitment) revert ErrorsLib.NoCommitment();
            if (reason == SkipReason.CommitmentChanged) revert ErrorsLib.InputCommitmentMismatch();
            revert ErrorsLib.CommitmentExpired();
        }
        _internalVerify(ctx.verifier, proof, instances);
        _internalOpenRound(ctx, proof);

        tier = _internalWriteAttestation(ctx, wallet, 0, expiresAt, nonce, instances);
        _internalRecordRound(ctx, 1);
    }

    /* VIEWS */

    /// @inheritdoc ICreditOracle
    function tierOf(address wallet) external view returns (uint8 tier, uint64 validUntil, bool verified) {
        Attestation memory a = _attestations[wallet];
        if (!_isValid(a)) return (ConstantsLib.NO_TIER, 0, false);
        return (a.tier, a.expiresAt, true);
    }

    /// @inheritdoc ICreditOracle
    function neverLiquidatedOf(address wallet)
        external
        view
        returns (bool neverLiquidated, uint64 validUntil, bool verified)
    {
        Attestation memory a = _attestations[wallet];
        if (!_isValid(a)) return (false, 0, false);
        return (a.neverLiquidated, a.expiresAt, true);
    }

    /// @inheritdoc ICreditOracle
    function creditPeriodOf(address wallet) external view returns (CreditPeriod memory period) {
        Attestation memory a = _attestations[wallet];
        if (a.roundId == 0) return period;
        uint64 endsAt = _endOf(a);
        return CreditPeriod({
            roundId: a.roundId,
            tier: a.tier,
            counts: block.timestamp < endsAt,
            issuedAt: _rounds[a.roundId].issuedAt,
            endsAt: endsAt,
            previousEndedAt: a.previousEndedAt
        });
    }

    /// @inheritdoc IAttestationRegistry
    function model(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    /// @inheritdoc IAttestationRegistry
    function verifierOf(bytes32 modelId, uint16 slots) external view returns (address) {
        return _verifiers[modelId][slots];
    }

    /// @inheritdoc IAttestationRegistry
    function roundOf(uint64 roundId) external view returns (Round memory) {
        return _rounds[roundId];
    }

    /// @inheritdoc IAttestationRegistry
    function commitmentOf(address wallet) external view returns (DataCommitment memory) {
        return _commitments[wallet];
    }

    /// @inheritdoc IAttestationRegistry
    function attestationOf(address wallet) external view returns (AttestationView memory) {
        Attestation memory a = _attestations[wallet];
        Round memory r = _rounds[a.roundId];
        return AttestationView({
            roundId: a.roundId,
            modelId: r.modelId,
            proofHash: r.proofHash,
            tier: a.tier,
            neverLiquidated: a.neverLiquidated,
            issuedAt: r.issuedAt,
            expiresAt: a.expiresAt,
            commitmentNonce: a.commitmentNonce
        });
    }

    /// @inheritdoc IAttestationRegistry
    function commitmentHolderOf(uint256 commitment) external view returns (address) {
        return _commitmentHolders[commitment];
    }

    /* INTERNAL */

    /// @dev Checks everything about a proof with `slots` wallet slots but the wallets and the proof itself: the model
    /// is registered, active and current, it has a circuit with `slots` slots, and the instances have the round
    /// layout, the model's parameter commitment and well-formed tier and claim instances (padding included).
    function _internalCheckProof(bytes32 modelId, uint256 slots, uint256[] calldata instances)
        internal
        view
        returns (RoundContext memory ctx)
    {
        Model memory m = _models[modelId];
        if (!m.registered) revert ErrorsLib.UnknownModel();
        if (!m.active) revert ErrorsLib.ModelRetired();
        if (modelId != currentModel) revert ErrorsLib.NotCurrentModel();
        if (slots == 0) revert ErrorsLib.EmptyRound();
        address verifier;
        // Casting to uint16 is safe: slots <= MAX_ROUND_SLOTS.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (slots <= ConstantsLib.MAX_ROUND_SLOTS) verifier = _verifiers[modelId][uint16(slots)];
        if (verifier == address(0)) revert ErrorsLib.NoCircuitForSlots(slots);
        if (instances.length != ConstantsLib.INSTANCES_PER_SLOT * slots + 1) revert ErrorsLib.InvalidInstanceCount();
        if (instances[slots] != uint256(modelId)) revert ErrorsLib.ParamCommitmentMismatch();

        uint256 unit = uint256(1) << m.outputScale;
        uint256 tierBound = uint256(m.tierCount) << m.outputScale;
        uint256 length = instances.length;
        for (uint256 i = slots + 1; i < length;) {
            uint256 tierInstance = instances[i];
            // A multiple of 2**outputScale below tierCount * 2**outputScale (negative outputs are p - |x|: too big).
            if (tierInstance & (unit - 1) != 0 || tierInstance >= tierBound) revert ErrorsLib.InvalidTierInstance();
            uint256 claimInstance = instances[i + 1];
            if (claimInstance != 0 && claimInstance != unit) revert ErrorsLib.InvalidClaimInstance();
            unchecked {
                i += 2;
            }
        }

        ctx.modelId = modelId;
        ctx.verifier = verifier;
        ctx.lifetime = m.lifetime;
        ctx.outputScale = m.outputScale;
        // Casting to uint16 is safe: slots <= MAX_ROUND_SLOTS (a circuit is registered for it).
        // forge-lint: disable-next-line(unsafe-typecast)
        ctx.slots = uint16(slots);
    }

    /// @dev Checks that the real wallets are non-zero and strictly ascending, followed only by address(0) padding,
    /// and that there is at least one. Returns the number of real wallets.
    function _internalCheckWallets(address[] calldata wallets) internal pure returns (uint256 real) {
        uint256 slots = wallets.length;
        address previous;
        for (; real < slots;) {
            address wallet = wallets[real];
            if (wallet == address(0)) break;
            if (wallet <= previous) {
                if (wallet == previous) revert ErrorsLib.DuplicateWallet(wallet);
                revert ErrorsLib.WalletsNotAscending();
            }
            previous = wallet;
            unchecked {
                ++real;
            }
        }
        if (real == 0) revert ErrorsLib.EmptyRound();
        for (uint256 i = real; i < slots;) {
            if (wallets[i] != address(0)) revert ErrorsLib.WalletsNotAscending();
            unchecked {
                ++i;
            }
        }
    }

    /// @dev Reverts with ProofRejected unless the circuit's verifier accepts the proof, or with VerifierOutOfGas when
    /// the call failed for lack of gas: it left less than 1/VERIFIER_OUT_OF_GAS_DIVISOR of the gas there was before.
    function _internalVerify(address verifier, bytes calldata proof, uint256[] calldata instances) internal {
        uint256 gasBefore = gasleft();
        // The verifier is governance-registered code; it is not `view` and reverts on invalid proofs.
        try IProofVerifier(verifier).verifyProof(proof, instances) returns (bool ok) {
            if (!ok) revert ErrorsLib.ProofRejected();
        } catch {
            if (gasleft() < gasBefore / ConstantsLib.VERIFIER_OUT_OF_GAS_DIVISOR) revert ErrorsLib.VerifierOutOfGas();
            revert ErrorsLib.ProofRejected();
        }
    }

    /// @dev Opens a verified round: assigns its id and proof hash.
    function _internalOpenRound(RoundContext memory ctx, bytes calldata proof) internal {
        ctx.roundId = ++roundCount;
        ctx.proofHash = keccak256(proof);
    }

    /// @dev Attests `wallet` from slot `slot` if its current commitment is the slot's and still fresh; else emits
    /// SlotSkipped. Returns whether it attested.
    function _internalAttestSlot(RoundContext memory ctx, address wallet, uint256 slot, uint256[] calldata instances)
        internal
        returns (bool)
    {
        (bool fresh, SkipReason reason, uint64 expiresAt, uint32 nonce) =
            _internalCheckCommitment(wallet, instances[slot], ctx.lifetime);
        if (!fresh) {
            emit EventsLib.SlotSkipped(ctx.roundId, wallet, slot, reason);
            return false;
        }
        _internalWriteAttestation(ctx, wallet, slot, expiresAt, nonce, instances);
        return true;
    }

    /// @dev Whether `wallet`'s current data commitment is `commitmentInstance` and still fresh under `lifetime`, and
    /// if not, why. When fresh, also returns the attestation's expiry (the commitment's postedAt + lifetime: an
    /// attestation never outlives its data) and the commitment's nonce.
    function _internalCheckCommitment(address wallet, uint256 commitmentInstance, uint64 lifetime)
        internal
        view
        returns (bool fresh, SkipReason reason, uint64 expiresAt, uint32 nonce)
    {
        DataCommitment storage c = _commitments[wallet];
        uint256 value = c.value;
        if (value == 0) return (false, SkipReason.NoCommitment, 0, 0);
        if (value != commitmentInstance) return (false, SkipReason.CommitmentChanged, 0, 0);
        expiresAt = c.postedAt + lifetime;
        if (expiresAt <= block.timestamp) return (false, SkipReason.Expired, 0, 0);
        return (true, reason, expiresAt, c.nonce);
    }

    /// @dev Writes `wallet`'s attestation from slot `slot` (one storage slot) and emits Attested. The slot's tier
    /// and claim instances were checked by _internalCheckProof. Returns the tier.
    function _internalWriteAttestation(
        RoundContext memory ctx,
        address wallet,
        uint256 slot,
        uint64 expiresAt,
        uint32 nonce,
        uint256[] calldata instances
    ) internal returns (uint8 tier) {
        uint256 tierIndex = uint256(ctx.slots) + 1 + 2 * slot;
        // Casting to uint8 is safe: the tier instance is below tierCount << outputScale (_internalCheckProof).
        // forge-lint: disable-next-line(unsafe-typecast)
        tier = uint8(instances[tierIndex] >> ctx.outputScale);
        bool neverLiquidated = instances[tierIndex + 1] != 0;
        // When the attestation this one replaces stopped counting: its end, or now if it still counted.
        Attestation memory previous = _attestations[wallet];
        uint256 previousEndedAt;
        if (previous.roundId != 0) {
            previousEndedAt = _endOf(previous);
            if (previousEndedAt > block.timestamp) previousEndedAt = block.timestamp;
        }
        _attestations[wallet] = Attestation({
            roundId: ctx.roundId,
            expiresAt: expiresAt,
            commitmentNonce: nonce,
            tier: tier,
            neverLiquidated: neverLiquidated,
            supersededAt: 0,
            // Casting to uint40 is safe: previousEndedAt <= block.timestamp < 2**40 (until the year 36812).
            // forge-lint: disable-next-line(unsafe-typecast)
            previousEndedAt: uint40(previousEndedAt)
        });

        emit EventsLib.Attested(wallet, ctx.roundId, ctx.modelId, ctx.proofHash, tier, neverLiquidated, expiresAt);
    }

    /// @dev Writes the round and emits RoundAttested.
    function _internalRecordRound(RoundContext memory ctx, uint256 attested) internal {
        // Casting to uint16 is safe: attested <= slots <= MAX_ROUND_SLOTS.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint16 attestedCount = uint16(attested);
        _rounds[ctx.roundId] = Round({
            modelId: ctx.modelId,
            proofHash: ctx.proofHash,
            issuedAt: uint64(block.timestamp),
            slots: ctx.slots,
            attested: attestedCount
        });

        emit EventsLib.RoundAttested(ctx.roundId, ctx.modelId, ctx.proofHash, msg.sender, ctx.slots, attestedCount);
    }

    /// @dev Whether `a` counts now: it exists, has not expired, its round's model is active and it was made against
    /// the wallet's current data commitment (not superseded): block.timestamp is below its end.
    function _isValid(Attestation memory a) internal view returns (bool) {
        return a.roundId != 0 && block.timestamp < _endOf(a);
    }

    /// @dev When attestation `a` stops (or stopped) counting: the earliest of its expiry, the time its data commitment
    /// was superseded and the time its round's model was retired. It counts exactly while block.timestamp is below.
    function _endOf(Attestation memory a) internal view returns (uint64 endsAt) {
        endsAt = a.expiresAt;
        if (a.supersededAt != 0 && a.supersededAt < endsAt) endsAt = a.supersededAt;
        uint64 retiredAt = _models[_rounds[a.roundId].modelId].retiredAt;
        if (retiredAt != 0 && retiredAt < endsAt) endsAt = retiredAt;
    }

    /// @dev Whether `x` is a non-zero BN254 scalar field element.
    function _isFieldElement(uint256 x) internal pure returns (bool) {
        return x != 0 && x < ConstantsLib.SNARK_SCALAR_FIELD;
    }
}
