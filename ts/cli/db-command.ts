// `zkrisk db <migrate|status|import>`: the runtime's database (ts/runtime/db/).
import { relative } from "node:path";
import { openDatabase, resolveDatabaseLocation, type Database } from "../runtime/db/engine.js";
import { importLegacyStore, LEGACY_INDEX_DIR, LEGACY_STORE_DIR, legacyStateChains, legacyStoreSize, stateRefusal } from "../runtime/db/import.js";
import { appliedMigrations, migrate, SCHEMA_VERSION } from "../runtime/db/migrations.js";
import { ROOT } from "../toolchain/paths.js";
import type { Command } from "./commands.js";
import { DATABASE_FLAG, DATABASE_HELP } from "./database.js";
import { str } from "./flags.js";

const SUBCOMMANDS = ["migrate", "status", "import"] as const;

/** Row counts of the tables a risk engineer looks at first. */
const COUNTED = ["pool_events", "day_blocks", "daily_risk_samples", "wallet_feature_snapshots", "private_records", "commitments_posted", "attestation_submissions", "keeper_liquidations"];

async function status(db: Database): Promise<void> {
  const applied = await appliedMigrations(db);
  console.log(`${db.engine} database at ${db.label}: schema version ${applied.at(-1)?.version ?? 0} (this zkrisk: ${SCHEMA_VERSION})`);
  const cursors = await db.query<{ chain_id: number; pool_address: string; start_block: number; last_block: number; events: number }>(
    `SELECT c.chain_id, c.pool_address, c.start_block, c.last_block, (SELECT count(*) FROM pool_events e WHERE e.chain_id = c.chain_id) AS events
     FROM index_cursors c ORDER BY c.chain_id`,
  );
  for (const c of cursors) {
    const span = c.last_block >= c.start_block ? `blocks ${c.start_block}..${c.last_block} indexed` : "nothing indexed yet";
    console.log(`  chain ${c.chain_id}: pool ${c.pool_address}, ${span}, ${c.events} event(s)`);
  }
  if (cursors.length === 0) console.log("  no chain indexed yet");
  const counts: string[] = [];
  for (const t of COUNTED) counts.push(`${t} ${(await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n}`);
  console.log(`  rows: ${counts.join(", ")}`);
}

export const dbCommand: Command = {
  summary: "The runtime's database: apply migrations, show its state, import the JSON data of older versions.",
  usage: "<migrate|status|import> [--database <url|dir>] [--store <dir>] [--state <dir>]",
  help: [
    "  migrate               apply the pending schema migrations (every command also does on start)",
    "  status                engine, location, schema version, indexed chains and row counts",
    "  import                import a JSON private store of an older version, once (index state files",
    "                        are not imported: `zkrisk index` re-indexes them from the chain)",
    ...DATABASE_HELP,
    `  --store <dir>         (import) the JSON store folder (default ${relative(ROOT, LEGACY_STORE_DIR)}/)`,
    `  --state <dir>         (import) the JSON index state folder (default ${relative(ROOT, LEGACY_INDEX_DIR)}/)`,
    "",
    "The embedded PGlite database serves one process at a time; a second one is refused. To share the",
    "data between processes or machines, use a PostgreSQL server (ZKRISK_DATABASE_URL or --database).",
  ].join("\n"),
  options: { ...DATABASE_FLAG, store: { type: "string" }, state: { type: "string" } },
  positionals: SUBCOMMANDS,
  async run(v, positionals = []) {
    const [sub, ...extra] = positionals;
    if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub) || extra.length) {
      throw new Error(`give one of ${SUBCOMMANDS.join(", ")} (see \`zkrisk db --help\`)`);
    }
    if (sub !== "import" && (str(v.store) !== undefined || str(v.state) !== undefined)) throw new Error(`--store and --state belong to \`zkrisk db import\``);
    const db = await openDatabase(resolveDatabaseLocation(str(v.database)), { migrate: false });
    try {
      const versions = await migrate(db);
      if (sub === "migrate") {
        console.log(versions.length ? `applied migration(s) ${versions.join(", ")} to ${db.label}` : `${db.label} is at schema version ${SCHEMA_VERSION}: nothing to apply`);
      } else if (sub === "status") {
        await status(db);
      } else {
        const storeDir = str(v.store) ?? LEGACY_STORE_DIR;
        const stateDir = str(v.state) ?? LEGACY_INDEX_DIR;
        const explicitStore = str(v.store) !== undefined;
        if (legacyStoreSize(storeDir) > 0) {
          const r = await importLegacyStore(db, storeDir);
          console.log(`imported ${r.inserted} new record(s) of ${r.wallets} wallet(s) from ${r.source} (${r.records - r.inserted} already there); the folder can now be moved away`);
        } else if (explicitStore) {
          throw new Error(`${storeDir} holds no store record (<wallet>/<commitment>.json)`);
        } else {
          console.log(`no JSON private store in ${storeDir}: nothing to import`);
        }
        const chains = legacyStateChains(stateDir);
        if (chains.length) console.log(stateRefusal(stateDir, chains));
      }
    } finally {
      await db.close();
    }
  },
};
