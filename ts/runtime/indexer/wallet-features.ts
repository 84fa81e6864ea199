// One wallet's raw features on one chain at a snapshot block, as features.json defines them
// ("perChain"), from its events' aggregates (computed in SQL: db/index-data.ts eventAggregates)
// plus reads at past blocks:
//   counts and USD sums          <- Borrow / Repay / SupplyCollateral / WithdrawCollateral / Liquidate
//   wallet age, last liquidation <- event timestamps (whole days before the snapshot time)
//   daily risk samples           <- position and oracle price at the block current at 00:00 UTC
//   current risk, collateral, debt <- position and price at the snapshot block
//   tx_count                     <- the wallet's nonce at the snapshot block
// USD sums are exact sums of the events' values in loan-token base units, converted once.
import type { Address } from "viem";
import { DAY, type ChainReader, type PoolPosition } from "./chain-reader.js";
import type { EventAggregate, StoredSample } from "../db/index-data.js";
import { emptyChainRaw, validateChainRecord, type ChainRecord, type FeatureSpec, type RawValue } from "./features.js";

/** The protocol id of this pool in features.json's protocol list. */
export const PROTOCOL_ID = "zkrisk";
/** How many reads are in flight at once. */
const CONCURRENCY = 32;

export interface Snapshot {
  readonly block: number;
  readonly time: number;
}

/** A daily risk sample of one wallet at the 00:00 UTC block of a day. */
export interface DaySample {
  readonly block: number;
  readonly debt: boolean;
  readonly riskFactor: number;
}

/**
 * A chain's cached reads for one features run: day blocks and samples loaded from the database,
 * and the new reads made here, which the caller saves (db/index-data.ts saveReads).
 */
export interface ReadCache {
  /** Day -> the block current at its 00:00 UTC. */
  readonly dayBlocks: Map<number, number>;
  /** Wallet (lower-case) -> day -> sample. */
  readonly samples: Map<string, Map<number, StoredSample>>;
  readonly newDayBlocks: Map<number, number>;
  readonly newSamples: StoredSample[];
}

export const emptyReadCache = (dayBlocks: Map<number, number> = new Map()): ReadCache => ({ dayBlocks, samples: new Map(), newDayBlocks: new Map(), newSamples: [] });

/** Risk factor = debt / (collateral value x liquidation threshold); the cap when there is debt and no collateral. */
export function riskFactor(spec: FeatureSpec, debtUsd: number, collateralUsd: number): number {
  if (debtUsd <= 0) return 0;
  const cap = capOf(spec);
  if (collateralUsd <= 0) return cap;
  return debtUsd / (collateralUsd * spec.liquidationThreshold);
}

function capOf(spec: FeatureSpec): number {
  const f = spec.features.find((x) => x.name === "current_risk_factor");
  if (!f) throw new Error(`${spec.file} has no current_risk_factor feature`);
  return f.clip[1];
}

const wholeDays = (seconds: number): number => Math.floor(Math.max(0, seconds) / DAY);

async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) out.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(fn))));
  return out;
}

/**
 * Daily samples at 00:00 UTC of each day after the wallet's first event up to the snapshot.
 * Days before its first borrow have no debt and are not read. Day blocks and samples of days
 * before the snapshot time are cached (the caller saves the new ones).
 */
async function dailySamples(reader: ChainReader, spec: FeatureSpec, cache: ReadCache, wallet: Address, agg: EventAggregate, snap: Snapshot): Promise<DaySample[]> {
  const days: number[] = [];
  for (let d = Math.ceil(agg.firstTime / DAY); d * DAY <= snap.time; d++) days.push(d);

  // Day blocks, in order: each search starts at the previous day's block.
  const blocks: number[] = [];
  let lo = agg.firstBlock;
  for (const d of days) {
    const cached = cache.dayBlocks.get(d);
    const b = cached !== undefined && cached <= snap.block ? cached : await reader.blockAtTime(d * DAY, lo, snap.block);
    if (d * DAY < snap.time && cached !== b) {
      cache.dayBlocks.set(d, b);
      cache.newDayBlocks.set(d, b);
    }
    blocks.push(b);
    lo = b;
  }

  const w = wallet.toLowerCase();
  let mine = cache.samples.get(w);
  if (!mine) cache.samples.set(w, (mine = new Map()));
  const walletCache = mine;
  const positions = new Map<number, Promise<PoolPosition>>();
  const positionAt = (b: number): Promise<PoolPosition> => {
    let p = positions.get(b);
    if (!p) positions.set(b, (p = reader.positionAt(wallet, b)));
    return p;
  };
  const toSample = (s: StoredSample): DaySample => ({
    block: s.block,
    debt: s.debt > 0n,
    riskFactor: riskFactor(spec, reader.loanUsd(s.debt), reader.collateralUsd(s.collateral, s.price)),
  });
  return inBatches(days.map((d, i) => [d, blocks[i] as number] as const), async ([d, b]) => {
    const hit = walletCache.get(d);
    if (hit && hit.block === b) return toSample(hit);
    if (agg.firstBorrowBlock === null || agg.firstBorrowBlock > b) return { block: b, debt: false, riskFactor: 0 };
    const [pos, price] = await Promise.all([positionAt(b), reader.priceAt(b)]);
    const stored: StoredSample = { wallet: w, day: d, block: b, collateral: pos.collateral, debt: pos.debt, price };
    if (d * DAY < snap.time) {
      walletCache.set(d, stored);
      cache.newSamples.push(stored);
    }
    return toSample(stored);
  });
}

/**
 * The wallet's raw features on this chain at the snapshot (a ChainRecord for features.ts), from
 * the aggregate of its events up to the snapshot. A wallet without pool events on the chain
 * (no aggregate) gets the features' empty values.
 */
export async function chainRawFeatures(
  reader: ChainReader,
  spec: FeatureSpec,
  agg: EventAggregate | undefined,
  cache: ReadCache,
  wallet: Address,
  snap: Snapshot,
): Promise<ChainRecord> {
  const empty = emptyChainRaw(spec);
  if (!agg) return { chainId: reader.chainId, raw: empty };
  await reader.init();

  const [samples, position, price, nonce] = await Promise.all([
    dailySamples(reader, spec, cache, wallet, agg, snap),
    reader.positionAt(wallet, snap.block),
    reader.priceAt(snap.block),
    reader.client.getTransactionCount({ address: wallet, blockNumber: BigInt(snap.block) }),
  ]);
  const debtDays = samples.filter((s) => s.debt);
  const collateralUsd = reader.collateralUsd(position.collateral, price);
  const debtUsd = reader.loanUsd(position.debt);

  const values: Record<string, RawValue> = {
    wallet_age_days: wholeDays(snap.time - agg.firstTime),
    tx_count: nonce,
    borrow_count: agg.counts.borrow,
    borrow_usd: reader.loanUsd(agg.values.borrow),
    repay_count: agg.counts.repay,
    repay_usd: reader.loanUsd(agg.values.repay),
    deposit_count: agg.counts.deposit,
    deposit_usd: reader.loanUsd(agg.values.deposit),
    withdraw_count: agg.counts.withdraw,
    withdraw_usd: reader.loanUsd(agg.values.withdraw),
    liquidation_count: agg.counts.liquidation,
    // "or 1825 if none": the feature's empty value.
    days_since_last_liquidation: agg.lastLiquidationTime !== null ? wholeDays(snap.time - agg.lastLiquidationTime) : (empty.days_since_last_liquidation as number),
    days_with_debt: debtDays.length,
    avg_risk_factor: debtDays.length ? debtDays.reduce((a, s) => a + s.riskFactor, 0) / debtDays.length : 0,
    max_risk_factor: samples.reduce((a, s) => Math.max(a, s.riskFactor), 0),
    current_risk_factor: riskFactor(spec, debtUsd, collateralUsd),
    collateral_usd: collateralUsd,
    debt_usd: debtUsd,
    protocols_used: [PROTOCOL_ID],
    chains_used: 1,
  };
  const record = { chainId: reader.chainId, raw: values };
  validateChainRecord(spec, record);
  return record;
}
