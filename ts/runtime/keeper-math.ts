// The lending contract's health and liquidation arithmetic, in bigint, with the contract's
// exact rounding (src/ZkRiskLending.sol, MathLib, SharesMathLib): interest accrual to a given
// timestamp, the effective liquidation LTV during a downgrade ramp, health, the liquidation
// incentive factor, and the amounts liquidate() would compute. Pure functions, no I/O.

export const WAD = 10n ** 18n;
export const ORACLE_PRICE_SCALE = 10n ** 36n;
export const SECONDS_PER_YEAR = 365n * 86_400n;
export const DOWNGRADE_RAMP = 86_400n;
export const LIQUIDATION_CURSOR = 3n * 10n ** 17n;
export const MAX_LIQUIDATION_INCENTIVE_FACTOR = 115n * 10n ** 16n;
export const BUCKET_COUNT = 4;
const VIRTUAL_SHARES = 10n ** 6n;
const VIRTUAL_ASSETS = 1n;

export const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
export const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + (d - 1n)) / d;
export const wMulDown = (x: bigint, y: bigint): bigint => mulDivDown(x, y, WAD);
export const wDivDown = (x: bigint, y: bigint): bigint => mulDivDown(x, WAD, y);
export const wDivUp = (x: bigint, y: bigint): bigint => mulDivUp(x, WAD, y);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export const toSharesDown = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toSharesUp = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toAssetsDown = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
export const toAssetsUp = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);

/** e^(x*n) - 1 by three Taylor terms, rounded down (MathLib.wTaylorCompoundedDown). */
export function wTaylorCompoundedDown(x: bigint, n: bigint): bigint {
  const first = x * n;
  const second = mulDivDown(first, first, 2n * WAD);
  const third = mulDivDown(second, first, 3n * WAD);
  return first + second + third;
}

export interface BucketState {
  readonly borrowAssets: bigint;
  readonly borrowShares: bigint;
}

export interface TierParamsState {
  readonly apr: bigint;
  readonly maxLtv: bigint;
  readonly lltv: bigint;
}

export interface PositionState {
  readonly borrowShares: bigint;
  readonly collateral: bigint;
  readonly bucket: number;
  readonly rampStart: bigint;
  readonly rampFromLltv: bigint;
}

/** The market state health depends on, as read at one block. */
export interface MarketState {
  /** The block the state was read at, and its timestamp. */
  readonly blockNumber: bigint;
  readonly timestamp: bigint;
  /** ORACLE.price(); undefined when it reverts (stale, incomplete round...): then nothing is liquidatable. */
  readonly price: bigint | undefined;
  readonly buckets: readonly BucketState[];
  readonly tierParams: readonly TierParamsState[];
  readonly totalBorrowAssets: bigint;
  readonly totalSupplyAssets: bigint;
  readonly lastUpdate: bigint;
  readonly kinkUtilization: bigint;
  readonly jumpApr: bigint;
}

/** The APR premium above the utilization kink (_internalPremiumApr). */
export function premiumApr(borrowed: bigint, supplied: bigint, kink: bigint, jumpApr: bigint): bigint {
  if (borrowed === 0n) return 0n;
  const utilization = supplied === 0n ? WAD : min(wDivDown(borrowed, supplied), WAD);
  if (utilization <= kink) return 0n;
  return mulDivDown(jumpApr, utilization - kink, WAD - kink);
}

/** Bucket states after _internalAccrueInterest at `timestamp` (unchanged when no time passed or nothing is borrowed). */
export function accruedBuckets(m: MarketState, timestamp: bigint): BucketState[] {
  const elapsed = timestamp - m.lastUpdate;
  if (elapsed <= 0n || m.totalBorrowAssets === 0n) return [...m.buckets];
  const premium = premiumApr(m.totalBorrowAssets, m.totalSupplyAssets, m.kinkUtilization, m.jumpApr);
  return m.buckets.map((bk, b) => {
    if (bk.borrowAssets === 0n) return bk;
    const rate = (m.tierParams[b]!.apr + premium) / SECONDS_PER_YEAR;
    const interest = wMulDown(bk.borrowAssets, wTaylorCompoundedDown(rate, elapsed));
    return { borrowAssets: bk.borrowAssets + interest, borrowShares: bk.borrowShares };
  });
}

/** The effective liquidation LTV of `p` in its bucket at `timestamp` (_internalLiquidationLtv, liquidationLtvOf). */
export function effectiveLltv(p: PositionState, tierParams: readonly TierParamsState[], timestamp: bigint): bigint {
  const target = tierParams[p.bucket]!.lltv;
  if (p.rampStart === 0n) return target;
  const from = p.rampFromLltv;
  const elapsed = timestamp - p.rampStart;
  if (from <= target || elapsed >= DOWNGRADE_RAMP) return target;
  return from - mulDivUp(from - target, elapsed, DOWNGRADE_RAMP);
}

export interface Health {
  /** Debt in loan token units, rounded up, with interest accrued to the evaluation time. */
  readonly debt: bigint;
  /** Collateral value times the effective liquidation LTV, rounded down. */
  readonly maxDebt: bigint;
  readonly lltv: bigint;
  readonly healthy: boolean;
  /** debt / maxDebt in WAD (how far underwater; max uint256 when maxDebt is 0). */
  readonly ratio: bigint;
}

const MAX_RATIO = 2n ** 256n - 1n;

/**
 * The health check liquidate() would make at `timestamp` on this state (interest accrued,
 * ramp applied): healthy iff debt (rounded up) <= collateral * price * lltv (rounded down).
 * A position without debt is healthy; so is every position when the oracle reverts.
 */
export function healthAt(m: MarketState, p: PositionState, timestamp: bigint = m.timestamp, buckets: readonly BucketState[] = accruedBuckets(m, timestamp)): Health {
  const lltv = effectiveLltv(p, m.tierParams, timestamp);
  const bk = buckets[p.bucket]!;
  const debt = p.borrowShares === 0n ? 0n : toAssetsUp(p.borrowShares, bk.borrowAssets, bk.borrowShares);
  const maxDebt = m.price === undefined ? 0n : wMulDown(mulDivDown(p.collateral, m.price, ORACLE_PRICE_SCALE), lltv);
  const healthy = p.borrowShares === 0n || m.price === undefined || debt <= maxDebt;
  const ratio = maxDebt === 0n ? (debt === 0n ? 0n : MAX_RATIO) : (debt * WAD) / maxDebt;
  return { debt, maxDebt, lltv, healthy, ratio };
}

/** LIF = min(1.15, 1 / (1 - 0.3 * (1 - lltv))) (_internalLiquidationIncentiveFactor). */
export function liquidationIncentiveFactor(lltv: bigint): bigint {
  return min(MAX_LIQUIDATION_INCENTIVE_FACTOR, wDivDown(WAD, WAD - wMulDown(LIQUIDATION_CURSOR, WAD - lltv)));
}

/** Collateral liquidate(borrower, 0, repaidShares) seizes, rounded down. */
export function seizedForShares(repaidShares: bigint, bk: BucketState, price: bigint, lif: bigint): bigint {
  return mulDivDown(wMulDown(toAssetsDown(repaidShares, bk.borrowAssets, bk.borrowShares), lif), ORACLE_PRICE_SCALE, price);
}

/** Shares liquidate(borrower, seizedAssets, 0) repays, rounded up. */
export function sharesForSeized(seizedAssets: bigint, bk: BucketState, price: bigint, lif: bigint): bigint {
  return toSharesUp(wDivUp(mulDivUp(seizedAssets, price, ORACLE_PRICE_SCALE), lif), bk.borrowAssets, bk.borrowShares);
}

export interface LiquidationPlan {
  /** The arguments of liquidate(borrower, seizedAssets, repaidShares): exactly one is non-zero. */
  readonly seizedAssets: bigint;
  readonly repaidShares: bigint;
  /** "full": all debt repaid; "all-collateral": every unit of collateral seized, the rest of the debt is bad debt; "partial": a rounding corner (both full forms would revert). */
  readonly kind: "full" | "all-collateral" | "partial";
  /** Upper bound of the loan tokens the liquidation pulls from the keeper. */
  readonly maxRepaidAssets: bigint;
  /** Expected collateral seized. */
  readonly expectedSeized: bigint;
}

export interface PlanOptions {
  /** Seconds of interest (and ramp) to allow for between the read and the transaction's block; default 120. */
  readonly horizonSeconds?: bigint;
}

/**
 * The largest liquidation of `p` that will not revert although interest keeps accruing for up
 * to `horizonSeconds`: repay every share when the collateral covers the seizure even at the
 * horizon (the borrower keeps the rest); otherwise seize all collateral (what the collateral
 * does not cover becomes bad debt, realised by the contract). Each form is checked in the
 * state where it is tightest: more interest raises the collateral one share seizes, less
 * interest raises the shares a unit of collateral repays. The shares form keeps a small slack
 * for the rounding other liquidations in the same block leave in the bucket's share price.
 */
export function planLiquidation(m: MarketState, p: PositionState, opts: PlanOptions = {}): LiquidationPlan | undefined {
  if (m.price === undefined || m.price === 0n || p.borrowShares === 0n || p.collateral === 0n) return undefined;
  const t0 = m.timestamp;
  const t1 = t0 + (opts.horizonSeconds ?? 120n);
  const bk0 = accruedBuckets(m, t0)[p.bucket]!;
  const bk1 = accruedBuckets(m, t1)[p.bucket]!;
  const lif0 = liquidationIncentiveFactor(effectiveLltv(p, m.tierParams, t0));
  const lif1 = liquidationIncentiveFactor(effectiveLltv(p, m.tierParams, t1));
  const price = m.price;

  const seizedAll = seizedForShares(p.borrowShares, bk1, price, lif1);
  if (seizedAll <= p.collateral) {
    return {
      seizedAssets: 0n,
      repaidShares: p.borrowShares,
      kind: "full",
      maxRepaidAssets: toAssetsUp(p.borrowShares, bk1.borrowAssets, bk1.borrowShares),
      expectedSeized: seizedForShares(p.borrowShares, bk0, price, lif0),
    };
  }
  const slack = p.borrowShares / 10n ** 6n + 10n * VIRTUAL_SHARES;
  const fits = (seized: bigint): boolean => sharesForSeized(seized, bk0, price, lif0) + slack <= p.borrowShares;
  if (fits(p.collateral)) {
    const shares = sharesForSeized(p.collateral, bk0, price, lif0);
    return {
      seizedAssets: p.collateral,
      repaidShares: 0n,
      kind: "all-collateral",
      maxRepaidAssets: toAssetsUp(shares, bk0.borrowAssets, bk0.borrowShares) + 1n,
      expectedSeized: p.collateral,
    };
  }
  // Rounding corner: the largest seizure whose repaid shares still fit (binary search; monotone).
  let lo = 0n;
  let hi = p.collateral;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (fits(mid)) lo = mid;
    else hi = mid - 1n;
  }
  if (lo === 0n) return undefined;
  const shares = sharesForSeized(lo, bk0, price, lif0);
  return { seizedAssets: lo, repaidShares: 0n, kind: "partial", maxRepaidAssets: toAssetsUp(shares, bk0.borrowAssets, bk0.borrowShares) + 1n, expectedSeized: lo };
}

/**
 * `p` and the buckets after liquidate()'s tier sync moves the debt to bucket `to`
 * (_internalSyncTier, on already accrued buckets). A move to a lower liquidation LTV starts a
 * ramp at `timestamp` from the current effective value, so the LTV does not drop at once.
 */
export function syncedPosition(m: MarketState, p: PositionState, to: number, timestamp: bigint): { market: MarketState; position: PositionState } {
  const buckets = accruedBuckets(m, timestamp);
  if (p.bucket === to) return { market: { ...m, buckets, lastUpdate: timestamp, timestamp }, position: p };
  const currentLltv = effectiveLltv(p, m.tierParams, timestamp);
  let newShares = 0n;
  if (p.borrowShares > 0n) {
    const src = buckets[p.bucket]!;
    const assets = min(toAssetsUp(p.borrowShares, src.borrowAssets, src.borrowShares), src.borrowAssets);
    const dst = buckets[to]!;
    newShares = toSharesUp(assets, dst.borrowAssets, dst.borrowShares);
    buckets[p.bucket] = { borrowAssets: src.borrowAssets - assets, borrowShares: src.borrowShares - p.borrowShares };
    buckets[to] = { borrowAssets: dst.borrowAssets + assets, borrowShares: dst.borrowShares + newShares };
  }
  const ramp = p.borrowShares > 0n && m.tierParams[to]!.lltv < currentLltv;
  return {
    market: { ...m, buckets, lastUpdate: timestamp, timestamp },
    position: { ...p, borrowShares: newShares, bucket: to, rampStart: ramp ? timestamp : 0n, rampFromLltv: ramp ? currentLltv : 0n },
  };
}
