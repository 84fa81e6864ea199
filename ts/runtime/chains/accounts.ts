// Keys and clients: the one place that builds viem accounts, chain objects and clients.
// Keys come from the environment, or, on local anvil chains only, from anvil's well-known dev
// mnemonic. A key is never printed: errors name the variable, never its value.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { type ChainInfo } from "./chains.js";

export type Role = "deployer" | "attestor" | "keeper";

/** The environment variable holding each role's private key. */
export const KEY_ENV: Readonly<Record<Role, string>> = {
  deployer: "ZKRISK_DEPLOYER_KEY",
  attestor: "ZKRISK_ATTESTOR_KEY",
  keeper: "ZKRISK_KEEPER_KEY",
};

/** anvil's default mnemonic: its keys are public, for local chains only. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** Dev account index of each role on local anvil chains; demo wallets start at DEMO_WALLET_BASE. */
export const DEV_INDEX: Readonly<Record<Role, number>> = { deployer: 0, attestor: 1, keeper: 2 };
export const DEMO_WALLET_BASE = 3;

/** Where the keys may come from: local anvil chains allow the public dev keys. */
export interface KeySource {
  readonly local: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** anvil dev key `index` (m/44'/60'/0'/0/index of the default mnemonic). */
export function anvilDevKey(index: number): Hex {
  const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new Error(`could not derive anvil dev key ${index}`);
  return `0x${Buffer.from(key).toString("hex")}`;
}

/**
 * A role's private key: its environment variable, else (local anvil chains only) the dev key.
 * Errors name the variable and never contain the value.
 */
export function roleKey(role: Role, { local, env = process.env }: KeySource): Hex {
  const name = KEY_ENV[role];
  const raw = env[name]?.trim();
  if (raw) {
    const hex = raw.startsWith("0x") ? raw : `0x${raw}`;
    if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${name} is not a private key (expected 32 bytes of hex)`);
    return hex as Hex;
  }
  if (local) return anvilDevKey(DEV_INDEX[role]);
  throw new Error(`${name} is not set: the ${role} key is required on a chain that is not a local anvil`);
}

export function roleAccount(role: Role, source: KeySource): PrivateKeyAccount {
  return privateKeyToAccount(roleKey(role, source));
}

/** Demo wallet `i` (anvil dev account DEMO_WALLET_BASE + i). Local chains only. */
export function demoAccount(i: number): PrivateKeyAccount {
  return privateKeyToAccount(anvilDevKey(DEMO_WALLET_BASE + i));
}

/** viem chain object for a zkrisk chain served at `rpcUrl`. */
export function viemChain(chain: ChainInfo, rpcUrl: string): Chain {
  return defineChain({
    id: chain.chainId,
    name: chain.name,
    nativeCurrency: { name: chain.nativeSymbol, symbol: chain.nativeSymbol, decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function publicClient(chain: ChainInfo, rpcUrl: string): PublicClient<Transport, Chain> {
  return createPublicClient({ chain: viemChain(chain, rpcUrl), transport: http(rpcUrl) });
}

export function walletClient(chain: ChainInfo, rpcUrl: string, account: Account): WalletClient<Transport, Chain, Account> {
  return createWalletClient({ account, chain: viemChain(chain, rpcUrl), transport: http(rpcUrl) });
}

/** What kind of node serves `rpcUrl`: anvil (forked or not) allows dev keys; a non-forked anvil gets mocks. */
export async function nodeKind(client: PublicClient): Promise<{ anvil: boolean; forked: boolean }> {
  const version = await client.request({ method: "web3_clientVersion" }).catch(() => "");
  if (!String(version).toLowerCase().startsWith("anvil")) return { anvil: false, forked: false };
  const info = (await client
    .request({ method: "anvil_nodeInfo" } as never)
    .catch(() => undefined)) as { forkConfig?: { forkUrl?: string | null } } | undefined;
  return { anvil: true, forked: Boolean(info?.forkConfig?.forkUrl) };
}
