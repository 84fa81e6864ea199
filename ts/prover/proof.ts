// What a proof becomes for the contracts: EZKL's proof.json (little-endian field elements) turned
// into big-endian uint256 instances, the tier they encode, and the verifier calldata. The one
// conversion, shared by both prover backends and the proof fixtures.

/** The public instances of every zkrisk circuit: [input commitment, parameter commitment, tier]. */
export const INSTANCE_COUNT = 3;

/** A proof as the registry takes it. Hex strings are 0x-prefixed; instances are uint256. */
export interface Proof {
  tier: number;
  proof: string;
  instances: string[];
  inputCommitment: string;
  paramCommitment: string;
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

const uint256Hex = (x: bigint): string => `0x${x.toString(16).padStart(64, "0")}`;

/** The tier a field element encodes at the circuit's output scale. */
export function tierFromFelt(value: bigint, outputScale: number): number {
  const unit = 1n << BigInt(outputScale);
  if (value % unit !== 0n) throw new Error(`circuit output ${value} is not a whole tier at output scale ${outputScale}`);
  return Number(value / unit);
}

/** Turn EZKL's proof.json and its calldata into the contract-facing proof. */
export function proofFromEzkl(json: EzklProofJson, calldata: string, outputScale: number): Proof {
  const raw = json.instances?.[0];
  if (!Array.isArray(raw) || raw.length !== INSTANCE_COUNT) {
    throw new Error(`proof has ${raw?.length ?? 0} public instances, expected ${INSTANCE_COUNT}`);
  }
  if (typeof json.hex_proof !== "string" || !json.hex_proof.startsWith("0x")) throw new Error("proof.json has no hex_proof");
  const [input, params, output] = raw.map(leHexToBigInt) as [bigint, bigint, bigint];
  return {
    tier: tierFromFelt(output, outputScale),
    proof: json.hex_proof,
    instances: [input, params, output].map(uint256Hex),
    inputCommitment: uint256Hex(input),
    paramCommitment: uint256Hex(params),
    calldata,
  };
}
