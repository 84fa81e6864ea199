// The runtime's database: one SQL schema (migrations.ts) on one of two engines behind one small
// interface.
//   - PGlite (@electric-sql/pglite: Postgres compiled to WebAssembly, in process), the default,
//     in a folder (.zkrisk/db/, mode 0700: the private records live there). One process at a
//     time: a lock file refuses a second one (lock.ts).
//   - PostgreSQL (node-postgres `pg`), for production, where several processes and machines
//     share the data: ZKRISK_DATABASE_URL or --database postgres://...
// Every query is plain SQL with $1.. parameters, run through `query` (rows) or `exec` (a script
// of several statements, no parameters); `transaction` commits what its callback did or rolls it
// all back. Values: int8 columns come back as JS numbers (refused beyond 2^53), numeric as decimal
// strings (uint256 never goes through a float), jsonb parsed, timestamptz as Date. Errors carry the
// server's one-line message and SQLSTATE code, never the statement's parameters.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { ROOT } from "../../toolchain/paths.js";
import { acquireDirLock, type DirLock } from "./lock.js";
import { migrate } from "./migrations.js";

export const DEFAULT_DATABASE_DIR = join(ROOT, ".zkrisk", "db");
/** The environment variable naming the production database. */
export const DATABASE_URL_ENV = "ZKRISK_DATABASE_URL";

export type Engine = "pglite" | "postgres";
export type Row = Record<string, unknown>;

/** What runs SQL: the database itself, or one transaction of it. */
export interface Sql {
  /** One statement with $1.. parameters; its rows. */
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of statements without parameters. */
  exec(script: string): Promise<void>;
}

export interface Database extends Sql {
  readonly engine: Engine;
  /** Where the data is, without secrets: the PGlite folder, or postgres://user@host:port/db. */
  readonly label: string;
  /**
   * Run `fn` in one transaction: committed when it resolves, rolled back when it throws. On
   * PGlite other queries wait until it ends, so `fn` must use `tx`, never the database.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A database error: the server's message and SQLSTATE code, and nothing of the parameters. */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const INT8 = 20;
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new DatabaseError(`an int8 value (${text}) does not fit a JS number`, undefined);
  return n;
}

function sanitize(label: string, e: unknown): DatabaseError {
  if (e instanceof DatabaseError) return e;
  const err = e as { message?: unknown; code?: unknown };
  const first = String(err.message ?? e).split("\n")[0];
  const code = typeof err.code === "string" ? err.code : undefined;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "EHOSTUNREACH") {
    return new DatabaseError(`cannot reach the PostgreSQL server of ${label} (${code})`, code);
  }
  return new DatabaseError(`database ${label}: ${first}`, code);
}

/** Parameters as both drivers take them: bigints as decimal strings. */
const params = (p: readonly unknown[] | undefined): unknown[] => (p ?? []).map((v) => (typeof v === "bigint" ? v.toString() : v));

/** Is this location a PostgreSQL connection URL (else it is a PGlite folder)? */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** A URL as it may be printed: no password, no query parameters. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * Which database: the --database flag, else ZKRISK_DATABASE_URL, else the embedded default
 * folder. A location is a postgres:// (or postgresql://) URL or a folder.
 */
export function resolveDatabaseLocation(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const location = flag ?? (env[DATABASE_URL_ENV] || undefined) ?? DEFAULT_DATABASE_DIR;
  if (location.trim() === "") throw new Error("--database is empty: give a postgres:// URL or a folder for the embedded database");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1];
  if (scheme !== undefined && !isPostgresUrl(location)) {
    throw new Error(`database location: a ${scheme}:// URL is not supported; give a postgres:// URL or a folder for the embedded database`);
  }
  return location;
}

export interface OpenOptions {
  /** Apply the pending migrations (default true). */
  readonly migrate?: boolean;
}

/** Open (and migrate) the database at a location: a postgres:// URL or a PGlite folder. */
export async function openDatabase(location: string = resolveDatabaseLocation(), opts: OpenOptions = {}): Promise<Database> {
  const db = isPostgresUrl(location) ? await openPostgres(location) : await openPglite(location);
  if (opts.migrate !== false) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  return db;
}

async function openPglite(location: string): Promise<Database> {
  const dir = resolve(location);
  const label = dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // the private records live here
  const lock: DirLock = acquireDirLock(dir, label);
  let pglite: PGlite;
  try {
    const dataDir = join(dir, "pgdata");
    if (existsSync(dataDir) && !existsSync(join(dataDir, "PG_VERSION"))) {
      throw new DatabaseError(`database ${label}: ${dataDir} exists but holds no database (an interrupted first start?); move it away and start again`, undefined);
    }
    pglite = new PGlite({ dataDir, parsers: { [INT8]: parseInt8 } });
    await pglite.waitReady;
  } catch (e) {
    lock.release();
    throw sanitize(label, e);
  }
  const run = (sql: Pick<PGlite, "query" | "exec">): Sql => ({
    async query<R extends Row>(text: string, p?: readonly unknown[]) {
      try {
        return (await sql.query<R>(text, params(p))).rows;
      } catch (e) {
        throw sanitize(label, e);
      }
    },
    async exec(script: string) {
      try {
        await sql.exec(script);
      } catch (e) {
        throw sanitize(label, e);
      }
    },
  });
  let closed = false;
  return {
    engine: "pglite",
    label,
    ...run(pglite),
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      let inner: unknown;
      let failed = false;
      try {
        return await pglite.transaction(async (tx) => {
          try {
            return await fn(run(tx));
          } catch (e) {
            failed = true;
            inner = e;
            throw e;
          }
        });
      } catch (e) {
        throw failed ? inner : sanitize(label, e);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const label = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 8,
    types: { getTypeParser: ((oid: number, format?: string) => (oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser },
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  const run = (client: pg.Pool | pg.PoolClient): Sql => ({
    async query<R extends Row>(text: string, p?: readonly unknown[]) {
      try {
        return (await client.query<R>(text, params(p))).rows;
      } catch (e) {
        throw sanitize(label, e);
      }
    },
    async exec(script: string) {
      try {
        await client.query(script);
      } catch (e) {
        throw sanitize(label, e);
      }
    },
  });
  try {
    await pool.query("SELECT 1");
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw sanitize(label, e);
  }
  return {
    engine: "postgres",
    label,
    ...run(pool),
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw sanitize(label, e);
      }
      let broken = false;
      try {
        await client.query("BEGIN");
        const out = await fn(run(client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw e instanceof DatabaseError ? e : e instanceof Error && !("code" in e) ? e : sanitize(label, e);
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
