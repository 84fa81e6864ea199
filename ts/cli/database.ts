// The --database flag the runtime's commands share, and how they open the database.
import { relative } from "node:path";
import { openDatabase, resolveDatabaseLocation, type Database } from "../runtime/db/engine.js";
import { importedAt, LEGACY_STORE_DIR, legacyStoreSize } from "../runtime/db/import.js";
import { ROOT } from "../toolchain/paths.js";
import { str, type FlagValues } from "./flags.js";

export const DATABASE_FLAG = { database: { type: "string" } } as const;

export const DATABASE_HELP = [
  "  --database <url|dir>  the runtime's database: a postgres:// URL, or a folder for the embedded PGlite",
  "                        (default ZKRISK_DATABASE_URL, else .zkrisk/db/)",
];

/** The flags of the JSON files older versions kept, now refused with what to do instead. */
export const LEGACY_FLAGS = { store: { type: "string" }, state: { type: "string" } } as const;

export function refuseLegacyFlags(v: FlagValues): void {
  if (str(v.store) !== undefined) {
    throw new Error("--store: the private store now lives in the database (--database); import a JSON store folder once with `zkrisk db import --store <dir>`");
  }
  if (str(v.state) !== undefined) {
    throw new Error("--state: the index state now lives in the database (--database); JSON state files are not imported, `zkrisk index` re-indexes from each deployment block");
  }
}

/**
 * Open (and migrate) the database the flags name. On the default or ZKRISK_DATABASE_URL
 * database, a JSON private store left by an older version in .zkrisk/store/ must be imported
 * first: its salts open commitments already on chain.
 */
export async function openCliDatabase(v: FlagValues): Promise<Database> {
  const flag = str(v.database);
  const db = await openDatabase(resolveDatabaseLocation(flag));
  if (flag === undefined) {
    const n = legacyStoreSize(LEGACY_STORE_DIR);
    if (n > 0 && !(await importedAt(db, LEGACY_STORE_DIR))) {
      await db.close();
      throw new Error(
        `found the JSON private store of an older zkrisk in ${relative(ROOT, LEGACY_STORE_DIR)}/ (${n} record(s)): import it once with \`zkrisk db import\` before going on (its salts open commitments already on chain)`,
      );
    }
  }
  return db;
}
