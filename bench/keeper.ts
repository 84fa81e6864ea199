// The keeper under a replayed crash: a real deployment on an anvil with 1 s blocks, a few hundred
// open positions, and the worst ETH/USD drawdown of the credit model's price series
// (models/credit/data, MIT, notice there) replayed one oracle answer per block; the keeper
// (ts/runtime/keeper/keeper.ts) liquidates. Measured: blocks from liquidatable to liquidated per
// position, each keeper-reported start block re-checked against the contract's own isHealthy.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { erc20Abi, maxUint256, type Address, type Hash, type PublicClient } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { anvilDevKey, publicClient, roleAccount, walletClient } from "../ts/runtime/chains/accounts.js";
import { mockAggregatorAbi, mockErc20Abi, zkRiskLendingAbi } from "../ts/generated/abi.generated.js";
import { getChain, startAnvil } from "../ts/runtime/chains/chains.js";
import { deploy } from "../ts/runtime/deploy/deploy.js";
import { fundKeeper, setIntervalMining, startKeeper, type LiquidationStat } from "../ts/runtime/keeper/keeper.js";
import { ROOT } from "../ts/toolchain/paths.js";
import { devAccounts } from "./dev-accounts.js";
import { summarize, type Summary } from "./stats.js";

export const PRICE_CSV = join(ROOT, "models", "credit", "data", "eth_usd_daily_2023-01_2025-10.csv");

export interface KeeperPlan {
  readonly positions: number;
  /** Length of the replayed drawdown window, in days. */
  readonly crashDays: number;
  /** Oracle answers per day of the window (geometric interpolation between daily closes); one per block. */
  readonly blocksPerDay: number;
  /** Blocks to keep watching after the last answer. */
  readonly tailBlocks: number;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export interface KeeperResults {
  readonly positions: number;
  readonly blockTimeSeconds: number;
  readonly crash: { readonly from: string; readonly to: string; readonly fallPct: number; readonly dailyCloses: number[]; readonly steps: number };
  /** Oracle answer per replay block: [block, price in USD]. */
  readonly pricePath: [number, number][];
  readonly liquidated: number;
  /** Positions unhealthy at the end of the run that the keeper did not liquidate. */
  readonly missed: number;
  readonly delays: number[];
  readonly summary: Summary | undefined;
  /** delay in blocks -> positions. */
  readonly histogram: Record<string, number>;
  /** Keeper-reported start blocks confirmed by isHealthy (healthy the block before, unhealthy at it). */
  readonly startBlocksConfirmed: number;
  readonly liquidationsPerBlock: [number, number][];
  readonly badDebtPositions: number;
  readonly setupSeconds: number;
  readonly replaySeconds: number;
}

interface Close {
  date: string;
  price: number;
}

function dailyCloses(): Close[] {
  const [header, ...rows] = readFileSync(PRICE_CSV, "utf8").trim().split("\n");
  if (!header?.startsWith("date,price")) throw new Error(`${PRICE_CSV}: expected a date,price header`);
  return rows.map((r) => {
    const [date, price] = r.split(",");
    return { date: date!, price: Number(price) };
  });
}

/** The window of `days` days (days + 1 closes) with the largest fall from its first close to its lowest. */
export function worstWindow(closes: readonly Close[], days: number): Close[] {
  let best = { start: 0, fall: -1 };
  for (let s = 0; s + days < closes.length; s++) {
    const low = Math.min(...closes.slice(s, s + days + 1).map((c) => c.price));
    if (1 - low / closes[s]!.price > best.fall) best = { start: s, fall: 1 - low / closes[s]!.price };
  }
  return closes.slice(best.start, best.start + days + 1);
}

/** Daily closes interpolated geometrically to `perDay` steps a day (first close included). */
export function pricePath(window: readonly Close[], perDay: number): number[] {
  const out = [window[0]!.price];
  for (let d = 1; d < window.length; d++) {
    const a = window[d - 1]!.price;
    const b = window[d]!.price;
    for (let k = 1; k <= perDay; k++) out.push(a * (b / a) ** (k / perDay));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const FIRST_BORROWER = 10;
const COLLATERAL_WETH = 10n;
/** The unverified bucket of script/config/local.json: borrow up to 60%, liquidated above 70%. */
const LLTV = 0.7;
const MAX_LTV = 0.6;

export async function benchKeeper(plan: KeeperPlan): Promise<KeeperResults> {
  const { log } = plan;
  const chain = getChain(1);
  const setupStarted = performance.now();
  const anvil = await startAnvil({ chainId: chain.chainId, accounts: FIRST_BORROWER + plan.positions });
  const dir = join(ROOT, ".cache", "bench", `deployments-keeper-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  let keeper: ReturnType<typeof startKeeper> | undefined;
  try {
    const { deployment } = await deploy({ chain, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, env: plan.env, log: (l) => log(`deploy: ${l}`) });
    const client = publicClient(chain, anvil.rpcUrl) as PublicClient;
    const c = deployment.contracts;
    const lending = c.lending.address;
    const wait = async (hash: Hash) => {
      const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return r;
    };

    // the crash
    const window = worstWindow(dailyCloses(), plan.crashDays);
    const path = pricePath(window, plan.blocksPerDay);
    const p0 = path[0]!;
    const low = Math.min(...path);
    log(`crash: ${window[0]!.date} to ${window.at(-1)!.date}, ${window[0]!.price} -> low ${low.toFixed(0)} USD (${((1 - low / p0) * 100).toFixed(1)}%), ${path.length - 1} oracle answers, one per block`);

    // oracle at the crash's first price
    const owner = [0, 1, 2].map((i) => privateKeyToAccount(anvilDevKey(i))).find((a) => a.address === deployment.roles.owner);
    if (!owner) throw new Error(`the feed owner ${deployment.roles.owner} is not an anvil dev account`);
    const ownerWallet = walletClient(chain, anvil.rpcUrl, owner);
    const usd8 = (p: number) => BigInt(Math.round(p * 1e8));
    await wait(await ownerWallet.writeContract({ address: c.priceFeed.address, abi: mockAggregatorAbi, functionName: "setAnswer", args: [usd8(p0)] }));

    // liquidity
    const lender = walletClient(chain, anvil.rpcUrl, privateKeyToAccount(anvilDevKey(0)));
    const liquidity = BigInt(Math.ceil(plan.positions * Number(COLLATERAL_WETH) * p0)) * 10n ** 6n;
    await wait(await lender.writeContract({ address: c.loanToken.address, abi: mockErc20Abi, functionName: "mint", args: [lender.account.address, liquidity] }));
    await wait(await lender.writeContract({ address: c.loanToken.address, abi: erc20Abi, functionName: "approve", args: [lending, maxUint256] }));
    await wait(await lender.writeContract({ address: lending, abi: zkRiskLendingAbi, functionName: "supply", args: [liquidity, lender.account.address] }));

    // borrowers: liquidation prices spread evenly between just above the crash low and 85% of the start
    const borrowers: PrivateKeyAccount[] = devAccounts(FIRST_BORROWER, plan.positions);
    const liqLow = low * 1.02;
    const liqHigh = p0 * (MAX_LTV / LLTV) * 0.99;
    let opened = 0;
    await pool(borrowers, 16, async (account, i) => {
      const liqPrice = plan.positions === 1 ? liqHigh : liqLow + ((liqHigh - liqLow) * i) / (plan.positions - 1);
      const ltv = (LLTV * liqPrice) / p0;
      const collateral = COLLATERAL_WETH * 10n ** 18n;
      const debt = BigInt(Math.floor(ltv * Number(COLLATERAL_WETH) * p0 * 1e6));
      const w = walletClient(chain, anvil.rpcUrl, account);
      // A fixed gas limit: other borrowers' transactions land between estimate and execution (interest accrual
      // turns on storage writes), so an estimate can fall short.
      const gas = 400_000n;
      const step = async (what: string, send: () => Promise<Hash>) => {
        try {
          await wait(await send());
        } catch (e) {
          throw new Error(`opening position ${i + 1} (${account.address}): ${what}: ${(e as Error).message.split("\n")[0]}`);
        }
      };
      await step("mint collateral", () => w.writeContract({ address: c.collateralToken.address, abi: mockErc20Abi, functionName: "mint", args: [account.address, collateral], gas }));
      await step("approve", () => w.writeContract({ address: c.collateralToken.address, abi: erc20Abi, functionName: "approve", args: [lending, maxUint256], gas }));
      await step("supplyCollateral", () => w.writeContract({ address: lending, abi: zkRiskLendingAbi, functionName: "supplyCollateral", args: [collateral, account.address], gas }));
      await step("borrow", () => w.writeContract({ address: lending, abi: zkRiskLendingAbi, functionName: "borrow", args: [debt, account.address], gas }));
      if (++opened % 50 === 0) log(`opened ${opened}/${plan.positions} positions`);
    });

    const keeperAccount = roleAccount("keeper", { local: true });
    await fundKeeper({ chain, rpcUrl: anvil.rpcUrl, deployment, account: keeperAccount });
    await setIntervalMining(client, 1);
    keeper = startKeeper({ chains: [{ chain, rpcUrl: anvil.rpcUrl, deployment }], pollMs: 100, log: () => undefined, account: keeperAccount });
    await keeper.ready;
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    log(`${plan.positions} positions open, keeper ready, 1 s blocks (set-up ${setupSeconds.toFixed(0)} s); replaying`);

    // replay: one answer per block, sent right after each new block
    const replayStarted = performance.now();
    let nonce = await client.getTransactionCount({ address: owner.address, blockTag: "pending" });
    let last = await client.getBlockNumber({ cacheTime: 0 });
    const sent: { hash: Hash; price: number }[] = [];
    for (const [step, price] of path.slice(1).entries()) {
      for (let n = await client.getBlockNumber({ cacheTime: 0 }); n <= last; n = await client.getBlockNumber({ cacheTime: 0 })) await sleep(50);
      last = await client.getBlockNumber({ cacheTime: 0 });
      const hash = await ownerWallet.writeContract({ address: c.priceFeed.address, abi: mockAggregatorAbi, functionName: "setAnswer", args: [usd8(price)], nonce: nonce++, gas: 200_000n });
      sent.push({ hash, price });
      if ((step + 1) % 20 === 0) log(`answer ${step + 1}/${path.length - 1}: ${price.toFixed(0)} USD; ${keeper.stats().length} liquidated`);
    }
    const answers = await Promise.all(sent.map(async (s) => [Number((await wait(s.hash)).blockNumber), s.price] as [number, number]));
    const lastAnswerBlock = answers.at(-1)![0];
    for (let n = await client.getBlockNumber({ cacheTime: 0 }); n < BigInt(lastAnswerBlock + plan.tailBlocks) && keeper.stats().length < plan.positions; n = await client.getBlockNumber({ cacheTime: 0 })) await sleep(200);
    await keeper.stop();
    const replaySeconds = (performance.now() - replayStarted) / 1000;
    const stats: LiquidationStat[] = keeper.stats();
    keeper = undefined;

    // re-check every reported start block with the contract's own view, and look for positions left unhealthy
    const isHealthy = (borrower: Address, block: number) =>
      client.readContract({ address: lending, abi: zkRiskLendingAbi, functionName: "isHealthy", args: [borrower], blockNumber: BigInt(block) });
    let confirmed = 0;
    for (const s of stats) if ((await isHealthy(s.borrower, s.becameLiquidatableBlock - 1)) && !(await isHealthy(s.borrower, s.becameLiquidatableBlock))) confirmed++;
    const liquidatedSet = new Set(stats.map((s) => s.borrower.toLowerCase()));
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    let missed = 0;
    for (const b of borrowers) if (!liquidatedSet.has(b.address.toLowerCase()) && !(await isHealthy(b.address, head))) missed++;

    const delays = stats.map((s) => s.delayBlocks);
    const histogram: Record<string, number> = {};
    for (const d of delays) histogram[String(d)] = (histogram[String(d)] ?? 0) + 1;
    const perBlock = new Map<number, number>();
    for (const s of stats) perBlock.set(s.liquidatedBlock, (perBlock.get(s.liquidatedBlock) ?? 0) + 1);
    log(`${stats.length}/${plan.positions} liquidated, ${missed} missed; delay blocks ${JSON.stringify(histogram)}`);
    return {
      positions: plan.positions,
      blockTimeSeconds: 1,
      crash: { from: window[0]!.date, to: window.at(-1)!.date, fallPct: (1 - low / p0) * 100, dailyCloses: window.map((w) => w.price), steps: path.length - 1 },
      pricePath: answers,
      liquidated: stats.length,
      missed,
      delays,
      summary: delays.length ? summarize(delays) : undefined,
      histogram,
      startBlocksConfirmed: confirmed,
      liquidationsPerBlock: [...perBlock].sort((a, b) => a[0] - b[0]),
      badDebtPositions: stats.filter((s) => s.badDebt > 0n).length,
      setupSeconds,
      replaySeconds,
    };
  } finally {
    await keeper?.stop().catch(() => undefined);
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
