// The private off-chain store the prover reads: for each wallet, every commitment the attestor
// made, with the feature vector and the salt behind it. Only the commitment goes on-chain;
// these files are the secret half (features + salt invert the commitment), so they are written
// with mode 0600 in a 0700 directory, atomically (temp file + rename), and never committed
// (.zkrisk/ is gitignored).
//
// Layout: <dir>/<wallet, lower-case>/<commitment, decimal>.json, one StoreRecord each.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAddress, type Address } from "viem";
import type { ChainRecord } from "./features.js";
import { ROOT } from "../toolchain/paths.js";

export const DEFAULT_STORE_DIR = join(ROOT, ".zkrisk", "store");
export const STORE_VERSION = 1;

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

const walletDir = (dir: string, wallet: string): string => join(dir, wallet.toLowerCase());

/** Write a private file atomically: mode 0600 from creation, then rename over the target. */
function writePrivateAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function recordPath(dir: string, wallet: string, commitment: string): string {
  return join(walletDir(dir, wallet), `${commitment}.json`);
}

export function saveRecord(dir: string, record: StoreRecord): string {
  if (!/^[0-9]+$/.test(record.commitment)) throw new Error(`store: commitment must be a decimal uint256 string, got ${record.commitment}`);
  ensurePrivateDir(dir);
  ensurePrivateDir(walletDir(dir, record.wallet));
  const path = recordPath(dir, record.wallet, record.commitment);
  writePrivateAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

function readRecord(path: string): StoreRecord {
  const r = JSON.parse(readFileSync(path, "utf8")) as StoreRecord;
  if (r.version !== STORE_VERSION) throw new Error(`store: ${path} has version ${r.version}; this code reads version ${STORE_VERSION}`);
  return r;
}

/** Every record of a wallet, oldest first. */
export function walletRecords(dir: string, wallet: string): StoreRecord[] {
  const d = walletDir(dir, wallet);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => /^[0-9]+\.json$/.test(f))
    .map((f) => readRecord(join(d, f)))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The wallet's most recent record, or undefined. */
export function latestRecord(dir: string, wallet: string): StoreRecord | undefined {
  return walletRecords(dir, wallet).at(-1);
}

/**
 * The record behind a given commitment (e.g. the one read on-chain with commitmentOf), or
 * undefined: what the prover needs to prove against that commitment.
 */
export function findRecord(dir: string, wallet: string, commitment: bigint | string): StoreRecord | undefined {
  const path = recordPath(dir, wallet, BigInt(commitment).toString());
  return existsSync(path) ? readRecord(path) : undefined;
}

/** Wallets (checksummed) that have at least one record. */
export function storedWallets(dir: string): Address[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => /^0x[0-9a-f]{40}$/.test(d))
    .map((d) => getAddress(d));
}
