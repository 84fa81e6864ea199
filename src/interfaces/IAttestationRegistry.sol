// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditOracle} from "./ICreditOracle.sol";

/// @notice A registered credit model. Its verifiers are registered per circuit (see `verifierOf`).
/// @param tierCount The number of tiers the model outputs (tiers 0 .. tierCount - 1).
/// @param outputScale The fixed-point scale of the model output: a tier instance is tier * 2**outputScale and a
/// claim instance is 0 or 2**outputScale.
/// @param lifetime How long after its data commitment was posted an attestation under this model stays valid, in
/// seconds.
/// @param registered Whether the model was ever registered.
/// @param active Whether the model is active (false once retired).
/// @param retiredAt When it was retired (0 while active): its attestations stopped counting then.
struct Model {
    uint8 tierCount;
    uint8 outputScale;
    uint64 lifetime;
    bool registered;
    bool active;
    uint64 retiredAt;
}

/// @notice A wallet's salted data commitment, posted by an attestor.
/// @param value The Poseidon hash of the wallet's salted feature vector (a BN254 scalar field element, 0 if none).
/// @param postedAt When it was posted: attestations over it expire at postedAt + the model's lifetime.
/// @param nonce How many commitments were posted for the wallet so far (1 for the first, 0 if none).
struct DataCommitment {
    uint256 value;
    uint64 postedAt;
    uint32 nonce;
}

/// @notice One verified proof (a round of one or more wallet slots).
/// @param modelId The model (parameter commitment) the proof was made under.
/// @param proofHash keccak256 of the proof bytes.
/// @param issuedAt When the proof was verified.
/// @param slots The circuit's number of wallet slots (padding included).
/// @param attested How many wallets the round attested (the others were padding or skipped).
struct Round {
    bytes32 modelId;
    bytes32 proofHash;
    uint64 issuedAt;
    uint16 slots;
    uint16 attested;
}

/// @notice A wallet's latest attestation as stored: one storage slot. The model and the proof live in its round.
/// @param roundId The round that attested the wallet (0 if never attested).
/// @param expiresAt When the attestation stops counting: the commitment's postedAt + the model's lifetime.
/// @param commitmentNonce The nonce of the data commitment the proof was made against.
/// @param tier The proven tier.
/// @param neverLiquidated The proven claim: the wallet was never liquidated on any indexed chain.
/// @param supersededAt When the attestor replaced the data commitment the proof was made against (0 until then).
/// @param previousEndedAt When the wallet's attestation before this one stopped counting (0 if there was none).
/// @dev The two uint40 timestamps (enough until the year 36812) keep the record in one storage slot.
struct Attestation {
    uint64 roundId;
    uint64 expiresAt;
    uint32 commitmentNonce;
    uint8 tier;
    bool neverLiquidated;
    uint40 supersededAt;
    uint40 previousEndedAt;
}

/// @notice A wallet's latest attestation with its round: everything an auditor needs to find the proof.
struct AttestationView {
    uint64 roundId;
    bytes32 modelId;
    bytes32 proofHash;
    uint8 tier;
    bool neverLiquidated;
    uint64 issuedAt;
    uint64 expiresAt;
    uint32 commitmentNonce;
}

/// @notice Why a round left a wallet slot unattested (see `SlotSkipped`).
/// @param NoCommitment The wallet has no data commitment.
/// @param CommitmentChanged The wallet's data commitment is not the slot's input commitment (it was replaced).
/// @param Expired The wallet's data commitment is older than the model's lifetime.
enum SkipReason {
    NoCommitment,
    CommitmentChanged,
    Expired
}

/// @title IAttestationRegistry
/// @notice Registry of zero-knowledge-proven credit tiers, attested in rounds: one proof attests many wallets.
/// @dev Trust model. Proven: the registered model (identified by the Poseidon commitment of its weights) was run on
/// the data committed for each wallet and output the attested tier and liquidation claim. Trusted: the holders of
/// ATTESTOR_ROLE, for the authenticity of the data behind each commitment. Governance (DEFAULT_ADMIN_ROLE /
/// GOVERNOR_ROLE) registers models and their circuits' verifiers, and can replace the attestors.
/// @dev Public instances of a proof with B wallet slots, in this order (3B + 1 field elements):
/// `[c_0, ..., c_{B-1}, paramCommitment, tier_0, claim_0, ..., tier_{B-1}, claim_{B-1}]`, where c_i is slot i's
/// input commitment, paramCommitment is the model id, tier_i = tier * 2**outputScale and claim_i is 2**outputScale
/// ("never liquidated on any indexed chain") or 0. The single-wallet circuit is B = 1: `[c, paramCommitment, tier,
/// claim]`. Every circuit of a model carries the same paramCommitment, each with its own verifier.
/// @dev Which model wins. The most recently registered model is the current model, and only the current model
/// accepts new attestations. This is what stops anyone (a stranger or the borrower) from replacing a wallet's tier by
/// proving the wallet's data under an older, more lenient model. Attestations made under an older, still-active model
/// keep counting until they expire; retiring a model stops its attestations counting at once; retiring the current
/// model leaves no current model (`currentModel()` is 0, nothing can be attested) until governance registers another.
/// @dev An attestation counts only while (a) it has not expired, (b) its round's model is still active and (c) the
/// wallet's current data commitment is still the one the proof was made against (same nonce): posting a new
/// commitment supersedes the attestation until a proof over the new data is submitted. An attestation never outlives
/// its data: it expires at the commitment's postedAt + the model's lifetime, so re-submitting a proof later extends
/// nothing. The registry records when each of these happened (`creditPeriodOf`), so that a market can date a
/// downgrade to the moment the attestation stopped counting rather than to when somebody noticed.
/// @dev A commitment value belongs to the first wallet it is posted for: one proof can never attest two wallets.
interface IAttestationRegistry is ICreditOracle {
    /* ROLES */

    /// @notice The role that registers and retires models and registers circuits; admin of ATTESTOR_ROLE.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /// @notice The role that posts wallets' data commitments. Several holders are allowed.
    function ATTESTOR_ROLE() external view returns (bytes32);

    /* GOVERNANCE */

    /// @notice Registers a credit model under its parameter commitment and makes it the current model.
    /// @dev Model ids are never reused: a retired model cannot be registered again. The previous current model stays
    /// active (its attestations keep counting until they expire) but accepts no new attestations. The model accepts
    /// none either until a circuit is registered for it (`registerCircuit`).
    /// @param modelId bytes32(paramCommitment): the Poseidon hash of the model weights, a non-zero field element.
    /// @param tierCount Number of tiers, in [MIN_TIER_COUNT, MAX_TIER_COUNT].
    /// @param outputScale Fixed-point output scale, at most MAX_OUTPUT_SCALE.
    /// @param lifetime Attestation lifetime from the commitment's posting, in [MIN_ATTESTATION_LIFETIME,
    /// MAX_ATTESTATION_LIFETIME].
    function registerModel(bytes32 modelId, uint8 tierCount, uint8 outputScale, uint64 lifetime) external;

    /// @notice Registers the verifier of `modelId`'s circuit with `slots` wallet slots.
    /// @dev A (model, slots) pair is set once and never replaced. The model must be registered and active.
    /// @param slots The circuit's number of wallet slots, in [1, MAX_ROUND_SLOTS]; 1 is the single-wallet circuit.
    /// @param verifier The circuit's generated verifier (must hold code).
    function registerCircuit(bytes32 modelId, uint16 slots, address verifier) external;

    /// @notice Retires a model for good: its attestations stop counting and it accepts no new proofs. Retiring the
    /// current model leaves no current model until another is registered. The time is recorded (`Model.retiredAt`):
    /// it is when those attestations stopped counting (`creditPeriodOf`).
    function retireModel(bytes32 modelId) external;

    /* ATTESTOR */

    /// @notice Posts `wallet`'s salted data commitment, replacing the previous one, and bumps the wallet's nonce.
    /// @dev Supersedes the wallet's current attestation (see the contract-level notes) and records when.
    /// @dev Reverts with `CommitmentOfAnotherWallet` when the value was ever posted for another wallet: a proof over
    /// it would attest both wallets. Salted commitments of genuine data never collide; re-posting a wallet's own
    /// earlier value is allowed.
    /// @param commitment A non-zero BN254 scalar field element.
    function postCommitment(address wallet, uint256 commitment) external;

    /* ATTESTATION */

    /// @notice Verifies one proof over `wallets.length` slots under the current model and attests every wallet
    /// whose slot matches its current data commitment. Permissionless.
    /// @dev Anyone may submit a round: it can only restate what the model outputs on each wallet's committed data.
    /// Checks (each a custom error, nothing written on failure): the model is registered, active and current; the
    /// round is not empty; a circuit is registered for exactly `wallets.length` slots (`NoCircuitForSlots`); the
    /// instance count and layout (see the contract-level notes); every tier and claim instance, padding included,
    /// is well formed; the real wallets are non-zero and strictly ascending, followed only by padding; the verifier
    /// accepts the proof (`ProofRejected` when it reverts or returns false).
    /// @dev Gas: a verifier call that fails having left the registry less than 1/VERIFIER_OUT_OF_GAS_DIVISOR of the
    /// gas it had before the call ran out of gas (EIP-150 forwards at most 63/64, and the generated verifiers pass all
    /// of theirs on to the pairing precompiles): it reverts with `VerifierOutOfGas`, not `ProofRejected`, and the
    /// submitter should retry with a higher gas limit. A rejection that happens to use more than that share of the
    /// gas reads as out of gas too; the retry then reports `ProofRejected`.
    /// @dev Padding: a slot whose wallet is address(0) is padding and is never attested (no commitment can exist for
    /// address(0)). The prover fills padding slots with a fixed padding input; whatever that input proves, it can
    /// never attest anyone.
    /// @dev A real wallet whose current commitment is absent, differs from its slot's input commitment, or has
    /// expired is skipped with `SlotSkipped`; the round never reverts for it. The round is recorded even when it
    /// attests no wallet (its skipped events are the audit trail).
    /// @param wallets One wallet per slot: real wallets strictly ascending, then address(0) padding.
    /// @param instances The proof's 3 * wallets.length + 1 public instances, big-endian field elements.
    /// @return roundId The new round's id.
    /// @return attested How many wallets were attested.
    function attestRound(
        bytes32 modelId,
        address[] calldata wallets,
        bytes calldata proof,
        uint256[] calldata instances
    ) external returns (uint64 roundId, uint256 attested);

    /// @notice Verifies a single-wallet proof (the circuit registered with 1 slot) for `wallet` under the current
    /// model and records it as a round of one. Permissionless.
    /// @dev Same checks as `attestRound`, except that it reverts (`NoCommitment`, `InputCommitmentMismatch`,
    /// `CommitmentExpired`) where a round would skip the wallet, so that an on-demand caller learns why.
    /// @param instances [inputCommitment, paramCommitment, tier * 2**outputScale, claim], big-endian field elements.
    /// @return tier The proven tier.
    function attest(address wallet, bytes32 modelId, bytes calldata proof, uint256[] calldata instances)
        external
        returns (uint8 tier);

    /* VIEWS */

    /// @notice The model that accepts new attestations: the most recently registered one, 0 if it was retired.
    function currentModel() external view returns (bytes32);

    /// @notice The model registered under `modelId` (all fields zero if none).
    function model(bytes32 modelId) external view returns (Model memory);

    /// @notice The verifier of `modelId`'s circuit with `slots` wallet slots (zero if none).
    function verifierOf(bytes32 modelId, uint16 slots) external view returns (address);

    /// @notice The number of rounds recorded so far: round ids run from 1 to roundCount.
    function roundCount() external view returns (uint64);

    /// @notice Round `roundId` (all fields zero if none).
    function roundOf(uint64 roundId) external view returns (Round memory);

    /// @notice `wallet`'s current data commitment (value 0 and nonce 0 if none).
    function commitmentOf(address wallet) external view returns (DataCommitment memory);

    /// @notice `wallet`'s latest attestation record with its round, valid or not (all fields zero if none).
    function attestationOf(address wallet) external view returns (AttestationView memory);

    /// @notice The wallet a commitment value was first posted for (address(0) if never posted).
    function commitmentHolderOf(uint256 commitment) external view returns (address);
}
