// One wallet's raw features on one chain at a snapshot block, as features.json defines them
// ("perChain"), from the indexed pool events plus reads at past blocks:
//   counts and USD sums         <- Borrow / Repay / SupplyCollateral / WithdrawCollateral / Liquidate
//   wallet age, last liquidation <- event timestamps (whole days before the snapshot time)
//   daily risk samples          <- position and oracle price at the block current at 00:00 UTC
//   current risk, collateral, debt <- position and price at the snapshot block
//   tx_count                    <- the wallet's nonce at the snapshot block
import type { Address } from "viem";
import { DAY, type ChainReader, type PoolPosition } from "./chain-reader.js";
import { emptyChainRaw, validateChainRecord, type ChainRecord, type FeatureSpec, type RawValue } from "./features.js";
import type { DaySample, IndexedEvent, IndexState } from "./index-state.js";

/** The protocol id of this pool in features.json's protocol list. */
export const PROTOCOL_ID = "zkrisk";
/** How many reads are in flight at once. */
const CONCURRENCY = 32;

export interface Snapshot {
  readonly block: number;
  readonly time: number;
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

/** The wallet's events on this chain up to the snapshot, in chain order. */
export function walletEvents(state: IndexState, wallet: Address, snapshotBlock: number): IndexedEvent[] {
  const w = wallet.toLowerCase();
  return state.events.filter((e) => e.wallet === w && e.block <= snapshotBlock);
}

/**
 * Daily samples at 00:00 UTC of each day after the wallet's first event up to the snapshot.
 * Days before its first borrow have no debt and are not read. Day blocks and samples of days
 * before the snapshot time are cached in the state (the caller saves it).
 */
async function dailySamples(reader: ChainReader, spec: FeatureSpec, state: IndexState, wallet: Address, events: IndexedEvent[], snap: Snapshot): Promise<DaySample[]> {
  const first = events[0];
  if (!first) return [];
  const firstBorrow = events.find((e) => e.kind === "borrow");
  const days: number[] = [];
  for (let d = Math.ceil(first.time / DAY); d * DAY <= snap.time; d++) days.push(d);

  // Day blocks, in order: each search starts at the previous day's block.
  const blocks: number[] = [];
  let lo = first.block;
  for (const d of days) {
    const cached = state.dayBlocks[d];
    const b = cached !== undefined && cached <= snap.block ? cached : await reader.blockAtTime(d * DAY, lo, snap.block);
    if (d * DAY < snap.time) state.dayBlocks[d] = b;
    blocks.push(b);
    lo = b;
  }

  const cache = (state.samples[wallet.toLowerCase()] ??= {});
  const positions = new Map<number, Promise<PoolPosition>>();
  const positionAt = (b: number): Promise<PoolPosition> => {
    let p = positions.get(b);
    if (!p) positions.set(b, (p = reader.positionAt(wallet, b)));
    return p;
  };
  return inBatches(days.map((d, i) => [d, blocks[i] as number] as const), async ([d, b]) => {
    const hit = cache[d];
    if (hit && hit.block === b) return hit;
    let sample: DaySample;
    if (!firstBorrow || firstBorrow.block > b) sample = { block: b, debt: false, riskFactor: 0 };
    else {
      const [pos, price] = await Promise.all([positionAt(b), reader.priceAt(b)]);
      sample = { block: b, debt: pos.debt > 0n, riskFactor: riskFactor(spec, reader.loanUsd(pos.debt), reader.collateralUsd(pos.collateral, price)) };
    }
    if (d * DAY < snap.time) cache[d] = sample;
    return sample;
  });
}

/**
 * The wallet's raw features on this chain at the snapshot (a ChainRecord for features.ts).
 * A wallet without pool events on the chain gets the features' empty values.
 */
export async function chainRawFeatures(reader: ChainReader, spec: FeatureSpec, state: IndexState, wallet: Address, snap: Snapshot): Promise<ChainRecord> {
  const events = walletEvents(state, wallet, snap.block);
  const empty = emptyChainRaw(spec);
  if (events.length === 0) return { chainId: reader.chainId, raw: empty };
  await reader.init();

  const of = (kind: IndexedEvent["kind"]) => events.filter((e) => e.kind === kind);
  const usd = (list: IndexedEvent[]) => list.reduce((a, e) => a + e.usd, 0);
  const liquidations = of("liquidation");
  const lastLiquidation = liquidations.at(-1);

  const [samples, position, price, nonce] = await Promise.all([
    dailySamples(reader, spec, state, wallet, events, snap),
    reader.positionAt(wallet, snap.block),
    reader.priceAt(snap.block),
    reader.client.getTransactionCount({ address: wallet, blockNumber: BigInt(snap.block) }),
  ]);
  const debtDays = samples.filter((s) => s.debt);
  const collateralUsd = reader.collateralUsd(position.collateral, price);
  const debtUsd = reader.loanUsd(position.debt);

  const values: Record<string, RawValue> = {
    wallet_age_days: wholeDays(snap.time - (events[0] as IndexedEvent).time),
    tx_count: nonce,
    borrow_count: of("borrow").length,
    borrow_usd: usd(of("borrow")),
    repay_count: of("repay").length,
    repay_usd: usd(of("repay")),
    deposit_count: of("deposit").length,
    deposit_usd: usd(of("deposit")),
    withdraw_count: of("withdraw").length,
    withdraw_usd: usd(of("withdraw")),
    liquidation_count: liquidations.length,
    // "or 1825 if none": the feature's empty value.
    days_since_last_liquidation: lastLiquidation ? wholeDays(snap.time - lastLiquidation.time) : (empty.days_since_last_liquidation as number),
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
