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

/** One wallet slot of a committed round fixture. */
export interface RoundFixtureWallet {
  readonly name: string;
  readonly padding: boolean;
  readonly features: number[];
  readonly salt: number[];
  /** Big-endian uint256: the slot's public input commitment (what the attestor posts). */
  readonly inputCommitment: `0x${string}`;
  readonly tier: number;
  readonly neverLiquidated: boolean;
}

/** A committed round proof (test/fixtures/<model>/round-full.json, round-padded.json). */
export interface RoundFixture {
  readonly name: string;
  readonly proof: `0x${string}`;
  /** 3 * slots + 1 big-endian uint256 public instances. */
  readonly instances: `0x${string}`[];
  readonly calldata: `0x${string}`;
  /** One per slot, padding included. */
  readonly wallets: RoundFixtureWallet[];
}

export function readRoundFixture(model: ModelSpec, name = "round-full"): RoundFixture {
  const { fixtures, fixtureManifest } = modelPaths(model);
  const manifest = JSON.parse(readFileSync(fixtureManifest, "utf8")) as { roundFixtures?: string[] };
  const file = `${name}.json`;
  if (!manifest.roundFixtures?.includes(file)) throw new Error(`${model.name} has no round fixture ${file} (run \`npm run pipeline -- --model ${model.name}\`)`);
  const f = JSON.parse(readFileSync(join(fixtures, file), "utf8")) as Omit<RoundFixture, "name">;
  return { ...f, name };
}
