// CLI errors: one precise line, non-zero exit, nothing written.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
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

  test("attest: an unknown backend, an empty store, a wallet that is not an address", () => {
    const empty = mkdtempSync(join(tmpdir(), "zkrisk-store-"));
    let r = cli(["attest", "--backend", "gpu"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), 'zkrisk attest: unknown prover backend "gpu" (one of: native, engine)');
    r = cli(["attest", "--store", empty]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), `zkrisk attest: the store ${empty} holds no wallet: run \`zkrisk index\` first`);
    r = cli(["attest", "--wallet", "0x12"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), 'zkrisk attest: --wallet: "0x12" is not an address');
  });

  test("audit: weights that do not fit the circuit, a missing ONNX file", () => {
    let r = cli(["audit", "--offline", "--onnx", join(ROOT, "models/smoke/out/model.onnx")]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /^zkrisk audit: ezkl step param_commitment: .*reshape tensor/);
    r = cli(["audit", "--offline", "--onnx", "/nonexistent/model.onnx"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), "zkrisk audit: ezkl step param_commitment: ONNX model not found at /nonexistent/model.onnx");
  });

  test("fork and demo: an unknown chain, an unknown backend", () => {
    let r = cli(["fork", "--chains", "10"]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /^zkrisk fork: unknown chain id 10 \(known: 1 ethereum, 137 polygon, 42161 arbitrum\)/);
    r = cli(["demo", "--backend", "gpu"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), 'zkrisk demo: unknown prover backend "gpu" (one of: native, engine)');
  });
});
