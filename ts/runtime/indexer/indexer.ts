// The indexer: reads each chain's lending protocols (its sources: zkrisk's own market, and Aave v3
// and Morpho Blue where the deployment record lists them, sources/registry.ts) in pages of blocks
// (viem iterateLogs, eth_getLogs) into the runtime's database, resumable from its cursor,
// reorg-safe by a confirmation depth, and turns them into every wallet's per-chain raw features
// at a snapshot block, then into the cross-chain feature vector (features.ts).
//
// Sources -> rows (one adapter per protocol under sources/, each documents its event mapping):
// every event is attributed to the wallet whose position it changes, with a kind
//   deposit / withdraw (collateral), borrow, repay, liquidation (the liquidated borrower),
//   supply / withdraw_supply (lending the loan token: activity only)
// and a value in the chain's USD unit (zkrisk's loan-token base units) at the event's block.
// USD valuation, one rule per protocol: zkrisk as always (its loan token is the USD unit, its
// collateral at its oracle); every Aave v3 and Morpho Blue amount at the Aave v3 oracle of the
// same chain (AaveOracle.getAssetPrice, USD with 8 decimals) at the event's block. A token the
// oracle does not price then (or a chain without Aave v3) is unpriced: the event counts, its USD
// value is 0, and the index result reports how many were unpriced.
// Features count every indexed protocol: the counts and USD sums add up the chain's protocols,
// liquidation_count and days_since_last_liquidation see every protocol's liquidations,
// protocols_used is the set of protocols with an event of the wallet, and the risk samples take,
// per chain and day, the worst position (highest debt / (collateral x its liquidation threshold))
// across protocols and markets (wallet-features.ts).
//
// Bad input: a protocol without an entry in the deployment record is skipped with a one-line
// warning naming protocol and chain; an entry whose contract has no code at its start block is an
// error; a log of an indexed contract with an indexed event's topic that does not decode is
// stored in undecodable_logs and counted per chain and protocol in the result, never dropped.
//
// Progress is transactional (db/index-data.ts): a page's events of every source, its undecodable
// logs, the cursor and its checkpoint commit together, so a process killed at any moment resumes
// from the last committed page. Reorgs: indexing stops at head - confirmations; the cursor keeps
// the hash of the last indexed block and checkpoints of recent page ends. If the last hash
// changed, the index rewinds (one transaction) to the newest page end still on the chain (or to
// the start) and indexes again. One cursor per chain covers all its sources (from the lowest
// start block); a different set of sources re-indexes the chain.
// Features: per-wallet aggregates come from SQL (eventAggregates) one page of wallets at a time,
// never every event in memory; the reads they need at past blocks are cached in the database.
import { BlockNotFoundError, getAddress, type AbiEvent, type Address, type Hash, type Log, type PublicClient } from "viem";
import { iterateLogs } from "viem/actions";
import { ChainReader } from "./chain-reader.js";
import type { Database, Sql } from "../db/engine.js";
import {
  checkpoints,
  commitPage,
  dayBlocks,
  eventAggregates,
  openCursor,
  rewindChain,
  samplesOf,
  protocolSamplesOf,
  saveReads,
  sourcesKey,
  undecodableCounts,
  walletMarkets,
  walletsUpTo,
  type Cursor,
  type EventAggregate,
  type FeatureSnapshotRow,
  type UndecodableLog,
  type WalletMarket,
} from "../db/index-data.js";
import { featureVector, type ChainRecord, type FeatureSpec } from "./features.js";
import type { Checkpoint, IndexedEvent } from "./index-state.js";
import { chainSources, type ProtocolEntries } from "./sources/registry.js";
import { UndecodableLogError, type Source } from "./sources/source.js";
import { chainRawFeatures, emptyReadCache, PROTOCOL_ID, walletProtocols, type ReadCache, type Snapshot } from "./wallet-features.js";

export const DEFAULT_CHUNK_SIZE = 2_000;
export const DEFAULT_CONFIRMATIONS = 2;
/** Wallets whose features are computed (and whose reads are saved) per transaction. */
export const FEATURE_PAGE = 500;
/** One chain to index: its RPC client, the zkrisk pool deployed there and the other protocols. */
export interface ChainTarget {
  readonly chainId: number;
  readonly client: PublicClient;
  readonly lending: Address;
  /** First block that can hold pool events (the deployment's start block). */
  readonly startBlock: number;
  /** The deployment record's `protocols` (Aave v3, Morpho Blue ...); absent: zkrisk only. */
  readonly protocols?: ProtocolEntries | undefined;
  /** Where `protocols` comes from, for messages (default deployments/<chainId>.json). */
  readonly origin?: string;
}

/**
 * Seams for the crash tests: each runs inside a transaction, after its rows and before its
 * commit, so a test can kill the process there (nothing runs them in production).
 */
export interface IndexHooks {
  /** Inside each page's transaction. */
  readonly inPageTransaction?: (chainId: number, toBlock: number) => void | Promise<void>;
  /** Inside each transaction saving a page of wallets' reads and feature snapshots. */
  readonly inFeaturesTransaction?: (walletsDone: number) => void | Promise<void>;
}

export interface IndexOptions {
  /** The runtime's database (ts/runtime/db/). */
  readonly db: Database;
  /** Blocks below the head that are left unindexed (reorg safety). */
  readonly confirmations?: number;
  /** Most blocks per eth_getLogs request. */
  readonly chunkSize?: number;
  readonly log?: (line: string) => void;
  readonly hooks?: IndexHooks;
}

/** What one chain's indexing run did, and the snapshot it ends at. */
export interface ChainIndex {
  readonly chainId: number;
  /** First and last block indexed by this run (from > to when there was nothing new). */
  readonly from: number;
  readonly to: number;
  readonly newEvents: number;
  readonly pages: number;
  /** Set when a reorg was detected: the index went back from `from` to `to`. */
  readonly rewound: { readonly from: number; readonly to: number } | null;
  /** True when the database held another deployment's index of this chain, now dropped. */
  readonly reset: boolean;
  readonly snapshot: Snapshot;
  readonly reader: ChainReader;
  /** The chain's sources (zkrisk's pool first); absent: zkrisk's pool only. */
  readonly sources?: readonly Source[];
  /** Logs that did not decode, per protocol: found by this run, and stored up to the snapshot. */
  readonly undecodable?: { readonly new: number; readonly total: Readonly<Record<string, number>> };
  /** Events of this run valued at USD 0 because their token had no price at their block. */
  readonly unpriced?: number;
}

async function hashAt(client: PublicClient, block: number): Promise<Hash | null> {
  try {
    return (await client.getBlock({ blockNumber: BigInt(block) })).hash;
  } catch (e) {
    if (e instanceof BlockNotFoundError) return null;
    throw e;
  }
}

const sameHash = (a: string | null, b: string | null): boolean => a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

/** Detect a reorg below the last indexed block and rewind the index past it (one transaction). */
async function rewindIfReorged(client: PublicClient, db: Database, cursor: Cursor): Promise<{ cursor: Cursor; rewound: ChainIndex["rewound"] }> {
  if (cursor.lastHash === null || sameHash(await hashAt(client, cursor.lastBlock), cursor.lastHash)) return { cursor, rewound: null };
  const from = cursor.lastBlock;
  let to: Checkpoint | null = null;
  for (const cp of await checkpoints(db, cursor.chainId)) {
    if (cp.block < from && sameHash(await hashAt(client, cp.block), cp.hash)) {
      to = cp;
      break;
    }
  }
  const after = await rewindChain(db, cursor, to);
  return { cursor: after, rewound: { from, to: after.lastBlock } };
}

/** Map one page's logs through their sources: indexed rows, and the logs that did not decode. */
export async function mapLogs(
  reader: ChainReader,
  byAddress: ReadonlyMap<string, Source>,
  logs: readonly Log[],
): Promise<{ events: IndexedEvent[]; undecodable: UndecodableLog[]; unpriced: number }> {
  const events: IndexedEvent[] = [];
  const undecodable: UndecodableLog[] = [];
  let unpriced = 0;
  await Promise.all(
    logs.map(async (log) => {
      const source = byAddress.get(log.address.toLowerCase());
      const block = Number(log.blockNumber);
      const where = { block, logIndex: log.logIndex!, tx: log.transactionHash!, topic0: (log.topics[0] ?? null) as Hash | null };
      if (!source) {
        undecodable.push({ ...where, protocol: "unknown", pool: log.address, reason: "a log of a contract that is no source" });
        return;
      }
      try {
        const [e, time] = await Promise.all([source.toEvent(log), reader.blockTime(block)]);
        if (e.unpriced) unpriced += 1;
        events.push({
          protocol: source.protocol,
          pool: source.address.toLowerCase() as Address,
          market: e.market,
          kind: e.kind,
          wallet: e.wallet.toLowerCase() as Address,
          block,
          logIndex: log.logIndex!,
          tx: log.transactionHash!,
          time,
          assets: e.assets.toString(),
          price: e.price === null ? null : e.price.toString(),
          value: e.value.toString(),
          usd: reader.loanUsd(e.value),
        });
      } catch (err) {
        if (!(err instanceof UndecodableLogError)) throw err;
        undecodable.push({ ...where, protocol: source.protocol, pool: source.address, reason: err.message });
      }
    }),
  );
  return { events, undecodable, unpriced };
}

/**
 * Index one chain up to head - confirmations, resuming from its cursor in the database, and
 * return the snapshot (the last confirmed block). Each page commits with its cursor.
 */
export async function indexChain(target: ChainTarget, opts: IndexOptions): Promise<ChainIndex> {
  const { client, chainId } = target;
  const { db } = opts;
  const confirmations = opts.confirmations ?? DEFAULT_CONFIRMATIONS;
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(confirmations) || confirmations < 0) throw new Error(`confirmations must be an integer >= 0, got ${confirmations}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunk size must be an integer >= 1, got ${chunkSize}`);
  const log = opts.log ?? (() => {});

  const rpcChainId = await client.getChainId();
  if (rpcChainId !== chainId) throw new Error(`chain ${chainId}: the RPC endpoint serves chain id ${rpcChainId}`);
  const reader = new ChainReader(chainId, client, target.lending);
  await reader.init();
  const sources = await chainSources({ chainId, client, reader, startBlock: target.startBlock, protocols: target.protocols, origin: target.origin, log });
  const byAddress = new Map(sources.map((s) => [s.address.toLowerCase(), s]));
  const startBlock = Math.min(...sources.map((s) => s.startBlock));
  const events: AbiEvent[] = sources.flatMap((s) => s.events);

  const opened = await openCursor(db, chainId, target.lending, startBlock, sourcesKey(sources));
  if (opened.reset) log(`chain ${chainId}: the database indexed another deployment or set of protocols of this chain; dropped, indexing from block ${startBlock}`);
  let { cursor, rewound } = await rewindIfReorged(client, db, opened.cursor);
  if (rewound) log(`chain ${chainId}: reorg below block ${rewound.from}; re-indexing from block ${rewound.to + 1}`);

  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const confirmed = head - confirmations;
  const from = cursor.lastBlock + 1;
  let newEvents = 0;
  let pages = 0;
  let newUndecodable = 0;
  let unpriced = 0;
  if (confirmed >= from) {
    // Every source's events in one request per page; strict: false keeps the logs whose topic
    // matches but whose data does not decode (strict drops them silently): the source decides.
    const pageIter = iterateLogs(client, {
      address: sources.map((s) => s.address),
      events,
      strict: false,
      fromBlock: BigInt(from),
      toBlock: BigInt(confirmed),
      blockRange: BigInt(chunkSize),
    });
    for await (const page of pageIter) {
      const mapped = await mapLogs(reader, byAddress, page.logs as unknown as Log[]);
      const toBlock = Number(page.toBlock);
      const hash = await hashAt(client, toBlock);
      if (hash === null) throw new Error(`chain ${chainId}: block ${toBlock} disappeared while indexing (reorg); run again`);
      const hook = opts.hooks?.inPageTransaction;
      cursor = await commitPage(
        db,
        { cursor, events: mapped.events, undecodable: mapped.undecodable, to: { block: toBlock, hash }, protocol: PROTOCOL_ID },
        hook && (() => hook(chainId, toBlock)),
      );
      for (const u of mapped.undecodable) log(`chain ${chainId}: ${u.protocol} log ${u.tx}:${u.logIndex} (block ${u.block}) does not decode: ${u.reason}`);
      newEvents += mapped.events.length;
      newUndecodable += mapped.undecodable.length;
      unpriced += mapped.unpriced;
      pages += 1;
    }
  }
  const snapshotBlock = Math.max(Math.min(confirmed, cursor.lastBlock), 0);
  const snapshot = { block: snapshotBlock, time: await reader.blockTime(snapshotBlock) };
  const total = await undecodableCounts(db, chainId, snapshotBlock);
  const totalUndecodable = Object.values(total).reduce((a, b) => a + b, 0);
  const protocols = sources.map((s) => s.protocol).join(", ");
  log(
    `chain ${chainId}: blocks ${from}..${cursor.lastBlock} indexed (${protocols}; ${pages} page(s), ${newEvents} new event(s)` +
      `${unpriced ? `, ${unpriced} without a USD price` : ""}); snapshot at block ${snapshotBlock}` +
      `${totalUndecodable ? `; ${totalUndecodable} log(s) that do not decode (${Object.entries(total).map(([p, n]) => `${p}: ${n}`).join(", ")})` : ""}`,
  );
  return {
    chainId,
    from,
    to: cursor.lastBlock,
    newEvents,
    pages,
    rewound,
    reset: opened.reset,
    snapshot,
    reader,
    sources,
    undecodable: { new: newUndecodable, total },
    unpriced,
  };
}

/** One wallet's features across the indexed chains. */
export interface WalletFeatures {
  readonly wallet: Address;
  /** Per-chain raw records, one per indexed chain (empty values where the wallet did nothing). */
  readonly records: readonly ChainRecord[];
  /** Aggregated raw vector and the model's transformed vector (features.json order). */
  readonly raw: readonly number[];
  readonly features: readonly number[];
  /** Snapshot block per chain id. */
  readonly snapshotBlocks: Readonly<Record<string, string>>;
}

export interface FeatureOptions {
  /** Only these wallets (each must have pool events up to a snapshot); default every wallet. */
  readonly only?: readonly Address[];
  /** Wallets per transaction (default FEATURE_PAGE). */
  readonly pageSize?: number;
  readonly hooks?: IndexHooks;
}

/**
 * Every wallet's (or only `only`'s) cross-chain features at the chains' snapshots, a page of
 * wallets at a time: their events' aggregates from SQL, the reads at past blocks from the
 * database's cache or the chain. Each page's new reads and feature snapshots commit together.
 */
export async function walletFeatures(spec: FeatureSpec, chains: readonly ChainIndex[], db: Database, opts: FeatureOptions = {}): Promise<WalletFeatures[]> {
  const snaps = chains.map((c) => ({ chainId: c.chainId, block: c.snapshot.block }));
  let wallets: string[];
  let contiguous = false;
  if (opts.only && opts.only.length) {
    const only = opts.only;
    const seen = new Set<string>(await walletsUpTo(db, snaps, only));
    const unknown = only.filter((w) => !seen.has(w.toLowerCase()));
    if (unknown.length) {
      const where = chains.map((c) => `${c.chainId} up to block ${c.snapshot.block}`).join(", ");
      throw new Error(`wallet ${unknown.join(", ")} has no events of an indexed protocol on the indexed chains (${where})`);
    }
    wallets = [...new Set(only.map((w) => w.toLowerCase()))];
  } else {
    wallets = await walletsUpTo(db, snaps);
    contiguous = true; // ascending and complete: each page is read as a range of wallets
  }
  const snapshotBlocks = Object.fromEntries(chains.map((c) => [String(c.chainId), String(c.snapshot.block)]));
  const caches: ReadCache[] = await Promise.all(chains.map(async (c) => emptyReadCache(await dayBlocks(db, c.chainId))));
  const sourcesByProtocol = chains.map((c) => new Map((c.sources ?? []).map((s) => [s.protocol, s])));
  const pageSize = opts.pageSize ?? FEATURE_PAGE;
  const out: WalletFeatures[] = [];
  for (let i = 0; i < wallets.length; i += pageSize) {
    const page = wallets.slice(i, i + pageSize);
    const selection = { wallets: page, contiguous };
    const aggregates: Map<string, EventAggregate>[] = [];
    const markets: Map<string, WalletMarket[]>[] = [];
    for (const [k, c] of chains.entries()) {
      const agg = await eventAggregates(db, c.chainId, c.snapshot.block, selection);
      aggregates.push(agg);
      const cache = caches[k]!;
      cache.samples.clear();
      for (const [w, days] of await samplesOf(db, c.chainId, selection)) cache.samples.set(w, days);
      cache.newDayBlocks.clear();
      cache.newSamples.length = 0;
      // Wallets with events of other protocols than zkrisk: their markets and cached samples.
      const multi = [...agg].filter(([, a]) => a.otherProtocols).map(([w]) => w);
      markets.push(await walletMarkets(db, c.chainId, c.snapshot.block, multi));
      cache.protocolSamples.clear();
      for (const [w, m] of await protocolSamplesOf(db, c.chainId, multi)) cache.protocolSamples.set(w, m);
      cache.newProtocolSamples.length = 0;
    }
    const rows: FeatureSnapshotRow[] = [];
    for (const w of page) {
      const wallet = getAddress(w);
      const records = await Promise.all(
        chains.map((c, k) => {
          const agg = aggregates[k]!.get(w);
          const used = agg && walletProtocols(agg, markets[k]!.get(w), sourcesByProtocol[k]!, c.chainId);
          return chainRawFeatures(c.reader, spec, agg, caches[k]!, wallet, c.snapshot, used);
        }),
      );
      const { raw, transformed } = featureVector(spec, records);
      out.push({ wallet, records, raw, features: transformed, snapshotBlocks });
      rows.push({ wallet: w, snapshotBlocks, perChain: records, raw, features: transformed });
    }
    const reads = chains.map((c, k) => ({
      chainId: c.chainId,
      dayBlocks: [...caches[k]!.newDayBlocks],
      samples: [...caches[k]!.newSamples],
      protocolSamples: [...caches[k]!.newProtocolSamples],
    }));
    const hook = opts.hooks?.inFeaturesTransaction;
    const done = i + page.length;
    await saveReads(db, reads, rows, hook && ((_tx: Sql) => hook(done)));
  }
  return out;
}
