// CLI errors: one precise line, non-zero exit, nothing written.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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

  test("pipeline --srs: an SRS too small for the circuits is refused before any step runs (issue 11, item 7)", () => {
    const srs = join(mkdtempSync(join(tmpdir(), "zkrisk-srs-")), "k10.srs");
    writeFileSync(srs, Buffer.alloc(260 + 128 * 2 ** 10)); // the size of an EZKL KZG SRS with logrows 10
    const watched = ["circuits/credit/single/settings.json", "circuits/credit/round/settings.json", "circuits/credit/manifest.json"].map((f) => join(ROOT, f));
    const before = watched.map((f) => statSync(f).mtimeMs);
    const r = cli(["pipeline", "--model", "credit", "--srs", srs]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /SRS .*k10\.srs has logrows 10, the credit circuits need 17: use an SRS with at least 2\*\*17 points/);
    assert.doesNotMatch(r.stderr, /\[ ?1\/\d+\]/, "no pipeline step started");
    assert.deepEqual(watched.map((f) => statSync(f).mtimeMs), before, "nothing rewritten");
  });

  test("prove: a feature outside its bounds is refused by name before any key is loaded (issue 11, item 8)", () => {
    const x = Array.from({ length: 20 }, () => "0");
    x[10] = "-1";
    const r = cli(["prove", "--model", "credit", "--features", x.join(",")]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), "zkrisk prove: --features: feature 11 (liquidation_count) is -1, outside its bounds [0, 6.908755] (transformed values, models/credit/features.json)");
    assert.doesNotMatch(r.stderr, /proving key/);
  });

  test("prove: a value EZKL could not range-check never reaches EZKL (issue 11, item 8)", () => {
    const r = cli(["prove", "--model", "smoke", "--features", "1e30,0,0,0"]);
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /feature 1 is 1e\+30: the circuit can only take values below \d+ in magnitude/);
    assert.doesNotMatch(r.stderr, /proving key|General synthesis error/);
  });

  test('prove: --features "" says it is empty (issue 11, item 8)', () => {
    const r = cli(["prove", "--model", "credit", "--features", ""]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), "zkrisk prove: --features is empty: give the wallet's 20 transformed features, comma-separated");
  });

  test("a flag given twice is an error, not last-wins (issue 11, item 9)", () => {
    const r = cli(["prove", "--model", "smoke", "--model", "credit", "--features", "1,2,3,4"]);
    assert.equal(r.status, 2);
    assert.equal(oneLine(r.stderr), "zkrisk prove: --model is given twice: give each flag once (see `zkrisk prove --help`)");
  });

  test("deploy takes --rpc, as the README says (issue 11, item 9)", () => {
    const r = cli(["deploy", "--chains", "1", "--rpc", "1=http://127.0.0.1:9"]);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, /Unknown option/);
    assert.match(oneLine(r.stderr), /cannot reach the RPC of chain 1 \(ethereum\) at 127\.0\.0\.1:9/);
    const both = cli(["deploy", "--local", "--rpc", "1=http://127.0.0.1:9"]);
    assert.match(oneLine(both.stderr), /--rpc and --local exclude each other/);
  });

  test("a ceremony SRS file that is not an SRS is refused", () => {
    const r = cli(["pipeline", "--model", "smoke", "--srs", join(ROOT, "package.json")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not an EZKL KZG SRS file/);
  });

  test("attest: an unknown backend, an empty store, a wallet that is not an address", () => {
    const empty = join(mkdtempSync(join(tmpdir(), "zkrisk-db-")), "db");
    let r = cli(["attest", "--backend", "gpu"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), 'zkrisk attest: unknown prover backend "gpu" (one of: native, engine)');
    r = cli(["attest", "--database", empty]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), `zkrisk attest: the private store of ${empty} holds no wallet: run \`zkrisk index\` first`);
    rmSync(dirname(empty), { recursive: true, force: true });
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
