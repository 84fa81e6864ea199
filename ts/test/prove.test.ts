// One fresh proof, end to end, every run: the proving key is regenerated from the committed
// circuit and SRS if absent (and checked against the committed verifying key), a new random
// salt is drawn, the proof is generated and verified natively, and its public instances are
// checked against what the contracts will compare them with.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ProofFixture } from "../pipeline/circuit.js";
import { modelPaths, MODELS } from "../pipeline/models.js";
import { inputCommitment } from "../prover/engine.js";
import { ROOT } from "../toolchain/paths.js";

test("a fresh smoke proof verifies and commits to the salted input", { timeout: 300_000 }, () => {
  const out = join(mkdtempSync(join(tmpdir(), "zkrisk-prove-")), "proof.json");
  const features = [0.43, 0.35, 0.93, 2.45]; // the high-risk fixture wallet
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "ts/cli/main.ts"), "prove", "--model", "smoke", "--features", features.join(","), "--out", out],
    { cwd: ROOT, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^tier 2; input commitment 0x[0-9a-f]{64}; proof verified/);

  const proof = JSON.parse(readFileSync(out, "utf8")) as ProofFixture;
  const manifest = JSON.parse(readFileSync(modelPaths(MODELS.smoke!).manifest, "utf8"));
  assert.equal(proof.tier, 2);
  assert.deepEqual(proof.features, features);
  assert.equal(proof.salt.length, 4);
  assert.equal(proof.instances.length, 3);
  assert.equal(BigInt(proof.instances[1]!), BigInt(manifest.paramCommitment));
  assert.equal(BigInt(proof.instances[2]!), 2n << BigInt(manifest.outputScale));
  assert.equal(BigInt(proof.instances[0]!), inputCommitment([...features, ...proof.salt], manifest.inputScale));
});
