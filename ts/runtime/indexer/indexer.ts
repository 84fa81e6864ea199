// The indexer: reads each chain's ZkRiskLending events in pages of blocks (viem iterateLogs,
// eth_getLogs) into the runtime's database, resumable from its cursor, reorg-safe by a
// confirmation depth, and turns them into every wallet's per-chain raw features at a snapshot
// block, then into the cross-chain feature vector (features.ts).
//
// Events -> features.json (a wallet's pool events are those that change its own account):
//   SupplyCollateral(onBehalf)  deposit_count, deposit_usd (collateral at the oracle price of the block)
//   WithdrawCollateral(caller)  withdraw_count, withdraw_usd (idem)
//   Borrow(caller)              borrow_count, borrow_usd (loan token = USD)
//   Repay(onBehalf)             repay_count, repay_usd (liquidations emit Liquidate, not Repay: excluded)
//   Liquidate(borrower)         liquidation_count, days_since_last_liquidation
//   Supply(onBehalf), Withdraw(caller) (lending the loan token) count only as activity:
//   wallet_age_days (first event), chains_used, protocols_used (["zkrisk"], the only protocol seen here).
//
// Progress is transactional (db/index-data.ts): a page's events, the cursor and its checkpoint
// commit together, so a process killed at any moment resumes from the last committed page.
// Reorgs: indexing stops at head - confirmations; the cursor keeps the hash of the last indexed
// block and checkpoints of recent page ends. If the last hash changed, the index rewinds (one
// transaction) to the newest page end still on the chain (or to the start) and indexes again.
// Features: per-wallet aggregates come from SQL (eventAggregates) one page of wallets at a time,
// never every event in memory; the reads they need at past blocks are cached in the database.
import { BlockNotFoundError, getAbiItem, getAddress, type Address, type Hash, type PublicClient } from "viem";
import { iterateLogs } from "viem/actions";
import { zkRiskLendingAbi } from "../../generated/abi.generated.js";
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
  saveReads,
  walletsUpTo,
  type Cursor,
  type EventAggregate,
  type FeatureSnapshotRow,
} from "../db/index-data.js";
import { featureVector, type ChainRecord, type FeatureSpec } from "./features.js";
import type { Checkpoint, IndexedEvent, PoolEventKind } from "./index-state.js";
import { chainRawFeatures, emptyReadCache, PROTOCOL_ID, type ReadCache, type Snapshot } from "./wallet-features.js";

export const DEFAULT_CHUNK_SIZE = 2_000;
export const DEFAULT_CONFIRMATIONS = 2;
/** Wallets whose features are computed (and whose reads are saved) per transaction. */
export const FEATURE_PAGE = 500;
/** IOracle prices carry 36 decimals (plus loan minus collateral decimals): value = assets * price / 1e36 (as ChainReader.collateralUsd). */
const PRICE_SCALE = 10n ** 36n;

const EVENTS = [
  getAbiItem({ abi: zkRiskLendingAbi, name: "Supply" }),
  getAbiItem({ abi: zkRiskLendingAbi, name: "Withdraw" }),
  getAbiItem({ abi: zkRiskLendingAbi, name: "SupplyCollateral" }),
  getAbiItem({ abi: zkRiskLendingAbi, name: "WithdrawCollateral" }),
  getAbiItem({ abi: zkRiskLendingAbi, name: "Borrow" }),
  getAbiItem({ abi: zkRiskLendingAbi, name: "Repay" }),
  getAbiItem({ abi: zkRiskLendingAbi, name: "Liquidate" }),
] as const;

/** One chain to index: its RPC client and the pool deployed there. */
export interface ChainTarget {
  readonly chainId: number;
  readonly client: PublicClient;
  readonly lending: Address;
  /** First block that can hold pool events (the deployment's start block). */
  readonly startBlock: number;
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

type LendingLog = { eventName: string; args: Record<string, unknown>; blockNumber: bigint; logIndex: number; transactionHash: Hash };

/** The wallet, kind and amount of a pool event (the account whose position it changes). */
function classify(log: LendingLog): { kind: PoolEventKind; wallet: Address; assets: bigint; collateral: boolean } {
  const a = log.args;
  switch (log.eventName) {
    case "Supply":
      return { kind: "supply", wallet: a.onBehalf as Address, assets: a.assets as bigint, collateral: false };
    case "Withdraw":
      return { kind: "withdraw_supply", wallet: a.caller as Address, assets: a.assets as bigint, collateral: false };
    case "SupplyCollateral":
      return { kind: "deposit", wallet: a.onBehalf as Address, assets: a.assets as bigint, collateral: true };
    case "WithdrawCollateral":
      return { kind: "withdraw", wallet: a.caller as Address, assets: a.assets as bigint, collateral: true };
    case "Borrow":
      return { kind: "borrow", wallet: a.caller as Address, assets: a.assets as bigint, collateral: false };
    case "Repay":
      return { kind: "repay", wallet: a.onBehalf as Address, assets: a.assets as bigint, collateral: false };
    case "Liquidate":
      return { kind: "liquidation", wallet: a.borrower as Address, assets: a.repaidAssets as bigint, collateral: false };
    default:
      throw new Error(`unexpected event ${log.eventName}`);
  }
}

async function toIndexed(reader: ChainReader, log: LendingLog): Promise<IndexedEvent> {
  const c = classify(log);
  const block = Number(log.blockNumber);
  const [time, price] = await Promise.all([reader.blockTime(block), c.collateral ? reader.priceAt(block) : Promise.resolve(null)]);
  const value = price === null ? c.assets : (c.assets * price) / PRICE_SCALE;
  return {
    kind: c.kind,
    wallet: c.wallet.toLowerCase() as Address,
    block,
    logIndex: log.logIndex,
    tx: log.transactionHash,
    time,
    assets: c.assets.toString(),
    price: price === null ? null : price.toString(),
    value: value.toString(),
    usd: reader.loanUsd(value),
  };
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

  const opened = await openCursor(db, chainId, target.lending, target.startBlock);
  if (opened.reset) log(`chain ${chainId}: the database indexed another deployment of this chain; dropped, indexing from block ${target.startBlock}`);
  let { cursor, rewound } = await rewindIfReorged(client, db, opened.cursor);
  if (rewound) log(`chain ${chainId}: reorg below block ${rewound.from}; re-indexing from block ${rewound.to + 1}`);

  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const confirmed = head - confirmations;
  const from = cursor.lastBlock + 1;
  let newEvents = 0;
  let pages = 0;
  if (confirmed >= from) {
    const pageIter = iterateLogs(client, {
      address: target.lending,
      events: EVENTS,
      strict: true,
      fromBlock: BigInt(from),
      toBlock: BigInt(confirmed),
      blockRange: BigInt(chunkSize),
    });
    for await (const page of pageIter) {
      const logs = page.logs as unknown as LendingLog[];
      const events = await Promise.all(logs.map((l) => toIndexed(reader, l)));
      const toBlock = Number(page.toBlock);
      const hash = await hashAt(client, toBlock);
      if (hash === null) throw new Error(`chain ${chainId}: block ${toBlock} disappeared while indexing (reorg); run again`);
      const hook = opts.hooks?.inPageTransaction;
      cursor = await commitPage(db, { cursor, events, to: { block: toBlock, hash }, protocol: PROTOCOL_ID }, hook && (() => hook(chainId, toBlock)));
      newEvents += events.length;
      pages += 1;
    }
  }
  const snapshotBlock = Math.max(Math.min(confirmed, cursor.lastBlock), 0);
  const snapshot = { block: snapshotBlock, time: await reader.blockTime(snapshotBlock) };
  log(`chain ${chainId}: blocks ${from}..${cursor.lastBlock} indexed (${pages} page(s), ${newEvents} new event(s)); snapshot at block ${snapshotBlock}`);
  return { chainId, from, to: cursor.lastBlock, newEvents, pages, rewound, reset: opened.reset, snapshot, reader };
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
      throw new Error(`wallet ${unknown.join(", ")} has no pool events on the indexed chains (${where})`);
    }
    wallets = [...new Set(only.map((w) => w.toLowerCase()))];
  } else {
    wallets = await walletsUpTo(db, snaps);
    contiguous = true; // ascending and complete: each page is read as a range of wallets
  }
  const snapshotBlocks = Object.fromEntries(chains.map((c) => [String(c.chainId), String(c.snapshot.block)]));
  const caches: ReadCache[] = await Promise.all(chains.map(async (c) => emptyReadCache(await dayBlocks(db, c.chainId))));
  const pageSize = opts.pageSize ?? FEATURE_PAGE;
  const out: WalletFeatures[] = [];
  for (let i = 0; i < wallets.length; i += pageSize) {
    const page = wallets.slice(i, i + pageSize);
    const selection = { wallets: page, contiguous };
    const aggregates: Map<string, EventAggregate>[] = [];
    for (const [k, c] of chains.entries()) {
      aggregates.push(await eventAggregates(db, c.chainId, c.snapshot.block, selection));
      const cache = caches[k]!;
      cache.samples.clear();
      for (const [w, days] of await samplesOf(db, c.chainId, selection)) cache.samples.set(w, days);
      cache.newDayBlocks.clear();
      cache.newSamples.length = 0;
    }
    const rows: FeatureSnapshotRow[] = [];
    for (const w of page) {
      const wallet = getAddress(w);
      const records = await Promise.all(chains.map((c, k) => chainRawFeatures(c.reader, spec, aggregates[k]!.get(w), caches[k]!, wallet, c.snapshot)));
      const { raw, transformed } = featureVector(spec, records);
      out.push({ wallet, records, raw, features: transformed, snapshotBlocks });
      rows.push({ wallet: w, snapshotBlocks, perChain: records, raw, features: transformed });
    }
    const reads = chains.map((c, k) => ({ chainId: c.chainId, dayBlocks: [...caches[k]!.newDayBlocks], samples: [...caches[k]!.newSamples] }));
    const hook = opts.hooks?.inFeaturesTransaction;
    const done = i + page.length;
    await saveReads(db, reads, rows, hook && ((_tx: Sql) => hook(done)));
  }
  return out;
}
