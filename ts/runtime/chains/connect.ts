// From "which chains, which deployments" to live connections: the one place a command loads
// deployments/<chainId>.json, picks each chain's RPC URL, checks the node answers with the
// right chain id and still holds the deployed code, and builds the role's signing client.
import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";
import { nodeKind, publicClient, roleAccount, walletClient, type Role } from "./accounts.js";
import { CHAINS, chainLabel, rpcUrlFromEnv, type ChainInfo } from "./chains.js";
import { hostOf, shortError } from "./errors.js";
import { DEFAULT_DEPLOYMENTS_DIR, loadDeployment, readDeployment, type Deployment } from "../deploy/deployment.js";

export interface ConnectOptions {
  /** Chains to use; default every zkrisk chain with a deployment file. */
  readonly chains?: readonly ChainInfo[];
  readonly deploymentsDir?: string;
  /** RPC URL per chain id; default the chain's environment variable (ETH_RPC_URL, ...). */
  readonly rpcUrls?: Readonly<Record<number, string>>;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ConnectedChain {
  readonly chain: ChainInfo;
  readonly rpcUrl: string;
  readonly deployment: Deployment;
  readonly client: PublicClient<Transport, Chain>;
  /** The node is an anvil (dev keys allowed). */
  readonly anvil: boolean;
}

/** Connect to every requested chain, or fail with one line naming the chain and what to do. */
export async function connectChains(opts: ConnectOptions = {}): Promise<ConnectedChain[]> {
  const env = opts.env ?? process.env;
  const dir = opts.deploymentsDir ?? DEFAULT_DEPLOYMENTS_DIR;
  const chains = opts.chains ?? CHAINS.filter((c) => readDeployment(c.chainId, dir));
  if (chains.length === 0) throw new Error(`no deployment in ${dir}: run \`npm run zkrisk -- deploy\` first`);
  return Promise.all(
    chains.map(async (chain) => {
      const deployment = loadDeployment(chain.chainId, dir);
      const rpcUrl = opts.rpcUrls?.[chain.chainId] ?? rpcUrlFromEnv(chain, env);
      const client = publicClient(chain, rpcUrl);
      const id = await client.getChainId().catch((e: Error) => {
        throw new Error(`${chainLabel(chain)}: RPC ${hostOf(rpcUrl)} is unreachable (${shortError(e)}); check ${chain.rpcEnv} or start the node`);
      });
      if (id !== chain.chainId) throw new Error(`${chainLabel(chain)}: RPC ${hostOf(rpcUrl)} serves chain id ${id}, not ${chain.chainId}`);
      const lending = deployment.contracts.lending.address;
      const code = await client.getCode({ address: lending });
      if (!code || code === "0x") {
        throw new Error(`${chainLabel(chain)}: no ZkRiskLending at ${lending}: the chain was reset or ${dir}/${chain.chainId}.json is stale; run \`zkrisk deploy\` again`);
      }
      const { anvil } = await nodeKind(client);
      return { chain, rpcUrl, deployment, client, anvil };
    }),
  );
}

/** The signing client of a role on a connected chain (dev keys only on anvil). */
export function signer(c: ConnectedChain, role: Role, env: NodeJS.ProcessEnv = process.env): WalletClient<Transport, Chain, Account> {
  return walletClient(c.chain, c.rpcUrl, roleAccount(role, { local: c.anvil, env }));
}
