// The indexer: reads each chain's ZkRiskLending events in pages of blocks (viem iterateLogs,
// eth_getLogs), resumable from a per-chain state file, reorg-safe by a confirmation depth, and
// turns them into every wallet's per-chain raw features at a snapshot block, then into the
// cross-chain feature vector (features.ts).
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
// Reorgs: indexing stops at head - confirmations; the state keeps the hash of the last indexed
// block and of recent page ends. If the last hash changed, the index rewinds to the newest page
// end still on the chain (or to the start) and indexes again from there.
import { BlockNotFoundError, getAbiItem, getAddress, type Address, type Hash, type PublicClient } from "viem";
import { iterateLogs } from "viem/actions";
import { zkRiskLendingAbi } from "./abi.generated.js";
import { ChainReader } from "./chain-reader.js";
import { featureVector, type ChainRecord, type FeatureSpec } from "./features.js";
import { advance, loadState, rewind, saveState, type IndexedEvent, type IndexState, type PoolEventKind } from "./index-state.js";
import { chainRawFeatures, type Snapshot } from "./wallet-features.js";

export const DEFAULT_CHUNK_SIZE = 2_000;
export const DEFAULT_CONFIRMATIONS = 2;

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

export interface IndexOptions {
  /** Folder of the per-chain state files (<chainId>.json). */
  readonly stateDir: string;
  /** Blocks below the head that are left unindexed (reorg safety). */
  readonly confirmations?: number;
  /** Most blocks per eth_getLogs request. */
  readonly chunkSize?: number;
  readonly log?: (line: string) => void;
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
  readonly snapshot: Snapshot;
  /** Wallets with pool events up to the snapshot (checksummed). */
  readonly wallets: readonly Address[];
  readonly state: IndexState;
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

/** Detect a reorg below the last indexed block and rewind the state past it. */
async function rewindIfReorged(client: PublicClient, state: IndexState): Promise<ChainIndex["rewound"]> {
  if (state.lastHash === null || (await hashAt(client, state.lastBlock)) === state.lastHash) return null;
  const from = state.lastBlock;
  for (const cp of [...state.checkpoints].reverse()) {
    if (cp.block < from && (await hashAt(client, cp.block)) === cp.hash) {
      rewind(state, cp);
      return { from, to: cp.block };
    }
  }
  rewind(state, null);
  return { from, to: state.lastBlock };
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
  const [time, usd] = await Promise.all([
    reader.blockTime(block),
    c.collateral ? reader.priceAt(block).then((p) => reader.collateralUsd(c.assets, p)) : Promise.resolve(reader.loanUsd(c.assets)),
  ]);
  return { kind: c.kind, wallet: c.wallet.toLowerCase() as Address, block, logIndex: log.logIndex, tx: log.transactionHash, time, assets: c.assets.toString(), usd };
}

/**
 * Index one chain up to head - confirmations, resuming from its state file, and return the
 * snapshot (the last confirmed block) with the wallets seen. The state is saved after every
 * page.
 */
export async function indexChain(target: ChainTarget, opts: IndexOptions): Promise<ChainIndex> {
  const { client, chainId } = target;
  const confirmations = opts.confirmations ?? DEFAULT_CONFIRMATIONS;
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(confirmations) || confirmations < 0) throw new Error(`confirmations must be an integer >= 0, got ${confirmations}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunk size must be an integer >= 1, got ${chunkSize}`);
  const log = opts.log ?? (() => {});

  const rpcChainId = await client.getChainId();
  if (rpcChainId !== chainId) throw new Error(`chain ${chainId}: the RPC endpoint serves chain id ${rpcChainId}`);
  const reader = new ChainReader(chainId, client, target.lending);
  await reader.init();

  const state = loadState(opts.stateDir, chainId, target.lending, target.startBlock);
  const rewound = await rewindIfReorged(client, state);
  if (rewound) log(`chain ${chainId}: reorg below block ${rewound.from}; re-indexing from block ${rewound.to + 1}`);

  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const confirmed = head - confirmations;
  const from = state.lastBlock + 1;
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
      const hash = await hashAt(client, Number(page.toBlock));
      if (hash === null) throw new Error(`chain ${chainId}: block ${page.toBlock} disappeared while indexing (reorg); run again`);
      state.events.push(...events.sort((x, y) => x.block - y.block || x.logIndex - y.logIndex));
      advance(state, Number(page.toBlock), hash);
      saveState(opts.stateDir, state);
      newEvents += events.length;
      pages += 1;
    }
  }
  const snapshotBlock = Math.max(Math.min(confirmed, state.lastBlock), 0);
  const snapshot = { block: snapshotBlock, time: await reader.blockTime(snapshotBlock) };
  const wallets = [...new Set(state.events.filter((e) => e.block <= snapshotBlock).map((e) => e.wallet))].map((w) => getAddress(w));
  log(`chain ${chainId}: blocks ${from}..${state.lastBlock} indexed (${pages} page(s), ${newEvents} new event(s)); snapshot at block ${snapshotBlock}, ${wallets.length} wallet(s)`);
  return { chainId, from, to: state.lastBlock, newEvents, pages, rewound, snapshot, wallets, state, reader };
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

/**
 * Every wallet's (or only `only`'s) cross-chain features at the chains' snapshots. Daily
 * samples read on the way are cached in each chain's state, which is saved.
 */
export async function walletFeatures(spec: FeatureSpec, chains: readonly ChainIndex[], stateDir: string, only?: readonly Address[]): Promise<WalletFeatures[]> {
  const seen = new Set(chains.flatMap((c) => c.wallets));
  let wallets = [...seen];
  if (only && only.length) {
    const unknown = only.filter((w) => !seen.has(getAddress(w)));
    if (unknown.length) {
      const where = chains.map((c) => `${c.chainId} up to block ${c.snapshot.block}`).join(", ");
      throw new Error(`wallet ${unknown.join(", ")} has no pool events on the indexed chains (${where})`);
    }
    wallets = only.map((w) => getAddress(w));
  }
  const snapshotBlocks = Object.fromEntries(chains.map((c) => [String(c.chainId), String(c.snapshot.block)]));
  const out: WalletFeatures[] = [];
  for (const wallet of wallets) {
    const records = await Promise.all(chains.map((c) => chainRawFeatures(c.reader, spec, c.state, wallet, c.snapshot)));
    const { raw, transformed } = featureVector(spec, records);
    out.push({ wallet, records, raw, features: transformed, snapshotBlocks });
  }
  for (const c of chains) saveState(stateDir, c.state);
  return out;
}
