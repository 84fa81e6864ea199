// Proof submission in rounds. For each wallet, find the chains whose registry holds a commitment
// the private store can open and that has no valid attestation yet; fill rounds of the round
// circuit's size with those wallets (ascending by address, as the registry requires), prove each
// round once with the long-lived prover, and submit it on every chain that holds one of its
// commitments. A lone wallet goes through the single-wallet circuit instead (mode "auto").
//
// A transient failure (RPC down, timeout, nonce race) is retried with exponential backoff. A round
// never reverts for one wallet: the registry skips a slot whose commitment changed since proving
// (SlotSkipped) and attests the rest. The single-wallet path re-reads the commitment before every
// try and never sends a proof against a commitment that changed (the registry would refuse it). A
// revert is reported by its error name, not retried, except running out of gas: VerifierOutOfGas
// (the verifier ran out of gas under the transaction's limit: a node whose estimate ignores
// EIP-150's 63/64 rule, or a limit set too low) or a transaction that used all its gas is sent
// again at once with 1.5x the gas.
//
// The private records are read from the database, one wallet at a time. Every transaction sent is
// recorded there (attestation_submissions: chain, tx, circuit, model, status, round id; its
// wallets by slot in attestation_submission_wallets with what the registry did for each): as
// 'sent' before its receipt is awaited, then 'attested' (mined; per wallet attested or skipped)
// or 'reverted'. A failure to record is not retried like an RPC error: it stops the submission
// (the transaction may have landed; re-running `zkrisk attest` proves only what is still missing).
import { decodeEventLog, zeroAddress, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";
import type { ProverPool } from "../../prover/prover.js";
import type { ProofResult } from "../../prover/proof.js";
import { formatDuration } from "../../toolchain/progress.js";
import { attestationRegistryAbi } from "../../generated/abi.generated.js";
import type { AttestChain } from "./attestor.js";
import { revertName, shortError } from "../chains/errors.js";
import { recordsOf, type StoreRecord } from "./store.js";
import type { Database } from "../db/engine.js";
import { recordSubmissionSent, recordSubmissionSettled } from "../db/attestations.js";

/** Which circuit proves: rounds (a lone wallet through the single-wallet circuit), always rounds, or one proof per wallet. */
export const ROUND_MODES = ["auto", "round", "single"] as const;
export type RoundMode = (typeof ROUND_MODES)[number];

export interface SubmitOptions {
  /** The runtime's database: the private records are read from it, every submission is recorded in it. */
  readonly db: Database;
  /** The registered model the proofs are for (its parameter commitment). */
  readonly modelId: Hex;
  /** Default "auto". */
  readonly mode?: RoundMode;
  /** Tries per chain after the first (default 4). */
  readonly retries?: number;
  /** First backoff in ms, doubled per retry (default 500). */
  readonly backoffMs?: number;
  readonly log?: (line: string) => void;
}

/** What submitProof takes: the model, the retry policy, and optionally the first try's gas limit. */
export interface SubmitProofOptions extends Pick<SubmitOptions, "modelId" | "retries" | "backoffMs" | "log"> {
  /** Where each transaction sent is recorded (attestation_submissions); none: not recorded. */
  readonly db?: Database;
  /** The gas limit of the first try (default: the node's estimate). A try whose verifier runs out of gas is sent again with 1.5x. */
  readonly gas?: bigint;
}

/** The registry's revert when the verifier call failed for lack of gas (ErrorsLib.VerifierOutOfGas). */
const VERIFIER_OUT_OF_GAS = "VerifierOutOfGas";

/** Why the registry skipped a wallet's slot (IAttestationRegistry.SkipReason, in order). */
const SKIP_REASONS = ["no commitment", "commitment changed since proving", "commitment older than the model's lifetime"] as const;

export type ChainOutcome =
  | { chainId: number; status: "attested"; tier: number; neverLiquidated: boolean | undefined; tx: Hash; roundId: bigint; gasUsed: bigint; walletsInTx: number; tries: number }
  | { chainId: number; status: "current"; tier: number }
  | { chainId: number; status: "no-commitment" | "unknown-commitment" | "commitment-changed" | "skipped" | "failed"; reason: string };

export interface WalletSubmission {
  readonly wallet: Address;
  /** The proven tier, if a proof was made or an attestation was already current. */
  readonly tier: number | undefined;
  readonly neverLiquidated: boolean | undefined;
  /** The circuit that proved it, and the proof's time shared by the round's wallets. */
  readonly circuit: "single" | "round" | undefined;
  readonly proveMs: number | undefined;
  readonly chains: readonly ChainOutcome[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The database could not record a submission: not an RPC failure, never retried. */
class RecordError extends Error {
  override name = "RecordError";
}

async function recorded(what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    throw new RecordError(`${what} could not be recorded in the database: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

async function onChainCommitment(c: AttestChain, wallet: Address): Promise<bigint> {
  const { value } = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [wallet] });
  return value;
}

/** The wallet's tier when the chain already holds a valid attestation of its current commitment under this model. */
async function currentTier(c: AttestChain, wallet: Address, modelId: Hex): Promise<number | undefined> {
  const [tier, , verified] = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "tierOf", args: [wallet] });
  if (!verified) return undefined;
  const a = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "attestationOf", args: [wallet] });
  return a.modelId.toLowerCase() === modelId.toLowerCase() ? tier : undefined;
}

/** One wallet's commitment to prove, and the chains that hold it without a valid attestation. */
interface Job {
  readonly wallet: Address;
  readonly record: StoreRecord;
  readonly chains: AttestChain[];
}

/** What one proof's transaction did for each wallet, read from the registry's events. */
function walletResults(receipt: TransactionReceipt, registry: Address): { roundId: bigint; attested: Map<string, { tier: number; neverLiquidated: boolean }>; skipped: Map<string, string> } {
  const attested = new Map<string, { tier: number; neverLiquidated: boolean }>();
  const skipped = new Map<string, string>();
  let roundId = 0n;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== registry.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: attestationRegistryAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "Attested") attested.set(ev.args.wallet.toLowerCase(), { tier: ev.args.tier, neverLiquidated: ev.args.neverLiquidated });
      if (ev.eventName === "SlotSkipped") skipped.set(ev.args.wallet.toLowerCase(), SKIP_REASONS[ev.args.reason] ?? `reason ${ev.args.reason}`);
      if (ev.eventName === "RoundAttested") roundId = ev.args.roundId;
    } catch {
      // another contract's event at the same address cannot happen; ignore what does not decode
    }
  }
  return { roundId, attested, skipped };
}

/**
 * Submit one proof on one chain, retrying transient failures. `wallets` are the proof's slots in
 * order (padding is address(0)); a single-wallet proof goes to `attest`, a round to `attestRound`.
 * Each try simulates the call, estimates its gas (unless a limit is set) and sends it with that
 * limit; when the verifier runs out of gas (VerifierOutOfGas, from the node or from replaying a
 * reverted transaction) or the transaction used all its gas, the next try goes at once with 1.5x
 * the limit instead of failing.
 * Returns the outcome for every real wallet of the proof.
 */
export async function submitProof(
  c: AttestChain,
  wallets: readonly Address[],
  commitments: ReadonlyMap<string, bigint>,
  proof: ProofResult,
  round: boolean,
  opts: SubmitProofOptions,
): Promise<Map<string, ChainOutcome>> {
  const retries = opts.retries ?? 4;
  const backoff = opts.backoffMs ?? 500;
  const real = wallets.filter((w) => w !== zeroAddress);
  const all = (o: ChainOutcome) => new Map(real.map((w) => [w.toLowerCase(), o]));
  let last = "";
  let gas = opts.gas;
  let outOfGas = false;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const wait = outOfGas ? 0 : backoff * 2 ** (attempt - 1);
      opts.log?.(`      chain ${c.chainId}: try ${attempt + 1}/${retries + 1}${wait ? ` in ${formatDuration(wait)}` : ""} (${last})`);
      await sleep(wait);
    }
    outOfGas = false;
    let limit: bigint | undefined;
    try {
      const args = proof.instances.map((x) => BigInt(x));
      let call;
      if (round) {
        call = { address: c.registry, abi: attestationRegistryAbi, functionName: "attestRound", args: [opts.modelId, [...wallets], proof.proof as Hex, args] } as const;
      } else {
        const wallet = real[0]!;
        const now = await onChainCommitment(c, wallet);
        const proven = commitments.get(wallet.toLowerCase())!;
        if (now !== proven) {
          return all({ chainId: c.chainId, status: "commitment-changed", reason: `the registry now holds commitment ${now}, not the proven ${proven}: re-run \`zkrisk attest\` to prove the new one` });
        }
        call = { address: c.registry, abi: attestationRegistryAbi, functionName: "attest", args: [wallet, opts.modelId, proof.proof as Hex, args] } as const;
      }
      const account = c.walletClient.account;
      const { request } = await c.publicClient.simulateContract({ ...call, account });
      limit = gas ?? (await c.publicClient.estimateContractGas({ ...call, account }));
      const tx = await c.walletClient.writeContract({ ...request, gas: limit });
      const db = opts.db;
      const sent = `${round ? "attestRound" : "attest"} tx ${tx} on chain ${c.chainId}`;
      if (db) {
        const slots = wallets.flatMap((w, slot) => (w === zeroAddress ? [] : [{ slot, wallet: w, commitment: commitments.get(w.toLowerCase()) ?? 0n }]));
        await recorded(sent, () => recordSubmissionSent(db, { chainId: c.chainId, tx, circuit: round ? "round" : "single", modelId: opts.modelId, tries: attempt + 1, wallets: slots }));
      }
      const receipt = await c.publicClient.waitForTransactionReceipt({ hash: tx });
      if (receipt.status !== "success") {
        // Why: the same call with the same limit, replayed on the state after its block.
        const why = await c.publicClient
          .simulateContract({ ...call, account, gas: limit, blockNumber: receipt.blockNumber })
          .then(() => undefined, (e: unknown) => revertName(e));
        if (db) {
          const error = why ?? (receipt.gasUsed >= limit ? "out of gas" : undefined);
          await recorded(sent, () => recordSubmissionSettled(db, { chainId: c.chainId, tx, status: "reverted", block: Number(receipt.blockNumber), gasUsed: receipt.gasUsed, error }));
        }
        if (why === VERIFIER_OUT_OF_GAS || receipt.gasUsed >= limit) {
          gas = (limit * 3n) / 2n;
          outOfGas = true;
          const who = why === VERIFIER_OUT_OF_GAS ? "the verifier" : "the transaction";
          last = `tx ${tx}: ${who} ran out of gas with a limit of ${limit}; sending again with ${gas}`;
        } else last = `tx ${tx} reverted${why ? ` (${why})` : ""}`;
        continue; // out of gas, or the state moved between simulation and inclusion: read it again
      }
      const { roundId, attested, skipped } = walletResults(receipt, c.registry);
      if (db) {
        const outcomes = real.map((w) => {
          const a = attested.get(w.toLowerCase());
          return a
            ? { wallet: w, outcome: "attested" as const, tier: a.tier, neverLiquidated: a.neverLiquidated }
            : { wallet: w, outcome: "skipped" as const, skipReason: skipped.get(w.toLowerCase()) ?? "no event" };
        });
        await recorded(sent, () => recordSubmissionSettled(db, { chainId: c.chainId, tx, status: "attested", roundId, block: Number(receipt.blockNumber), gasUsed: receipt.gasUsed, outcomes }));
      }
      const out = new Map<string, ChainOutcome>();
      for (const w of real) {
        const key = w.toLowerCase();
        const a = attested.get(key);
        if (a) {
          out.set(key, { chainId: c.chainId, status: "attested", tier: a.tier, neverLiquidated: a.neverLiquidated, tx, roundId, gasUsed: receipt.gasUsed, walletsInTx: attested.size, tries: attempt + 1 });
        } else {
          out.set(key, { chainId: c.chainId, status: "skipped", reason: `the registry skipped the slot: ${skipped.get(key) ?? "no event"}` });
        }
      }
      return out;
    } catch (e) {
      if (e instanceof RecordError) throw e;
      const revert = revertName(e);
      if (revert === VERIFIER_OUT_OF_GAS) {
        const from = limit ?? gas;
        if (from !== undefined) gas = (from * 3n) / 2n;
        outOfGas = true;
        last = `the verifier ran out of gas${from !== undefined ? ` with a limit of ${from}; sending again with ${gas}` : ""}`;
        continue;
      }
      if (revert) return all({ chainId: c.chainId, status: "failed", reason: `${round ? "attestRound" : "attest"} reverted with ${revert}` });
      last = shortError(e);
    }
  }
  return all({ chainId: c.chainId, status: "failed", reason: `gave up after ${retries + 1} tries: ${last}` });
}

/** Split jobs into proofs: rounds of at most `slots` distinct wallets, ascending by address. */
export function planRounds<T extends { wallet: Address }>(jobs: readonly T[], slots: number): T[][] {
  const sorted = [...jobs].sort((a, b) => (BigInt(a.wallet) < BigInt(b.wallet) ? -1 : BigInt(a.wallet) > BigInt(b.wallet) ? 1 : 0));
  const rounds: T[][] = [];
  for (const job of sorted) {
    const open = rounds.find((r) => r.length < slots && !r.some((j) => j.wallet.toLowerCase() === job.wallet.toLowerCase()));
    if (open) open.push(job);
    else rounds.push([job]);
  }
  // a wallet with two commitments lands in a later round; keep every round ascending
  for (const r of rounds) r.sort((a, b) => (BigInt(a.wallet) < BigInt(b.wallet) ? -1 : 1));
  return rounds;
}

/**
 * Prove and attest each wallet on every chain where its on-chain commitment is one the store
 * can open and is not yet attested. One proof per round of wallets, however many chains hold them.
 */
export async function proveAndAttest(
  provers: ProverPool,
  wallets: readonly Address[],
  chains: readonly AttestChain[],
  opts: SubmitOptions,
): Promise<WalletSubmission[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const mode = opts.mode ?? "auto";
  const outcomes = new Map<string, ChainOutcome[]>(wallets.map((w) => [w.toLowerCase(), []]));
  const tiers = new Map<string, { tier: number; neverLiquidated?: boolean | undefined; circuit?: "single" | "round"; proveMs?: number }>();
  const jobs: Job[] = [];
  for (const wallet of wallets) {
    const records = await recordsOf(opts.db, wallet);
    if (records.length === 0) {
      throw new Error(`${wallet} has no features in the private store of ${opts.db.label}: run \`zkrisk index\` first`);
    }
    const mine = new Map<string, Job>();
    for (const c of chains) {
      const push = (o: ChainOutcome) => outcomes.get(wallet.toLowerCase())!.push(o);
      const commitment = await onChainCommitment(c, wallet);
      if (commitment === 0n) {
        push({ chainId: c.chainId, status: "no-commitment", reason: "no commitment posted on this chain: run `zkrisk index`" });
        continue;
      }
      const record = records.find((r) => r.commitment === commitment.toString());
      if (!record) {
        push({ chainId: c.chainId, status: "unknown-commitment", reason: `commitment ${commitment} is not in the store (posted by another attestor?)` });
        continue;
      }
      const current = await currentTier(c, wallet, opts.modelId);
      if (current !== undefined) {
        push({ chainId: c.chainId, status: "current", tier: current });
        tiers.set(wallet.toLowerCase(), { tier: current });
        continue;
      }
      const job = mine.get(record.commitment) ?? { wallet, record, chains: [] };
      job.chains.push(c);
      mine.set(record.commitment, job);
    }
    jobs.push(...mine.values());
  }

  const roundSlots = mode === "single" ? 1 : (await provers.slots("round"));
  const rounds = planRounds(jobs, roundSlots);
  for (const [k, members] of rounds.entries()) {
    const circuit = mode === "single" || (mode === "auto" && members.length === 1) ? "single" : "round";
    const prover = await provers.get(circuit);
    const slots = prover.circuit.slots;
    const targets = chains.filter((c) => members.some((j) => j.chains.includes(c)));
    const head = `[proof ${k + 1}/${rounds.length}] ${members.length} wallet(s) in the ${circuit} circuit (${slots} slot${slots > 1 ? "s" : ""})`;
    log(`${head}: proving (chains ${targets.map((c) => c.chainId).join(", ")})`);
    const started = performance.now();
    const proof = await prover.proveRound(members.map((j) => ({ features: j.record.features, salt: j.record.salt })));
    const proveMs = performance.now() - started;
    members.forEach((j, i) => {
      const s = proof.slots[i]!;
      tiers.set(j.wallet.toLowerCase(), { tier: s.tier, neverLiquidated: s.neverLiquidated, circuit, proveMs: proveMs / members.length });
    });
    log(`${head}: proved in ${formatDuration(proveMs)} (${formatDuration(proveMs / members.length)} per wallet); submitting`);
    const slotWallets = [...members.map((j) => j.wallet), ...Array.from({ length: slots - members.length }, () => zeroAddress)];
    const commitments = new Map(members.map((j) => [j.wallet.toLowerCase(), BigInt(j.record.commitment)]));
    for (const c of targets) {
      const results = await submitProof(c, slotWallets, commitments, proof, circuit === "round", { ...opts, log });
      const counts = new Map<string, number>();
      for (const j of members) {
        if (!j.chains.includes(c)) continue; // already current or not held there: its outcome is recorded above
        const o = results.get(j.wallet.toLowerCase())!;
        outcomes.get(j.wallet.toLowerCase())!.push(o);
        counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
        if ("reason" in o) log(`      ${j.wallet} on chain ${c.chainId}: ${o.status}: ${o.reason}`);
      }
      const tx = [...results.values()].find((o) => o.status === "attested");
      log(`${head}: chain ${c.chainId} ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}${tx && tx.status === "attested" ? ` (tx ${tx.tx}, ${tx.gasUsed} gas)` : ""}`);
    }
  }
  if (jobs.length === 0) log("nothing to prove: every wallet's commitment is attested or cannot be opened");
  return wallets.map((wallet) => {
    const list = outcomes.get(wallet.toLowerCase())!;
    list.sort((a, b) => chains.findIndex((c) => c.chainId === a.chainId) - chains.findIndex((c) => c.chainId === b.chainId));
    const t = tiers.get(wallet.toLowerCase());
    return { wallet, tier: t?.tier, neverLiquidated: t?.neverLiquidated, circuit: t?.circuit, proveMs: t?.proveMs, chains: list };
  });
}
