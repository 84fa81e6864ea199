// Scaling: the same EZKL pipeline as the credit model (settings -> calibrate -> compile -> SRS ->
// setup -> witness -> prove -> verify) over a family of MLPs (bench/scaling_models.py), each step
// a measured process: proof time and peak memory against parameter count. The family stops at
// the first point whose setup + proof, projected from the last measured point (time and memory
// both grow with 2^logrows), would exceed the time budget or the memory ceiling; where and why
// is recorded.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { insecureSrsPath } from "../ts/pipeline/models.js";
import { ROOT, venvPython } from "../ts/toolchain/paths.js";
import { pythonEnv } from "../ts/toolchain/python.js";
import { GiB, runMeasured, stepResult } from "./measure.js";

export interface ScalingPlan {
  /** Hidden widths of the family (two hidden layers each, 20 inputs). */
  readonly hidden: readonly number[];
  readonly layers: number;
  readonly inputs: number;
  /** Parameter visibility of the measured family: "fixed" (weights in the circuit) or "hashed" (as production). */
  readonly visibility: "fixed" | "hashed";
  /** Also size each point with production visibility (hashed params) up to this many parameters (settings + calibrate only). */
  readonly hashedSizingMaxParams: number;
  readonly budgetSeconds: number;
  readonly rssLimitBytes: number;
  readonly log: (line: string) => void;
}

export interface ScalingPoint {
  readonly hidden: number;
  readonly params: number;
  readonly logrows: number;
  readonly numRows: number;
  readonly buildMs: number;
  readonly srsMs?: number;
  readonly setupMs?: number;
  readonly setupPeakRssBytes?: number;
  readonly pkBytes?: number;
  readonly vkBytes?: number;
  readonly witnessMs?: number;
  readonly proveMs?: number;
  readonly verifyMs?: number;
  readonly provePeakRssBytes?: number;
  readonly proofBytes?: number;
  /** With hashed params (production visibility): logrows and rows, when sized. */
  readonly hashed?: { readonly logrows: number; readonly numRows: number };
  /** Set on the point where the family stopped (not proved). */
  readonly stopped?: string;
}

export interface ScalingResults {
  readonly visibility: string;
  readonly layers: number;
  readonly inputs: number;
  readonly budgetSeconds: number;
  readonly rssLimitBytes: number;
  readonly points: ScalingPoint[];
  /** Why the family ended before its last point, if it did. */
  readonly stoppedAt?: { readonly params: number; readonly logrows: number; readonly reason: string };
  /** Rows per parameter the Poseidon hash of the parameters costs (production visibility), fitted from the sized points. */
  readonly hashedRowsPerParam?: number;
  readonly elapsedSeconds: number;
}

const SCRIPT = "bench/scaling_models.py";

interface BuildOut {
  params: number;
  logrows: number;
  numRows: number;
  poseidonRows: number;
  ms: Record<string, number>;
}

async function step<T>(name: string, args: Record<string, unknown>, rssLimitBytes: number, timeoutMs?: number) {
  const run = await runMeasured(venvPython(), [SCRIPT, name, JSON.stringify(args)], { env: pythonEnv(), rssLimitBytes, ...(timeoutMs ? { timeoutMs } : {}) });
  return { run, out: stepResult<T>(`scaling ${name}`, run) };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const gib = (b: number) => `${(b / GiB).toFixed(2)} GiB`;

export async function benchScaling(plan: ScalingPlan): Promise<ScalingResults> {
  const { log } = plan;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const root = join(ROOT, ".cache", "bench", `scaling-${process.pid}`);
  const srsDir = join(ROOT, ".cache", "bench", "srs");
  mkdirSync(root, { recursive: true });
  const points: ScalingPoint[] = [];
  let stoppedAt: ScalingResults["stoppedAt"];
  const hashedSizes: { params: number; rows: number }[] = [];
  try {
    for (const hidden of plan.hidden) {
      const dir = join(root, `h${hidden}`);
      const args = { dir, inputs: plan.inputs, hidden, layers: plan.layers, seed: hidden, visibility: plan.visibility };
      const { run: buildRun, out: b } = await step<BuildOut>("build", args, plan.rssLimitBytes);
      let hashed: ScalingPoint["hashed"];
      if (plan.visibility !== "hashed" && b.params <= plan.hashedSizingMaxParams) {
        const { out: h } = await step<BuildOut>("build", { ...args, dir: `${dir}-hashed`, visibility: "hashed" }, plan.rssLimitBytes);
        hashed = { logrows: h.logrows, numRows: h.numRows };
        hashedSizes.push({ params: h.params, rows: h.poseidonRows });
        rmSync(`${dir}-hashed`, { recursive: true, force: true });
      }
      const base = { hidden, params: b.params, logrows: b.logrows, numRows: b.numRows, buildMs: buildRun.wallMs, ...(hashed ? { hashed } : {}) };
      log(`${b.params.toLocaleString("en-US")} params: logrows ${b.logrows} (${b.numRows.toLocaleString("en-US")} rows)${hashed ? `; with hashed params logrows ${hashed.logrows}` : ""}`);

      // project this point from the last proved one: setup + proof time and memory scale with 2^logrows
      const prev = [...points].reverse().find((p) => p.proveMs !== undefined);
      if (prev) {
        const f = 2 ** (b.logrows - prev.logrows);
        const time = ((prev.setupMs! + prev.witnessMs! + prev.proveMs! + prev.verifyMs!) * f) / 1000;
        const rss = Math.max(prev.setupPeakRssBytes!, prev.provePeakRssBytes!) * f;
        const left = plan.budgetSeconds - elapsed();
        const reason =
          rss > plan.rssLimitBytes
            ? `projected peak RSS ${gib(rss)} exceeds the ${gib(plan.rssLimitBytes)} ceiling`
            : time > left
              ? `projected setup + proof ${time.toFixed(0)} s exceeds the ${Math.max(0, left).toFixed(0)} s left of the ${plan.budgetSeconds} s scaling budget`
              : undefined;
        if (reason) {
          stoppedAt = { params: b.params, logrows: b.logrows, reason };
          points.push({ ...base, stopped: reason });
          log(`stopping the family at ${b.params.toLocaleString("en-US")} params: ${reason}`);
          break;
        }
      }

      let srs = insecureSrsPath(b.logrows);
      let srsMs: number | undefined;
      if (!existsSync(srs)) {
        srs = join(srsDir, `INSECURE-bench-kzg-${b.logrows}.srs`);
        if (!existsSync(srs)) {
          const { out } = await step<{ ms: { srs: number } }>("srs", { srs, logrows: b.logrows }, plan.rssLimitBytes);
          srsMs = out.ms.srs;
          log(`generated an INSECURE SRS for logrows ${b.logrows} in ${secs(srsMs)} (kept in .cache/bench/srs)`);
        }
      }
      const keys = { compiled: join(dir, "model.compiled"), srs, vk: join(dir, "vk.key"), pk: join(dir, "pk.key") };
      try {
        const setup = await step<{ pkBytes: number; vkBytes: number; ms: { setup: number } }>("setup", keys, plan.rssLimitBytes);
        const prove = await step<{ ms: { witness: number; prove: number; verify: number }; proofBytes: number }>(
          "prove",
          { ...keys, settings: join(dir, "settings.json"), input: join(dir, "input.json"), work: join(dir, "work") },
          plan.rssLimitBytes,
        );
        points.push({
          ...base,
          ...(srsMs !== undefined ? { srsMs } : {}),
          setupMs: setup.out.ms.setup,
          setupPeakRssBytes: setup.run.maxRssBytes,
          pkBytes: setup.out.pkBytes,
          vkBytes: setup.out.vkBytes,
          witnessMs: prove.out.ms.witness,
          proveMs: prove.out.ms.prove,
          verifyMs: prove.out.ms.verify,
          provePeakRssBytes: prove.run.maxRssBytes,
          proofBytes: prove.out.proofBytes,
        });
        log(
          `${b.params.toLocaleString("en-US")} params: setup ${secs(setup.out.ms.setup)} (peak ${gib(setup.run.maxRssBytes)}), prove ${secs(prove.out.ms.prove)} (peak ${gib(prove.run.maxRssBytes)}), pk ${(setup.out.pkBytes / 2 ** 20).toFixed(0)} MiB`,
        );
      } catch (e) {
        const msg = (e as Error).message;
        if (!/killed \(RSS/.test(msg)) throw e;
        // the memory ceiling was hit: that is where the family ends on this machine
        stoppedAt = { params: b.params, logrows: b.logrows, reason: msg };
        points.push({ ...base, stopped: msg });
        log(`stopping the family at ${b.params.toLocaleString("en-US")} params: ${msg}`);
        break;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const slope =
    hashedSizes.length >= 2
      ? (hashedSizes.at(-1)!.rows - hashedSizes[0]!.rows) / (hashedSizes.at(-1)!.params - hashedSizes[0]!.params)
      : hashedSizes.length === 1
        ? hashedSizes[0]!.rows / hashedSizes[0]!.params
        : undefined;
  return {
    visibility: plan.visibility,
    layers: plan.layers,
    inputs: plan.inputs,
    budgetSeconds: plan.budgetSeconds,
    rssLimitBytes: plan.rssLimitBytes,
    points,
    ...(stoppedAt ? { stoppedAt } : {}),
    ...(slope !== undefined ? { hashedRowsPerParam: slope } : {}),
    elapsedSeconds: elapsed(),
  };
}
