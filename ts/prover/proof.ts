// What a proof becomes for the contracts: EZKL's proof.json (little-endian field elements) turned
// into big-endian uint256 instances, the tier (and claims) of every wallet slot they encode, and
// the verifier calldata. The one conversion, shared by both prover backends and the fixtures.
//
// Public instances of a circuit with B slots, in EZKL's order (hashed inputs, hashed params,
// outputs): [c_0 .. c_{B-1}, paramCommitment, out_0 .., out_{B-1} ..], where each slot's outputs
// are [tier] (smoke) or [tier, neverLiquidated] (credit), fixed-point at the output scale.

/** One wallet slot of a proof. */
export interface ProofSlot {
  inputCommitment: string;
  tier: number;
  /** The proven "never liquidated on any indexed protocol and chain" bit (absent for tier-only circuits). */
  neverLiquidated?: boolean;
}

/** A proof as the registry takes it. Hex strings are 0x-prefixed; instances are uint256. */
export interface Proof {
  proof: string;
  instances: string[];
  paramCommitment: string;
  slots: ProofSlot[];
  /** Slot 0's tier and input commitment (the whole proof for a single-wallet circuit). */
  tier: number;
  inputCommitment: string;
  neverLiquidated?: boolean;
  calldata: string;
}

/** Milliseconds spent per stage of one proof. */
export interface ProofTimings {
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
}

/** A fresh proof: the contract-facing fields, EZKL's own proof.json, and what it cost. */
export interface ProofResult extends Proof {
  proofJson: EzklProofJson;
  timings: ProofTimings;
}

export interface EzklProofJson {
  instances: string[][];
  hex_proof: string;
  [key: string]: unknown;
}

/** EZKL writes field elements as little-endian hex; Solidity takes them as big-endian uint256. */
export function leHexToBigInt(leHex: string): bigint {
  const hex = leHex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0 || hex.length === 0) throw new Error(`"${leHex}" is not a hex field element`);
  return BigInt(`0x${Buffer.from(hex, "hex").reverse().toString("hex")}`);
}

export const uint256Hex = (x: bigint): string => `0x${x.toString(16).padStart(64, "0")}`;

/** The whole number a field element encodes at the circuit's output scale (a tier, or a 0/1 claim). */
export function tierFromFelt(value: bigint, outputScale: number): number {
  const unit = 1n << BigInt(outputScale);
  if (value % unit !== 0n) throw new Error(`circuit output ${value} is not a whole number at output scale ${outputScale}`);
  return Number(value / unit);
}

/** Outputs per slot a circuit with `slots` slots has, given its instance count. */
function outputsPerSlot(instances: number, slots: number): number {
  const per = (instances - 1 - slots) / slots;
  if (!Number.isInteger(per) || per < 1 || per > 2) {
    throw new Error(`proof has ${instances} public instances, which does not fit ${slots} slot(s) of [commitment] + [param] + [tier(, claim)]`);
  }
  return per;
}

/** Turn EZKL's proof.json and its calldata into the contract-facing proof of a `slots`-slot circuit. */
export function proofFromEzkl(json: EzklProofJson, calldata: string, outputScale: number, slots = 1): Proof {
  const raw = json.instances?.[0];
  if (!Array.isArray(raw)) throw new Error("proof.json has no instances");
  const per = outputsPerSlot(raw.length, slots);
  if (typeof json.hex_proof !== "string" || !json.hex_proof.startsWith("0x")) throw new Error("proof.json has no hex_proof");
  const felts = raw.map(leHexToBigInt);
  const out = (slot: number, k: number) => felts[slots + 1 + slot * per + k]!;
  const slotList: ProofSlot[] = Array.from({ length: slots }, (_, i) => {
    const s: ProofSlot = { inputCommitment: uint256Hex(felts[i]!), tier: tierFromFelt(out(i, 0), outputScale) };
    if (per === 2) {
      const claim = tierFromFelt(out(i, 1), outputScale);
      if (claim !== 0 && claim !== 1) throw new Error(`slot ${i}: never-liquidated output ${claim} is not 0 or 1`);
      s.neverLiquidated = claim === 1;
    }
    return s;
  });
  const first = slotList[0]!;
  return {
    proof: json.hex_proof,
    instances: felts.map(uint256Hex),
    paramCommitment: uint256Hex(felts[slots]!),
    slots: slotList,
    tier: first.tier,
    inputCommitment: first.inputCommitment,
    ...(first.neverLiquidated === undefined ? {} : { neverLiquidated: first.neverLiquidated }),
    calldata,
  };
}
