// The indexer's state, as the runtime sees it. It lives in the database (ts/runtime/db/:
// index_cursors, index_checkpoints, pool_events, undecodable_logs, day_blocks, daily_risk_samples,
// protocol_risk_samples), where a page
// of events, the cursor and its checkpoint commit in one transaction and a reorg rewinds in one
// (db/index-data.ts). Earlier versions kept one JSON file per chain; `zkrisk db import` explains
// why those are re-indexed rather than imported.
import type { Address, Hash } from "viem";

export { MAX_CHECKPOINTS } from "../db/index-data.js";

/** A pool event of a wallet (the account whose position it changes). */
export type PoolEventKind = "supply" | "withdraw_supply" | "deposit" | "withdraw" | "borrow" | "repay" | "liquidation";

export interface IndexedEvent {
  /** features.json protocol id of the source (default: the page's, zkrisk). */
  readonly protocol?: string;
  /** Lower-case address of the contract that emitted it (default: the page's pool). */
  readonly pool?: Address;
  /** The market: Aave v3 reserve asset, Morpho Blue market id; null/absent for zkrisk. */
  readonly market?: string | null;
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
  /**
   * zkrisk: the oracle price at the event's block (IOracle, 36 decimals), collateral events only;
   * other protocols: the USD price of one whole token (8 decimals), null when unpriced. Decimal string.
   */
  readonly price: string | null;
  /**
   * The event's value in the chain's USD unit, zkrisk's loan-token base units (zkrisk: assets for the
   * loan token, assets * price / 1e36 for collateral; other protocols: its USD value), decimal string.
   */
  readonly value: string;
  /** USD value at the oracle price of the event's block (the loan token counts as 1 USD): value / 10^decimals. */
  readonly usd: number;
}

export interface Checkpoint {
  readonly block: number;
  readonly hash: Hash;
}
