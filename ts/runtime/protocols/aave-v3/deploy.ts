// Aave v3 on a local anvil, from @aave/core-v3's published artifacts (nothing recompiled):
// PoolAddressesProvider, ACLManager, the Pool implementation linked to its logic libraries
// (behind the provider's proxy), PoolConfigurator linked to ConfiguratorLogic (proxied too),
// AaveOracle priced by Aave's own MockAggregator per asset, the token implementations, one
// interest rate strategy, and two reserves on the local mock tokens: the loan token
// (borrowable) and the collateral token (LTV 80%, liquidation threshold 82.5%, bonus 5%).
import { getAddress, isAddressEqual, type Address, type PublicClient } from "viem";
import { mockAggregatorAbi, mockErc20Abi } from "../../../generated/abi.generated.js";
import {
  aaveV3AclManagerAbi,
  aaveV3AddressesProviderAbi,
  aaveV3PoolAbi,
  aaveV3PoolConfiguratorAbi,
} from "../../../generated/protocols.generated.js";
import type { AaveV3Deployment } from "../../deploy/deployment.js";
import { deployCode, send, type Signer } from "../tx.js";
import { AAVE_PACKAGE, aavePackageVersion, linkBytecode, linkedLibraries, readAaveArtifact, type AaveContract } from "./artifacts.js";

/** The AaveOracle's base currency unit: prices in USD with 8 decimals, as on Aave's markets. */
export const AAVE_PRICE_UNIT = 100_000_000n;
const RAY = 10n ** 27n;
const pct = (bps: number): bigint => (RAY * BigInt(bps)) / 10_000n;

/** The collateral reserve's risk parameters (basis points), close to Aave's WETH listing. */
export const COLLATERAL_PARAMS = { ltv: 8_000n, liquidationThreshold: 8_250n, liquidationBonus: 10_500n } as const;

export interface LocalTokens {
  readonly loanToken: Address;
  readonly collateralToken: Address;
  /** zkrisk's mock ETH/USD feed: the collateral's initial price. */
  readonly priceFeed: Address;
}

async function deployArtifact(s: Signer, name: AaveContract, args: readonly unknown[] = [], libraries: Readonly<Record<string, Address>> = {}): Promise<Address> {
  const artifact = readAaveArtifact(name);
  return deployCode(s, name, artifact.abi, linkBytecode(artifact, libraries), args);
}

/** A USD price source for the AaveOracle: Aave's MockAggregator answering `answer` (8 decimals). */
export async function deployPriceSource(s: Signer, answer: bigint): Promise<Address> {
  return deployArtifact(s, "MockAggregator", [answer]);
}

/** Deploy Aave v3 and its two local reserves; returns the record and the transactions sent. */
export async function deployAaveV3(s: Signer, t: LocalTokens, log: (line: string) => void): Promise<{ record: AaveV3Deployment; transactions: number }> {
  const me = s.wallet.account.address;
  let sent = 0;
  const tx = async <T>(p: Promise<T>): Promise<T> => {
    const r = await p;
    sent++;
    return r;
  };

  const provider = await tx(deployArtifact(s, "PoolAddressesProvider", ["zkrisk local Aave v3", me]));
  await tx(send(s, "PoolAddressesProvider.setACLAdmin", provider, aaveV3AddressesProviderAbi, "setACLAdmin", [me]));
  const aclManager = await tx(deployArtifact(s, "ACLManager", [provider]));
  await tx(send(s, "PoolAddressesProvider.setACLManager", provider, aaveV3AddressesProviderAbi, "setACLManager", [aclManager]));
  await tx(send(s, "ACLManager.addPoolAdmin", aclManager, aaveV3AclManagerAbi, "addPoolAdmin", [me]));

  // The Pool's logic libraries, each deployed once and linked (FlashLoanLogic links BorrowLogic).
  const libraries: Record<string, Address> = {};
  const pool = readAaveArtifact("Pool");
  const order = ["SupplyLogic", "BorrowLogic", "LiquidationLogic", "EModeLogic", "BridgeLogic", "PoolLogic", "FlashLoanLogic"] as const;
  const needed = new Set(linkedLibraries(pool));
  for (const lib of order) {
    if (!needed.delete(lib)) throw new Error(`${AAVE_PACKAGE}'s Pool no longer links ${lib}: the deploy needs updating for this version`);
    libraries[lib] = await tx(deployArtifact(s, lib, [], libraries));
  }
  if (needed.size) throw new Error(`${AAVE_PACKAGE}'s Pool links libraries the deploy does not know: ${[...needed].join(", ")}`);
  log(`Aave v3: linked the Pool against ${order.length} logic libraries`);
  const poolImpl = await tx(deployCode(s, "Pool", pool.abi, linkBytecode(pool, libraries), [provider]));
  await tx(send(s, "Pool(implementation).initialize", poolImpl, aaveV3PoolAbi, "initialize", [provider]));
  // The provider creates the Pool's proxy here: the first block with code at the pool's address.
  const { blockNumber: poolBlock } = await tx(send(s, "PoolAddressesProvider.setPoolImpl", provider, aaveV3AddressesProviderAbi, "setPoolImpl", [poolImpl]));
  const poolProxy = await s.client.readContract({ address: provider, abi: aaveV3AddressesProviderAbi, functionName: "getPool" });

  const configuratorLogic = await tx(deployArtifact(s, "ConfiguratorLogic"));
  const configuratorImpl = await tx(deployArtifact(s, "PoolConfigurator", [], { ConfiguratorLogic: configuratorLogic }));
  await tx(send(s, "PoolAddressesProvider.setPoolConfiguratorImpl", provider, aaveV3AddressesProviderAbi, "setPoolConfiguratorImpl", [configuratorImpl]));
  const configurator = await s.client.readContract({ address: provider, abi: aaveV3AddressesProviderAbi, functionName: "getPoolConfigurator" });

  // Prices: the loan token at $1, the collateral at the zkrisk feed's price (scaled to 8 decimals).
  const [[, answer], feedDecimals] = await Promise.all([
    s.client.readContract({ address: t.priceFeed, abi: mockAggregatorAbi, functionName: "latestRoundData" }),
    s.client.readContract({ address: t.priceFeed, abi: mockAggregatorAbi, functionName: "decimals" }),
  ]);
  const collateralUsd = feedDecimals >= 8 ? answer / 10n ** BigInt(feedDecimals - 8) : answer * 10n ** BigInt(8 - feedDecimals);
  const loanSource = await tx(deployPriceSource(s, AAVE_PRICE_UNIT));
  const collateralSource = await tx(deployPriceSource(s, collateralUsd));
  const assets = [getAddress(t.loanToken), getAddress(t.collateralToken)] as const;
  const oracle = await tx(deployArtifact(s, "AaveOracle", [provider, assets, [loanSource, collateralSource], "0x0000000000000000000000000000000000000000", "0x0000000000000000000000000000000000000000", AAVE_PRICE_UNIT]));
  await tx(send(s, "PoolAddressesProvider.setPriceOracle", provider, aaveV3AddressesProviderAbi, "setPriceOracle", [oracle]));

  // optimal usage 80%, base 0, slope1 4%, slope2 75% (variable); stable rates as Aave's defaults.
  const strategy = await tx(deployArtifact(s, "DefaultReserveInterestRateStrategy", [provider, pct(8_000), 0n, pct(400), pct(7_500), pct(50), pct(7_500), pct(100), pct(800), pct(2_000)]));
  const aToken = await tx(deployArtifact(s, "AToken", [poolProxy]));
  const variableDebt = await tx(deployArtifact(s, "VariableDebtToken", [poolProxy]));
  const stableDebt = await tx(deployArtifact(s, "StableDebtToken", [poolProxy]));
  const inputs = await Promise.all(
    assets.map(async (asset) => {
      const [symbol, decimals] = await Promise.all([
        s.client.readContract({ address: asset, abi: mockErc20Abi, functionName: "symbol" }),
        s.client.readContract({ address: asset, abi: mockErc20Abi, functionName: "decimals" }),
      ]);
      return {
        aTokenImpl: aToken,
        stableDebtTokenImpl: stableDebt,
        variableDebtTokenImpl: variableDebt,
        underlyingAssetDecimals: decimals,
        interestRateStrategyAddress: strategy,
        underlyingAsset: asset,
        treasury: me,
        incentivesController: "0x0000000000000000000000000000000000000000" as Address,
        aTokenName: `Aave local ${symbol}`,
        aTokenSymbol: `a${symbol}`,
        variableDebtTokenName: `Aave local variable debt ${symbol}`,
        variableDebtTokenSymbol: `variableDebt${symbol}`,
        stableDebtTokenName: `Aave local stable debt ${symbol}`,
        stableDebtTokenSymbol: `stableDebt${symbol}`,
        params: "0x" as const,
      };
    }),
  );
  await tx(send(s, "PoolConfigurator.initReserves", configurator, aaveV3PoolConfiguratorAbi, "initReserves", [inputs]));
  await tx(send(s, "PoolConfigurator.setReserveBorrowing", configurator, aaveV3PoolConfiguratorAbi, "setReserveBorrowing", [assets[0], true]));
  const c = COLLATERAL_PARAMS;
  await tx(send(s, "PoolConfigurator.configureReserveAsCollateral", configurator, aaveV3PoolConfiguratorAbi, "configureReserveAsCollateral", [assets[1], c.ltv, c.liquidationThreshold, c.liquidationBonus]));

  const record: AaveV3Deployment = {
    pool: poolProxy,
    addressesProvider: provider,
    oracle,
    startBlock: Number(poolBlock),
    source: `deployed locally from ${AAVE_PACKAGE} ${aavePackageVersion()} artifacts`,
    local: { poolConfigurator: configurator, aclManager, priceSources: { [assets[0]]: loanSource, [assets[1]]: collateralSource } },
  };
  return { record, transactions: sent };
}

/** Why the recorded local Aave v3 is not live on `client` (undefined when it is). */
export async function checkAaveV3(client: PublicClient, d: AaveV3Deployment, t: Pick<LocalTokens, "loanToken" | "collateralToken">): Promise<string | undefined> {
  const code = await client.getCode({ address: d.pool });
  if (!code || code === "0x") return `no code at the Aave v3 Pool ${d.pool}`;
  const pool = await client.readContract({ address: d.addressesProvider, abi: aaveV3AddressesProviderAbi, functionName: "getPool" }).catch(() => undefined);
  if (!pool || !isAddressEqual(pool, d.pool)) return `the Aave v3 addresses provider ${d.addressesProvider} does not point at the Pool ${d.pool}`;
  const reserves = await client.readContract({ address: d.pool, abi: aaveV3PoolAbi, functionName: "getReservesList" });
  for (const asset of [t.loanToken, t.collateralToken]) {
    if (!reserves.some((r) => isAddressEqual(r, asset))) return `Aave v3's Pool has no reserve for zkrisk's token ${asset}`;
  }
  return undefined;
}
