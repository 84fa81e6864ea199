// The liquidation keeper on a real anvil (chain id 1, the real deploy path): the contract's
// arithmetic reproduced exactly, liquidation within one 1 s block of a price drop (most
// underwater first, healthy positions untouched, full liquidation or all collateral with bad
// debt), exact delays across an RPC outage, a restart that resumes from chain state without
// double-liquidating, automine, and the CLI. Every liquidation is logged in the database
// (keeper_liquidations, on PGlite); the CLI, a process of its own, gets its own folder, and is
// refused on a folder this process holds. Every keeper, proxy and anvil is stopped in `after`,
// pass or fail.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isAddressEqual, maxUint256, type Account, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi, mockAggregatorAbi, mockErc20Abi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { anvilDevKey, demoAccount, publicClient, roleAccount, walletClient } from "../runtime/chains/accounts.js";
import { getChain, startAnvil, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { keeperLiquidations } from "../runtime/db/attestations.js";
import { openDatabase, type Database } from "../runtime/db/engine.js";
import { deploy } from "../runtime/deploy/deploy.js";
import type { Deployment } from "../runtime/deploy/deployment.js";
import { checkKeeperFunds, fundKeeper, setAutomine, setIntervalMining, startKeeper, type Keeper, type LiquidationStat } from "../runtime/keeper/keeper.js";
import { accruedBuckets, BUCKET_UNVERIFIED, healthAt, liquidationIncentiveFactor, syncedPosition, WAD } from "../runtime/keeper/keeper-math.js";
import { readCreditPeriod, readMarket, readMarketInfo, readPosition } from "../runtime/keeper/keeper-positions.js";
import { ROOT } from "../toolchain/paths.js";
import { cleanEnv, oneLine, runCli } from "./cli-support.js";
import { startRpcProxy, type RpcProxy } from "./rpc-proxy.js";

const CHAIN = getChain(1);
const ANSWER0 = 2000n * 10n ** 8n; // the mock ETH/USD feed's initial answer (script/config/local.json)
const quiet = (): void => {};

/* HARNESS */

/** A JSON-RPC proxy that can be made to fail every request (connection reset), like a node going away. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("keeper on a local anvil", () => {
  let anvil: Anvil;
  let dir: string;
  let d: Deployment;
  let client: PublicClient;
  let db: Database;
  const keepers: Keeper[] = [];
  const proxies: RpcProxy[] = [];
  const keeperAccount = roleAccount("keeper", { local: true });
  const owner = privateKeyToAccount(anvilDevKey(0)); // deployer = owner of the mock feed
  const logs: string[] = [];
  const allStats: LiquidationStat[] = [];
  /** Positions that stay healthy throughout: never liquidated. */
  const healthy: Address[] = [];
  let keeperNonceAfterFunding = 0;
  /** Liquidations sent from the keeper's account by the test itself (a "crashed run"). */
  let manualLiquidations = 0;
  let next = 0;
  const borrower = (): Account => demoAccount(next++);

  const lending = () => ({ address: d.contracts.lending.address, abi: zkRiskLendingAbi }) as const;

  async function send(account: Account, req: Omit<Parameters<ReturnType<typeof walletClient>["writeContract"]>[0], "account" | "chain">): Promise<bigint> {
    // A fixed gas limit: under interval mining an estimate made on the latest block can fall short in the next one.
    const hash = await walletClient(CHAIN, anvil.rpcUrl, account).writeContract({ ...req, gas: 2_000_000n } as Parameters<ReturnType<typeof walletClient>["writeContract"]>[0]);
    const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.equal(r.status, "success", `${String(req.functionName)} reverted`);
    return r.blockNumber;
  }

  const head = () => client.getBlockNumber({ cacheTime: 0 });

  async function oraclePrice(): Promise<bigint> {
    const m = await readMarket(client, await readMarketInfo(client, d.contracts.lending.address), await head());
    return m.price!;
  }

  /** Deposit `eth` WETH and borrow `ltvBps` of its value at the current price (UNVERIFIED bucket: no proof). */
  async function open(ltvBps: bigint, eth = 10n): Promise<Account> {
    const a = borrower();
    const amount = eth * 10n ** 18n;
    await send(a, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "mint", args: [a.address, amount] });
    await send(a, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "approve", args: [d.contracts.lending.address, maxUint256] });
    await send(a, { ...lending(), functionName: "supplyCollateral", args: [amount, a.address] });
    const value = (amount * (await oraclePrice())) / 10n ** 36n;
    await send(a, { ...lending(), functionName: "borrow", args: [(value * ltvBps) / 10_000n, a.address] });
    return a;
  }

  /** Set the feed to `bps` of the initial answer; returns the block that mined it. */
  const setPrice = (bps: bigint): Promise<bigint> => send(owner, { address: d.contracts.priceFeed.address, abi: mockAggregatorAbi, functionName: "setAnswer", args: [(ANSWER0 * bps) / 10_000n] });

  const position = (a: Address) => client.readContract({ ...lending(), functionName: "position", args: [a] });

  const liquidations = async (who?: Address) =>
    (await client.getContractEvents({ ...lending(), eventName: "Liquidate", fromBlock: BigInt(d.deployBlock), strict: true })).filter(
      (e) => !who || isAddressEqual(e.args.borrower, who),
    );

  function keeper(opts: { rpcUrl?: string; pollMs?: number } = {}): Keeper {
    const k = startKeeper({ chains: [{ chain: CHAIN, rpcUrl: opts.rpcUrl ?? anvil.rpcUrl, deployment: d }], account: keeperAccount, db, pollMs: opts.pollMs ?? 100, log: (l) => (logs.push(l), process.env.KEEPER_TEST_LOG && console.error(l)) });
    keepers.push(k);
    return k;
  }

  /** Run a scenario; whatever happens, its keepers are stopped and anvil is back to automine. */
  async function scenario(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } finally {
      await Promise.allSettled(keepers.map((k) => k.stop()));
      await setAutomine(client);
    }
  }

  async function stopKeeper(k: Keeper): Promise<void> {
    await k.stop();
    allStats.push(...k.stats());
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "zkrisk-keeper-"));
    db = await openDatabase(join(dir, "db"));
    anvil = await startAnvil({ chainId: 1, accounts: 30 });
    client = publicClient(CHAIN, anvil.rpcUrl) as PublicClient;
    ({ deployment: d } = await deploy({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, protocols: false, log: quiet }));
    // Liquidity: 10M USDC from the owner (utilization stays far below the kink).
    const usdc = 10_000_000n * 10n ** 6n;
    await send(owner, { address: d.contracts.loanToken.address, abi: mockErc20Abi, functionName: "mint", args: [owner.address, usdc * 2n] });
    await send(owner, { address: d.contracts.loanToken.address, abi: mockErc20Abi, functionName: "approve", args: [d.contracts.lending.address, maxUint256] });
    await send(owner, { ...lending(), functionName: "supply", args: [usdc, owner.address] });
    await fundKeeper({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deployment: d, account: keeperAccount });
    keeperNonceAfterFunding = await client.getTransactionCount({ address: keeperAccount.address });
  });

  after(async () => {
    await Promise.allSettled(keepers.map((k) => k.stop()));
    await Promise.allSettled(proxies.map((p) => p.close()));
    await db?.close();
    await stopAll(anvil ? [anvil] : []);
    rmSync(dir, { recursive: true, force: true });
    const delays = allStats.map((s) => s.delayBlocks);
    console.log(`# keeper delays (blocks) over ${delays.length} liquidations: ${delays.join(", ")}`);
  });

  test("fundKeeper mints and approves; checkKeeperFunds says exactly what an unfunded keeper lacks", async () => {
    const funded = await checkKeeperFunds(client, CHAIN, d, keeperAccount.address);
    assert.equal(funded.problem, undefined);
    assert.equal(funded.allowance, maxUint256);
    assert.ok(funded.balance >= 10_000_000n * 10n ** 6n);
    const empty = privateKeyToAccount(anvilDevKey(19)).address;
    const lacking = await checkKeeperFunds(client, CHAIN, d, empty);
    assert.equal(
      lacking.problem,
      `keeper ${empty} on chain 1 (ethereum) holds 0 USDC of loan token ${d.contracts.loanToken.address} and has approved 0 USDC to the lending contract ${d.contracts.lending.address}: ` +
        "fund it with USDC, approve the lending contract and keep ETH for gas (local chain: `zkrisk keeper --fund` mints and approves)",
    );
  });

  test("liquidates every unhealthy position one 1 s block after the price drop, most underwater first; a healthy one is untouched", async () => {
    await scenario(async () => {
      await setPrice(10_000n);
      // LTV -> after a 20% drop (liquidation LTV 70%); opened in an order unrelated to how far underwater they end.
      const b = await open(5_800n, 7n); // 58% -> 72.5%
      const a = await open(5_990n); // 59.9% -> 74.9%: most underwater
      const h = await open(4_000n); // 40% -> 50%: healthy
      const x = await open(5_700n, 3n); // 57% -> 71.25%: least underwater
      const y = await open(5_900n, 12n); // 59% -> 73.75%
      const k = keeper();
      await k.ready;
      await setIntervalMining(client, 1);
      const dropBlock = await setPrice(8_000n);
      const stats = await until("four liquidations", () => (k.stats().length >= 4 ? k.stats() : undefined));
      await stopKeeper(k);
      await setAutomine(client);

      const order = [a, y, b, x].map((w) => w.address);
      assert.deepEqual(stats.map((s) => s.borrower).sort(), [...order].sort());
      for (const s of stats) {
        assert.equal(s.becameLiquidatableBlock, Number(dropBlock));
        assert.equal(s.delayBlocks, 1);
        assert.equal(s.liquidatedBlock, Number(dropBlock) + 1);
        assert.equal(s.badDebt, 0n);
        const [e] = await liquidations(s.borrower);
        assert.equal(e!.transactionHash, s.txHash);
        assert.equal(e!.args.repaidAssets, s.repaidAssets);
        assert.equal(e!.args.seizedAssets, s.seizedAssets);
        const p = await position(s.borrower);
        assert.equal(p.borrowShares, 0n, "full liquidation: no debt left");
        assert.ok(p.collateral > 0n, "the borrower keeps the collateral not seized");
      }
      // Most underwater first: all in the block after the drop, in order of debt / maxDebt.
      const receipts = await Promise.all(order.map((w) => stats.find((s) => s.borrower === w)!).map((s) => client.getTransactionReceipt({ hash: s.txHash })));
      const indexes = receipts.map((r) => r.transactionIndex);
      assert.deepEqual(indexes, [...indexes].sort((m, n) => m - n), `transaction indexes in a, y, b, x order: ${indexes.join(", ")}`);
      assert.deepEqual(await liquidations(h.address), []);
      healthy.push(h.address);

      // The liquidation log in the database: one row per liquidation, what stats() says.
      const rows = await keeperLiquidations(db, { chainId: 1 });
      for (const s of stats) {
        const row = rows.find((r) => r.tx === s.txHash.toLowerCase() && r.borrower === s.borrower);
        assert.deepEqual(row, {
          chainId: 1,
          tx: s.txHash.toLowerCase(),
          borrower: s.borrower,
          status: "liquidated",
          becameLiquidatableBlock: Number(dropBlock),
          liquidatedBlock: Number(dropBlock) + 1,
          delayBlocks: 1,
          repaidAssets: s.repaidAssets,
          seizedAssets: s.seizedAssets,
          badDebt: 0n,
        });
      }
      const perChain = await db.query<{ chain_id: number; n: number; worst: number }>(
        "SELECT chain_id, count(*) AS n, max(delay_blocks) AS worst FROM keeper_liquidations WHERE status = 'liquidated' GROUP BY chain_id",
      );
      assert.deepEqual(perChain, [{ chain_id: 1, n: 4, worst: 1 }]);
    });
  });

  test("an RPC outage is logged and survived, and the delay still counts from the block the position became liquidatable", async () => {
    await scenario(async () => {
      await setPrice(10_000n);
      const c = await open(5_990n);
      const proxy = await startRpcProxy(anvil.rpcUrl);
      proxies.push(proxy);
      const k = keeper({ rpcUrl: proxy.url });
      await k.ready;
      await setIntervalMining(client, 1);
      proxy.mode = "down";
      const dropBlock = await setPrice(8_000n);
      await until("3 blocks of outage", async () => ((await head()) >= dropBlock + 3n ? true : undefined));
      assert.deepEqual(k.stats(), [], "nothing can happen while the RPC is down");
      proxy.mode = "forward";
      const [s] = await until("the liquidation after the outage", () => (k.stats().length ? k.stats() : undefined));
      await stopKeeper(k);
      await setAutomine(client);
      assert.equal(s!.borrower, c.address);
      assert.equal(s!.becameLiquidatableBlock, Number(dropBlock));
      assert.ok(s!.delayBlocks >= 4, `delay ${s!.delayBlocks}`);
      assert.equal(s!.delayBlocks, s!.liquidatedBlock - Number(dropBlock));
      assert.ok(logs.some((l) => /RPC error /.test(l)), "the outage was logged");
      assert.ok(logs.some((l) => /RPC answering again after/.test(l)), "the recovery was logged");
    });
  });

  test("a restarted keeper resumes from chain state: it liquidates what is left, skips what others closed or fixed, never twice", async () => {
    await scenario(async () => {
      await setPrice(10_000n);
      const e = await open(5_990n); // liquidatable at -16%
      const f = await open(5_500n); // liquidatable at -25%, while the keeper is down
      const g = await open(5_500n); // ... but liquidated by someone else first
      const r = await open(5_500n); // ... but rescued by its owner with more collateral first
      await setIntervalMining(client, 1);
      const k1 = keeper();
      await k1.ready;
      const firstDrop = await setPrice(8_400n);
      await until("e liquidated", () => (k1.stats().length ? true : undefined));
      await stopKeeper(k1);
      assert.deepEqual(k1.stats().map((s) => [s.borrower, s.becameLiquidatableBlock]), [[e.address, Number(firstDrop)]]);

      // Keeper down: the price falls further; g is liquidated by another account, r adds collateral.
      const secondDrop = await setPrice(7_500n);
      const other = privateKeyToAccount(anvilDevKey(18));
      await fundKeeper({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deployment: d, account: other });
      const gp = await position(g.address);
      await send(other, { ...lending(), functionName: "liquidate", args: [g.address, 0n, gp.borrowShares] });
      await send(r, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "mint", args: [r.address, 10n ** 19n] });
      await send(r, { ...lending(), functionName: "supplyCollateral", args: [10n ** 19n, r.address] });

      const k2 = keeper();
      await k2.ready;
      await until("f liquidated", () => (k2.stats().length ? true : undefined));
      await sleep(2_500); // two more blocks: nothing else may happen
      await stopKeeper(k2);
      await setAutomine(client);
      const [s] = k2.stats();
      assert.equal(k2.stats().length, 1);
      assert.equal(s!.borrower, f.address);
      assert.equal(s!.becameLiquidatableBlock, Number(secondDrop), "found by re-checking past blocks on start");
      for (const [who, count] of [[e, 1], [f, 1], [g, 1], [r, 0]] as const) assert.equal((await liquidations(who.address)).length, count, who.address);
      assert.ok(isAddressEqual((await liquidations(g.address))[0]!.args.caller, other.address));
      healthy.push(r.address);
    });
  });

  test("a keeper started while a liquidation of a crashed run is still pending waits for it and does not liquidate twice", async () => {
    await scenario(async () => {
      await setPrice(10_000n);
      const v = await open(5_990n);
      await setPrice(8_000n); // liquidatable, and no keeper running
      await setIntervalMining(client, 1);
      // What a keeper that crashed right after sending leaves behind: its liquidation in the mempool.
      const { borrowShares } = await position(v.address);
      await walletClient(CHAIN, anvil.rpcUrl, keeperAccount).writeContract({ ...lending(), functionName: "liquidate", args: [v.address, 0n, borrowShares], gas: 2_000_000n });
      manualLiquidations++;
      const k = keeper();
      await k.ready;
      await until("the pending liquidation mined", async () => ((await liquidations(v.address)).length ? true : undefined));
      const after = await head();
      await until("two more blocks", async () => ((await head()) >= after + 2n ? true : undefined));
      await stopKeeper(k);
      assert.deepEqual(k.stats(), []);
      assert.equal((await liquidations(v.address)).length, 1);
    });
  });

  test("automine: an underwater position loses all its collateral, the rest is bad debt", async () => {
    await scenario(async () => {
      await setPrice(10_000n);
      const u = await open(5_990n); // at -40%: LTV 99.8% > 1/LIF (91%): underwater
      const k = keeper();
      await k.ready;
      const dropBlock = await setPrice(6_000n);
      const [s] = await until("the liquidation", () => (k.stats().length ? k.stats() : undefined));
      await stopKeeper(k);
      assert.equal(s!.borrower, u.address);
      assert.equal(s!.delayBlocks, 1);
      assert.equal(s!.becameLiquidatableBlock, Number(dropBlock));
      assert.equal(s!.seizedAssets, 10n ** 19n, "all collateral seized");
      assert.ok(s!.badDebt > 0n);
      const bad = await client.getContractEvents({ ...lending(), eventName: "BadDebt", args: { borrower: u.address }, fromBlock: BigInt(d.deployBlock), strict: true });
      assert.equal(bad.length, 1);
      assert.equal(bad[0]!.args.assets, s!.badDebt);
      const p = await position(u.address);
      assert.deepEqual([p.borrowShares, p.collateral], [0n, 0n]);
    });
  });

  test("health, debt and liquidation LTV equal the contract's views, to the wei and at the exact price boundary", async () => {
    const a = await open(5_900n);
    const b = await open(4_000n, 3n);
    // Just accrued: the views (which do not accrue) and the keeper's math see the same state.
    const n = await send(owner, { ...lending(), functionName: "accrueInterest" });
    const info = await readMarketInfo(client, d.contracts.lending.address);
    const m = await readMarket(client, info, n);
    assert.equal(m.lastUpdate, m.timestamp);
    for (const who of [a.address, b.address]) {
      const p = await readPosition(client, d.contracts.lending.address, who, n);
      const h = healthAt(m, p);
      const at = { ...lending(), blockNumber: n } as const;
      assert.equal(h.debt, await client.readContract({ ...at, functionName: "debtOf", args: [who] }));
      assert.equal(h.lltv, await client.readContract({ ...at, functionName: "liquidationLtvOf", args: [who] }));
      assert.equal(h.healthy, await client.readContract({ ...at, functionName: "isHealthy", args: [who] }));
      // The lowest feed answer at which the position is healthy, by bisection on the keeper's math...
      const healthyAt = (answer: bigint) => healthAt({ ...m, price: answer * 10n ** 16n }, p).healthy;
      let lo = 1n;
      let hi = ANSWER0;
      while (lo < hi) {
        const mid = (lo + hi) / 2n;
        if (healthyAt(mid)) hi = mid;
        else lo = mid + 1n;
      }
      // ...is the contract's boundary too (feed answer overridden in storage slot 1 of MockAggregator).
      for (const [answer, expected] of [[lo, true], [lo - 1n, false]] as const) {
        const stateOverride = [{ address: d.contracts.priceFeed.address, stateDiff: [{ slot: `0x${"0".repeat(63)}1` as const, value: `0x${answer.toString(16).padStart(64, "0")}` as const }] }];
        assert.equal(await client.readContract({ ...at, functionName: "isHealthy", args: [who], stateOverride }), expected, `answer ${answer}`);
        assert.equal(healthyAt(answer), expected);
      }
    }
    // Interest: the keeper's projection of block n's state to a later timestamp equals the accrued state.
    const later = m.timestamp + 86_400n * 30n;
    await client.request({ method: "evm_setNextBlockTimestamp", params: [`0x${later.toString(16)}`] } as never);
    const n2 = await send(owner, { ...lending(), functionName: "accrueInterest" });
    const pa = await readPosition(client, d.contracts.lending.address, a.address, n);
    assert.equal(healthAt(m, pa, later).debt, await client.readContract({ ...lending(), functionName: "debtOf", args: [a.address], blockNumber: n2 }));
    assert.deepEqual(accruedBuckets(m, later), await Promise.all([0, 1, 2, 3].map((i) => client.readContract({ ...lending(), functionName: "bucket", args: [i], blockNumber: n2 }))));
    assert.equal(liquidationIncentiveFactor(7n * 10n ** 17n), (WAD * WAD) / (WAD - 9n * 10n ** 16n)); // 1/0.91 for the unverified bucket's 70%
  });
  test("issue 11: a superseded attestation nobody synced: debtOf, liquidationLtvOf and isHealthy equal the mirror's current terms, and syncTier writes exactly them", async () => {
    // A real proof (test/fixtures/credit/low-0.json, tier 0) of the deployed credit model attests the wallet LOW.
    const fixture = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "credit", "low-0.json"), "utf8")) as { proof: Hex; instances: string[]; tier: number };
    const instances = fixture.instances.map((x) => BigInt(x));
    const registry = { address: d.contracts.registry.address, abi: attestationRegistryAbi } as const;
    const attestor = roleAccount("attestor", { local: true });
    await setPrice(10_000n); // a fresh feed answer (earlier tests moved the clock)
    const w = borrower();
    const eth = 10n * 10n ** 18n;
    await send(w, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "mint", args: [w.address, eth] });
    await send(w, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "approve", args: [d.contracts.lending.address, maxUint256] });
    await send(w, { ...lending(), functionName: "supplyCollateral", args: [eth, w.address] });
    await send(attestor, { ...registry, functionName: "postCommitment", args: [w.address, instances[0]!] });
    await send(owner, { ...registry, functionName: "attest", args: [w.address, d.modelId, fixture.proof, instances] });
    assert.equal(await client.readContract({ ...lending(), functionName: "bucketFor", args: [w.address] }), fixture.tier);
    const value = (eth * (await oraclePrice())) / 10n ** 36n;
    await send(w, { ...lending(), functionName: "borrow", args: [(value * 8_000n) / 10_000n, w.address] }); // 80%: LOW only

    // The attestor replaces the commitment (the LOW attestation stops counting); nobody syncs for 6 hours.
    await send(attestor, { ...registry, functionName: "postCommitment", args: [w.address, instances[0]! + 1n] });
    await client.request({ method: "evm_increaseTime", params: [6 * 3_600] } as never);
    const n = await send(owner, { ...lending(), functionName: "accrueInterest" });
    const info = await readMarketInfo(client, d.contracts.lending.address);
    const m = await readMarket(client, info, n);
    const p = await readPosition(client, d.contracts.lending.address, w.address, n);
    const credit = await readCreditPeriod(client, info.creditOracle, w.address, n);
    assert.equal(p.bucket, fixture.tier, "stored: still LOW");
    assert.equal(credit.counts, false);

    const now = syncedPosition(m, p, credit, m.timestamp);
    assert.equal(now.position.bucket, BUCKET_UNVERIFIED);
    assert.ok(now.catchUpInterest > 0n, "UNVERIFIED's rate since the commitment was replaced");
    const h = healthAt(now.market, now.position);
    assert.ok(h.lltv < 9n * 10n ** 17n && h.lltv > 7n * 10n ** 17n, `mid-ramp: ${h.lltv}`);
    const at = { ...lending(), blockNumber: n } as const;
    assert.equal(await client.readContract({ ...at, functionName: "debtOf", args: [w.address] }), h.debt);
    assert.equal(await client.readContract({ ...at, functionName: "liquidationLtvOf", args: [w.address] }), h.lltv);
    assert.equal(await client.readContract({ ...at, functionName: "isHealthy", args: [w.address] }), h.healthy);

    // The sync, a block later: exactly the mirror's terms at that block's time.
    const n2 = await send(owner, { ...lending(), functionName: "syncTier", args: [w.address] });
    const t2 = (await client.getBlock({ blockNumber: n2 })).timestamp;
    const expected = syncedPosition(m, p, credit, t2);
    assert.deepEqual(await readPosition(client, d.contracts.lending.address, w.address, n2), expected.position);
    const m2 = await readMarket(client, info, n2);
    assert.deepEqual(m2.buckets, expected.market.buckets);
    assert.equal(m2.totalBorrowAssets, expected.market.totalBorrowAssets);
    assert.equal(m2.totalSupplyAssets, expected.market.totalSupplyAssets);
    assert.equal(healthAt(m2, expected.position).debt, await client.readContract({ ...lending(), functionName: "debtOf", args: [w.address], blockNumber: n2 }));

    // A long idle gap (200 days: the exponent is halved and squared back): the mirror accrues to the wei too.
    const later = m2.timestamp + 200n * 86_400n;
    await client.request({ method: "evm_setNextBlockTimestamp", params: [`0x${later.toString(16)}`] } as never);
    const n3 = await send(owner, { ...lending(), functionName: "accrueInterest" });
    assert.deepEqual(accruedBuckets(m2, later), await Promise.all([0, 1, 2, 3].map((i) => client.readContract({ ...lending(), functionName: "bucket", args: [i], blockNumber: n3 }))));
  });

  test("no failed or duplicate keeper transaction, and healthy positions were never touched", async () => {
    // The keeper's transactions: one approval of the BatchLiquidator, then only batches that mined liquidations (and the test's own "crashed run" one).
    const sent = (await client.getTransactionCount({ address: keeperAccount.address })) - keeperNonceAfterFunding;
    const batches = new Set(allStats.map((s) => s.txHash));
    assert.equal(sent, 1 + batches.size + manualLiquidations, "every keeper transaction is the approval or a batch that liquidated");
    for (const hash of batches) assert.equal((await client.getTransactionReceipt({ hash })).status, "success");
    const liquidator = d.contracts.batchLiquidator.address;
    const byKeeper = (await liquidations()).filter((e) => isAddressEqual(e.args.caller, keeperAccount.address) || isAddressEqual(e.args.caller, liquidator));
    assert.equal(new Set(byKeeper.map((e) => e.args.borrower)).size, byKeeper.length);
    assert.equal(allStats.length + manualLiquidations, byKeeper.length);
    for (const h of healthy) assert.deepEqual(await liquidations(h), []);
    // The database holds each of them, settled: no row left 'sent', none reverted, none twice.
    const rows = await keeperLiquidations(db);
    assert.deepEqual(rows.map((r) => r.status), allStats.map(() => "liquidated"));
    assert.deepEqual(
      rows.map((r) => [r.tx, r.borrower, r.becameLiquidatableBlock, r.liquidatedBlock, r.delayBlocks, r.repaidAssets, r.seizedAssets, r.badDebt]).sort(),
      allStats.map((s) => [s.txHash.toLowerCase(), s.borrower, s.becameLiquidatableBlock, s.liquidatedBlock, s.delayBlocks, s.repaidAssets, s.seizedAssets, s.badDebt]).sort(),
    );
  });
  describe("zkrisk keeper (CLI)", () => {
    const cli = (args: string[], env: NodeJS.ProcessEnv) => runCli(["keeper", ...args], env);

    test("--help names every option", () => {
      const r = cli(["--help"], cleanEnv());
      assert.equal(r.status, 0, r.stderr);
      for (const flag of ["--chains", "--deployments", "--rpc", "--rpc-timeout-ms", "--database", "--poll-ms", "--fund", "ETH_RPC_URL", "ZKRISK_KEEPER_KEY"]) assert.ok(r.stdout.includes(flag), flag);
    });

    test("one-line errors: missing RPC variable, missing deployment, unreachable RPC, a keeper without funds", () => {
      let r = cli(["--chains", "1"], cleanEnv());
      assert.equal(r.status, 1);
      assert.equal(oneLine(r.stderr), "zkrisk keeper: ETH_RPC_URL is not set: it is the RPC URL of chain 1 (ethereum)");

      r = cli(["--chains", "1", "--rpc", "1=http://127.0.0.1:1,137=http://127.0.0.1:2"], cleanEnv());
      assert.equal(oneLine(r.stderr), "zkrisk keeper: --rpc: chain 137 is not among --chains 1");
      r = cli(["--chains", "1", "--rpc", "1=http://127.0.0.1:1,1:http://b"], cleanEnv());
      assert.equal(oneLine(r.stderr), 'zkrisk keeper: --rpc: "1:http://b" is not <chainId>=<url>');
      r = cli(["--chains", "1", "--rpc", "1=http://127.0.0.1:1", "--rpc-timeout-ms", "5"], cleanEnv());
      assert.equal(oneLine(r.stderr), 'zkrisk keeper: --rpc-timeout-ms: "5" is not a whole number of milliseconds between 10 and 60000');

      const empty = mkdtempSync(join(tmpdir(), "zkrisk-keeper-none-"));
      r = cli(["--chains", "1", "--deployments", empty], cleanEnv({ ETH_RPC_URL: anvil.rpcUrl }));
      rmSync(empty, { recursive: true });
      assert.equal(r.status, 1);
      assert.equal(oneLine(r.stderr), `zkrisk keeper: no deployment for chain 1 in ${empty}/: run \`npm run zkrisk -- deploy\` first`);

      r = cli(["--chains", "1", "--deployments", dir], cleanEnv({ ETH_RPC_URL: "http://127.0.0.1:9" }));
      assert.equal(r.status, 1);
      assert.match(oneLine(r.stderr), /^zkrisk keeper: chain 1 \(ethereum\): RPC 127\.0\.0\.1:9 is unreachable/);

      const broke = privateKeyToAccount(anvilDevKey(19)).address;
      r = cli(["--chains", "1", "--deployments", dir], cleanEnv({ ETH_RPC_URL: anvil.rpcUrl, ZKRISK_KEEPER_KEY: anvilDevKey(19) }));
      assert.equal(r.status, 1);
      assert.match(oneLine(r.stderr), new RegExp(`^zkrisk keeper: keeper ${broke} on chain 1 \\(ethereum\\) holds 0 USDC of loan token 0x[0-9a-fA-F]{40} and has approved 0 USDC`));
      assert.ok(!(r.stdout + r.stderr).toLowerCase().includes(anvilDevKey(19).slice(2).toLowerCase()), "the key was printed");
    });

    test("a PGlite folder another process holds is refused with one line pointing to PostgreSQL", () => {
      const held = join(dir, "db"); // this process's keeper database
      const r = cli(["--chains", "1", "--deployments", dir, "--database", held], cleanEnv({ ETH_RPC_URL: anvil.rpcUrl }));
      assert.equal(r.status, 1, r.stdout);
      assert.match(
        oneLine(r.stderr),
        new RegExp(`^zkrisk keeper: the embedded database ${held} is in use by process ${process.pid} \\(.*\\); PGlite serves one process at a time: .*PostgreSQL server`),
      );
    });

    test("runs until SIGINT, then stops cleanly with exit 0", async () => {
      // Its own PGlite folder: the one of this process is taken.
      const own = join(dir, "cli-db");
      const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "ts/cli/main.ts"), "keeper", "--chains", "1", "--deployments", dir, "--database", own, "--poll-ms", "50", "--rpc", `1=${anvil.rpcUrl},1=http://127.0.0.1:9`], {
        cwd: ROOT,
        env: cleanEnv(), // the RPC URLs from --rpc: anvil, then a fallback that refuses connections
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr.on("data", (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        await until("the keeper to watch", () => (/watching chain 1 \(ethereum\) every 50 ms/.test(out) ? true : undefined), 45_000).catch((e: Error) => {
          throw new Error(`${e.message}; its output:\n${out}`);
        });
        child.kill("SIGINT");
        assert.equal(await exited, 0, out);
        assert.match(out, /SIGINT: stopping/);
        assert.match(out, /keeper stopped: no liquidation; transactions: 0 sent, 0 reverted, 0 fee bumps, 0 re-sent after the node lost them/);
        assert.match(out, new RegExp(`logging to ${own}`));
        const cliDb = await openDatabase(own); // released on exit, with its table
        try {
          assert.deepEqual(await keeperLiquidations(cliDb), []);
        } finally {
          await cliDb.close();
        }
      } finally {
        child.kill("SIGKILL");
      }
    });
  });
});
