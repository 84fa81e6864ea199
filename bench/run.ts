// `npm run bench`: measure proving of the single-wallet circuit (warm/cold, native/engine),
// verification, gas and code size, memory and keys, attestation rounds (one proof for 96 wallets:
// proving and gas per wallet), the keeper under a replayed crash and under stress (issue 14: a
// one-block crash, a hung RPC, a burst of 2,000, expired tiers, a slow bleed; bench/keeper-stress.ts),
// the indexer at scale (events/s, features of every wallet, memory, on PGlite and PostgreSQL), and
// scaling over an MLP family; write results.json, PNG plots and report.md, and print the summary
// table. Targets are reported, never asserted; the exit code is non-zero only when a measurement
// step fails.
//
//   npm run bench                      full run (~29 min on 2 cores), writes bench/
//   npm run bench -- --quick           CI smoke run (few runs, small sizes), writes bench/quick/
//   npm run bench -- --only keeper     one section (here: the keeper's replay and stress cases)
//   npm run bench -- --help
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MODELS } from "../ts/pipeline/models.js";
import { ROOT, venvPython } from "../ts/toolchain/paths.js";
import { formatDuration, stepReporter } from "../ts/toolchain/progress.js";
import { benchGas } from "./gas.js";
import { benchIndexer } from "./indexer.js";
import { benchKeeper } from "./keeper.js";
import { benchKeeperStress, STRESS_CASES, type StressCaseName } from "./keeper-stress.js";
import { machineInfo } from "./machine.js";
import { GiB, runMeasured, stepResult } from "./measure.js";
import { benchProving } from "./proving.js";
import { benchRound } from "./round.js";
import { evaluateTargets, GENERATED_BY, renderReport, summaryText, type BenchResults } from "./report.js";
import { benchScaling } from "./scaling.js";

const SECTIONS = ["gas", "proving", "round", "keeper", "indexer", "scaling"] as const;
type Section = (typeof SECTIONS)[number];

const HELP = `usage: npm run bench -- [--quick] [--only <sections>] [--skip <sections>] [--keeper-cases <cases>] [--skip-engine] [--scaling-budget <s>] [--out <dir>]

  --quick               CI smoke run: 1 warm + 1 cold native proof, engine on the smoke model,
                        1 round proof (no warm-up), 30 keeper positions (stress cases: 40, burst 300),
                        indexer 50k and 100k events for 10k wallets, 2 tiny scaling points; writes bench/quick/
  --only <list>         comma-separated sections to run, the others left out (${SECTIONS.join(", ")})
  --skip <list>         comma-separated sections to leave out
  --keeper-cases <list> the keeper's stress cases to run (default all: ${STRESS_CASES.join(", ")}; "none" for none)
  --skip-engine         no WebAssembly engine proofs (engine verification still runs)
  --scaling-budget <s>  seconds the scaling family may take (full: 330, quick: 120, each cut to what
                        is left of 29.5 min / 11.5 min for the whole run; an explicit budget is not cut)
  --out <dir>           where results.json, report.md and the plots go (default bench/, quick: bench/quick/)`;

interface Config {
  quick: boolean;
  proving: { nativeWarm: number; nativeCold: number; engineProofs: number; engineModel: string; engineVerifyRuns: number };
  /** Full-round proofs measured, after one uncounted warm-up proof when `warmup`. */
  round: { proofs: number; warmup: boolean };
  keeper: { positions: number; crashDays: number; blocksPerDay: number; tailBlocks: number };
  /** Issue 14's stress cases: positions per case, the burst's, answers of the slow bleeds, blocks watched at most after the last answer. */
  keeperStress: { positions: number; burstPositions: number; bleedBlocks: number; tailBlocks: number; cases: StressCaseName[] };
  /** Events per run (same wallets each), wallets, chain activity (a run covers events / eventsPerDay days), seconds for the section. */
  indexer: { sizes: number[]; wallets: number; eventsPerDay: number; budgetSeconds: number };
  scaling: { hidden: number[]; budgetSeconds: number; hashedSizingMaxParams: number };
  /** The whole run should end within this many seconds: the scaling family (last) gets at most what is left. */
  deadlineSeconds: number;
}

const FULL: Config = {
  quick: false,
  proving: { nativeWarm: 5, nativeCold: 3, engineProofs: 2, engineModel: "credit", engineVerifyRuns: 10 },
  round: { proofs: 3, warmup: true },
  keeper: { positions: 200, crashDays: 7, blocksPerDay: 6, tailBlocks: 10 },
  keeperStress: { positions: 200, burstPositions: 2000, bleedBlocks: 60, tailBlocks: 25, cases: [...STRESS_CASES] },
  // 1,000,000 events over 7 days (and 250,000 over 1.75 days) for 100,000 wallets, both engines
  indexer: { sizes: [250_000, 1_000_000], wallets: 100_000, eventsPerDay: 1_000_000 / 7, budgetSeconds: 480 },
  // about 1k, 17k, 68k, 261k and 1M parameters
  scaling: { hidden: [24, 120, 250, 500, 1000], budgetSeconds: 330, hashedSizingMaxParams: 20_000 },
  // 14.5 min for the other sections, plus the indexer section's 480 s, plus 7 min for the keeper's stress cases
  deadlineSeconds: 29.5 * 60,
};

const QUICK: Config = {
  quick: true,
  proving: { nativeWarm: 1, nativeCold: 1, engineProofs: 1, engineModel: "smoke", engineVerifyRuns: 3 },
  round: { proofs: 1, warmup: false },
  keeper: { positions: 30, crashDays: 5, blocksPerDay: 2, tailBlocks: 8 },
  keeperStress: { positions: 40, burstPositions: 300, bleedBlocks: 12, tailBlocks: 12, cases: [...STRESS_CASES] },
  indexer: { sizes: [50_000, 100_000], wallets: 10_000, eventsPerDay: 50_000, budgetSeconds: 240 },
  scaling: { hidden: [8, 16], budgetSeconds: 120, hashedSizingMaxParams: 1_000 },
  // 10 min, plus 1.5 min for the keeper's stress cases
  deadlineSeconds: 11.5 * 60,
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      skip: { type: "string" },
      only: { type: "string" },
      "keeper-cases": { type: "string" },
      "skip-engine": { type: "boolean" },
      "scaling-budget": { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config: Config = structuredClone(values.quick ? QUICK : FULL);
  const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const skip = new Set(list(values.skip));
  for (const s of skip) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--skip: unknown section "${s}" (one of ${SECTIONS.join(", ")})`);
  if (values.only !== undefined) {
    const only = list(values.only);
    for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}" (one of ${SECTIONS.join(", ")})`);
    if (!only.length) throw new Error(`--only: name at least one section (${SECTIONS.join(", ")})`);
    for (const s of SECTIONS) if (!only.includes(s)) skip.add(s);
  }
  if (values["keeper-cases"] !== undefined) {
    const cases = list(values["keeper-cases"]);
    const none = cases.length === 1 && cases[0] === "none";
    for (const c of none ? [] : cases) if (!(STRESS_CASES as readonly string[]).includes(c)) throw new Error(`--keeper-cases: unknown case "${c}" (one of ${STRESS_CASES.join(", ")}, or none)`);
    config.keeperStress.cases = none ? [] : (cases as StressCaseName[]);
  }
  if (values["scaling-budget"] !== undefined) {
    const b = Number(values["scaling-budget"]);
    if (!Number.isFinite(b) || b <= 0) throw new Error(`--scaling-budget: "${values["scaling-budget"]}" is not a positive number of seconds`);
    config.scaling.budgetSeconds = b;
    config.deadlineSeconds = Number.POSITIVE_INFINITY; // an explicit budget is taken as given
  }
  if (values["skip-engine"]) config.proving.engineProofs = 0;
  const outDir = resolve(ROOT, values.out ?? (config.quick ? "bench/quick" : "bench"));
  mkdirSync(outDir, { recursive: true });

  venvPython(); // one-line error before anything runs when the venv is missing
  const started = performance.now();
  const machine = machineInfo();
  const env = { ...process.env, FOUNDRY_OUT: "out-bench", FOUNDRY_CACHE_PATH: "cache-bench" };
  const rssLimitBytes = Math.min(18 * GiB, 0.75 * totalmem());
  const command = `${GENERATED_BY}${config.quick ? " -- --quick" : ""}`;
  process.stderr.write(`${command}: ${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / GiB).toFixed(1)} GiB, load ${machine.loadAverageAtStart.join(" ")}\n`);

  const sections: BenchResults["sections"] = {};
  const errors: BenchResults["errors"] = [];
  const skipped: Record<string, string> = {};
  const sectionSeconds: Record<string, number> = {};
  const todo = SECTIONS.filter((s) => !skip.has(s));
  for (const s of SECTIONS) if (skip.has(s)) skipped[s] = "--skip";
  if (config.proving.engineProofs === 0 && !skip.has("proving")) skipped["engine proving"] = "--skip-engine";
  const reporter = stepReporter(todo.length);
  const log = (section: Section) => (line: string) => process.stderr.write(`      ${section}: ${line}\n`);

  const run: Record<Section, () => Promise<void>> = {
    gas: async () => {
      sections.gas = await benchGas({ env, log: log("gas") });
    },
    proving: async () => {
      sections.proving = await benchProving({
        model: MODELS.credit!,
        nativeWarm: config.proving.nativeWarm,
        nativeCold: config.proving.nativeCold,
        engineProofs: config.proving.engineProofs,
        engineModel: MODELS[config.proving.engineModel]!,
        engineVerifyRuns: config.proving.engineVerifyRuns,
        log: log("proving"),
      });
    },
    round: async () => {
      const p = sections.proving;
      sections.round = await benchRound({
        model: MODELS.credit!,
        ...config.round,
        // the single circuit's warm end-to-end proof, when the proving section measured it
        ...(p
          ? {
              single: {
                ms: p.native.warm.summary.total.median,
                proveMs: p.native.warm.summary.prove.median,
                n: p.native.warm.summary.total.n,
                source: `proving section: native long-lived prover, warm, median of ${p.native.warm.summary.total.n}`,
              },
            }
          : {}),
        env,
        log: log("round"),
      });
    },
    keeper: async () => {
      const replay = await benchKeeper({ ...config.keeper, env, log: log("keeper") });
      if (!config.keeperStress.cases.length) return void (sections.keeper = replay);
      const { cases, ...stress } = await benchKeeperStress({ ...config.keeperStress, env, log: log("keeper") });
      sections.keeper = { ...replay, stress, cases };
    },
    indexer: async () => {
      // its budget, cut to what is left before the deadline minus the scaling family's minute
      const left = config.deadlineSeconds - (performance.now() - started) / 1000 - 80;
      const budgetSeconds = Math.round(Math.min(config.indexer.budgetSeconds, Math.max(120, left)));
      if (budgetSeconds < config.indexer.budgetSeconds) log("indexer")(`budget cut to ${budgetSeconds} s to end within ${(config.deadlineSeconds / 60).toFixed(1)} min`);
      sections.indexer = await benchIndexer({
        sizes: config.indexer.sizes,
        wallets: config.indexer.wallets,
        eventsPerDay: config.indexer.eventsPerDay,
        seed: 12,
        budgetSeconds,
        rssLimitBytes,
        log: log("indexer"),
      });
    },
    scaling: async () => {
      // the family runs last: it gets its budget, or what is left before the deadline (at least a minute)
      const left = config.deadlineSeconds - (performance.now() - started) / 1000 - 20;
      const budgetSeconds = Math.round(Math.min(config.scaling.budgetSeconds, Math.max(60, left)));
      if (budgetSeconds < config.scaling.budgetSeconds) log("scaling")(`budget cut to ${budgetSeconds} s to end within ${(config.deadlineSeconds / 60).toFixed(1)} min`);
      sections.scaling = await benchScaling({
        hidden: config.scaling.hidden,
        layers: 2,
        inputs: 20,
        visibility: "fixed",
        hashedSizingMaxParams: config.scaling.hashedSizingMaxParams,
        budgetSeconds,
        rssLimitBytes,
        log: log("scaling"),
      });
    },
  };
  const titles: Record<Section, string> = {
    gas: "on-chain: deploy, attest real credit proofs, gas and code size",
    proving: `proving: credit model (single circuit), native ${config.proving.nativeWarm} warm + ${config.proving.nativeCold} cold, engine ${config.proving.engineProofs} (${config.proving.engineModel}), setup, verify`,
    round: `rounds: credit round circuit, ${config.round.warmup ? "1 warm-up + " : ""}${config.round.proofs} full-round proof(s), attestRound gas by wallets`,
    keeper: `keeper: ${config.keeper.positions} positions, ${config.keeper.crashDays}-day crash, 1 s blocks; stress cases ${config.keeperStress.cases.join(", ") || "none"} (${config.keeperStress.positions} positions, burst ${config.keeperStress.burstPositions})`,
    indexer: `indexer: ${config.indexer.sizes.map((n) => n.toLocaleString("en-US")).join(" and ")} events, ${config.indexer.wallets.toLocaleString("en-US")} wallets, 3 chains, PGlite and PostgreSQL`,
    scaling: `scaling: MLP family h=${config.scaling.hidden.join(",")}, budget ${config.scaling.budgetSeconds} s`,
  };
  for (const s of todo) {
    const t = performance.now();
    try {
      await reporter.step(titles[s], run[s]);
    } catch (e) {
      errors.push({ section: s, message: (e as Error).message.split("\n")[0]! });
      process.stderr.write(`      ${s}: ERROR ${(e as Error).message.split("\n")[0]}\n`);
    }
    sectionSeconds[s] = (performance.now() - t) / 1000;
  }

  const results: BenchResults = {
    generatedBy: GENERATED_BY,
    mode: config.quick ? "quick" : "full",
    command,
    machine,
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    wallSeconds: (performance.now() - started) / 1000,
    sectionSeconds,
    sections,
    ...(sections.round ? { round: sections.round } : {}),
    ...(sections.indexer ? { indexer: sections.indexer } : {}),
    ...(sections.keeper ? { keeper: sections.keeper } : {}),
    skipped,
    errors,
    targets: evaluateTargets(sections, machine.cores),
    plots: [],
  };
  const resultsFile = join(outDir, "results.json");
  const write = () => writeFileSync(resultsFile, `${JSON.stringify({ ...results, note: `GENERATED by \`${command}\`; do not edit` }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  write();
  try {
    const plot = await runMeasured(venvPython(), ["bench/plot.py", resultsFile, outDir], { env: { ...process.env, MPLBACKEND: "Agg" } });
    results.plots.push(...stepResult<{ files: string[] }>("plot", plot).files);
  } catch (e) {
    errors.push({ section: "plots", message: (e as Error).message });
  }
  write();
  writeFileSync(join(outDir, "report.md"), renderReport(results));
  process.stdout.write(`\n${summaryText(results)}\n\n`);
  for (const t of results.targets) process.stdout.write(`target ${t.name} (${t.target}): ${t.measured === "not measured" ? "not measured" : `${t.measured}: ${t.verdict}`}\n`);
  process.stdout.write(`\nwrote ${relative(ROOT, join(outDir, "report.md"))}, ${relative(ROOT, resultsFile)}${results.plots.map((p) => `, ${relative(ROOT, join(outDir, p))}`).join("")} in ${formatDuration(results.wallSeconds * 1000)}\n`);
  if (errors.length) {
    process.stderr.write(`${errors.length} measurement step(s) failed: ${errors.map((e) => `${e.section}: ${e.message}`).join("; ")}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(1);
  },
);
