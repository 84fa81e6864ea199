// Morpho Blue on a local anvil, from its own compiled sources: the protocol (owner: the
// deployer), no-interest IRM (address 0) and one LLTV enabled, and one market on the local mock
// tokens priced by zkrisk's own ChainlinkOracleAdapter (it implements Morpho's IOracle: loan
// units per collateral unit, scaled 1e36), so Morpho follows the chain's ETH/USD feed as zkrisk does.
import { encodeAbiParameters, getAddress, isAddressEqual, keccak256, zeroAddress, type Address, type Hex, type PublicClient } from "viem";
import { morphoBlueAbi } from "../../../generated/protocols.generated.js";
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

export interface LocalMarket {
  readonly loanToken: Address;
  readonly collateralToken: Address;
  /** zkrisk's ChainlinkOracleAdapter on the chain: the market's IOracle. */
  readonly oracle: Address;
}

/** Deploy Morpho Blue and its local market; returns the record and the transactions sent. */
export async function deployMorphoBlue(s: Signer, t: LocalMarket, log: (line: string) => void): Promise<{ record: MorphoBlueDeployment; transactions: number }> {
  const build = compileMorphoBlue(log);
  const owner = s.wallet.account.address;
  const morpho = await deployCode(s, "Morpho", build.contracts.Morpho.abi, build.contracts.Morpho.bytecode, [owner]);
  // Mined: the block now is Morpho's deployment block (one block per transaction on a local anvil), or later.
  const startBlock = Number(await s.client.getBlockNumber({ cacheTime: 0 }));
  await send(s, "Morpho.enableIrm(0)", morpho, morphoBlueAbi, "enableIrm", [zeroAddress]);
  await send(s, "Morpho.enableLltv", morpho, morphoBlueAbi, "enableLltv", [LOCAL_LLTV]);
  const oracle = getAddress(t.oracle);
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
  return { record, transactions: 4 };
}

/** Why the recorded local Morpho Blue is not live on `client` (undefined when it is). */
export async function checkMorphoBlue(client: PublicClient, d: MorphoBlueDeployment, t: LocalMarket): Promise<string | undefined> {
  const code = await client.getCode({ address: d.morpho });
  if (!code || code === "0x") return `no code at Morpho Blue ${d.morpho}`;
  const m = d.local?.market;
  if (!m) return undefined;
  if (!isAddressEqual(m.loanToken, t.loanToken) || !isAddressEqual(m.collateralToken, t.collateralToken) || !isAddressEqual(m.oracle, t.oracle)) {
    return "Morpho Blue's market uses other tokens or another oracle than zkrisk's";
  }
  const [loanToken, collateralToken, oracle, irm, lltv] = await client.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: "idToMarketParams", args: [m.id] });
  if (!isAddressEqual(loanToken, m.loanToken) || !isAddressEqual(collateralToken, m.collateralToken) || !isAddressEqual(oracle, m.oracle) || !isAddressEqual(irm, m.irm) || lltv.toString() !== m.lltv) {
    return `Morpho Blue's market ${m.id} is not created as recorded`;
  }
  return undefined;
}
