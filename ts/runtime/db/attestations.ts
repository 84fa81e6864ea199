// What was sent on chain for the attestations: commitments posted by the attestor
// (commitments_posted). The tables of proofs submitted (attestation_submissions and their
// wallets) and of the keeper's liquidations exist in the schema; their writers come with the
// submission and keeper code's move onto the database.
import type { Address, Hash } from "viem";
import type { Sql } from "./engine.js";

export interface CommitmentPosted {
  readonly chainId: number;
  readonly tx: Hash;
  readonly wallet: Address;
  readonly commitment: bigint;
  readonly block: number;
}

/** Record commitments posted (idempotent per chain and transaction). */
export async function insertCommitmentsPosted(db: Sql, rows: readonly CommitmentPosted[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO commitments_posted (chain_id, tx_hash, wallet, commitment, block_number)
     SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::numeric[], $5::bigint[])
     ON CONFLICT (chain_id, tx_hash) DO NOTHING`,
    [rows.map((r) => r.chainId), rows.map((r) => r.tx.toLowerCase()), rows.map((r) => r.wallet.toLowerCase()), rows.map((r) => r.commitment.toString()), rows.map((r) => r.block)],
  );
}

/** The commitments posted for a wallet, oldest first. */
export async function commitmentsPostedFor(db: Sql, wallet: string): Promise<CommitmentPosted[]> {
  const rows = await db.query<{ chain_id: number; tx_hash: string; wallet: string; commitment: string; block_number: number }>(
    "SELECT chain_id, tx_hash, wallet, commitment::text AS commitment, block_number FROM commitments_posted WHERE wallet = $1 ORDER BY posted_at, chain_id",
    [wallet.toLowerCase()],
  );
  return rows.map((r) => ({ chainId: r.chain_id, tx: r.tx_hash as Hash, wallet: r.wallet as Address, commitment: BigInt(r.commitment), block: r.block_number }));
}
