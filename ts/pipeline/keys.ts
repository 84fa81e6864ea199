// A model's built circuit as the prover needs it: settings, the committed verifying key and
// manifest, and the proving key (regenerated into .cache, never committed).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../toolchain/paths.js";
import { stepReporter } from "../toolchain/progress.js";
import { ezklStep } from "../toolchain/python.js";
import { sha256File } from "./cache.js";
import { modelPaths, type ModelPaths, type ModelSpec } from "./models.js";

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

/** A path relative to the repository root, for messages and manifests. */
export const rel = (p: string) => relative(ROOT, p);

export function regenerateCommand(spec: ModelSpec): string {
  return `npm run pipeline -- --model ${spec.name}`;
}

export function readSettings(paths: ModelPaths): { logrows: number; outputScale: number; inputScale: number } {
  const s = readJson<{ run_args: { logrows: number }; model_output_scales: number[]; model_input_scales: number[] }>(paths.settings);
  return { logrows: s.run_args.logrows, outputScale: s.model_output_scales[0]!, inputScale: s.model_input_scales[0]! };
}

export function requirePipelineOutputs(spec: ModelSpec): ModelPaths {
  const paths = modelPaths(spec);
  for (const p of [paths.settings, paths.compiled, paths.vk]) {
    if (!existsSync(p)) throw new Error(`missing ${rel(p)}: run \`${regenerateCommand(spec)}\``);
  }
  return paths;
}

/**
 * Make sure the proving key exists and belongs to the committed verifying key. The proving
 * key is too large to commit (hundreds of MB); setup is deterministic given the compiled
 * circuit and the SRS, so it is regenerated into .cache and checked against the vk the
 * verifier was generated from.
 */
export async function ensureProvingKey(spec: ModelSpec, reporter = stepReporter(1)): Promise<{ srs: string }> {
  const paths = requirePipelineOutputs(spec);
  if (!existsSync(paths.manifest)) throw new Error(`missing ${rel(paths.manifest)}: run \`${regenerateCommand(spec)}\``);
  const manifest = readJson<{ srs: { path: string }; hashes: { vk: string } }>(paths.manifest);
  const srs = join(ROOT, manifest.srs.path);
  if (sha256File(paths.vk) !== manifest.hashes.vk) {
    throw new Error(`${rel(paths.vk)} does not match ${rel(paths.manifest)}: run \`${regenerateCommand(spec)}\``);
  }
  if (existsSync(paths.pk) && provingKeyStamp(paths) === manifest.hashes.vk) return { srs };
  const tmpVk = join(paths.work, "setup-vk.key");
  mkdirSync(paths.work, { recursive: true });
  await reporter.step(`setup ${spec.name} proving key (once, into .cache)`, () =>
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
const stampPath = (paths: ModelPaths): string => `${paths.pk}.vk-sha256`;

export function stampProvingKey(paths: ModelPaths, vk: string): void {
  writeFileSync(stampPath(paths), `${sha256File(vk)}\n`);
}

function provingKeyStamp(paths: ModelPaths): string | undefined {
  return existsSync(stampPath(paths)) ? readFileSync(stampPath(paths), "utf8").trim() : undefined;
}
