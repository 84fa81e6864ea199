// What the database tests share: a fresh database on each engine. PGlite needs only a folder.
// PostgreSQL comes from ZKRISK_TEST_DATABASE_URL (CI sets it: a role that may CREATE DATABASE),
// else from a throw-away server this process starts from the postgres binaries on this machine
// (initdb, pg_ctl: Debian's postgresql package) in a temp folder on a free port, as the
// `postgres` user when running as root, and stops at exit. Neither available: the PostgreSQL
// tests fail, saying so (they never skip silently).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";
import type { Engine } from "../runtime/db/engine.js";

export const ENGINES: readonly Engine[] = ["pglite", "postgres"];
export const TEST_URL_ENV = "ZKRISK_TEST_DATABASE_URL";

interface Server {
  readonly adminUrl: string;
  stop(): Promise<void>;
}

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/bin"];
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) dirs.push(join(debian, v, "bin"));
  }
  return dirs.map((d) => join(d, name)).find((p) => p && existsSync(p));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<Server> {
  const initdb = findBinary("initdb");
  const pgCtl = findBinary("pg_ctl");
  if (!initdb || !pgCtl) {
    throw new Error(
      `the PostgreSQL tests need ${TEST_URL_ENV} (a server URL whose role may CREATE DATABASE) or the postgres server binaries (initdb, pg_ctl): ` +
        "install Debian's postgresql package (apt-get install -y postgresql)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "zkrisk-pg-"));
  // The server refuses to run as root: run it as the postgres user then.
  let asUser: string[] = [];
  if (process.getuid?.() === 0) {
    const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (id.status !== 0) throw new Error("the PostgreSQL tests run as root here, and there is no `postgres` user to start a server as: set ZKRISK_TEST_DATABASE_URL");
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
    chmodSync(dir, 0o700);
    asUser = ["runuser", "-u", "postgres", "--"];
  }
  const run = (bin: string, args: string[]) => {
    const [cmd, ...rest] = [...asUser, bin, ...args];
    execFileSync(cmd!, rest, { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  };
  const data = join(dir, "data");
  const port = await freePort();
  try {
    run(initdb, ["-D", data, "-A", "trust", "-U", "zkrisk", "-E", "UTF8", "--locale=C", "--no-sync"]);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run(pgCtl, ["-D", data, "-o", opts, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`could not start a throw-away PostgreSQL server: ${(err.stderr?.toString() || err.message).trim().split("\n")[0]}`);
  }
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      run(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stopSync);
  return { adminUrl: `postgres://zkrisk@127.0.0.1:${port}/postgres`, stop: async () => stopSync() };
}

let server: Promise<Server> | undefined;
const created: { admin: string; name: string }[] = [];
let counter = 0;

function postgresServer(): Promise<Server> {
  const url = process.env[TEST_URL_ENV];
  server ??= url ? Promise.resolve({ adminUrl: url, stop: async () => undefined }) : startServer();
  return server;
}

/** A new empty PostgreSQL database for one test; its URL. */
export async function freshPostgres(): Promise<string> {
  const { adminUrl } = await postgresServer();
  const name = `zkrisk_test_${process.pid}_${++counter}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    throw new Error(`${TEST_URL_ENV}: cannot create a test database (${(e as Error).message}); its role needs CREATEDB`);
  } finally {
    await client.end();
  }
  created.push({ admin: adminUrl, name });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

const folders: string[] = [];

/** A new temp folder (removed by cleanupDatabases). */
export function tempFolder(prefix = "zkrisk-db-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** A location for a new, empty database of the engine: a PGlite folder or a PostgreSQL URL. */
export async function freshLocation(engine: Engine): Promise<string> {
  if (engine === "pglite") return join(tempFolder(), "db");
  return freshPostgres();
}

/** Remove the PGlite folders made here, drop the PostgreSQL databases, stop the throw-away server (call in `after`). */
export async function cleanupDatabases(): Promise<void> {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const { admin, name } of created.splice(0)) {
    const client = new pg.Client({ connectionString: admin });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch {
      // the server may be gone already
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (server && !process.env[TEST_URL_ENV]) await (await server.catch(() => undefined))?.stop();
  server = undefined;
}
