// @ezkljs/engine 21.0.0 (EZKL compiled to WebAssembly) in process: verification, the
// field-element encodings, and the in-process backend of the long-lived prover, with the same
// EZKL version as the Python pipeline.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { leHexToBigInt, proofFromEzkl, type EzklProofJson, type ProofResult } from "./proof.js";

interface EzklEngine {
  verify(proof: Uint8ClampedArray, vk: Uint8ClampedArray, settings: Uint8ClampedArray, srs: Uint8ClampedArray): boolean;
  poseidonHash(message: Uint8ClampedArray): Uint8ClampedArray;
  floatToFelt(value: number, scale: number, inputType: string): Uint8ClampedArray;
  genWitness(compiled: Uint8ClampedArray, input: Uint8ClampedArray): Uint8Array;
  prove(witness: Uint8ClampedArray, pk: Uint8ClampedArray, compiled: Uint8ClampedArray, srs: Uint8ClampedArray): Uint8Array;
  encodeVerifierCalldata(proof: Uint8ClampedArray, vkAddress?: Uint8Array): Uint8Array;
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
  return leHexToBigInt(hash);
}

export interface EngineProverOptions {
  compiled: string;
  pk: string;
  srs: string;
  settings: string;
  vk: string;
  inputLength: number;
  /** Wallet slots of the circuit: every proof takes one salted input per slot. */
  slots: number;
  outputScale: number;
  onProgress?: (line: string) => void;
}

const decodeJson = <T>(bytes: Uint8Array | Uint8ClampedArray): T => JSON.parse(new TextDecoder().decode(bytes)) as T;

/**
 * The in-process backend of the long-lived prover: circuit, proving key, SRS and verifying key
 * are read from disk once and kept in memory; each proof runs witness, prove and verify in
 * WebAssembly on the calling thread (single-threaded: the engine blocks the event loop while
 * it proves).
 */
export class EngineProver {
  readonly backend = "engine" as const;
  private readonly compiled: Uint8ClampedArray;
  private readonly pk: Uint8ClampedArray;
  private readonly verifier: VerifierArtifacts;
  /** Milliseconds spent reading the artifacts into memory. */
  readonly loadMs: number;

  constructor(private readonly opts: EngineProverOptions) {
    const started = performance.now();
    this.compiled = bytes(readFileSync(opts.compiled));
    this.pk = bytes(readFileSync(opts.pk));
    this.verifier = loadVerifierArtifacts(opts);
    this.loadMs = performance.now() - started;
  }

  /** Prove one salted input per slot (features then salt); the proof is verified before it is returned. */
  async prove(inputs: readonly (readonly number[])[]): Promise<ProofResult> {
    if (inputs.length !== this.opts.slots) throw new Error(`the circuit takes ${this.opts.slots} slot inputs, got ${inputs.length}`);
    for (const input of inputs) {
      if (input.length !== this.opts.inputLength || !input.every(Number.isFinite)) {
        throw new Error(`input must be ${this.opts.inputLength} finite numbers`);
      }
    }
    const progress = this.opts.onProgress ?? (() => undefined);
    let t = performance.now();
    const witness = engine.genWitness(this.compiled, serialize({ input_data: inputs }));
    const witnessMs = performance.now() - t;
    progress(`witness ${witnessMs.toFixed(0)} ms; proving (WebAssembly, one thread)`);
    t = performance.now();
    const proofBytes = bytes(engine.prove(bytes(witness), this.pk, this.compiled, this.verifier.srs));
    const proveMs = performance.now() - t;
    progress(`proved in ${proveMs.toFixed(0)} ms; verifying`);
    t = performance.now();
    if (!engine.verify(proofBytes, this.verifier.vk, this.verifier.settings, this.verifier.srs)) {
      throw new Error("engine prover: the new proof does not verify");
    }
    const verifyMs = performance.now() - t;
    const json = decodeJson<EzklProofJson>(proofBytes);
    const calldata = `0x${Buffer.from(engine.encodeVerifierCalldata(proofBytes)).toString("hex")}`;
    return { ...proofFromEzkl(json, calldata, this.opts.outputScale, this.opts.slots), proofJson: json, timings: { witnessMs, proveMs, verifyMs } };
  }

  async close(): Promise<void> {}
}
