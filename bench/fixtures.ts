// The credit model's committed proof fixtures (test/fixtures/<model>/): real wallets' features and
// salts to prove, and real proofs to verify and submit on-chain.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelPaths, type ModelSpec } from "../ts/pipeline/models.js";
import type { EzklProofJson } from "../ts/prover/proof.js";

export interface ProofFixture {
  readonly name: string;
  readonly tier: number;
  readonly features: number[];
  readonly salt: number[];
  /** 0x-prefixed proof bytes, as the registry takes them. */
  readonly proof: `0x${string}`;
  /** Big-endian uint256 public instances. */
  readonly instances: `0x${string}`[];
  /** EZKL's encode_evm_calldata: verifyProof(proof, instances) calldata. */
  readonly calldata: `0x${string}`;
  /** EZKL's own proof.json (for off-chain verification). */
  readonly proofJson: EzklProofJson;
}

export function readFixtures(model: ModelSpec): ProofFixture[] {
  const { fixtures, fixtureManifest } = modelPaths(model);
  const manifest = JSON.parse(readFileSync(fixtureManifest, "utf8")) as { fixtures: string[] };
  return manifest.fixtures.map((file) => {
    const f = JSON.parse(readFileSync(join(fixtures, file), "utf8")) as Omit<ProofFixture, "proofJson">;
    const proofJson = JSON.parse(readFileSync(join(fixtures, file.replace(/\.json$/, ".proof.json")), "utf8")) as EzklProofJson;
    return { ...f, name: file.replace(/\.json$/, ""), proofJson };
  });
}
