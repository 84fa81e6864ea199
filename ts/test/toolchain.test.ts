// The project's entry points pass the tools' exit codes on (the npm wrappers of forge, anvil
// and cast exit 0 even when the tool fails), and forge compiles offline through the facade.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ROOT, SOLC_FACADE } from "../toolchain/paths.js";

const entry = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "ts/toolchain/foundry.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env,
  });

/** A throwaway forge project with one test whose body is given. */
function forgeProject(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "zkrisk-forge-"));
  mkdirSync(join(dir, "test"));
  writeFileSync(
    join(dir, "foundry.toml"),
    [
      "[profile.default]",
      `solc = "${SOLC_FACADE}"`,
      "offline = true",
      `libs = ["${join(ROOT, "lib")}"]`,
      `remappings = ["forge-std/=${join(ROOT, "lib", "forge-std")}/"]`,
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "test", "T.t.sol"),
    `// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nimport {Test} from "forge-std/Test.sol";\ncontract T is Test {\n  function test_it() public pure { ${body} }\n}\n`,
  );
  return dir;
}

describe("foundry entry point", () => {
  test("a failing forge test exits non-zero", () => {
    const r = entry(["forge", "test", "--root", forgeProject("assertEq(uint256(1), 2);")]);
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[FAIL/);
  });

  test("a passing forge test exits zero", () => {
    const r = entry(["forge", "test", "--root", forgeProject("assertEq(uint256(2), 2);")]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[PASS\]/);
  });

  test("an unknown tool is a usage error", () => {
    const r = entry(["solc", "--version"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: foundry.ts <forge\|anvil\|cast>/);
  });

  test("cast's exit code is passed on too", () => {
    const r = entry(["cast", "to-uint256", "not-a-number"]);
    assert.notEqual(r.status, 0);
  });
});

describe("solc facade", () => {
  test("answers --version like native solc", () => {
    const r = spawnSync(SOLC_FACADE, ["--version"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Version: 0\.8\.28\+commit\.[0-9a-f]+/m);
  });

  test("refuses flags it does not implement", () => {
    const r = spawnSync(SOLC_FACADE, ["--bin", "x.sol"], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /only --version and --standard-json/);
  });
});
