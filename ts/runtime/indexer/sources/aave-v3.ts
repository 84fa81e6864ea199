// Aave v3 (the Pool of one market per chain): its events -> the indexed rows.
//   Supply(onBehalfOf)        deposit     (Aave supplies are collateral: amount of `reserve`)
//   Withdraw(user)            withdraw    (amount of `reserve`)
//   Borrow(onBehalfOf)        borrow      (amount of `reserve`; the debt is onBehalfOf's)
//   Repay(user)               repay       (amount of `reserve`; user is the borrower, repayer may differ)
//   LiquidationCall(user)     liquidation (debtToCover of `debtAsset`; user is the liquidated borrower)
// Every amount is valued at its block by the Aave v3 oracle (usd-prices.ts). Risk samples:
// getUserAccountData at the sample block (total collateral and debt in the base currency, USD,
// and the position's weighted liquidation threshold: the risk factor is 1 / healthFactor).
import { getAddress, type Address, type Log } from "viem";
import { aaveV3PoolAbi } from "../../../generated/protocols.generated.js";
import { decodeLog, eventsOf, position, UndecodableLogError, type PositionValue, type ProtocolEntry, type Source, type SourceContext, type SourceDefinition } from "./source.js";
import { UsdPrices } from "./usd-prices.js";
import type { PoolEventKind } from "../index-state.js";

export const AAVE_V3 = "aave-v3";

const { events, topics } = eventsOf(aaveV3PoolAbi, ["Supply", "Withdraw", "Borrow", "Repay", "LiquidationCall"]);

/** The wallet, kind, token and amount of an Aave v3 Pool event. */
export function classifyAave(eventName: string, a: Record<string, unknown>): { kind: PoolEventKind; wallet: Address; token: Address; assets: bigint } {
  switch (eventName) {
    case "Supply":
      return { kind: "deposit", wallet: a.onBehalfOf as Address, token: a.reserve as Address, assets: a.amount as bigint };
    case "Withdraw":
      return { kind: "withdraw", wallet: a.user as Address, token: a.reserve as Address, assets: a.amount as bigint };
    case "Borrow":
      return { kind: "borrow", wallet: a.onBehalfOf as Address, token: a.reserve as Address, assets: a.amount as bigint };
    case "Repay":
      return { kind: "repay", wallet: a.user as Address, token: a.reserve as Address, assets: a.amount as bigint };
    case "LiquidationCall":
      return { kind: "liquidation", wallet: a.user as Address, token: a.debtAsset as Address, assets: a.debtToCover as bigint };
    default:
      throw new UndecodableLogError(`not an indexed Aave v3 event: ${eventName}`);
  }
}

export function aaveV3Source(ctx: SourceContext, pool: Address, startBlock: number, usd: UsdPrices): Source {
  return {
    protocol: AAVE_V3,
    chainId: ctx.chainId,
    address: pool,
    startBlock,
    events,
    topics,
    async toEvent(log: Log) {
      const d = decodeLog(events, log);
      const c = classifyAave(d.eventName, d.args);
      const { price, value } = await usd.value(c.token, c.assets, Number(log.blockNumber));
      return { kind: c.kind, wallet: c.wallet, assets: c.assets, market: c.token.toLowerCase(), price, value, unpriced: price === null };
    },
    async positions(wallet: Address, block: number): Promise<PositionValue[]> {
      const [data, base] = await Promise.all([
        ctx.client.readContract({ address: pool, abi: aaveV3PoolAbi, functionName: "getUserAccountData", args: [wallet], blockNumber: BigInt(block) }),
        usd.baseUnit(),
      ]);
      const [collateral, debt, , threshold] = data;
      if (collateral === 0n && debt === 0n) return [];
      const toUsd = (x: bigint) => Number(x) / Number(base);
      return [position(toUsd(debt), toUsd(collateral), threshold > 0n ? Number(threshold) / 1e4 : null)];
    },
  };
}

export const aaveV3Definition: SourceDefinition = {
  protocol: AAVE_V3,
  deploymentKey: "aaveV3",
  contractOf(entry: ProtocolEntry): Address {
    if (typeof entry.pool !== "string") throw new Error("the aaveV3 entry has no `pool` address");
    return getAddress(entry.pool);
  },
  async create(ctx, entry) {
    if (!ctx.usd) throw new Error(`chain ${ctx.chainId}: Aave v3 without its oracle`);
    return aaveV3Source(ctx, this.contractOf(entry), entry.startBlock, ctx.usd);
  },
};
