// The long-lived prover: keys loaded once, then one proof per salted feature vector. Two
// backends behind one interface: "native" (EZKL's Rust prover in one persistent Python worker,
// the default and the fast one) and "engine" (@ezkljs/engine, WebAssembly, in process).
import { join } from "node:path";
import { ensureProvingKey, readSettings } from "../pipeline/keys.js";
import { featureCount, modelPaths, type ModelSpec } from "../pipeline/models.js";
import { readSaltSpec, saltedInput } from "../pipeline/salt.js";
import { requireArtifact } from "../toolchain/paths.js";
import { stepReporter, type StepReporter } from "../toolchain/progress.js";
import { EngineProver } from "./engine.js";
import { NativeProver } from "./native.js";
import type { ProofResult } from "./proof.js";

export const PROVER_BACKENDS = ["native", "engine"] as const;
export type ProverBackend = (typeof PROVER_BACKENDS)[number];

export interface Prover {
  readonly backend: ProverBackend;
  readonly model: ModelSpec;
  /** Milliseconds it took to load the keys (once). */
  readonly loadMs: number;
  /** Prove the model on features + salt; the proof is verified before it is returned. */
  prove(features: readonly number[], salt: readonly number[]): Promise<ProofResult>;
  close(): Promise<void>;
}

export interface OpenProverOptions {
  backend?: ProverBackend;
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

/**
 * Start a prover for a model: regenerate the proving key if it is not cached (checked against
 * the committed verifying key), then load it once into the chosen backend.
 */
export async function openProver(model: ModelSpec, opts: OpenProverOptions = {}): Promise<Prover> {
  const backend = opts.backend ?? "native";
  const reporter = opts.reporter ?? stepReporter(2);
  const paths = modelPaths(model);
  const srs = opts.srs ?? (await ensureProvingKey(model, reporter)).srs;
  if (opts.srs) requireArtifact(paths.pk, `npm run pipeline -- --model ${model.name}`);
  const { outputScale } = readSettings(paths);
  const { saltLength } = readSaltSpec(paths.description);
  const features = featureCount(paths.description);
  const inputLength = features + saltLength;
  const onProgress = opts.onProgress ?? ((l: string) => process.stderr.write(`      ${l}\n`));
  const artifacts = { compiled: paths.compiled, pk: paths.pk, srs, settings: paths.settings, vk: paths.vk, inputLength, outputScale, onProgress };
  const inner = await reporter.step(`load ${model.name} proving key (${backend})`, async () =>
    backend === "native" ? NativeProver.start({ ...artifacts, work: join(paths.work, `prover-${process.pid}`) }) : new EngineProver(artifacts),
  );
  return {
    backend,
    model,
    loadMs: inner.loadMs,
    async prove(x, salt) {
      if (x.length !== features) throw new Error(`model ${model.name} takes ${features} features, got ${x.length}`);
      const bad = x.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`feature ${bad + 1} is ${x[bad]}, not a finite number`);
      if (salt.length !== saltLength) throw new Error(`model ${model.name} takes a salt of ${saltLength} values, got ${salt.length}`);
      return inner.prove(saltedInput(x, salt));
    },
    close: () => inner.close(),
  };
}
