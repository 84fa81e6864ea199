// PGlite is one process's database: two processes writing the same data folder would corrupt
// it, and PGlite itself does not notice. So the embedded engine takes a lock file in its folder
// (<dir>/lock: the owner's pid, host and command) before it opens, and a second process is
// refused with one line pointing to PostgreSQL. A lock left by a process that died (kill -9,
// power loss) is stale: its pid is gone on this host, and the next process takes it over.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export const LOCK_FILE = "lock";

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  /** The process's start time in clock ticks after boot (Linux /proc), to tell a reused pid from the owner. */
  readonly start?: string | null;
}

export class DatabaseLockedError extends Error {
  override name = "DatabaseLockedError";
}

export interface DirLock {
  readonly path: string;
  /** Remove the lock (idempotent). */
  release(): void;
}

const held = new Set<string>();
let exitHook = false;

/** Field 22 of /proc/<pid>/stat (start time), or null where there is no /proc. */
function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock's owner still runs: its pid is alive and, where /proc tells, started when the lock says. */
function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (owner.start) {
    const now = startTicks(owner.pid);
    if (now !== null && now !== owner.start) return false; // the pid was reused by another process
  }
  return true;
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (!Number.isInteger(o.pid) || typeof o.host !== "string") return null;
    return { pid: o.pid as number, host: o.host, command: String(o.command ?? "?"), since: String(o.since ?? "?"), start: typeof o.start === "string" ? o.start : null };
  } catch {
    return null; // half-written or unreadable: treated as stale below only if old enough
  }
}

function commandLine(): string {
  const args = process.argv.slice(1).map((a) => a.replace(/^.*[/\\]/, ""));
  const i = args.findIndex((a) => a === "main.ts");
  return (i >= 0 ? ["zkrisk", ...args.slice(i + 1, i + 2)] : args.slice(0, 2)).join(" ") || "node";
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    const owner: LockOwner = { pid: process.pid, host: hostname(), command: commandLine(), since: new Date().toISOString(), start: startTicks(process.pid) };
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Take the lock of an embedded database folder, or throw a DatabaseLockedError (one line) when
 * another live process holds it. A stale lock (dead pid on this host) is taken over; two
 * processes taking over the same stale lock serialise on a takeover folder, so one wins.
 */
export function acquireDirLock(dir: string, label: string = dir): DirLock {
  const path = join(dir, LOCK_FILE);
  const takeover = `${path}.takeover`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(path)) return register(path);
    const owner = readOwner(path);
    if (owner && owner.pid === process.pid && owner.host === hostname() && held.has(path)) {
      throw new DatabaseLockedError(`the embedded database ${label} is already open in this process; open it once and share the handle`);
    }
    if (owner && owner.host !== hostname()) {
      throw new DatabaseLockedError(
        `the embedded database ${label} is locked by process ${owner.pid} on host ${owner.host} (${owner.command}, since ${owner.since}); ` +
          `PGlite serves one process: use a PostgreSQL server (ZKRISK_DATABASE_URL or --database postgres://...) to share data, or delete ${path} if that process is gone`,
      );
    }
    if (owner && !(owner.pid === process.pid && !held.has(path)) && alive(owner)) {
      throw new DatabaseLockedError(
        `the embedded database ${label} is in use by process ${owner.pid} (${owner.command}, since ${owner.since}); ` +
          `PGlite serves one process at a time: stop that process, or run both against a PostgreSQL server (ZKRISK_DATABASE_URL or --database postgres://...)`,
      );
    }
    if (!owner) {
      // Unreadable: a lock being written right now, or a torn one from a crash. Wait a moment first.
      let age = 0;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // gone meanwhile: try again
      }
      if (age < 2_000) {
        sleep(100);
        continue;
      }
    }
    // Stale: take it over, one process at a time.
    try {
      mkdirSync(takeover);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        if (Date.now() - statSync(takeover).mtimeMs > 10_000) rmdirSync(takeover); // left by a crash mid-takeover
      } catch {
        // gone meanwhile
      }
      sleep(100);
      continue;
    }
    try {
      const again = readOwner(path);
      const same = (again === null && owner === null) || (again !== null && owner !== null && again.pid === owner.pid && again.since === owner.since);
      if (same && existsSync(path)) unlinkSync(path);
    } finally {
      rmdirSync(takeover);
    }
  }
  throw new DatabaseLockedError(`the embedded database ${label}: could not take its lock ${path}; is another process starting on it?`);
}

function register(path: string): DirLock {
  held.add(path);
  if (!exitHook) {
    exitHook = true;
    // A process that exits without closing the database (an error path) still frees the folder.
    process.on("exit", () => {
      for (const p of held) {
        try {
          unlinkSync(p);
        } catch {
          // already gone
        }
      }
    });
  }
  return {
    path,
    release() {
      if (!held.delete(path)) return;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
