// The long-lived prover (ts/prover/prover.ts): keys loaded once, several real proofs from one
// process, bad input refused without harming the prover, and the WebAssembly engine backend
// cross-checked by native EZKL.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { circuitPaths, modelPaths, MODELS } from "../pipeline/models.js";
import { inputCommitment } from "../prover/engine.js";
import { checkFeatures, openProver, parseBackend, type Prover } from "../prover/prover.js";
import { loadFeatureSpec, transform } from "../runtime/indexer/features.js";
import { ROOT } from "../toolchain/paths.js";
import { ezklStep } from "../toolchain/python.js";

const smoke = MODELS.smoke!;
const paths = modelPaths(smoke);
const circuit = circuitPaths(smoke, smoke.circuits[0]);
const manifest = JSON.parse(readFileSync(paths.manifest, "utf8")) as { inputScale: number; paramCommitment: string; circuits: { srs: { path: string } }[] };
interface Fixture {
  tier: number;
  features: number[];
  salt: number[];
  calldata: string;
}
const fixture = (name: string) => JSON.parse(readFileSync(join(paths.fixtures, `${name}.json`), "utf8")) as Fixture;
const quiet = { onProgress: () => undefined, reporter: { step: <T>(_: string, run: () => Promise<T>) => run(), skip: () => undefined } };

describe("native long-lived prover (smoke model)", { timeout: 300_000 }, () => {
  let prover: Prover;
  before(async () => {
    prover = await openProver(smoke, quiet);
  });
  after(() => prover.close());

  test("proves several wallets from one loaded key, each proof carrying the right tier and commitment", async () => {
    for (const name of ["low-0", "high-0"]) {
      const f = fixture(name);
      const salt = [1, 2, 3, name.length];
      const p = await prover.prove(f.features, salt);
      assert.equal(p.tier, f.tier, name);
      assert.equal(BigInt(p.inputCommitment), inputCommitment([...f.features, ...salt], manifest.inputScale));
      assert.equal(p.paramCommitment, manifest.paramCommitment);
      assert.equal(p.calldata.length, f.calldata.length, "calldata has the verifier's shape");
      assert.ok(p.timings.proveMs > 0 && p.timings.verifyMs > 0);
    }
  });

  test("refuses a wrong-length vector, a NaN and a short salt, and keeps serving", async () => {
    const f = fixture("low-0");
    await assert.rejects(prover.prove(f.features.slice(1), f.salt), /takes 4 features, got 3/);
    await assert.rejects(prover.prove([Number.NaN, ...f.features.slice(1)], f.salt), /feature 1 is NaN/);
    await assert.rejects(prover.prove(f.features, [1]), /salt of 4 values, got 1/);
    const p = await prover.prove(f.features, f.salt);
    assert.equal(p.tier, f.tier);
  });
});

test("an unknown backend is named in the error", () => {
  assert.throws(() => parseBackend("gpu"), /unknown prover backend "gpu" \(one of: native, engine\)/);
});

test("engine backend (WebAssembly, in process): its proof verifies natively", { timeout: 600_000 }, async () => {
  const prover = await openProver(smoke, { ...quiet, backend: "engine" });
  try {
    const f = fixture("medium-0");
    const p = await prover.prove(f.features, f.salt);
    assert.equal(p.tier, f.tier);
    assert.equal(BigInt(p.inputCommitment), inputCommitment([...f.features, ...f.salt], manifest.inputScale));
    assert.equal(p.calldata.slice(0, 10), f.calldata.slice(0, 10), "same verifier selector as the native calldata");
    assert.equal(p.calldata.length, f.calldata.length);
    const file = join(mkdtempSync(join(tmpdir(), "zkrisk-engine-")), "proof.json");
    writeFileSync(file, JSON.stringify(p.proofJson));
    await ezklStep("verify", { proof: file, settings: circuit.settings, vk: circuit.vk, srs: join(ROOT, manifest.circuits[0]!.srs.path) });
  } finally {
    await prover.close();
  }
});

test("every wallet the indexer can produce passes the prover's input check, up to each feature's clip", () => {
  const credit = MODELS.credit!;
  const spec = loadFeatureSpec();
  // the transform of each feature's clip: where real wallets sit (e.g. never liquidated: days_since_last_liquidation = log1p(1825))
  const top = transform(spec, spec.features.map((f) => f.clip[1]));
  const bottom = transform(spec, spec.features.map((f) => f.clip[0]));
  assert.doesNotThrow(() => checkFeatures(credit, top));
  assert.doesNotThrow(() => checkFeatures(credit, bottom));
  const beyond = [...top];
  beyond[11] = top[11]! + 0.01;
  assert.throws(() => checkFeatures(credit, beyond), /feature 12 \(days_since_last_liquidation\) is 7\.519\d*, outside its bounds \[0, 7\.509883\]/);
});
