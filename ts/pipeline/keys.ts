// A model's built circuits as the prover needs them: settings, the committed verifying key and
// manifest, and the proving key (regenerated into .cache, never committed).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../toolchain/paths.js";
import { stepReporter } from "../toolchain/progress.js";
import { ezklStep } from "../toolchain/python.js";
import { sha256File } from "./cache.js";
import { circuitPaths, modelPaths, type CircuitPaths, type CircuitSpec, type ModelSpec } from "./models.js";

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

/** A path relative to the repository root, for messages and manifests. */
export const rel = (p: string) => relative(ROOT, p);

export function regenerateCommand(spec: ModelSpec): string {
  return `npm run pipeline -- --model ${spec.name}`;
}

export function readSettings(paths: Pick<CircuitPaths, "settings">): { logrows: number; outputScale: number; inputScale: number; inputRange: number } {
  const s = readJson<{ run_args: { logrows: number; decomp_base: number; decomp_legs: number }; model_output_scales: number[]; model_input_scales: number[] }>(paths.settings);
  const inputScale = s.model_input_scales[0]!;
  // the circuit range-checks each quantized input against decomp_base^decomp_legs (signed): a
  // larger value cannot be proven at all, so it is refused before it reaches EZKL
  const inputRange = s.run_args.decomp_base ** s.run_args.decomp_legs / 2 / 2 ** inputScale;
  return { logrows: s.run_args.logrows, outputScale: s.model_output_scales[0]!, inputScale, inputRange };
}

export function requirePipelineOutputs(spec: ModelSpec, circuit: CircuitSpec): CircuitPaths {
  const paths = circuitPaths(spec, circuit);
  for (const p of [paths.settings, paths.compiled, paths.vk]) {
    if (!existsSync(p)) throw new Error(`missing ${rel(p)}: run \`${regenerateCommand(spec)}\``);
  }
  return paths;
}

/** One circuit's entry in circuits/<model>/manifest.json. */
export interface CircuitManifest {
  name: string;
  slots: number;
  verifierContract: string;
  verifierSource: string;
  logrows: number;
  instances: number;
  srs: { path: string; sha256: string; insecure: boolean };
  hashes: { onnx: string; settings: string; compiled: string; vk: string; verifier: string };
}

/** The committed manifest entry of one circuit (a missing manifest or entry names the command that writes it). */
export function circuitManifest(spec: ModelSpec, circuit: CircuitSpec): CircuitManifest {
  const { manifest } = modelPaths(spec);
  if (!existsSync(manifest)) throw new Error(`missing ${rel(manifest)}: run \`${regenerateCommand(spec)}\``);
  const entry = readJson<{ circuits?: CircuitManifest[] }>(manifest).circuits?.find((c) => c.name === circuit.name);
  if (!entry) throw new Error(`${rel(manifest)} has no ${circuit.name} circuit: run \`${regenerateCommand(spec)}\``);
  return entry;
}

/**
 * Make sure the proving key of a circuit exists and belongs to the committed verifying key. The
 * proving key is too large to commit (hundreds of MB); setup is deterministic given the compiled
 * circuit and the SRS, so it is regenerated into .cache and checked against the vk the verifier
 * was generated from.
 */
export async function ensureProvingKey(spec: ModelSpec, circuit: CircuitSpec, reporter = stepReporter(1)): Promise<{ srs: string }> {
  const paths = requirePipelineOutputs(spec, circuit);
  const manifest = circuitManifest(spec, circuit);
  const srs = join(ROOT, manifest.srs.path);
  if (sha256File(paths.vk) !== manifest.hashes.vk) {
    throw new Error(`${rel(paths.vk)} does not match ${rel(modelPaths(spec).manifest)}: run \`${regenerateCommand(spec)}\``);
  }
  if (existsSync(paths.pk) && provingKeyStamp(paths) === manifest.hashes.vk) return { srs };
  const tmpVk = join(paths.work, "setup-vk.key");
  mkdirSync(paths.work, { recursive: true });
  await reporter.step(`setup ${spec.name} ${circuit.name} proving key (once, into .cache)`, () =>
    ezklStep("setup", { compiled: paths.compiled, srs, vk: tmpVk, pk: paths.pk }),
  );
  if (sha256File(tmpVk) !== manifest.hashes.vk) {
    rmSync(paths.pk, { force: true });
    rmSync(stampPath(paths), { force: true });
    throw new Error(
      `setup produced a verifying key that differs from ${rel(paths.vk)} (compiled circuit, SRS and keys are out of step): run \`${regenerateCommand(spec)} --force\``,
    );
  }
  stampProvingKey(paths, tmpVk);
  return { srs };
}

/**
 * The proving key is cached outside git, so it can outlive the circuit it was made for. Beside
 * it lies the hash of the verifying key made in the same setup; a key whose stamp differs from
 * the committed vk is never used.
 */
const stampPath = (paths: CircuitPaths): string => `${paths.pk}.vk-sha256`;

export function stampProvingKey(paths: CircuitPaths, vk: string): void {
  writeFileSync(stampPath(paths), `${sha256File(vk)}\n`);
}

function provingKeyStamp(paths: CircuitPaths): string | undefined {
  return existsSync(stampPath(paths)) ? readFileSync(stampPath(paths), "utf8").trim() : undefined;
}
