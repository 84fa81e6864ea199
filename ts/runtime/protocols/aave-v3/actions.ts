// Small viem actions on an Aave v3 Pool, for the demo and the tests to make real history:
// supply, borrow (variable rate), repay, withdraw, and a liquidation after a price drop set
// through the AaveOracle by its pool admin (local deployments only).
import { maxUint256, type Address, type Hex, type PublicClient } from "viem";
import { aaveV3OracleAbi, aaveV3PoolAbi } from "../../../generated/protocols.generated.js";
import type { AaveV3Deployment } from "../../deploy/deployment.js";
import { approve } from "../erc20.js";
import { send, type Signer } from "../tx.js";
import { deployPriceSource } from "./deploy.js";

/** Aave's variable interest rate mode (stable borrowing is off on the local reserves). */
const VARIABLE = 2n;

export interface AaveAccount {
  /** USD, 8 decimals. */
  readonly totalCollateralBase: bigint;
  readonly totalDebtBase: bigint;
  /** WAD; below 1e18 the position can be liquidated (maxUint256 without debt). */
  readonly healthFactor: bigint;
}

export async function aaveSupply(s: Signer, d: AaveV3Deployment, asset: Address, amount: bigint): Promise<Hex> {
  await approve(s, asset, d.pool, amount);
  return (await send(s, "Aave Pool.supply", d.pool, aaveV3PoolAbi, "supply", [asset, amount, s.wallet.account.address, 0])).hash;
}

export async function aaveBorrow(s: Signer, d: AaveV3Deployment, asset: Address, amount: bigint): Promise<Hex> {
  return (await send(s, "Aave Pool.borrow", d.pool, aaveV3PoolAbi, "borrow", [asset, amount, VARIABLE, 0, s.wallet.account.address])).hash;
}

/** Repay `amount` of the signer's variable debt in `asset`, or all of it ("all", interest included: the pool takes what is owed). */
export async function aaveRepay(s: Signer, d: AaveV3Deployment, asset: Address, amount: bigint | "all"): Promise<Hex> {
  const all = amount === "all";
  await approve(s, asset, d.pool, all ? maxUint256 : amount);
  return (await send(s, "Aave Pool.repay", d.pool, aaveV3PoolAbi, "repay", [asset, all ? maxUint256 : amount, VARIABLE, s.wallet.account.address])).hash;
}

/** Withdraw `amount` (or everything: "all") of the signer's supply of `asset`. */
export async function aaveWithdraw(s: Signer, d: AaveV3Deployment, asset: Address, amount: bigint | "all"): Promise<Hex> {
  return (await send(s, "Aave Pool.withdraw", d.pool, aaveV3PoolAbi, "withdraw", [asset, amount === "all" ? maxUint256 : amount, s.wallet.account.address])).hash;
}

export async function aaveAccount(client: PublicClient, d: AaveV3Deployment, user: Address): Promise<AaveAccount> {
  const [totalCollateralBase, totalDebtBase, , , , healthFactor] = await client.readContract({ address: d.pool, abi: aaveV3PoolAbi, functionName: "getUserAccountData", args: [user] });
  return { totalCollateralBase, totalDebtBase, healthFactor };
}

/** The AaveOracle's price of `asset` (USD, 8 decimals). */
export async function aavePrice(client: PublicClient, d: AaveV3Deployment, asset: Address): Promise<bigint> {
  if (!d.oracle) throw new Error(`no AaveOracle recorded for the Aave v3 Pool ${d.pool}`);
  return client.readContract({ address: d.oracle, abi: aaveV3OracleAbi, functionName: "getAssetPrice", args: [asset] });
}

/**
 * Set `asset`'s price on a local Aave v3 (USD, 8 decimals): a fresh Aave MockAggregator set as
 * the asset's source in the AaveOracle. `admin` must be a pool admin (the deployer).
 */
export async function aaveSetPrice(admin: Signer, d: AaveV3Deployment, asset: Address, usd: bigint): Promise<void> {
  if (!d.oracle || !d.local) throw new Error(`Aave v3 at ${d.pool} is not a local deployment (${d.source}): its prices are not ours to set`);
  const source = await deployPriceSource(admin, usd);
  await send(admin, "AaveOracle.setAssetSources", d.oracle, aaveV3OracleAbi, "setAssetSources", [[asset], [source]]);
}

/**
 * Liquidate `user`: the signer repays up to `debtToCover` of `debtAsset` and receives the
 * matching `collateralAsset` plus the liquidation bonus (as the underlying, not aTokens).
 */
export async function aaveLiquidate(s: Signer, d: AaveV3Deployment, collateralAsset: Address, debtAsset: Address, user: Address, debtToCover: bigint): Promise<Hex> {
  await approve(s, debtAsset, d.pool, debtToCover);
  return (await send(s, "Aave Pool.liquidationCall", d.pool, aaveV3PoolAbi, "liquidationCall", [collateralAsset, debtAsset, user, debtToCover, false])).hash;
}
