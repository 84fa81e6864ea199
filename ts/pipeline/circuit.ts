// The circuit pipeline for one model: export -> settings -> calibrate -> compile -> SRS ->
// setup -> verifier -> fixtures -> manifest. Each step is skipped when its inputs did not
// change (content hashes), so an interrupted run resumes where it stopped.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../toolchain/paths.js";
import { stepReporter, type StepReporter } from "../toolchain/progress.js";
import { ezklStep, runPython } from "../toolchain/python.js";
import { StepCache, sha256File, writeFileAtomic } from "./cache.js";
import { insecureSrsPath, modelPaths, type ModelPaths, type ModelSpec } from "./models.js";
import { drawSalt, readSaltSpec, saltedInput } from "./salt.js";

/** Number of tiers every zkrisk model outputs (0 low, 1 medium, 2 high risk). */
export const TIER_COUNT = 3;

/** The circuit must reproduce the float model's tier on at least this share of the test split. */
export const MIN_TIER_AGREEMENT = 0.99;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

export interface PipelineOptions {
  readonly model: ModelSpec;
  /** A ceremony SRS file; without it an INSECURE local SRS is generated (tests and demo only). */
  readonly srs?: string;
  /** Run every step even when its inputs did not change. */
  readonly force?: boolean;
  readonly reporter?: StepReporter;
}

interface TestSplit {
  x: number[][];
  tier: number[];
  score: number[];
  thresholds: number[];
  wallet: string[];
}

/** Fixture wallets per tier, and calibration rows, taken from a training test split. */
const WALLETS_PER_TIER = 2;
const CALIBRATION_ROWS = 32;
/** Fixture wallets sit at least this far (in logits) from a tier threshold. */
const FIXTURE_MARGIN = 0.25;
const TIER_NAMES = ["low", "medium", "high"] as const;

function selectWallets(split: TestSplit): FixtureWallet[] {
  const out: FixtureWallet[] = [];
  for (let tier = 0; tier < TIER_COUNT; tier++) {
    const picks = split.x
      .map((features, i) => ({ features, i }))
      .filter(({ i }) => split.tier[i] === tier && split.thresholds.every((t) => Math.abs(split.score[i]! - t) > FIXTURE_MARGIN))
      .slice(0, WALLETS_PER_TIER);
    if (picks.length < WALLETS_PER_TIER) throw new Error(`test split has fewer than ${WALLETS_PER_TIER} clear tier-${tier} wallets`);
    picks.forEach(({ features, i }, j) => out.push({ name: `${TIER_NAMES[tier]}-${j}`, features, expectedTier: tier, wallet: split.wallet[i] }));
  }
  return out;
}

interface FixtureWallet {
  readonly wallet?: string | undefined;
  readonly name: string;
  readonly features: number[];
  readonly expectedTier: number;
}

export interface ProofFixture {
  name: string;
  tier: number;
  features: number[];
  salt: number[];
  proof: string;
  instances: string[];
  inputCommitment: string;
  paramCommitment: string;
  calldata: string;
}

const rel = (p: string) => relative(ROOT, p);

export function readSettings(paths: ModelPaths): { logrows: number; outputScale: number; inputScale: number } {
  const s = readJson<{ run_args: { logrows: number }; model_output_scales: number[]; model_input_scales: number[] }>(paths.settings);
  return { logrows: s.run_args.logrows, outputScale: s.model_output_scales[0]!, inputScale: s.model_input_scales[0]! };
}

function readWallets(paths: ModelPaths): FixtureWallet[] {
  const { wallets } = readJson<{ wallets: FixtureWallet[] }>(paths.wallets);
  if (!Array.isArray(wallets) || wallets.length === 0) throw new Error(`${rel(paths.wallets)} lists no wallets`);
  return wallets;
}

/** The tier a witness output encodes (little-endian field element at the output scale). */
export function tierFromOutput(leHex: string, outputScale: number): number {
  const value = BigInt(`0x${Buffer.from(leHex.replace(/^0x/, ""), "hex").reverse().toString("hex")}`);
  const unit = 1n << BigInt(outputScale);
  if (value % unit !== 0n) throw new Error(`circuit output ${value} is not a whole tier at scale ${outputScale}`);
  return Number(value / unit);
}

/**
 * Prove one salted input with the model's keys and return the forge-readable fixture. Checks
 * the proof natively before returning it.
 */
export async function proveInput(
  spec: ModelSpec,
  srs: string,
  name: string,
  features: number[],
  salt: number[],
): Promise<ProofFixture> {
  const paths = modelPaths(spec);
  const dir = join(paths.work, name);
  mkdirSync(dir, { recursive: true });
  const data = join(dir, "input.json");
  writeFileAtomic(data, JSON.stringify({ input_data: [saltedInput(features, salt)] }));
  const w = await ezklStep<{ outputs: string[][] }>("witness", {
    data,
    compiled: paths.compiled,
    witness: join(dir, "witness.json"),
  });
  const { outputScale } = readSettings(paths);
  const tier = tierFromOutput(w.outputs[0]![0]!, outputScale);
  const proof = join(dir, "proof.json");
  await ezklStep("prove", { witness: join(dir, "witness.json"), compiled: paths.compiled, pk: paths.pk, proof, srs });
  await ezklStep("verify", { proof, settings: paths.settings, vk: paths.vk, srs });
  const calldata = join(dir, "calldata.bin");
  await ezklStep("calldata", { proof, calldata });
  const f = await ezklStep<Omit<ProofFixture, "name" | "features" | "salt">>("fixture", { proof, calldata, outputScale });
  if (f.tier !== tier) throw new Error(`proof tier ${f.tier} differs from witness tier ${tier}`);
  return { name, tier: f.tier, features, salt, proof: f.proof, instances: f.instances, inputCommitment: f.inputCommitment, paramCommitment: f.paramCommitment, calldata: f.calldata };
}

export function regenerateCommand(spec: ModelSpec): string {
  return `npm run pipeline -- --model ${spec.name}`;
}

export async function runPipeline(opts: PipelineOptions): Promise<void> {
  const spec = opts.model;
  const paths = modelPaths(spec);
  const cache = new StepCache(paths.state);
  // A bad ceremony SRS is refused before any step writes anything.
  if (opts.srs) await ezklStep("check_srs", { srs: opts.srs });
  const steps = pipelineSteps(spec, paths, opts);
  const reporter = opts.reporter ?? stepReporter(steps.length);
  for (const s of steps) {
    const inputs = s.inputs();
    const key = cache.key(inputs, s.args?.() ?? null);
    if (!opts.force && cache.isFresh(s.name, key, s.outputs())) {
      reporter.skip(s.name, "inputs unchanged");
      continue;
    }
    await reporter.step(s.name, s.run);
    cache.record(s.name, key);
  }
}

interface Step {
  name: string;
  inputs: () => string[];
  outputs: () => string[];
  args?: () => unknown;
  run: () => Promise<unknown>;
}

function srsPath(paths: ModelPaths, opts: PipelineOptions): string {
  return opts.srs ?? insecureSrsPath(readSettings(paths).logrows);
}

function pipelineSteps(spec: ModelSpec, paths: ModelPaths, opts: PipelineOptions): Step[] {
  const abs = (p: string) => join(ROOT, p);
  return [
    {
      name: "export model (PyTorch -> ONNX)",
      inputs: () => spec.exportInputs.map(abs),
      outputs: () => [paths.onnx],
      run: () => runPython(spec.exportScript[0], spec.exportScript.slice(1)),
    },
    ...(paths.testSplit
      ? [
          {
            name: "select fixture wallets (every tier, clear of thresholds)",
            inputs: () => [paths.testSplit!],
            outputs: () => [paths.wallets],
            run: async () => {
              const wallets = selectWallets(readJson<TestSplit>(paths.testSplit!));
              const comment = `GENERATED by \`${regenerateCommand(spec)}\` from ${rel(paths.testSplit!)}`;
              writeFileAtomic(paths.wallets, `${JSON.stringify({ comment, wallets }, null, 2)}\n`);
            },
          },
        ]
      : []),
    {
      name: "calibration data",
      inputs: () => [paths.wallets, ...(paths.testSplit ? [paths.testSplit] : [])],
      outputs: () => [paths.calibration],
      run: async () => {
        const salt = readSaltSpec(paths.description);
        const vectors = [
          ...readWallets(paths).map((w) => w.features),
          ...(paths.testSplit ? readJson<TestSplit>(paths.testSplit).x.slice(0, CALIBRATION_ROWS) : []),
        ];
        const rows = vectors.map((f) => saltedInput(f, drawSalt(salt)));
        writeFileAtomic(paths.calibration, `${JSON.stringify({ input_data: [rows.flat()] })}\n`);
      },
    },
    {
      name: "settings",
      inputs: () => [paths.onnx],
      outputs: () => [paths.settings],
      run: () => ezklStep("settings", { model: paths.onnx, settings: paths.settings }),
    },
    {
      name: "calibrate",
      inputs: () => [paths.onnx, paths.calibration],
      outputs: () => [paths.settings],
      run: () => ezklStep("calibrate", { model: paths.onnx, settings: paths.settings, data: paths.calibration }),
    },
    {
      name: "compile circuit",
      inputs: () => [paths.onnx, paths.settings],
      outputs: () => [paths.compiled],
      run: () => ezklStep("compile", { model: paths.onnx, settings: paths.settings, compiled: paths.compiled }),
    },
    {
      name: opts.srs ? "check SRS" : "SRS (INSECURE local, tests only)",
      inputs: () => [paths.settings],
      outputs: () => [srsPath(paths, opts)],
      args: () => srsPath(paths, opts),
      run: () => ezklStep("srs", { settings: paths.settings, srs: srsPath(paths, opts), generate: !opts.srs }),
    },
    {
      name: "setup (proving + verifying keys)",
      inputs: () => [paths.compiled, srsPath(paths, opts)],
      outputs: () => [paths.vk, paths.pk],
      run: () => ezklStep("setup", { compiled: paths.compiled, srs: srsPath(paths, opts), vk: paths.vk, pk: paths.pk }),
    },
    {
      name: "Solidity verifier",
      inputs: () => [paths.vk, paths.settings, srsPath(paths, opts)],
      outputs: () => [paths.verifierSol, paths.abi],
      run: () =>
        ezklStep("verifier", {
          vk: paths.vk,
          settings: paths.settings,
          srs: srsPath(paths, opts),
          sol: paths.verifierSol,
          abi: paths.abi,
          contract: spec.verifierContract,
          command: regenerateCommand(spec),
        }),
    },
    {
      name: "proof fixtures",
      inputs: () => [paths.wallets, paths.compiled, paths.pk, paths.vk],
      outputs: () => readWallets(paths).map((w) => join(paths.fixtures, `${w.name}.json`)),
      run: () => writeFixtures(spec, paths, srsPath(paths, opts)),
    },
    ...(paths.testSplit
      ? [
          {
            name: "tier agreement, float model vs circuit, whole test split",
            inputs: () => [paths.compiled, paths.testSplit!],
            outputs: () => [paths.agreement],
            run: () =>
              ezklStep("agreement", {
                split: paths.testSplit,
                compiled: paths.compiled,
                outputScale: readSettings(paths).outputScale,
                work: paths.work,
                out: paths.agreement,
                minimum: MIN_TIER_AGREEMENT,
              }),
          },
        ]
      : []),
    {
      name: "manifest",
      inputs: () => [paths.wallets, paths.onnx, paths.settings, paths.compiled, paths.vk, paths.verifierSol, paths.agreement],
      outputs: () => [paths.manifest, paths.fixtureManifest],
      run: async () => writeManifests(spec, paths, srsPath(paths, opts)),
    },
  ];
}

async function writeFixtures(spec: ModelSpec, paths: ModelPaths, srs: string): Promise<void> {
  const salt = readSaltSpec(paths.description);
  const wallets = readWallets(paths);
  rmSync(paths.fixtures, { recursive: true, force: true });
  for (const [i, w] of wallets.entries()) {
    process.stderr.write(`      proving ${w.name} (${i + 1}/${wallets.length})\n`);
    const f = await proveInput(spec, srs, w.name, w.features, drawSalt(salt));
    if (f.tier !== w.expectedTier) {
      throw new Error(`circuit tier ${f.tier} for ${w.name} differs from the float model's tier ${w.expectedTier}`);
    }
    writeFileAtomic(join(paths.fixtures, `${w.name}.json`), `${JSON.stringify({ generatedBy: regenerateCommand(spec), ...f }, null, 2)}\n`);
    writeFileAtomic(join(paths.fixtures, `${w.name}.proof.json`), readFileSync(join(paths.work, w.name, "proof.json"), "utf8"));
  }
}

/** The headline of agreement.json (its per-vector mismatches stay in that file). */
function agreementSummary(file: string): { vectors: number; agree: number; agreement: number } {
  const { vectors, agree, agreement } = readJson<{ vectors: number; agree: number; agreement: number }>(file);
  return { vectors, agree, agreement };
}

export async function writeManifests(spec: ModelSpec, paths: ModelPaths, srs: string): Promise<void> {
  const fixtures = readWallets(paths).map((w) => readJson<ProofFixture>(join(paths.fixtures, `${w.name}.json`)));
  const paramCommitments = new Set(fixtures.map((f) => f.paramCommitment));
  if (paramCommitments.size !== 1) throw new Error("fixtures disagree on the parameter commitment");
  const [paramCommitment] = [...paramCommitments] as [string];
  const settings = readSettings(paths);
  const manifest = {
    generated: `GENERATED by \`${regenerateCommand(spec)}\`; do not edit`,
    model: spec.name,
    modelId: paramCommitment,
    paramCommitment,
    outputScale: settings.outputScale,
    inputScale: settings.inputScale,
    logrows: settings.logrows,
    tierCount: TIER_COUNT,
    verifierContract: spec.verifierContract,
    verifierSource: rel(paths.verifierSol),
    srs: { path: rel(srs), sha256: sha256File(srs), insecure: rel(srs).includes("INSECURE") },
    hashes: {
      onnx: sha256File(paths.onnx),
      settings: sha256File(paths.settings),
      compiled: sha256File(paths.compiled),
      vk: sha256File(paths.vk),
      verifier: sha256File(paths.verifierSol),
    },
    ...(paths.testSplit && existsSync(paths.agreement) ? { tierAgreement: agreementSummary(paths.agreement) } : {}),
    fixtures: fixtures.map((f) => `${f.name}.json`),
  };
  writeFileAtomic(paths.fixtureManifest, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileAtomic(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
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
  if (existsSync(paths.pk)) return { srs };
  const tmpVk = join(paths.work, "setup-vk.key");
  mkdirSync(paths.work, { recursive: true });
  await reporter.step(`setup ${spec.name} proving key (once, into .cache)`, () =>
    ezklStep("setup", { compiled: paths.compiled, srs, vk: tmpVk, pk: paths.pk }),
  );
  if (sha256File(tmpVk) !== manifest.hashes.vk) {
    rmSync(paths.pk, { force: true });
    throw new Error(
      `setup produced a verifying key that differs from ${rel(paths.vk)} (compiled circuit, SRS and keys are out of step): run \`${regenerateCommand(spec)} --force\``,
    );
  }
  return { srs };
}
