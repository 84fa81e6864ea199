// The smoke model's real proofs, checked in process by @ezkljs/engine (EZKL 21.0.0 in WASM).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { modelPaths, MODELS } from "../pipeline/models.js";
import { inputCommitment, loadVerifierArtifacts, verifyProof, type VerifierArtifacts } from "../prover/engine.js";
import { leHexToBigInt } from "../prover/proof.js";
import { ROOT } from "../toolchain/paths.js";

const paths = modelPaths(MODELS.smoke!);
const manifest = JSON.parse(readFileSync(paths.fixtureManifest, "utf8")) as {
  fixtures: string[];
  inputScale: number;
  srs: { path: string };
};
const load = (file: string) => JSON.parse(readFileSync(join(paths.fixtures, file), "utf8"));
const names = manifest.fixtures.map((f) => f.replace(/\.json$/, ""));

describe("smoke proofs in @ezkljs/engine", () => {
  let artifacts: VerifierArtifacts;
  before(() => {
    artifacts = loadVerifierArtifacts({ vk: paths.vk, settings: paths.settings, srs: join(ROOT, manifest.srs.path) });
  });

  test("every fixture proof verifies", () => {
    for (const name of names) assert.equal(verifyProof(load(`${name}.proof.json`), artifacts), true, name);
  });

  test("a changed public instance is rejected", () => {
    const proof = load(`${names[0]}.proof.json`);
    proof.instances[0][2] = proof.instances[0][0];
    assert.equal(verifyProof(proof, artifacts), false);
  });

  test("a flipped proof byte is rejected", () => {
    const proof = load(`${names[0]}.proof.json`);
    const bytes = proof.proof as number[];
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
    proof.hex_proof = `0x${Buffer.from(bytes).toString("hex")}`;
    assert.equal(verifyProof(proof, artifacts), false);
  });

  test("little-endian instances convert to the big-endian uint256 the contracts receive", () => {
    for (const name of names) {
      const raw = load(`${name}.proof.json`).instances[0] as string[];
      const fixture = load(`${name}.json`) as { instances: string[] };
      assert.deepEqual(raw.map((x) => leHexToBigInt(x)), fixture.instances.map((x) => BigInt(x)));
    }
  });

  test("the input commitment is recomputed from features and salt without the circuit", () => {
    for (const name of names) {
      const f = load(`${name}.json`) as { features: number[]; salt: number[]; inputCommitment: string };
      assert.equal(inputCommitment([...f.features, ...f.salt], manifest.inputScale), BigInt(f.inputCommitment));
    }
  });

  test("another salt gives another commitment", () => {
    const f = load(`${names[0]}.json`) as { features: number[]; salt: number[]; inputCommitment: string };
    const salt = [...f.salt];
    salt[0] = (salt[0]! + 1) % 65536;
    assert.notEqual(inputCommitment([...f.features, ...salt], manifest.inputScale), BigInt(f.inputCommitment));
  });
});
