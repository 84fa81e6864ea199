// `npm run slither`: slither over src/ minus the generated verifiers and the mocks (slither's
// SSA pass overflows on the verifiers' assembly). Triage: audit/slither-triage.md.
// Fails (exit 1) on any high-severity finding.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { $ } from "zx";
import { foundryBinary, ROOT, SOLC_FACADE, VENV } from "./paths.js";

const dir = mkdtempSync(join(tmpdir(), "zkrisk-slither-"));
try {
  cpSync(join(ROOT, "src"), join(dir, "src"), { recursive: true });
  rmSync(join(dir, "src", "verifiers"), { recursive: true, force: true });
  rmSync(join(dir, "src", "mocks"), { recursive: true, force: true });
  mkdirSync(join(dir, "lib"));
  for (const lib of ["forge-std", "openzeppelin-contracts"]) symlinkSync(join(ROOT, "lib", lib), join(dir, "lib", lib));
  const toml = readFileSync(join(ROOT, "foundry.toml"), "utf8").replace(/^solc = .*$/m, `solc = "${SOLC_FACADE}"`);
  writeFileSync(join(dir, "foundry.toml"), toml);
  const env = { ...process.env, PATH: `${dirname(foundryBinary("forge"))}:${process.env.PATH}` };
  const json = join(dir, "slither.json");
  const r = await $({ cwd: dir, env, nothrow: true, stdio: ["ignore", "inherit", "inherit"] })`${join(VENV, "bin", "slither")} . --filter-paths lib/ --exclude-informational --exclude-optimization --json ${json}`;
  const out = JSON.parse(readFileSync(json, "utf8")) as { success: boolean; error?: string; results?: { detectors?: { impact: string; check: string }[] } };
  if (!out.success) throw new Error(`slither failed: ${out.error ?? `exit ${r.exitCode}`}`);
  const findings = out.results?.detectors ?? [];
  const high = findings.filter((d) => d.impact === "High");
  const counts = findings.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.impact]: (acc[d.impact] ?? 0) + 1 }), {});
  console.log(`slither: ${JSON.stringify(counts)}; triage in audit/slither-triage.md`);
  if (high.length) {
    console.error(`slither: ${high.length} high-severity finding(s): ${[...new Set(high.map((d) => d.check))].join(", ")}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
