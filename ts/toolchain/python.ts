// The one way TypeScript runs Python: the project's venv, with EZKL's HOME pointed at the
// project's own folder (so EZKL's solc lookup finds the solc-js facade and nothing is
// downloaded or deleted under the user's home).
import { mkdirSync, symlinkSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { $ } from "zx";
import { EZKL_HOME, ROOT, SOLC_FACADE, venvPython } from "./paths.js";

export class PythonStepError extends Error {
  override name = "PythonStepError";
}

/** EZKL looks for solc 0.8.20 at ~/.svm/0.8.20/solc-0.8.20; give it the facade there. */
export function prepareEzklHome(): string {
  const dir = join(EZKL_HOME, ".svm", "0.8.20");
  const solc = join(dir, "solc-0.8.20");
  mkdirSync(dir, { recursive: true });
  if (existsSync(solc)) rmSync(solc);
  symlinkSync(SOLC_FACADE, solc);
  return EZKL_HOME;
}

export function pythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, HOME: EZKL_HOME, RUST_LOG: process.env.RUST_LOG ?? "error", PYTHONWARNINGS: "ignore" };
}

/** Start the venv's Python on a project-relative script; output is captured, not shown. */
function spawnPython(script: string, args: readonly string[]) {
  return $({ cwd: ROOT, env: pythonEnv(), quiet: true, nothrow: true })`${venvPython()} ${script} ${args}`;
}

/** The last line a failed Python process wrote on stderr (its error), shortened. */
const lastStderrLine = (stderr: string): string => (stderr.trim().split("\n").pop() || "no output").slice(0, 500);

/** Run a Python script of the project (path relative to the root) with arguments. */
export async function runPython(script: string, args: readonly string[]): Promise<string> {
  const out = await spawnPython(script, args);
  if (out.exitCode !== 0) {
    throw new PythonStepError(`${script} ${args.join(" ")} failed (exit ${out.exitCode}): ${lastStderrLine(out.stderr)}`);
  }
  return out.stdout;
}

/** Run one step of circuits/ezkl_steps.py; returns its JSON result or throws its error message. */
export async function ezklStep<T extends object = Record<string, unknown>>(
  step: string,
  args: Record<string, unknown>,
): Promise<T> {
  prepareEzklHome();
  const running = spawnPython("circuits/ezkl_steps.py", [step, JSON.stringify(args)]);
  // Long steps print indented progress lines on stderr; pass those on, keep the rest quiet.
  running.stderr.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.startsWith("      ")) process.stderr.write(`${line}\n`);
  });
  const out = await running;
  const last = out.stdout.trim().split("\n").pop() ?? "";
  let parsed: { ok: boolean; error?: string } & T;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new PythonStepError(`ezkl step ${step} crashed (exit ${out.exitCode}): ${lastStderrLine(out.stderr)}`);
  }
  if (!parsed.ok) throw new PythonStepError(`ezkl step ${step}: ${parsed.error}`);
  return parsed;
}
