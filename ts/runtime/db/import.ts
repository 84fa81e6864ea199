// JSON data of zkrisk versions before the database (`zkrisk db import`):
//   - the private store, <dir>/<wallet>/<commitment>.json (mode 0600), imported once into
//     private_records: its salts open commitments already on chain and cannot be made again;
//   - the indexer's state files, <dir>/<chainId>.json, NOT imported: their events lack the oracle
//     price and exact value the database keeps, and re-indexing rebuilds them from the chain.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { getAddress, isAddress } from "viem";
import { ROOT } from "../../toolchain/paths.js";
import { checkRecord, type StoreRecord } from "../attest/store.js";
import type { Database } from "./engine.js";
import { insertPrivateRecords, privateError } from "./private-records.js";

export const LEGACY_STORE_DIR = join(ROOT, ".zkrisk", "store");
export const LEGACY_INDEX_DIR = join(ROOT, ".zkrisk", "index");
/** Records per INSERT while importing (one transaction for the whole store). */
const BATCH = 1_000;

/** The record files of a legacy store folder: [wallet folder, file] pairs. */
function storeFiles(dir: string): { wallet: string; file: string; commitment: string }[] {
  if (!existsSync(dir)) return [];
  const out: { wallet: string; file: string; commitment: string }[] = [];
  for (const w of readdirSync(dir).sort()) {
    if (!/^0x[0-9a-f]{40}$/.test(w)) continue;
    for (const f of readdirSync(join(dir, w)).sort()) {
      const m = /^([0-9]+)\.json$/.exec(f);
      if (m) out.push({ wallet: w, file: join(dir, w, f), commitment: m[1]! });
    }
  }
  return out;
}

/** How many records a legacy store folder holds (0 when it does not exist). */
export const legacyStoreSize = (dir: string): number => storeFiles(dir).length;

/** Chain ids of the legacy index state files in a folder. */
export function legacyStateChains(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^([0-9]+)\.json$/.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** When a legacy store folder was imported into this database, or undefined. */
export async function importedAt(db: Database, dir: string): Promise<Date | undefined> {
  const [row] = await db.query<{ imported_at: Date }>("SELECT imported_at FROM legacy_imports WHERE source = $1", [resolve(dir)]);
  return row?.imported_at;
}

function readLegacyRecord(file: string, wallet: string, commitment: string): StoreRecord {
  let r: StoreRecord;
  try {
    r = JSON.parse(readFileSync(file, "utf8")) as StoreRecord;
  } catch {
    throw new Error(`import: ${file} is not a JSON store record`);
  }
  if (typeof r !== "object" || r === null || typeof r.wallet !== "string" || !isAddress(r.wallet, { strict: false })) {
    throw new Error(`import: ${file} has no wallet address`);
  }
  if (r.wallet.toLowerCase() !== wallet) throw new Error(`import: ${file} holds a record of ${r.wallet}, not of the folder's wallet`);
  if (r.commitment !== commitment) throw new Error(`import: ${file} holds another commitment than its file name`);
  const record = { ...r, wallet: getAddress(r.wallet) };
  checkRecord(record); // names the field, never its value
  return record;
}

export interface StoreImport {
  readonly source: string;
  readonly records: number;
  /** Records that were not in the database yet. */
  readonly inserted: number;
  readonly wallets: number;
}

/**
 * Import a legacy private store folder into private_records, in one transaction (idempotent: a
 * record already there is kept), and note the folder as imported.
 */
export async function importLegacyStore(db: Database, dir: string): Promise<StoreImport> {
  const source = resolve(dir);
  const files = storeFiles(source);
  if (files.length === 0) throw new Error(`import: ${source} holds no store record (<wallet>/<commitment>.json)`);
  const wallets = new Set(files.map((f) => f.wallet)).size;
  let inserted = 0;
  await db.transaction(async (tx) => {
    for (let i = 0; i < files.length; i += BATCH) {
      const batch = files.slice(i, i + BATCH).map((f) => readLegacyRecord(f.file, f.wallet, f.commitment));
      try {
        inserted += await insertPrivateRecords(tx, batch);
      } catch (e) {
        throw privateError(`cannot import the records of ${source}`, e);
      }
    }
    await tx.query(
      `INSERT INTO legacy_imports (source, kind, records) VALUES ($1, 'store', $2)
       ON CONFLICT (source) DO UPDATE SET records = EXCLUDED.records, imported_at = now()`,
      [source, files.length],
    );
  });
  return { source, records: files.length, inserted, wallets };
}

/** The one line that tells why index state files are not imported, and what to run instead. */
export function stateRefusal(dir: string, chains: readonly number[]): string {
  return (
    `index state files in ${dir} (chain${chains.length > 1 ? "s" : ""} ${chains.join(", ")}) are not imported: their events lack the oracle prices ` +
    "and exact values the database keeps. Re-index instead: `zkrisk index` reads each chain again from its deployment block into the database; then delete that folder."
  );
}
