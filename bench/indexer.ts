// The indexer at scale (issue 12): synthetic but well-formed pool events (bench/indexer-synth.ts)
// for `wallets` wallets on chains 1, 137 and 42161 go through the indexer's own ingestion path
// (commitPage: a page of decoded events, the cursor and its checkpoint in one transaction, pages of
// the indexer's block range), then every wallet's feature vector is computed by the indexer's
// walletFeatures (SQL aggregates a page of wallets at a time, ending in features.ts). Each engine
// (PGlite, PostgreSQL) and size runs in its own measured process (bench/indexer-child.ts) on a
// database created (migrations applied) beforehand by another process, so the peak RSS is that
// engine's indexing alone; the creation is measured apart. Two sizes with the same wallets show
// whether memory grows with the number of events.
//
// PostgreSQL: ZKRISK_TEST_DATABASE_URL (a role that may CREATE DATABASE; CI sets it), else a
// throw-away server from the local postgres binaries (ts/test/db-support.ts); neither: the engine
// is reported as not measured, with the reason, and the benchmark goes on.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../ts/runtime/db/engine.js";
import { INSERT_BATCH } from "../ts/runtime/db/index-data.js";
import { DEFAULT_CHUNK_SIZE, FEATURE_PAGE } from "../ts/runtime/indexer/indexer.js";
import { cleanupDatabases, freshPostgres, tempFolder, TEST_URL_ENV } from "../ts/test/db-support.js";
import { SYNTH_CHAINS } from "./indexer-synth.js";
import { MiB, runMeasured, stepResult } from "./measure.js";

export interface IndexerPlan {
  /** Events per run, ascending (same wallets in each): the largest is the headline. */
  readonly sizes: readonly number[];
  readonly wallets: number;
  /** Activity of the synthetic chains: a run of N events covers N / eventsPerDay days. */
  readonly eventsPerDay: number;
  readonly seed: number;
  /** Seconds the whole section may take; a run that would start with less than a minute left is not run. */
  readonly budgetSeconds: number;
  readonly rssLimitBytes: number;
  readonly log: (line: string) => void;
}

export interface IndexerChainRun {
  readonly chainId: number;
  readonly wallets: number;
  readonly events: number;
  readonly pages: number;
  readonly blocks: number;
  readonly eventsPerPage: number;
  readonly maxEventsPerPage: number;
}

/** One engine, one size. */
export interface IndexerRun {
  readonly events: number;
  readonly wallets: number;
  readonly days: number;
  readonly pages: number;
  readonly chains: readonly IndexerChainRun[];
  /** Ingestion: the chains' pages through commitPage, the three chains concurrently (as runIndex). */
  readonly ingestSeconds: number;
  readonly eventsPerSecond: number;
  /** Of ingestSeconds: making the synthetic pages in the same process (what decoding logs would cost). */
  readonly generateSeconds: number;
  /** walletFeatures over every wallet; of it, time inside database calls (aggregates, cached samples, saving reads and snapshots). */
  readonly featureSeconds: number;
  readonly featureSqlSeconds: number;
  /** Of featureSqlSeconds: reads (aggregates, wallets, cached samples) and writes (saveReads: samples and snapshots, one transaction per page of wallets). */
  readonly featureSqlReadSeconds: number;
  readonly featureSqlWriteSeconds: number;
  readonly featureSqlCalls: number;
  readonly walletsPerSecond: number;
  readonly samplesSaved: number;
  readonly snapshotsSaved: number;
  readonly walletsLiquidated: number;
  /** Opening the created database (no migration pending). */
  readonly openSeconds: number;
  /** Peak RSS of the process (GNU time, else polled VmHWM), and its VmHWM after opening and after ingestion. */
  readonly peakRssMiB: number;
  readonly rssAfterOpenMiB: number;
  readonly rssAfterIngestMiB: number;
  readonly memoryAtEndMiB: { readonly rss: number; readonly heapUsed: number; readonly external: number; readonly arrayBuffers: number };
  readonly dbBytes: number;
  readonly wallSeconds: number;
  readonly server?: Readonly<Record<string, string>>;
}

export type IndexerEngineResults =
  | {
      readonly measured: true;
      readonly engine: Engine;
      /** The largest size measured. */
      readonly events: number;
      readonly wallets: number;
      readonly eventsPerSecond: number;
      readonly featureSeconds: number;
      /** The highest peak RSS of its runs (creation excluded). */
      readonly peakRssMiB: number;
      /** Creating the database (migrations) in its own process, before the first size. */
      readonly create: { readonly seconds: number; readonly peakRssMiB: number };
      readonly runs: readonly IndexerRun[];
      /** Sizes that failed or were not run (budget). */
      readonly failed: readonly { readonly events: number; readonly error: string }[];
      /** Peak RSS of the smallest and the largest size (same wallets). */
      readonly memoryFlat?: { readonly fromEvents: number; readonly toEvents: number; readonly fromPeakRssMiB: number; readonly toPeakRssMiB: number; readonly ratio: number };
      readonly server?: Readonly<Record<string, string>>;
      /** Where the database came from (no credentials). */
      readonly source: string;
    }
  | { readonly measured: false; readonly engine: Engine; readonly reason: string };

export interface IndexerResults {
  readonly chains: readonly number[];
  readonly wallets: number;
  readonly sizes: readonly number[];
  readonly eventsPerDay: number;
  readonly pageBlocks: number;
  readonly featurePage: number;
  readonly insertBatch: number;
  readonly budgetSeconds: number;
  readonly elapsedSeconds: number;
  readonly pglite: IndexerEngineResults;
  readonly postgres: IndexerEngineResults;
}

const CHILD = "bench/indexer-child.ts";
const int = (x: number) => Math.round(x).toLocaleString("en-US");

export async function benchIndexer(plan: IndexerPlan): Promise<IndexerResults> {
  const started = performance.now();
  const left = () => plan.budgetSeconds - (performance.now() - started) / 1000;
  const sizes = [...plan.sizes].sort((a, b) => a - b);
  const child = async (engine: Engine, label: string, args: Record<string, unknown>) => {
    const timeoutMs = Math.max(1, left()) * 1000;
    const run = await runMeasured(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(args)], {
      rssLimitBytes: plan.rssLimitBytes,
      timeoutMs,
      onStderr: (line) => line.trim() && plan.log(`${engine} ${label}: ${line}`),
    });
    if (run.killed?.startsWith("over the")) throw new Error(`not finished within what was left of the section's ${plan.budgetSeconds} s budget (${(timeoutMs / 1000).toFixed(0)} s)`);
    return { run, out: stepResult<Record<string, unknown>>(`indexer ${engine} ${label}`, run) };
  };

  const measureEngine = async (engine: Engine): Promise<IndexerEngineResults> => {
    const runs: IndexerRun[] = [];
    const failed: { events: number; error: string }[] = [];
    let create: { seconds: number; peakRssMiB: number } | undefined;
    let server: Record<string, string> | undefined;
    let source = engine === "pglite" ? "created once in a temp folder, a copy of that folder per size" : "";
    // PGlite: one creation (the costly part), copied (closed, so a plain file copy) for each size
    let template: string | undefined;
    for (const events of sizes) {
      if (left() < 60) {
        failed.push({ events, error: `not run: less than a minute left of the section's ${plan.budgetSeconds} s budget` });
        continue;
      }
      let location: string;
      let folder: string | undefined;
      if (engine === "pglite") {
        folder = tempFolder("zkrisk-bench-db-");
        location = join(folder, "db");
      } else {
        try {
          location = await freshPostgres();
        } catch (e) {
          // no server: the engine is not measured (never a failure of the benchmark)
          const why = `no PostgreSQL database to measure on: ${(e as Error).message.split("\n")[0]}`;
          if (!runs.length) return { measured: false, engine, reason: why };
          failed.push({ events, error: why });
          continue;
        }
        source = process.env[TEST_URL_ENV] ? `${TEST_URL_ENV} (a new database per size)` : "a throw-away server started from the local postgres binaries (ts/test/db-support.ts), a new database per size";
      }
      const label = `${int(events)} events`;
      try {
        if (engine === "pglite" && template) cpSync(template, location, { recursive: true });
        else {
          const made = await child(engine, `${label}, create`, { mode: "create", location });
          const c = { seconds: made.out.seconds as number, peakRssMiB: made.run.maxRssBytes / MiB };
          create ??= c;
          server ??= made.out.server as Record<string, string>;
          plan.log(`${engine} ${label}: database created (migrations) in ${c.seconds.toFixed(1)} s, peak RSS ${c.peakRssMiB.toFixed(0)} MiB (not counted below)`);
          if (engine === "pglite") {
            template = join(tempFolder("zkrisk-bench-db-"), "db");
            cpSync(location, template, { recursive: true });
          }
        }
        const days = events / plan.eventsPerDay;
        const { run, out } = await child(engine, label, { mode: "measure", location, events, wallets: plan.wallets, days, seed: plan.seed });
        const { ok: _ok, engine: _engine, ...fields } = out;
        const r = { ...(fields as unknown as IndexerRun), peakRssMiB: Math.max(run.maxRssBytes / MiB, fields.peakRssMiB as number), wallSeconds: run.wallMs / 1000 };
        runs.push(r);
        plan.log(
          `${engine} ${label}: ${int(r.eventsPerSecond)} events/s, features of ${int(r.wallets)} wallets in ${r.featureSeconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`,
        );
      } catch (e) {
        failed.push({ events, error: (e as Error).message.split("\n")[0]! });
        plan.log(`${engine} ${label}: ERROR ${(e as Error).message.split("\n")[0]}`);
      } finally {
        if (folder) rmSync(folder, { recursive: true, force: true });
      }
    }
    const last = runs.at(-1);
    if (!last || !create) return { measured: false, engine, reason: failed.map((f) => `${int(f.events)} events: ${f.error}`).join("; ") || "no run" };
    const first = runs[0]!;
    return {
      measured: true,
      engine,
      events: last.events,
      wallets: last.wallets,
      eventsPerSecond: last.eventsPerSecond,
      featureSeconds: last.featureSeconds,
      peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
      create,
      runs,
      failed,
      ...(runs.length > 1
        ? { memoryFlat: { fromEvents: first.events, toEvents: last.events, fromPeakRssMiB: first.peakRssMiB, toPeakRssMiB: last.peakRssMiB, ratio: last.peakRssMiB / first.peakRssMiB } }
        : {}),
      ...(server ? { server } : {}),
      source,
    };
  };

  try {
    const pglite = await measureEngine("pglite");
    const postgres = await measureEngine("postgres");
    if (!postgres.measured) plan.log(`postgres: not measured: ${postgres.reason}`);
    return {
      chains: SYNTH_CHAINS.map((c) => c.chainId),
      wallets: plan.wallets,
      sizes,
      eventsPerDay: plan.eventsPerDay,
      pageBlocks: DEFAULT_CHUNK_SIZE,
      featurePage: FEATURE_PAGE,
      insertBatch: INSERT_BATCH,
      budgetSeconds: plan.budgetSeconds,
      elapsedSeconds: (performance.now() - started) / 1000,
      pglite,
      postgres,
    };
  } finally {
    await cleanupDatabases();
  }
}
