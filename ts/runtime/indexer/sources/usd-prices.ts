// USD prices of tokens at past blocks, for every source but zkrisk (whose loan token is the
// chain's USD unit and whose collateral has its own oracle): the Aave v3 oracle of the same chain
// (AaveOracle.getAssetPrice, base currency USD, BASE_CURRENCY_UNIT = 1e8 on every Aave v3 USD
// market). One rule for Aave and Morpho Blue amounts alike. A token the oracle does not price at
// that block (no source: the call reverts, or answers 0) is unpriced: its events are indexed
// with a USD value of 0 and counted as unpriced in the index result.
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, erc20Abi, getAddress, type Address, type PublicClient } from "viem";
import { aaveV3AddressesProviderAbi, aaveV3OracleAbi } from "../../../generated/protocols.generated.js";
import type { ChainReader } from "../chain-reader.js";

/** True for a call that reverted or hit an address without code (not for an RPC failure). */
export function isRevert(e: unknown): boolean {
  return e instanceof BaseError && e.walk((x) => x instanceof ContractFunctionRevertedError || x instanceof ContractFunctionZeroDataError) !== null;
}

export class UsdPrices {
  private readonly prices = new Map<string, Promise<bigint | null>>();
  private readonly decimalsOf = new Map<string, Promise<number>>();
  private unit: Promise<bigint> | undefined;

  constructor(
    readonly chainId: number,
    readonly client: PublicClient,
    readonly oracle: Address,
    private readonly reader: ChainReader,
  ) {}

  /** The oracle of an Aave v3 deployment entry: `oracle`, else the addresses provider's price oracle. */
  static async oracleOf(client: PublicClient, entry: Readonly<Record<string, unknown>>): Promise<Address> {
    if (typeof entry.oracle === "string") return getAddress(entry.oracle);
    if (typeof entry.addressesProvider !== "string") throw new Error("needs `oracle` or `addressesProvider`");
    return client.readContract({ address: getAddress(entry.addressesProvider), abi: aaveV3AddressesProviderAbi, functionName: "getPriceOracle" });
  }

  /** The oracle's BASE_CURRENCY_UNIT (1e8: USD with 8 decimals). */
  baseUnit(): Promise<bigint> {
    this.unit ??= this.client.readContract({ address: this.oracle, abi: aaveV3OracleAbi, functionName: "BASE_CURRENCY_UNIT" });
    return this.unit;
  }

  decimals(token: Address): Promise<number> {
    const k = token.toLowerCase();
    let d = this.decimalsOf.get(k);
    if (!d) this.decimalsOf.set(k, (d = this.client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" })));
    return d;
  }

  /** USD price of one whole token at a block, 8 decimals; null when the oracle does not price it. */
  priceAt(token: Address, block: number): Promise<bigint | null> {
    const k = `${token.toLowerCase()}@${block}`;
    let p = this.prices.get(k);
    if (!p) {
      p = this.readPrice(token, block);
      this.prices.set(k, p);
    }
    return p;
  }

  private async readPrice(token: Address, block: number): Promise<bigint | null> {
    try {
      const [raw, unit] = await Promise.all([
        this.client.readContract({ address: this.oracle, abi: aaveV3OracleAbi, functionName: "getAssetPrice", args: [token], blockNumber: BigInt(block) }),
        this.baseUnit(),
      ]);
      if (raw <= 0n) return null;
      return unit === 10n ** 8n ? raw : (raw * 10n ** 8n) / unit;
    } catch (e) {
      if (isRevert(e)) return null;
      throw new Error(`chain ${this.chainId}: reading the Aave v3 oracle ${this.oracle} at block ${block}: ${(e as Error).message.split("\n")[0]}`);
    }
  }

  /** Token base units at an 8-decimal USD price -> the chain's USD unit (zkrisk loan-token base units). */
  async units(token: Address, assets: bigint, price8: bigint): Promise<bigint> {
    const dec = await this.decimals(token);
    return (assets * price8 * 10n ** BigInt(this.reader.loanTokenDecimals)) / 10n ** BigInt(dec + 8);
  }

  /** Token base units -> USD (a float), at an 8-decimal price. */
  async usd(token: Address, assets: bigint, price8: bigint): Promise<number> {
    const dec = await this.decimals(token);
    return Number((assets * price8) / 10n ** BigInt(dec)) / 1e8;
  }

  /** Value an amount of a token at a block: its price and chain units (price null and value 0 when the oracle has none). */
  async value(token: Address, assets: bigint, block: number): Promise<{ price: bigint | null; value: bigint }> {
    const price = await this.priceAt(token, block);
    return price === null ? { price, value: 0n } : { price, value: await this.units(token, assets, price) };
  }
}
