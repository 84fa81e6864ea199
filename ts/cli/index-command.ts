// `zkrisk index`: its options, parsed into runIndex's (ts/runtime/index-run.ts).
import type { Command } from "./commands.js";
import { parseChainList } from "../runtime/chains.js";
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONFIRMATIONS } from "../runtime/indexer.js";
import { DEFAULT_STATE_DIR, parseWalletList, runIndex } from "../runtime/index-run.js";

const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

function integer(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new Error(`${flag}: "${raw}" is not an integer >= ${min}`);
  return Number(raw);
}

/** "1=http://127.0.0.1:8545,137=http://..." -> {1: url, 137: url}. */
function parseRpcList(raw: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const part of raw.split(",")) {
    const m = /^\s*(\d+)=(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`--rpc: "${part}" is not <chainId>=<url>`);
    out[Number(m[1])] = m[2]!;
  }
  return out;
}

export const indexCommand: Command = {
  summary: "Index the pools' events on every deployed chain, build wallets' features, commit to them and post the commitments.",
  usage: "[--chains <ids>] [--deployments <dir>] [--store <dir>] [--confirmations <n>] [--wallet <addr,...>] [--rpc <id=url,...>] [--chunk-size <n>] [--state <dir>] [--no-post]",
  help: [
    "  --chains <ids>        chain ids to index, comma-separated (default: every chain with a deployment)",
    "  --deployments <dir>   deployment files <chainId>.json (default deployments/)",
    "  --store <dir>         private store of features, salts and commitments (default .zkrisk/store/)",
    `  --confirmations <n>   blocks below the head left unindexed, for reorg safety (default ${DEFAULT_CONFIRMATIONS})`,
    "  --wallet <addr,...>   only these wallets (each must have pool events)",
    "  --rpc <id=url,...>    RPC URL per chain (default ETH_RPC_URL, POLYGON_RPC_URL, ARBITRUM_RPC_URL)",
    `  --chunk-size <n>      most blocks per eth_getLogs request (default ${DEFAULT_CHUNK_SIZE})`,
    `  --state <dir>         indexer state, one file per chain (default ${DEFAULT_STATE_DIR.replace(/.*\/\.zkrisk/, ".zkrisk")}/)`,
    "  --no-post             index and build features only: no commitment, nothing sent",
    "",
    "The attestor key is ZKRISK_ATTESTOR_KEY (on a local anvil: the dev account 1).",
  ].join("\n"),
  options: {
    chains: { type: "string" },
    deployments: { type: "string" },
    store: { type: "string" },
    confirmations: { type: "string" },
    wallet: { type: "string" },
    rpc: { type: "string" },
    "chunk-size": { type: "string" },
    state: { type: "string" },
    "no-post": { type: "boolean" },
  },
  async run(v) {
    const chains = str(v.chains);
    const wallets = str(v.wallet);
    const rpc = str(v.rpc);
    const deploymentsDir = str(v.deployments);
    const storeDir = str(v.store);
    const stateDir = str(v.state);
    const confirmations = integer("--confirmations", str(v.confirmations), 0);
    const chunkSize = integer("--chunk-size", str(v["chunk-size"]), 1);
    const started = performance.now();
    const result = await runIndex({
      ...(chains ? { chains: parseChainList(chains) } : {}),
      ...(wallets ? { wallets: parseWalletList(wallets) } : {}),
      ...(rpc ? { rpcUrls: parseRpcList(rpc) } : {}),
      ...(deploymentsDir ? { deploymentsDir } : {}),
      ...(storeDir ? { storeDir } : {}),
      ...(stateDir ? { stateDir } : {}),
      ...(confirmations !== undefined ? { confirmations } : {}),
      ...(chunkSize !== undefined ? { chunkSize } : {}),
      post: v["no-post"] !== true,
      log: (line) => console.log(line),
    });
    const posted = result.attestations.reduce((n, a) => n + a.chains.filter((c) => c.status === "posted").length, 0);
    console.log(
      `indexed ${result.chains.length} chain(s), ${result.wallets.length} wallet(s); ${posted} commitment(s) posted ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
};
