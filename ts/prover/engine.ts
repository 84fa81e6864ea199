// @ezkljs/engine 21.0.0 (EZKL compiled to WebAssembly) in process: verification and the
// field-element encodings, with the same EZKL version as the Python pipeline.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface EzklEngine {
  verify(proof: Uint8ClampedArray, vk: Uint8ClampedArray, settings: Uint8ClampedArray, srs: Uint8ClampedArray): boolean;
  feltToBigEndian(felt: Uint8ClampedArray): string;
  poseidonHash(message: Uint8ClampedArray): Uint8ClampedArray;
  floatToFelt(value: number, scale: number, inputType: string): Uint8ClampedArray;
}

const engine = createRequire(import.meta.url)("@ezkljs/engine/nodejs/ezkl.js") as EzklEngine;

const bytes = (data: string | Uint8Array): Uint8ClampedArray =>
  new Uint8ClampedArray(typeof data === "string" ? Buffer.from(data) : data);

const serialize = (value: unknown): Uint8ClampedArray => bytes(JSON.stringify(value));

/** Keys and settings of one circuit, loaded once. */
export interface VerifierArtifacts {
  readonly vk: Uint8ClampedArray;
  readonly settings: Uint8ClampedArray;
  readonly srs: Uint8ClampedArray;
}

export function loadVerifierArtifacts(paths: { vk: string; settings: string; srs: string }): VerifierArtifacts {
  return { vk: bytes(readFileSync(paths.vk)), settings: bytes(readFileSync(paths.settings)), srs: bytes(readFileSync(paths.srs)) };
}

/** Verify an EZKL proof (the proof.json object). False for any rejected or malformed proof. */
export function verifyProof(proof: unknown, artifacts: VerifierArtifacts): boolean {
  try {
    return engine.verify(serialize(proof), artifacts.vk, artifacts.settings, artifacts.srs);
  } catch {
    return false;
  }
}

/** EZKL field elements are little-endian hex; Solidity takes them as big-endian uint256. */
export function feltToUint256(leHex: string): bigint {
  return BigInt(engine.feltToBigEndian(serialize(leHex.replace(/^0x/, ""))));
}

/** Poseidon hash (EZKL's parameters) of field elements given as little-endian hex. */
export function poseidon(leHexFelts: readonly string[]): string[] {
  const out = engine.poseidonHash(serialize(leHexFelts.map((f) => f.replace(/^0x/, ""))));
  return (JSON.parse(new TextDecoder().decode(out)) as string[][]).flat();
}

/** A float quantized to a field element at a fixed-point scale (little-endian hex). */
export function floatToFelt(value: number, scale: number): string {
  return JSON.parse(new TextDecoder().decode(engine.floatToFelt(value, scale, "f32"))) as string;
}

/**
 * The input commitment a proof will carry for this salted input: EZKL's Poseidon hash of the
 * input quantized at the circuit's input scale, as the uint256 the registry stores. This is
 * what the attestor posts on-chain; it needs no circuit or key.
 */
export function inputCommitment(saltedInput: readonly number[], inputScale: number): bigint {
  const [hash] = poseidon(saltedInput.map((x) => floatToFelt(x, inputScale)));
  if (!hash) throw new Error("poseidon returned no hash");
  return feltToUint256(hash);
}
