// The private records' table (private_records): features + salt behind each commitment. These
// rows open the commitments, so nothing here puts their values in an error message or a log
// line: a failing statement is reported by its SQLSTATE code, the wallet and the commitment
// (which is public, on chain).
import { getAddress, type Address } from "viem";
import type { StoreRecord } from "../attest/store.js";
import { DatabaseError, type Sql } from "./engine.js";

/** The format version of a StoreRecord (as the JSON store wrote it, and as read back here). */
export const RECORD_VERSION = 1;

interface RecordRow extends Record<string, unknown> {
  wallet: string;
  commitment: string;
  input_scale: number;
  features: number[];
  raw_aggregate: number[];
  per_chain: StoreRecord["raw"];
  salt: number[];
  snapshot_blocks: Record<string, string>;
  created_at: Date;
}

const COLUMNS = "wallet, commitment::text AS commitment, input_scale, features, raw_aggregate, per_chain, salt, snapshot_blocks, created_at";

const toRecord = (r: RecordRow): StoreRecord => ({
  version: RECORD_VERSION,
  wallet: getAddress(r.wallet),
  features: r.features,
  rawAggregate: r.raw_aggregate,
  raw: r.per_chain,
  salt: r.salt,
  commitment: r.commitment,
  inputScale: r.input_scale,
  snapshotBlocks: r.snapshot_blocks,
  createdAt: r.created_at.toISOString(),
});

/** A database failure on private rows, told without any value of the rows. */
export function privateError(what: string, e: unknown): Error {
  const code = e instanceof DatabaseError || (typeof e === "object" && e !== null && "code" in e) ? String((e as { code?: unknown }).code ?? "") : "";
  // Data exceptions (class 22) quote the offending input: never repeat them.
  const why = code.startsWith("22") || !(e instanceof Error) ? `invalid value (SQLSTATE ${code || "?"})` : e.message.split("\n")[0];
  return new Error(`store: ${what}: ${why}`);
}

/**
 * Insert records (idempotent: a record already there for the same wallet and commitment is
 * kept as it is); how many were new.
 */
export async function insertPrivateRecords(tx: Sql, records: readonly StoreRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const rows = await tx.query<{ wallet: string }>(
    `INSERT INTO private_records (wallet, commitment, input_scale, features, raw_aggregate, per_chain, salt, snapshot_blocks, created_at)
     SELECT w, c, s, f::jsonb, r::jsonb, p::jsonb, t::jsonb, b::jsonb, a
     FROM unnest($1::text[], $2::numeric[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[]) AS x(w, c, s, f, r, p, t, b, a)
     ON CONFLICT (wallet, commitment) DO NOTHING
     RETURNING wallet`,
    [
      records.map((r) => r.wallet.toLowerCase()),
      records.map((r) => r.commitment),
      records.map((r) => r.inputScale),
      records.map((r) => JSON.stringify(r.features)),
      records.map((r) => JSON.stringify(r.rawAggregate)),
      records.map((r) => JSON.stringify(r.raw)),
      records.map((r) => JSON.stringify(r.salt)),
      records.map((r) => JSON.stringify(r.snapshotBlocks)),
      records.map((r) => r.createdAt),
    ],
  );
  return rows.length;
}

/** Records of one wallet, or of several (all when neither is given), oldest first per wallet. */
export async function selectPrivateRecords(db: Sql, filter: { wallet?: string; wallets?: readonly string[] } = {}): Promise<StoreRecord[]> {
  const list = filter.wallet !== undefined ? [filter.wallet] : filter.wallets;
  const rows = await db.query<RecordRow>(
    `SELECT ${COLUMNS} FROM private_records WHERE ($1::text[] IS NULL OR wallet = ANY($1::text[])) ORDER BY wallet, created_at, commitment`,
    [list ? list.map((w) => w.toLowerCase()) : null],
  );
  return rows.map(toRecord);
}

/** The record behind one commitment of a wallet. */
export async function selectPrivateRecord(db: Sql, wallet: string, commitment: string): Promise<StoreRecord | undefined> {
  const [row] = await db.query<RecordRow>(`SELECT ${COLUMNS} FROM private_records WHERE wallet = $1 AND commitment = $2::numeric`, [wallet.toLowerCase(), commitment]);
  return row ? toRecord(row) : undefined;
}

/** A wallet's most recent record. */
export async function selectLatestPrivateRecord(db: Sql, wallet: string): Promise<StoreRecord | undefined> {
  const [row] = await db.query<RecordRow>(`SELECT ${COLUMNS} FROM private_records WHERE wallet = $1 ORDER BY created_at DESC, commitment DESC LIMIT 1`, [
    wallet.toLowerCase(),
  ]);
  return row ? toRecord(row) : undefined;
}

/** Wallets (checksummed, ascending) with at least one record. */
export async function selectRecordWallets(db: Sql): Promise<Address[]> {
  const rows = await db.query<{ wallet: string }>("SELECT DISTINCT wallet FROM private_records ORDER BY wallet");
  return rows.map((r) => getAddress(r.wallet));
}
