// The amounts of one liquidation, chosen so that the state the transaction executes on cannot
// make them revert: liquidate() first syncs the borrower's tier (the debt may move to another
// bucket and be re-minted there at that block's share price), interest keeps accruing until the
// transaction is mined, and the next oracle answer may be mined first. The plan is checked in
// every scenario of a small grid (inclusion times from the read block's timestamp to a horizon,
// each with the wallet's credit as it counts then, and the current answer and one a margin below
// it, optionally one above) and keeps the form that fits all of them: repay every share (the borrower keeps
// the rest of the collateral), seize all collateral (the rest of the debt is bad debt), or, in
// the narrow band between, the largest seizure that fits. Pure functions, no I/O.
import {
  accruedBuckets,
  effectiveLltv,
  largestFitting,
  liquidationIncentiveFactor,
  seizedForShares,
  sharesForSeized,
  syncedPosition,
  toAssetsUp,
  type BucketState,
  type CreditPeriod,
  type LiquidationPlan,
  type MarketState,
  type PositionState,
} from "./keeper-math.js";

export const DEFAULT_PRICE_DOWN_BPS = 500n;
/**
 * No margin upward by default: seizing all collateral of a position the collateral nearly covers
 * then fits at the current price exactly (one liquidation closes it), and an answer that rises
 * before it is mined makes it revert (inside a batch: skipped and planned again next block).
 */
export const DEFAULT_PRICE_UP_BPS = 0n;

export interface RobustPlanOptions {
  /** Seconds between the read block and the latest block the transaction may be mined in (default 120). */
  readonly horizonSeconds?: bigint;
  /** How far (basis points) the next oracle answer may fall before the transaction is mined (default 500: 5%). */
  readonly priceDownBps?: bigint;
  /** How far (basis points) it may rise (default 0). */
  readonly priceUpBps?: bigint;
}

/** One state liquidate() may run on: the position after its sync, its bucket, incentive and the oracle price. */
interface Scenario {
  readonly shares: bigint;
  readonly collateral: bigint;
  readonly bucket: BucketState;
  readonly lif: bigint;
  readonly price: bigint;
}

/** The wallet's credit period as creditPeriodOf would return it at `t` (an attestation stops counting at endsAt). */
export const creditAt = (c: CreditPeriod, t: bigint): CreditPeriod => ({ ...c, counts: c.roundId !== 0n && t < c.endsAt });

/** Inclusion times checked: the read block's, the next few seconds (the next blocks) and the horizon. */
function inclusionTimes(t0: bigint, horizon: bigint): bigint[] {
  const out = new Set<bigint>([t0]);
  for (const dt of [1n, 2n, 3n, 6n, 12n, 30n, horizon]) if (dt <= horizon) out.add(t0 + dt);
  return [...out];
}

/** The positions and bucket states liquidate() may see: the sync at each inclusion time (without a credit period: the stored terms, accrued). */
function states(m: MarketState, p: PositionState, credit: CreditPeriod | undefined, times: readonly bigint[]): { position: PositionState; bucket: BucketState; t: bigint }[] {
  return times.map((t) => {
    if (!credit) return { position: p, bucket: accruedBuckets(m, t)[p.bucket]!, t };
    const s = syncedPosition(m, p, creditAt(credit, t), t);
    return { position: s.position, bucket: s.market.buckets[s.position.bucket]!, t };
  });
}

/**
 * The liquidation of `p` (read at `m`, with the wallet's credit period `credit` read at the same
 * block) that does not revert on any scenario of the grid; undefined when nothing fits (no price,
 * no debt, no collateral). The shares form repays the fewest shares the sync may leave, less a
 * slack for the rounding other liquidations in the same block leave in the bucket's share price,
 * when the sync re-mints the debt (without a move, the stored shares are exact).
 */
export function planRobustLiquidation(m: MarketState, p: PositionState, credit: CreditPeriod | undefined, opts: RobustPlanOptions = {}): LiquidationPlan | undefined {
  if (m.price === undefined || m.price === 0n || p.borrowShares === 0n || p.collateral === 0n) return undefined;
  const horizon = opts.horizonSeconds ?? 120n;
  const down = opts.priceDownBps ?? DEFAULT_PRICE_DOWN_BPS;
  const up = opts.priceUpBps ?? DEFAULT_PRICE_UP_BPS;
  if (down < 0n || down >= 10_000n || up < 0n) throw new Error(`price margins must be in [0, 10000) bps, got -${down}/+${up}`);
  const prices = [(m.price * (10_000n - down)) / 10_000n, m.price, (m.price * (10_000n + up)) / 10_000n].filter((x) => x > 0n);
  const synced = states(m, p, credit, inclusionTimes(m.timestamp, horizon));
  const scenarios: Scenario[] = synced.flatMap(({ position, bucket, t }) => {
    const lif = liquidationIncentiveFactor(effectiveLltv(position, m.tierParams, t));
    return prices.map((price) => ({ shares: position.borrowShares, collateral: position.collateral, bucket, lif, price }));
  });
  const moved = synced.some((s) => s.position.bucket !== p.bucket || s.position.borrowShares !== p.borrowShares);
  const fewestShares = scenarios.reduce((lo, s) => (s.shares < lo ? s.shares : lo), scenarios[0]!.shares);
  // Rounding other liquidations leave in a bucket's share price: 1 ppm of the shares and ten virtual shares.
  const slack = fewestShares / 10n ** 6n + 10n ** 7n;
  const maxAssets = (shares: bigint): bigint => scenarios.reduce((hi, s) => {
    const a = toAssetsUp(shares, s.bucket.borrowAssets, s.bucket.borrowShares);
    return a > hi ? a : hi;
  }, 0n);
  const expected = scenarios[prices.indexOf(m.price)]!; // the read block's time (first), the current price

  const repaid = moved ? fewestShares - slack : p.borrowShares;
  if (repaid > 0n && scenarios.every((s) => repaid <= s.shares && seizedForShares(repaid, s.bucket, s.price, s.lif) <= s.collateral)) {
    return { seizedAssets: 0n, repaidShares: repaid, kind: "full", maxRepaidAssets: maxAssets(repaid), expectedSeized: seizedForShares(repaid, expected.bucket, expected.price, expected.lif) };
  }
  const fits = (seized: bigint): boolean => scenarios.every((s) => seized <= s.collateral && sharesForSeized(seized, s.bucket, s.price, s.lif) + slack <= s.shares);
  const sharesFor = (seized: bigint): bigint => scenarios.reduce((hi, s) => {
    const x = sharesForSeized(seized, s.bucket, s.price, s.lif);
    return x > hi ? x : hi;
  }, 0n);
  if (fits(p.collateral)) {
    return { seizedAssets: p.collateral, repaidShares: 0n, kind: "all-collateral", maxRepaidAssets: maxAssets(sharesFor(p.collateral)) + 1n, expectedSeized: p.collateral };
  }
  // Between the two: the largest seizure whose repaid shares fit every scenario.
  const lo = largestFitting(p.collateral, fits);
  if (lo === 0n) return undefined;
  return { seizedAssets: lo, repaidShares: 0n, kind: "partial", maxRepaidAssets: maxAssets(sharesFor(lo)) + 1n, expectedSeized: lo };
}

/**
 * The orders the keeper's `balance` of loan tokens covers, taken in the given order (most
 * underwater first), each at its most it may pull; an order that does not fit is left and the
 * next ones are still tried. `needed`: what all of them may pull together.
 */
export function affordable<T extends { readonly plan: LiquidationPlan }>(orders: readonly T[], balance: bigint): { chosen: T[]; left: T[]; needed: bigint } {
  const chosen: T[] = [];
  const left: T[] = [];
  let rest = balance;
  let needed = 0n;
  for (const o of orders) {
    needed += o.plan.maxRepaidAssets;
    if (o.plan.maxRepaidAssets <= rest) {
      rest -= o.plan.maxRepaidAssets;
      chosen.push(o);
    } else left.push(o);
  }
  return { chosen, left, needed };
}
