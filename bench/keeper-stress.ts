// The keeper under stress (issue 14): five cases on one anvil with 1 s blocks and a real
// deployment, each from the same freshly deployed state (evm_snapshot / evm_revert), with the
// keeper started in-process (startKeeper) so that the bench measures the keeper code of the branch
// it runs on:
//   crash1block   one oracle answer -45%: every position liquidatable in the same block
//   rpcHang       a -30% fall over 10 blocks; the keeper's RPC (a local proxy, ts/test/rpc-proxy.ts)
//                 accepts requests and never answers for 5 of those blocks, then answers again
//   burst2000     2,000 positions, -27.5% at once: ~1,500 liquidatable in one block, 30M-gas blocks
//   expiredTiers  positions attested with real proofs (test/fixtures/credit), the attestations
//                 expired (time moved past the lifetime and the downgrade ramp, nobody synced, so the
//                 tier sync happens inside `liquidate`), then a slow -30% bleed
//   bleed         the same attested positions with valid tiers, slow -30% bleed
// Everything is measured on chain, never taken from the keeper's word: a position's liquidatable
// block is the first block at the end of which the contract would liquidate it (a simulated
// one-share `liquidate` at that block: interest accrued, tier synced; binary search over historical
// state, the price only falls), its liquidated block the first `Liquidate` event, reverted
// transactions the keeper's receipts with status reverted, bad debt `totalBadDebt`.
import { decodeErrorResult, erc20Abi, maxUint256, parseEventLogs, toHex, zeroAddress, type Address, type Hash, type Hex, type Log, type PublicClient, type TransactionReceipt } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { anvilDevKey, publicClient, roleAccount, walletClient } from "../ts/runtime/chains/accounts.js";
import { attestationRegistryAbi, batchLiquidatorAbi, mockAggregatorAbi, mockErc20Abi, zkRiskLendingAbi } from "../ts/generated/abi.generated.js";
import { getChain, startAnvil, type ChainInfo } from "../ts/runtime/chains/chains.js";
import { revertName, shortError } from "../ts/runtime/chains/errors.js";
import { deploy } from "../ts/runtime/deploy/deploy.js";
import type { Deployment } from "../ts/runtime/deploy/deployment.js";
import { fundKeeper, setAutomine, setIntervalMining, startKeeper, type Keeper } from "../ts/runtime/keeper/keeper.js";
import { MODELS } from "../ts/pipeline/models.js";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../ts/toolchain/paths.js";
import { devAccounts } from "./dev-accounts.js";
import { readFixtures, readRoundFixture } from "./fixtures.js";
import { pool } from "./keeper.js";
import { startRpcProxy, type RpcProxy } from "../ts/test/rpc-proxy.js";
import { quantile } from "./stats.js";

export const STRESS_CASES = ["crash1block", "rpcHang", "burst2000", "expiredTiers", "bleed"] as const;
export type StressCaseName = (typeof STRESS_CASES)[number];

export interface StressPlan {
  /** Positions per case (the burst excepted). */
  readonly positions: number;
  /** Positions of the burst case. */
  readonly burstPositions: number;
  /** Oracle answers (one per block) of the slow bleeds. */
  readonly bleedBlocks: number;
  /** Blocks watched at most after the last answer (the watch ends earlier once no position is unhealthy). */
  readonly tailBlocks: number;
  readonly cases: readonly StressCaseName[];
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

/** What a case's delay p95 is judged against (reported, never asserted). */
export interface StressTarget {
  /** `delayP95`, or for the hang the p95 of the delay counted from the RPC's recovery. */
  readonly metric: "delayP95" | "delayFromRecoveryP95";
  readonly limitBlocks: number;
  readonly basis: string;
}

export interface StressCaseResult {
  readonly description: string;
  readonly positions: number;
  /** Positions the contract would liquidate at the end of some block of the case (see `liquidatable`). */
  readonly liquidatable: number;
  /** Positions with at least one `Liquidate` event. */
  readonly liquidated: number;
  /** Positions unhealthy at the end (never liquidated, or liquidated in part and still unhealthy). */
  readonly leftUnhealthy: number;
  /** Blocks from liquidatable to the first liquidation, over the liquidated positions (null: none). */
  readonly delayP50: number | null;
  readonly delayP95: number | null;
  readonly delayMax: number | null;
  /** The keeper's transactions mined with status reverted (from the receipts). */
  readonly revertedTxs: number;
  /** Why they reverted (from the call trace): error name -> transactions. */
  readonly revertReasons: Record<string, number>;
  readonly keeperTxs: number;
  /** Debt written off during the case (`totalBadDebt`), in USD (the mock USDC). */
  readonly badDebtUsd: number;
  /** Delay in blocks -> positions. */
  readonly histogram: Record<string, number>;
  /** Receipt gas of the keeper's successful transactions per liquidation they made. */
  readonly keeperGasPerLiquidation: number | null;
  readonly target: StressTarget;
  /** First block of the case (before the first answer), the last answer's block, the last block watched. */
  readonly blocks: { readonly start: number; readonly lastAnswer: number; readonly end: number };
  readonly hang?: {
    readonly fromBlock: number;
    readonly toBlock: number;
    /** Requests the proxy accepted and never answered. */
    readonly heldRequests: number;
    /** Delay counted from the recovery block (or from liquidatable, when later; a position liquidated before the recovery: its plain delay). */
    readonly delayFromRecoveryP50: number | null;
    readonly delayFromRecoveryP95: number | null;
    readonly delayFromRecoveryMax: number | null;
    /** Seconds from the start of the hang to the keeper's first log line (null: it logged nothing). */
    readonly firstLogSeconds: number | null;
    readonly firstLogLine: string | null;
    /** The same for the first line about the RPC (it names the RPC, a timeout, or a node not answering). */
    readonly rpcLogSeconds: number | null;
    readonly rpcLogLine: string | null;
  };
  readonly burst?: {
    readonly blockGasLimit: number;
    /** Liquidations one batch transaction fits in a block (from the measured batch gas). */
    readonly liquidationsPerBlock: number;
    /** ceil(liquidatable / liquidationsPerBlock): blocks the gas limit needs at best. */
    readonly floorBlocks: number;
  };
  readonly tiers?: {
    readonly attested: number;
    readonly expired: boolean;
    readonly timeMovedSeconds: number;
    /** The positions left unhealthy by the tier they were attested with ("unverified": never attested). */
    readonly leftUnhealthyByTier: Record<string, number>;
  };
  readonly wallSeconds: number;
}

export interface StressResults {
  readonly blockTimeSeconds: number;
  readonly blockGasLimit: number;
  /** BatchLiquidator on this deployment: receipt gas of a batch of 1 and of 20 liquidations (first, partial ones). */
  readonly batchGas: { readonly one: number; readonly twenty: number; readonly marginal: number; readonly fixed: number };
  readonly setupSeconds: number;
  readonly cases: Partial<Record<StressCaseName, StressCaseResult>>;
}

/** What the stress cases add to the keeper section of results.json: `keeper.cases.<name>`. */
export interface KeeperStressSection {
  readonly stress?: Omit<StressResults, "cases">;
  readonly cases?: StressResults["cases"];
}

interface CaseSpec {
  readonly name: StressCaseName;
  readonly description: string;
  readonly positions: number;
  /** Liquidation prices, as fractions of the start price, spread evenly over [lo, hi]. */
  readonly liquidationRange: readonly [number, number];
  /** Oracle answers after the start, as fractions of the start price, one per block. */
  readonly path: readonly number[];
  readonly tiers: "none" | "valid" | "expired";
  /** The proxy hangs from the block of answer `atStep` for `blocks` blocks. */
  readonly hang?: { readonly atStep: number; readonly blocks: number };
}

const TIER_NAMES = ["low", "medium", "high", "unverified"] as const;
const FIRST_BORROWER = 10;
const LENDER_INDEX = 4;
const MEASURER_INDEX = 5;
const SUBMITTER_INDEX = 6;
const PROBER_INDEX = 7;
const COLLATERAL = 10n * 10n ** 18n;
const COLLATERAL_WETH = 10;
const DOWNGRADE_RAMP_SECONDS = 86_400;
/**
 * Set-up transactions: a fixed gas limit (an estimate can fall short when other transactions land first) and a
 * fee cap well above the base fee that blocks full of set-up transactions drive up (reset before each case).
 */
const SETUP_TX = { gas: 300_000n, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n } as const;
type SetupTx = typeof SETUP_TX & { nonce?: number };

/** A keeper log line about its RPC: names it, a timeout, or a node that does not answer. */
const RPC_LINE = /\brpc\b|\btime[ds]? ?out\b|not (answer|respond)|unreachable|no answer|\bhung\b|\bhangs?\b/i;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const usd8 = (p: number) => BigInt(Math.round(p * 1e8));
const geometric = (to: number, steps: number) => Array.from({ length: steps }, (_, k) => to ** ((k + 1) / steps));

export function stressCases(plan: Pick<StressPlan, "positions" | "burstPositions" | "bleedBlocks">): CaseSpec[] {
  const n = plan.positions;
  return [
    { name: "crash1block", description: `${n} positions, one oracle answer -45%: all liquidatable in the same block`, positions: n, liquidationRange: [0.6, 0.85], path: [0.55], tiers: "none" },
    {
      name: "rpcHang",
      description: `${n} positions, -30% over 10 blocks; the keeper's RPC accepts and never answers for 5 of them, then answers again`,
      positions: n,
      liquidationRange: [0.72, 0.85],
      path: geometric(0.7, 10),
      tiers: "none",
      hang: { atStep: 2, blocks: 5 },
    },
    {
      name: "burst2000",
      description: `${plan.burstPositions} positions, -27.5% at once: about three quarters liquidatable in the same block`,
      positions: plan.burstPositions,
      liquidationRange: [0.69, 0.85],
      path: [0.725],
      tiers: "none",
    },
    {
      name: "expiredTiers",
      description: `${n} positions attested with real proofs, attestations expired (no sync: the tier changes inside liquidate), -30% over ${plan.bleedBlocks} blocks`,
      positions: n,
      liquidationRange: [0.72, 0.85],
      path: geometric(0.7, plan.bleedBlocks),
      tiers: "expired",
    },
    {
      name: "bleed",
      description: `${n} positions attested with real proofs (valid tiers), -30% over ${plan.bleedBlocks} blocks`,
      positions: n,
      liquidationRange: [0.72, 0.85],
      path: geometric(0.7, plan.bleedBlocks),
      tiers: "valid",
    },
  ];
}

async function rpc<T>(client: PublicClient, method: string, params: unknown[]): Promise<T> {
  return (await (client.request as unknown as (a: { method: string; params: unknown[] }) => Promise<unknown>)({ method, params })) as T;
}

interface Ctx {
  readonly chain: ChainInfo;
  readonly rpcUrl: string;
  readonly client: PublicClient;
  readonly deployment: Deployment;
  readonly owner: PrivateKeyAccount;
  /** Holds loan tokens and approves the market: simulates liquidations to probe health (see `liquidatable`). */
  readonly prober: PrivateKeyAccount;
  /** anvil dev accounts from FIRST_BORROWER on, as many as the largest case needs. */
  readonly borrowers: readonly PrivateKeyAccount[];
  readonly p0: number;
  readonly loanDecimals: number;
  /** The base fee of the fresh deployment: set again before each case (bulk set-up blocks drive it up). */
  readonly baseFee: bigint;
  readonly log: (line: string) => void;
  snapshot: Hex;
}

const head = (ctx: Ctx) => ctx.client.getBlockNumber({ cacheTime: 0 });
async function nextBlock(ctx: Ctx, after: bigint): Promise<bigint> {
  for (;;) {
    const n = await head(ctx);
    if (n > after) return n;
    await sleep(40);
  }
}

async function mined(ctx: Ctx, hash: Hash, what: string): Promise<TransactionReceipt> {
  const r = await ctx.client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (r.status !== "success") throw new Error(`${what}: transaction ${hash} reverted`);
  return r;
}

/** Back to the freshly deployed state (automine), and a new snapshot of it. */
async function resetChain(ctx: Ctx): Promise<void> {
  await setAutomine(ctx.client);
  if (!(await rpc<boolean>(ctx.client, "evm_revert", [ctx.snapshot]))) throw new Error(`evm_revert ${ctx.snapshot} failed`);
  ctx.snapshot = await rpc<Hex>(ctx.client, "evm_snapshot", []);
}

async function setAnswer(ctx: Ctx, price: number): Promise<void> {
  const w = walletClient(ctx.chain, ctx.rpcUrl, ctx.owner);
  await mined(ctx, await w.writeContract({ address: ctx.deployment.contracts.priceFeed.address, abi: mockAggregatorAbi, functionName: "setAnswer", args: [usd8(price)], ...SETUP_TX }), "setAnswer");
}

/**
 * Set-up transactions in bulk: automine off, `send` sends them all, then blocks are mined until the pool is empty
 * (one block holds hundreds), and every receipt must be a success. Much faster than a block per transaction.
 */
async function inBlocks(ctx: Ctx, what: string, send: () => Promise<Hash[]>): Promise<void> {
  await rpc(ctx.client, "evm_setAutomine", [false]);
  let hashes: Hash[] = [];
  try {
    hashes = await send();
    for (let blocks = 0; ; blocks++) {
      const s = await rpc<{ pending: Hex; queued: Hex }>(ctx.client, "txpool_status", []);
      if (BigInt(s.pending) === 0n && BigInt(s.queued) === 0n) break;
      if (blocks > 50 + hashes.length) throw new Error(`${what}: ${BigInt(s.pending)} transactions still pending after ${blocks} blocks`);
      await rpc(ctx.client, "evm_mine", []);
    }
  } finally {
    await rpc(ctx.client, "evm_setAutomine", [true]);
  }
  await pool(hashes, 32, async (h, i) => void (await mined(ctx, h, `${what} ${i + 1}/${hashes.length}`)));
}

/** `count` transactions from one account with consecutive nonces, mined in bulk (inBlocks). */
async function sendAll(ctx: Ctx, account: PrivateKeyAccount, count: number, what: string, send: (i: number, tx: SetupTx, w: ReturnType<typeof walletClient>) => Promise<Hash>): Promise<void> {
  const w = walletClient(ctx.chain, ctx.rpcUrl, account);
  let nonce = await ctx.client.getTransactionCount({ address: account.address, blockTag: "pending" });
  await inBlocks(ctx, what, async () => {
    const hashes: Hash[] = [];
    for (let i = 0; i < count; i++) hashes.push(await send(i, { ...SETUP_TX, nonce: nonce++ }, w));
    return hashes;
  });
}

/**
 * Real attestations for the first borrowers: the round fixture's wallets (a round lists its wallets in ascending
 * order), then the single-wallet fixtures. Returns each attested borrower's tier.
 */
async function attest(ctx: Ctx, borrowers: readonly Address[]): Promise<Map<Address, number>> {
  const model = MODELS.credit!;
  const round = readRoundFixture(model, "round-full");
  const singles = readFixtures(model);
  const slots = round.wallets.length;
  const inRound = Math.min(borrowers.length, round.wallets.filter((w) => !w.padding).length);
  const single = Math.min(borrowers.length - inRound, singles.length);
  const roundWallets = borrowers.slice(0, inRound).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const singleWallets = borrowers.slice(inRound, inRound + single);
  const attestor = roleAccount("attestor", { local: true });
  const registry = ctx.deployment.contracts.registry.address;
  const posts: [Address, Hex][] = [
    ...roundWallets.map((w, i) => [w, round.wallets[i]!.inputCommitment] as [Address, Hex]),
    ...singleWallets.map((w, i) => [w, singles[i]!.instances[0]!] as [Address, Hex]),
  ];
  await sendAll(ctx, attestor, posts.length, "postCommitment", (i, tx, w) =>
    w.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "postCommitment", args: [posts[i]![0], BigInt(posts[i]![1])], ...tx }),
  );
  const submitter = walletClient(ctx.chain, ctx.rpcUrl, privateKeyToAccount(anvilDevKey(SUBMITTER_INDEX)));
  const modelId = ctx.deployment.modelId;
  if (inRound > 0) {
    const wallets = [...roundWallets, ...Array<Address>(slots - inRound).fill(zeroAddress)];
    const args = [modelId, wallets, round.proof, round.instances.map((x) => BigInt(x))] as const;
    await ctx.client.simulateContract({ address: registry, abi: attestationRegistryAbi, functionName: "attestRound", args, account: submitter.account });
    await mined(ctx, await submitter.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "attestRound", args }), "attestRound");
  }
  for (const [i, wallet] of singleWallets.entries()) {
    const f = singles[i]!;
    const args = [wallet, modelId, f.proof, f.instances.map((x) => BigInt(x))] as const;
    await mined(ctx, await submitter.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "attest", args }), `attest ${f.name}`);
  }
  return new Map([...roundWallets.map((w, i) => [w, round.wallets[i]!.tier] as const), ...singleWallets.map((w, i) => [w, singles[i]!.tier] as const)]);
}

/** Opens one position per borrower with `debt[i]` loan-token units against COLLATERAL; supplies the liquidity first. */
async function openPositions(ctx: Ctx, borrowers: readonly PrivateKeyAccount[], debts: readonly bigint[]): Promise<void> {
  const c = ctx.deployment.contracts;
  const lending = c.lending.address;
  const lender = privateKeyToAccount(anvilDevKey(LENDER_INDEX));
  const total = debts.reduce((a, b) => a + b, 0n);
  const liquidity = (total * 12n) / 10n + 10n ** BigInt(ctx.loanDecimals);
  const collateral = COLLATERAL * BigInt(borrowers.length);
  await sendAll(ctx, lender, 5, "liquidity", (i, tx, w) =>
    [
      () => w.writeContract({ address: c.loanToken.address, abi: mockErc20Abi, functionName: "mint", args: [lender.address, liquidity], ...tx }),
      () => w.writeContract({ address: c.loanToken.address, abi: erc20Abi, functionName: "approve", args: [lending, maxUint256], ...tx }),
      () => w.writeContract({ address: lending, abi: zkRiskLendingAbi, functionName: "supply", args: [liquidity, lender.address], ...tx }),
      () => w.writeContract({ address: c.collateralToken.address, abi: mockErc20Abi, functionName: "mint", args: [lender.address, collateral], ...tx }),
      () => w.writeContract({ address: c.collateralToken.address, abi: erc20Abi, functionName: "approve", args: [lending, maxUint256], ...tx }),
    ][i]!(),
  );
  await sendAll(ctx, ctx.prober, 2, "fund the prober", (i, tx, w) =>
    i === 0
      ? w.writeContract({ address: c.loanToken.address, abi: mockErc20Abi, functionName: "mint", args: [ctx.prober.address, 10n ** BigInt(ctx.loanDecimals + 6)], ...tx })
      : w.writeContract({ address: c.loanToken.address, abi: erc20Abi, functionName: "approve", args: [lending, maxUint256], ...tx }),
  );
  await sendAll(ctx, lender, borrowers.length, "supplyCollateral", (i, tx, w) =>
    w.writeContract({ address: lending, abi: zkRiskLendingAbi, functionName: "supplyCollateral", args: [COLLATERAL, borrowers[i]!.address], ...tx }),
  );
  await inBlocks(ctx, "borrow", async () => {
    const hashes: Hash[] = [];
    await pool(borrowers, 32, async (account, i) => {
      const w = walletClient(ctx.chain, ctx.rpcUrl, account);
      // nonce 0: borrowers send nothing else since the chain was reset to the fresh deployment
      hashes[i] = await w.writeContract({ address: lending, abi: zkRiskLendingAbi, functionName: "borrow", args: [debts[i]!, account.address], ...SETUP_TX, nonce: 0 });
    });
    return hashes;
  });
}

/** Debt per position for liquidation prices spread evenly over the range, judged at each position's liquidation LTV. */
function debtsFor(ctx: Ctx, range: readonly [number, number], lltvs: readonly number[]): bigint[] {
  const n = lltvs.length;
  return lltvs.map((lltv, i) => {
    const liq = n === 1 ? range[1] : range[0] + ((range[1] - range[0]) * i) / (n - 1);
    return BigInt(Math.floor(lltv * liq * COLLATERAL_WETH * ctx.p0 * 10 ** ctx.loanDecimals));
  });
}

async function tierLltvs(ctx: Ctx): Promise<number[]> {
  const lending = ctx.deployment.contracts.lending.address;
  const out: number[] = [];
  for (let b = 0; b < 4; b++) {
    const t = await ctx.client.readContract({ address: lending, abi: zkRiskLendingAbi, functionName: "tierParams", args: [b] });
    out.push(Number(t.lltv) / 1e18);
  }
  return out;
}

/** Receipt gas of a BatchLiquidator batch of 1 and of 20 first, partial liquidations on this deployment. */
async function measureBatchGas(ctx: Ctx): Promise<StressResults["batchGas"]> {
  await resetChain(ctx);
  const c = ctx.deployment.contracts;
  const borrowers = ctx.borrowers.slice(0, 21);
  const unverified = (await tierLltvs(ctx))[3]!;
  await openPositions(ctx, borrowers, debtsFor(ctx, [0.8, 0.85], borrowers.map(() => unverified)));
  await setAnswer(ctx, ctx.p0 * 0.75);
  const measurer = privateKeyToAccount(anvilDevKey(MEASURER_INDEX));
  const budget = 10n ** 15n;
  await sendAll(ctx, measurer, 2, "fund measurer", (i, tx, w) =>
    i === 0
      ? w.writeContract({ address: c.loanToken.address, abi: mockErc20Abi, functionName: "mint", args: [measurer.address, budget], ...tx })
      : w.writeContract({ address: c.loanToken.address, abi: erc20Abi, functionName: "approve", args: [c.batchLiquidator.address, maxUint256], ...tx }),
  );
  const order = async (a: PrivateKeyAccount) => {
    const p = await ctx.client.readContract({ address: c.lending.address, abi: zkRiskLendingAbi, functionName: "position", args: [a.address] });
    return { borrower: a.address, seizedAssets: 0n, repaidShares: p.borrowShares / 2n };
  };
  const w = walletClient(ctx.chain, ctx.rpcUrl, measurer);
  const batch = async (orders: { borrower: Address; seizedAssets: bigint; repaidShares: bigint }[]) => {
    const r = await mined(ctx, await w.writeContract({ address: c.batchLiquidator.address, abi: batchLiquidatorAbi, functionName: "liquidateBatch", args: [c.lending.address, orders, budget / 4n], gas: 10_000_000n }), "liquidateBatch");
    const liquidated = parseEventLogs({ abi: zkRiskLendingAbi, logs: r.logs, eventName: "Liquidate" }).length;
    if (liquidated !== orders.length) throw new Error(`measuring batch gas: ${liquidated} of ${orders.length} orders liquidated`);
    return Number(r.gasUsed);
  };
  const one = await batch([await order(borrowers[20]!)]);
  const twenty = await batch(await Promise.all(borrowers.slice(0, 20).map(order)));
  const marginal = (twenty - one) / 19;
  return { one, twenty, marginal: Math.round(marginal), fixed: Math.round(one - marginal) };
}

async function runCase(ctx: Ctx, spec: CaseSpec, plan: StressPlan, batchGas: StressResults["batchGas"], blockGasLimit: number): Promise<StressCaseResult> {
  const started = performance.now();
  const { log } = ctx;
  const c = ctx.deployment.contracts;
  await resetChain(ctx);
  await setAnswer(ctx, ctx.p0);

  // positions
  const borrowers = ctx.borrowers.slice(0, spec.positions);
  const lltvByBucket = await tierLltvs(ctx);
  const tiers = spec.tiers === "none" ? new Map<Address, number>() : await attest(ctx, borrowers.map((b) => b.address));
  // valid tiers: liquidation prices judged at each position's own tier; expired: at the unverified bucket's, where they end up
  const lltvs = borrowers.map((b) => lltvByBucket[spec.tiers === "valid" ? (tiers.get(b.address) ?? 3) : 3]!);
  const debts = debtsFor(ctx, spec.liquidationRange, lltvs);
  await openPositions(ctx, borrowers, debts);
  let timeMoved = 0;
  if (spec.tiers === "expired") {
    const m = await ctx.client.readContract({ address: c.registry.address, abi: attestationRegistryAbi, functionName: "model", args: [ctx.deployment.modelId] });
    timeMoved = Number(m.lifetime) + DOWNGRADE_RAMP_SECONDS + 3600;
    await rpc(ctx.client, "evm_increaseTime", [toHex(timeMoved)]);
    await setAnswer(ctx, ctx.p0); // mines the first block past the expiry, with a fresh answer
  }
  log(`${spec.name}: ${spec.positions} positions open${tiers.size ? ` (${tiers.size} attested${spec.tiers === "expired" ? `, expired: time moved ${(timeMoved / 86_400).toFixed(1)} days` : ""})` : ""}`);

  // keeper, on a chain whose base fee is back where the fresh deployment had it
  await rpc(ctx.client, "anvil_setNextBlockBaseFeePerGas", [toHex(ctx.baseFee)]);
  const keeperAccount = roleAccount("keeper", { local: true });
  const total = debts.reduce((a, b) => a + b, 0n);
  await fundKeeper({ chain: ctx.chain, rpcUrl: ctx.rpcUrl, deployment: ctx.deployment, account: keeperAccount, amount: total * 2n });
  await setIntervalMining(ctx.client, 1);
  let proxy: RpcProxy | undefined;
  let keeper: Keeper | undefined;
  const keeperLog: { at: number; line: string }[] = [];
  try {
    if (spec.hang) proxy = await startRpcProxy(ctx.rpcUrl);
    keeper = startKeeper({
      chains: [{ chain: ctx.chain, rpcUrl: proxy?.url ?? ctx.rpcUrl, deployment: ctx.deployment }],
      pollMs: 100,
      log: (line) => void keeperLog.push({ at: performance.now(), line }),
      account: keeperAccount,
    });
    await keeper.ready;

    // replay: one answer per block, sent right after each new block; then watch the tail
    const owner = walletClient(ctx.chain, ctx.rpcUrl, ctx.owner);
    let nonce = await ctx.client.getTransactionCount({ address: ctx.owner.address, blockTag: "pending" });
    let block = await head(ctx);
    const start = Number(block);
    const answers: Hash[] = [];
    let hang: { from: number; to?: number; at: number } | undefined;
    for (let step = 0; ; step++) {
      block = await nextBlock(ctx, block);
      if (spec.hang && proxy) {
        if (step === spec.hang.atStep) {
          proxy.mode = "hang";
          hang = { from: Number(block), at: performance.now() };
          log(`${spec.name}: RPC proxy hangs from block ${block}`);
        } else if (hang && hang.to === undefined && Number(block) >= hang.from + spec.hang.blocks) {
          proxy.mode = "forward";
          hang.to = Number(block);
          log(`${spec.name}: RPC proxy answers again from block ${block} (${proxy.held()} requests held)`);
        }
      }
      if (step < spec.path.length) {
        const price = ctx.p0 * spec.path[step]!;
        answers.push(await owner.writeContract({ address: c.priceFeed.address, abi: mockAggregatorAbi, functionName: "setAnswer", args: [usd8(price)], nonce: nonce++, gas: 200_000n }));
        continue;
      }
      const tail = step - spec.path.length;
      const hangOver = !spec.hang || hang?.to !== undefined;
      if (tail >= plan.tailBlocks) break;
      if (hangOver && tail >= 1 && tail % 2 === 1 && (await unhealthyAt(ctx, borrowers, "latest")) === 0) break;
    }
    const lastAnswer = Number((await mined(ctx, answers.at(-1)!, "the last answer")).blockNumber);
    await keeper.stop();
    keeper = undefined;
    await setAutomine(ctx.client); // the chain stands still while it is measured
    const end = Number(await head(ctx));

    // on-chain measurement
    const m = await measure(ctx, borrowers.map((b) => b.address), keeperAccount.address, start, end);
    const delays = [...m.liquidatedAt].map(([b, at]) => at - m.liquidatableAt.get(b)!);
    const histogram: Record<string, number> = {};
    for (const d of delays) histogram[String(d)] = (histogram[String(d)] ?? 0) + 1;
    const q = (xs: number[], p: number) => (xs.length ? Math.round(quantile(xs, p) * 100) / 100 : null);
    const liquidatable = m.liquidatableAt.size;
    const result = {
      description: spec.description,
      positions: spec.positions,
      liquidatable,
      liquidated: m.liquidatedAt.size,
      leftUnhealthy: m.leftUnhealthy.length,
      delayP50: q(delays, 0.5),
      delayP95: q(delays, 0.95),
      delayMax: delays.length ? Math.max(...delays) : null,
      revertedTxs: m.revertedTxs,
      revertReasons: m.revertReasons,
      keeperTxs: m.keeperTxs,
      badDebtUsd: Math.round(Number(m.badDebt) / 10 ** ctx.loanDecimals * 100) / 100,
      histogram,
      keeperGasPerLiquidation: m.keeperLiquidations ? Math.round(m.keeperGas / m.keeperLiquidations) : null,
      target: { metric: "delayP95", limitBlocks: 1, basis: "a position liquidatable in block B can be liquidated in B+1 at the earliest" } as StressTarget,
      blocks: { start, lastAnswer, end },
      wallSeconds: (performance.now() - started) / 1000,
    };
    let extra: Partial<StressCaseResult> = {};
    if (spec.hang && hang) {
      const recovery = hang.to ?? end;
      // liquidated before the recovery: its plain delay; after: counted from the recovery (or from liquidatable, when later)
      const fromRecovery = [...m.liquidatedAt].map(([b, at]) => at - (at < recovery ? m.liquidatableAt.get(b)! : Math.max(m.liquidatableAt.get(b)!, recovery)));
      const first = keeperLog.find((l) => l.at >= hang!.at);
      const aboutRpc = keeperLog.find((l) => l.at >= hang!.at && RPC_LINE.test(l.line));
      extra = {
        target: { metric: "delayFromRecoveryP95", limitBlocks: 1, basis: "issue 14: p95 1 block after the RPC answers again (delay counted from the recovery block, or from liquidatable when later)" },
        hang: {
          fromBlock: hang.from,
          toBlock: recovery,
          heldRequests: proxy!.held(),
          delayFromRecoveryP50: q(fromRecovery, 0.5),
          delayFromRecoveryP95: q(fromRecovery, 0.95),
          delayFromRecoveryMax: fromRecovery.length ? Math.max(...fromRecovery) : null,
          firstLogSeconds: first ? Math.round((first.at - hang.at) / 10) / 100 : null,
          firstLogLine: first?.line.slice(0, 200) ?? null,
          rpcLogSeconds: aboutRpc ? Math.round((aboutRpc.at - hang.at) / 10) / 100 : null,
          rpcLogLine: aboutRpc?.line.slice(0, 200) ?? null,
        },
      };
    }
    if (spec.name === "burst2000") {
      const perBlock = Math.floor((blockGasLimit - batchGas.fixed) / batchGas.marginal);
      const floorBlocks = Math.ceil(liquidatable / perBlock);
      extra = {
        target: {
          metric: "delayP95",
          limitBlocks: floorBlocks + 1,
          basis: `the gas-limit floor ceil(${liquidatable} liquidatable / ${perBlock} liquidations per ${(blockGasLimit / 1e6).toFixed(0)}M-gas block) = ${floorBlocks}, plus 1`,
        },
        burst: { blockGasLimit, liquidationsPerBlock: perBlock, floorBlocks },
      };
    }
    if (spec.tiers !== "none") {
      const leftByTier: Record<string, number> = {};
      for (const b of m.leftUnhealthy) {
        const t = TIER_NAMES[tiers.get(b) ?? 3]!;
        leftByTier[t] = (leftByTier[t] ?? 0) + 1;
      }
      extra = { ...extra, tiers: { attested: tiers.size, expired: spec.tiers === "expired", timeMovedSeconds: timeMoved, leftUnhealthyByTier: leftByTier } };
    }
    const r: StressCaseResult = { ...result, ...extra };
    log(
      `${spec.name}: ${r.liquidated}/${r.liquidatable} liquidatable liquidated, ${r.leftUnhealthy} left unhealthy, delay p50/p95/max ${r.delayP50}/${r.delayP95}/${r.delayMax}, ` +
        `${r.revertedTxs}/${r.keeperTxs} keeper txs reverted, bad debt $${r.badDebtUsd}${r.hang ? `, from recovery p95 ${r.hang.delayFromRecoveryP95}` : ""}${r.burst ? `, floor ${r.burst.floorBlocks} blocks` : ""}`,
    );
    return r;
  } finally {
    await keeper?.stop().catch(() => undefined);
    await proxy?.close();
    await setAutomine(ctx.client).catch(() => undefined);
  }
}

/**
 * Whether the contract would liquidate `borrower` at the end of `block`, with the interest accrued to that block:
 * a simulated `liquidate(borrower, 0, 1)` (one borrow share) by the funded prober at that block. `isHealthy` alone
 * would not do: it judges as of the market's last accrual, which after an idle stretch lags behind what `liquidate`
 * (it accrues first) sees.
 */
async function liquidatable(ctx: Ctx, borrower: Address, block: number | "latest"): Promise<boolean> {
  try {
    await ctx.client.simulateContract({
      address: ctx.deployment.contracts.lending.address,
      abi: zkRiskLendingAbi,
      functionName: "liquidate",
      args: [borrower, 0n, 1n],
      account: ctx.prober,
      ...(block === "latest" ? {} : { blockNumber: BigInt(block) }),
    });
    return true;
  } catch (e) {
    if (revertName(e) === "HealthyPosition") return false;
    // A probe refused for another reason (seen once at 2,000 positions: a revert without data) falls back on the
    // contract's own view at that block, and says so: the case goes on instead of losing its measurement.
    const healthy = await ctx.client.readContract({
      address: ctx.deployment.contracts.lending.address,
      abi: zkRiskLendingAbi,
      functionName: "isHealthy",
      args: [borrower],
      ...(block === "latest" ? {} : { blockNumber: BigInt(block) }),
    });
    process.stderr.write(`bench: probing ${borrower} at block ${block}: ${shortError(e)}; isHealthy says ${healthy ? "healthy" : "unhealthy"}\n`);
    return !healthy;
  }
}

async function unhealthyAt(ctx: Ctx, borrowers: readonly { address: Address }[], block: number | "latest"): Promise<number> {
  let n = 0;
  await pool(borrowers, 32, async (b) => void ((await liquidatable(ctx, b.address, block)) && n++));
  return n;
}

/** The first block in [lo, hi] at which `borrower` is liquidatable, given that it is at `hi` (the price only falls). */
async function firstUnhealthy(ctx: Ctx, borrower: Address, lo: number, hi: number): Promise<number> {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (!(await liquidatable(ctx, borrower, mid))) lo = mid + 1;
    else hi = mid;
  }
  return hi;
}

/** A receipt as eth_getBlockReceipts answers it (JSON-RPC quantities as hex strings). */
interface RawReceipt {
  readonly transactionHash: Hash;
  readonly from: Address;
  readonly status: "0x1" | "0x0";
  readonly gas?: Hex;
  readonly gasUsed: Hex;
  readonly logs: Log[];
}

/** The errors a keeper transaction can revert with: the batch liquidator's, the market's, the tokens'. */
const REVERT_ABI = [...batchLiquidatorAbi, ...zkRiskLendingAbi, ...mockErc20Abi].filter((x) => x.type === "error");

/** Why a mined transaction reverted, from anvil's call trace: the custom error's name, "out of gas", or the raw selector. */
async function revertReason(ctx: Ctx, hash: Hash): Promise<string> {
  try {
    const t = await rpc<{ error?: string; output?: Hex; gas?: Hex; gasUsed?: Hex }>(ctx.client, "debug_traceTransaction", [hash, { tracer: "callTracer" }]);
    if (t.output && t.output.length >= 10) {
      try {
        return decodeErrorResult({ abi: REVERT_ABI, data: t.output }).errorName;
      } catch {
        return `error ${t.output.slice(0, 10)}`;
      }
    }
    return t.error ?? "reverted without data";
  } catch (e) {
    return `unknown (${shortError(e)})`;
  }
}

interface Measured {
  /** Borrower -> first block at which it was unhealthy (liquidatable), for every position that was. */
  readonly liquidatableAt: Map<Address, number>;
  /** Borrower -> block of its first liquidation. */
  readonly liquidatedAt: Map<Address, number>;
  readonly leftUnhealthy: Address[];
  readonly revertedTxs: number;
  readonly revertReasons: Record<string, number>;
  readonly keeperTxs: number;
  readonly keeperGas: number;
  readonly keeperLiquidations: number;
  readonly badDebt: bigint;
}

async function measure(ctx: Ctx, borrowers: readonly Address[], keeper: Address, start: number, end: number): Promise<Measured> {
  const lending = ctx.deployment.contracts.lending.address.toLowerCase();
  const liquidatedAt = new Map<Address, number>();
  let revertedTxs = 0;
  const revertReasons: Record<string, number> = {};
  let keeperTxs = 0;
  let keeperGas = 0;
  let keeperLiquidations = 0;
  const blocks = Array.from({ length: end - start }, (_, i) => start + 1 + i);
  const receiptsByBlock = new Map<number, RawReceipt[]>();
  await pool(blocks, 8, async (n) => void receiptsByBlock.set(n, await rpc<RawReceipt[]>(ctx.client, "eth_getBlockReceipts", [toHex(n)])));
  for (const n of blocks) {
    for (const r of receiptsByBlock.get(n) ?? []) {
      const logs = parseEventLogs({ abi: zkRiskLendingAbi, logs: r.logs.filter((l) => l.address.toLowerCase() === lending), eventName: "Liquidate" });
      for (const l of logs) if (!liquidatedAt.has(l.args.borrower)) liquidatedAt.set(l.args.borrower, n);
      if (r.from.toLowerCase() !== keeper.toLowerCase()) continue;
      keeperTxs++;
      if (r.status !== "0x1") {
        revertedTxs++;
        const why = await revertReason(ctx, r.transactionHash);
        revertReasons[why] = (revertReasons[why] ?? 0) + 1;
      } else {
        keeperGas += Number(BigInt(r.gasUsed));
        keeperLiquidations += logs.length;
      }
    }
  }
  const liquidatableAt = new Map<Address, number>();
  const leftUnhealthy: Address[] = [];
  await pool(borrowers, 32, async (b) => {
    const unhealthyAtEnd = await liquidatable(ctx, b, end);
    if (unhealthyAtEnd) leftUnhealthy.push(b);
    const at = liquidatedAt.get(b);
    if (at !== undefined) {
      // liquidatable at the end of the block before its liquidation (else it turned liquidatable in that very block)
      liquidatableAt.set(b, (await liquidatable(ctx, b, at - 1)) ? await firstUnhealthy(ctx, b, start, at - 1) : at);
    } else if (unhealthyAtEnd) {
      liquidatableAt.set(b, await firstUnhealthy(ctx, b, start, end));
    }
  });
  const badDebtAt = (n: number) => ctx.client.readContract({ address: ctx.deployment.contracts.lending.address, abi: zkRiskLendingAbi, functionName: "totalBadDebt", blockNumber: BigInt(n) });
  const badDebt = (await badDebtAt(end)) - (await badDebtAt(start));
  return { liquidatableAt, liquidatedAt, leftUnhealthy, revertedTxs, revertReasons, keeperTxs, keeperGas, keeperLiquidations, badDebt };
}

export async function benchKeeperStress(plan: StressPlan): Promise<StressResults> {
  const { log } = plan;
  const chain = getChain(1);
  const setupStarted = performance.now();
  // expiredTiers last: it moves the chain's clock forward by a month
  const specs = stressCases(plan)
    .filter((s) => plan.cases.includes(s.name))
    .sort((a, b) => Number(a.tiers === "expired") - Number(b.tiers === "expired"));
  const most = Math.max(21, ...specs.map((s) => s.positions));
  const anvil = await startAnvil({ chainId: chain.chainId, accounts: FIRST_BORROWER + most, timeoutMs: 120_000 });
  const dir = join(ROOT, ".cache", "bench", `deployments-keeper-stress-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const { deployment } = await deploy({ chain, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, env: plan.env, log: (l) => log(`deploy: ${l}`) });
    const client = publicClient(chain, anvil.rpcUrl) as PublicClient;
    const owner = [0, 1, 2].map((i) => privateKeyToAccount(anvilDevKey(i))).find((a) => a.address === deployment.roles.owner);
    if (!owner) throw new Error(`the feed owner ${deployment.roles.owner} is not an anvil dev account`);
    const feed = deployment.contracts.priceFeed.address;
    const [[, answer], feedDecimals, loanDecimals] = await Promise.all([
      client.readContract({ address: feed, abi: mockAggregatorAbi, functionName: "latestRoundData" }),
      client.readContract({ address: feed, abi: mockAggregatorAbi, functionName: "decimals" }),
      client.readContract({ address: deployment.contracts.loanToken.address, abi: erc20Abi, functionName: "decimals" }),
    ]);
    const ctx: Ctx = {
      chain,
      rpcUrl: anvil.rpcUrl,
      client,
      deployment,
      owner,
      prober: privateKeyToAccount(anvilDevKey(PROBER_INDEX)),
      borrowers: devAccounts(FIRST_BORROWER, most),
      p0: Number(answer) / 10 ** feedDecimals,
      loanDecimals,
      baseFee: (await client.getBlock()).baseFeePerGas ?? 0n,
      log,
      snapshot: await rpc<Hex>(client, "evm_snapshot", []),
    };
    const blockGasLimit = Number((await client.getBlock()).gasLimit);
    const batchGas = await measureBatchGas(ctx);
    log(`BatchLiquidator: batch of 1 ${batchGas.one} gas, of 20 ${batchGas.twenty} gas: ${batchGas.marginal} per further liquidation; blocks of ${blockGasLimit} gas`);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const cases: StressResults["cases"] = {};
    for (const spec of specs) cases[spec.name] = await runCase(ctx, spec, plan, batchGas, blockGasLimit);
    return { blockTimeSeconds: 1, blockGasLimit, batchGas, setupSeconds, cases };
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
