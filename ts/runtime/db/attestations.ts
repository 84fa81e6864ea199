// What was sent on chain, as the runtime's own log: commitments posted by the attestor
// (commitments_posted), proofs submitted to a registry with the per-wallet outcome
// (attestation_submissions + attestation_submission_wallets), and the keeper's liquidations
// (keeper_liquidations). Everything here is public (it is on chain); nothing private is written.
//
// A submission is recorded when its transaction is sent (status 'sent', its slots with no
// outcome yet), then settled from its receipt: 'attested' (mined, with the round id, block, gas
// and each slot's outcome: attested with its tier and claim, or skipped with the reason) or
// 'reverted' (with the error name). A liquidation likewise: 'sent', then 'liquidated' (block,
// delay, amounts) or 'reverted'.
import { getAddress, type Address, type Hash } from "viem";
import type { Database, Sql } from "./engine.js";

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

/* PROOFS SUBMITTED */

export type SubmissionStatus = "sent" | "attested" | "reverted";
export type SlotOutcome = "attested" | "skipped";

/** A proof's transaction as it was sent: its real wallets by slot (padding is not recorded). */
export interface SubmissionSent {
  readonly chainId: number;
  readonly tx: Hash;
  readonly circuit: "single" | "round";
  readonly modelId: string;
  /** Which try of this proof on this chain (1 = the first). */
  readonly tries: number;
  readonly wallets: readonly { readonly slot: number; readonly wallet: Address; readonly commitment: bigint }[];
}

/** A sent proof's receipt: mined (each slot's outcome) or reverted (the error name, if known). */
export type SubmissionSettled =
  | {
      readonly chainId: number;
      readonly tx: Hash;
      readonly status: "attested";
      readonly roundId: bigint | undefined;
      readonly block: number;
      readonly gasUsed: bigint;
      readonly outcomes: readonly { readonly wallet: Address; readonly outcome: SlotOutcome; readonly tier?: number; readonly neverLiquidated?: boolean; readonly skipReason?: string }[];
    }
  | { readonly chainId: number; readonly tx: Hash; readonly status: "reverted"; readonly block: number; readonly gasUsed: bigint; readonly error: string | undefined };

/** Record a proof's transaction as sent, with its wallets (idempotent per chain and transaction). */
export async function recordSubmissionSent(db: Database, s: SubmissionSent): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO attestation_submissions (chain_id, tx_hash, circuit, model_id, status, tries)
       VALUES ($1, $2, $3, $4, 'sent', $5) ON CONFLICT (chain_id, tx_hash) DO NOTHING`,
      [s.chainId, s.tx.toLowerCase(), s.circuit, s.modelId.toLowerCase(), s.tries],
    );
    if (s.wallets.length === 0) return;
    await tx.query(
      `INSERT INTO attestation_submission_wallets (chain_id, tx_hash, slot, wallet, commitment)
       SELECT $1::integer, $2::text, * FROM unnest($3::smallint[], $4::text[], $5::numeric[])
       ON CONFLICT (chain_id, tx_hash, slot) DO NOTHING`,
      [s.chainId, s.tx.toLowerCase(), s.wallets.map((w) => w.slot), s.wallets.map((w) => w.wallet.toLowerCase()), s.wallets.map((w) => w.commitment.toString())],
    );
  });
}

/** Record a sent proof's receipt: its status, block, gas, round id and each wallet's outcome, in one transaction. */
export async function recordSubmissionSettled(db: Database, s: SubmissionSettled): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE attestation_submissions SET status = $3, round_id = $4, block_number = $5, gas_used = $6, error = $7
       WHERE chain_id = $1 AND tx_hash = $2 RETURNING tx_hash`,
      [s.chainId, s.tx.toLowerCase(), s.status, s.status === "attested" && s.roundId !== undefined ? s.roundId : null, s.block, s.gasUsed, s.status === "reverted" ? (s.error ?? null) : null],
    );
    if (updated.length === 0) throw new Error(`submission ${s.tx} on chain ${s.chainId} was not recorded as sent`);
    if (s.status !== "attested" || s.outcomes.length === 0) return;
    await tx.query(
      `UPDATE attestation_submission_wallets AS w SET outcome = o.outcome, tier = o.tier, never_liquidated = o.never, skip_reason = o.reason
       FROM unnest($3::text[], $4::text[], $5::smallint[], $6::boolean[], $7::text[]) AS o(wallet, outcome, tier, never, reason)
       WHERE w.chain_id = $1 AND w.tx_hash = $2 AND w.wallet = o.wallet`,
      [
        s.chainId,
        s.tx.toLowerCase(),
        s.outcomes.map((o) => o.wallet.toLowerCase()),
        s.outcomes.map((o) => o.outcome),
        s.outcomes.map((o) => o.tier ?? null),
        s.outcomes.map((o) => o.neverLiquidated ?? null),
        s.outcomes.map((o) => o.skipReason ?? null),
      ],
    );
  });
}

export interface SubmissionRow {
  readonly chainId: number;
  readonly tx: Hash;
  readonly circuit: "single" | "round";
  readonly modelId: string;
  readonly status: SubmissionStatus;
  readonly roundId: bigint | undefined;
  readonly block: number | undefined;
  readonly gasUsed: bigint | undefined;
  readonly tries: number;
  readonly error: string | undefined;
  readonly wallets: readonly {
    readonly slot: number;
    readonly wallet: Address;
    readonly commitment: bigint;
    readonly outcome: SlotOutcome | undefined;
    readonly tier: number | undefined;
    readonly neverLiquidated: boolean | undefined;
    readonly skipReason: string | undefined;
  }[];
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/** The submissions recorded (optionally those with a wallet of `wallet` in a slot), in the order sent, each with its wallets by slot. */
export async function submissions(db: Sql, filter: { wallet?: string } = {}): Promise<SubmissionRow[]> {
  const subs = await db.query<{
    chain_id: number;
    tx_hash: string;
    circuit: "single" | "round";
    model_id: string;
    status: SubmissionStatus;
    round_id: string | null;
    block_number: number | null;
    gas_used: string | null;
    tries: number;
    error: string | null;
  }>(
    `SELECT chain_id, tx_hash, circuit, model_id, status, round_id::text AS round_id, block_number, gas_used::text AS gas_used, tries, error
     FROM attestation_submissions s
     WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM attestation_submission_wallets w WHERE w.chain_id = s.chain_id AND w.tx_hash = s.tx_hash AND w.wallet = $1)
     ORDER BY submitted_at, chain_id, tx_hash`,
    [filter.wallet?.toLowerCase() ?? null],
  );
  if (subs.length === 0) return [];
  const slots = await db.query<{
    chain_id: number;
    tx_hash: string;
    slot: number;
    wallet: string;
    commitment: string;
    outcome: SlotOutcome | null;
    tier: number | null;
    never_liquidated: boolean | null;
    skip_reason: string | null;
  }>(
    `SELECT chain_id, tx_hash, slot, wallet, commitment::text AS commitment, outcome, tier, never_liquidated, skip_reason
     FROM attestation_submission_wallets WHERE tx_hash = ANY($1::text[]) ORDER BY chain_id, tx_hash, slot`,
    [subs.map((s) => s.tx_hash)],
  );
  return subs.map((s) => ({
    chainId: s.chain_id,
    tx: s.tx_hash as Hash,
    circuit: s.circuit,
    modelId: s.model_id,
    status: s.status,
    roundId: s.round_id === null ? undefined : BigInt(s.round_id),
    block: opt(s.block_number),
    gasUsed: s.gas_used === null ? undefined : BigInt(s.gas_used),
    tries: s.tries,
    error: opt(s.error),
    wallets: slots
      .filter((w) => w.chain_id === s.chain_id && w.tx_hash === s.tx_hash)
      .map((w) => ({
        slot: w.slot,
        wallet: getAddress(w.wallet),
        commitment: BigInt(w.commitment),
        outcome: opt(w.outcome),
        tier: opt(w.tier),
        neverLiquidated: opt(w.never_liquidated),
        skipReason: opt(w.skip_reason),
      })),
  }));
}

/* THE KEEPER'S LIQUIDATIONS */

export type LiquidationStatus = "sent" | "liquidated" | "reverted";

/** One row of the keeper's log: a liquidation sent, then settled. */
export interface LiquidationRow {
  readonly chainId: number;
  readonly tx: Hash;
  readonly borrower: Address;
  readonly status: LiquidationStatus;
  /** The first block of the unhealthy streak the liquidation ends. */
  readonly becameLiquidatableBlock: number;
  readonly liquidatedBlock?: number | undefined;
  readonly delayBlocks?: number | undefined;
  /** Loan-token base units repaid, collateral base units seized, loan-token base units written off. */
  readonly repaidAssets?: bigint | undefined;
  readonly seizedAssets?: bigint | undefined;
  readonly badDebt?: bigint | undefined;
}

/** Write a liquidation's row: inserted when sent, replaced by what its receipt says (keyed by chain, transaction and borrower: a batch liquidates many). */
export async function recordLiquidation(db: Sql, r: LiquidationRow): Promise<void> {
  await db.query(
    `INSERT INTO keeper_liquidations (chain_id, tx_hash, borrower, status, became_liquidatable_block, liquidated_block, delay_blocks, repaid_assets, seized_assets, bad_debt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (chain_id, tx_hash, borrower) DO UPDATE SET status = EXCLUDED.status, became_liquidatable_block = EXCLUDED.became_liquidatable_block,
       liquidated_block = EXCLUDED.liquidated_block, delay_blocks = EXCLUDED.delay_blocks, repaid_assets = EXCLUDED.repaid_assets,
       seized_assets = EXCLUDED.seized_assets, bad_debt = EXCLUDED.bad_debt, logged_at = now()`,
    [
      r.chainId,
      r.tx.toLowerCase(),
      r.borrower.toLowerCase(),
      r.status,
      r.becameLiquidatableBlock,
      r.liquidatedBlock ?? null,
      r.delayBlocks ?? null,
      r.repaidAssets ?? null,
      r.seizedAssets ?? null,
      r.badDebt ?? null,
    ],
  );
}

/** Forget the liquidations of a transaction that never reached a block (dropped, or replaced by another version). */
export async function deleteLiquidation(db: Sql, chainId: number, tx: Hash): Promise<void> {
  await db.query("DELETE FROM keeper_liquidations WHERE chain_id = $1 AND tx_hash = $2 AND status = 'sent'", [chainId, tx.toLowerCase()]);
}

/** The keeper's log (optionally of one chain), by chain, oldest first. */
export async function keeperLiquidations(db: Sql, filter: { chainId?: number } = {}): Promise<LiquidationRow[]> {
  const rows = await db.query<{
    chain_id: number;
    tx_hash: string;
    borrower: string;
    status: LiquidationStatus;
    became_liquidatable_block: number;
    liquidated_block: number | null;
    delay_blocks: number | null;
    repaid_assets: string | null;
    seized_assets: string | null;
    bad_debt: string | null;
  }>(
    `SELECT chain_id, tx_hash, borrower, status, became_liquidatable_block, liquidated_block, delay_blocks,
            repaid_assets::text AS repaid_assets, seized_assets::text AS seized_assets, bad_debt::text AS bad_debt
     FROM keeper_liquidations WHERE $1::integer IS NULL OR chain_id = $1 ORDER BY chain_id, coalesce(liquidated_block, became_liquidatable_block), tx_hash, borrower`,
    [filter.chainId ?? null],
  );
  const big = (v: string | null) => (v === null ? undefined : BigInt(v));
  return rows.map((r) => ({
    chainId: r.chain_id,
    tx: r.tx_hash as Hash,
    borrower: getAddress(r.borrower),
    status: r.status,
    becameLiquidatableBlock: r.became_liquidatable_block,
    liquidatedBlock: opt(r.liquidated_block),
    delayBlocks: opt(r.delay_blocks),
    repaidAssets: big(r.repaid_assets),
    seizedAssets: big(r.seized_assets),
    badDebt: big(r.bad_debt),
  }));
}
