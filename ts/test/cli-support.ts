// What the CLI tests share: run `zkrisk` as a user would, in an environment without the
// user's keys and RPC variables, and expect a one-line error.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../toolchain/paths.js";

/** Run `zkrisk <args>` in a fresh Node process with exactly `env`. */
export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "ts/cli/main.ts"), ...args], { cwd: ROOT, encoding: "utf8", env });

/** The environment without any zkrisk key or RPC variable, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^ZKRISK_.*KEY$|_RPC_URL$/.test(k)) delete env[k];
  return { ...env, ...extra };
}

/** Exactly one line on stderr. */
export function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  return lines[0]!;
}
