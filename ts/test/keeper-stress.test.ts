// The keeper under stress, on a real anvil with the real contracts: an RPC that hangs (accepts,
// never answers) is logged and the keeper liquidates once it answers again, or at once through a
// second URL; a liquidation the node drops from its pool (a nonce gap) is sent again and lands;
// one still in the pool two blocks on gets its fees raised; a keeper short of loan tokens says so once per
// block and liquidates the most underwater positions it can pay for; many positions go out in
// batches through the BatchLiquidator. Every keeper, proxy and anvil is stopped in `after`.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeFunctionData, erc20Abi, maxUint256, parseEventLogs, type Account, type Hash, type TransactionReceipt } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { batchLiquidatorAbi, mockErc20Abi } from "../generated/abi.generated.js";
import { anvilDevKey, walletClient } from "../runtime/chains/accounts.js";
import { setAutomine, setIntervalMining, startKeeper, type Keeper, type KeeperOptions } from "../runtime/keeper/keeper.js";
import { TxManager, type SentTx } from "../runtime/keeper/keeper-tx.js";
import { keeperLiquidations } from "../runtime/db/attestations.js";
import { openDatabase } from "../runtime/db/engine.js";
import { CHAIN, sleep, testMarket, until, type TestMarket } from "./keeper-support.js";
import { startRpcProxy, type RpcProxy } from "./rpc-proxy.js";

describe("keeper under stress", () => {
  let t: TestMarket;
  const keepers: Keeper[] = [];
  const proxies: RpcProxy[] = [];
  let logs: string[] = [];

  before(async () => {
    t = await testMarket({ accounts: 60 });
  });
  after(async () => {
    await Promise.allSettled(keepers.map((k) => k.stop()));
    await Promise.allSettled(proxies.map((p) => p.close()));
    await t?.stop();
  });

  function keeper(opts: { rpcUrl?: string; rpcUrls?: string[]; account?: Account } & Partial<KeeperOptions> = {}): Keeper {
    logs = [];
    const { rpcUrl, rpcUrls, ...rest } = opts;
    const k = startKeeper({
      chains: [{ chain: CHAIN, rpcUrl: rpcUrl ?? t.anvil.rpcUrl, ...(rpcUrls ? { rpcUrls } : {}), deployment: t.d }],
      account: t.keeperAccount,
      pollMs: 100,
      log: (l) => (logs.push(l), process.env.KEEPER_TEST_LOG && console.error(l)),
      ...rest,
    });
    keepers.push(k);
    return k;
  }

  async function scenario(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } finally {
      await Promise.allSettled(keepers.map((k) => k.stop()));
      await setAutomine(t.client);
    }
  }

  const mine = () => t.rpc("evm_mine");
  /** Manual mining: no block unless the test mines one. */
  async function manualMining(): Promise<void> {
    await t.rpc("evm_setIntervalMining", [0]);
    await t.rpc("evm_setAutomine", [false]);
  }
  /** Send without waiting (manual mining); the hash. */
  const setPriceNoWait = async (bps: bigint): Promise<void> => {
    await t.rpc("evm_setAutomine", [true]);
    await t.setPrice(bps);
    await t.rpc("evm_setAutomine", [false]);
  };

  test("an RPC that hangs is logged within its timeout; the keeper liquidates once it answers again, the delay counted from the price drop", async () => {
    await scenario(async () => {
      await t.setPrice(10_000n);
      const c = await t.open(5_990n);
      const proxy = await startRpcProxy(t.anvil.rpcUrl);
      proxies.push(proxy);
      const k = keeper({ rpcUrl: proxy.url, rpcTimeoutMs: 300 });
      await k.ready;
      await setIntervalMining(t.client, 1);
      proxy.mode = "hang";
      const dropBlock = await t.setPrice(8_000n);
      const host = new URL(proxy.url).host;
      await until("the hang logged", () => logs.some((l) => l.includes(`RPC ${host} stopped answering`)));
      await until("3 blocks of hang", async () => ((await t.head()) >= dropBlock + 3n ? true : undefined));
      assert.deepEqual(k.stats(), [], "nothing can happen while the only RPC hangs");
      proxy.mode = "forward";
      const back = await t.head();
      const [s] = await until("the liquidation after the hang", () => (k.stats().length ? k.stats() : undefined));
      console.log(`# hang: liquidated in block ${s!.liquidatedBlock}, ${s!.liquidatedBlock - Number(back)} block(s) after the RPC answered again at block ${back}`);
      assert.ok(logs.some((l) => l.includes(`RPC ${host} answers again after`)), "the recovery is logged");
      assert.equal(s!.borrower, c.address);
      assert.equal(s!.becameLiquidatableBlock, Number(dropBlock));
      assert.ok(s!.delayBlocks >= 3, `delay ${s!.delayBlocks}`);
      assert.ok(!logs.some((l) => l.includes(proxy.url)), "hosts only, never the URL");
      await k.stop();
    });
  });

  test("with a second RPC URL, a hanging first one is logged and the keeper liquidates through the second", async () => {
    await scenario(async () => {
      await t.setPrice(10_000n);
      const c = await t.open(5_990n);
      const proxy = await startRpcProxy(t.anvil.rpcUrl);
      proxies.push(proxy);
      const k = keeper({ rpcUrl: proxy.url, rpcUrls: [t.anvil.rpcUrl], rpcTimeoutMs: 300 });
      await k.ready;
      await setIntervalMining(t.client, 1);
      proxy.mode = "hang";
      const dropBlock = await t.setPrice(8_000n);
      const [s] = await until("the liquidation through the second URL", () => (k.stats().length ? k.stats() : undefined));
      assert.equal(proxy.mode, "hang", "still hanging");
      assert.equal(s!.borrower, c.address);
      assert.equal(s!.becameLiquidatableBlock, Number(dropBlock));
      assert.ok(logs.some((l) => l.includes(`RPC ${new URL(proxy.url).host} stopped answering`) && l.includes("using the next RPC URL")), logs.join("\n"));
      await k.stop();
    });
  });

  test("a liquidation the node drops from its pool (nonce gap) is sent again within the next block and lands", async () => {
    await scenario(async () => {
      await t.setPrice(10_000n);
      const c = await t.open(5_990n);
      const k = keeper();
      await k.ready;
      await manualMining();
      await setPriceNoWait(8_000n);
      const dropBlock = await t.head();
      await until("the liquidation sent", () => (k.counters().sent >= 1 ? true : undefined));
      const pending = (await t.rpc("txpool_content")) as { pending: Record<string, Record<string, { hash: Hash }>> };
      assert.equal(Object.keys(pending.pending).length, 1, "the keeper's transaction waits in the pool");
      await t.rpc("anvil_dropAllTransactions");
      await mine(); // a block without it: the keeper sees the gap
      await until("the gap repaired", () => (k.counters().dropped >= 1 ? true : undefined));
      assert.ok(logs.some((l) => /vanished from the node's pool/.test(l)), logs.join("\n"));
      await mine();
      const [s] = await until("the liquidation", () => (k.stats().length ? k.stats() : undefined));
      assert.equal(s!.borrower, c.address);
      assert.equal(s!.liquidatedBlock, Number(dropBlock) + 2, "mined in the block after the one that showed the gap");
      assert.equal(s!.delayBlocks, 2);
      assert.equal((await t.liquidations(c.address)).length, 1);
      assert.deepEqual({ ...k.counters(), sent: 1 }, { sent: 1, reverted: 0, replaced: 0, dropped: 1, skipped: 0 });
      await k.stop();
    });
  });

  test("a transaction still in the pool two blocks after it was sent is replaced with higher fees, and its receipt is found under the new hash", async () => {
    await scenario(async () => {
      await manualMining();
      const account = privateKeyToAccount(anvilDevKey(16));
      const mined: { tx: SentTx; receipt: TransactionReceipt }[] = [];
      const lines: string[] = [];
      const txs = new TxManager({
        client: t.client,
        wallet: walletClient(CHAIN, t.anvil.rpcUrl, account),
        account,
        chainId: CHAIN.chainId,
        log: (l) => lines.push(l),
        onMined: (tx, receipt) => mined.push({ tx, receipt }),
        onLost: () => assert.fail("nothing is lost"),
      });
      await txs.init();
      const fees = () => t.client.estimateFeesPerGas();
      const data = encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [t.d.contracts.lending.address, 1n] });
      // Sent "at" block n - 2 and, since no block is mined, still waiting at n - 1 (nothing happens) and at n (its fees go up).
      const n = await t.head();
      const sent = await txs.send({ to: t.d.contracts.loanToken.address, data, gas: 100_000n, what: "an approval" }, await fees(), n - 2n);
      const firstFee = sent.maxFeePerGas;
      await txs.check(n - 1n, fees);
      assert.equal(txs.counters().replaced, 0);
      await txs.check(n, fees);
      assert.deepEqual(txs.counters(), { sent: 1, reverted: 0, replaced: 1, dropped: 0 });
      assert.equal(sent.hashes.length, 2);
      assert.ok(sent.maxFeePerGas >= (firstFee * 125n) / 100n, `${sent.maxFeePerGas} after ${firstFee}`);
      assert.match(lines.join("\n"), /an approval: nonce \d+ waiting since block \d+: fees raised to/);
      const pool = (await t.rpc("txpool_content")) as { pending: Record<string, Record<string, { hash: Hash }>> };
      assert.deepEqual(Object.values(pool.pending).flatMap((x) => Object.values(x).map((y) => y.hash)), [sent.hashes[1]], "the replacement took its place in the pool");
      await mine();
      await txs.check(await t.head(), fees);
      assert.equal(mined.length, 1);
      assert.equal(mined[0]!.receipt.transactionHash, sent.hashes[1]);
      assert.deepEqual(txs.inFlight(), []);
    });
  });

  test("a keeper short of loan tokens says so once per block with the shortfall, and liquidates the most underwater position it can pay for", async () => {
    await scenario(async () => {
      await t.setPrice(10_000n);
      const a = await t.open(5_990n); // most underwater at -20%
      const b = await t.open(5_950n);
      const c = await t.open(5_900n);
      const poor = privateKeyToAccount(anvilDevKey(17));
      const usdc = t.d.contracts.loanToken.address;
      await t.send(t.owner, { address: usdc, abi: mockErc20Abi, functionName: "mint", args: [poor.address, 13_000n * 10n ** 6n] }); // one position's debt (~$12k)
      await t.send(poor, { address: usdc, abi: erc20Abi, functionName: "approve", args: [t.d.contracts.lending.address, maxUint256] });
      const k = keeper({ account: poor });
      await k.ready;
      await setIntervalMining(t.client, 1);
      const dropBlock = await t.setPrice(8_000n);
      const [s] = await until("the affordable liquidation", () => (k.stats().length ? k.stats() : undefined));
      assert.equal(s!.borrower, a.address, "the most underwater first");
      await until("two more blocks", async () => ((await t.head()) >= BigInt(s!.liquidatedBlock) + 2n ? true : undefined));
      const short = logs.filter((l) => /short of [\d.]+ USDC at block \d+/.test(l));
      assert.ok(short.length >= 2, logs.join("\n"));
      const blocks = short.map((l) => /at block (\d+)/.exec(l)![1]);
      assert.equal(new Set(blocks).size, blocks.length, "one line per block");
      assert.match(short[0]!, new RegExp(`at block ${dropBlock}: 3 liquidation\\(s\\) may need up to [\\d.]+ USDC, keeper ${poor.address} holds 13000 USDC; liquidating the 1 it covers`));
      assert.deepEqual(await t.liquidations(b.address), []);
      assert.deepEqual(await t.liquidations(c.address), []);
      // Funded: the rest goes.
      await t.send(t.owner, { address: usdc, abi: mockErc20Abi, functionName: "mint", args: [poor.address, 100_000n * 10n ** 6n] });
      await until("the other two", () => (k.stats().length === 3 ? true : undefined));
      await k.stop();
    });
  });

  test("a position healthy at its stored tier but not at the terms its sync gives it (attestation superseded) is liquidated at once, at those terms", async () => {
    await scenario(async () => {
      await t.setPrice(10_000n);
      const w = t.wallet();
      const commitment = await t.attestLow(w, 0);
      await t.open(8_000n, 10n, w); // LOW: liquidation LTV 90%
      await t.replaceCommitment(w, commitment + 1n); // UNVERIFIED from now: liquidation LTV ramping 90% -> 70% over a day
      await t.rpc("evm_increaseTime", [6 * 3_600]); // ~85% now
      const k = keeper();
      await k.ready;
      await setIntervalMining(t.client, 1);
      const dropBlock = await t.setPrice(9_000n); // LTV ~89%: under LOW's 90% (stored terms), over the ramp's ~85%
      assert.equal((await t.position(w.address)).bucket, 0, "stored: still LOW");
      const [s] = await until("the liquidation", () => (k.stats().length ? k.stats() : undefined));
      await k.stop();
      assert.equal(s!.borrower, w.address);
      assert.equal(s!.becameLiquidatableBlock, Number(dropBlock));
      assert.equal(s!.delayBlocks, 1);
      const p = await t.position(w.address);
      assert.equal(p.bucket, 3, "synced to UNVERIFIED inside liquidate()");
      assert.equal(await t.client.readContract({ ...t.lending, functionName: "isHealthy", args: [w.address] }), true);
      assert.deepEqual(k.counters(), { sent: 1, reverted: 0, replaced: 0, dropped: 0, skipped: 0 });
    });
  });

  test("thirty positions liquidatable in one block go out in one batch through the BatchLiquidator, most underwater first", async () => {
    await scenario(async () => {
      await t.setPrice(10_000n);
      const opened: Account[] = [];
      for (let i = 0; i < 30; i++) opened.push(await t.open(5_800n + BigInt(i) * 6n, 2n));
      const db = await openDatabase(join(t.dir, "db"));
      const k = keeper({ db });
      await k.ready;
      await setIntervalMining(t.client, 1);
      const dropBlock = await t.setPrice(8_000n);
      const stats = await until("thirty liquidations", () => (k.stats().length === 30 ? k.stats() : undefined), 30_000);
      await k.stop();
      assert.deepEqual(new Set(stats.map((s) => s.delayBlocks)), new Set([1]));
      assert.equal(stats[0]!.liquidatedBlock, Number(dropBlock) + 1);
      const hashes = new Set(stats.map((s) => s.txHash));
      assert.equal(hashes.size, 1, "one transaction");
      const receipt = await t.client.getTransactionReceipt({ hash: [...hashes][0]! });
      assert.equal(receipt.to?.toLowerCase(), t.d.contracts.batchLiquidator.address.toLowerCase());
      const [batch] = parseEventLogs({ abi: batchLiquidatorAbi, logs: receipt.logs, eventName: "BatchLiquidated" });
      assert.equal(batch!.args.liquidated, 30n);
      assert.equal(batch!.args.skipped, 0n);
      // In the batch: most underwater (the highest LTV, opened last) first.
      const order = (await t.liquidations()).filter((e) => e.transactionHash === receipt.transactionHash).map((e) => e.args.borrower);
      assert.deepEqual(order, [...opened].reverse().map((a) => a.address));
      assert.deepEqual(k.counters(), { sent: 1, reverted: 0, replaced: 0, dropped: 0, skipped: 0 });
      // The liquidation log: one row per borrower of the batch transaction.
      const rows = await keeperLiquidations(db);
      await db.close();
      assert.deepEqual(rows.map((r) => [r.tx, r.status, r.delayBlocks]), stats.map(() => [receipt.transactionHash, "liquidated", 1]));
      assert.deepEqual(rows.map((r) => r.borrower).sort(), opened.map((a) => a.address).sort());
      console.log(`# batch of 30: ${receipt.gasUsed} gas (${receipt.gasUsed / 30n} per liquidation)`);
    });
  });
});
