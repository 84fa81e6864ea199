// The indexer and attestor on two real anvil chains (ids 1 and 137) with zkrisk deployed by
// the real deploy script, on the embedded database: wallets act across days, the indexed
// features equal hand-computed values, a second run resumes from the database's cursors, a reorg
// is detected and re-indexed, and the commitments posted on every chain equal inputCommitment of
// the stored salted input. (Kill-and-resume and reorgs on both engines: db-indexer.test.ts.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestClient, http, maxUint256, parseUnits, type Account, type Address, type Chain, type Hash, type PublicClient, type Transport, type WalletClient } from "viem";
import { demoAccount, publicClient, roleAccount, viemChain, walletClient } from "../runtime/chains/accounts.js";
import { mockAggregatorAbi, mockErc20Abi, zkRiskLendingAbi, attestationRegistryAbi } from "../generated/abi.generated.js";
import { attestWallets, readInputScale } from "../runtime/attest/attestor.js";
import { getChain, startAnvil, stopAll, type Anvil, type ChainInfo } from "../runtime/chains/chains.js";
import { commitmentsPostedFor } from "../runtime/db/attestations.js";
import { openDatabase, type Database } from "../runtime/db/engine.js";
import { chainEvents } from "../runtime/db/index-data.js";
import { deploy } from "../runtime/deploy/deploy.js";
import type { Deployment } from "../runtime/deploy/deployment.js";
import { loadFeatureSpec, transform } from "../runtime/indexer/features.js";
import { runIndex, type RunIndexOptions, type RunIndexResult } from "../runtime/indexer/index-run.js";
import type { WalletFeatures } from "../runtime/indexer/indexer.js";
import { latestRecordOf, recordsOf } from "../runtime/attest/store.js";
import { saltedInput } from "../pipeline/salt.js";
import { ROOT } from "../toolchain/paths.js";
import { inputCommitment } from "../prover/engine.js";

const DAY = 86_400;
const HOUR = 3_600;
const CONFIRMATIONS = 2;
const spec = loadFeatureSpec();
const LT = spec.liquidationThreshold;
const usdc = (x: number) => parseUnits(String(x), 6);
const weth = (x: number) => parseUnits(String(x), 18);
const usd8 = (x: number) => BigInt(x) * 10n ** 8n;

interface Ctx {
  readonly chain: ChainInfo;
  readonly anvil: Anvil;
  readonly d: Deployment;
  readonly pc: PublicClient;
  readonly testClient: ReturnType<typeof createTestClient>;
  readonly lending: Address;
  readonly loan: Address;
  readonly coll: Address;
  readonly feed: Address;
  readonly registry: Address;
}

type Writer = WalletClient<Transport, Chain, Account>;

const owner = roleAccount("deployer", { local: true }); // owner, risk manager and feed owner on local chains
const A = demoAccount(0);
const B = demoAccount(1);
const C = demoAccount(2);
const S = demoAccount(3); // supplier and liquidator

async function exec(ctx: Ctx, account: Account, write: (wc: Writer) => Promise<Hash>): Promise<void> {
  const hash = await write(walletClient(ctx.chain, ctx.anvil.rpcUrl, account));
  const receipt = await ctx.pc.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
}

const at = (ctx: Ctx, time: number) => ctx.testClient.setNextBlockTimestamp({ timestamp: BigInt(time) });
const setPrice = (ctx: Ctx, dollars: number) =>
  exec(ctx, owner, (wc) => wc.writeContract({ address: ctx.feed, abi: mockAggregatorAbi, functionName: "setAnswer", args: [usd8(dollars)] }));
const mint = (ctx: Ctx, token: Address, to: Address, amount: bigint) =>
  exec(ctx, owner, (wc) => wc.writeContract({ address: token, abi: mockErc20Abi, functionName: "mint", args: [to, amount] }));
const approve = (ctx: Ctx, who: Account, token: Address) =>
  exec(ctx, who, (wc) => wc.writeContract({ address: token, abi: mockErc20Abi, functionName: "approve", args: [ctx.lending, maxUint256] }));
const supply = (ctx: Ctx, who: Account, amount: bigint) =>
  exec(ctx, who, (wc) => wc.writeContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "supply", args: [amount, who.address] }));
const deposit = (ctx: Ctx, who: Account, amount: bigint) =>
  exec(ctx, who, (wc) => wc.writeContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "supplyCollateral", args: [amount, who.address] }));
const withdraw = (ctx: Ctx, who: Account, amount: bigint) =>
  exec(ctx, who, (wc) => wc.writeContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "withdrawCollateral", args: [amount, who.address] }));
const borrow = (ctx: Ctx, who: Account, amount: bigint) =>
  exec(ctx, who, (wc) => wc.writeContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "borrow", args: [amount, who.address] }));
const repay = (ctx: Ctx, who: Account, assets: bigint, shares = 0n) =>
  exec(ctx, who, (wc) => wc.writeContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "repay", args: [assets, shares, who.address] }));
const position = (ctx: Ctx, who: Address) => ctx.pc.readContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "position", args: [who] });
const debtOf = (ctx: Ctx, who: Address) => ctx.pc.readContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "debtOf", args: [who] });

/** Relative closeness for USD values and ratios (share rounding moves debts by 1e-6 USD). */
function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${what}: ${actual} != ${expected}`);
}

function assertRaw(actual: Readonly<Record<string, unknown>>, expected: Record<string, number | string[]>, who: string): void {
  for (const [name, v] of Object.entries(expected)) {
    if (Array.isArray(v)) assert.deepEqual(actual[name], v, `${who} ${name}`);
    else near(actual[name] as number, v, `${who} ${name}`);
  }
}

const find = (r: RunIndexResult, who: Address): WalletFeatures => {
  const w = r.wallets.find((x) => x.wallet === who);
  assert.ok(w, `no features for ${who}`);
  return w;
};
const chainRaw = (w: WalletFeatures, chainId: number) => {
  const rec = w.records.find((r) => r.chainId === chainId);
  assert.ok(rec);
  return rec.raw;
};

describe("indexer + attestor on two anvil chains", { timeout: 600_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "zkrisk-indexer-"));
  const deploymentsDir = join(tmp, "deployments");
  const dbDir = join(tmp, "db");
  let db: Database;
  let anvils: Anvil[] = [];
  let c1: Ctx;
  let c137: Ctx;
  let base: number; // 00:00 UTC of the first day of activity
  let run1: RunIndexResult;
  let run2: RunIndexResult;

  const options = (extra: Partial<RunIndexOptions> = {}): RunIndexOptions => ({
    deploymentsDir,
    db,
    chains: [c1.chain, c137.chain],
    rpcUrls: { 1: c1.anvil.rpcUrl, 137: c137.anvil.rpcUrl },
    confirmations: CONFIRMATIONS,
    chunkSize: 5,
    ...extra,
  });
  // One block to be the snapshot, then the confirmations above it.
  const confirm = async (ctx: Ctx) => ctx.testClient.mine({ blocks: CONFIRMATIONS + 1 });

  before(async () => {
    const chains = [getChain(1), getChain(137)];
    anvils = await Promise.all(chains.map((c) => startAnvil({ chainId: c.chainId })));
    const ctxs: Ctx[] = [];
    for (const [i, chain] of chains.entries()) {
      const anvil = anvils[i]!;
      // zkrisk only: this test is about its pool (Aave v3 and Morpho Blue: indexer-protocols.test.ts).
      const { deployment: d } = await deploy({ chain, rpcUrl: anvil.rpcUrl, deploymentsDir, protocols: false, log: () => {} });
      ctxs.push({
        chain,
        anvil,
        d,
        pc: publicClient(chain, anvil.rpcUrl) as PublicClient,
        testClient: createTestClient({ mode: "anvil", chain: viemChain(chain, anvil.rpcUrl), transport: http(anvil.rpcUrl) }),
        lending: d.contracts.lending.address,
        loan: d.contracts.loanToken.address,
        coll: d.contracts.collateralToken.address,
        feed: d.contracts.priceFeed.address,
        registry: d.contracts.registry.address,
      });
    }
    [c1, c137] = ctxs as [Ctx, Ctx];
    db = await openDatabase(dbDir);
    const latest = await c1.pc.getBlock();
    base = (Math.floor(Number(latest.timestamp) / DAY) + 2) * DAY;

    for (const ctx of [c1, c137]) {
      // No interest in the unverified bucket: debts stay what was borrowed, so every risk factor is hand-computable.
      await exec(ctx, owner, (wc) =>
        wc.writeContract({ address: ctx.lending, abi: zkRiskLendingAbi, functionName: "setTierParams", args: [3, { apr: 0n, maxLtv: parseUnits("0.6", 18), lltv: parseUnits("0.7", 18) }] }),
      );
    }

    // Chain 1, day 0 10:00: S supplies, A deposits 10 WETH @ $2000 and borrows 5000, C deposits 1 WETH and borrows 1100.
    await at(c1, base + 10 * HOUR);
    await setPrice(c1, 2000);
    for (const [who, w] of [[A, 10], [C, 1]] as const) await mint(c1, c1.coll, who.address, weth(w));
    await mint(c1, c1.loan, S.address, usdc(2_000_000));
    await approve(c1, S, c1.loan);
    await supply(c1, S, usdc(1_000_000));
    await approve(c1, A, c1.coll);
    await deposit(c1, A, weth(10));
    await borrow(c1, A, usdc(5000));
    await approve(c1, C, c1.coll);
    await deposit(c1, C, weth(1));
    await borrow(c1, C, usdc(1100));
    // Day 1 10:00: A repays 2000.
    await at(c1, base + DAY + 10 * HOUR);
    await setPrice(c1, 2000);
    await approve(c1, A, c1.loan);
    await repay(c1, A, usdc(2000));
    // Day 3 10:00: ETH at $1600, A withdraws 1 WETH.
    await at(c1, base + 3 * DAY + 10 * HOUR);
    await setPrice(c1, 1600);
    await withdraw(c1, A, weth(1));
    // Day 4 12:00: ETH at $1000, S liquidates half of C's debt.
    await at(c1, base + 4 * DAY + 12 * HOUR);
    await setPrice(c1, 1000);
    const cShares = (await position(c1, C.address)).borrowShares;
    await exec(c1, S, (wc) => wc.writeContract({ address: c1.lending, abi: zkRiskLendingAbi, functionName: "liquidate", args: [C.address, 0n, cShares / 2n] }));
    await confirm(c1);

    // Chain 137, day 1 12:00: S supplies, A deposits 5 WETH and borrows 1000, B deposits 1 WETH.
    await at(c137, base + DAY + 12 * HOUR);
    await setPrice(c137, 2000);
    await mint(c137, c137.coll, A.address, weth(5));
    await mint(c137, c137.coll, B.address, weth(3));
    await mint(c137, c137.loan, S.address, usdc(1_000_000));
    await approve(c137, S, c137.loan);
    await supply(c137, S, usdc(1_000_000));
    await approve(c137, A, c137.coll);
    await deposit(c137, A, weth(5));
    await borrow(c137, A, usdc(1000));
    await approve(c137, B, c137.coll);
    await deposit(c137, B, weth(1));
    // Day 2 12:00: A repays everything (by shares).
    await at(c137, base + 2 * DAY + 12 * HOUR);
    await approve(c137, A, c137.loan);
    await repay(c137, A, 0n, (await position(c137, A.address)).borrowShares);
    // Day 4 14:00: nothing but blocks; the feed's last round (day 1) is stale by now.
    await at(c137, base + 4 * DAY + 14 * HOUR);
    await confirm(c137);
  });

  after(async () => {
    await db?.close();
    await stopAll(anvils);
    rmSync(tmp, { recursive: true, force: true });
  });

  test("first run: features equal hand-computed values; commitments posted on both chains", async () => {
    const heads = await Promise.all([c1, c137].map(async (ctx) => Number(await ctx.pc.getBlockNumber({ cacheTime: 0 }))));
    const lines: string[] = [];
    run1 = await runIndex(options({ log: (l: string) => lines.push(l) }));
    assert.equal(run1.chains.length, 2);
    // Deployed without Aave v3 and Morpho Blue: each is skipped with one line naming it and the chain.
    assert.deepEqual(lines.filter((l) => l.includes("skipped")).sort(), [
      "chain 137: aave-v3 skipped: the deployment record of chain 137 has no protocols.aaveV3",
      "chain 137: morpho-blue skipped: the deployment record of chain 137 has no protocols.morphoBlue",
      "chain 1: aave-v3 skipped: the deployment record of chain 1 has no protocols.aaveV3",
      "chain 1: morpho-blue skipped: the deployment record of chain 1 has no protocols.morphoBlue",
    ]);
    assert.deepEqual(run1.chains.map((c) => [c.sources?.map((s) => s.protocol), c.undecodable?.total]), [[["zkrisk"], {}], [["zkrisk"], {}]]);
    for (const [i, c] of run1.chains.entries()) {
      assert.equal(c.rewound, null);
      assert.ok(c.pages > 1, `chain ${c.chainId}: ${c.pages} page(s) with chunk size 5`);
      assert.equal(c.snapshot.block, heads[i]! - CONFIRMATIONS);
    }
    assert.deepEqual(new Set(run1.wallets.map((w) => w.wallet)), new Set([A.address, B.address, C.address, S.address]));

    const a = find(run1, A.address);
    const a1 = {
      wallet_age_days: 4, tx_count: 6, borrow_count: 1, borrow_usd: 5000, repay_count: 1, repay_usd: 2000,
      deposit_count: 1, deposit_usd: 20_000, withdraw_count: 1, withdraw_usd: 1600, liquidation_count: 0, days_since_last_liquidation: 1825,
      // 00:00 of days 1..4: debt 5000 / 3000 / 3000 / 3000 against 10 WETH @2000, 10 @2000, 10 @2000, 9 @1600
      days_with_debt: 4,
      avg_risk_factor: (5000 / (20_000 * LT) + 3000 / (20_000 * LT) + 3000 / (20_000 * LT) + 3000 / (14_400 * LT)) / 4,
      max_risk_factor: 5000 / (20_000 * LT),
      current_risk_factor: 3000 / (9000 * LT), collateral_usd: 9000, debt_usd: 3000, protocols_used: ["zkrisk"], chains_used: 1,
    };
    const a137 = {
      wallet_age_days: 3, tx_count: 5, borrow_count: 1, borrow_usd: 1000, repay_count: 1, repay_usd: 1000,
      deposit_count: 1, deposit_usd: 10_000, withdraw_count: 0, withdraw_usd: 0, liquidation_count: 0, days_since_last_liquidation: 1825,
      // 00:00 of day 2: debt 1000 against 5 WETH @2000; days 3 and 4: no debt
      days_with_debt: 1, avg_risk_factor: 1000 / (10_000 * LT), max_risk_factor: 1000 / (10_000 * LT),
      // the feed's round is older than the heartbeat: valued at the feed's answer ($2000)
      current_risk_factor: 0, collateral_usd: 10_000, debt_usd: 0, protocols_used: ["zkrisk"], chains_used: 1,
    };
    assertRaw(chainRaw(a, 1), a1, "A chain 1");
    assertRaw(chainRaw(a, 137), a137, "A chain 137");
    const expected = [
      4, 11, 2, 6000, 2, 3000, 2, 30_000, 1, 1600, 0, 1825, 5,
      (a1.avg_risk_factor * 4 + a137.avg_risk_factor) / 5, a1.max_risk_factor, a1.current_risk_factor, 19_000, 3000, 1, 2,
    ];
    expected.forEach((v, i) => near(a.raw[i]!, v, `A raw ${spec.names[i]}`));
    transform(spec, expected).forEach((v, i) => near(a.features[i]!, v, `A feature ${spec.names[i]}`));

    const b = find(run1, B.address);
    assertRaw(chainRaw(b, 137), {
      wallet_age_days: 3, tx_count: 2, deposit_count: 1, deposit_usd: 2000, borrow_count: 0, days_with_debt: 0,
      max_risk_factor: 0, current_risk_factor: 0, collateral_usd: 2000, debt_usd: 0, chains_used: 1,
    }, "B chain 137");
    assertRaw(chainRaw(b, 1), { wallet_age_days: 0, tx_count: 0, chains_used: 0, days_since_last_liquidation: 1825, protocols_used: [] }, "B chain 1 (no activity)");

    const c = find(run1, C.address);
    const [cPos, cDebt] = [await position(c1, C.address), await debtOf(c1, C.address)];
    const cColl = (Number(cPos.collateral) / 1e18) * 1000;
    assertRaw(chainRaw(c, 1), {
      wallet_age_days: 4, tx_count: 3, borrow_count: 1, borrow_usd: 1100, deposit_usd: 2000, liquidation_count: 1, days_since_last_liquidation: 0,
      days_with_debt: 4, max_risk_factor: 1100 / (1600 * LT), avg_risk_factor: ((1100 / (2000 * LT)) * 3 + 1100 / (1600 * LT)) / 4,
      collateral_usd: cColl, debt_usd: Number(cDebt) / 1e6, current_risk_factor: Number(cDebt) / 1e6 / (cColl * LT),
    }, "C chain 1");
    assert.ok(Number(cDebt) / 1e6 < 1100 && cPos.collateral < weth(1), "the liquidation repaid debt and seized collateral");

    const s = find(run1, S.address);
    assertRaw(chainRaw(s, 1), { deposit_count: 0, borrow_count: 0, chains_used: 1, protocols_used: ["zkrisk"], days_with_debt: 0 }, "S (supplier, liquidator)");

    assert.equal(run1.attestations.length, 4);
    for (const att of run1.attestations) {
      assert.equal(att.newCommitment, true);
      assert.deepEqual(att.chains.map((x) => x.status), ["posted", "posted"]);
    }
  });

  test("commitments on every chain equal inputCommitment of the stored salted input; the database folder is private", async () => {
    const scale = readInputScale();
    for (const w of [A, B, C, S]) {
      const rec = await latestRecordOf(db, w.address);
      assert.ok(rec);
      assert.equal(rec.salt.length, spec.saltLength);
      const expected = inputCommitment(saltedInput(rec.features, rec.salt, spec), scale);
      assert.equal(rec.commitment, expected.toString());
      assert.deepEqual(rec.features, find(run1, w.address).features);
      assert.deepEqual(rec.snapshotBlocks, { 1: String(run1.chains[0]!.snapshot.block), 137: String(run1.chains[1]!.snapshot.block) });
      for (const ctx of [c1, c137]) {
        const onChain = await ctx.pc.readContract({ address: ctx.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [w.address] });
        assert.equal(onChain.value, expected, `chain ${ctx.chain.chainId} ${w.address}`);
      }
      const posted = await commitmentsPostedFor(db, w.address);
      assert.deepEqual(posted.map((p) => [p.chainId, p.commitment]).sort(), [[1, expected], [137, expected]], `${w.address}: the postings are recorded`);
    }
    assert.equal(statSync(dbDir).mode & 0o777, 0o700);
  });

  test("second run resumes from the state: only new blocks, new salt for changed features", async () => {
    // Day 5 12:00 on chain 137: B borrows 500.
    await at(c137, base + 5 * DAY + 12 * HOUR);
    await setPrice(c137, 2000);
    await borrow(c137, B, usdc(500));
    await confirm(c137);

    run2 = await runIndex(options());
    for (const [i, c] of run2.chains.entries()) {
      assert.equal(c.from, run1.chains[i]!.to + 1, `chain ${c.chainId} resumes after block ${run1.chains[i]!.to}`);
      assert.equal(c.rewound, null);
    }
    assert.equal(run2.chains[0]!.newEvents, 0);
    assert.equal(run2.chains[1]!.newEvents, 1);

    const b = find(run2, B.address);
    assertRaw(chainRaw(b, 137), { borrow_count: 1, borrow_usd: 500, debt_usd: 500, current_risk_factor: 500 / (2000 * LT), days_with_debt: 0 }, "B after borrowing");
    const bAtt = run2.attestations.find((x) => x.wallet === B.address)!;
    assert.equal(bAtt.newCommitment, true);
    const records = await recordsOf(db, B.address);
    assert.equal(records.length, 2);
    assert.notDeepEqual(records[0]!.salt, records[1]!.salt);
    assert.notEqual(records[0]!.commitment, records[1]!.commitment);
  });

  test("a run with unchanged features keeps the salt and sends nothing", async () => {
    const run3 = await runIndex(options());
    for (const att of run3.attestations) {
      assert.equal(att.newCommitment, false, att.wallet);
      assert.deepEqual(att.chains.map((x) => x.status), ["unchanged", "unchanged"]);
    }
    assert.equal((await recordsOf(db, B.address)).length, 2);
  });

  test("a reorg is detected, rewound and re-indexed", async () => {
    const snap = await c137.testClient.snapshot();
    // The branch that will be dropped: B repays.
    await approve(c137, B, c137.loan);
    await repay(c137, B, usdc(500));
    await c137.testClient.mine({ blocks: 6 });
    const before = await runIndex(options({ post: false }));
    assert.equal(chainRaw(find(before, B.address), 137).repay_count, 1);

    // Reorg: back to the snapshot, another history (B deposits 2 WETH more), longer than the old one.
    await c137.testClient.revert({ id: snap });
    await deposit(c137, B, weth(2));
    await c137.testClient.mine({ blocks: 10 });
    const after = await runIndex(options());
    const r = after.chains[1]!.rewound;
    assert.ok(r, "reorg detected on chain 137");
    assert.ok(r.to < r.from);
    assert.equal(after.chains[0]!.rewound, null);
    const b137 = chainRaw(find(after, B.address), 137);
    assertRaw(b137, { repay_count: 0, repay_usd: 0, deposit_count: 2, deposit_usd: 2000 + 2 * 2000, collateral_usd: 6000, debt_usd: 500 }, "B after the reorg");
    assert.equal((await chainEvents(db, 137, { wallet: B.address })).filter((e) => e.kind === "repay").length, 0);

    // The commitment now on both chains is that of B's latest record.
    const rec = (await latestRecordOf(db, B.address))!;
    assert.deepEqual(rec.features, find(after, B.address).features);
    for (const ctx of [c1, c137]) {
      const onChain = await ctx.pc.readContract({ address: ctx.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [B.address] });
      assert.equal(onChain.value, inputCommitment(saltedInput(rec.features, rec.salt, spec), readInputScale()));
    }
  });

  test("zkrisk index on the command line", async () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "ts/cli/main.ts", "index", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const rpc = `1=${c1.anvil.rpcUrl},137=${c137.anvil.rpcUrl}`;
    // The embedded database serves one process: the CLI is refused while this one holds it.
    const busy = cli("--deployments", deploymentsDir, "--rpc", rpc, "--database", dbDir, "--no-post");
    assert.equal(busy.status, 1);
    assert.match(busy.stderr.trim(), /^zkrisk index: the embedded database .* is in use by process \d+ .*PostgreSQL/);
    await db.close();
    try {
      const ok = cli("--deployments", deploymentsDir, "--rpc", rpc, "--database", dbDir, "--confirmations", "2", "--no-post");
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /chain 137: blocks \d+\.\.\d+ indexed/);
      assert.match(ok.stdout, /indexed 2 chain\(s\), 4 wallet\(s\); 0 commitment\(s\) posted/);
    } finally {
      db = await openDatabase(dbDir);
    }
    const bad = cli("--deployments", deploymentsDir, "--rpc", rpc, "--confirmations", "two");
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim(), 'zkrisk index: --confirmations: "two" is not an integer >= 0');
  });

  test("clear errors: unknown wallet, missing deployment, attestor without ATTESTOR_ROLE", async () => {
    await assert.rejects(runIndex(options({ wallets: ["0x000000000000000000000000000000000000dEaD"], post: false })), {
      message: /wallet 0x000000000000000000000000000000000000dEaD has no events of an indexed protocol on the indexed chains \(1 up to block \d+, 137 up to block \d+\)/,
    });
    await assert.rejects(runIndex(options({ chains: [getChain(42161)] })), { message: /no deployment for chain 42161 in .*: run `npm run zkrisk -- deploy` first/ });

    const stranger = demoAccount(6);
    const chains = [c1, c137].map((ctx) => ({ chainId: ctx.chain.chainId, publicClient: ctx.pc, walletClient: walletClient(ctx.chain, ctx.anvil.rpcUrl, stranger), registry: ctx.registry }));
    const wallets = (await runIndex(options({ post: false, wallets: [A.address] }))).wallets;
    const changed = wallets.map((w) => ({ ...w, features: w.features.map((x, i) => (i === 0 ? x + 1 : x)) }));
    const before = (await recordsOf(db, A.address)).length;
    await assert.rejects(attestWallets(changed, chains, { db, inputScale: readInputScale(), salt: spec }), {
      message: new RegExp(`chain 1: the attestor ${stranger.address} lacks ATTESTOR_ROLE on the registry ${c1.registry}\\. A GOVERNOR_ROLE holder must call grantRole`),
    });
    assert.equal((await recordsOf(db, A.address)).length, before, "nothing stored before the role check");
  });
});
