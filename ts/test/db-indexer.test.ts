// The indexer's progress is transactional, on both engines (PGlite and PostgreSQL), on a real
// anvil chain with zkrisk deployed and six days of lending (deposits, borrows, repays,
// withdrawals, a liquidation):
//   - kill -9 of the indexer at several points (inside a page's transaction, inside the
//     features' transaction, at a moment timed from outside) and a restart each time give exactly
//     the features (and the events) of an uninterrupted run;
//   - a reorg is detected and rewound, and gives exactly what a fresh index of the new chain gives.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestClient, http } from "viem";
import { Market } from "../demo/market.js";
import { demoAccount, viemChain } from "../runtime/chains/accounts.js";
import { getChain, startAnvil, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { connectChains, signer, type ConnectedChain } from "../runtime/chains/connect.js";
import { openDatabase, type Engine } from "../runtime/db/engine.js";
import { chainEvents } from "../runtime/db/index-data.js";
import { deploy } from "../runtime/deploy/deploy.js";
import { runIndex } from "../runtime/indexer/index-run.js";
import { ROOT } from "../toolchain/paths.js";
import { cleanupDatabases, ENGINES, freshLocation } from "./db-support.js";

const CHAIN = getChain(1);
const CHUNK = 4;
const DAY = 86_400;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("kill -9 and reorgs: the database as the unit of progress", { timeout: 900_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "zkrisk-dbidx-"));
  const deploymentsDir = join(tmp, "deployments");
  let anvil: Anvil;
  let conn: ConnectedChain;
  let market: Market;
  let reference: string; // the features of an uninterrupted run (JSON)
  let referenceEvents: unknown;

  /** One indexer process on `location`; `kill` is db-index-child.ts's kill point, or a stderr line after which the parent kills it. */
  function child(location: string, kill: string | { afterLine: RegExp } = "none:0"): Promise<Run> {
    const env = {
      ...process.env,
      ZKRISK_TEST_CHILD: JSON.stringify({ location, deploymentsDir, chainId: CHAIN.chainId, rpcUrl: anvil.rpcUrl, chunkSize: CHUNK }),
      ZKRISK_TEST_KILL: typeof kill === "string" ? kill : "none:0",
    };
    const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "ts/test/db-index-child.ts")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (typeof kill !== "string" && kill.afterLine.test(stderr)) p.kill("SIGKILL");
    });
    return new Promise((resolve) => p.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  }

  const completed = (r: Run): string => {
    assert.equal(r.code, 0, `the indexer failed: ${r.stderr}`);
    const line = r.stdout.trim().split("\n").at(-1)!;
    assert.ok(line.startsWith("["), r.stdout);
    return line;
  };
  const killed = (r: Run, what: string) => assert.equal(r.signal, "SIGKILL", `${what}: expected a kill, got exit ${r.code}: ${r.stderr}`);

  async function eventsOf(location: string): Promise<unknown> {
    const db = await openDatabase(location);
    try {
      return await chainEvents(db, CHAIN.chainId);
    } finally {
      await db.close();
    }
  }

  before(async () => {
    const t0 = performance.now();
    const lap = (what: string) => process.env.ZKRISK_TEST_TIMING && process.stderr.write(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    anvil = await startAnvil({ chainId: CHAIN.chainId });
    await deploy({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deploymentsDir, protocols: false, log: () => {} }); // zkrisk only: the database is what is tested
    [conn] = await connectChains({ deploymentsDir, chains: [CHAIN], rpcUrls: { [CHAIN.chainId]: anvil.rpcUrl } }) as [ConnectedChain];
    market = new Market(conn, signer(conn, "deployer"));
    lap("deployed");
    const w = [0, 1, 2, 3, 4].map((i) => demoAccount(i));
    const liquidator = demoAccount(5);
    await market.supplyLiquidity(1_000_000);
    const prices = [2000, 2100, 1900, 1400, 1800, 1700];
    for (const [d, price] of prices.entries()) {
      await market.setPrice(price);
      if (d === 0) for (const [i, a] of w.entries()) await market.deposit(a, 1 + i);
      if (d === 0) for (const [i, a] of w.slice(0, 4).entries()) await market.borrowTo(a, 0.3 + 0.05 * i);
      if (d === 1) {
        await market.repay(w[0]!, 0.5);
        await market.withdraw(w[1]!, 0.2);
        await market.deposit(w[4]!, 1);
      }
      if (d === 2) {
        await market.borrowTo(w[2]!, 0.58);
        await market.repay(w[3]!, 1);
      }
      if (d === 3) await market.liquidateAll(liquidator, w[2]!.address);
      if (d === 4) {
        await market.borrowTo(w[1]!, 0.3);
        await market.withdraw(w[0]!, 0.3);
      }
      if (d === 5) await market.borrowTo(w[4]!, 0.2);
      await market.advance(DAY);
    }
    lap("history played");
    const location = await freshLocation("pglite");
    reference = completed(await child(location));
    lap("reference indexed");
    referenceEvents = await eventsOf(location);
    const wallets = JSON.parse(reference) as { raw: number[] }[];
    assert.equal(wallets.length, 6, "five borrowers and the supplier (a liquidator's events are the borrower's)");
    assert.ok((referenceEvents as unknown[]).length >= 15, `${(referenceEvents as unknown[]).length} events`);
  });

  after(async () => {
    await stopAll(anvil ? [anvil] : []);
    await cleanupDatabases();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const engine of ENGINES) {
    test(`${engine}: kill -9 inside pages, inside the features, at a moment timed from outside; each restart resumes; exactly the uninterrupted run's features`, async () => {
      const location = await freshLocation(engine);
      killed(await child(location, "page:2"), "in the 2nd page");
      const early = await eventsOf(location);
      assert.ok((early as unknown[]).length < (referenceEvents as unknown[]).length, "the killed run committed only its first page");
      killed(await child(location, "page:3"), "in the 3rd page of the resumed run");
      killed(await child(location, { afterLine: /(page \d+\n){2}/ }), "timed from outside");
      killed(await child(location, "features:1"), "in the features' transaction");
      const final = completed(await child(location));
      assert.equal(final, reference, "the features equal those of an uninterrupted run");
      assert.deepEqual(await eventsOf(location), referenceEvents, "the events too");
      assert.equal(completed(await child(location)), reference, "and a run with nothing new changes nothing");
    });
  }

  for (const engine of ENGINES) {
    test(`${engine}: a reorg is rewound in one transaction and gives what a fresh index of the new chain gives`, async () => {
      const location = await freshLocation(engine);
      const testClient = createTestClient({ mode: "anvil", chain: viemChain(CHAIN, anvil.rpcUrl), transport: http(anvil.rpcUrl) });
      const index = async (loc: string) => {
        const db = await openDatabase(loc);
        try {
          const r = await runIndex({ db, deploymentsDir, chains: [CHAIN], rpcUrls: { [CHAIN.chainId]: anvil.rpcUrl }, confirmations: 0, chunkSize: CHUNK, post: false });
          return { r, events: await chainEvents(db, CHAIN.chainId) };
        } finally {
          await db.close();
        }
      };
      await index(location);
      const snapBlock = Number(await conn.client.getBlockNumber({ cacheTime: 0 }));
      const snap = await testClient.snapshot();
      const w1 = demoAccount(1).address.toLowerCase();
      // The branch that will be dropped: wallet 1 repays everything, wallet 4 withdraws.
      await market.setPrice(1700);
      await market.repay(demoAccount(1), 1);
      await market.withdraw(demoAccount(4), 0.5);
      const dropped = await index(location);
      const droppedRepay = dropped.events.find((e) => e.kind === "repay" && e.wallet === w1 && e.block > snapBlock);
      assert.ok(droppedRepay, "the branch's repay was indexed");

      // Reorg: back to the snapshot, another history (wallet 3 deposits), longer than the old one.
      await testClient.revert({ id: snap });
      await market.setPrice(1650);
      await market.deposit(demoAccount(3), 2);
      await testClient.mine({ blocks: 8 });
      const after = await index(location);
      const rewound = after.r.chains[0]!.rewound;
      assert.ok(rewound, "the reorg is detected");
      assert.ok(rewound.to < rewound.from);
      const fresh = await index(await freshLocation(engine));
      assert.deepEqual(after.events, fresh.events, "the events are those of the new chain only");
      assert.ok(!after.events.some((e) => e.tx === droppedRepay.tx), "the dropped branch's repay is gone");
      assert.ok(after.events.some((e) => e.kind === "deposit" && e.block > snapBlock), "the new branch's deposit is there");
      assert.deepEqual(JSON.parse(JSON.stringify(after.r.wallets)), JSON.parse(JSON.stringify(fresh.r.wallets)), "the features equal a fresh index's");
    });
  }
});
