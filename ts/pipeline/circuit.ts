// The circuit pipeline for one model: export -> settings -> calibrate -> compile -> SRS ->
// setup -> verifier -> fixtures -> manifest. Each step is skipped when its inputs did not
// change (content hashes), so an interrupted run resumes where it stopped.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Proof } from "../prover/proof.js";
import { openProver } from "../prover/prover.js";
import { ROOT } from "../toolchain/paths.js";
import { stepReporter, type StepReporter } from "../toolchain/progress.js";
import { ezklStep, runPython } from "../toolchain/python.js";
import { StepCache, sha256File, writeFileAtomic } from "./cache.js";
import { readJson, readSettings, regenerateCommand, rel, stampProvingKey } from "./keys.js";
import { insecureSrsPath, modelPaths, type ModelPaths, type ModelSpec } from "./models.js";
import { drawSalt, readSaltSpec, saltedInput } from "./salt.js";

/** Number of tiers every zkrisk model outputs (0 low, 1 medium, 2 high risk). */
export const TIER_COUNT = 3;

/** The circuit must reproduce the float model's tier on at least this share of the test split. */
export const MIN_TIER_AGREEMENT = 0.99;

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

/** A proof fixture for the forge tests: the proof plus the private input it was made from. */
export interface ProofFixture extends Proof {
  name: string;
  features: number[];
  salt: number[];
}



function readWallets(paths: ModelPaths): FixtureWallet[] {
  const { wallets } = readJson<{ wallets: FixtureWallet[] }>(paths.wallets);
  if (!Array.isArray(wallets) || wallets.length === 0) throw new Error(`${rel(paths.wallets)} lists no wallets`);
  return wallets;
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
      run: async () => {
        await ezklStep("setup", { compiled: paths.compiled, srs: srsPath(paths, opts), vk: paths.vk, pk: paths.pk });
        stampProvingKey(paths, paths.vk);
      },
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
  const prover = await openProver(spec, { srs, reporter: stepReporter(1, (l) => process.stderr.write(`      ${l}\n`)) });
  try {
    for (const [i, w] of wallets.entries()) {
      process.stderr.write(`      proving ${w.name} (${i + 1}/${wallets.length})\n`);
      const s = drawSalt(salt);
      const { proofJson, timings: _, ...proof } = await prover.prove(w.features, s);
      if (proof.tier !== w.expectedTier) {
        throw new Error(`circuit tier ${proof.tier} for ${w.name} differs from the float model's tier ${w.expectedTier}`);
      }
      const f: ProofFixture = { name: w.name, features: w.features, salt: s, ...proof };
      writeFileAtomic(join(paths.fixtures, `${w.name}.json`), `${JSON.stringify({ generatedBy: regenerateCommand(spec), ...f }, null, 2)}\n`);
      writeFileAtomic(join(paths.fixtures, `${w.name}.proof.json`), `${JSON.stringify(proofJson)}\n`);
    }
  } finally {
    await prover.close();
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


