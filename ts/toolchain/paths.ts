// Where zkrisk's tools live. Every other module asks here instead of guessing paths, so a
// missing install produces one precise error naming the command that fixes it.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder holding package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** An error whose message tells the user what to run. The CLI prints only the message. */
export class SetupError extends Error {
  override name = "SetupError";
}

export type FoundryTool = "forge" | "anvil" | "cast";

function platformSuffix(): string {
  const os = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform as string];
  const cpu = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  if (!os || !cpu) throw new SetupError(`Foundry has no npm build for ${process.platform}/${process.arch}.`);
  return `${os}-${cpu}`;
}

/**
 * The platform binary of a Foundry tool (never the npm wrapper, which exits 0 when the tool
 * fails).
 */
export function foundryBinary(tool: FoundryTool): string {
  const bin = join(ROOT, "node_modules", "@foundry-rs", `${tool}-${platformSuffix()}`, "bin", tool);
  if (!existsSync(bin)) {
    throw new SetupError(`${tool} is not installed (${bin} missing). Run \`npm install\` in ${ROOT}.`);
  }
  return bin;
}

/** The project's virtual environment: the only Python zkrisk runs (ZKRISK_VENV overrides). */
export const VENV = process.env.ZKRISK_VENV ?? join(ROOT, ".venv");

export function venvPython(): string {
  const py = join(VENV, "bin", "python");
  if (!existsSync(py)) {
    throw new SetupError(`The Python venv is missing (${py}). Run \`npm install\` (or \`npm run setup\`) in ${ROOT}.`);
  }
  return py;
}

/** HOME given to EZKL so that its solc lookup (~/.svm) finds the project's facade, not the user's. */
export const EZKL_HOME = join(ROOT, ".cache", "ezkl-home");

/** The solc-js facade forge and EZKL use. */
export const SOLC_FACADE = join(ROOT, "ts", "toolchain", "solc.cjs");

/** Require a generated artifact, naming the command that produces it. */
export function requireArtifact(path: string, producedBy: string): string {
  if (!existsSync(path)) throw new SetupError(`Missing artifact ${path}. Run \`${producedBy}\` to generate it.`);
  return path;
}
