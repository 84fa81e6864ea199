// Morpho Blue (one singleton per chain, every market of it): its events -> the indexed rows.
//   Supply(onBehalf)              supply          (lending the market's loan token: activity only)
//   Withdraw(onBehalf)            withdraw_supply (idem)
//   SupplyCollateral(onBehalf)    deposit         (the market's collateral token)
//   WithdrawCollateral(onBehalf)  withdraw        (idem)
//   Borrow(onBehalf)              borrow          (loan token)
//   Repay(onBehalf)               repay           (loan token)
//   Liquidate(borrower)           liquidation     (repaidAssets of the loan token)
// A market's tokens, oracle and LLTV come from idToMarketParams(id), read once per market. Every
// amount is valued at its block by the Aave v3 oracle of the chain (usd-prices.ts); a chain
// without Aave v3 leaves Morpho amounts unpriced (USD 0, counted). Risk samples value each market
// position at the sample block: debt = borrowShares in assets (Morpho's virtual shares, rounded
// up), collateral at the market oracle's price (IOracle.price(), 36 decimals, in loan-token
// units; where that call reverts at the block, e.g. a stale feed, the Aave oracle's price of the
// collateral token), both in USD at the loan token's price; the liquidation threshold is the
// market's LLTV.
import { getAbiItem, getAddress, type Address, type Hash, type Log } from "viem";
import { morphoBlueAbi, morphoOracleMockAbi } from "../../../generated/protocols.generated.js";
import { decodeLog, eventsOf, position, UndecodableLogError, type PositionValue, type ProtocolEntry, type Source, type SourceContext, type SourceDefinition } from "./source.js";
import { isRevert, type UsdPrices } from "./usd-prices.js";
import type { PoolEventKind } from "../index-state.js";
import type { MarketParams } from "../../protocols/morpho-blue/deploy.js";
// Morpho Blue's SharesMathLib (virtual shares 1e6, virtual assets 1) and IOracle price scale (1e36) are the ones
// zkrisk's market uses too.
import { ORACLE_PRICE_SCALE, toAssetsUp } from "../../keeper/keeper-math.js";

export const MORPHO_BLUE = "morpho-blue";
/** Morpho's IOracle `price()` (the ABI item of its OracleMock, which implements IOracle). */
const oraclePriceAbi = [getAbiItem({ abi: morphoOracleMockAbi, name: "price" })] as const;

const { events, topics } = eventsOf(morphoBlueAbi, ["Supply", "Withdraw", "SupplyCollateral", "WithdrawCollateral", "Borrow", "Repay", "Liquidate"]);

/** The wallet, kind, market and amount of a Morpho Blue event; `collateral`: the amount is of the collateral token. */
export function classifyMorpho(eventName: string, a: Record<string, unknown>): { kind: PoolEventKind; wallet: Address; id: Hash; assets: bigint; collateral: boolean } {
  const id = a.id as Hash;
  switch (eventName) {
    case "Supply":
      return { kind: "supply", wallet: a.onBehalf as Address, id, assets: a.assets as bigint, collateral: false };
    case "Withdraw":
      return { kind: "withdraw_supply", wallet: a.onBehalf as Address, id, assets: a.assets as bigint, collateral: false };
    case "SupplyCollateral":
      return { kind: "deposit", wallet: a.onBehalf as Address, id, assets: a.assets as bigint, collateral: true };
    case "WithdrawCollateral":
      return { kind: "withdraw", wallet: a.onBehalf as Address, id, assets: a.assets as bigint, collateral: true };
    case "Borrow":
      return { kind: "borrow", wallet: a.onBehalf as Address, id, assets: a.assets as bigint, collateral: false };
    case "Repay":
      return { kind: "repay", wallet: a.onBehalf as Address, id, assets: a.assets as bigint, collateral: false };
    case "Liquidate":
      return { kind: "liquidation", wallet: a.borrower as Address, id, assets: a.repaidAssets as bigint, collateral: false };
    default:
      throw new UndecodableLogError(`not an indexed Morpho Blue event: ${eventName}`);
  }
}

export function morphoBlueSource(ctx: SourceContext, morpho: Address, startBlock: number, usd: UsdPrices | null): Source {
  const params = new Map<string, Promise<MarketParams>>();
  const marketParams = (id: Hash): Promise<MarketParams> => {
    const k = id.toLowerCase();
    let p = params.get(k);
    if (!p) {
      p = ctx.client.readContract({ address: morpho, abi: morphoBlueAbi, functionName: "idToMarketParams", args: [id] }).then(([loanToken, collateralToken, oracle, irm, lltv]) => {
        if (loanToken === "0x0000000000000000000000000000000000000000") throw new Error(`chain ${ctx.chainId}: Morpho Blue ${morpho} has no market ${id}`);
        return { loanToken, collateralToken, oracle, irm, lltv };
      });
      params.set(k, p);
    }
    return p;
  };

  async function positionIn(wallet: Address, id: Hash, block: number): Promise<PositionValue | null> {
    const blockNumber = BigInt(block);
    const m = await marketParams(id);
    const [[, borrowShares, collateral], market] = await Promise.all([
      ctx.client.readContract({ address: morpho, abi: morphoBlueAbi, functionName: "position", args: [id, wallet], blockNumber }),
      ctx.client.readContract({ address: morpho, abi: morphoBlueAbi, functionName: "market", args: [id], blockNumber }),
    ]);
    if (borrowShares === 0n && collateral === 0n) return null;
    const [, , totalBorrowAssets, totalBorrowShares] = market;
    const debt = toAssetsUp(borrowShares, totalBorrowAssets, totalBorrowShares);
    const loanPrice = usd ? await usd.priceAt(m.loanToken, block) : null;
    const lltv = Number(m.lltv) / 1e18;
    if (loanPrice === null) return position(0, 0, lltv);
    const debtUsd = await usd!.usd(m.loanToken, debt, loanPrice);
    if (collateral === 0n) return position(debtUsd, 0, lltv);
    const oraclePrice = await marketOraclePrice(m, block);
    if (oraclePrice !== null) return position(debtUsd, await usd!.usd(m.loanToken, (collateral * oraclePrice) / ORACLE_PRICE_SCALE, loanPrice), lltv);
    // The market's oracle refused to price then (e.g. a stale feed at a past block): the Aave oracle's collateral price.
    const collateralPrice = await usd!.priceAt(m.collateralToken, block);
    if (collateralPrice === null) {
      throw new Error(`chain ${ctx.chainId}: Morpho Blue market ${id}: neither its oracle ${m.oracle} nor the Aave v3 oracle prices the collateral at block ${block}`);
    }
    return position(debtUsd, await usd!.usd(m.collateralToken, collateral, collateralPrice), lltv);
  }

  /** The market oracle's price at a block, or null when the call reverts. */
  async function marketOraclePrice(m: MarketParams, block: number): Promise<bigint | null> {
    try {
      return await ctx.client.readContract({ address: m.oracle, abi: oraclePriceAbi, functionName: "price", blockNumber: BigInt(block) });
    } catch (e) {
      if (isRevert(e)) return null;
      throw e;
    }
  }

  return {
    protocol: MORPHO_BLUE,
    chainId: ctx.chainId,
    address: morpho,
    startBlock,
    events,
    topics,
    async toEvent(log: Log) {
      const d = decodeLog(events, log);
      const c = classifyMorpho(d.eventName, d.args);
      const m = await marketParams(c.id);
      const token = c.collateral ? m.collateralToken : m.loanToken;
      const valued = usd ? await usd.value(token, c.assets, Number(log.blockNumber)) : { price: null, value: 0n };
      return { kind: c.kind, wallet: c.wallet, assets: c.assets, market: c.id.toLowerCase(), price: valued.price, value: valued.value, unpriced: valued.price === null };
    },
    async positions(wallet: Address, block: number, markets: readonly (string | null)[]): Promise<PositionValue[]> {
      const ids = [...new Set(markets.filter((m): m is string => m !== null))] as Hash[];
      const values = await Promise.all(ids.map((id) => positionIn(wallet, id, block)));
      return values.filter((v): v is PositionValue => v !== null);
    },
  };
}

export const morphoBlueDefinition: SourceDefinition = {
  protocol: MORPHO_BLUE,
  deploymentKey: "morphoBlue",
  contractOf(entry: ProtocolEntry): Address {
    if (typeof entry.morpho !== "string") throw new Error("the morphoBlue entry has no `morpho` address");
    return getAddress(entry.morpho);
  },
  async create(ctx, entry) {
    return morphoBlueSource(ctx, this.contractOf(entry), entry.startBlock, ctx.usd);
  },
};
