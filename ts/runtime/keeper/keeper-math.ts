// The lending contract's health and liquidation arithmetic, in bigint, with the contract's
// exact rounding (src/ZkRiskLending.sol, MathLib, SharesMathLib): interest accrual to a given
// timestamp, a position's terms after its tier changes (dated by the registry's credit period:
// downgrade ramp, catch-up interest, the debt's move to the current bucket), the effective
// liquidation LTV, health, the liquidation incentive factor, and the amounts liquidate() would
// compute. Pure functions, no I/O.

export const WAD = 10n ** 18n;
export const ORACLE_PRICE_SCALE = 10n ** 36n;
export const SECONDS_PER_YEAR = 365n * 86_400n;
export const DOWNGRADE_RAMP = 86_400n;
export const TAYLOR_MAX_EXPONENT = 625n * 10n ** 14n;
export const MAX_COMPOUNDING_EXPONENT = 10n * 10n ** 18n;
export const BUCKET_HIGH = 2;
export const BUCKET_UNVERIFIED = 3;
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
export const wMulUp = (x: bigint, y: bigint): bigint => mulDivUp(x, y, WAD);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const zeroFloorSub = (a: bigint, b: bigint): bigint => (a > b ? a - b : 0n);

export const toSharesDown = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toSharesUp = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
export const toAssetsDown = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
export const toAssetsUp = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);

/** e^y - 1 for an exponent y (WAD), rounded down, y capped (MathLib.wExpMinusOneDown): three Taylor terms on y / 2^k, squared k times. */
export function wExpMinusOneDown(y: bigint): bigint {
  if (y > MAX_COMPOUNDING_EXPONENT) y = MAX_COMPOUNDING_EXPONENT;
  let halvings = 0n;
  while (y >> halvings > TAYLOR_MAX_EXPONENT) halvings++;
  const first = y >> halvings;
  const second = mulDivDown(first, first, 2n * WAD);
  const third = mulDivDown(second, first, 3n * WAD);
  let factor = WAD + first + second + third;
  for (let i = 0n; i < halvings; i++) factor = wMulDown(factor, factor);
  return factor - WAD;
}

/** e^(x*n) - 1 for a per-second rate x over n seconds, rounded down (MathLib.wCompoundedDown). */
export const wCompoundedDown = (x: bigint, n: bigint): bigint => wExpMinusOneDown(x * n);

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
  readonly rampEnd: bigint;
  readonly rampFromLltv: bigint;
  /** The round of the wallet's latest attestation at the last sync, and when that sync was. */
  readonly round: bigint;
  readonly syncedAt: bigint;
}

/** The registry's ICreditOracle.creditPeriodOf(wallet): when its latest attestation counts, and when the one before it stopped counting. */
export interface CreditPeriod {
  readonly roundId: bigint;
  readonly tier: number;
  readonly counts: boolean;
  readonly issuedAt: bigint;
  readonly endsAt: bigint;
  readonly previousEndedAt: bigint;
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
    const interest = wMulDown(bk.borrowAssets, wCompoundedDown(rate, elapsed));
    return { borrowAssets: bk.borrowAssets + interest, borrowShares: bk.borrowShares };
  });
}

/** The liquidation LTV at `date` in bucket `bucket` with a ramp from `from` at `start` to the bucket's at `end` (_internalRampedLltv). */
function rampedLltv(tierParams: readonly TierParamsState[], bucket: number, from: bigint, start: bigint, end: bigint, date: bigint): bigint {
  const target = tierParams[bucket]!.lltv;
  if (date >= end || from <= target) return target;
  return from - mulDivUp(from - target, zeroFloorSub(date, start), end - start);
}

/** The stored effective liquidation LTV of `p` at `timestamp`: its bucket's, or its ramp's (_internalLiquidationLtv; liquidationLtvOf once synced). */
export function effectiveLltv(p: PositionState, tierParams: readonly TierParamsState[], timestamp: bigint): bigint {
  return rampedLltv(tierParams, p.bucket, p.rampFromLltv, p.rampStart, p.rampEnd, timestamp);
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

/** The largest x in [0, hi] with fits(x), for a `fits` that holds up to some point and not after it (binary search); 0 when none above 0 fits. */
export function largestFitting(hi: bigint, fits: (x: bigint) => boolean): bigint {
  let lo = 0n;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (fits(mid)) lo = mid;
    else hi = mid - 1n;
  }
  return lo;
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
  // Rounding corner: the largest seizure whose repaid shares still fit.
  const lo = largestFitting(p.collateral, fits);
  if (lo === 0n) return undefined;
  const shares = sharesForSeized(lo, bk0, price, lif0);
  return { seizedAssets: lo, repaidShares: 0n, kind: "partial", maxRepaidAssets: toAssetsUp(shares, bk0.borrowAssets, bk0.borrowShares) + 1n, expectedSeized: lo };
}

const bucketOfTier = (tier: number): number => (tier > BUCKET_HIGH ? BUCKET_HIGH : tier);

/** The bucket a wallet's debt belongs in now (bucketFor). */
export const bucketFor = (c: CreditPeriod): number => (c.counts ? bucketOfTier(c.tier) : BUCKET_UNVERIFIED);

interface Terms {
  bucket: number;
  rampStart: bigint;
  rampEnd: bigint;
  rampFromLltv: bigint;
}

/**
 * `p` and the market after a sync at `timestamp` (syncTier, and the sync liquidate(), borrow(),
 * repay() and withdrawCollateral() start with): interest accrued to `timestamp`, then every
 * change of the wallet's credit since the position's last sync applied at the date the registry
 * gives it (_internalTierTerms): a downgrade ramps the liquidation LTV from its value then (never
 * past the end of a ramp in progress), an upgrade applies at once, and the debt moves to the
 * current bucket with the catch-up interest for the time spent in costlier buckets
 * (_internalDebtMove). With `timestamp` = the last accrual this is also what debtOf(),
 * liquidationLtvOf() and isHealthy() report without a sync.
 */
export function syncedPosition(m: MarketState, p: PositionState, credit: CreditPeriod, timestamp: bigint): { market: MarketState; position: PositionState; catchUpInterest: bigint } {
  const buckets = accruedBuckets(m, timestamp);
  const accrued = m.totalBorrowAssets + buckets.reduce((sum, bk, b) => sum + bk.borrowAssets - m.buckets[b]!.borrowAssets, 0n);
  const lastUpdate = timestamp > m.lastUpdate ? timestamp : m.lastUpdate;
  const market: MarketState = { ...m, timestamp, buckets, lastUpdate, totalBorrowAssets: accrued, totalSupplyAssets: m.totalSupplyAssets + accrued - m.totalBorrowAssets };
  const latest = credit.roundId === 0n ? BUCKET_UNVERIFIED : bucketOfTier(credit.tier);
  if (p.borrowShares === 0n) {
    const bucket = credit.counts ? latest : BUCKET_UNVERIFIED;
    return { market, position: { ...p, bucket, rampStart: 0n, rampEnd: 0n, rampFromLltv: 0n, round: credit.roundId, syncedAt: timestamp }, catchUpInterest: 0n };
  }

  const changes: [bigint, number][] = [];
  if (credit.roundId !== p.round) {
    if (p.bucket !== BUCKET_UNVERIFIED) changes.push([credit.previousEndedAt, BUCKET_UNVERIFIED]);
    changes.push([credit.issuedAt, latest]);
  }
  if (!credit.counts) changes.push([credit.endsAt, BUCKET_UNVERIFIED]);

  const t: Terms = { bucket: p.bucket, rampStart: p.rampStart, rampEnd: p.rampEnd, rampFromLltv: p.rampFromLltv };
  const baseApr = m.tierParams[p.bucket]!.apr;
  let costlier = 0n;
  let cheaper = 0n;
  const addCatchUp = (bucket: number, from: bigint, to: bigint) => {
    const elapsed = zeroFloorSub(min(to, market.lastUpdate), from);
    const apr = m.tierParams[bucket]!.apr;
    if (apr > baseApr) costlier += (apr - baseApr) * elapsed;
    else cheaper += (baseApr - apr) * elapsed;
  };
  let since = p.syncedAt;
  for (const [at, to] of changes) {
    const date = min(max(at, since), timestamp);
    addCatchUp(t.bucket, since, date);
    if (to !== t.bucket) {
      const current = rampedLltv(m.tierParams, t.bucket, t.rampFromLltv, t.rampStart, t.rampEnd, date);
      t.bucket = to;
      if (m.tierParams[to]!.lltv >= current) Object.assign(t, { rampStart: 0n, rampEnd: 0n, rampFromLltv: 0n });
      else Object.assign(t, { rampEnd: t.rampEnd <= date ? date + DOWNGRADE_RAMP : t.rampEnd, rampStart: date, rampFromLltv: current });
    }
    since = date;
  }
  addCatchUp(t.bucket, since, market.lastUpdate);
  const exponent = mulDivUp(zeroFloorSub(costlier, cheaper), 1n, SECONDS_PER_YEAR);

  const src = buckets[p.bucket]!;
  const assets = min(toAssetsUp(p.borrowShares, src.borrowAssets, src.borrowShares), src.borrowAssets);
  const interest = wMulUp(assets, wExpMinusOneDown(exponent));
  const position = { ...p, ...t, round: credit.roundId, syncedAt: timestamp };
  if (t.bucket === p.bucket && interest === 0n) return { market, position, catchUpInterest: 0n };
  const moved = [...buckets];
  moved[p.bucket] = { borrowAssets: src.borrowAssets - assets, borrowShares: src.borrowShares - p.borrowShares };
  const dst = moved[t.bucket]!;
  const borrowShares = toSharesUp(assets + interest, dst.borrowAssets, dst.borrowShares);
  moved[t.bucket] = { borrowAssets: dst.borrowAssets + assets + interest, borrowShares: dst.borrowShares + borrowShares };
  return {
    market: { ...market, buckets: moved, totalBorrowAssets: market.totalBorrowAssets + interest, totalSupplyAssets: market.totalSupplyAssets + interest },
    position: { ...position, borrowShares },
    catchUpInterest: interest,
  };
}
