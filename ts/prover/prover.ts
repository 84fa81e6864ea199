// The long-lived prover: keys loaded once, then one proof per request. Two backends behind one
// interface: "native" (EZKL's Rust prover in one persistent Python worker, the default and the
// fast one) and "engine" (@ezkljs/engine, WebAssembly, in process). A prover serves one circuit
// of a model: the single-wallet circuit (`prove`) or a round circuit (`proveRound`, many wallets
// in one proof, unused slots padded).
import { join } from "node:path";
import { paddingInput } from "../pipeline/circuit.js";
import { ensureProvingKey, readSettings } from "../pipeline/keys.js";
import { circuitPaths, featureBounds, featureCount, getCircuit, modelPaths, type CircuitSpec, type ModelSpec } from "../pipeline/models.js";
import { readSaltSpec, saltedInput } from "../pipeline/salt.js";
import { requireArtifact } from "../toolchain/paths.js";
import { stepReporter, type StepReporter } from "../toolchain/progress.js";
import { EngineProver } from "./engine.js";
import { NativeProver } from "./native.js";
import type { ProofResult } from "./proof.js";

export const PROVER_BACKENDS = ["native", "engine"] as const;
export type ProverBackend = (typeof PROVER_BACKENDS)[number];

/** One wallet's private input to a proof. */
export interface WalletInput {
  readonly features: readonly number[];
  readonly salt: readonly number[];
}

export interface Prover {
  readonly backend: ProverBackend;
  readonly model: ModelSpec;
  readonly circuit: CircuitSpec;
  /** Milliseconds it took to load the keys (once). */
  readonly loadMs: number;
  /** Prove one wallet (slot 0; other slots, if any, padded); the proof is verified before it is returned. */
  prove(features: readonly number[], salt: readonly number[]): Promise<ProofResult>;
  /** Prove up to `circuit.slots` wallets in one proof, slot i = wallets[i], the rest padding. */
  proveRound(wallets: readonly WalletInput[]): Promise<ProofResult>;
  close(): Promise<void>;
}

export interface OpenProverOptions {
  backend?: ProverBackend;
  /** Which of the model's circuits: "single" (default) or "round". */
  circuit?: string;
  /** Where progress lines go (default: stderr, indented). */
  onProgress?: (line: string) => void;
  reporter?: StepReporter;
  /** Use this SRS and the cached proving key as they are (the pipeline, right after setup). */
  srs?: string;
}

export function parseBackend(name: string): ProverBackend {
  if (!(PROVER_BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`unknown prover backend "${name}" (one of: ${PROVER_BACKENDS.join(", ")})`);
  }
  return name as ProverBackend;
}

/** Slack on a feature's bounds, as features.ts allows between a feature's bounds and transform(clip). */
const BOUNDS_TOLERANCE = 1e-5;

/**
 * Refuse a feature vector the circuit cannot take, before any key is loaded: the wrong length, a
 * value that is not finite, outside its feature's bounds (when the model has a feature
 * definition), or beyond the range the circuit can check (EZKL would fail on it mid-proof).
 */
export function checkFeatures(model: ModelSpec, x: readonly number[], where = ""): void {
  const { description } = modelPaths(model);
  const features = featureCount(description);
  if (x.length !== features) throw new Error(`${where}model ${model.name} takes ${features} features, got ${x.length}`);
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${where}feature ${bad + 1} is ${x[bad]}, not a finite number`);
  const bounds = featureBounds(model);
  // features.json rounds bounds to 6 decimals: the transform of a clipped value may exceed them by less
  const out = bounds ? x.findIndex((v, i) => v < bounds[i]!.bounds[0] - BOUNDS_TOLERANCE || v > bounds[i]!.bounds[1] + BOUNDS_TOLERANCE) : -1;
  if (out >= 0) {
    const f = bounds![out]!;
    throw new Error(`${where}feature ${out + 1} (${f.name}) is ${x[out]}, outside its bounds [${f.bounds[0]}, ${f.bounds[1]}] (transformed values, ${model.featureSpec})`);
  }
  const { inputRange } = readSettings(circuitPaths(model, model.circuits[0]));
  const huge = x.findIndex((v) => Math.abs(v) >= inputRange);
  if (huge >= 0) throw new Error(`${where}feature ${huge + 1} is ${x[huge]}: the circuit can only take values below ${inputRange} in magnitude`);
}

/**
 * Start a prover for one circuit of a model: regenerate the proving key if it is not cached
 * (checked against the committed verifying key), then load it once into the chosen backend.
 */
export async function openProver(model: ModelSpec, opts: OpenProverOptions = {}): Promise<Prover> {
  const backend = opts.backend ?? "native";
  const circuit = getCircuit(model, opts.circuit ?? "single");
  const reporter = opts.reporter ?? stepReporter(2);
  const paths = circuitPaths(model, circuit);
  const srs = opts.srs ?? (await ensureProvingKey(model, circuit, reporter)).srs;
  if (opts.srs) requireArtifact(paths.pk, `npm run pipeline -- --model ${model.name}`);
  const { outputScale } = readSettings(paths);
  const { description } = modelPaths(model);
  const saltSpec = readSaltSpec(description);
  const features = featureCount(description);
  const inputLength = features + saltSpec.saltLength;
  const onProgress = opts.onProgress ?? ((l: string) => process.stderr.write(`      ${l}\n`));
  const artifacts = { compiled: paths.compiled, pk: paths.pk, srs, settings: paths.settings, vk: paths.vk, inputLength, slots: circuit.slots, outputScale, onProgress };
  const inner = await reporter.step(`load ${model.name} ${circuit.name} proving key (${backend})`, async () =>
    backend === "native" ? NativeProver.start({ ...artifacts, work: join(paths.work, `prover-${process.pid}`) }) : new EngineProver(artifacts),
  );
  const encode = ({ features: x, salt }: WalletInput, slot: number): number[] => {
    const where = circuit.slots > 1 ? `slot ${slot}: ` : "";
    checkFeatures(model, x, where);
    if (salt.length !== saltSpec.saltLength) throw new Error(`${where}model ${model.name} takes a salt of ${saltSpec.saltLength} values, got ${salt.length}`);
    return saltedInput(x, salt, saltSpec);
  };
  const proveRound = async (wallets: readonly WalletInput[]): Promise<ProofResult> => {
    if (wallets.length === 0) throw new Error("a round needs at least one wallet");
    if (wallets.length > circuit.slots) throw new Error(`${wallets.length} wallets do not fit the ${circuit.name} circuit's ${circuit.slots} slots`);
    const inputs = wallets.map(encode);
    while (inputs.length < circuit.slots) inputs.push(paddingInput(inputLength));
    return inner.prove(inputs);
  };
  return {
    backend,
    model,
    circuit,
    loadMs: inner.loadMs,
    prove: (x, salt) => proveRound([{ features: x, salt }]),
    proveRound,
    close: () => inner.close(),
  };
}

/**
 * The provers of one model's circuits, each opened (keys loaded) on first use and kept: the
 * attestation runtime proves rounds with the round circuit and a lone wallet with the single one.
 */
export interface ProverPool {
  readonly model: ModelSpec;
  /** The circuit's slot count, without loading its keys. */
  slots(circuit: string): Promise<number>;
  get(circuit: string): Promise<Prover>;
  close(): Promise<void>;
}

export function openProverPool(model: ModelSpec, opts: Omit<OpenProverOptions, "circuit"> = {}): ProverPool {
  const open = new Map<string, Promise<Prover>>();
  return {
    model,
    slots: async (circuit) => getCircuit(model, circuit).slots,
    get(circuit) {
      let p = open.get(circuit);
      if (!p) {
        p = openProver(model, { ...opts, circuit });
        open.set(circuit, p);
      }
      return p;
    },
    async close() {
      const all = await Promise.allSettled(open.values());
      await Promise.all(all.flatMap((r) => (r.status === "fulfilled" ? [r.value.close()] : [])));
    },
  };
}
