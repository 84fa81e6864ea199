// `zkrisk index`: its options, parsed into runIndex's (ts/runtime/indexer/index-run.ts).
import type { Command } from "./commands.js";
import { DATABASE_FLAG, DATABASE_HELP, LEGACY_FLAGS, openCliDatabase, refuseLegacyFlags } from "./database.js";
import { CHAIN_FLAGS, CHAIN_FLAGS_HELP, connectOptions, integer, parseWalletList, str } from "./flags.js";
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONFIRMATIONS } from "../runtime/indexer/indexer.js";
import { runIndex } from "../runtime/indexer/index-run.js";

export const indexCommand: Command = {
  summary: "Index the lending protocols' events (zkrisk, Aave v3, Morpho Blue) on every deployed chain, build wallets' features, commit to them and post the commitments.",
  usage:
    "[--chains <ids>] [--deployments <dir>] [--rpc <id=url,...>] [--database <url|dir>] [--confirmations <n>] [--wallet <addr,...>] [--chunk-size <n>] [--no-post]",
  help: [
    ...CHAIN_FLAGS_HELP,
    ...DATABASE_HELP,
    "                        (it holds the index, the features and the private store of features, salts, commitments)",
    `  --confirmations <n>   blocks below the head left unindexed, for reorg safety (default ${DEFAULT_CONFIRMATIONS})`,
    "  --wallet <addr,...>   only these wallets (each must have pool events)",
    `  --chunk-size <n>      most blocks per eth_getLogs request (default ${DEFAULT_CHUNK_SIZE})`,
    "  --no-post             index and build features only: no commitment, nothing sent",
    "",
    "The attestor key is ZKRISK_ATTESTOR_KEY (on a local anvil: the dev account 1).",
  ].join("\n"),
  options: {
    ...CHAIN_FLAGS,
    ...DATABASE_FLAG,
    ...LEGACY_FLAGS,
    confirmations: { type: "string" },
    wallet: { type: "string" },
    "chunk-size": { type: "string" },
    "no-post": { type: "boolean" },
  },
  async run(v) {
    refuseLegacyFlags(v);
    const wallets = str(v.wallet);
    const confirmations = integer("--confirmations", str(v.confirmations), 0);
    const chunkSize = integer("--chunk-size", str(v["chunk-size"]), 1);
    const connect = connectOptions(v);
    const only = wallets ? parseWalletList(wallets) : undefined;
    const started = performance.now();
    const db = await openCliDatabase(v);
    let result;
    try {
      result = await runIndex({
        ...connect,
        db,
        ...(only ? { wallets: only } : {}),
        ...(confirmations !== undefined ? { confirmations } : {}),
        ...(chunkSize !== undefined ? { chunkSize } : {}),
        post: v["no-post"] !== true,
        log: (line) => console.log(line),
      });
    } finally {
      await db.close();
    }
    for (const c of result.chains) {
      const total = c.undecodable?.total ?? {};
      const n = Object.values(total).reduce((a, b) => a + b, 0);
      if (n) console.log(`chain ${c.chainId}: ${n} log(s) that do not decode (${Object.entries(total).map(([p, k]) => `${p}: ${k}`).join(", ")}): see undecodable_logs`);
    }
    const posted = result.attestations.reduce((n, a) => n + a.chains.filter((c) => c.status === "posted").length, 0);
    console.log(
      `indexed ${result.chains.length} chain(s), ${result.wallets.length} wallet(s); ${posted} commitment(s) posted ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
};
