// `zkrisk keeper`: watch every block of each chain and liquidate unhealthy positions
// (ts/runtime/keeper/keeper.ts) until Ctrl-C; then print what it did. Each liquidation is logged
// in the runtime's database (keeper_liquidations).
import type { Command } from "./commands.js";
import { DATABASE_FLAG, DATABASE_HELP, openCliDatabase } from "./database.js";
import { roleAccount } from "../runtime/chains/accounts.js";
import { CHAINS, chainLabel, parseChainList, rpcUrlFromEnv } from "../runtime/chains/chains.js";
import { connectChains } from "../runtime/chains/connect.js";
import { DEFAULT_DEPLOYMENTS_DIR } from "../runtime/deploy/deployment.js";
import { checkKeeperFunds, fundKeeper, startKeeper, type LiquidationStat } from "../runtime/keeper/keeper.js";

const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

/** "--rpc 1=http://a,1=http://b,137=http://c": each chain's RPC URLs in the order given (the first is its main one, the others fallbacks). */
export function parseKeeperRpcs(raw: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const part of raw.split(",")) {
    const m = /^\s*(\d+)=(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`--rpc: "${part}" is not <chainId>=<url>`);
    try {
      new URL(m[2]!);
    } catch {
      throw new Error(`--rpc: the URL given for chain ${m[1]} is not a URL`);
    }
    const urls = out.get(Number(m[1])) ?? [];
    urls.push(m[2]!);
    out.set(Number(m[1]), urls);
  }
  return out;
}

function parseTimeoutMs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 10 || Number(raw) > 60_000) throw new Error(`--rpc-timeout-ms: "${raw}" is not a whole number of milliseconds between 10 and 60000`);
  return Number(raw);
}

function parsePollMs(raw: string | undefined): number {
  if (raw === undefined) return 100;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 10 || Number(raw) > 60_000) throw new Error(`--poll-ms: "${raw}" is not a whole number of milliseconds between 10 and 60000`);
  return Number(raw);
}

/** "3 liquidations; delay 1/1/4 blocks (min/median/max)". */
export function summarize(stats: readonly LiquidationStat[]): string {
  if (!stats.length) return "no liquidation";
  const delays = stats.map((s) => s.delayBlocks).sort((a, b) => a - b);
  const median = delays[Math.floor((delays.length - 1) / 2)]!;
  return `${stats.length} liquidation${stats.length === 1 ? "" : "s"}; delay ${delays[0]}/${median}/${delays.at(-1)} blocks (min/median/max)`;
}

export const keeperCommand: Command = {
  summary: "Watch every block and liquidate unhealthy positions at once, most underwater first (until Ctrl-C).",
  usage: "[--chains <ids>] [--deployments <dir>] [--rpc <id=url,...>] [--rpc-timeout-ms <ms>] [--database <url|dir>] [--poll-ms <ms>] [--fund]",
  help: [
    `  --chains <ids>        chain ids, comma-separated (default ${CHAINS.map((c) => c.chainId).join(",")})`,
    "  --deployments <dir>   where <chainId>.json is read (default deployments/)",
    "  --rpc <id=url,...>    RPC URLs per chain; an id given several times: the later URLs are fallbacks, used",
    "                        while those before them do not answer (default: the chain's variable below)",
    "  --rpc-timeout-ms <ms> how long a request may wait for an answer before its RPC counts as down (default 400)",
    ...DATABASE_HELP,
    "                        (the keeper logs each liquidation there, table keeper_liquidations; the embedded",
    "                        PGlite serves one process: beside `zkrisk index` or `attest`, use PostgreSQL)",
    "  --poll-ms <ms>        how often each chain is polled for a new block (default 100)",
    "  --fund                local chains (mock tokens) only: mint loan tokens to the keeper and approve the market",
    "",
    `RPC URLs: ${CHAINS.map((c) => `${c.rpcEnv} (${c.name})`).join(", ")}.`,
    "Key: ZKRISK_KEEPER_KEY (on anvil: its dev account 2). The keeper repays debt in loan tokens: it must hold",
    "them, have approved the lending contract, and hold native currency for gas; it says what is missing.",
    "Each liquidation is logged with its delay in blocks since the position became liquidatable.",
  ].join("\n"),
  options: {
    chains: { type: "string" },
    deployments: { type: "string" },
    rpc: { type: "string" },
    "rpc-timeout-ms": { type: "string" },
    ...DATABASE_FLAG,
    "poll-ms": { type: "string" },
    fund: { type: "boolean" },
  },
  async run(v) {
    const chains = parseChainList(str(v.chains) ?? CHAINS.map((c) => c.chainId).join(","));
    const pollMs = parsePollMs(str(v["poll-ms"]));
    const rpcTimeoutMs = parseTimeoutMs(str(v["rpc-timeout-ms"]));
    const rpc = str(v.rpc);
    const rpcs = rpc !== undefined ? parseKeeperRpcs(rpc) : new Map<number, string[]>();
    const deploymentsDir = str(v.deployments) ?? DEFAULT_DEPLOYMENTS_DIR;
    for (const id of rpcs.keys()) if (!chains.some((c) => c.chainId === id)) throw new Error(`--rpc: chain ${id} is not among --chains ${chains.map((c) => c.chainId).join(",")}`);
    for (const c of chains) if (!rpcs.has(c.chainId)) rpcUrlFromEnv(c); // every RPC variable is checked before any deployment is read
    const connected = await connectChains({ chains, deploymentsDir, rpcUrls: Object.fromEntries([...rpcs].map(([id, urls]) => [id, urls[0]!])) });
    const account = roleAccount("keeper", { local: connected.every((c) => c.anvil) });
    for (const c of connected) {
      const funds = v.fund === true ? await fundKeeper({ ...c, account }) : await checkKeeperFunds(c.client, c.chain, c.deployment, account.address);
      if (funds.problem) throw new Error(funds.problem);
    }

    const db = await openCliDatabase(v);
    try {
      const keeper = startKeeper({
        chains: connected.map((c) => ({ chain: c.chain, rpcUrl: c.rpcUrl, rpcUrls: rpcs.get(c.chain.chainId)?.slice(1) ?? [], deployment: c.deployment })),
        account,
        pollMs,
        ...(rpcTimeoutMs !== undefined ? { rpcTimeoutMs } : {}),
        db,
      });
      const signal = new Promise<string>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      try {
        await keeper.ready;
        console.log(`keeper ${account.address} watching ${connected.map((c) => chainLabel(c.chain)).join(", ")} every ${pollMs} ms; logging to ${db.label}; Ctrl-C to stop`);
        const sig = await signal;
        console.log(`${sig}: stopping (waiting for liquidations in flight)`);
      } finally {
        await keeper.stop();
      }
      const c = keeper.counters();
      console.log(`keeper stopped: ${summarize(keeper.stats())}; transactions: ${c.sent} sent, ${c.reverted} reverted, ${c.replaced} fee bumps, ${c.dropped} re-sent after the node lost them; ${c.skipped} order(s) skipped in batches`);
    } finally {
      await db.close();
    }
  },
};
