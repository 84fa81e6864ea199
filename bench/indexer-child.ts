// One engine and one size of the indexer benchmark, in a fresh process so that its peak RSS is
// this engine's (bench/indexer.ts spawns it, measured). Two modes:
//   create   open the database at `location` (migrations applied) and close it: the one-off
//            creation, measured apart (PGlite's first creation is the costly part).
//   measure  open the created database, feed the synthetic pages of bench/indexer-synth.ts through
//            commitPage (events, cursor and checkpoint per page, in one transaction; the three
//            chains concurrently, as runIndex indexes them), then compute every wallet's feature
//            vector with walletFeatures (SQL aggregates a page of wallets at a time -> features.ts
//            featureVector; reads at past blocks from the synthetic chain, saved with the snapshots).
// Prints progress on stderr and one JSON line ({ok, ...}) on stdout.
//
// Usage: node --import tsx bench/indexer-child.ts '{"mode": "measure", "location": "...", "events": 50000, "wallets": 10000, "days": 7, "seed": 1}'
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase, type Database } from "../ts/runtime/db/engine.js";
import { commitPage, countEvents, openCursor } from "../ts/runtime/db/index-data.js";
import { ChainReader } from "../ts/runtime/indexer/chain-reader.js";
import { loadFeatureSpec } from "../ts/runtime/indexer/features.js";
import { walletFeatures, type ChainIndex } from "../ts/runtime/indexer/indexer.js";
import { PROTOCOL_ID } from "../ts/runtime/indexer/wallet-features.js";
import { procStatusBytes } from "./measure.js";
import { synthChains } from "./indexer-synth.js";

interface Args {
  mode: "create" | "measure";
  location: string;
  events: number;
  wallets: number;
  days: number;
  seed: number;
}

const MiB = 2 ** 20;
const now = () => performance.now();
const hwmMiB = () => (procStatusBytes(process.pid, "VmHWM") ?? process.resourceUsage().maxRSS * 1024) / MiB;
const progress = (line: string) => process.stderr.write(`${line}\n`);

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return total;
}

/**
 * The database with the time spent in its calls summed (the feature phase makes them one at a
 * time): reads (statements outside a transaction) and writes (transactions).
 */
function timed(db: Database): { db: Database; readMs: () => number; writeMs: () => number; calls: () => number } {
  const ms = { read: 0, write: 0 };
  let calls = 0;
  const time = async <T>(kind: keyof typeof ms, p: () => Promise<T>): Promise<T> => {
    const t = now();
    calls += 1;
    try {
      return await p();
    } finally {
      ms[kind] += now() - t;
    }
  };
  const wrapped: Database = {
    engine: db.engine,
    label: db.label,
    query: (text, params) => time("read", () => db.query(text, params)),
    exec: (script) => time("read", () => db.exec(script)),
    transaction: (fn) => time("write", () => db.transaction(fn)),
    close: () => db.close(),
  };
  return { db: wrapped, readMs: () => ms.read, writeMs: () => ms.write, calls: () => calls };
}

async function serverInfo(db: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of ["server_version", "fsync", "synchronous_commit", "shared_buffers"]) {
    const [row] = await db.query<{ v: string }>(`SELECT current_setting('${name}') AS v`);
    out[name] = row?.v ?? "";
  }
  return out;
}

async function create(args: Args): Promise<Record<string, unknown>> {
  const t = now();
  const db = await openDatabase(args.location);
  const server = await serverInfo(db);
  await db.close();
  return { seconds: (now() - t) / 1000, server };
}

async function measure(args: Args): Promise<Record<string, unknown>> {
  const opened = now();
  const base = await openDatabase(args.location);
  const openSeconds = (now() - opened) / 1000;
  const rssAfterOpenMiB = hwmMiB();
  try {
    const spec = loadFeatureSpec();
    const chains = synthChains({ events: args.events, wallets: args.wallets, days: args.days, seed: args.seed });
    const days = `${Number(args.days.toFixed(2))} day${args.days === 1 ? "" : "s"}`;
    progress(`${args.events.toLocaleString("en-US")} events, ${args.wallets.toLocaleString("en-US")} wallets over ${days}; pages per chain ${chains.map((c) => `${c.chainId}: ${c.pages.toLocaleString("en-US")}`).join(", ")}`);

    // Ingestion: each chain's pages through commitPage, the chains concurrently.
    let generateMs = 0;
    let done = 0;
    let nextReport = args.events / 4;
    const started = now();
    const perChain = await Promise.all(
      chains.map(async (c) => {
        let { cursor } = await openCursor(base, c.chainId, c.pool, c.startBlock);
        let pages = 0;
        let events = 0;
        let maxPage = 0;
        for (;;) {
          const g = now();
          const page = c.nextPage();
          generateMs += now() - g;
          if (!page) break;
          cursor = await commitPage(base, { cursor, events: page.events, to: page.to, protocol: PROTOCOL_ID });
          pages += 1;
          events += page.events.length;
          maxPage = Math.max(maxPage, page.events.length);
          done += page.events.length;
          if (done >= nextReport) {
            progress(`ingested ${done.toLocaleString("en-US")} events (${Math.round(done / ((now() - started) / 1000)).toLocaleString("en-US")}/s)`);
            nextReport += args.events / 4;
          }
        }
        if (cursor.lastBlock !== c.lastBlock) throw new Error(`chain ${c.chainId}: the cursor ended at block ${cursor.lastBlock}, not ${c.lastBlock}`);
        return { chainId: c.chainId, wallets: c.wallets, events, pages, blocks: c.lastBlock - c.startBlock + 1, eventsPerPage: events / pages, maxEventsPerPage: maxPage };
      }),
    );
    const ingestSeconds = (now() - started) / 1000;
    const rssAfterIngestMiB = hwmMiB();
    let stored = 0;
    for (const c of chains) stored += await countEvents(base, c.chainId);
    if (stored !== args.events) throw new Error(`${stored} events stored, ${args.events} fed`);
    progress(`ingestion: ${args.events.toLocaleString("en-US")} events in ${ingestSeconds.toFixed(1)} s (${Math.round(args.events / ingestSeconds).toLocaleString("en-US")}/s); features of ${args.wallets.toLocaleString("en-US")} wallets next`);

    // Features: the indexer's walletFeatures over the three chains at their last block.
    const indexed: ChainIndex[] = chains.map((c, k) => ({
      chainId: c.chainId,
      from: c.startBlock,
      to: c.lastBlock,
      newEvents: perChain[k]!.events,
      pages: perChain[k]!.pages,
      rewound: null,
      reset: false,
      snapshot: { block: c.lastBlock, time: c.timeOf(c.lastBlock) },
      reader: new ChainReader(c.chainId, c.client(), c.pool),
    }));
    const t = timed(base);
    const fStarted = now();
    const features = await walletFeatures(spec, indexed, t.db);
    const featureSeconds = (now() - fStarted) / 1000;
    if (features.length !== args.wallets) throw new Error(`${features.length} feature vectors, ${args.wallets} wallets`);
    for (const f of features) {
      if (f.features.length !== spec.names.length || !f.features.every(Number.isFinite)) throw new Error(`wallet ${f.wallet}: a malformed feature vector`);
    }
    const [samples] = await base.query<{ n: number }>("SELECT count(*) AS n FROM daily_risk_samples");
    const [snapshots] = await base.query<{ n: number }>("SELECT count(*) AS n FROM wallet_feature_snapshots");
    const liquidated = features.filter((f) => f.raw[spec.names.indexOf("liquidation_count")]! > 0).length;
    const mem = process.memoryUsage();
    const dbBytes =
      base.engine === "pglite" ? dirBytes(args.location) : ((await base.query<{ n: number }>("SELECT pg_database_size(current_database()) AS n"))[0]?.n ?? 0);
    return {
      engine: base.engine,
      events: args.events,
      wallets: features.length,
      days: args.days,
      chains: perChain,
      pages: perChain.reduce((a, c) => a + c.pages, 0),
      openSeconds,
      ingestSeconds,
      generateSeconds: generateMs / 1000,
      eventsPerSecond: args.events / ingestSeconds,
      featureSeconds,
      featureSqlSeconds: (t.readMs() + t.writeMs()) / 1000,
      featureSqlReadSeconds: t.readMs() / 1000,
      featureSqlWriteSeconds: t.writeMs() / 1000,
      featureSqlCalls: t.calls(),
      walletsPerSecond: features.length / featureSeconds,
      samplesSaved: samples?.n ?? 0,
      snapshotsSaved: snapshots?.n ?? 0,
      walletsLiquidated: liquidated,
      rssAfterOpenMiB,
      rssAfterIngestMiB,
      peakRssMiB: hwmMiB(),
      memoryAtEndMiB: { rss: mem.rss / MiB, heapUsed: mem.heapUsed / MiB, external: mem.external / MiB, arrayBuffers: mem.arrayBuffers / MiB },
      dbBytes,
      ...(base.engine === "postgres" ? { server: await serverInfo(base) } : {}),
    };
  } finally {
    await base.close();
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as Args;
  const out = args.mode === "create" ? await create(args) : await measure(args);
  process.stdout.write(`${JSON.stringify({ ok: true, ...out })}\n`);
}

main().catch((e: Error) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: e.message.split("\n")[0] })}\n`);
  process.exit(1);
});
