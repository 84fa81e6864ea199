// The indexer's per-chain state file: where indexing stopped (block number and hash), recent
// checkpoints to rewind to after a reorg, the wallets' pool events, and caches of values read
// at past blocks (day-boundary blocks, daily risk samples). Written atomically after each page
// of logs, so an interrupted run resumes where it stopped.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Address, Hash } from "viem";
import { writeFileAtomic } from "../pipeline/cache.js";

export const INDEX_STATE_VERSION = 1;
/** How many recent checkpoints (page ends) are kept to find a common ancestor after a reorg. */
export const MAX_CHECKPOINTS = 64;

/** A pool event of a wallet (the account whose position it changes). */
export type PoolEventKind = "supply" | "withdraw_supply" | "deposit" | "withdraw" | "borrow" | "repay" | "liquidation";

export interface IndexedEvent {
  readonly kind: PoolEventKind;
  /** Lower-case address. */
  readonly wallet: Address;
  readonly block: number;
  readonly logIndex: number;
  readonly tx: Hash;
  /** Block timestamp (seconds). */
  readonly time: number;
  /** Token amount in base units (loan token, or collateral for deposit/withdraw), decimal string. */
  readonly assets: string;
  /** USD value at the oracle price of the event's block (the loan token counts as 1 USD). */
  readonly usd: number;
}

export interface Checkpoint {
  readonly block: number;
  readonly hash: Hash;
}

/** A daily risk sample of one wallet at the 00:00 UTC block of a day. */
export interface DaySample {
  readonly block: number;
  readonly debt: boolean;
  readonly riskFactor: number;
}

export interface IndexState {
  version: number;
  chainId: number;
  lending: Address;
  startBlock: number;
  /** Last block indexed (startBlock - 1 before the first page). */
  lastBlock: number;
  lastHash: Hash | null;
  checkpoints: Checkpoint[];
  events: IndexedEvent[];
  /** Day (unix seconds / 86400) -> the last block with timestamp <= 00:00 UTC of that day. */
  dayBlocks: Record<string, number>;
  /** Wallet -> day -> sample. */
  samples: Record<string, Record<string, DaySample>>;
}

export const stateFile = (dir: string, chainId: number): string => join(dir, `${chainId}.json`);

export function freshState(chainId: number, lending: Address, startBlock: number): IndexState {
  return {
    version: INDEX_STATE_VERSION,
    chainId,
    lending: lending.toLowerCase() as Address,
    startBlock,
    lastBlock: startBlock - 1,
    lastHash: null,
    checkpoints: [],
    events: [],
    dayBlocks: {},
    samples: {},
  };
}

/**
 * The saved state of a chain, or a fresh one when there is none or it belongs to another
 * deployment (other lending address or start block) or format version.
 */
export function loadState(dir: string, chainId: number, lending: Address, startBlock: number): IndexState {
  const file = stateFile(dir, chainId);
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, "utf8")) as IndexState;
    if (s.version === INDEX_STATE_VERSION && s.chainId === chainId && s.lending === lending.toLowerCase() && s.startBlock === startBlock) return s;
  }
  return freshState(chainId, lending, startBlock);
}

export function saveState(dir: string, state: IndexState): void {
  writeFileAtomic(stateFile(dir, state.chainId), `${JSON.stringify(state)}\n`);
}

/** Record that indexing reached `block` (hash `hash`). */
export function advance(state: IndexState, block: number, hash: Hash): void {
  state.lastBlock = block;
  state.lastHash = hash;
  state.checkpoints.push({ block, hash });
  if (state.checkpoints.length > MAX_CHECKPOINTS) state.checkpoints.splice(0, state.checkpoints.length - MAX_CHECKPOINTS);
}

/**
 * Forget everything above `block` (a block still on the canonical chain): events, checkpoints,
 * and cached reads whose block may have changed (a day block equal to `block` too, since a new
 * block after it may now precede the day boundary).
 */
export function rewind(state: IndexState, to: Checkpoint | null): void {
  const block = to ? to.block : state.startBlock - 1;
  state.events = state.events.filter((e) => e.block <= block);
  state.checkpoints = state.checkpoints.filter((c) => c.block <= block);
  for (const [day, b] of Object.entries(state.dayBlocks)) if (b >= block) delete state.dayBlocks[day];
  for (const days of Object.values(state.samples)) {
    for (const [day, s] of Object.entries(days)) if (s.block >= block) delete days[day];
  }
  state.lastBlock = block;
  state.lastHash = to ? to.hash : null;
}
