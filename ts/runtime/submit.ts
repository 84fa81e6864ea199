// Proof submission: for each wallet, find the chains whose registry holds a commitment the
// private store can open, prove once with the long-lived prover, and submit the attestation on
// each of those chains. A transient failure (RPC down, timeout, nonce race) is retried with
// exponential backoff; before every try the on-chain commitment is read again, and a proof is
// never sent against a commitment that changed meanwhile (the registry would also refuse it:
// InputCommitmentMismatch). A revert other than that is not retried: it is reported by name.
import type { Address, Hash, Hex } from "viem";
import type { Prover } from "../prover/prover.js";
import type { ProofResult } from "../prover/proof.js";
import { formatDuration } from "../toolchain/progress.js";
import { attestationRegistryAbi } from "./abi.generated.js";
import type { AttestChain } from "./attestor.js";
import { revertName, shortError } from "./errors.js";
import { findRecord, latestRecord, type StoreRecord } from "./store.js";

export interface SubmitOptions {
  readonly storeDir: string;
  /** The registered model the proofs are for (its parameter commitment). */
  readonly modelId: Hex;
  /** Tries per chain after the first (default 4). */
  readonly retries?: number;
  /** First backoff in ms, doubled per retry (default 500). */
  readonly backoffMs?: number;
  readonly log?: (line: string) => void;
}

export type ChainOutcome =
  | { chainId: number; status: "attested"; tier: number; tx: Hash; gasUsed: bigint; tries: number }
  | { chainId: number; status: "current"; tier: number }
  | { chainId: number; status: "no-commitment" | "unknown-commitment" | "commitment-changed" | "failed"; reason: string };

export interface WalletSubmission {
  readonly wallet: Address;
  /** The proven tier, if a proof was made or an attestation was already current. */
  readonly tier: number | undefined;
  readonly proveMs: number | undefined;
  readonly chains: readonly ChainOutcome[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function onChainCommitment(c: AttestChain, wallet: Address): Promise<bigint> {
  const { value } = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [wallet] });
  return value;
}

/** True when the chain already holds a live attestation for this commitment and model. */
async function isCurrent(c: AttestChain, wallet: Address, commitment: bigint, modelId: Hex): Promise<number | undefined> {
  const a = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "attestationOf", args: [wallet] });
  const block = await c.publicClient.getBlock();
  const live = a.inputCommitment === commitment && a.modelId.toLowerCase() === modelId.toLowerCase() && a.expiresAt > block.timestamp;
  return live ? a.tier : undefined;
}

/** Submit one proof on one chain, retrying transient failures; never against a changed commitment. */
export async function submitAttestation(
  c: AttestChain,
  wallet: Address,
  commitment: bigint,
  proof: ProofResult,
  opts: Pick<SubmitOptions, "modelId" | "retries" | "backoffMs" | "log">,
): Promise<ChainOutcome> {
  const retries = opts.retries ?? 4;
  const backoff = opts.backoffMs ?? 500;
  let last = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const wait = backoff * 2 ** (attempt - 1);
      opts.log?.(`      chain ${c.chainId}: try ${attempt + 1}/${retries + 1} in ${formatDuration(wait)} (${last})`);
      await sleep(wait);
    }
    try {
      const now = await onChainCommitment(c, wallet);
      if (now !== commitment) {
        return { chainId: c.chainId, status: "commitment-changed", reason: `the registry now holds commitment ${now}, not the proven ${commitment}: re-run \`zkrisk attest\` to prove the new one` };
      }
      const { request } = await c.publicClient.simulateContract({
        account: c.walletClient.account,
        address: c.registry,
        abi: attestationRegistryAbi,
        functionName: "attest",
        args: [wallet, opts.modelId, proof.proof as Hex, proof.instances.map((x) => BigInt(x))],
      });
      const tx = await c.walletClient.writeContract(request);
      const receipt = await c.publicClient.waitForTransactionReceipt({ hash: tx });
      if (receipt.status !== "success") {
        last = `tx ${tx} reverted`;
        continue; // the state moved between simulation and inclusion: read it again
      }
      return { chainId: c.chainId, status: "attested", tier: proof.tier, tx, gasUsed: receipt.gasUsed, tries: attempt + 1 };
    } catch (e) {
      const revert = revertName(e);
      if (revert) return { chainId: c.chainId, status: "failed", reason: `attest reverted with ${revert}` };
      last = shortError(e);
    }
  }
  return { chainId: c.chainId, status: "failed", reason: `gave up after ${retries + 1} tries: ${last}` };
}

/**
 * Prove and attest each wallet on every chain where its on-chain commitment is one the store
 * can open. One proof per commitment, however many chains hold it.
 */
export async function proveAndAttest(
  prover: Prover,
  wallets: readonly Address[],
  chains: readonly AttestChain[],
  opts: SubmitOptions,
): Promise<WalletSubmission[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const out: WalletSubmission[] = [];
  for (const [i, wallet] of wallets.entries()) {
    const prefix = `[${i + 1}/${wallets.length}] ${wallet}`;
    if (!latestRecord(opts.storeDir, wallet)) {
      throw new Error(`${wallet} has no features in the store ${opts.storeDir}: run \`zkrisk index\` first`);
    }
    const outcomes: ChainOutcome[] = [];
    const todo = new Map<string, { record: StoreRecord; chains: AttestChain[] }>();
    let tier: number | undefined;
    for (const c of chains) {
      const commitment = await onChainCommitment(c, wallet);
      if (commitment === 0n) {
        outcomes.push({ chainId: c.chainId, status: "no-commitment", reason: "no commitment posted on this chain: run `zkrisk index`" });
        continue;
      }
      const record = findRecord(opts.storeDir, wallet, commitment);
      if (!record) {
        outcomes.push({ chainId: c.chainId, status: "unknown-commitment", reason: `commitment ${commitment} is not in the store (posted by another attestor?)` });
        continue;
      }
      const current = await isCurrent(c, wallet, commitment, opts.modelId);
      if (current !== undefined) {
        outcomes.push({ chainId: c.chainId, status: "current", tier: current });
        tier = current;
        continue;
      }
      const entry = todo.get(record.commitment) ?? { record, chains: [] };
      entry.chains.push(c);
      todo.set(record.commitment, entry);
    }
    let proveMs: number | undefined;
    for (const { record, chains: targets } of todo.values()) {
      log(`${prefix}: proving (chains ${targets.map((c) => c.chainId).join(", ")})`);
      const started = performance.now();
      const proof = await prover.prove(record.features, record.salt);
      proveMs = performance.now() - started;
      tier = proof.tier;
      log(`${prefix}: tier ${proof.tier}, proved in ${formatDuration(proveMs)}; submitting`);
      for (const c of targets) {
        const o = await submitAttestation(c, wallet, BigInt(record.commitment), proof, { ...opts, log });
        outcomes.push(o);
        log(`${prefix}: chain ${c.chainId} ${o.status}${"reason" in o ? `: ${o.reason}` : ""}`);
      }
    }
    if (todo.size === 0) log(`${prefix}: nothing to prove (${outcomes.map((o) => `${o.chainId} ${o.status}`).join(", ")})`);
    outcomes.sort((a, b) => chains.findIndex((c) => c.chainId === a.chainId) - chains.findIndex((c) => c.chainId === b.chainId));
    out.push({ wallet, tier, proveMs, chains: outcomes });
  }
  return out;
}
