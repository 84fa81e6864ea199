// bench/results.json -> the summary table, the target verdicts and bench/report.md.
import type { GasResults } from "./gas.js";
import type { KeeperResults } from "./keeper.js";
import type { MachineInfo } from "./machine.js";
import type { BackendResults, ProvingResults } from "./proving.js";
import type { ScalingResults } from "./scaling.js";
import type { Summary } from "./stats.js";

export const GENERATED_BY = "npm run bench";

export interface BenchResults {
  readonly generatedBy: string;
  readonly mode: "full" | "quick";
  readonly command: string;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly wallSeconds: number;
  /** Seconds per section. */
  readonly sectionSeconds: Record<string, number>;
  readonly sections: {
    proving?: ProvingResults;
    gas?: GasResults;
    keeper?: KeeperResults;
    scaling?: ScalingResults;
  };
  readonly skipped: Record<string, string>;
  readonly errors: { section: string; message: string }[];
  readonly targets: TargetVerdict[];
  readonly plots: string[];
}

export interface TargetVerdict {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  /** undefined when the measurement is missing. */
  readonly met: boolean | undefined;
  /** "met with 30% to spare", "missed by 14.5 s (30x)". */
  readonly verdict: string;
}

/* FORMATTING */

const int = (x: number) => Math.round(x).toLocaleString("en-US");
export const fmtMs = (ms: number): string => (ms < 1 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(ms < 100_000 ? 2 : 1)} s`);
const fmtBytes = (b: number): string =>
  b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`;
const exactBytes = (b: number) => `${fmtBytes(b)} (${int(b)} bytes)`;
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/* TARGETS */

const isBackend = (x: ProvingResults["engine"] | undefined): x is BackendResults => x !== undefined && "warm" in x;

export function evaluateTargets(s: BenchResults["sections"]): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const below = (name: string, target: string, limit: number, value: number | undefined, show: (x: number) => string) => {
    if (value === undefined) return out.push({ name, target, measured: "not measured", met: undefined, verdict: "not measured" });
    const met = value <= limit;
    out.push({
      name,
      target,
      measured: show(value),
      met,
      verdict: met ? (value === limit ? "at the limit" : `${pct(1 - value / limit)} under the limit`) : `over by ${show(value - limit)} (${(value / limit).toFixed(1)}x the limit)`,
    });
  };
  const p = s.proving;
  below("Credit proof p50, warm (native)", "<= 500 ms", 500, p?.native.warm.summary.prove.median, fmtMs);
  const ratio = p?.native.ratioTotal;
  if (ratio === undefined) out.push({ name: "Warm vs cold (native)", target: ">= 3x faster", measured: "not measured", met: undefined, verdict: "not measured" });
  else {
    const met = ratio >= 3;
    out.push({
      name: "Warm vs cold (native, end to end)",
      target: ">= 3x faster",
      measured: `${ratio.toFixed(2)}x`,
      met,
      verdict: met ? `${ratio.toFixed(2)}x` : `${ratio.toFixed(2)}x, ${(3 - ratio).toFixed(2)}x short of 3x`,
    });
  }
  below("Verifier call gas", "<= 350,000 gas", 350_000, s.gas?.summary.verifierCall.median, (x) => `${int(x)} gas`);
  below("Keeper delay p95", "<= 1 block", 1, s.keeper?.summary?.p95, (x) => `${x.toFixed(x % 1 ? 2 : 0)} block${x === 1 ? "" : "s"}`);
  return out;
}

/** One sentence: which targets are met, and by how much the others are missed. */
function plainVerdict(targets: readonly TargetVerdict[]): string {
  const met = targets.filter((t) => t.met === true);
  const missed = targets.filter((t) => t.met === false);
  const none = targets.filter((t) => t.met === undefined);
  return [
    `Met: ${met.length} of ${targets.length}${met.length ? ` (${met.map((t) => `${t.name}: ${t.measured}`).join("; ")})` : ""}.`,
    missed.length ? `Missed: ${missed.map((t) => `${t.name}, ${t.measured} against ${t.target}: ${t.verdict}`).join("; ")}.` : "",
    none.length ? `Not measured: ${none.map((t) => t.name).join(", ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/* SUMMARY TABLE */

interface Row {
  metric: string;
  n: string;
  median: string;
  p95: string;
  target: string;
}

function summaryRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const targetOf = (name: string) => {
    const t = r.targets.find((x) => x.name.startsWith(name));
    return t ? `${t.target}: ${t.met === undefined ? "not measured" : t.met ? "**met**" : "**missed**"}` : "";
  };
  const add = (metric: string, sum: Summary | undefined, show: (x: number) => string, target = "") =>
    sum && rows.push({ metric, n: String(sum.n), median: show(sum.median), p95: show(sum.p95), target });
  const one = (metric: string, value: string, target = "") => rows.push({ metric, n: "1", median: value, p95: "", target });
  const { proving: p, gas: g, keeper: k, scaling: sc } = r.sections;
  if (p) {
    const m = p.model;
    add(`Witness, native warm (${m})`, p.native.warm.summary.witness, fmtMs);
    add(`Proof generation, native warm (${m})`, p.native.warm.summary.prove, fmtMs, targetOf("Credit proof p50"));
    add(`Proof end to end, native warm (${m})`, p.native.warm.summary.total, fmtMs);
    add(`Witness, native cold (${m})`, p.native.cold.summary.witness, fmtMs);
    add(`Proof generation, native cold (${m})`, p.native.cold.summary.prove, fmtMs);
    add(`Proof end to end, native cold: fresh process (${m})`, p.native.cold.summary.total, fmtMs);
    one("Cold / warm, native, end to end (proof generation alone)", `${p.native.ratioTotal.toFixed(2)}x (${p.native.ratioProve.toFixed(2)}x)`, targetOf("Warm vs cold"));
    if (isBackend(p.engine)) {
      const e = p.engine;
      add(`Witness, engine warm (${e.model})`, e.warm.summary.witness, fmtMs);
      add(`Proof generation, engine warm (${e.model})`, e.warm.summary.prove, fmtMs);
      add(`Proof end to end, engine cold: fresh process (${e.model})`, e.cold.summary.total, fmtMs);
      one(`Cold / warm, engine, end to end (${e.model})`, `${e.ratioTotal.toFixed(2)}x`);
    }
    add(`Off-chain verify, native (${m})`, p.verify.summary.native, fmtMs);
    add(`Off-chain verify, engine (${m})`, p.verify.summary.engine, fmtMs);
  }
  if (g) {
    add("Gas: verifier call inside attest", g.summary.verifierCall, (x) => int(x), targetOf("Verifier call gas"));
    add("Gas: verifyProof as its own transaction", g.summary.verifierTx, (x) => int(x));
    add("Gas: whole attest transaction", g.summary.attestTx, (x) => int(x));
    add("Gas: postCommitment transaction", g.summary.postCommitmentTx, (x) => int(x));
    one("Calldata: attest / verifyProof / proof", `${int(g.attestCalldataBytes)} / ${int(g.verifierCalldataBytes)} / ${int(g.proofBytes)} bytes`);
    const v = g.contracts.find((c) => c.key === "creditVerifier");
    if (v) one("Runtime code: CreditVerifier", `${int(v.runtimeBytes)} bytes`, "EIP-170: 24,576");
  }
  if (p) {
    one(`Peak RSS: setup (${p.model})`, fmtBytes(p.setup.peakRssBytes));
    one(`Peak RSS: native prover, warm process (${p.model})`, fmtBytes(p.native.warmPeakRssBytes));
    add(`Peak RSS: native prover, cold process (${p.model})`, summarizeBytes(p.native.coldPeakRssBytes), fmtBytes);
    if (isBackend(p.engine)) one(`Peak RSS: engine process (${p.engine.model})`, fmtBytes(p.engine.warmPeakRssBytes));
    one(`Proving key / verifying key (${p.model})`, `${fmtBytes(p.keys.pkBytes)} / ${fmtBytes(p.keys.vkBytes)}`);
    one(`logrows (${p.model})`, `${p.logrows} (${int(p.numRows)} rows used)`);
  }
  if (k?.summary) add(`Keeper: blocks liquidatable -> liquidated (${k.positions} positions)`, k.summary, (x) => x.toFixed(x % 1 ? 2 : 0), targetOf("Keeper delay"));
  if (sc) {
    const proved = sc.points.filter((x) => x.proveMs !== undefined);
    const last = proved.at(-1);
    if (last) one("Scaling: largest MLP proved", `${int(last.params)} params, k=${last.logrows}, proof ${fmtMs(last.proveMs!)}, peak ${fmtBytes(last.provePeakRssBytes!)}`);
    if (sc.stoppedAt) one("Scaling: family stopped at", `${int(sc.stoppedAt.params)} params (k=${sc.stoppedAt.logrows}): ${sc.stoppedAt.reason}`);
  }
  return rows;
}

function summarizeBytes(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => {
    const pos = (s.length - 1) * f;
    return s[Math.floor(pos)]! + (s[Math.ceil(pos)]! - s[Math.floor(pos)]!) * (pos - Math.floor(pos));
  };
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0]!, max: s.at(-1)!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** The summary table as plain text for the terminal. */
export function summaryText(r: BenchResults): string {
  const rows = summaryRows(r).map((x) => [x.metric, x.n, x.median, x.p95, x.target.replace(/\*\*/g, "")]);
  const head = ["metric", "n", "median", "p95", "target"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join("  ");
  return [line(head), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

/* REPORT */

function series(name: string, s: BackendResults["warm"]): string[] {
  const z = s.summary;
  return [name, String(z.total.n), `${fmtMs(z.witness.median)} / ${fmtMs(z.witness.p95)}`, `${fmtMs(z.prove.median)} / ${fmtMs(z.prove.p95)}`, `${fmtMs(z.verify.median)} / ${fmtMs(z.verify.p95)}`, `${fmtMs(z.total.median)} / ${fmtMs(z.total.p95)}`];
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const { proving: p, gas: g, keeper: k, scaling: sc } = r.sections;
  const out: string[] = [];
  out.push(
    `<!-- GENERATED by \`${GENERATED_BY}\`${r.mode === "quick" ? " -- --quick" : ""}; do not edit. Regenerate with \`${r.command}\`. -->`,
    `# zkrisk benchmarks${r.mode === "quick" ? " (QUICK MODE: smoke-test run counts, not the published numbers)" : ""}`,
    "",
    `Generated by \`${r.command}\` on ${m.startedAt.slice(0, 10)} in ${(r.wallSeconds / 60).toFixed(1)} min. Raw numbers: [results.json](results.json).`,
    "",
    table(
      ["machine", ""],
      [
        ["CPU", `${m.cpuModel}, ${m.cores} cores`],
        ["memory", fmtBytes(m.memoryBytes)],
        ["OS", m.os],
        ["load average (1/5/15 min) at start / end", `${m.loadAverageAtStart.join(" / ")} ; ${r.loadAverageAtEnd.join(" / ")}`],
        ["versions", Object.entries(m.versions).map(([k2, v]) => `${k2} ${v.replace(/^(forge|anvil) Version: /, "")}`).join(", ")],
        ["commit", `${m.commit}${m.dirtyPaths.length ? ` (uncommitted changes in ${m.dirtyPaths.join(", ")})` : ""}`],
      ],
    ),
    "",
    "The machine is shared: other jobs ran during the benchmark (see the load average), so times are",
    "upper bounds of what an idle machine of this kind does.",
    "",
    "## Targets",
    "",
    table(["target", "limit", "measured (median unless named)", "verdict"], r.targets.map((t) => [t.name, t.target, t.measured, t.met === undefined ? "not measured" : t.met ? `**met**: ${t.verdict}` : `**missed**: ${t.verdict}`])),
    "",
    plainVerdict(r.targets),
    "",
    "## Summary",
    "",
    table(["metric", "n", "median", "p95", "target"], summaryRows(r).map((x) => [x.metric, x.n, x.median, x.p95, x.target])),
    "",
    "n is the number of measured runs; p95 interpolates between the two largest samples when n is small.",
  );
  if (r.errors.length) {
    out.push("", "## Errors", "", ...r.errors.map((e) => `- **${e.section}**: ${e.message}`));
  }
  if (Object.keys(r.skipped).length) out.push("", "## Skipped", "", ...Object.entries(r.skipped).map(([s, why]) => `- ${s}: ${why}`));

  if (p) {
    const e = isBackend(p.engine) ? p.engine : undefined;
    out.push(
      "",
      "## 1. Proving (witness and proof generation, warm and cold)",
      "",
      `Model \`${p.model}\`: logrows ${p.logrows}, ${int(p.numRows)} rows. Inputs are the committed fixture wallets`,
      "(`test/fixtures/credit/*.json`, features + salt), taken in turn; every proof is verified and its tier checked.",
      "",
      "- **warm**: the long-lived prover (`openProver`, keys loaded once) after its first proof; the first proof is not counted",
      `  (native: ${fmtMs(p.native.firstProofMs ?? 0)}; key load ${fmtMs(p.native.loadMs)}). End to end = \`prover.prove()\` as the caller sees it.`,
      "- **cold**: a fresh process per proof that loads the circuit and keys from disk: native, `circuits/prover_worker.py` started",
      "  for one request (Python start, EZKL import, proving key read); engine, a fresh Node process (`bench/engine-child.ts`:",
      "  WebAssembly load, keys read into memory). End to end = from spawning the process to holding the verified proof.",
      "- Native warm and cold proofs are interleaved (warm 1, cold 1, warm 2, ...) so that both see the same machine load;",
      `  1-minute load average over them: ${p.native.loadAverages?.length ? `${Math.min(...p.native.loadAverages).toFixed(2)} to ${Math.max(...p.native.loadAverages).toFixed(2)} on ${r.machine.cores} cores` : "not recorded"}.`,
      "",
      table(["prover", "n", "witness median / p95", "proof generation median / p95", "verify median / p95", "end to end median / p95"], [
        series(`native warm (${p.native.model})`, p.native.warm),
        series(`native cold (${p.native.model})`, p.native.cold),
        ...(e ? [series(`engine warm (${e.model})`, e.warm), series(`engine cold (${e.model})`, e.cold)] : []),
      ]),
      "",
      `Cold / warm, end to end: native ${p.native.ratioTotal.toFixed(2)}x${e ? `, engine (${e.model}) ${e.ratioTotal.toFixed(2)}x` : ""}; proof generation alone: native ${p.native.ratioProve.toFixed(2)}x${e ? `, engine ${e.ratioProve.toFixed(2)}x` : ""}.`,
      e?.note ? `\nEngine: ${e.note}.` : "",
      isBackend(p.engine) ? "" : `\nEngine proving: ${(p.engine as { skipped: string }).skipped}.`,
      "",
      "Why warm and cold differ so little with native EZKL: EZKL's Python `prove` takes the proving key as a path and",
      "deserialises it on every call (see `circuits/prover_worker.py`), so the long-lived worker saves only the process start,",
      "the EZKL import and the cold read of the key file, while proof generation dominates both. With the engine the key",
      "bytes stay in memory, but its single-threaded WebAssembly proof dwarfs the load.",
      "",
      "![proving](proving.png)",
      "",
      "## 2. Off-chain verification",
      "",
      table(["verifier", "n", "median", "p95"], [
        ["native EZKL (`ezkl.verify`, inside each proof above)", String(p.verify.summary.native.n), fmtMs(p.verify.summary.native.median), fmtMs(p.verify.summary.native.p95)],
        ["@ezkljs/engine (`verifyProof`, fixture proofs, keys in memory)", String(p.verify.summary.engine.n), fmtMs(p.verify.summary.engine.median), fmtMs(p.verify.summary.engine.p95)],
      ]),
    );
  }
  if (g) {
    out.push(
      "",
      "## 3. On-chain",
      "",
      `A real deployment (\`ts/runtime/deploy.ts\`, \`script/Deploy.s.sol\`, config \`local.json\`) on anvil (chain id 1, hardfork ${g.hardfork}),`,
      `the real \`CreditVerifier\` and the ${g.fixtures} committed credit proofs (every tier). For each: the attestor posts the`,
      "commitment, anyone submits `attest`; the verifier's share is read from a `callTracer` trace of that transaction;",
      "then the same proof goes straight to `verifyProof` as its own transaction.",
      "",
      table(["gas", "n", "median", "p95", "max"], [
        ["verifier call inside `attest` (callTracer)", g.summary.verifierCall, ""],
        ["`verifyProof` as its own transaction (receipt)", g.summary.verifierTx, ""],
        ["  of which execution (minus 21,000 and calldata)", g.summary.verifierTxExecution, ""],
        ["whole `attest` transaction (receipt)", g.summary.attestTx, ""],
        ["`postCommitment` transaction (receipt)", g.summary.postCommitmentTx, ""],
      ].map(([name, s]) => {
        const sum = s as Summary;
        return [name as string, String(sum.n), int(sum.median), int(sum.p95), int(sum.max)];
      })),
      "",
      `Calldata: \`attest\` ${int(g.attestCalldataBytes)} bytes, \`verifyProof\` ${int(g.verifierCalldataBytes)} bytes, of which the proof ${int(g.proofBytes)} bytes.`,
      "",
      table(["contract", "deployed as", "runtime bytes", "EIP-170 margin"], g.contracts.map((c) => [c.contract, c.key, int(c.runtimeBytes), int(c.eip170MarginBytes)])),
    );
  }
  if (p) {
    out.push(
      "",
      "## 4. Memory, keys, logrows",
      "",
      table(["", `${p.model}`], [
        ["setup (`ezkl.setup`, fresh process): time / peak RSS", `${fmtMs(p.setup.wallMs)} / ${fmtBytes(p.setup.peakRssBytes)}`],
        ["native prover, long-lived worker: peak RSS (VmHWM)", fmtBytes(p.native.warmPeakRssBytes)],
        ["native prover, cold process: peak RSS (median)", fmtBytes(summarizeBytes(p.native.coldPeakRssBytes).median)],
        ...(isBackend(p.engine) ? [[`engine process (${p.engine.model}): peak RSS`, fmtBytes(p.engine.warmPeakRssBytes)]] : []),
        ["proving key", exactBytes(p.keys.pkBytes)],
        ["verifying key", exactBytes(p.keys.vkBytes)],
        ["SRS (INSECURE local)", exactBytes(p.keys.srsBytes)],
        ["proof", `${int(p.keys.proofBytes)} bytes`],
        ["logrows / rows used", `${p.logrows} / ${int(p.numRows)}`],
      ]),
      "",
      "Peak RSS is GNU time's maximum resident set size for a fresh process, and /proc VmHWM for the long-lived worker.",
    );
  }
  if (k) {
    out.push(
      "",
      "## 5. Keeper under a replayed crash",
      "",
      `anvil (chain id 1) with ${k.blockTimeSeconds} s interval mining; ${k.positions} borrowers (unverified tier: borrow up to 60%, liquidated above`,
      "70% LTV) with liquidation prices spread evenly between just above the crash low and 85% of the start price;",
      `the keeper (\`ts/runtime/keeper.ts\`, polling every 100 ms) runs against the real deployment. The crash: the worst`,
      `${k.crash.dailyCloses.length - 1}-day drawdown of the ETH/USD series in \`models/credit/data/\` (MIT), ${k.crash.from} to ${k.crash.to}, -${k.crash.fallPct.toFixed(1)}%,`,
      `interpolated to ${k.crash.steps} oracle answers, one per block (\`MockAggregator.setAnswer\`).`,
      "",
      table(["", ""], [
        ["positions liquidated", `${k.liquidated} of ${k.positions}`],
        ["unhealthy at the end but not liquidated", String(k.missed)],
        ["keeper start blocks confirmed by `isHealthy` (healthy the block before, unhealthy at it)", `${k.startBlocksConfirmed} of ${k.liquidated}`],
        ["liquidations with bad debt", String(k.badDebtPositions)],
        ["delay (blocks) median / p95 / max", k.summary ? `${k.summary.median} / ${k.summary.p95.toFixed(2)} / ${k.summary.max}` : "none"],
        ["delay histogram (blocks: positions)", Object.entries(k.histogram).map(([d, n]) => `${d}: ${n}`).join(", ")],
        ["set-up / replay wall time", `${k.setupSeconds.toFixed(0)} s / ${k.replaySeconds.toFixed(0)} s`],
      ]),
      "",
      "A delay of 1 block is the floor: a position that becomes liquidatable in block B (the oracle answer mined there)",
      "can be liquidated at the earliest by a transaction in block B+1.",
      "",
      "![keeper](keeper.png)",
    );
  }
  if (sc) {
    const hashedNote =
      sc.hashedRowsPerParam !== undefined
        ? `With the production visibility (hashed params) the Poseidon hash of the weights costs about ${sc.hashedRowsPerParam.toFixed(0)} rows per parameter (measured on the sized points), so logrows grows far faster: the "hashed logrows" column.`
        : "";
    out.push(
      "",
      "## 6. Scaling",
      "",
      `MLPs ${sc.inputs} inputs -> ${sc.layers} hidden layers of width h (ReLU) -> 1, seeded weights, through the same steps as the`,
      `credit circuit (\`bench/scaling_models.py\`: settings, calibrate at one scale, compile, INSECURE local SRS, setup, witness,`,
      `prove, verify), each step a fresh measured process. Parameter visibility of the measured family: **${sc.visibility}**.`,
      hashedNote,
      `Budget ${sc.budgetSeconds} s; memory ceiling ${fmtBytes(sc.rssLimitBytes)} (the machine is shared). Before each point, its setup + proof`,
      "time and memory are projected from the last proved point (both grow with 2^logrows); the family stops at the first",
      `point that would not fit. Took ${sc.elapsedSeconds.toFixed(0)} s. SRS generation (\`gen_srs\`) is a one-off outside the timed steps`,
      "(SRS files are kept in `circuits/srs/` and `.cache/bench/srs/`).",
      "",
      table(["h", "params", "logrows (rows)", "hashed logrows", "setup", "setup peak RSS", "proof", "proving peak RSS", "pk"], sc.points.map((x) => [
        String(x.hidden),
        int(x.params),
        `${x.logrows} (${int(x.numRows)})`,
        x.hashed ? `${x.hashed.logrows} (${int(x.hashed.numRows)})` : sc.hashedRowsPerParam ? `~${Math.ceil(Math.log2(sc.hashedRowsPerParam * x.params))} (extrapolated)` : "",
        x.setupMs !== undefined ? fmtMs(x.setupMs) : "",
        x.setupPeakRssBytes !== undefined ? fmtBytes(x.setupPeakRssBytes) : "",
        x.proveMs !== undefined ? fmtMs(x.proveMs) : x.stopped ? "not run" : "",
        x.provePeakRssBytes !== undefined ? fmtBytes(x.provePeakRssBytes) : "",
        x.pkBytes !== undefined ? fmtBytes(x.pkBytes) : "",
      ])),
      "",
      sc.stoppedAt ? `**Stopped at ${int(sc.stoppedAt.params)} parameters (logrows ${sc.stoppedAt.logrows}):** ${sc.stoppedAt.reason}.` : "The whole family was proved.",
      "",
      "![scaling](scaling.png)",
    );
  }
  out.push(
    "",
    "## Method",
    "",
    `- Mode: ${r.mode}. Section wall times: ${Object.entries(r.sectionSeconds).map(([s, t]) => `${s} ${t.toFixed(0)} s`).join(", ")}.`,
    "- Targets are reported, never asserted: the benchmark fails only when a measurement step errors.",
    "- Quick mode (`npm run bench -- --quick`, run once by CI so the harness cannot rot) uses 1 warm and 1 cold native proof,",
    "  the engine on the small smoke model, 30 keeper positions over a 5-day crash, and 2 tiny scaling points; it writes",
    "  `bench/quick/` and leaves the published report alone.",
    "",
  );
  return `${out.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n")}\n`;
}
