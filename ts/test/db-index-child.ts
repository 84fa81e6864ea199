// Run by db-indexer.test.ts in a child process: index one chain into a database and print the
// wallets' features as one JSON line, or kill itself with SIGKILL at a given point (ZKRISK_TEST_KILL):
//   page:N      inside the N-th page's transaction of this run, before it commits
//   features:N  inside the N-th transaction saving a page of wallets' reads and features
// Each page's transaction also prints "page <block>" to stderr, for kills timed by the parent.
import { getChain } from "../runtime/chains/chains.js";
import { openDatabase } from "../runtime/db/engine.js";
import { runIndex } from "../runtime/indexer/index-run.js";

interface ChildConfig {
  readonly location: string;
  readonly deploymentsDir: string;
  readonly chainId: number;
  readonly rpcUrl: string;
  readonly chunkSize: number;
}

const cfg = JSON.parse(process.env.ZKRISK_TEST_CHILD ?? "{}") as ChildConfig;
const [where, at] = (process.env.ZKRISK_TEST_KILL ?? "none:0").split(":");
const n = Number(at);
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
};
let pages = 0;
let featurePages = 0;

const db = await openDatabase(cfg.location);
try {
  const r = await runIndex({
    db,
    deploymentsDir: cfg.deploymentsDir,
    chains: [getChain(cfg.chainId)],
    rpcUrls: { [cfg.chainId]: cfg.rpcUrl },
    confirmations: 0,
    chunkSize: cfg.chunkSize,
    post: false,
    hooks: {
      inPageTransaction: (_chain, toBlock) => {
        process.stderr.write(`page ${toBlock}\n`);
        if (where === "page" && ++pages === n) die();
      },
      inFeaturesTransaction: () => {
        if (where === "features" && ++featurePages === n) die();
      },
    },
  });
  console.log(JSON.stringify(r.wallets.map((w) => ({ wallet: w.wallet, records: w.records, raw: w.raw, features: w.features, snapshotBlocks: w.snapshotBlocks }))));
} finally {
  await db.close();
}
