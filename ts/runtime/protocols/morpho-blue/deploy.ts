// Morpho Blue on a local anvil, from its own compiled sources: the protocol (owner: the
// deployer), no-interest IRM (address 0) and one LLTV enabled, Morpho's own OracleMock priced
// from zkrisk's mock ETH/USD feed, and one market on the local mock tokens.
import { encodeAbiParameters, getAddress, isAddressEqual, keccak256, zeroAddress, type Abi, type Address, type Hex, type PublicClient } from "viem";
import { mockAggregatorAbi, mockErc20Abi } from "../../../generated/abi.generated.js";
import { morphoBlueAbi, morphoOracleMockAbi } from "../../../generated/protocols.generated.js";
import type { MorphoBlueDeployment } from "../../deploy/deployment.js";
import { deployCode, send, type Signer } from "../tx.js";
import { compileMorphoBlue, MORPHO_PACKAGE } from "./compile.js";

/** The local market's liquidation LTV: 86% (one of the LLTVs Morpho's governance enables on mainnet). */
export const LOCAL_LLTV = 860_000_000_000_000_000n;

export interface MarketParams {
  readonly loanToken: Address;
  readonly collateralToken: Address;
  readonly oracle: Address;
  readonly irm: Address;
  readonly lltv: bigint;
}

/** Morpho Blue's market id: keccak256 of the ABI-encoded MarketParams (MarketParamsLib). */
export function marketId(p: MarketParams): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "address" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
      [p.loanToken, p.collateralToken, p.oracle, p.irm, p.lltv],
    ),
  );
}

/** The market params recorded for a local deployment. */
export function localMarketParams(d: MorphoBlueDeployment): MarketParams {
  const m = d.local?.market;
  if (!m) throw new Error(`Morpho Blue at ${d.morpho} has no local market recorded (${d.source}): actions need a local deployment`);
  return { loanToken: m.loanToken, collateralToken: m.collateralToken, oracle: m.oracle, irm: m.irm, lltv: BigInt(m.lltv) };
}

/**
 * Morpho's oracle price for a zkrisk feed answer: one collateral unit in loan units, scaled by
 * 1e36 (Morpho's ORACLE_PRICE_SCALE) and by the two tokens' decimals.
 */
export function oracleScaledPrice(answer: bigint, feedDecimals: number, loanDecimals: number, collateralDecimals: number): bigint {
  const exp = 36 + loanDecimals - collateralDecimals - feedDecimals;
  return exp >= 0 ? answer * 10n ** BigInt(exp) : answer / 10n ** BigInt(-exp);
}

export interface LocalTokens {
  readonly loanToken: Address;
  readonly collateralToken: Address;
  /** zkrisk's mock ETH/USD feed: the initial price of the collateral. */
  readonly priceFeed: Address;
}

export async function feedPrice(client: PublicClient, t: LocalTokens): Promise<bigint> {
  const [[, answer], feedDecimals, loanDecimals, collateralDecimals] = await Promise.all([
    client.readContract({ address: t.priceFeed, abi: mockAggregatorAbi, functionName: "latestRoundData" }),
    client.readContract({ address: t.priceFeed, abi: mockAggregatorAbi, functionName: "decimals" }),
    client.readContract({ address: t.loanToken, abi: mockErc20Abi, functionName: "decimals" }),
    client.readContract({ address: t.collateralToken, abi: mockErc20Abi, functionName: "decimals" }),
  ]);
  return oracleScaledPrice(answer, feedDecimals, loanDecimals, collateralDecimals);
}

/** Deploy Morpho Blue and its local market; returns the record and the transactions sent. */
export async function deployMorphoBlue(s: Signer, t: LocalTokens, log: (line: string) => void): Promise<{ record: MorphoBlueDeployment; transactions: number }> {
  const build = compileMorphoBlue(log);
  const owner = s.wallet.account.address;
  const morpho = await deployCode(s, "Morpho", build.contracts.Morpho.abi, build.contracts.Morpho.bytecode, [owner]);
  // Mined: the block now is Morpho's deployment block (one block per transaction on a local anvil), or later.
  const startBlock = Number(await s.client.getBlockNumber({ cacheTime: 0 }));
  const oracle = await deployCode(s, "OracleMock", build.contracts.OracleMock.abi as Abi, build.contracts.OracleMock.bytecode);
  await send(s, "OracleMock.setPrice", oracle, morphoOracleMockAbi, "setPrice", [await feedPrice(s.client, t)]);
  await send(s, "Morpho.enableIrm(0)", morpho, morphoBlueAbi, "enableIrm", [zeroAddress]);
  await send(s, "Morpho.enableLltv", morpho, morphoBlueAbi, "enableLltv", [LOCAL_LLTV]);
  const params: MarketParams = { loanToken: t.loanToken, collateralToken: t.collateralToken, oracle, irm: zeroAddress, lltv: LOCAL_LLTV };
  await send(s, "Morpho.createMarket", morpho, morphoBlueAbi, "createMarket", [params]);
  const record: MorphoBlueDeployment = {
    morpho,
    startBlock,
    source: `compiled from ${MORPHO_PACKAGE} ${build.packageVersion} with solc ${build.solcVersion.split("+")[0]}`,
    local: {
      market: { id: marketId(params), loanToken: getAddress(t.loanToken), collateralToken: getAddress(t.collateralToken), oracle, irm: zeroAddress, lltv: LOCAL_LLTV.toString() },
    },
  };
  return { record, transactions: 6 };
}

/** Why the recorded local Morpho Blue is not live on `client` (undefined when it is). */
export async function checkMorphoBlue(client: PublicClient, d: MorphoBlueDeployment, t: LocalTokens): Promise<string | undefined> {
  const code = await client.getCode({ address: d.morpho });
  if (!code || code === "0x") return `no code at Morpho Blue ${d.morpho}`;
  const m = d.local?.market;
  if (!m) return undefined;
  if (!isAddressEqual(m.loanToken, t.loanToken) || !isAddressEqual(m.collateralToken, t.collateralToken)) return "Morpho Blue's market uses other tokens than zkrisk's";
  const [loanToken, collateralToken, oracle, irm, lltv] = await client.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: "idToMarketParams", args: [m.id] });
  if (!isAddressEqual(loanToken, m.loanToken) || !isAddressEqual(collateralToken, m.collateralToken) || !isAddressEqual(oracle, m.oracle) || !isAddressEqual(irm, m.irm) || lltv.toString() !== m.lltv) {
    return `Morpho Blue's market ${m.id} is not created as recorded`;
  }
  return undefined;
}
