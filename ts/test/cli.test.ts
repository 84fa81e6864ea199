// CLI errors: one precise line, non-zero exit, nothing written.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ROOT } from "../toolchain/paths.js";
import { oneLine, runCli } from "./cli-support.js";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { ...process.env, ...env });

describe("zkrisk CLI", () => {
  test("--help lists the commands", () => {
    const r = cli(["--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /pipeline/);
    assert.match(r.stdout, /prove/);
  });

  test("an unknown command", () => {
    const r = cli(["frobnicate"]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /unknown command "frobnicate"/);
  });

  test("an unknown flag", () => {
    const r = cli(["pipeline", "--modle", "smoke"]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /Unknown option '--modle'.*zkrisk pipeline --help/);
  });

  test("an unknown model", () => {
    const r = cli(["pipeline", "--model", "nope"]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /unknown model "nope" \(known: smoke/);
  });

  test("a feature vector of the wrong length", () => {
    const r = cli(["prove", "--model", "smoke", "--features", "1,2,3"]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /--features has 3 values; model smoke takes 4/);
  });

  test("a non-numeric feature", () => {
    const r = cli(["prove", "--model", "smoke", "--features", "1,NaN,3,4"]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /"NaN" \(item 2\) is not a finite number/);
  });

  test("a missing venv names the command that fixes it", () => {
    const r = cli(["prove", "--model", "smoke", "--features", "1,2,3,4"], { ZKRISK_VENV: "/nonexistent/venv" });
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /Python venv is missing .*Run `npm install`/);
  });

  test("a ceremony SRS file that is not an SRS is refused", () => {
    const r = cli(["pipeline", "--model", "smoke", "--srs", join(ROOT, "package.json")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not an EZKL KZG SRS file/);
  });
});
