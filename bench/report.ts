// bench/results.json -> the summary table, the target verdicts and bench/report.md.
import type { GasResults } from "./gas.js";
import type { IndexerEngineResults, IndexerResults, IndexerRun } from "./indexer.js";
import type { KeeperResults } from "./keeper.js";
import { STRESS_CASES, type KeeperStressSection, type StressCaseResult } from "./keeper-stress.js";
import type { MachineInfo } from "./machine.js";
import type { BackendResults, ProvingResults } from "./proving.js";
import type { RoundResults } from "./round.js";
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
    round?: RoundResults;
    keeper?: KeeperResults & KeeperStressSection;
    indexer?: IndexerResults;
    scaling?: ScalingResults;
  };
  /** The round section again, at the top level (results.round), when it ran. */
  readonly round?: RoundResults;
  /** The indexer section again, at the top level (results.indexer), when it ran. */
  readonly indexer?: IndexerResults;
  /** The keeper section again, at the top level (results.keeper, with keeper.cases.<name>), when it ran. */
  readonly keeper?: KeeperResults & KeeperStressSection;
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
  /** "met: 30% under the limit", "missed by 14.5 s (30x the limit; why, when known)". */
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

/** The limits the benchmark reports against (never asserted). */
export const LIMITS = {
  roundProveMsPerWallet: 500,
  roundGasPerWallet: 50_000,
  singleProveMs: 5_000,
  singleAttestGas: 600_000,
  verifierCallGas: 350_000,
  codeSizeBytes: 24_576,
  warmColdRatio: 3,
  keeperBlocks: 1,
  indexerEventsPerSecond: { pglite: 5_000, postgres: 20_000 },
  /** Feature vectors of 100,000 wallets in 60 s (a run with fewer wallets gets the same time per wallet). */
  indexerFeatureSeconds: 60,
  indexerFeatureWallets: 100_000,
  indexerPeakRssBytes: 2 ** 30,
  /** "Flat": the peak RSS of the largest size at most this multiple of the smallest's (same wallets, 4x the events in the full run). */
  indexerRssGrowth: 1.2,
} as const;

const ENGINE_NAMES = { pglite: "PGlite", postgres: "PostgreSQL" } as const;

const gasText = (x: number) => `${int(x)} gas`;

/** How far over a limit a value is: "0.5% over the limit", "27% over the limit", "3.4x the limit". */
const overBy = (ratio: number): string => (ratio < 2 ? `${((ratio - 1) * 100).toFixed(ratio < 1.1 ? 1 : 0)}% over the limit` : `${ratio.toFixed(1)}x the limit`);

/** "2.95" or "2.61-3.02": the range of 1-minute load averages seen. */
const loadRange = (xs: readonly number[]): string => {
  if (!xs.length) return "not recorded";
  const lo = Math.min(...xs).toFixed(2);
  const hi = Math.max(...xs).toFixed(2);
  return lo === hi ? lo : `${lo}-${hi}`;
};

/** The verifiers' runtime code sizes: from the round section's deployment, else the gas section's. */
function verifierSizes(s: BenchResults["sections"]): { contract: string; runtimeBytes: number }[] | undefined {
  if (s.round) return s.round.verifiers;
  const v = s.gas?.contracts.filter((c) => c.key === "creditVerifier" || c.key === "creditRoundVerifier");
  return v?.length ? v : undefined;
}

export function evaluateTargets(s: BenchResults["sections"], cores?: number): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const below = (name: string, target: string, limit: number, value: number | undefined, show: (x: number) => string, why?: string, measured?: string) => {
    if (value === undefined) return out.push({ name, target, measured: "not measured", met: undefined, verdict: "not measured" });
    const met = value <= limit;
    out.push({
      name,
      target,
      measured: measured ?? show(value),
      met,
      verdict: met
        ? `met: ${value === limit ? "at the limit" : `${pct(1 - value / limit)} under the limit`}`
        : `missed by ${show(value - limit)} (${overBy(value / limit)}${why ? `; ${why}` : ""})`,
    });
  };
  const { proving: p, gas: g, round: r } = s;
  const on = cores ? ` on ${cores} cores` : "";

  // Rounds: what a wallet costs when proved and attested in a full round.
  if (r) {
    const t = r.proving.summary;
    below(
      `Round proving per wallet (${r.size}-wallet round, native)`,
      "<= 500 ms",
      LIMITS.roundProveMsPerWallet,
      r.proveMsPerWallet,
      fmtMs,
      `one ${r.size}-wallet proof at logrows ${r.logrows} takes ${fmtMs(t.total.median)} end to end, ${fmtMs(t.prove.median)} of it proof generation${on}` +
        `${r.proving.warmup ? "" : ", first proof of a fresh worker (no warm-up)"}, 1-minute load average ${loadRange(r.proving.loadAverages)}`,
    );
    const perW = (x: number) => int(x / r.size);
    below(
      `Round gas per wallet (${r.size}-wallet attestRound)`,
      "<= 50,000 gas",
      LIMITS.roundGasPerWallet,
      r.gasPerWallet,
      gasText,
      `per wallet: verifier call ${perW(r.gas.fullRoundVerifierCallGas)}, 21,000 + calldata ${perW(r.gas.fullRoundIntrinsicGas)}, registry (checks, storage, events) ${perW(r.gas.fullRoundRegistryGas)}`,
    );
  } else {
    below("Round proving per wallet", "<= 500 ms", LIMITS.roundProveMsPerWallet, undefined, fmtMs);
    below("Round gas per wallet", "<= 50,000 gas", LIMITS.roundGasPerWallet, undefined, gasText);
  }
  const singleMs = r?.singleProveMs ?? p?.native.warm.summary.total.median;
  const singleLogrows = r?.singleLogrows ?? p?.logrows;
  const singleFromProving = r === undefined || r.singleProveSource.startsWith("proving section");
  const singleWarm = p && singleFromProving ? p.native.warm.summary : undefined;
  below(
    "Single-wallet proof (native, warm, end to end)",
    "<= 5 s",
    LIMITS.singleProveMs,
    singleMs,
    fmtMs,
    [
      singleLogrows !== undefined ? `single circuit at logrows ${singleLogrows}${on}` : "",
      singleWarm ? `proof generation ${fmtMs(singleWarm.prove.median)} of it, 1-minute load average ${loadRange(p!.native.loadAverages ?? [])}` : "",
      r && !singleFromProving ? r.singleProveSource : "",
    ]
      .filter(Boolean)
      .join("; ") || undefined,
  );
  const singleGas = r?.singleAttestGas ?? g?.summary.attestTx.median;
  const singleCall = r?.gas.singleVerifierCallGas ?? g?.summary.verifierCall.median;
  const singleWhy =
    r && singleGas !== undefined
      ? `verifier call ${int(r.gas.singleVerifierCallGas)}, 21,000 + calldata ${int(r.gas.singleIntrinsicGas)}, registry (checks, a new round record, the attestation, events) ${int(singleGas - r.gas.singleVerifierCallGas - r.gas.singleIntrinsicGas)}`
      : singleCall !== undefined
        ? `the verifier call alone is ${int(singleCall)} gas`
        : undefined;
  below("Single-wallet attest gas", "<= 600,000 gas", LIMITS.singleAttestGas, singleGas, gasText, singleWhy);
  const sizes = verifierSizes(s);
  below(
    "Verifier runtime code (every verifier)",
    "<= 24,576 bytes (EIP-170)",
    LIMITS.codeSizeBytes,
    sizes ? Math.max(...sizes.map((v) => v.runtimeBytes)) : undefined,
    (x) => `${int(x)} bytes`,
    sizes ? `over: ${sizes.filter((v) => v.runtimeBytes > LIMITS.codeSizeBytes).map((v) => v.contract).join(", ")}` : undefined,
    sizes?.map((v) => `${v.contract} ${int(v.runtimeBytes)} bytes`).join(", "),
  );

  // Issue 6's targets, on the single-wallet circuit.
  const ratio = p?.native.ratioTotal;
  if (ratio === undefined) out.push({ name: "Warm vs cold (native)", target: ">= 3x faster", measured: "not measured", met: undefined, verdict: "not measured" });
  else {
    const met = ratio >= LIMITS.warmColdRatio;
    out.push({
      name: "Warm vs cold (native, end to end)",
      target: ">= 3x faster",
      measured: `${ratio.toFixed(2)}x`,
      met,
      verdict: met
        ? `met: ${ratio.toFixed(2)}x`
        : `missed by ${(LIMITS.warmColdRatio - ratio).toFixed(2)}x (EZKL's Python prove deserialises the proving key on every call, so a warm worker saves only the process start and the first key read)`,
    });
  }
  below("Verifier call gas (single circuit)", "<= 350,000 gas", LIMITS.verifierCallGas, g?.summary.verifierCall.median, gasText);
  below("Keeper delay p95", "<= 1 block", LIMITS.keeperBlocks, s.keeper?.summary?.p95, blocksText);
  out.push(...keeperStressTargets(s.keeper?.cases));
  out.push(...indexerTargets(s.indexer));
  return out;
}

const blocksText = (x: number) => `${x.toFixed(x % 1 ? 2 : 0)} block${x === 1 ? "" : "s"}`;

/** The delay p95 a stress case is judged by: the delay's, or for the hang the delay counted from the recovery. */
const stressP95 = (c: StressCaseResult): number | null => (c.target.metric === "delayFromRecoveryP95" ? (c.hang?.delayFromRecoveryP95 ?? null) : c.delayP95);

/** Issue 14's cases: delay p95 against 1 block (the burst: the gas-limit floor + 1; the hang: counted from the recovery). */
function keeperStressTargets(cases: KeeperStressSection["cases"]): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  for (const name of STRESS_CASES) {
    const c = cases?.[name];
    if (!c) continue;
    const what = c.target.metric === "delayFromRecoveryP95" ? "delay p95 after the RPC answers again" : "delay p95";
    const target = `<= ${blocksText(c.target.limitBlocks)}${c.burst ? ` (gas-limit floor ${c.burst.floorBlocks} + 1)` : ""}`;
    const facts = `${c.liquidated} of ${c.liquidatable} liquidatable liquidated, ${c.leftUnhealthy} left unhealthy, ${c.revertedTxs} reverted keeper transactions, bad debt $${int(c.badDebtUsd)}`;
    const p95 = stressP95(c);
    if (p95 === null) {
      const met = c.liquidatable === 0 ? undefined : false;
      out.push({ name: `Keeper stress: ${name} ${what}`, target, measured: "no liquidation", met, verdict: met === undefined ? "not measured: no position became liquidatable" : `missed: nothing liquidated (${facts})` });
      continue;
    }
    const met = p95 <= c.target.limitBlocks;
    out.push({
      name: `Keeper stress: ${name} ${what}`,
      target,
      measured: blocksText(p95),
      met,
      verdict: met
        ? `met: ${blocksText(p95)} (${facts})`
        : `missed by ${blocksText(p95 - c.target.limitBlocks)} (${overBy(p95 / c.target.limitBlocks)}; ${facts})`,
    });
  }
  return out;
}

const mib = (x: number) => `${x.toFixed(0)} MiB`;
const eps = (x: number) => `${int(x)} events/s`;
const secs = (x: number) => `${x.toFixed(1)} s`;

/** Issue 12's targets per engine: ingestion rate, feature time, peak RSS, memory flat in events. */
function indexerTargets(ix: IndexerResults | undefined): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  for (const engine of ["pglite", "postgres"] as const) {
    const name = ENGINE_NAMES[engine];
    const e: IndexerEngineResults | undefined = ix?.[engine];
    const ingestTarget = `>= ${int(LIMITS.indexerEventsPerSecond[engine])} events/s`;
    const featureTarget = `<= ${LIMITS.indexerFeatureSeconds} s for ${int(LIMITS.indexerFeatureWallets)} wallets`;
    const flatTarget = `flat: peak RSS at the largest size <= ${LIMITS.indexerRssGrowth}x the smallest's`;
    if (!e || !e.measured) {
      const verdict = e ? `not measured: ${e.reason}` : "not measured";
      for (const [what, target] of [["ingestion", ingestTarget], ["features", featureTarget], ["peak RSS", "<= 1 GiB"], ["memory in events", flatTarget]] as const) {
        out.push({ name: `Indexer ${what}, ${name}`, target, measured: "not measured", met: undefined, verdict });
      }
      continue;
    }
    const last = e.runs.at(-1)!;
    // ingestion: at least the target rate
    const limit = LIMITS.indexerEventsPerSecond[engine];
    const ingestMet = last.eventsPerSecond >= limit;
    out.push({
      name: `Indexer ingestion, ${name} (${int(last.events)} events)`,
      target: ingestTarget,
      measured: eps(last.eventsPerSecond),
      met: ingestMet,
      verdict: ingestMet
        ? `met: ${(last.eventsPerSecond / limit).toFixed(1)}x the target`
        : `missed by ${eps(limit - last.eventsPerSecond)} (${pct(last.eventsPerSecond / limit)} of the target; ${ingestWhy(engine, last)})`,
    });
    // features: the target's time per wallet, at the measured number of wallets
    const featureLimit = (LIMITS.indexerFeatureSeconds * last.wallets) / LIMITS.indexerFeatureWallets;
    const scaled = last.wallets === LIMITS.indexerFeatureWallets ? "" : ` (${int(last.wallets)} wallets: against ${secs(featureLimit)}, the target's time per wallet)`;
    const featureMet = last.featureSeconds <= featureLimit;
    out.push({
      name: `Indexer features, ${name} (${int(last.wallets)} wallets)`,
      target: featureTarget,
      measured: `${secs(last.featureSeconds)}${scaled}`,
      met: featureMet,
      verdict: featureMet
        ? `met: ${pct(1 - last.featureSeconds / featureLimit)} under the limit`
        : `missed by ${secs(last.featureSeconds - featureLimit)} (${overBy(last.featureSeconds / featureLimit)}; ${featureWhy(last)})`,
    });
    const rssLimit = LIMITS.indexerPeakRssBytes / 2 ** 20;
    const worst = e.runs.reduce((a, r) => (r.peakRssMiB > a.peakRssMiB ? r : a));
    const rssMet = e.peakRssMiB <= rssLimit;
    out.push({
      name: `Indexer peak RSS, ${name}`,
      target: "<= 1 GiB",
      measured: `${mib(e.peakRssMiB)} (${int(worst.events)} events)`,
      met: rssMet,
      verdict: rssMet
        ? `met: ${pct(1 - e.peakRssMiB / rssLimit)} under the limit${engine === "postgres" ? " (the indexer's process; the server's memory is its own)" : ""}`
        : `missed by ${mib(e.peakRssMiB - rssLimit)} (${overBy(e.peakRssMiB / rssLimit)}; ${rssWhy(engine, worst)})`,
    });
    const f = e.memoryFlat;
    if (!f) out.push({ name: `Indexer memory in events, ${name}`, target: flatTarget, measured: "not measured", met: undefined, verdict: "not measured: one size only" });
    else {
      const flatMet = f.ratio <= LIMITS.indexerRssGrowth;
      out.push({
        name: `Indexer memory in events, ${name}`,
        target: flatTarget,
        measured: `${mib(f.fromPeakRssMiB)} at ${int(f.fromEvents)} events, ${mib(f.toPeakRssMiB)} at ${int(f.toEvents)} (${f.ratio.toFixed(2)}x for ${(f.toEvents / f.fromEvents).toFixed(0)}x the events)`,
        met: flatMet,
        verdict: flatMet ? `met: ${f.ratio.toFixed(2)}x` : `missed by ${(f.ratio - LIMITS.indexerRssGrowth).toFixed(2)}x (${rssGrowthWhy(e)})`,
      });
    }
  }
  return out;
}

function ingestWhy(engine: "pglite" | "postgres", r: IndexerRun): string {
  const pages = r.chains.map((c) => `${c.chainId}: ${int(c.eventsPerPage)}`).join(", ");
  return [
    engine === "pglite" ? "PGlite is Postgres in single-threaded WebAssembly in the indexer's own process" : "",
    `${int(r.pages)} pages (a transaction each), events per page ${pages}`,
    `${pct(r.generateSeconds / r.ingestSeconds)} of the time was making the synthetic pages`,
  ]
    .filter(Boolean)
    .join("; ");
}

function featureWhy(r: IndexerRun): string {
  return (
    `${secs(r.featureSqlSeconds)} in the database: reads ${secs(r.featureSqlReadSeconds)} (aggregates, cached samples), ` +
    `writes ${secs(r.featureSqlWriteSeconds)} (${int(r.samplesSaved)} daily samples and ${int(r.snapshotsSaved)} feature snapshots); ` +
    `${secs(r.featureSeconds - r.featureSqlSeconds)} in the indexer's feature code and the stand-in chain reads`
  );
}

function rssWhy(engine: "pglite" | "postgres", r: IndexerRun): string {
  const m = r.memoryAtEndMiB;
  return (
    `${mib(r.rssAfterOpenMiB)} after opening the database, ${mib(r.rssAfterIngestMiB)} after ingestion; at the end JS heap ${mib(m.heapUsed)} ` +
    `(walletFeatures returns every wallet's features), external ${mib(m.external)}${engine === "pglite" ? " (PGlite's WebAssembly memory)" : ""}`
  );
}

function rssGrowthWhy(e: Extract<IndexerEngineResults, { measured: true }>): string {
  return e.runs.map((r) => `${int(r.events)} events: ${mib(r.rssAfterOpenMiB)} after opening, ${mib(r.rssAfterIngestMiB)} after ingestion, ${mib(r.peakRssMiB)} peak`).join("; ");
}

/** Section 7: the indexer at scale, per engine and size. */
function indexerSection(r: BenchResults, ix: IndexerResults): string[] {
  const targets = r.targets.filter((t) => t.name.startsWith("Indexer "));
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const engine of ["pglite", "postgres"] as const) {
    const e = ix[engine];
    const name = ENGINE_NAMES[engine];
    if (!e.measured) {
      rows.push([name, "not measured", "", "", "", "", "", "", ""]);
      notes.push(`- **${name}: not measured**: ${e.reason}`);
      continue;
    }
    for (const x of e.runs) {
      rows.push([
        name,
        int(x.events),
        int(x.wallets),
        `${x.days.toFixed(2)} (${x.chains.map((c) => int(c.eventsPerPage)).join(" / ")})`,
        int(x.eventsPerSecond),
        `${secs(x.featureSeconds)} (${secs(x.featureSqlReadSeconds)} / ${secs(x.featureSqlWriteSeconds)})`,
        mib(x.peakRssMiB),
        `${mib(x.rssAfterOpenMiB)} / ${mib(x.rssAfterIngestMiB)}`,
        fmtBytes(x.dbBytes),
      ]);
    }
    for (const f of e.failed) rows.push([name, int(f.events), "", "", "", "", "", "", `failed: ${f.error}`]);
    const server = e.server ? ` PostgreSQL ${e.server.server_version} (fsync ${e.server.fsync}, synchronous_commit ${e.server.synchronous_commit}, shared_buffers ${e.server.shared_buffers}).` : "";
    notes.push(
      `- **${name}**: ${e.source}.${engine === "postgres" ? server : ""} Creating the database (migrations, its own process, not in the table): ` +
        `${secs(e.create.seconds)}, peak RSS ${mib(e.create.peakRssMiB)}.` +
        (e.memoryFlat ? ` Peak RSS ${mib(e.memoryFlat.fromPeakRssMiB)} at ${int(e.memoryFlat.fromEvents)} events and ${mib(e.memoryFlat.toPeakRssMiB)} at ${int(e.memoryFlat.toEvents)}: ${e.memoryFlat.ratio.toFixed(2)}x for ${(e.memoryFlat.toEvents / e.memoryFlat.fromEvents).toFixed(0)}x the events.` : ""),
    );
  }
  return [
    "",
    "## 7. Indexer at scale (PGlite and PostgreSQL)",
    "",
    `Synthetic but well-formed pool events (\`bench/indexer-synth.ts\`) of ${int(ix.wallets)} wallets on chains ${ix.chains.join(", ")} (their real block times;`,
    "each wallet on one to three chains; every position-changing event follows the wallet's position, collateral events carry",
    `their block's oracle price) go through the indexer's own ingestion path: pages of ${int(ix.pageBlocks)} blocks (its \`eth_getLogs\` range)`,
    "of decoded events, each committed by `commitPage` with the cursor and its checkpoint in one transaction, the three chains",
    `concurrently as \`runIndex\` does. The chains carry ${int(ix.eventsPerDay)} events a day, so a run of N events covers N / ${int(ix.eventsPerDay)} days and`,
    "events per page do not depend on the size. Then `walletFeatures` computes every wallet's feature vector at the chains' last",
    `blocks: SQL aggregates ${int(ix.featurePage)} wallets at a time, the daily samples, \`featureVector\` (features.json), and the samples and`,
    "snapshots saved per page; its reads at past blocks (timestamps, oracle price, positions, nonces) come from an in-memory",
    "stand-in for the RPC endpoint, so the database and the feature code are measured, not a node.",
    "",
    "Each engine and size runs in its own process on a database created beforehand by another process, so peak RSS (GNU time)",
    "is that engine's indexing alone; events/s counts the ingestion's wall time, making the synthetic pages included (as",
    "decoding would be). For PostgreSQL the peak RSS is the indexer's process; the server's memory is its own.",
    "",
    table(
      ["engine", "events", "wallets", "days (events per page: 1 / 137 / 42161)", "events/s", "features s (SQL reads / writes)", "peak RSS", "RSS after open / ingestion", "database"],
      rows,
    ),
    "",
    ...notes,
    "",
    table(["target", "limit", "measured", "verdict"], targets.map((t) => [t.name, t.target, t.measured, boldVerdict(t)])),
  ];
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
  const { proving: p, gas: g, round: rd, keeper: k, scaling: sc } = r.sections;
  if (p) {
    const m = `${p.model} ${p.circuit}`;
    add(`Witness, native warm (${m})`, p.native.warm.summary.witness, fmtMs);
    add(`Proof generation, native warm (${m})`, p.native.warm.summary.prove, fmtMs);
    add(`Proof end to end, native warm (${m})`, p.native.warm.summary.total, fmtMs, targetOf("Single-wallet proof"));
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
    add("Gas: whole attest transaction", g.summary.attestTx, (x) => int(x), rd ? "" : targetOf("Single-wallet attest"));
    add("Gas: postCommitment transaction", g.summary.postCommitmentTx, (x) => int(x));
    one("Calldata: attest / verifyProof / proof", `${int(g.attestCalldataBytes)} / ${int(g.verifierCalldataBytes)} / ${int(g.proofBytes)} bytes`);
    if (!rd) for (const v of g.contracts.filter((c) => c.key === "creditVerifier" || c.key === "creditRoundVerifier")) one(`Runtime code: ${v.contract}`, `${int(v.runtimeBytes)} bytes`, targetOf("Verifier runtime code"));
  }
  if (rd) {
    const w = `${rd.size} wallets, logrows ${rd.logrows}`;
    add(`Round proof end to end, native (${w})`, rd.proving.summary.total, fmtMs);
    one(`Round proving per wallet (${w})`, fmtMs(rd.proveMsPerWallet), targetOf("Round proving per wallet"));
    one(`Gas: attestRound, full round (${rd.size} wallets), fresh chain`, int(rd.gas.fullRoundGas));
    one("Gas per wallet: full round", int(rd.gasPerWallet), targetOf("Round gas per wallet"));
    one("Gas per wallet: same round again (wallets already attested)", int(rd.gas.reattestGasPerWallet));
    one("Gas: single-wallet attest, fresh chain (median of the fixtures)", int(rd.singleAttestGas), targetOf("Single-wallet attest"));
    for (const v of rd.verifiers) one(`Runtime code: ${v.contract}`, `${int(v.runtimeBytes)} bytes`, targetOf("Verifier runtime code"));
    one(`Peak RSS: native round prover (${w})`, fmtBytes(rd.proving.workerPeakRssBytes));
  }
  if (p) {
    one(`Peak RSS: setup (${p.model} ${p.circuit})`, fmtBytes(p.setup.peakRssBytes));
    one(`Peak RSS: native prover, warm process (${p.model} ${p.circuit})`, fmtBytes(p.native.warmPeakRssBytes));
    add(`Peak RSS: native prover, cold process (${p.model} ${p.circuit})`, summarizeBytes(p.native.coldPeakRssBytes), fmtBytes);
    if (isBackend(p.engine)) one(`Peak RSS: engine process (${p.engine.model})`, fmtBytes(p.engine.warmPeakRssBytes));
    one(`Proving key / verifying key (${p.model} ${p.circuit})`, `${fmtBytes(p.keys.pkBytes)} / ${fmtBytes(p.keys.vkBytes)}`);
    one(`logrows (${p.model} ${p.circuit})`, `${p.logrows} (${int(p.numRows)} rows used)`);
  }
  if (k?.summary) add(`Keeper: blocks liquidatable -> liquidated (${k.positions} positions)`, k.summary, (x) => x.toFixed(x % 1 ? 2 : 0), targetOf("Keeper delay"));
  if (k?.stress) {
    const b = k.stress.batchGas;
    one("Gas: BatchLiquidator, each further liquidation in a batch (batch of 1 / of 20)", `${int(b.marginal)} (${int(b.one)} / ${int(b.twenty)})`);
  }
  for (const name of STRESS_CASES) {
    const c = k?.cases?.[name];
    if (!c) continue;
    const fromRecovery = c.target.metric === "delayFromRecoveryP95" ? " (p95 counted from the recovery)" : "";
    rows.push({
      metric: `Keeper stress ${name}: blocks liquidatable -> liquidated${fromRecovery}`,
      n: String(c.liquidated),
      median: c.delayP50 === null ? "none" : String(c.delayP50),
      p95: stressP95(c) === null ? "" : String(stressP95(c)),
      target: targetOf(`Keeper stress: ${name}`),
    });
  }
  const ix = r.sections.indexer;
  if (ix) {
    for (const engine of ["pglite", "postgres"] as const) {
      const e = ix[engine];
      const name = ENGINE_NAMES[engine];
      if (!e.measured) {
        one(`Indexer, ${name}`, `not measured: ${e.reason}`);
        continue;
      }
      const last = e.runs.at(-1)!;
      one(`Indexer ingestion, ${name} (${int(last.events)} events)`, eps(last.eventsPerSecond), targetOf(`Indexer ingestion, ${name}`));
      one(`Indexer features, ${name} (${int(last.wallets)} wallets)`, secs(last.featureSeconds), targetOf(`Indexer features, ${name}`));
      one(`Indexer peak RSS, ${name} (${e.runs.map((x) => int(x.events)).join(" / ")} events)`, e.runs.map((x) => mib(x.peakRssMiB)).join(" / "), targetOf(`Indexer peak RSS, ${name}`));
    }
  }
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

function stressVerdictCell(c: StressCaseResult, t: TargetVerdict | undefined): string {
  const p95 = stressP95(c);
  if (!t) return "";
  if (t.met === undefined) return t.verdict;
  if (p95 === null) return "**missed**: nothing liquidated";
  return t.met ? `**met** (${blocksText(p95)})` : `**missed** by ${blocksText(p95 - c.target.limitBlocks)}`;
}

/** Issue 14's stress cases: one row per case, then how each was set up and judged. */
function keeperStressSection(r: BenchResults, k: KeeperResults & KeeperStressSection): string[] {
  const cases = STRESS_CASES.flatMap((name) => (k.cases?.[name] ? [[name, k.cases[name]] as const] : []));
  const verdictOf = (name: string) => r.targets.find((t) => t.name.startsWith(`Keeper stress: ${name} `));
  const d = (x: number | null) => (x === null ? "-" : String(x));
  const st = k.stress;
  const out = [
    "",
    "### Keeper under stress (issue 14)",
    "",
    "One anvil (chain id 1, 1 s interval mining, blocks of " +
      (st ? `${int(st.blockGasLimit)} gas` : "the default gas limit") +
      "), one real deployment; every case starts from the freshly deployed state (`evm_snapshot`/`evm_revert`) and starts the keeper in-process (`startKeeper`, polling every 100 ms).",
    "Measured on chain, not from the keeper's word: a position is liquidatable from the first block at the end of which the contract would liquidate it (a simulated one-share `liquidate` on that block's state: interest accrued, tier synced),",
    "liquidated at its first `Liquidate` event; reverted transactions are the keeper's receipts with status reverted; bad debt is the growth of `totalBadDebt` (mock USDC = USD).",
    "",
    table(
      ["case", "positions", "liquidatable", "liquidated", "left unhealthy", "delay p50 / p95 / max (blocks)", "reverted / keeper txs", "bad debt", "target", "verdict"],
      cases.map(([name, c]) => {
        const t = verdictOf(name);
        return [
          `\`${name}\``,
          int(c.positions),
          int(c.liquidatable),
          int(c.liquidated),
          int(c.leftUnhealthy),
          `${d(c.delayP50)} / ${d(c.delayP95)} / ${d(c.delayMax)}${c.hang ? ` (from recovery: ${d(c.hang.delayFromRecoveryP50)} / ${d(c.hang.delayFromRecoveryP95)} / ${d(c.hang.delayFromRecoveryMax)})` : ""}`,
          `${int(c.revertedTxs)} / ${int(c.keeperTxs)}`,
          `$${int(c.badDebtUsd)}`,
          t?.target ?? "",
          stressVerdictCell(c, t),
        ];
      }),
    ),
    "",
  ];
  for (const [name, c] of cases) {
    const notes = [`${c.description}.`];
    if (c.hang) {
      notes.push(
        `The proxy hung from block ${c.hang.fromBlock} to block ${c.hang.toBlock} (${c.hang.heldRequests} requests accepted and never answered); judged by the delay counted from block ${c.hang.toBlock}.`,
        c.hang.rpcLogSeconds === null
          ? "The keeper logged nothing about its RPC after the hang began" +
              (c.hang.firstLogSeconds === null ? " (nothing at all)." : ` (its first line came ${c.hang.firstLogSeconds.toFixed(2)} s later: "${c.hang.firstLogLine}").`)
          : `The keeper's first log line about its RPC after the hang began came ${c.hang.rpcLogSeconds.toFixed(2)} s later: "${c.hang.rpcLogLine}".`,
      );
    }
    if (c.burst && st) {
      notes.push(
        `Gas-limit floor: a BatchLiquidator batch measured on this deployment costs ${int(st.batchGas.fixed)} gas plus ${int(st.batchGas.marginal)} per liquidation (batch of 1: ${int(st.batchGas.one)}, of 20: ${int(st.batchGas.twenty)}), so one ${int(c.burst.blockGasLimit)}-gas block fits ${int(c.burst.liquidationsPerBlock)} liquidations and ${int(c.liquidatable)} need at least ${c.burst.floorBlocks} block${c.burst.floorBlocks === 1 ? "" : "s"}; the target is that plus 1.`,
      );
    }
    if (c.tiers) notes.push(`${c.tiers.attested} of the ${c.positions} borrowers attested with the real proofs of \`test/fixtures/credit\` (round and single-wallet fixtures; the others unverified)${c.tiers.expired ? `; then the clock moved ${(c.tiers.timeMovedSeconds / 86_400).toFixed(1)} days (past the attestation lifetime and the downgrade ramp) with nobody syncing, so each liquidation syncs the tier inside \`liquidate\`` : ""}.`);
    const byTier = Object.entries(c.tiers?.leftUnhealthyByTier ?? {});
    if (byTier.length) notes.push(`Left unhealthy, by the tier attested: ${byTier.map(([t, n]) => `${t} ${n}`).join(", ")}.`);
    if (c.keeperGasPerLiquidation !== null) notes.push(`Keeper receipts: ${int(c.keeperGasPerLiquidation)} gas per liquidation.`);
    const reasons = Object.entries(c.revertReasons ?? {});
    if (reasons.length) notes.push(`Reverted keeper transactions, by reason (call trace): ${reasons.map(([why, n]) => `${why}: ${n}`).join(", ")}.`);
    out.push(`- \`${name}\`: ${notes.join(" ")} Delay histogram (blocks: positions): ${Object.entries(c.histogram).map(([b, n]) => `${b}: ${n}`).join(", ") || "none"}.`);
  }
  return out;
}

/** The summary table as plain text for the terminal. */
export function summaryText(r: BenchResults): string {
  const rows = summaryRows(r).map((x) => [x.metric, x.n, x.median, x.p95, x.target.replace(/\*\*/g, "")]);
  const head = ["metric", "n", "median", "p95", "target"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join("  ");
  return [line(head), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

/* REPORT */

/** "**met**: 30% under the limit", "**missed** by 1.2 s (...)". */
const boldVerdict = (t: TargetVerdict): string => (t.met === undefined ? (t.verdict.startsWith("not measured") ? t.verdict : "not measured") : t.verdict.replace(/^(met|missed)/, "**$1**"));

function series(name: string, s: BackendResults["warm"]): string[] {
  const z = s.summary;
  return [name, String(z.total.n), `${fmtMs(z.witness.median)} / ${fmtMs(z.witness.p95)}`, `${fmtMs(z.prove.median)} / ${fmtMs(z.prove.p95)}`, `${fmtMs(z.verify.median)} / ${fmtMs(z.verify.p95)}`, `${fmtMs(z.total.median)} / ${fmtMs(z.total.p95)}`];
}

/** Section 5: attestation rounds, one proof for up to `size` wallets, against the single-wallet circuit. */
function roundSection(r: BenchResults, rd: RoundResults, p: ProvingResults | undefined): string[] {
  const t = rd.proving.summary;
  const single = rd.verifiers.find((v) => v.slots === 1);
  const round = rd.verifiers.find((v) => v.slots === rd.size);
  const roundTargets = r.targets.filter((x) => /^(Round |Single-wallet |Verifier runtime code)/.test(x.name));
  const perW = (x: number) => int(x / rd.size);
  return [
    "",
    `## 5. Attestation rounds (one proof, up to ${rd.size} wallets)`,
    "",
    `The \`${rd.circuit}\` circuit of the \`${rd.model}\` model proves ${rd.size} wallets at once (logrows ${rd.logrows}, ${int(rd.numRows)} rows; \`circuits/${rd.model}/README.md\`);`,
    "the single-wallet circuit proves one. Both share the model's weights and its id.",
    "",
    `- **proving**: the native long-lived prover of the round circuit (\`openProver(..., { circuit: "round" })\`) proves the ${rd.size}`,
    `  wallets of \`test/fixtures/${rd.model}/round-full.json\` with \`proveRound\`, ${rd.proving.warmup ? `after one uncounted warm-up proof (${fmtMs(rd.proving.firstProofMs ?? 0)})` : "with no warm-up: the first proof of a fresh worker"};`,
    "  each proof is checked slot by slot against the fixture (input commitment, tier). Time is end to end as the caller sees it",
    `  (witness, proof, verification); per wallet = median / ${rd.size}. Single circuit: ${rd.singleProveSource}.`,
    `- **gas**: a fresh deployment on anvil (chain id 1, hardfork ${rd.gas.hardfork}); the attestor posts the fixture's ${rd.size} input commitments`,
    `  for ${rd.size} ascending wallets, anyone submits the fixture's proof with \`attestRound\`. The chain is rewound to the fresh deployment`,
    "  (anvil snapshot) before each measured transaction. A round with k real wallets is the same proof with slots k.. given to",
    "  `address(0)`: the registry never attests padding and never reads its commitment, so this is exactly a k-wallet round.",
    `  Single circuit: \`attest\` of each of the ${rd.gas.singleAttestGasList.length} single fixtures, each on the fresh chain (median).`,
    "",
    table(["target", "limit", "measured", "verdict"], roundTargets.map((x) => [x.name, x.target, x.measured, boldVerdict(x)])),
    "",
    table(["", `round (${rd.size} slots, logrows ${rd.logrows})`, `single (1 slot, logrows ${rd.singleLogrows})`], [
      ["proof, end to end (median)", `${fmtMs(t.total.median)} (n=${t.total.n})`, fmtMs(rd.singleProveMs)],
      ["proof generation alone (median)", fmtMs(t.prove.median), fmtMs(rd.proving.singleProveOnlyMs)],
      ["**proving per wallet**", `**${fmtMs(rd.proveMsPerWallet)}** (proof generation alone ${fmtMs(rd.proving.proveOnlyMsPerWallet)})`, `**${fmtMs(rd.singleProveMs)}**`],
      ["attest transaction gas (fresh chain)", `${int(rd.gas.fullRoundGas)} (\`attestRound\`)`, `${int(rd.singleAttestGas)} (\`attest\`)`],
      ["**gas per wallet**", `**${int(rd.gasPerWallet)}**`, `**${int(rd.singleAttestGas)}**`],
      ["same wallets attested again, nothing new posted (storage warm)", `${int(rd.gas.reattestGas)} (${int(rd.gas.reattestGasPerWallet)} per wallet)`, ""],
      ["verifier call inside the transaction (callTracer)", int(rd.gas.fullRoundVerifierCallGas), int(rd.gas.singleVerifierCallGas)],
      ["calldata (proof bytes, public instances)", `${int(rd.gas.roundCalldataBytes)} bytes (${int(rd.gas.roundProofBytes)}, ${rd.gas.roundInstances})`, `${int(rd.gas.singleCalldataBytes)} bytes`],
      ["verifier runtime code (EIP-170: 24,576)", round ? `${int(round.runtimeBytes)} bytes (${round.contract}, ${round.withinLimit ? "within" : "OVER"})` : "", single ? `${int(single.runtimeBytes)} bytes (${single.contract}, ${single.withinLimit ? "within" : "OVER"})` : ""],
      ["native prover worker, peak RSS (VmHWM)", fmtBytes(rd.proving.workerPeakRssBytes), p ? fmtBytes(p.native.warmPeakRssBytes) : ""],
      ["proving key", fmtBytes(rd.proving.pkBytes), p ? fmtBytes(p.keys.pkBytes) : ""],
    ]),
    "",
    `Round proofs, end to end: ${rd.proving.proofMs.map(fmtMs).join(", ")}; witness / proof generation / verify medians ${fmtMs(t.witness.median)} / ${fmtMs(t.prove.median)} / ${fmtMs(t.verify.median)};`,
    `key load ${fmtMs(rd.proving.loadMs)}; 1-minute load average after each proof ${rd.proving.loadAverages.map((x) => x.toFixed(2)).join(", ")} on ${r.machine.cores} cores.`,
    `Where a full round's ${int(rd.gas.fullRoundGas)} gas goes, per wallet: verifier call ${perW(rd.gas.fullRoundVerifierCallGas)}, 21,000 + calldata ${perW(rd.gas.fullRoundIntrinsicGas)},`,
    `the registry's checks, storage writes and events ${perW(rd.gas.fullRoundRegistryGas)}. postCommitment: ${int(rd.gas.postCommitmentGas.median)} gas (median), paid by the attestor per wallet either way.`,
    "",
    "By the number of real wallets in the round (the same round proof; the single circuit proves and attests each wallet on its own):",
    "",
    table(
      ["wallets in the round", "attestRound gas", "gas per wallet", "proving per wallet", "single: proving per wallet", "single: gas per wallet"],
      rd.byWallets.map((b) => [String(b.wallets), int(b.roundGas), int(b.gasPerWallet), fmtMs(b.proveMsPerWallet), fmtMs(b.singleProveMsPerWallet), int(b.singleAttestGasPerWallet)]),
    ),
    "",
    breakEven(rd),
    "",
    "![rounds](round.png)",
  ];
}

/** From how many wallets a round beats proving and attesting each wallet alone. */
function breakEven(rd: RoundResults): string {
  const first = (f: (b: RoundResults["byWallets"][number]) => boolean) => rd.byWallets.find(f)?.wallets;
  const gas = first((b) => b.gasPerWallet < b.singleAttestGasPerWallet);
  const ms = first((b) => b.proveMsPerWallet < b.singleProveMsPerWallet);
  const say = (what: string, k: number | undefined) => (k === undefined ? `${what}: not at any measured size` : `${what}: from ${k} wallets (of those measured)`);
  return `A round is cheaper per wallet than the single circuit in ${say("gas", gas)}; in ${say("proving time", ms)}.`;
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const { proving: p, gas: g, round: rd, keeper: k, indexer: ix, scaling: sc } = r.sections;
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
    table(["target", "limit", "measured (median unless named)", "verdict"], r.targets.map((t) => [t.name, t.target, t.measured, boldVerdict(t)])),
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
      `Model \`${p.model}\`, its ${p.circuit}-wallet circuit (${p.slots} slot): logrows ${p.logrows}, ${int(p.numRows)} rows.${rd ? " The round circuit is section 5." : ""} Inputs are the committed fixture wallets`,
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
      `A real deployment (\`ts/runtime/deploy/deploy.ts\`, \`script/Deploy.s.sol\`, config \`local.json\`) on anvil (chain id 1, hardfork ${g.hardfork}),`,
      `the real \`CreditVerifier\` (single-wallet circuit, ${g.instances} public instances) and the ${g.fixtures} committed credit proofs (every tier). For each: the attestor posts the`,
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
  if (rd) out.push(...roundSection(r, rd, p));
  if (k) {
    out.push(
      "",
      "## 6. Keeper under a replayed crash",
      "",
      `anvil (chain id 1) with ${k.blockTimeSeconds} s interval mining; ${k.positions} borrowers (unverified tier: borrow up to 60%, liquidated above`,
      "70% LTV) with liquidation prices spread evenly between just above the crash low and 85% of the start price;",
      `the keeper (\`ts/runtime/keeper/keeper.ts\`, polling every 100 ms) runs against the real deployment. The crash: the worst`,
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
    if (k.cases && Object.keys(k.cases).length) out.push(...keeperStressSection(r, k));
  }
  if (ix) out.push(...indexerSection(r, ix));
  if (sc) {
    const hashedNote =
      sc.hashedRowsPerParam !== undefined
        ? `With the production visibility (hashed params) the Poseidon hash of the weights costs about ${sc.hashedRowsPerParam.toFixed(0)} rows per parameter (measured on the sized points), so logrows grows far faster: the "hashed logrows" column.`
        : "";
    out.push(
      "",
      "## 8. Scaling",
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
    "  the engine on the small smoke model, 1 full-round proof without a warm-up (the first proof of a fresh worker, slower",
    "  than a warm one), 30 keeper positions over a 5-day crash, the indexer at 50,000 and 100,000 events for 10,000 wallets,",
    "  and 2 tiny scaling points; it writes `bench/quick/` and leaves the published report alone.",
    "",
  );
  return `${out.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n")}\n`;
}
