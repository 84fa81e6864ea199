// `zkrisk index`: index every deployed chain, build each wallet's cross-chain features, commit
// to them (private store) and post the commitments on every chain.
import { join } from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { nodeKind, publicClient, roleAccount, walletClient } from "./accounts.js";
import { attestWallets, readInputScale, type AttestChain, type Attestation } from "./attestor.js";
import { CHAINS, chainLabel, rpcUrlFromEnv, type ChainInfo } from "./chains.js";
import { DEFAULT_DEPLOYMENTS_DIR, loadDeployment, readDeployment } from "./deployment.js";
import { loadFeatureSpec, type FeatureSpec } from "./features.js";
import { indexChain, walletFeatures, type ChainIndex, type ChainTarget, type WalletFeatures } from "./indexer.js";
import { DEFAULT_STORE_DIR } from "./store.js";
import { ROOT } from "../toolchain/paths.js";

export const DEFAULT_STATE_DIR = join(ROOT, ".zkrisk", "index");

export interface RunIndexOptions {
  /** Chains to index; default every zkrisk chain that has a deployment file. */
  readonly chains?: readonly ChainInfo[];
  readonly deploymentsDir?: string;
  readonly storeDir?: string;
  readonly stateDir?: string;
  readonly confirmations?: number;
  readonly chunkSize?: number;
  /** Only these wallets (each must have pool events on an indexed chain). */
  readonly wallets?: readonly Address[];
  /** RPC URL per chain id; default the chain's environment variable (ETH_RPC_URL, ...). */
  readonly rpcUrls?: Readonly<Record<number, string>>;
  /** Post the commitments (default true); false only indexes and builds features. */
  readonly post?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly spec?: FeatureSpec;
  readonly log?: (line: string) => void;
}

export interface RunIndexResult {
  readonly chains: readonly ChainIndex[];
  readonly wallets: readonly WalletFeatures[];
  readonly attestations: readonly Attestation[];
}

/** Parse "--wallet 0xA,0xB". */
export function parseWalletList(raw: string): Address[] {
  return raw.split(",").map((w) => {
    const t = w.trim();
    if (!isAddress(t, { strict: false })) throw new Error(`--wallet: "${t}" is not an address`);
    return getAddress(t);
  });
}

export async function runIndex(opts: RunIndexOptions = {}): Promise<RunIndexResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const dir = opts.deploymentsDir ?? DEFAULT_DEPLOYMENTS_DIR;
  const chains = opts.chains ?? CHAINS.filter((c) => readDeployment(c.chainId, dir));
  if (chains.length === 0) throw new Error(`no deployment in ${dir}: run \`npm run zkrisk -- deploy\` first`);
  const spec = opts.spec ?? loadFeatureSpec();
  const stateDir = opts.stateDir ?? DEFAULT_STATE_DIR;

  const setups = await Promise.all(
    chains.map(async (chain) => {
      const d = loadDeployment(chain.chainId, dir);
      const rpcUrl = opts.rpcUrls?.[chain.chainId] ?? rpcUrlFromEnv(chain, env);
      const client = publicClient(chain, rpcUrl);
      const lending = d.contracts.lending.address;
      const code = await client.getCode({ address: lending });
      if (!code || code === "0x") {
        throw new Error(`${chainLabel(chain)}: no ZkRiskLending at ${lending} (${rpcUrl}): the chain was reset or ${dir}/${chain.chainId}.json is stale; deploy again`);
      }
      const target: ChainTarget = { chainId: chain.chainId, client, lending, startBlock: d.deployBlock };
      return { chain, d, rpcUrl, client, target };
    }),
  );

  const indexed = await Promise.all(
    setups.map((s) => indexChain(s.target, { stateDir, log, ...(opts.confirmations !== undefined ? { confirmations: opts.confirmations } : {}), ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}) })),
  );
  const wallets = await walletFeatures(spec, indexed, stateDir, opts.wallets);
  if (opts.post === false) return { chains: indexed, wallets, attestations: [] };

  const attestChains: AttestChain[] = await Promise.all(
    setups.map(async (s) => {
      const { anvil } = await nodeKind(s.client);
      const account = roleAccount("attestor", { local: anvil, env });
      return { chainId: s.chain.chainId, publicClient: s.client, walletClient: walletClient(s.chain, s.rpcUrl, account), registry: s.d.contracts.registry.address };
    }),
  );
  const attestations = await attestWallets(wallets, attestChains, {
    storeDir: opts.storeDir ?? DEFAULT_STORE_DIR,
    inputScale: readInputScale(),
    salt: { saltLength: spec.saltLength, saltBits: spec.saltBits },
    log,
  });
  return { chains: indexed, wallets, attestations };
}
