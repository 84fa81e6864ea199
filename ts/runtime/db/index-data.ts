// The indexer's tables (schema in migrations.ts): per-chain cursor and checkpoints, pool events
// of every indexed protocol (and the logs that did not decode), the day blocks and daily risk
// samples read at past blocks, and the wallets' feature snapshots.
// The units of progress are transactions: a page of events commits with its cursor and
// checkpoint (commitPage), a reorg rewinds in one (rewindChain), and a page of wallets' reads
// commits at once (saveReads), so a process killed at any moment leaves a state a restart
// resumes from.
import type { Address, Hash } from "viem";
import type { Checkpoint, IndexedEvent, PoolEventKind } from "../indexer/index-state.js";
import type { Database, Sql } from "./engine.js";

/** How many recent checkpoints (page ends) are kept to find a common ancestor after a reorg. */
export const MAX_CHECKPOINTS = 64;
/** Rows per INSERT statement (column arrays through unnest: one statement, any row count). */
export const INSERT_BATCH = 5_000;

export interface Cursor {
  readonly chainId: number;
  /** Lower-case pool address. */
  readonly pool: Address;
  readonly startBlock: number;
  /** Last block indexed (startBlock - 1 before the first page). */
  readonly lastBlock: number;
  readonly lastHash: Hash | null;
  /** The sources indexed (sourcesKey): a different set re-indexes the chain. */
  readonly sources: string;
}

/** A log of an indexed contract, with an indexed event's signature, that did not decode. */
export interface UndecodableLog {
  readonly protocol: string;
  readonly pool: Address;
  readonly block: number;
  readonly logIndex: number;
  readonly tx: Hash;
  readonly topic0: Hash | null;
  readonly reason: string;
}

/** What a cursor covers: '<protocol>:<address>@<start block>' per source, sorted. */
export const sourcesKey = (sources: readonly { readonly protocol: string; readonly address: Address; readonly startBlock: number }[]): string =>
  sources
    .map((s) => `${s.protocol}:${s.address.toLowerCase()}@${s.startBlock}`)
    .sort()
    .join(",");

interface CursorRow extends Record<string, unknown> {
  chain_id: number;
  pool_address: string;
  start_block: number;
  last_block: number;
  last_block_hash: string | null;
  sources: string;
}

const toCursor = (r: CursorRow): Cursor => ({
  chainId: r.chain_id,
  pool: r.pool_address as Address,
  startBlock: r.start_block,
  lastBlock: r.last_block,
  lastHash: r.last_block_hash as Hash | null,
  sources: r.sources,
});

/** Every table row of a chain's index, cursor included. */
async function deleteChain(tx: Sql, chainId: number): Promise<void> {
  for (const table of ["pool_events", "undecodable_logs", "index_checkpoints", "day_blocks", "daily_risk_samples", "protocol_risk_samples", "index_cursors"]) {
    await tx.query(`DELETE FROM ${table} WHERE chain_id = $1`, [chainId]);
  }
}

/**
 * The chain's cursor, created when there is none. A cursor of another deployment (other pool
 * address, start block or set of sources) is dropped with everything indexed for it: `reset`
 * says so. `sources` defaults to the zkrisk pool alone; `startBlock` is the lowest source's.
 */
export async function openCursor(
  db: Database,
  chainId: number,
  pool: Address,
  startBlock: number,
  sources: string = sourcesKey([{ protocol: "zkrisk", address: pool, startBlock }]),
): Promise<{ cursor: Cursor; reset: boolean }> {
  const address = pool.toLowerCase();
  return db.transaction(async (tx) => {
    const [row] = await tx.query<CursorRow>("SELECT * FROM index_cursors WHERE chain_id = $1 FOR UPDATE", [chainId]);
    if (row && row.pool_address === address && row.start_block === startBlock && row.sources === sources) return { cursor: toCursor(row), reset: false };
    if (row) await deleteChain(tx, chainId);
    const [fresh] = await tx.query<CursorRow>(
      "INSERT INTO index_cursors (chain_id, pool_address, start_block, last_block, last_block_hash, sources) VALUES ($1, $2, $3, $4, NULL, $5) RETURNING *",
      [chainId, address, startBlock, startBlock - 1, sources],
    );
    return { cursor: toCursor(fresh!), reset: row !== undefined };
  });
}

export async function readCursor(db: Sql, chainId: number): Promise<Cursor | undefined> {
  const [row] = await db.query<CursorRow>("SELECT * FROM index_cursors WHERE chain_id = $1", [chainId]);
  return row ? toCursor(row) : undefined;
}

/** The chain's checkpoints, newest first. */
export async function checkpoints(db: Sql, chainId: number): Promise<Checkpoint[]> {
  const rows = await db.query<{ block_number: number; block_hash: string }>(
    "SELECT block_number, block_hash FROM index_checkpoints WHERE chain_id = $1 ORDER BY block_number DESC",
    [chainId],
  );
  return rows.map((r) => ({ block: r.block_number, hash: r.block_hash as Hash }));
}

/**
 * Insert pool events (idempotent: an event already there is left as it is). An event without its
 * own protocol or pool gets `protocol` and `pool`.
 */
export async function insertEvents(tx: Sql, chainId: number, pool: Address, protocol: string, events: readonly IndexedEvent[]): Promise<void> {
  const defaultPool = pool.toLowerCase();
  for (let i = 0; i < events.length; i += INSERT_BATCH) {
    const batch = events.slice(i, i + INSERT_BATCH);
    const mixed = batch.some((e) => (e.protocol !== undefined && e.protocol !== protocol) || (e.pool !== undefined && e.pool.toLowerCase() !== defaultPool) || e.market != null);
    // A page of one pool's events (the common case) binds protocol and pool once; a mixed one per row.
    await tx.query(
      `INSERT INTO pool_events (chain_id, block_number, log_index, tx_hash, block_timestamp, protocol, pool_address, market, kind, wallet, assets, oracle_price, value_loan_units, usd)
       SELECT $1, e.b, e.l, e.t, e.ts, ${mixed ? "e.pr, e.po, e.mk" : "$2::text, $3::text, NULL"}, e.k, e.w, e.a, e.p, e.v, e.u
       FROM unnest($4::bigint[], $5::integer[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::float8[]${mixed ? ", $2::text[], $3::text[], $14::text[]" : ""})
         AS e(b, l, t, ts, k, w, a, p, v, u${mixed ? ", pr, po, mk" : ""})
       ON CONFLICT (chain_id, block_number, log_index) DO NOTHING`,
      [
        chainId,
        mixed ? batch.map((e) => e.protocol ?? protocol) : protocol,
        mixed ? batch.map((e) => (e.pool ?? defaultPool).toLowerCase()) : defaultPool,
        batch.map((e) => e.block),
        batch.map((e) => e.logIndex),
        batch.map((e) => e.tx.toLowerCase()),
        batch.map((e) => e.time),
        batch.map((e) => e.kind),
        batch.map((e) => e.wallet.toLowerCase()),
        batch.map((e) => e.assets),
        batch.map((e) => e.price),
        batch.map((e) => e.value),
        batch.map((e) => e.usd),
        ...(mixed ? [batch.map((e) => e.market ?? null)] : []),
      ],
    );
  }
}

/** Record logs that did not decode (idempotent). */
export async function insertUndecodable(tx: Sql, chainId: number, logs: readonly UndecodableLog[]): Promise<void> {
  if (logs.length === 0) return;
  await tx.query(
    `INSERT INTO undecodable_logs (chain_id, block_number, log_index, tx_hash, protocol, pool_address, topic0, reason)
     SELECT $1, b, l, t, pr, po, t0, r FROM unnest($2::bigint[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x(b, l, t, pr, po, t0, r)
     ON CONFLICT (chain_id, block_number, log_index) DO NOTHING`,
    [
      chainId,
      logs.map((x) => x.block),
      logs.map((x) => x.logIndex),
      logs.map((x) => x.tx.toLowerCase()),
      logs.map((x) => x.protocol),
      logs.map((x) => x.pool.toLowerCase()),
      logs.map((x) => x.topic0?.toLowerCase() ?? null),
      logs.map((x) => x.reason),
    ],
  );
}

/** A chain's undecodable logs per protocol (up to a block when given). */
export async function undecodableCounts(db: Sql, chainId: number, upTo?: number): Promise<Record<string, number>> {
  const rows = await db.query<{ protocol: string; n: number }>(
    "SELECT protocol, count(*)::integer AS n FROM undecodable_logs WHERE chain_id = $1 AND ($2::bigint IS NULL OR block_number <= $2) GROUP BY protocol ORDER BY protocol",
    [chainId, upTo ?? null],
  );
  return Object.fromEntries(rows.map((r) => [r.protocol, r.n]));
}

export class IndexMovedError extends Error {
  override name = "IndexMovedError";
}

export interface Page {
  readonly cursor: Cursor;
  /** The page's events (any order). */
  readonly events: readonly IndexedEvent[];
  /** The page's last block and its hash: the new cursor and checkpoint. */
  readonly to: Checkpoint;
  /** Protocol of the events that name none (the pool's). */
  readonly protocol: string;
  /** The page's logs that did not decode. */
  readonly undecodable?: readonly UndecodableLog[];
}

/**
 * Commit one page: its events, the cursor moved to its last block and that block's checkpoint
 * (older ones beyond MAX_CHECKPOINTS dropped), in one transaction. Refused when the cursor is no
 * longer where this run found it (another indexer on the same database moved it). `inTransaction`
 * runs last inside the transaction (tests kill the process there).
 */
export async function commitPage(db: Database, page: Page, inTransaction?: (tx: Sql) => Promise<void> | void): Promise<Cursor> {
  const { cursor, to } = page;
  return db.transaction(async (tx) => {
    const moved = await tx.query<CursorRow>(
      `UPDATE index_cursors SET last_block = $2, last_block_hash = $3, updated_at = now()
       WHERE chain_id = $1 AND last_block = $4 AND pool_address = $5 AND start_block = $6 RETURNING *`,
      [cursor.chainId, to.block, to.hash.toLowerCase(), cursor.lastBlock, cursor.pool, cursor.startBlock],
    );
    if (moved.length !== 1) {
      throw new IndexMovedError(`chain ${cursor.chainId}: the index moved while this run was at block ${cursor.lastBlock} (another indexer on the same database?); run again`);
    }
    await insertEvents(tx, cursor.chainId, cursor.pool, page.protocol, page.events);
    await insertUndecodable(tx, cursor.chainId, page.undecodable ?? []);
    await tx.query(
      "INSERT INTO index_checkpoints (chain_id, block_number, block_hash) VALUES ($1, $2, $3) ON CONFLICT (chain_id, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash",
      [cursor.chainId, to.block, to.hash.toLowerCase()],
    );
    await tx.query(
      `DELETE FROM index_checkpoints WHERE chain_id = $1 AND block_number <
         (SELECT block_number FROM index_checkpoints WHERE chain_id = $1 ORDER BY block_number DESC OFFSET $2 LIMIT 1)`,
      [cursor.chainId, MAX_CHECKPOINTS - 1],
    );
    await inTransaction?.(tx);
    return toCursor(moved[0]!);
  });
}

/**
 * Rewind a chain to `to` (a block still on the canonical chain; null: to before the start
 * block), in one transaction: events and checkpoints above it, and cached reads at or above it
 * (a day block equal to it may move: a new block after it may precede the day boundary).
 */
export async function rewindChain(db: Database, cursor: Cursor, to: Checkpoint | null): Promise<Cursor> {
  const block = to ? to.block : cursor.startBlock - 1;
  return db.transaction(async (tx) => {
    // The cursor first: it locks the chain's row, and refuses if another indexer moved it meanwhile.
    const [row] = await tx.query<CursorRow>(
      `UPDATE index_cursors SET last_block = $2, last_block_hash = $3, updated_at = now()
       WHERE chain_id = $1 AND last_block = $4 AND pool_address = $5 AND start_block = $6 RETURNING *`,
      [cursor.chainId, block, to ? to.hash.toLowerCase() : null, cursor.lastBlock, cursor.pool, cursor.startBlock],
    );
    if (!row) throw new IndexMovedError(`chain ${cursor.chainId}: the index moved while this run was rewinding from block ${cursor.lastBlock} (another indexer on the same database?); run again`);
    await tx.query("DELETE FROM pool_events WHERE chain_id = $1 AND block_number > $2", [cursor.chainId, block]);
    await tx.query("DELETE FROM undecodable_logs WHERE chain_id = $1 AND block_number > $2", [cursor.chainId, block]);
    await tx.query("DELETE FROM index_checkpoints WHERE chain_id = $1 AND block_number > $2", [cursor.chainId, block]);
    await tx.query("DELETE FROM day_blocks WHERE chain_id = $1 AND block_number >= $2", [cursor.chainId, block]);
    await tx.query("DELETE FROM daily_risk_samples WHERE chain_id = $1 AND block_number >= $2", [cursor.chainId, block]);
    await tx.query("DELETE FROM protocol_risk_samples WHERE chain_id = $1 AND block_number >= $2", [cursor.chainId, block]);
    return toCursor(row);
  });
}

interface EventRow extends Record<string, unknown> {
  protocol: string;
  pool_address: string;
  market: string | null;
  kind: PoolEventKind;
  wallet: string;
  block_number: number;
  log_index: number;
  tx_hash: string;
  block_timestamp: number;
  assets: string;
  oracle_price: string | null;
  value_loan_units: string;
  usd: number;
}

/** A chain's events in chain order, optionally of one wallet and up to a block. */
export async function chainEvents(db: Sql, chainId: number, opts: { wallet?: Address; upTo?: number } = {}): Promise<IndexedEvent[]> {
  const rows = await db.query<EventRow>(
    `SELECT protocol, pool_address, market, kind, wallet, block_number, log_index, tx_hash, block_timestamp, assets::text AS assets, oracle_price::text AS oracle_price,
            value_loan_units::text AS value_loan_units, usd
     FROM pool_events WHERE chain_id = $1 AND ($2::text IS NULL OR wallet = $2) AND ($3::bigint IS NULL OR block_number <= $3)
     ORDER BY block_number, log_index`,
    [chainId, opts.wallet?.toLowerCase() ?? null, opts.upTo ?? null],
  );
  return rows.map((r) => ({
    protocol: r.protocol,
    pool: r.pool_address as Address,
    market: r.market,
    kind: r.kind,
    wallet: r.wallet as Address,
    block: r.block_number,
    logIndex: r.log_index,
    tx: r.tx_hash as Hash,
    time: r.block_timestamp,
    assets: r.assets,
    price: r.oracle_price,
    value: r.value_loan_units,
    usd: r.usd,
  }));
}

export async function countEvents(db: Sql, chainId: number): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*) AS n FROM pool_events WHERE chain_id = $1", [chainId]);
  return row?.n ?? 0;
}

export interface ChainSnapshotRef {
  readonly chainId: number;
  readonly block: number;
}

/**
 * Wallets (lower-case, ascending) with a pool event at or below each chain's snapshot block;
 * only those of `among` when given.
 */
export async function walletsUpTo(db: Sql, snapshots: readonly ChainSnapshotRef[], among?: readonly string[]): Promise<Address[]> {
  const rows = await db.query<{ wallet: string }>(
    `SELECT DISTINCT e.wallet FROM pool_events e
     JOIN unnest($1::integer[], $2::bigint[]) AS s(chain_id, block_number) ON e.chain_id = s.chain_id AND e.block_number <= s.block_number
     WHERE $3::text[] IS NULL OR e.wallet = ANY($3::text[])
     ORDER BY e.wallet`,
    [snapshots.map((s) => s.chainId), snapshots.map((s) => s.block), among ? among.map((w) => w.toLowerCase()) : null],
  );
  return rows.map((r) => r.wallet as Address);
}

/** A wallet's events on one chain up to a snapshot, reduced to what its features need. */
export interface EventAggregate {
  readonly firstBlock: number;
  readonly firstTime: number;
  /** Block of its first borrow, or null. */
  readonly firstBorrowBlock: number | null;
  readonly counts: Readonly<Record<"borrow" | "repay" | "deposit" | "withdraw" | "liquidation", number>>;
  /** Summed value in loan-token base units (exact). */
  readonly values: Readonly<Record<"borrow" | "repay" | "deposit" | "withdraw", bigint>>;
  /** Timestamp of its last liquidation, or null. */
  readonly lastLiquidationTime: number | null;
  /** True when some of these events are of another protocol than zkrisk (walletMarkets lists them). */
  readonly otherProtocols: boolean;
}

interface AggregateRow extends Record<string, unknown> {
  wallet: string;
  first_block: number;
  first_time: number;
  first_borrow_block: number | null;
  borrow_count: number;
  repay_count: number;
  deposit_count: number;
  withdraw_count: number;
  liquidation_count: number;
  borrow_value: string;
  repay_value: string;
  deposit_value: string;
  withdraw_value: string;
  last_liquidation_time: number | null;
  other_protocols: boolean;
}

/**
 * Which wallets a query reads (lower-case): a list, or, for a slice of walletsUpTo's ascending
 * list, `contiguous` (read as the range from its first to its last wallet: one index range scan,
 * several times faster; rows of other wallets in the range are dropped).
 */
export interface WalletPage {
  readonly wallets: readonly string[];
  readonly contiguous?: boolean;
}

function walletFilter(page: WalletPage, first: number): { sql: string; params: unknown[] } {
  if (page.contiguous && page.wallets.length > 0) return { sql: `wallet >= $${first} AND wallet <= $${first + 1}`, params: [page.wallets[0], page.wallets.at(-1)] };
  return { sql: `wallet = ANY($${first}::text[])`, params: [page.wallets.map((w) => w.toLowerCase())] };
}

/** Per-wallet aggregates of one chain's events up to a block, for a page of wallets. */
export async function eventAggregates(db: Sql, chainId: number, upTo: number, page: WalletPage): Promise<Map<string, EventAggregate>> {
  const filter = walletFilter(page, 3);
  const wanted = new Set(page.wallets.map((w) => w.toLowerCase()));
  const rows = await db.query<AggregateRow>(
    `SELECT wallet,
       min(block_number) AS first_block,
       min(block_timestamp) AS first_time,
       min(block_number) FILTER (WHERE kind = 'borrow') AS first_borrow_block,
       count(*) FILTER (WHERE kind = 'borrow') AS borrow_count,
       count(*) FILTER (WHERE kind = 'repay') AS repay_count,
       count(*) FILTER (WHERE kind = 'deposit') AS deposit_count,
       count(*) FILTER (WHERE kind = 'withdraw') AS withdraw_count,
       count(*) FILTER (WHERE kind = 'liquidation') AS liquidation_count,
       coalesce(sum(value_loan_units) FILTER (WHERE kind = 'borrow'), 0)::text AS borrow_value,
       coalesce(sum(value_loan_units) FILTER (WHERE kind = 'repay'), 0)::text AS repay_value,
       coalesce(sum(value_loan_units) FILTER (WHERE kind = 'deposit'), 0)::text AS deposit_value,
       coalesce(sum(value_loan_units) FILTER (WHERE kind = 'withdraw'), 0)::text AS withdraw_value,
       max(block_timestamp) FILTER (WHERE kind = 'liquidation') AS last_liquidation_time,
       bool_or(protocol <> 'zkrisk') AS other_protocols
     FROM pool_events
     WHERE chain_id = $1 AND block_number <= $2 AND ${filter.sql}
     GROUP BY wallet`,
    [chainId, upTo, ...filter.params],
  );
  return new Map(
    rows.filter((r) => wanted.has(r.wallet)).map((r) => [
      r.wallet,
      {
        firstBlock: r.first_block,
        firstTime: r.first_time,
        firstBorrowBlock: r.first_borrow_block,
        counts: { borrow: r.borrow_count, repay: r.repay_count, deposit: r.deposit_count, withdraw: r.withdraw_count, liquidation: r.liquidation_count },
        values: { borrow: BigInt(r.borrow_value), repay: BigInt(r.repay_value), deposit: BigInt(r.deposit_value), withdraw: BigInt(r.withdraw_value) },
        lastLiquidationTime: r.last_liquidation_time,
        otherProtocols: r.other_protocols,
      },
    ]),
  );
}

/** A market a wallet has events in, up to a snapshot: what its positions are read from. */
export interface WalletMarket {
  readonly protocol: string;
  /** Lower-case address of the contract. */
  readonly pool: Address;
  /** The market (null for zkrisk). */
  readonly market: string | null;
  /** Block of the wallet's first borrow there, or null. */
  readonly firstBorrowBlock: number | null;
}

/** Wallet (lower-case) -> its markets on one chain up to a block (for wallets with events of other protocols than zkrisk). */
export async function walletMarkets(db: Sql, chainId: number, upTo: number, wallets: readonly string[]): Promise<Map<string, WalletMarket[]>> {
  const out = new Map<string, WalletMarket[]>();
  if (wallets.length === 0) return out;
  const rows = await db.query<{ wallet: string; protocol: string; pool_address: string; market: string | null; first_borrow_block: number | null }>(
    `SELECT wallet, protocol, pool_address, market, min(block_number) FILTER (WHERE kind = 'borrow') AS first_borrow_block
     FROM pool_events WHERE chain_id = $1 AND block_number <= $2 AND wallet = ANY($3::text[])
     GROUP BY wallet, protocol, pool_address, market ORDER BY wallet, protocol, pool_address, market`,
    [chainId, upTo, wallets.map((w) => w.toLowerCase())],
  );
  for (const r of rows) {
    let list = out.get(r.wallet);
    if (!list) out.set(r.wallet, (list = []));
    list.push({ protocol: r.protocol, pool: r.pool_address as Address, market: r.market, firstBorrowBlock: r.first_borrow_block });
  }
  return out;
}

/** One position's value at a block, as a source reads it (a protocol sample holds one per market). */
export interface PositionValue {
  readonly debtUsd: number;
  readonly collateralUsd: number;
  /** The position's own liquidation threshold (Aave's weighted one, Morpho's LLTV); null: features.json's. */
  readonly liquidationThreshold: number | null;
}

/** A wallet's positions in one protocol (not zkrisk) at a day block. */
export interface ProtocolSample {
  readonly wallet: string;
  readonly day: number;
  readonly protocol: string;
  readonly block: number;
  readonly positions: readonly PositionValue[];
}

/** Wallet (lower-case) -> "day:protocol" -> sample, for wallets of a chain. */
export async function protocolSamplesOf(db: Sql, chainId: number, wallets: readonly string[]): Promise<Map<string, Map<string, ProtocolSample>>> {
  const out = new Map<string, Map<string, ProtocolSample>>();
  if (wallets.length === 0) return out;
  const rows = await db.query<{ wallet: string; day: number; protocol: string; block_number: number; positions: PositionValue[] | string }>(
    "SELECT wallet, day, protocol, block_number, positions FROM protocol_risk_samples WHERE chain_id = $1 AND wallet = ANY($2::text[])",
    [chainId, wallets.map((w) => w.toLowerCase())],
  );
  for (const r of rows) {
    let m = out.get(r.wallet);
    if (!m) out.set(r.wallet, (m = new Map()));
    const positions = typeof r.positions === "string" ? (JSON.parse(r.positions) as PositionValue[]) : r.positions;
    m.set(`${r.day}:${r.protocol}`, { wallet: r.wallet, day: r.day, protocol: r.protocol, block: r.block_number, positions });
  }
  return out;
}

/** Day -> day block of a chain. */
export async function dayBlocks(db: Sql, chainId: number): Promise<Map<number, number>> {
  const rows = await db.query<{ day: number; block_number: number }>("SELECT day, block_number FROM day_blocks WHERE chain_id = $1", [chainId]);
  return new Map(rows.map((r) => [r.day, r.block_number]));
}

/** A position and price read at a day block. */
export interface StoredSample {
  readonly wallet: string;
  readonly day: number;
  readonly block: number;
  readonly collateral: bigint;
  readonly debt: bigint;
  readonly price: bigint;
}

/** Wallet (lower-case) -> day -> sample, for a page of wallets of a chain. */
export async function samplesOf(db: Sql, chainId: number, page: WalletPage): Promise<Map<string, Map<number, StoredSample>>> {
  const filter = walletFilter(page, 2);
  const wanted = new Set(page.wallets.map((w) => w.toLowerCase()));
  const rows = await db.query<{ wallet: string; day: number; block_number: number; collateral: string; debt: string; oracle_price: string }>(
    `SELECT wallet, day, block_number, collateral::text AS collateral, debt::text AS debt, oracle_price::text AS oracle_price
     FROM daily_risk_samples WHERE chain_id = $1 AND ${filter.sql}`,
    [chainId, ...filter.params],
  );
  const out = new Map<string, Map<number, StoredSample>>();
  for (const r of rows) {
    if (!wanted.has(r.wallet)) continue;
    let days = out.get(r.wallet);
    if (!days) out.set(r.wallet, (days = new Map()));
    days.set(r.day, { wallet: r.wallet, day: r.day, block: r.block_number, collateral: BigInt(r.collateral), debt: BigInt(r.debt), price: BigInt(r.oracle_price) });
  }
  return out;
}

/** One wallet's feature vector at a set of chain snapshots. */
export interface FeatureSnapshotRow {
  readonly wallet: string;
  readonly snapshotBlocks: Readonly<Record<string, string>>;
  readonly perChain: unknown;
  readonly raw: readonly number[];
  readonly features: readonly number[];
}

export const snapshotKey = (blocks: Readonly<Record<string, string>>): string =>
  Object.entries(blocks)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([c, b]) => `${c}:${b}`)
    .join(",");

/** Reads made while computing a page of wallets' features, per chain. */
export interface ChainReads {
  readonly chainId: number;
  readonly dayBlocks: readonly (readonly [day: number, block: number])[];
  readonly samples: readonly StoredSample[];
  /** Samples of other protocols than zkrisk. */
  readonly protocolSamples?: readonly ProtocolSample[];
}

/**
 * Save, in one transaction, the reads made for a page of wallets (day blocks and samples, upserted)
 * and their feature snapshots.
 */
export async function saveReads(db: Database, reads: readonly ChainReads[], snapshots: readonly FeatureSnapshotRow[], inTransaction?: (tx: Sql) => Promise<void> | void): Promise<void> {
  await db.transaction(async (tx) => {
    for (const r of reads) {
      for (let i = 0; i < r.dayBlocks.length; i += INSERT_BATCH) {
        const b = r.dayBlocks.slice(i, i + INSERT_BATCH);
        await tx.query(
          `INSERT INTO day_blocks (chain_id, day, block_number) SELECT $1, d, b FROM unnest($2::integer[], $3::bigint[]) AS x(d, b)
           ON CONFLICT (chain_id, day) DO UPDATE SET block_number = EXCLUDED.block_number`,
          [r.chainId, b.map((x) => x[0]), b.map((x) => x[1])],
        );
      }
      for (let i = 0; i < r.samples.length; i += INSERT_BATCH) {
        const s = r.samples.slice(i, i + INSERT_BATCH);
        await tx.query(
          `INSERT INTO daily_risk_samples (chain_id, wallet, day, block_number, collateral, debt, oracle_price)
           SELECT $1, w, d, b, c, e, p FROM unnest($2::text[], $3::integer[], $4::bigint[], $5::numeric[], $6::numeric[], $7::numeric[]) AS x(w, d, b, c, e, p)
           ON CONFLICT (chain_id, wallet, day) DO UPDATE SET block_number = EXCLUDED.block_number, collateral = EXCLUDED.collateral,
             debt = EXCLUDED.debt, oracle_price = EXCLUDED.oracle_price`,
          [r.chainId, s.map((x) => x.wallet), s.map((x) => x.day), s.map((x) => x.block), s.map((x) => x.collateral.toString()), s.map((x) => x.debt.toString()), s.map((x) => x.price.toString())],
        );
      }
      const ps = r.protocolSamples ?? [];
      for (let i = 0; i < ps.length; i += INSERT_BATCH) {
        const s = ps.slice(i, i + INSERT_BATCH);
        await tx.query(
          `INSERT INTO protocol_risk_samples (chain_id, wallet, day, protocol, block_number, positions)
           SELECT $1, w, d, p, b, j::jsonb FROM unnest($2::text[], $3::integer[], $4::text[], $5::bigint[], $6::text[]) AS x(w, d, p, b, j)
           ON CONFLICT (chain_id, wallet, day, protocol) DO UPDATE SET block_number = EXCLUDED.block_number, positions = EXCLUDED.positions`,
          [r.chainId, s.map((x) => x.wallet), s.map((x) => x.day), s.map((x) => x.protocol), s.map((x) => x.block), s.map((x) => JSON.stringify(x.positions))],
        );
      }
    }
    for (let i = 0; i < snapshots.length; i += INSERT_BATCH) {
      const s = snapshots.slice(i, i + INSERT_BATCH);
      await tx.query(
        `INSERT INTO wallet_feature_snapshots (wallet, snapshot_key, snapshot_blocks, per_chain, raw_aggregate, features)
         SELECT w, k, b::jsonb, c::jsonb, r::jsonb, f::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(w, k, b, c, r, f)
         ON CONFLICT (wallet, snapshot_key) DO UPDATE SET per_chain = EXCLUDED.per_chain, raw_aggregate = EXCLUDED.raw_aggregate,
           features = EXCLUDED.features, computed_at = now()`,
        [
          s.map((x) => x.wallet.toLowerCase()),
          s.map((x) => snapshotKey(x.snapshotBlocks)),
          s.map((x) => JSON.stringify(x.snapshotBlocks)),
          s.map((x) => JSON.stringify(x.perChain)),
          s.map((x) => JSON.stringify(x.raw)),
          s.map((x) => JSON.stringify(x.features)),
        ],
      );
    }
    await inTransaction?.(tx);
  });
}
