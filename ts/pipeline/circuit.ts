// The circuit pipeline for one model: export -> per circuit (settings -> [calibrate] -> compile
// -> SRS -> setup -> verifier) -> fixtures -> agreement -> manifest. Each step is skipped when
// its inputs did not change (content hashes), so an interrupted run resumes where it stopped.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Proof } from "../prover/proof.js";
import { openProver } from "../prover/prover.js";
import { ROOT } from "../toolchain/paths.js";
import { stepReporter, type StepReporter } from "../toolchain/progress.js";
import { ezklStep, runPython } from "../toolchain/python.js";
import { StepCache, sha256File, writeFileAtomic } from "./cache.js";
import { readJson, readSettings, regenerateCommand, rel, stampProvingKey, type CircuitManifest } from "./keys.js";
import { circuitPaths, insecureSrsPath, modelPaths, type CircuitSpec, type ModelPaths, type ModelSpec } from "./models.js";
import { drawSalt, readSaltSpec, saltedInput, type SaltSpec } from "./salt.js";

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
  neverLiquidated?: number[];
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

/**
 * A padding slot of a round: the all-zero input (zero features, zero salt). The registry never
 * attests a padding slot: its wallet is address(0), for which no commitment can be posted.
 */
export function paddingInput(width: number): number[] {
  return Array.from({ length: width }, () => 0);
}

function selectWallets(split: TestSplit): FixtureWallet[] {
  const out: FixtureWallet[] = [];
  const clear = (i: number) => split.thresholds.every((t) => Math.abs(split.score[i]! - t) > FIXTURE_MARGIN);
  const pick = (i: number, name: string): FixtureWallet => ({
    name,
    features: split.x[i]!,
    expectedTier: split.tier[i]!,
    ...(split.neverLiquidated ? { expectedNeverLiquidated: split.neverLiquidated[i] === 1 } : {}),
    wallet: split.wallet[i],
  });
  for (let tier = 0; tier < TIER_COUNT; tier++) {
    const picks = split.x.map((_, i) => i).filter((i) => split.tier[i] === tier && clear(i)).slice(0, WALLETS_PER_TIER);
    if (picks.length < WALLETS_PER_TIER) throw new Error(`test split has fewer than ${WALLETS_PER_TIER} clear tier-${tier} wallets`);
    picks.forEach((i, j) => out.push(pick(i, `${TIER_NAMES[tier]}-${j}`)));
  }
  // both values of the never-liquidated claim must appear among the fixtures
  if (split.neverLiquidated) {
    for (const value of [0, 1]) {
      if (out.some((w) => w.expectedNeverLiquidated === (value === 1))) continue;
      const i = split.x.findIndex((_, k) => split.neverLiquidated![k] === value && clear(k));
      if (i < 0) throw new Error(`test split has no clear wallet with neverLiquidated = ${value}`);
      out.push(pick(i, value === 0 ? "liquidated-0" : "never-liquidated-0"));
    }
  }
  return out;
}

interface FixtureWallet {
  readonly wallet?: string | undefined;
  readonly name: string;
  readonly features: number[];
  readonly expectedTier: number;
  readonly expectedNeverLiquidated?: boolean;
}

/** A proof fixture for the forge tests: the proof plus the private input it was made from. */
export interface ProofFixture extends Proof {
  name: string;
  features: number[];
  salt: number[];
}

/** A round proof fixture: one proof over every slot, with each slot's private input (padding marked). */
export interface RoundFixture extends Proof {
  name: string;
  wallets: { name: string; padding: boolean; features: number[]; salt: number[]; inputCommitment: string; tier: number; neverLiquidated?: boolean }[];
}

/** The round fixtures: a full round (every slot a wallet) and a padded one (fixture wallets, then padding). */
const ROUND_FIXTURES = ["round-full", "round-padded"] as const;

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
  if (opts.srs) await checkCeremonySrs(spec, opts.srs);
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

/**
 * A ceremony SRS must be an SRS file and large enough for every circuit. Circuits with fixed run
 * arguments know their logrows before any step runs; a calibrated circuit learns them only in
 * calibration, and the SRS step checks it then (said so here, up front).
 */
async function checkCeremonySrs(spec: ModelSpec, srs: string): Promise<void> {
  const { srsLogrows } = await ezklStep<{ srsLogrows: number }>("check_srs", { srs });
  const known = spec.circuits.filter((c) => c.runArgs).map((c) => c.runArgs!.logrows);
  const need = Math.max(0, ...known);
  if (need > srsLogrows) {
    throw new Error(`SRS ${srs} has logrows ${srsLogrows}, the ${spec.name} circuits need ${need}: use an SRS with at least 2**${need} points`);
  }
  if (spec.circuits.some((c) => !c.runArgs)) {
    process.stderr.write(`      note: ${spec.name}'s logrows are chosen by calibration; the SRS (logrows ${srsLogrows}) is checked against them after it\n`);
  }
}

interface Step {
  name: string;
  inputs: () => string[];
  outputs: () => string[];
  args?: () => unknown;
  run: () => Promise<unknown>;
}

/**
 * The SRS of a circuit: a ceremony file (shared by every circuit of the model: EZKL downsizes it
 * for a smaller circuit, at a cost on every proof), or the INSECURE local one of exactly the
 * circuit's logrows.
 */
function srsPath(spec: ModelSpec, circuit: CircuitSpec, opts: PipelineOptions): string {
  return opts.srs ?? insecureSrsPath(circuit.runArgs?.logrows ?? readSettings(circuitPaths(spec, circuit)).logrows);
}

function circuitSteps(spec: ModelSpec, circuit: CircuitSpec, paths: ModelPaths, opts: PipelineOptions): Step[] {
  const cp = circuitPaths(spec, circuit);
  const tag = spec.circuits.length > 1 ? `${circuit.name}: ` : "";
  const srs = () => srsPath(spec, circuit, opts);
  return [
    {
      name: `${tag}settings`,
      inputs: () => [cp.onnx],
      outputs: () => [cp.settings],
      args: () => circuit.runArgs ?? null,
      run: () => ezklStep("settings", { model: cp.onnx, settings: cp.settings, runArgs: circuit.runArgs ?? null }),
    },
    ...(circuit.runArgs
      ? []
      : [
          {
            name: `${tag}calibrate`,
            inputs: () => [cp.onnx, paths.calibration],
            outputs: () => [cp.settings],
            run: () => ezklStep("calibrate", { model: cp.onnx, settings: cp.settings, data: paths.calibration }),
          },
        ]),
    {
      name: `${tag}compile circuit`,
      inputs: () => [cp.onnx, cp.settings],
      outputs: () => [cp.compiled],
      run: () => ezklStep("compile", { model: cp.onnx, settings: cp.settings, compiled: cp.compiled }),
    },
    {
      name: `${tag}${opts.srs ? "check SRS" : "SRS (INSECURE local, tests only)"}`,
      inputs: () => [cp.settings],
      outputs: () => [srs()],
      args: () => srs(),
      run: () => ezklStep("srs", { settings: cp.settings, srs: srs(), generate: !opts.srs }),
    },
    {
      name: `${tag}setup (proving + verifying keys)`,
      inputs: () => [cp.compiled, srs()],
      outputs: () => [cp.vk, cp.pk],
      run: async () => {
        await ezklStep("setup", { compiled: cp.compiled, srs: srs(), vk: cp.vk, pk: cp.pk });
        stampProvingKey(cp, cp.vk);
      },
    },
    {
      name: `${tag}Solidity verifier`,
      inputs: () => [cp.vk, cp.settings, srs()],
      outputs: () => [cp.verifierSol, cp.abi],
      run: () =>
        ezklStep("verifier", {
          vk: cp.vk,
          settings: cp.settings,
          srs: srs(),
          sol: cp.verifierSol,
          abi: cp.abi,
          contract: circuit.verifierContract,
          command: regenerateCommand(spec),
        }),
    },
  ];
}

function pipelineSteps(spec: ModelSpec, paths: ModelPaths, opts: PipelineOptions): Step[] {
  const abs = (p: string) => join(ROOT, p);
  const all = spec.circuits.map((c) => circuitPaths(spec, c));
  const round = spec.circuits.find((c) => c.slots > 1);
  const last = spec.circuits[spec.circuits.length - 1]!;
  return [
    {
      name: "export model (PyTorch -> ONNX)",
      inputs: () => spec.exportInputs.map(abs),
      outputs: () => all.map((c) => c.onnx),
      run: () => runPython(spec.exportScript[0], spec.exportScript.slice(1)),
    },
    ...(paths.testSplit
      ? [
          {
            name: "select fixture wallets (every tier and claim, clear of thresholds)",
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
    ...(spec.circuits.some((c) => !c.runArgs)
      ? [
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
              const rows = vectors.map((f) => saltedInput(f, drawSalt(salt), salt));
              writeFileAtomic(paths.calibration, `${JSON.stringify({ input_data: [rows.flat()] })}\n`);
            },
          },
        ]
      : []),
    ...spec.circuits.flatMap((c) => circuitSteps(spec, c, paths, opts)),
    {
      name: "proof fixtures",
      inputs: () => [paths.wallets, ...all.flatMap((c) => [c.compiled, c.pk, c.vk])],
      outputs: () => [
        ...readWallets(paths).map((w) => join(paths.fixtures, `${w.name}.json`)),
        ...(round ? ROUND_FIXTURES.map((n) => join(paths.fixtures, `${n}.json`)) : []),
      ],
      run: () => writeFixtures(spec, paths, (c) => srsPath(spec, c, opts)),
    },
    ...(paths.testSplit
      ? [
          {
            name: `tier${round ? " and claim" : ""} agreement, float model vs ${last.name} circuit, whole test split`,
            inputs: () => [circuitPaths(spec, last).compiled, paths.testSplit!],
            outputs: () => [paths.agreement],
            run: () =>
              ezklStep("agreement", {
                split: paths.testSplit,
                compiled: circuitPaths(spec, last).compiled,
                slots: last.slots,
                outputScale: readSettings(circuitPaths(spec, last)).outputScale,
                work: paths.work,
                out: paths.agreement,
                minimum: MIN_TIER_AGREEMENT,
              }),
          },
        ]
      : []),
    {
      name: "manifest",
      inputs: () => [paths.wallets, paths.agreement, ...all.flatMap((c) => [c.onnx, c.settings, c.compiled, c.vk, c.verifierSol])],
      outputs: () => [paths.manifest, paths.fixtureManifest],
      run: async () => writeManifests(spec, paths, (c) => srsPath(spec, c, opts)),
    },
  ];
}

const fixtureHeader = (spec: ModelSpec) => ({ generatedBy: regenerateCommand(spec) });

function checkExpected(name: string, got: { tier: number; neverLiquidated?: boolean }, w: { expectedTier: number; expectedNeverLiquidated?: boolean }): void {
  if (got.tier !== w.expectedTier) throw new Error(`circuit tier ${got.tier} for ${name} differs from the float model's tier ${w.expectedTier}`);
  if (w.expectedNeverLiquidated !== undefined && got.neverLiquidated !== w.expectedNeverLiquidated) {
    throw new Error(`circuit never-liquidated claim ${got.neverLiquidated} for ${name} differs from the float model's ${w.expectedNeverLiquidated}`);
  }
}

async function writeFixtures(spec: ModelSpec, paths: ModelPaths, srs: (c: CircuitSpec) => string): Promise<void> {
  const salt = readSaltSpec(paths.description);
  const wallets = readWallets(paths);
  rmSync(paths.fixtures, { recursive: true, force: true });
  const write = (name: string, body: object, proofJson: unknown) => {
    writeFileAtomic(join(paths.fixtures, `${name}.json`), `${JSON.stringify({ ...fixtureHeader(spec), ...body }, null, 2)}\n`);
    writeFileAtomic(join(paths.fixtures, `${name}.proof.json`), `${JSON.stringify(proofJson)}\n`);
  };
  const progress = stepReporter(1, (l) => process.stderr.write(`      ${l}\n`));
  const single = await openProver(spec, { srs: srs(spec.circuits[0]), circuit: spec.circuits[0].name, reporter: progress });
  try {
    for (const [i, w] of wallets.entries()) {
      process.stderr.write(`      proving ${w.name} (${i + 1}/${wallets.length}, single-wallet circuit)\n`);
      const s = drawSalt(salt);
      const { proofJson, timings: _, ...proof } = await single.prove(w.features, s);
      checkExpected(w.name, proof, w);
      const f: ProofFixture = { name: w.name, features: w.features, salt: s, ...proof };
      write(w.name, f, proofJson);
    }
  } finally {
    await single.close();
  }
  const round = spec.circuits.find((c) => c.slots > 1);
  if (!round) return;
  const prover = await openProver(spec, { srs: srs(round), circuit: round.name, reporter: progress });
  try {
    for (const name of ROUND_FIXTURES) {
      const members = name === "round-full" ? fillRound(wallets, paths, round.slots) : wallets;
      process.stderr.write(`      proving ${name} (${members.length} wallets in ${round.slots} slots)\n`);
      const salts = members.map(() => drawSalt(salt));
      const { proofJson, timings: _, ...proof } = await prover.proveRound(members.map((w, i) => ({ features: w.features, salt: salts[i]! })));
      const slots = proof.slots.map((s, i) => {
        const w = members[i];
        if (w) checkExpected(`${name} slot ${i} (${w.name})`, s, w);
        return { name: w?.name ?? "padding", padding: !w, features: w?.features ?? [], salt: w ? salts[i]! : [], ...s };
      });
      write(name, { name, ...proof, wallets: slots } satisfies RoundFixture, proofJson);
    }
  } finally {
    await prover.close();
  }
}

/** The fixture wallets, then test-split wallets until every slot of a round is taken. */
function fillRound(wallets: FixtureWallet[], paths: ModelPaths, slots: number): FixtureWallet[] {
  const split = readJson<TestSplit>(paths.testSplit!);
  const taken = new Set(wallets.map((w) => w.wallet));
  const extra = split.x
    .map((features, i) => ({ i, features }))
    .filter(({ i }) => !taken.has(split.wallet[i]))
    .slice(0, slots - wallets.length)
    .map(({ i, features }) => ({
      name: `split-${i}`,
      wallet: split.wallet[i],
      features,
      expectedTier: split.tier[i]!,
      ...(split.neverLiquidated ? { expectedNeverLiquidated: split.neverLiquidated[i] === 1 } : {}),
    }));
  return [...wallets, ...extra];
}

/** The headline of agreement.json (its per-vector mismatches stay in that file). */
function agreementSummary(file: string): { vectors: number; agree: number; agreement: number; claimAgree?: number } {
  const { vectors, agree, agreement, claimAgree } = readJson<{ vectors: number; agree: number; agreement: number; claimAgree?: number }>(file);
  return { vectors, agree, agreement, ...(claimAgree === undefined ? {} : { claimAgree }) };
}

export async function writeManifests(spec: ModelSpec, paths: ModelPaths, srsOf: (c: CircuitSpec) => string): Promise<void> {
  const wallets = readWallets(paths);
  const fixtures = wallets.map((w) => readJson<ProofFixture>(join(paths.fixtures, `${w.name}.json`)));
  const roundFixtures = ROUND_FIXTURES.map((n) => join(paths.fixtures, `${n}.json`)).filter((f) => existsSync(f));
  const paramCommitments = new Set([...fixtures, ...roundFixtures.map((f) => readJson<RoundFixture>(f))].map((f) => f.paramCommitment));
  if (paramCommitments.size !== 1) {
    throw new Error(`the ${spec.name} circuits disagree on the parameter commitment (${[...paramCommitments].join(", ")}): they must share the weights`);
  }
  const [paramCommitment] = [...paramCommitments] as [string];
  const salt: SaltSpec = readSaltSpec(paths.description);
  const circuits: CircuitManifest[] = spec.circuits.map((c) => {
    const cp = circuitPaths(spec, c);
    const settings = readSettings(cp);
    const srs = srsOf(c);
    if (salt.encodingScale !== 0 && settings.inputScale !== salt.encodingScale) {
      throw new Error(`${c.name} circuit's input scale ${settings.inputScale} differs from the salt encoding scale ${salt.encodingScale}`);
    }
    return {
      name: c.name,
      slots: c.slots,
      verifierContract: c.verifierContract,
      verifierSource: rel(cp.verifierSol),
      logrows: settings.logrows,
      instances: c.slots + 1 + c.slots * (fixtures[0]!.neverLiquidated === undefined ? 1 : 2),
      srs: { path: rel(srs), sha256: sha256File(srs), insecure: rel(srs).includes("INSECURE") },
      hashes: {
        onnx: sha256File(cp.onnx),
        settings: sha256File(cp.settings),
        compiled: sha256File(cp.compiled),
        vk: sha256File(cp.vk),
        verifier: sha256File(cp.verifierSol),
      },
    };
  });
  const first = readSettings(circuitPaths(spec, spec.circuits[0]));
  const manifest = {
    generated: `GENERATED by \`${regenerateCommand(spec)}\`; do not edit`,
    model: spec.name,
    modelId: paramCommitment,
    paramCommitment,
    outputScale: first.outputScale,
    inputScale: first.inputScale,
    saltEncodingScale: salt.encodingScale,
    tierCount: TIER_COUNT,
    claims: fixtures[0]!.neverLiquidated === undefined ? [] : ["neverLiquidated"],
    verifierContract: spec.circuits[0].verifierContract,
    circuits,
    ...(paths.testSplit && existsSync(paths.agreement) ? { tierAgreement: agreementSummary(paths.agreement) } : {}),
    fixtures: fixtures.map((f) => `${f.name}.json`),
    roundFixtures: roundFixtures.map((f) => rel(f).split("/").at(-1)!),
  };
  writeFileAtomic(paths.fixtureManifest, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileAtomic(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
}
