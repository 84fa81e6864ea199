// The models zkrisk can compile into circuits, and where each one's artifacts live. A model may
// be compiled into several circuits that share its weights (hence one parameter commitment, one
// model id): a single-wallet circuit for on-demand proofs and a round circuit with many wallet
// slots, whose one proof attests every wallet in it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../toolchain/paths.js";

/** EZKL run arguments fixed by measurement (docs in circuits/<model>/README.md); absent: calibrated. */
export interface CircuitRunArgs {
  readonly inputScale: number;
  readonly paramScale: number;
  readonly logrows: number;
  readonly decompBase: number;
  readonly decompLegs: number;
  readonly numInnerCols: number;
}

export interface CircuitSpec {
  /** "single" (one wallet) or "round" (many); also the key of the circuit in the manifest. */
  readonly name: string;
  /** Wallet slots: one input tensor per slot, each hashed on its own. */
  readonly slots: number;
  /** Solidity contract name of the generated verifier. */
  readonly verifierContract: string;
  /** The ONNX graph (project-relative) the model's export writes for this circuit. */
  readonly onnx: string;
  /** Folder (project-relative) of the circuit's committed artifacts (settings, compiled circuit, vk). */
  readonly dir: string;
  /** Fixed run arguments; without them the pipeline calibrates (the smoke model). */
  readonly runArgs?: CircuitRunArgs;
}

export interface ModelSpec {
  /** Short name, also the folder name under models/, circuits/ and test/fixtures/. */
  readonly name: string;
  /** The circuits compiled from the model; the first is the single-wallet one. */
  readonly circuits: readonly [CircuitSpec, ...CircuitSpec[]];
  /** Command (project-relative Python script + args) that writes the model's ONNX graphs. */
  readonly exportScript: readonly [string, ...string[]];
  /** Files whose content decides whether the export must run again. */
  readonly exportInputs: readonly string[];
  /** File (project-relative) that gives the feature count and the salt spec. */
  readonly description: string;
  /** The feature definition with each feature's name and bounds (features.json), when the model has one. */
  readonly featureSpec?: string;
  /**
   * Where the fixture wallets come from: a committed wallets file, or a test split written
   * by training ({x, tier, score, thresholds, wallet}), from which the pipeline picks wallets
   * of every tier and measures the circuit's tier agreement.
   */
  readonly fixtureSource: { readonly wallets: string } | { readonly testSplit: string };
}

/** The credit circuits' run arguments: scales 12 (tier agreement 100% on the test split), a 2^12 range table. */
const CREDIT_ARGS = { inputScale: 12, paramScale: 12, decompBase: 4096, decompLegs: 2, numInnerCols: 2 } as const;

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  smoke: {
    name: "smoke",
    circuits: [{ name: "single", slots: 1, verifierContract: "SmokeVerifier", onnx: "models/smoke/out/model.onnx", dir: "circuits/smoke" }],
    exportScript: ["models/smoke/model.py", "--out", "models/smoke/out"],
    exportInputs: ["models/smoke/model.py"],
    description: "models/smoke/out/model.json",
    fixtureSource: { wallets: "models/smoke/wallets.json" },
  },
  credit: {
    name: "credit",
    circuits: [
      {
        name: "single",
        slots: 1,
        verifierContract: "CreditVerifier",
        onnx: "models/credit/out/model.onnx",
        dir: "circuits/credit/single",
        runArgs: { ...CREDIT_ARGS, logrows: 14 },
      },
      {
        name: "round",
        slots: 96,
        verifierContract: "CreditRoundVerifier",
        onnx: "models/credit/out/model_round.onnx",
        dir: "circuits/credit/round",
        runArgs: { ...CREDIT_ARGS, logrows: 17 },
      },
    ],
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
    featureSpec: "models/credit/features.json",
    fixtureSource: { testSplit: "models/credit/out/test_split.json" },
  },
};

/** Every model-level path of one model's pipeline, absolute. */
export function modelPaths(spec: ModelSpec) {
  const circuit = join(ROOT, "circuits", spec.name);
  const fixtures = join(ROOT, "test", "fixtures", spec.name);
  return {
    description: join(ROOT, spec.description),
    wallets: join(ROOT, "wallets" in spec.fixtureSource ? spec.fixtureSource.wallets : join("circuits", spec.name, "wallets.json")),
    testSplit: "testSplit" in spec.fixtureSource ? join(ROOT, spec.fixtureSource.testSplit) : undefined,
    agreement: join(circuit, "agreement.json"),
    circuit,
    calibration: join(circuit, "calibration.json"),
    manifest: join(circuit, "manifest.json"),
    work: join(ROOT, ".cache", "work", spec.name),
    fixtures,
    fixtureManifest: join(fixtures, "manifest.json"),
    state: join(ROOT, ".cache", "pipeline", `${spec.name}.json`),
  };
}

export type ModelPaths = ReturnType<typeof modelPaths>;

/** Every path of one circuit of a model, absolute. */
export function circuitPaths(spec: ModelSpec, circuit: CircuitSpec) {
  const dir = join(ROOT, circuit.dir);
  return {
    onnx: join(ROOT, circuit.onnx),
    settings: join(dir, "settings.json"),
    compiled: join(dir, "model.compiled"),
    vk: join(dir, "vk.key"),
    abi: join(dir, "verifier.abi.json"),
    pk: join(ROOT, ".cache", "keys", spec.name, circuit.name, "pk.key"),
    work: join(ROOT, ".cache", "work", spec.name, circuit.name),
    verifierSol: join(ROOT, "src", "verifiers", `${circuit.verifierContract}.sol`),
  };
}

export type CircuitPaths = ReturnType<typeof circuitPaths>;

/** A model's circuit by name ("single" or "round"). */
export function getCircuit(spec: ModelSpec, name: string): CircuitSpec {
  const c = spec.circuits.find((x) => x.name === name);
  if (!c) throw new Error(`model ${spec.name} has no ${name} circuit (it has: ${spec.circuits.map((x) => x.name).join(", ")})`);
  return c;
}

/** The local, INSECURE SRS used for tests and the demo (a ceremony SRS is passed with --srs). */
export function insecureSrsPath(logrows: number): string {
  return join(ROOT, "circuits", "srs", `INSECURE-local-kzg-${logrows}.srs`);
}

export function getModel(name: string): ModelSpec {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model "${name}" (known: ${Object.keys(MODELS).join(", ")})`);
  return spec;
}

/** Each feature's name and [lower, upper] bounds, from the model's feature definition (undefined without one). */
export function featureBounds(spec: ModelSpec): { name: string; bounds: [number, number] }[] | undefined {
  if (!spec.featureSpec) return undefined;
  const { features } = JSON.parse(readFileSync(join(ROOT, spec.featureSpec), "utf8")) as { features: { name: string; bounds: [number, number] }[] };
  return features.map((f) => ({ name: f.name, bounds: f.bounds }));
}

/** How many features (without salt) a model takes, from its model description (model.json). */
export function featureCount(description: string): number {
  const { features, featureNames } = JSON.parse(readFileSync(description, "utf8")) as { features?: unknown; featureNames?: unknown };
  const n = Array.isArray(featureNames) ? featureNames.length : Array.isArray(features) ? features.length : features;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new Error(`${description} does not say how many features the model takes`);
  return n;
}
