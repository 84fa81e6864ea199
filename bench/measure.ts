// Running a measured child process: wall time, peak resident memory (RSS) and an RSS ceiling.
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`) when it is installed, else from the
// highest VmHWM seen while polling /proc; a watchdog polls the process tree's RSS and kills it
// above the ceiling (the machine is shared: a runaway step must not take it down).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../ts/toolchain/paths.js";

const GNU_TIME = "/usr/bin/time";

/** Children of `pid` (one level), from /proc/<pid>/task/<pid>/children or, failing that, a /proc scan. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    const out: number[] = [];
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid === pid) out.push(Number(name));
      } catch {
        /* gone */
      }
    }
    return out;
  }
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or undefined once the process is gone. */
export function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Descendants of this process whose command line contains `needle` (e.g. the prover worker). */
export function findDescendant(needle: string, root = process.pid): number | undefined {
  for (const pid of processTree(root).slice(1)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) return pid;
    } catch {
      /* gone */
    }
  }
  return undefined;
}

export interface MeasuredRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** Peak RSS of the measured process in bytes (GNU time's max RSS, or polled VmHWM). */
  readonly maxRssBytes: number;
  /** Set when the watchdog killed the process. */
  readonly killed?: string;
  /** Milliseconds from spawn to each stdout line (for "time to first proof"). */
  readonly lineTimes: readonly { ms: number; line: string }[];
}

export interface MeasureOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Written to stdin, which is then closed. */
  readonly stdin?: string;
  /** Kill the process tree when its summed RSS exceeds this many bytes. */
  readonly rssLimitBytes?: number;
  /** Kill the process tree after this many ms. */
  readonly timeoutMs?: number;
  /** Called with each stderr line (progress). */
  readonly onStderr?: (line: string) => void;
}

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Run `cmd args` to completion, measured. Never rejects for a non-zero exit (the caller decides). */
export function runMeasured(cmd: string, args: readonly string[], opts: MeasureOptions = {}): Promise<MeasuredRun> {
  const gnu = hasGnuTime();
  const tmp = mkdtempSync(join(tmpdir(), "zkrisk-bench-"));
  const rssFile = join(tmp, "rss");
  const [bin, argv] = gnu ? [GNU_TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, [...args]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(bin, argv, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    let errPartial = "";
    const lineTimes: { ms: number; line: string }[] = [];
    let polledPeak = 0;
    let killed: string | undefined;
    const kill = (why: string) => {
      if (killed) return;
      killed = why;
      for (const pid of processTree(child.pid!).reverse()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    };
    const poll = setInterval(() => {
      if (!child.pid) return;
      const tree = processTree(child.pid);
      const measured = gnu ? tree.slice(1) : tree;
      let rss = 0;
      for (const pid of measured) {
        rss += procStatusBytes(pid, "VmRSS") ?? 0;
        polledPeak = Math.max(polledPeak, procStatusBytes(pid, "VmHWM") ?? 0);
      }
      if (opts.rssLimitBytes && rss > opts.rssLimitBytes) kill(`RSS ${(rss / 2 ** 30).toFixed(1)} GiB over the ${(opts.rssLimitBytes / 2 ** 30).toFixed(1)} GiB ceiling`);
    }, 200);
    const timer = opts.timeoutMs ? setTimeout(() => kill(`over the ${(opts.timeoutMs! / 1000).toFixed(0)} s time limit`), opts.timeoutMs) : undefined;
    child.stdout.on("data", (b: Buffer) => {
      const s = b.toString();
      stdout += s;
      const parts = (partial + s).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) lineTimes.push({ ms: performance.now() - started, line });
    });
    child.stderr.on("data", (b: Buffer) => {
      const s = b.toString();
      stderr = (stderr + s).slice(-20_000);
      const parts = (errPartial + s).split("\n");
      errPartial = parts.pop() ?? "";
      for (const line of parts) opts.onStderr?.(line);
    });
    child.on("error", (e) => {
      clearInterval(poll);
      clearTimeout(timer);
      rmSync(tmp, { recursive: true, force: true });
      reject(e);
    });
    child.on("close", (code, signal) => {
      const wallMs = performance.now() - started;
      clearInterval(poll);
      clearTimeout(timer);
      let maxRssBytes = polledPeak;
      if (gnu && existsSync(rssFile)) {
        const kb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
        if (Number.isFinite(kb) && kb > 0) maxRssBytes = Math.max(kb * 1024, polledPeak);
      }
      rmSync(tmp, { recursive: true, force: true });
      if (partial) lineTimes.push({ ms: wallMs, line: partial });
      resolve({ code, signal, stdout, stderr, wallMs, maxRssBytes, lineTimes, ...(killed ? { killed } : {}) });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** The last JSON object line of a step's stdout ({ok, ...}); throws with the step's error otherwise. */
export function stepResult<T>(what: string, run: MeasuredRun): T {
  if (run.killed) throw new Error(`${what}: killed (${run.killed})`);
  const last = run.stdout.trim().split("\n").pop() ?? "";
  let parsed: { ok?: boolean; error?: string } & T;
  try {
    parsed = JSON.parse(last);
  } catch {
    const err = run.stderr.trim().split("\n").pop() ?? "no output";
    throw new Error(`${what} crashed (exit ${run.code ?? run.signal}): ${err.slice(0, 300)}`);
  }
  if (!parsed.ok) throw new Error(`${what}: ${parsed.error ?? "failed"}`);
  return parsed;
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
