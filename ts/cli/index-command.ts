// `zkrisk index`: its options, parsed into runIndex's (ts/runtime/index-run.ts).
import type { Command } from "./commands.js";
import { CHAIN_FLAGS, CHAIN_FLAGS_HELP, connectOptions, integer, parseWalletList, str } from "./flags.js";
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONFIRMATIONS } from "../runtime/indexer.js";
import { runIndex } from "../runtime/index-run.js";

export const indexCommand: Command = {
  summary: "Index the pools' events on every deployed chain, build wallets' features, commit to them and post the commitments.",
  usage:
    "[--chains <ids>] [--deployments <dir>] [--rpc <id=url,...>] [--store <dir>] [--confirmations <n>] [--wallet <addr,...>] [--chunk-size <n>] [--state <dir>] [--no-post]",
  help: [
    ...CHAIN_FLAGS_HELP,
    "  --store <dir>         private store of features, salts and commitments (default .zkrisk/store/)",
    `  --confirmations <n>   blocks below the head left unindexed, for reorg safety (default ${DEFAULT_CONFIRMATIONS})`,
    "  --wallet <addr,...>   only these wallets (each must have pool events)",
    `  --chunk-size <n>      most blocks per eth_getLogs request (default ${DEFAULT_CHUNK_SIZE})`,
    "  --state <dir>         indexer state, one file per chain (default .zkrisk/index/)",
    "  --no-post             index and build features only: no commitment, nothing sent",
    "",
    "The attestor key is ZKRISK_ATTESTOR_KEY (on a local anvil: the dev account 1).",
  ].join("\n"),
  options: {
    ...CHAIN_FLAGS,
    store: { type: "string" },
    confirmations: { type: "string" },
    wallet: { type: "string" },
    "chunk-size": { type: "string" },
    state: { type: "string" },
    "no-post": { type: "boolean" },
  },
  async run(v) {
    const wallets = str(v.wallet);
    const storeDir = str(v.store);
    const stateDir = str(v.state);
    const confirmations = integer("--confirmations", str(v.confirmations), 0);
    const chunkSize = integer("--chunk-size", str(v["chunk-size"]), 1);
    const started = performance.now();
    const result = await runIndex({
      ...connectOptions(v),
      ...(wallets ? { wallets: parseWalletList(wallets) } : {}),
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
