// The private store the prover reads: for each wallet, every commitment the attestor made, with
// the feature vector and the salt behind it. Only the commitment goes on-chain; these records are
// the secret half (features + salt invert the commitment). They live in the runtime's database
// (table private_records, ts/runtime/db/), in the 0700 folder of the embedded engine or on a
// PostgreSQL server whose role only the attestor and prover hold; their values never appear in
// a log line or an error message.
//
// Every read goes to the database (the submission code reads a wallet's records when it needs
// them): nothing of the store is kept in this process beyond the records a caller holds.
import type { Address } from "viem";
import type { Database } from "../db/engine.js";
import {
  insertPrivateRecords,
  privateError,
  RECORD_VERSION,
  selectLatestPrivateRecord,
  selectPrivateRecord,
  selectPrivateRecords,
  selectRecordWallets,
} from "../db/private-records.js";
import type { ChainRecord } from "../indexer/features.js";

export const STORE_VERSION = RECORD_VERSION;

export interface StoreRecord {
  readonly version: number;
  /** Checksummed address. */
  readonly wallet: Address;
  /** The model's input features (transformed, features.json order), without the salt. */
  readonly features: readonly number[];
  /** The aggregated raw vector the features were transformed from. */
  readonly rawAggregate: readonly number[];
  /** The per-chain raw records behind it. */
  readonly raw: readonly ChainRecord[];
  /** The salt appended to the features (features.json "salt"). */
  readonly salt: readonly number[];
  /** inputCommitment(saltedInput(features, salt), inputScale) as a decimal uint256 string. */
  readonly commitment: string;
  /** The circuit input scale the commitment was computed at. */
  readonly inputScale: number;
  /** Block each chain was indexed up to, by chain id. */
  readonly snapshotBlocks: Readonly<Record<string, string>>;
  /** ISO time the record was written. */
  readonly createdAt: string;
}

const short = (commitment: string): string => `${commitment.slice(0, 12)}…`;

/** Check a record's shape before it is written (the message names fields, never their values). */
export function checkRecord(record: StoreRecord): void {
  if (!/^[0-9]+$/.test(record.commitment)) throw new Error(`store: commitment must be a decimal uint256 string, got ${record.commitment}`);
  if (record.version !== STORE_VERSION) throw new Error(`store: record of ${record.wallet} has version ${record.version}; this code writes version ${STORE_VERSION}`);
  const numbers = (xs: readonly unknown[]) => Array.isArray(xs) && xs.every((x) => typeof x === "number" && Number.isFinite(x));
  for (const [name, xs] of [["features", record.features], ["rawAggregate", record.rawAggregate], ["salt", record.salt]] as const) {
    if (!numbers(xs)) throw new Error(`store: record of ${record.wallet} (commitment ${short(record.commitment)}): ${name} must be a list of finite numbers`);
  }
  if (Number.isNaN(Date.parse(record.createdAt))) throw new Error(`store: record of ${record.wallet}: createdAt is not an ISO time`);
}

/** Write a record (idempotent for the same wallet and commitment). */
export async function saveRecord(db: Database, record: StoreRecord): Promise<void> {
  checkRecord(record);
  try {
    await insertPrivateRecords(db, [record]);
  } catch (e) {
    throw privateError(`cannot save the record of ${record.wallet} (commitment ${short(record.commitment)})`, e);
  }
}

async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw privateError(what, e);
  }
}

/** Every record of a wallet, oldest first. */
export const recordsOf = (db: Database, wallet: string): Promise<StoreRecord[]> => guarded(`cannot read the records of ${wallet}`, () => selectPrivateRecords(db, { wallet }));

/** The wallet's most recent record, or undefined. */
export const latestRecordOf = (db: Database, wallet: string): Promise<StoreRecord | undefined> =>
  guarded(`cannot read the records of ${wallet}`, () => selectLatestPrivateRecord(db, wallet));

/** The record behind a given commitment (e.g. the one read on-chain with commitmentOf), or undefined. */
export const recordFor = (db: Database, wallet: string, commitment: bigint | string): Promise<StoreRecord | undefined> =>
  guarded(`cannot read the records of ${wallet}`, () => selectPrivateRecord(db, wallet, BigInt(commitment).toString()));

/** Wallets (checksummed, ascending) that have at least one record. */
export const storedWallets = (db: Database): Promise<Address[]> => guarded("cannot list the stored wallets", () => selectRecordWallets(db));
