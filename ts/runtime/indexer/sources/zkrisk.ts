// zkrisk's own market (ZkRiskLending), one per chain: its events -> the indexed rows.
//   SupplyCollateral(onBehalf)  deposit  (collateral, valued at the pool's oracle price of the block)
//   WithdrawCollateral(caller)  withdraw (idem)
//   Borrow(caller)              borrow   (loan token = the chain's USD unit)
//   Repay(onBehalf)             repay    (liquidations emit Liquidate, not Repay)
//   Liquidate(borrower)         liquidation (repaid assets)
//   Supply(onBehalf), Withdraw(caller): lending the loan token, activity only.
// Its daily risk samples are read by wallet-features.ts through the ChainReader (cached in
// daily_risk_samples), as before sources existed.
import { getAddress, type Address, type Log } from "viem";
import { zkRiskLendingAbi } from "../../../generated/abi.generated.js";
import { decodeLog, eventsOf, position, type Source, type SourceContext, type SourceDefinition, type SourceEvent } from "./source.js";
import type { PoolEventKind } from "../index-state.js";

export const ZKRISK = "zkrisk";
/** IOracle prices carry 36 decimals (plus loan minus collateral decimals). */
const PRICE_SCALE = 10n ** 36n;

const { events, topics } = eventsOf(zkRiskLendingAbi, ["Supply", "Withdraw", "SupplyCollateral", "WithdrawCollateral", "Borrow", "Repay", "Liquidate"]);

/** The wallet, kind and amount of a zkrisk pool event (the account whose position it changes). */
export function classifyZkrisk(eventName: string, a: Record<string, unknown>): { kind: PoolEventKind; wallet: Address; assets: bigint; collateral: boolean } {
  switch (eventName) {
    case "Supply":
      return { kind: "supply", wallet: a.onBehalf as Address, assets: a.assets as bigint, collateral: false };
    case "Withdraw":
      return { kind: "withdraw_supply", wallet: a.caller as Address, assets: a.assets as bigint, collateral: false };
    case "SupplyCollateral":
      return { kind: "deposit", wallet: a.onBehalf as Address, assets: a.assets as bigint, collateral: true };
    case "WithdrawCollateral":
      return { kind: "withdraw", wallet: a.caller as Address, assets: a.assets as bigint, collateral: true };
    case "Borrow":
      return { kind: "borrow", wallet: a.caller as Address, assets: a.assets as bigint, collateral: false };
    case "Repay":
      return { kind: "repay", wallet: a.onBehalf as Address, assets: a.assets as bigint, collateral: false };
    case "Liquidate":
      return { kind: "liquidation", wallet: a.borrower as Address, assets: a.repaidAssets as bigint, collateral: false };
    default:
      throw new Error(`unexpected zkrisk event ${eventName}`);
  }
}

/** zkrisk's pool on a chain (its reader is the context's). */
export function zkriskSource(ctx: SourceContext, startBlock: number): Source {
  const { reader } = ctx;
  return {
    protocol: ZKRISK,
    chainId: ctx.chainId,
    address: getAddress(reader.lending),
    startBlock,
    events,
    topics,
    async toEvent(log: Log): Promise<SourceEvent> {
      const d = decodeLog(events, log);
      const c = classifyZkrisk(d.eventName, d.args);
      const price = c.collateral ? await reader.priceAt(Number(log.blockNumber)) : null;
      return { kind: c.kind, wallet: c.wallet, assets: c.assets, market: null, unpriced: false, price, value: price === null ? c.assets : (c.assets * price) / PRICE_SCALE };
    },
    async positions(wallet: Address, block: number): Promise<ReturnType<typeof position>[]> {
      const [p, price] = await Promise.all([reader.positionAt(wallet, block), reader.priceAt(block)]);
      if (p.collateral === 0n && p.debt === 0n) return [];
      return [position(reader.loanUsd(p.debt), reader.collateralUsd(p.collateral, price), null)];
    },
  };
}

/** zkrisk's pool is every deployment's own: not in `protocols`, always indexed. */
export const zkriskDefinition: SourceDefinition = {
  protocol: ZKRISK,
  deploymentKey: null,
  contractOf: (entry) => entry.address as Address,
  create: async (ctx, entry) => zkriskSource(ctx, entry.startBlock),
};
