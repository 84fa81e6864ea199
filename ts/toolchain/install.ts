// `npm install`'s postinstall (also `npm run setup`): links the Solidity dependencies into
// lib/, creates the Python venv from requirements.txt, and prepares EZKL's offline solc.
// Idempotent: a step whose result is already in place is skipped.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { $ } from "zx";
import { stepReporter } from "./progress.js";
import { prepareEzklHome } from "./python.js";
import { foundryBinary, ROOT, VENV } from "./paths.js";
import { sha256File } from "../pipeline/cache.js";

/** lib/<name> -> the npm package folder that carries it. */
const SOLIDITY_LIBS: Readonly<Record<string, string>> = {
  "forge-std": "node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std",
  "openzeppelin-contracts": "node_modules/@openzeppelin/contracts",
};

function linkSolidityLibs(): void {
  mkdirSync(join(ROOT, "lib"), { recursive: true });
  for (const [name, target] of Object.entries(SOLIDITY_LIBS)) {
    const abs = join(ROOT, target);
    if (!existsSync(abs)) throw new Error(`${target} is missing: run \`npm install\` again`);
    const link = join(ROOT, "lib", name);
    rmSync(link, { recursive: true, force: true });
    symlinkSync(join("..", target), link);
  }
}

async function createVenv(): Promise<void> {
  const stamp = join(VENV, ".requirements.sha256");
  const want = sha256File(join(ROOT, "requirements.txt"));
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  const python = process.env.PYTHON ?? "python3";
  const q = $({ cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (!existsSync(join(VENV, "bin", "python"))) await q`${python} -m venv ${VENV}`;
  await q`${join(VENV, "bin", "pip")} install --disable-pip-version-check -q -r requirements.txt`;
  writeFileSync(stamp, want);
}

async function main(): Promise<void> {
  const r = stepReporter(4);
  await r.step("Foundry binaries", async () => {
    for (const tool of ["forge", "anvil", "cast"] as const) foundryBinary(tool);
  });
  await r.step("Solidity libraries -> lib/", async () => linkSolidityLibs());
  await r.step("Python venv (.venv) from requirements.txt", createVenv);
  await r.step("EZKL offline solc (solc-js facade)", async () => void prepareEzklHome());
}

main().catch((e: Error) => {
  console.error(`zkrisk setup: ${e.message}`);
  process.exit(1);
});
