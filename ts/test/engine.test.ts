// Real proofs (the smoke model's, the credit model's single and round circuits), checked in process
// by @ezkljs/engine (EZKL 21.0.0 in WASM).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { circuitPaths, modelPaths, MODELS } from "../pipeline/models.js";
import { inputCommitment, loadVerifierArtifacts, verifyProof, type VerifierArtifacts } from "../prover/engine.js";
import { readSaltSpec, saltedInput } from "../pipeline/salt.js";
import { leHexToBigInt } from "../prover/proof.js";
import { ROOT } from "../toolchain/paths.js";

const paths = modelPaths(MODELS.smoke!);
const circuit = circuitPaths(MODELS.smoke!, MODELS.smoke!.circuits[0]);
const manifest = JSON.parse(readFileSync(paths.fixtureManifest, "utf8")) as {
  fixtures: string[];
  inputScale: number;
  circuits: { srs: { path: string } }[];
};
const load = (file: string) => JSON.parse(readFileSync(join(paths.fixtures, file), "utf8"));
const names = manifest.fixtures.map((f) => f.replace(/\.json$/, ""));

describe("smoke proofs in @ezkljs/engine", () => {
  let artifacts: VerifierArtifacts;
  before(() => {
    artifacts = loadVerifierArtifacts({ vk: circuit.vk, settings: circuit.settings, srs: join(ROOT, manifest.circuits[0]!.srs.path) });
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

describe("credit proofs (single and round circuits) in @ezkljs/engine", () => {
  const credit = MODELS.credit!;
  const cpaths = modelPaths(credit);
  const cmanifest = JSON.parse(readFileSync(cpaths.fixtureManifest, "utf8")) as {
    fixtures: string[];
    roundFixtures: string[];
    inputScale: number;
    circuits: { name: string; slots: number; instances: number; srs: { path: string } }[];
  };
  const cload = (file: string) => JSON.parse(readFileSync(join(cpaths.fixtures, file), "utf8"));
  const salt = readSaltSpec(cpaths.description);
  const artifactsOf = (name: string) => {
    const c = credit.circuits.find((x) => x.name === name)!;
    const cp = circuitPaths(credit, c);
    return loadVerifierArtifacts({ vk: cp.vk, settings: cp.settings, srs: join(ROOT, cmanifest.circuits.find((x) => x.name === name)!.srs.path) });
  };

  test("the round fixtures verify under the round circuit's key, not the single circuit's", () => {
    const round = artifactsOf("round");
    const single = artifactsOf("single");
    for (const f of cmanifest.roundFixtures) {
      const proof = cload(f.replace(/\.json$/, ".proof.json"));
      assert.equal(verifyProof(proof, round), true, f);
      assert.equal(verifyProof(proof, single), false, `${f} under the single-wallet key`);
    }
  });

  test("a slot's commitment is the wallet's own: the same value in any round or in the single circuit", () => {
    const roundFixture = cload("round-full.json") as { slots: { inputCommitment: string }[]; wallets: { name: string; padding: boolean; features: number[]; salt: number[]; inputCommitment: string }[] };
    assert.equal(roundFixture.wallets.length, cmanifest.circuits.find((c) => c.name === "round")!.slots);
    for (const [i, w] of roundFixture.wallets.entries()) {
      const expected = inputCommitment(saltedInput(w.features, w.salt, salt), cmanifest.inputScale);
      assert.equal(BigInt(w.inputCommitment), expected, `slot ${i} (${w.name})`);
      assert.equal(roundFixture.slots[i]!.inputCommitment, w.inputCommitment);
    }
    for (const name of cmanifest.fixtures) {
      const f = cload(name) as { features: number[]; salt: number[]; inputCommitment: string };
      assert.equal(BigInt(f.inputCommitment), inputCommitment(saltedInput(f.features, f.salt, salt), cmanifest.inputScale), name);
    }
    // the padded round: padding slots carry the all-zero input's commitment
    const padded = cload("round-padded.json") as { wallets: { padding: boolean; inputCommitment: string }[] };
    const zero = inputCommitment(Array.from({ length: 24 }, () => 0), cmanifest.inputScale);
    for (const w of padded.wallets.filter((x) => x.padding)) assert.equal(BigInt(w.inputCommitment), zero);
  });

  test("every circuit of the model carries one parameter commitment: the model id", () => {
    const ids = new Set([...cmanifest.fixtures, ...cmanifest.roundFixtures].map((f) => (cload(f) as { paramCommitment: string }).paramCommitment));
    assert.equal(ids.size, 1);
  });
});
