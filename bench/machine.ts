// The machine and software a benchmark ran on: CPU model, cores, memory, load, tool versions and
// the commit, for the report's header.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { foundryBinary, ROOT, venvPython } from "../ts/toolchain/paths.js";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly loadAverageAtStart: readonly number[];
  readonly versions: Readonly<Record<string, string>>;
  readonly commit: string;
  /** Tracked files with uncommitted changes when the benchmark started. */
  readonly dirtyPaths: readonly string[];
  readonly startedAt: string;
}

const run = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return "unknown";
  }
};

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model ?? "unknown";
}

const pkgVersion = (name: string): string => {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
};

export function machineInfo(): MachineInfo {
  const py = venvPython();
  const pyVersions = run(py, ["-c", "import ezkl, torch, sys; print(ezkl.__version__, torch.__version__, sys.version.split()[0])"]).split(" ");
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryBytes: totalmem(),
    os: `${run("uname", ["-sr"])}`,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    versions: {
      node: process.version,
      ezkl: pyVersions[0] ?? "unknown",
      "@ezkljs/engine": pkgVersion("@ezkljs/engine"),
      torch: pyVersions[1] ?? "unknown",
      python: pyVersions[2] ?? "unknown",
      forge: run(foundryBinary("forge"), ["--version"]).split("\n")[0] ?? "unknown",
      anvil: run(foundryBinary("anvil"), ["--version"]).split("\n")[0] ?? "unknown",
      solc: `solc-js ${pkgVersion("solc")}`,
      viem: pkgVersion("viem"),
    },
    commit: run("git", ["rev-parse", "HEAD"]),
    // tracked files that differ from HEAD (`git status --porcelain` lines lose their leading space to run()'s trim)
    dirtyPaths: run("git", ["diff", "--name-only", "HEAD"])
      .split("\n")
      .filter((l) => l.trim() && l !== "unknown"),
    startedAt: new Date().toISOString(),
  };
}
