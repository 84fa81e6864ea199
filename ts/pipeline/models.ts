// The models zkrisk can compile into circuits, and where each one's artifacts live.
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
  /** Wallet inputs whose proofs become test fixtures (features without salt). */
  readonly fixtureWallets: string;
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  smoke: {
    name: "smoke",
    verifierContract: "SmokeVerifier",
    exportScript: ["models/smoke/model.py", "--out", "models/smoke/out"],
    exportInputs: ["models/smoke/model.py"],
    fixtureWallets: "models/smoke/wallets.json",
  },
};

/** Every path of one model's pipeline, absolute. */
export function modelPaths(spec: ModelSpec) {
  const circuit = join(ROOT, "circuits", spec.name);
  const fixtures = join(ROOT, "test", "fixtures", spec.name);
  return {
    onnx: join(ROOT, "models", spec.name, "out", "model.onnx"),
    modelJson: join(ROOT, "models", spec.name, "out", "model.json"),
    wallets: join(ROOT, spec.fixtureWallets),
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
