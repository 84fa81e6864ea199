// One wallet's raw features on one chain at a snapshot block, as features.json defines them
// ("perChain"), from its events' aggregates over every indexed protocol of the chain (computed in
// SQL: db/index-data.ts eventAggregates) plus reads at past blocks:
//   counts and USD sums          <- borrow / repay / deposit / withdraw / liquidation rows, all protocols
//   wallet age, last liquidation <- event timestamps (whole days before the snapshot time)
//   protocols_used               <- the protocols with an event of the wallet
//   daily risk samples           <- positions at the block current at 00:00 UTC: zkrisk's through
//                                   the ChainReader, the others through their source; per day, the
//                                   worst position's risk factor, debt if any position has debt
//   current risk, collateral, debt <- positions at the snapshot block (worst risk; sums)
//   tx_count                     <- the wallet's nonce at the snapshot block
// USD sums are exact sums of the events' values in the chain's USD unit, converted once.
import type { Address } from "viem";
import { DAY, type ChainReader, type PoolPosition } from "./chain-reader.js";
import type { EventAggregate, PositionValue, ProtocolSample, StoredSample, WalletMarket } from "../db/index-data.js";
import type { Source } from "./sources/source.js";
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
  /** Other protocols' samples: wallet (lower-case) -> "day:protocol" -> sample, and the new ones. */
  readonly protocolSamples: Map<string, Map<string, ProtocolSample>>;
  readonly newProtocolSamples: ProtocolSample[];
}

export const emptyReadCache = (dayBlocks: Map<number, number> = new Map()): ReadCache => ({
  dayBlocks,
  samples: new Map(),
  newDayBlocks: new Map(),
  newSamples: [],
  protocolSamples: new Map(),
  newProtocolSamples: [],
});

/** The risk factor of a position of another protocol: with its own liquidation threshold (1 / its health factor) when it has one. */
export function positionRisk(spec: FeatureSpec, p: PositionValue): number {
  if (p.debtUsd <= 0) return 0;
  if (p.collateralUsd <= 0) return capOf(spec);
  return p.debtUsd / (p.collateralUsd * (p.liquidationThreshold ?? spec.liquidationThreshold));
}

/** The markets a wallet used on a chain, by protocol: where its positions are read. */
export interface WalletProtocols {
  /** zkrisk's pool: the block of the wallet's first borrow there (null: none), or undefined when it has no zkrisk event. */
  readonly zkrisk: { readonly firstBorrowBlock: number | null } | undefined;
  /** Other protocols: their source, the wallet's markets there, its first borrow there. */
  readonly others: readonly { readonly source: Source; readonly markets: readonly (string | null)[]; readonly firstBorrowBlock: number | null }[];
}

/** Group a wallet's markets by protocol (sources: the chain's, by protocol id). */
export function walletProtocols(agg: EventAggregate, markets: readonly WalletMarket[] | undefined, sources: ReadonlyMap<string, Source>, chainId: number): WalletProtocols {
  if (!agg.otherProtocols || !markets) return { zkrisk: { firstBorrowBlock: agg.firstBorrowBlock }, others: [] };
  const minBlock = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  let zk: { firstBorrowBlock: number | null } | undefined;
  const others = new Map<string, { source: Source; markets: (string | null)[]; firstBorrowBlock: number | null }>();
  for (const m of markets) {
    if (m.protocol === PROTOCOL_ID) {
      zk = { firstBorrowBlock: minBlock(zk?.firstBorrowBlock ?? null, m.firstBorrowBlock) };
      continue;
    }
    let o = others.get(m.protocol);
    if (!o) {
      const source = sources.get(m.protocol);
      if (!source) throw new Error(`chain ${chainId}: events of ${m.protocol} are indexed but the chain has no ${m.protocol} source now; re-index`);
      others.set(m.protocol, (o = { source, markets: [], firstBorrowBlock: null }));
    }
    o.markets.push(m.market);
    o.firstBorrowBlock = minBlock(o.firstBorrowBlock, m.firstBorrowBlock);
  }
  return { zkrisk: zk, others: [...others.values()] };
}

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
async function dailySamples(reader: ChainReader, spec: FeatureSpec, cache: ReadCache, wallet: Address, agg: EventAggregate, used: WalletProtocols, snap: Snapshot): Promise<DaySample[]> {
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
  const noDebt = (b: number): DaySample => ({ block: b, debt: false, riskFactor: 0 });
  const zkriskSample = async (d: number, b: number): Promise<DaySample> => {
    const hit = walletCache.get(d);
    if (hit && hit.block === b) return toSample(hit);
    const first = used.zkrisk?.firstBorrowBlock ?? null;
    if (first === null || first > b) return noDebt(b);
    const [pos, price] = await Promise.all([positionAt(b), reader.priceAt(b)]);
    const stored: StoredSample = { wallet: w, day: d, block: b, collateral: pos.collateral, debt: pos.debt, price };
    if (d * DAY < snap.time) {
      walletCache.set(d, stored);
      cache.newSamples.push(stored);
    }
    return toSample(stored);
  };
  let theirs = cache.protocolSamples.get(w);
  if (!theirs) cache.protocolSamples.set(w, (theirs = new Map()));
  const protocolCache = theirs;
  const otherSample = async (d: number, b: number, o: WalletProtocols["others"][number]): Promise<DaySample> => {
    if (o.firstBorrowBlock === null || o.firstBorrowBlock > b) return noDebt(b);
    const key = `${d}:${o.source.protocol}`;
    let sample = protocolCache.get(key);
    if (!sample || sample.block !== b) {
      sample = { wallet: w, day: d, protocol: o.source.protocol, block: b, positions: await o.source.positions(wallet, b, o.markets) };
      if (d * DAY < snap.time) {
        protocolCache.set(key, sample);
        cache.newProtocolSamples.push(sample);
      }
    }
    const debt = sample.positions.some((p) => p.debtUsd > 0);
    return { block: b, debt, riskFactor: sample.positions.reduce((a, p) => Math.max(a, positionRisk(spec, p)), 0) };
  };
  return inBatches(days.map((d, i) => [d, blocks[i] as number] as const), async ([d, b]) => {
    const parts = await Promise.all([used.zkrisk ? zkriskSample(d, b) : noDebt(b), ...used.others.map((o) => otherSample(d, b, o))]);
    // The day's worst position: a debt anywhere, the highest risk factor of any protocol.
    return { block: b, debt: parts.some((p) => p.debt), riskFactor: parts.reduce((a, p) => Math.max(a, p.riskFactor), 0) };
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
  used?: WalletProtocols,
): Promise<ChainRecord> {
  const empty = emptyChainRaw(spec);
  if (!agg) return { chainId: reader.chainId, raw: empty };
  await reader.init();
  const protocols = used ?? { zkrisk: { firstBorrowBlock: agg.firstBorrowBlock }, others: [] };

  const zkriskNow = async (): Promise<{ debtUsd: number; collateralUsd: number; risk: number }> => {
    if (!protocols.zkrisk) return { debtUsd: 0, collateralUsd: 0, risk: 0 };
    const [position, price] = await Promise.all([reader.positionAt(wallet, snap.block), reader.priceAt(snap.block)]);
    const collateralUsd = reader.collateralUsd(position.collateral, price);
    const debtUsd = reader.loanUsd(position.debt);
    return { debtUsd, collateralUsd, risk: riskFactor(spec, debtUsd, collateralUsd) };
  };
  const [samples, zk, others, nonce] = await Promise.all([
    dailySamples(reader, spec, cache, wallet, agg, protocols, snap),
    zkriskNow(),
    Promise.all(protocols.others.map((o) => o.source.positions(wallet, snap.block, o.markets))),
    reader.client.getTransactionCount({ address: wallet, blockNumber: BigInt(snap.block) }),
  ]);
  const debtDays = samples.filter((s) => s.debt);
  const positions = others.flat();
  const collateralUsd = positions.reduce((a, p) => a + p.collateralUsd, zk.collateralUsd);
  const debtUsd = positions.reduce((a, p) => a + p.debtUsd, zk.debtUsd);
  const currentRisk = positions.reduce((a, p) => Math.max(a, positionRisk(spec, p)), zk.risk);

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
    current_risk_factor: currentRisk,
    collateral_usd: collateralUsd,
    debt_usd: debtUsd,
    protocols_used: [...(protocols.zkrisk ? [PROTOCOL_ID] : []), ...protocols.others.map((o) => o.source.protocol)],
    chains_used: 1,
  };
  const record = { chainId: reader.chainId, raw: values };
  validateChainRecord(spec, record);
  return record;
}
