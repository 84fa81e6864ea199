// The models zkrisk can compile into circuits, and where each one's artifacts live.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../toolchain/paths.js";

export interface ModelSpec {
  /** Short name, also the folder name under models/, circuits/ and test/fixtures/. */
  readonly name: string;
  /** Solidity contract name of the generated verifier. */
  readonly verifierContract: string;
  /** Command (project-relative Python script + args) that writes models/<name>/out/model.onnx. */
  readonly exportScript: readonly [string, ...string[]];
  /** Files whose content decides whether the export must run again. */
  readonly exportInputs: readonly string[];
  /** File (project-relative) that gives the feature count and the salt spec. */
  readonly description: string;
  /**
   * Where the fixture wallets come from: a committed wallets file, or a test split written
   * by training ({x, tier, score, thresholds, wallet}), from which the pipeline picks wallets
   * of every tier and measures the circuit's tier agreement.
   */
  readonly fixtureSource: { readonly wallets: string } | { readonly testSplit: string };
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  smoke: {
    name: "smoke",
    verifierContract: "SmokeVerifier",
    exportScript: ["models/smoke/model.py", "--out", "models/smoke/out"],
    exportInputs: ["models/smoke/model.py"],
    description: "models/smoke/out/model.json",
    fixtureSource: { wallets: "models/smoke/wallets.json" },
  },
  credit: {
    name: "credit",
    verifierContract: "CreditVerifier",
    exportScript: ["models/credit/pipeline.py", "--out", "models/credit/out"],
    exportInputs: [
      "models/credit/features.json",
      "models/credit/features.py",
      "models/credit/simulate.py",
      "models/credit/train.py",
      "models/credit/export.py",
      "models/credit/pipeline.py",
      "models/credit/data/eth_usd_daily_2023-01_2025-10.csv",
    ],
    description: "models/credit/out/model.json",
    fixtureSource: { testSplit: "models/credit/out/test_split.json" },
  },
};

/** Every path of one model's pipeline, absolute. */
export function modelPaths(spec: ModelSpec) {
  const circuit = join(ROOT, "circuits", spec.name);
  const fixtures = join(ROOT, "test", "fixtures", spec.name);
  return {
    onnx: join(ROOT, "models", spec.name, "out", "model.onnx"),
    description: join(ROOT, spec.description),
    wallets: join(ROOT, "wallets" in spec.fixtureSource ? spec.fixtureSource.wallets : join("circuits", spec.name, "wallets.json")),
    testSplit: "testSplit" in spec.fixtureSource ? join(ROOT, spec.fixtureSource.testSplit) : undefined,
    agreement: join(circuit, "agreement.json"),
    circuit,
    calibration: join(circuit, "calibration.json"),
    settings: join(circuit, "settings.json"),
    compiled: join(circuit, "model.compiled"),
    vk: join(circuit, "vk.key"),
    abi: join(circuit, "verifier.abi.json"),
    manifest: join(circuit, "manifest.json"),
    pk: join(ROOT, ".cache", "keys", spec.name, "pk.key"),
    work: join(ROOT, ".cache", "work", spec.name),
    verifierSol: join(ROOT, "src", "verifiers", `${spec.verifierContract}.sol`),
    fixtures,
    fixtureManifest: join(fixtures, "manifest.json"),
    state: join(ROOT, ".cache", "pipeline", `${spec.name}.json`),
  };
}

export type ModelPaths = ReturnType<typeof modelPaths>;

/** The local, INSECURE SRS used for tests and the demo (a ceremony SRS is passed with --srs). */
export function insecureSrsPath(logrows: number): string {
  return join(ROOT, "circuits", "srs", `INSECURE-local-kzg-${logrows}.srs`);
}

export function getModel(name: string): ModelSpec {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model "${name}" (known: ${Object.keys(MODELS).join(", ")})`);
  return spec;
}

/** How many features (without salt) a model takes, from its model description (model.json). */
export function featureCount(description: string): number {
  const { features, featureNames } = JSON.parse(readFileSync(description, "utf8")) as { features?: unknown; featureNames?: unknown };
  const n = Array.isArray(featureNames) ? featureNames.length : Array.isArray(features) ? features.length : features;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new Error(`${description} does not say how many features the model takes`);
  return n;
}
