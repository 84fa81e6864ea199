// Small viem actions on Morpho Blue's local market, for the demo and the tests to make real
// history: supply, supplyCollateral, borrow, repay, withdraw, withdrawCollateral, and a
// liquidation (after a price drop on zkrisk's mock feed, which the market's oracle reads).
import type { Address, Hex, PublicClient } from "viem";
import { chainlinkOracleAdapterAbi } from "../../../generated/abi.generated.js";
import { morphoBlueAbi } from "../../../generated/protocols.generated.js";
import type { MorphoBlueDeployment } from "../../deploy/deployment.js";
import { approve } from "../erc20.js";
import { send, type Signer } from "../tx.js";
import { localMarketParams } from "./deploy.js";

export interface MorphoPosition {
  readonly supplyShares: bigint;
  readonly borrowShares: bigint;
  readonly collateral: bigint;
}

const me = (s: Signer): Address => s.wallet.account.address;

/** Lend `assets` of the loan token to the market. */
export async function morphoSupply(s: Signer, d: MorphoBlueDeployment, assets: bigint): Promise<Hex> {
  const p = localMarketParams(d);
  await approve(s, p.loanToken, d.morpho, assets);
  return (await send(s, "Morpho.supply", d.morpho, morphoBlueAbi, "supply", [p, assets, 0n, me(s), "0x"])).hash;
}

export async function morphoSupplyCollateral(s: Signer, d: MorphoBlueDeployment, assets: bigint): Promise<Hex> {
  const p = localMarketParams(d);
  await approve(s, p.collateralToken, d.morpho, assets);
  return (await send(s, "Morpho.supplyCollateral", d.morpho, morphoBlueAbi, "supplyCollateral", [p, assets, me(s), "0x"])).hash;
}

export async function morphoBorrow(s: Signer, d: MorphoBlueDeployment, assets: bigint): Promise<Hex> {
  return (await send(s, "Morpho.borrow", d.morpho, morphoBlueAbi, "borrow", [localMarketParams(d), assets, 0n, me(s), me(s)])).hash;
}

/** Repay `assets` of the signer's debt, or all of it by shares ("all": no dust left). */
export async function morphoRepay(s: Signer, d: MorphoBlueDeployment, assets: bigint | "all"): Promise<Hex> {
  const p = localMarketParams(d);
  if (assets !== "all") {
    await approve(s, p.loanToken, d.morpho, assets);
    return (await send(s, "Morpho.repay", d.morpho, morphoBlueAbi, "repay", [p, assets, 0n, me(s), "0x"])).hash;
  }
  const { borrowShares } = await morphoPosition(s.client, d, me(s));
  const [, , totalBorrowAssets, totalBorrowShares] = await s.client.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: "market", args: [d.local!.market.id] });
  // SharesMathLib.toAssetsUp with Morpho's virtual shares (1e6) and assets (1).
  const owed = (borrowShares * (totalBorrowAssets + 1n) + (totalBorrowShares + 1_000_000n) - 1n) / (totalBorrowShares + 1_000_000n);
  await approve(s, p.loanToken, d.morpho, owed);
  return (await send(s, "Morpho.repay", d.morpho, morphoBlueAbi, "repay", [p, 0n, borrowShares, me(s), "0x"])).hash;
}

export async function morphoWithdraw(s: Signer, d: MorphoBlueDeployment, assets: bigint): Promise<Hex> {
  return (await send(s, "Morpho.withdraw", d.morpho, morphoBlueAbi, "withdraw", [localMarketParams(d), assets, 0n, me(s), me(s)])).hash;
}

export async function morphoWithdrawCollateral(s: Signer, d: MorphoBlueDeployment, assets: bigint): Promise<Hex> {
  return (await send(s, "Morpho.withdrawCollateral", d.morpho, morphoBlueAbi, "withdrawCollateral", [localMarketParams(d), assets, me(s), me(s)])).hash;
}

export async function morphoPosition(client: PublicClient, d: MorphoBlueDeployment, user: Address): Promise<MorphoPosition> {
  const id = d.local?.market.id;
  if (!id) throw new Error(`Morpho Blue at ${d.morpho} has no local market recorded`);
  const [supplyShares, borrowShares, collateral] = await client.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: "position", args: [id, user] });
  return { supplyShares, borrowShares: BigInt(borrowShares), collateral: BigInt(collateral) };
}

/** The local market's oracle price (one collateral unit in loan units, scaled 1e36), as Morpho reads it. */
export async function morphoPrice(client: PublicClient, d: MorphoBlueDeployment): Promise<bigint> {
  return client.readContract({ address: localMarketParams(d).oracle, abi: chainlinkOracleAdapterAbi, functionName: "price" });
}

/**
 * Liquidate `borrower`: seize `seizedAssets` of collateral; the signer repays the matching debt
 * (approved up to `maxRepay` of the loan token).
 */
export async function morphoLiquidate(s: Signer, d: MorphoBlueDeployment, borrower: Address, seizedAssets: bigint, maxRepay: bigint): Promise<Hex> {
  const p = localMarketParams(d);
  await approve(s, p.loanToken, d.morpho, maxRepay);
  return (await send(s, "Morpho.liquidate", d.morpho, morphoBlueAbi, "liquidate", [p, borrower, seizedAssets, 0n, "0x"])).hash;
}
