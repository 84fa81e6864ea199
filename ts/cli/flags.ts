// Flag parsing shared by the subcommands: one precise error per bad value.
import { getAddress, isAddress, type Address } from "viem";
import { parseChainList } from "../runtime/chains/chains.js";
import type { ConnectOptions } from "../runtime/chains/connect.js";

export type FlagValues = Record<string, string | boolean | undefined>;

export const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

export function integer(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new Error(`${flag}: "${raw}" is not an integer >= ${min}`);
  return Number(raw);
}

/** Parse "1.5,2,3" into finite numbers, or explain what is wrong. */
export function parseNumberList(flag: string, raw: string): number[] {
  const parts = raw.split(",").map((p) => p.trim());
  const values = parts.map(Number);
  const bad = parts.findIndex((p, i) => p === "" || !Number.isFinite(values[i]));
  if (bad >= 0) throw new Error(`${flag}: "${parts[bad]}" (item ${bad + 1}) is not a finite number`);
  return values;
}

/** "1=http://127.0.0.1:8545,137=http://..." -> {1: url, 137: url}. */
export function parseRpcList(raw: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const part of raw.split(",")) {
    const m = /^\s*(\d+)=(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`--rpc: "${part}" is not <chainId>=<url>`);
    out[Number(m[1])] = m[2]!;
  }
  return out;
}

/** Parse "--wallet 0xA,0xB". */
export function parseWalletList(raw: string): Address[] {
  return raw.split(",").map((w) => {
    const t = w.trim();
    if (!isAddress(t, { strict: false })) throw new Error(`--wallet: "${t}" is not an address`);
    return getAddress(t);
  });
}

/** The flags every on-chain command takes: which chains, their deployments and RPC URLs. */
export const CHAIN_FLAGS = {
  chains: { type: "string" },
  deployments: { type: "string" },
  rpc: { type: "string" },
} as const;

export const CHAIN_FLAGS_HELP = [
  "  --chains <ids>        chain ids, comma-separated (default: every chain with a deployment)",
  "  --deployments <dir>   deployment files <chainId>.json (default deployments/)",
  "  --rpc <id=url,...>    RPC URL per chain (default ETH_RPC_URL, POLYGON_RPC_URL, ARBITRUM_RPC_URL)",
];

export function connectOptions(v: FlagValues): ConnectOptions {
  const chains = str(v.chains);
  const rpc = str(v.rpc);
  const deploymentsDir = str(v.deployments);
  return {
    ...(chains ? { chains: parseChainList(chains) } : {}),
    ...(rpc ? { rpcUrls: parseRpcList(rpc) } : {}),
    ...(deploymentsDir ? { deploymentsDir } : {}),
  };
}
