// The fork workflow: run the prover and the keeper against anvil forks of live chains, so an
// operator can rehearse an attestation round or a liquidation wave on real state without
// touching it. The upstream is another anvil in the tests and a real RPC URL in production
// (ETH_RPC_URL, ...): the same code either way. Nothing is ever sent upstream. The fork's index
// reads the same sources as `zkrisk index`: zkrisk's pool and the protocols the deployment
// record lists (on a real network, the Aave v3 and Morpho Blue addresses pinned in
// script/config/<chainId>.json), so a wallet's real history on them feeds its features.
import { join } from "node:path";
import type { Address } from "viem";
import { getModel } from "../pipeline/models.js";
import { openProverPool, type ProverBackend } from "../prover/prover.js";
import { rpcUrlFromEnv, startAnvil, stopAll, type Anvil, type ChainInfo } from "./chains/chains.js";
import { connectChains, signer, type ConnectedChain } from "./chains/connect.js";
import { openDatabase, type Database } from "./db/engine.js";
import { runIndex } from "./indexer/index-run.js";
import type { WalletFeatures } from "./indexer/indexer.js";
import { fundKeeper, startKeeper, type LiquidationStat } from "./keeper/keeper.js";
import { proveAndAttest, type WalletSubmission } from "./attest/submit.js";

export interface ForkOptions {
  readonly chains: readonly ChainInfo[];
  /** Upstream RPC URL per chain id; default the chain's environment variable. */
  readonly upstream?: Readonly<Record<number, string>>;
  /** The upstream's deployment files (the fork has the same contracts at the same addresses). */
  readonly deploymentsDir?: string;
  /** Fork-local embedded database (index, features, private store: never the production one), in <workDir>/db. */
  readonly workDir: string;
  readonly wallets?: readonly Address[];
  readonly backend?: ProverBackend;
  /** Called on the forks after the attestations and before the keeper pass (e.g. a price shock). */
  readonly beforeKeeper?: (forks: readonly ConnectedChain[]) => Promise<void>;
  /** Keep the keeper running this long after its first pass (default 0: one pass, then stop). */
  readonly keeperMs?: number;
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** What the fork's index read on one chain: the protocols the deployment record lists, as on upstream. */
export interface ForkIndexSummary {
  readonly chainId: number;
  /** features.json ids of the sources indexed (zkrisk first). */
  readonly protocols: readonly string[];
  readonly events: number;
  /** Logs that did not decode, per protocol. */
  readonly undecodable: Readonly<Record<string, number>>;
}

export interface ForkResult {
  readonly forkUrls: Readonly<Record<number, string>>;
  readonly forkBlocks: Readonly<Record<number, number>>;
  readonly index: readonly ForkIndexSummary[];
  /** The wallets' features as indexed on the forks (per chain records name the protocols used). */
  readonly wallets: readonly WalletFeatures[];
  readonly submissions: readonly WalletSubmission[];
  readonly liquidations: readonly LiquidationStat[];
}

export async function runFork(opts: ForkOptions): Promise<ForkResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const env = opts.env ?? process.env;
  const forks: Anvil[] = [];
  let db: Database | undefined;
  try {
    for (const chain of opts.chains) {
      const upstream = opts.upstream?.[chain.chainId] ?? rpcUrlFromEnv(chain, env);
      forks.push(await startAnvil({ chainId: chain.chainId, forkUrl: upstream }));
      log(`fork of chain ${chain.chainId} at ${forks.at(-1)!.rpcUrl}`);
    }
    const rpcUrls = Object.fromEntries(forks.map((f) => [f.chainId, f.rpcUrl]));
    const connect = { chains: opts.chains, rpcUrls, env, ...(opts.deploymentsDir ? { deploymentsDir: opts.deploymentsDir } : {}) };
    const chains = await connectChains(connect);
    const forkBlocks = Object.fromEntries(await Promise.all(chains.map(async (c) => [c.chain.chainId, Number(await c.client.getBlockNumber())] as const)));
    db = await openDatabase(join(opts.workDir, "db"));
    const indexed = await runIndex({ ...connect, db, confirmations: 0, log, ...(opts.wallets ? { wallets: opts.wallets } : {}) });
    const wallets = opts.wallets ?? indexed.wallets.map((w) => w.wallet);
    const provers = openProverPool(getModel("credit"), { backend: opts.backend ?? "native" });
    let submissions: WalletSubmission[];
    try {
      const targets = chains.map((c) => ({ chainId: c.chain.chainId, publicClient: c.client, walletClient: signer(c, "attestor", env), registry: c.deployment.contracts.registry.address }));
      submissions = await proveAndAttest(provers, wallets, targets, { db, modelId: chains[0]!.deployment.modelId, log });
    } finally {
      await provers.close();
    }
    await opts.beforeKeeper?.(chains);
    const keeperChains = chains.map((c) => ({ chain: c.chain, rpcUrl: c.rpcUrl, deployment: c.deployment }));
    for (const c of keeperChains) if (c.deployment.mocks) await fundKeeper(c);
    const keeper = startKeeper({ chains: keeperChains, db, log });
    try {
      await keeper.ready;
      if (opts.keeperMs) await new Promise((r) => setTimeout(r, opts.keeperMs));
    } finally {
      await keeper.stop();
    }
    const index = indexed.chains.map((c) => ({
      chainId: c.chainId,
      protocols: (c.sources ?? []).map((s) => s.protocol),
      events: c.newEvents,
      undecodable: c.undecodable?.total ?? {},
    }));
    return { forkUrls: rpcUrls, forkBlocks, index, wallets: indexed.wallets, submissions, liquidations: keeper.stats() };
  } finally {
    await db?.close();
    await stopAll(forks);
  }
}
