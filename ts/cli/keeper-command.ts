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
  usage: "[--chains <ids>] [--deployments <dir>] [--database <url|dir>] [--poll-ms <ms>] [--fund]",
  help: [
    `  --chains <ids>        chain ids, comma-separated (default ${CHAINS.map((c) => c.chainId).join(",")})`,
    "  --deployments <dir>   where <chainId>.json is read (default deployments/)",
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
  options: { chains: { type: "string" }, deployments: { type: "string" }, ...DATABASE_FLAG, "poll-ms": { type: "string" }, fund: { type: "boolean" } },
  async run(v) {
    const chains = parseChainList(str(v.chains) ?? CHAINS.map((c) => c.chainId).join(","));
    const pollMs = parsePollMs(str(v["poll-ms"]));
    const deploymentsDir = str(v.deployments) ?? DEFAULT_DEPLOYMENTS_DIR;
    for (const c of chains) rpcUrlFromEnv(c); // every RPC variable is checked before any deployment is read
    const connected = await connectChains({ chains, deploymentsDir });
    const account = roleAccount("keeper", { local: connected.every((c) => c.anvil) });
    for (const c of connected) {
      const funds = v.fund === true ? await fundKeeper({ ...c, account }) : await checkKeeperFunds(c.client, c.chain, c.deployment, account.address);
      if (funds.problem) throw new Error(funds.problem);
    }

    const db = await openCliDatabase(v);
    try {
      const keeper = startKeeper({ chains: connected.map((c) => ({ chain: c.chain, rpcUrl: c.rpcUrl, deployment: c.deployment })), account, pollMs, db });
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
      console.log(`keeper stopped: ${summarize(keeper.stats())}`);
    } finally {
      await db.close();
    }
  },
};
