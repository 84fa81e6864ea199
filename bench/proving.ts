// Proving benchmarks of one model's single-wallet circuit: witness and proof generation warm (the
// long-lived prover, keys loaded once, after its first proof) and cold (a fresh process per proof
// that loads the keys from disk), for native EZKL and the WebAssembly engine; off-chain
// verification; setup time and peak memory; key sizes and logrows. The round circuit (many wallets
// per proof) is bench/round.ts.
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ensureProvingKey, readSettings } from "../ts/pipeline/keys.js";
import { circuitPaths, getCircuit, modelPaths, type CircuitSpec, type ModelSpec } from "../ts/pipeline/models.js";
import { readSaltSpec, saltedInput } from "../ts/pipeline/salt.js";
import { loadVerifierArtifacts, verifyProof } from "../ts/prover/engine.js";
import { openProver } from "../ts/prover/prover.js";
import { ROOT, venvPython } from "../ts/toolchain/paths.js";
import { prepareEzklHome, pythonEnv } from "../ts/toolchain/python.js";
import { readFixtures, type ProofFixture } from "./fixtures.js";
import { findDescendant, procStatusBytes, runMeasured, stepResult } from "./measure.js";
import { summarize, type Summary } from "./stats.js";

/** Samples of one way of proving, in milliseconds. */
export interface ProofSeries {
  readonly witnessMs: number[];
  readonly proveMs: number[];
  readonly verifyMs: number[];
  /** End to end: from asking for a proof to holding a verified one (cold: from process spawn). */
  readonly totalMs: number[];
  readonly summary: { witness: Summary; prove: Summary; verify: Summary; total: Summary };
}

export interface BackendResults {
  readonly model: string;
  readonly warm: ProofSeries;
  readonly cold: ProofSeries;
  /** The long-lived prover's one-off key load (ms). */
  readonly loadMs: number;
  /** The first proof of the long-lived prover (not counted as warm). */
  readonly firstProofMs?: number;
  /** Peak RSS while proving, bytes: the long-lived process, and each cold process. */
  readonly warmPeakRssBytes: number;
  readonly coldPeakRssBytes: number[];
  /** cold total median / warm total median, and the same for proof generation alone. */
  readonly ratioTotal: number;
  readonly ratioProve: number;
  readonly note?: string;
  /** 1-minute load average after each proof (native: warm and cold interleaved). */
  readonly loadAverages?: number[];
}

export interface ProvingResults {
  readonly model: string;
  /** The circuit measured: the model's single-wallet circuit. */
  readonly circuit: string;
  readonly slots: number;
  readonly logrows: number;
  readonly numRows: number;
  readonly native: BackendResults;
  readonly engine: BackendResults | { readonly skipped: string };
  readonly setup: { readonly wallMs: number; readonly peakRssBytes: number };
  readonly keys: { readonly pkBytes: number; readonly vkBytes: number; readonly srsBytes: number; readonly proofBytes: number; readonly calldataBytes: number };
  readonly verify: {
    readonly nativeMs: number[];
    readonly engineMs: number[];
    readonly summary: { native: Summary; engine: Summary };
  };
}

export interface ProvingPlan {
  readonly model: ModelSpec;
  readonly nativeWarm: number;
  readonly nativeCold: number;
  /** Engine proofs in one fresh process (the first is its cold proof, the rest warm); 0 skips. */
  readonly engineProofs: number;
  /** The engine runs this model instead (quick mode: the small smoke model). */
  readonly engineModel?: ModelSpec;
  readonly engineVerifyRuns: number;
  readonly log: (line: string) => void;
}

const series = (rows: { witnessMs: number; proveMs: number; verifyMs: number; totalMs: number }[]): ProofSeries => {
  const pick = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k]);
  return {
    witnessMs: pick("witnessMs"),
    proveMs: pick("proveMs"),
    verifyMs: pick("verifyMs"),
    totalMs: pick("totalMs"),
    summary: { witness: summarize(pick("witnessMs")), prove: summarize(pick("proveMs")), verify: summarize(pick("verifyMs")), total: summarize(pick("totalMs")) },
  };
};

export const silent = { step: <T>(_: string, run: () => Promise<T>) => run(), skip: () => undefined };

/** The circuit the proving section measures: the model's single-wallet circuit. */
const singleCircuit = (model: ModelSpec): CircuitSpec => getCircuit(model, "single");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Native warm and cold proofs, interleaved (warm 1, cold 1, warm 2, cold 2, ...) so that both see
 * the same machine load: the machine is shared and its load drifts over minutes.
 */
async function nativeWarmAndCold(model: ModelSpec, fixtures: ProofFixture[], warmRuns: number, coldRuns: number, log: (l: string) => void) {
  const circuit = singleCircuit(model);
  const paths = circuitPaths(model, circuit);
  const { srs } = await ensureProvingKey(model, circuit, silent);
  const saltSpec = readSaltSpec(modelPaths(model).description);
  prepareEzklHome();
  const cold = async (i: number) => {
    const f = fixtures[(i + 1) % fixtures.length]!;
    const work = join(ROOT, ".cache", "bench", `cold-${process.pid}-${i}`);
    const args = {
      compiled: paths.compiled,
      pk: paths.pk,
      srs,
      settings: paths.settings,
      vk: paths.vk,
      work,
      inputLength: f.features.length + f.salt.length,
      slots: circuit.slots,
    };
    // the worker protocol: one salted input per wallet slot (the single circuit has one)
    const run = await runMeasured(venvPython(), ["circuits/prover_worker.py", JSON.stringify(args)], {
      env: pythonEnv(),
      stdin: `${JSON.stringify({ id: 1, inputs: [saltedInput(f.features, f.salt, saltSpec)] })}\n`,
    });
    rmSync(work, { recursive: true, force: true });
    const replyAt = run.lineTimes.find((l) => l.line.startsWith('{"id": 1'));
    if (run.code !== 0 || !replyAt) throw new Error(`cold native proof ${i + 1} failed (exit ${run.code}): ${run.stderr.trim().split("\n").pop() ?? run.stdout.slice(0, 300)}`);
    const reply = JSON.parse(replyAt.line) as { ok: boolean; error?: string; ms: { witness: number; prove: number; verify: number } };
    if (!reply.ok) throw new Error(`cold native proof ${i + 1}: ${reply.error}`);
    log(`native cold ${i + 1}/${coldRuns}: prove ${secs(reply.ms.prove)}, total ${secs(replyAt.ms)} (fresh process), peak RSS ${(run.maxRssBytes / 2 ** 20).toFixed(0)} MiB, load ${loadavg()[0]!.toFixed(2)}`);
    return { row: { witnessMs: reply.ms.witness, proveMs: reply.ms.prove, verifyMs: reply.ms.verify, totalMs: replyAt.ms }, peak: run.maxRssBytes };
  };

  const prover = await openProver(model, { circuit: circuit.name, backend: "native", onProgress: () => undefined, reporter: silent });
  try {
    const worker = findDescendant("prover_worker.py");
    const warmRows = [];
    const coldRows = [];
    const coldPeaks: number[] = [];
    const loads: number[] = [];
    let firstProofMs = 0;
    for (let i = 0; i <= Math.max(warmRuns, coldRuns); i++) {
      if (i <= warmRuns) {
        const f = fixtures[i % fixtures.length]!;
        const started = performance.now();
        const p = await prover.prove(f.features, f.salt);
        const totalMs = performance.now() - started;
        if (p.tier !== f.tier) throw new Error(`native proof of ${f.name}: tier ${p.tier}, fixture says ${f.tier}`);
        loads.push(loadavg()[0]!);
        if (i === 0) {
          firstProofMs = totalMs;
          log(`native warm-up proof ${secs(totalMs)} (not counted)`);
        } else {
          warmRows.push({ ...p.timings, totalMs });
          log(`native warm ${i}/${warmRuns}: prove ${secs(p.timings.proveMs)}, total ${secs(totalMs)}, load ${loadavg()[0]!.toFixed(2)}`);
        }
      }
      if (i < coldRuns) {
        const c = await cold(i);
        coldRows.push(c.row);
        coldPeaks.push(c.peak);
        loads.push(loadavg()[0]!);
      }
    }
    const peak = worker !== undefined ? procStatusBytes(worker, "VmHWM") : undefined;
    if (peak === undefined) throw new Error("could not read the native prover worker's peak RSS (VmHWM)");
    return { warm: series(warmRows), cold: series(coldRows), coldPeaks, loadMs: prover.loadMs, firstProofMs, peak, loads };
  } finally {
    await prover.close();
  }
}

interface EngineLine {
  proof?: number;
  wallMs: number;
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
  ok?: boolean;
  error?: string;
  loadMs?: number;
  maxRssBytes?: number;
}

async function engine(model: ModelSpec, proofs: number, log: (l: string) => void): Promise<BackendResults> {
  log(`engine: one fresh process, ${proofs} proof(s) of ${model.name} (WebAssembly, one thread: minutes per proof)`);
  const run = await runMeasured(process.execPath, ["--import", "tsx", "bench/engine-child.ts", JSON.stringify({ model: model.name, proofs })], {
    onStderr: (l) => l.trim() && log(`engine: ${l.trim()}`),
  });
  const lines = run.lineTimes.map((l) => ({ ms: l.ms, ...(JSON.parse(l.line) as EngineLine) }));
  const done = lines.find((l) => l.ok !== undefined);
  if (run.code !== 0 || !done?.ok) throw new Error(`engine prover failed (exit ${run.code}): ${done?.error ?? run.stderr.trim().split("\n").pop() ?? "no output"}`);
  const proofLines = lines.filter((l) => l.proof !== undefined);
  const first = proofLines[0]!;
  // cold: from spawning the process (node start, WebAssembly load, keys read from disk) to the first verified proof
  const cold = series([{ witnessMs: first.witnessMs, proveMs: first.proveMs, verifyMs: first.verifyMs, totalMs: first.ms }]);
  const warmRows = proofLines.slice(1).map((l) => ({ witnessMs: l.witnessMs, proveMs: l.proveMs, verifyMs: l.verifyMs, totalMs: l.wallMs }));
  // With a single proof there is no warm sample: the one proof's own time (keys already in memory) stands in.
  const warm = series(warmRows.length ? warmRows : [{ witnessMs: first.witnessMs, proveMs: first.proveMs, verifyMs: first.verifyMs, totalMs: first.wallMs }]);
  for (const l of proofLines) log(`engine proof ${l.proof! + 1}/${proofs}: prove ${secs(l.proveMs)}, since spawn ${secs(l.ms)}`);
  return {
    model: model.name,
    warm,
    cold,
    loadMs: done.loadMs ?? 0,
    warmPeakRssBytes: run.maxRssBytes,
    coldPeakRssBytes: [run.maxRssBytes],
    ratioTotal: cold.summary.total.median / warm.summary.total.median,
    ratioProve: cold.summary.prove.median / warm.summary.prove.median,
    ...(warmRows.length ? {} : { note: "one proof only: warm is that proof's own time with keys in memory" }),
  };
}

async function setupPeak(model: ModelSpec, log: (l: string) => void) {
  const circuit = singleCircuit(model);
  const paths = circuitPaths(model, circuit);
  const { srs } = await ensureProvingKey(model, circuit, silent);
  const dir = join(ROOT, ".cache", "bench", `setup-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  prepareEzklHome();
  try {
    const args = { compiled: paths.compiled, srs, vk: join(dir, "vk.key"), pk: join(dir, "pk.key") };
    const run = await runMeasured(venvPython(), ["circuits/ezkl_steps.py", "setup", JSON.stringify(args)], { env: pythonEnv() });
    stepResult("ezkl setup", run);
    if (readFileSync(join(dir, "vk.key")).compare(readFileSync(paths.vk)) !== 0) throw new Error("setup produced a verifying key that differs from the committed one");
    log(`setup ${secs(run.wallMs)}, peak RSS ${(run.maxRssBytes / 2 ** 20).toFixed(0)} MiB`);
    return { wallMs: run.wallMs, peakRssBytes: run.maxRssBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function engineVerify(model: ModelSpec, fixtures: ProofFixture[], runs: number, srs: string): number[] {
  const paths = circuitPaths(model, singleCircuit(model));
  const artifacts = loadVerifierArtifacts({ vk: paths.vk, settings: paths.settings, srs });
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const f = fixtures[i % fixtures.length]!;
    const started = performance.now();
    if (!verifyProof(f.proofJson, artifacts)) throw new Error(`engine rejects fixture ${f.name}`);
    out.push(performance.now() - started);
  }
  return out;
}

export async function benchProving(plan: ProvingPlan): Promise<ProvingResults> {
  const { model, log } = plan;
  const circuit = singleCircuit(model);
  const paths = circuitPaths(model, circuit);
  const fixtures = readFixtures(model);
  const { srs } = await ensureProvingKey(model, circuit, silent);
  const settings = JSON.parse(readFileSync(paths.settings, "utf8")) as { num_rows: number };

  const setup = await setupPeak(model, log);
  const n = await nativeWarmAndCold(model, fixtures, plan.nativeWarm, plan.nativeCold, log);
  const native: BackendResults = {
    model: model.name,
    warm: n.warm,
    cold: n.cold,
    loadMs: n.loadMs,
    firstProofMs: n.firstProofMs,
    warmPeakRssBytes: n.peak,
    coldPeakRssBytes: n.coldPeaks,
    ratioTotal: n.cold.summary.total.median / n.warm.summary.total.median,
    ratioProve: n.cold.summary.prove.median / n.warm.summary.prove.median,
    loadAverages: n.loads,
  };
  const engineModel = plan.engineModel ?? model;
  const engineResults = plan.engineProofs > 0 ? await engine(engineModel, plan.engineProofs, log) : { skipped: "engine proving skipped (--skip-engine)" };
  const engineVerifyMs = engineVerify(model, fixtures, plan.engineVerifyRuns, srs);
  const nativeVerifyMs = [...n.warm.verifyMs, ...n.cold.verifyMs];
  log(`verify: native median ${summarize(nativeVerifyMs).median.toFixed(0)} ms, engine median ${summarize(engineVerifyMs).median.toFixed(0)} ms`);
  const f0 = fixtures[0]!;
  return {
    model: model.name,
    circuit: circuit.name,
    slots: circuit.slots,
    logrows: readSettings(paths).logrows,
    numRows: settings.num_rows,
    native,
    engine: engineResults,
    setup,
    keys: {
      pkBytes: statSync(paths.pk).size,
      vkBytes: statSync(paths.vk).size,
      srsBytes: statSync(srs).size,
      proofBytes: (f0.proof.length - 2) / 2,
      calldataBytes: (f0.calldata.length - 2) / 2,
    },
    verify: { nativeMs: nativeVerifyMs, engineMs: engineVerifyMs, summary: { native: summarize(nativeVerifyMs), engine: summarize(engineVerifyMs) } },
  };
}
