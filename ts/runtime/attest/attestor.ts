// The attestor: for each indexed wallet, commits to its feature vector with a fresh salt
// (EZKL's Poseidon hash of the quantized salted input, the same value a proof's first public
// instance will carry), saves features + salt + commitment to the private store (the database's
// private_records) FIRST, then posts the commitment to the AttestationRegistry on every chain
// (skipping chains that already hold it) and records each posting (commitments_posted). The
// attestor is trusted for the data (see README, trust model): this is the part a stronger design
// would replace (several attestors, storage proofs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Account, Address, Chain, Hash, PublicClient, Transport, WalletClient } from "viem";
import { attestationRegistryAbi } from "../../generated/abi.generated.js";
import type { WalletFeatures } from "../indexer/indexer.js";
import { insertCommitmentsPosted } from "../db/attestations.js";
import type { Database } from "../db/engine.js";
import { latestRecordOf, saveRecord, STORE_VERSION, type StoreRecord } from "./store.js";
import { drawSalt, saltedInput, type SaltSpec } from "../../pipeline/salt.js";
import { inputCommitment } from "../../prover/engine.js";
import { ROOT } from "../../toolchain/paths.js";

export const CREDIT_MANIFEST = join(ROOT, "circuits", "credit", "manifest.json");

/** The circuit's input scale: part of the commitment (the hash covers round(x * 2^scale)). */
export function readInputScale(manifest: string = CREDIT_MANIFEST): number {
  let json: { inputScale?: unknown };
  try {
    json = JSON.parse(readFileSync(manifest, "utf8")) as { inputScale?: unknown };
  } catch {
    throw new Error(`cannot read the circuit manifest ${manifest}. Run \`npm run pipeline -- --model credit\` to generate it.`);
  }
  if (!Number.isInteger(json.inputScale)) throw new Error(`${manifest} has no integer inputScale`);
  return json.inputScale as number;
}

/** One chain's registry, and the attestor's signing client there. */
export interface AttestChain {
  readonly chainId: number;
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient<Transport, Chain | undefined, Account>;
  readonly registry: Address;
}

export interface AttestOptions {
  /** The runtime's database: the private store is its private_records table. */
  readonly db: Database;
  readonly inputScale: number;
  readonly salt: SaltSpec;
  readonly log?: (line: string) => void;
}

export interface ChainPost {
  readonly chainId: number;
  readonly status: "posted" | "unchanged";
  readonly tx?: Hash;
  /** The block that mined the posting. */
  readonly block?: number;
}

export interface Attestation {
  readonly wallet: Address;
  readonly commitment: bigint;
  /** False when the latest stored record already had these exact features (same salt kept). */
  readonly newCommitment: boolean;
  readonly chains: readonly ChainPost[];
}

/**
 * Fail before anything is sent unless the attestor holds ATTESTOR_ROLE on every chain's
 * registry, saying who must grant it.
 */
export async function checkAttestorRole(chains: readonly AttestChain[]): Promise<void> {
  for (const c of chains) {
    const attestor = c.walletClient.account.address;
    const code = await c.publicClient.getCode({ address: c.registry });
    if (!code || code === "0x") throw new Error(`chain ${c.chainId}: no AttestationRegistry at ${c.registry} (is the deployment file current?)`);
    const role = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "ATTESTOR_ROLE" });
    const has = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "hasRole", args: [role, attestor] });
    if (!has) {
      throw new Error(
        `chain ${c.chainId}: the attestor ${attestor} lacks ATTESTOR_ROLE on the registry ${c.registry}. ` +
          `A GOVERNOR_ROLE holder must call grantRole(${role}, ${attestor}) there, or use the key of an account that holds the role.`,
      );
    }
  }
}

const sameVector = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The store record to commit to: the wallet's latest one if it has exactly these features and
 * input scale (its salt and commitment are kept), else a new one with a fresh salt, saved
 * before it is returned.
 */
export async function commitFeatures(wf: WalletFeatures, opts: AttestOptions): Promise<{ record: StoreRecord; isNew: boolean }> {
  const latest = await latestRecordOf(opts.db, wf.wallet);
  if (latest && latest.inputScale === opts.inputScale && sameVector(latest.features, wf.features)) return { record: latest, isNew: false };
  const salt = drawSalt(opts.salt);
  const commitment = inputCommitment(saltedInput(wf.features, salt, opts.salt), opts.inputScale);
  const record: StoreRecord = {
    version: STORE_VERSION,
    wallet: wf.wallet,
    features: wf.features,
    rawAggregate: wf.raw,
    raw: wf.records,
    salt,
    commitment: commitment.toString(),
    inputScale: opts.inputScale,
    snapshotBlocks: wf.snapshotBlocks,
    createdAt: new Date().toISOString(),
  };
  await saveRecord(opts.db, record);
  return { record, isNew: true };
}

/** Post a commitment on one chain unless it already holds it; waits for the receipt. */
export async function postCommitment(c: AttestChain, wallet: Address, commitment: bigint): Promise<ChainPost> {
  const current = await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [wallet] });
  if (current.value === commitment) return { chainId: c.chainId, status: "unchanged" };
  const { request } = await c.publicClient.simulateContract({
    account: c.walletClient.account,
    address: c.registry,
    abi: attestationRegistryAbi,
    functionName: "postCommitment",
    args: [wallet, commitment],
  });
  const tx = await c.walletClient.writeContract(request);
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash: tx });
  if (receipt.status !== "success") throw new Error(`chain ${c.chainId}: postCommitment for ${wallet} reverted (tx ${tx})`);
  return { chainId: c.chainId, status: "posted", tx, block: Number(receipt.blockNumber) };
}

/** Commit to each wallet's features and post the commitment on every chain. */
export async function attestWallets(wallets: readonly WalletFeatures[], chains: readonly AttestChain[], opts: AttestOptions): Promise<Attestation[]> {
  await checkAttestorRole(chains);
  const log = opts.log ?? (() => {});
  const out: Attestation[] = [];
  for (const wf of wallets) {
    const { record, isNew } = await commitFeatures(wf, opts);
    const commitment = BigInt(record.commitment);
    const posts = await Promise.all(chains.map((c) => postCommitment(c, wf.wallet, commitment)));
    await insertCommitmentsPosted(
      opts.db,
      posts.flatMap((p) => (p.tx !== undefined && p.block !== undefined ? [{ chainId: p.chainId, tx: p.tx, wallet: wf.wallet, commitment, block: p.block }] : [])),
    );
    const posted = posts.filter((p) => p.status === "posted").map((p) => p.chainId);
    log(
      `${wf.wallet}: ${isNew ? "new" : "unchanged"} commitment ${record.commitment.slice(0, 12)}…; ` +
        `${posted.length ? `posted on chain(s) ${posted.join(", ")}` : "already on every chain"}`,
    );
    out.push({ wallet: wf.wallet, commitment, newCommitment: isNew, chains: posts });
  }
  return out;
}
