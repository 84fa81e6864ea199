// Reads one chain's pool at past blocks, with per-run caches: block timestamps, the oracle
// price, a wallet's position, and the block that was current at 00:00 UTC of a day.
import { erc20Abi, type Address, type PublicClient } from "viem";
import { chainlinkOracleAdapterAbi, mockAggregatorAbi, zkRiskLendingAbi } from "../../generated/abi.generated.js";

export const DAY = 86_400;
/** IOracle prices carry 36 decimals (plus loan minus collateral decimals). */
const PRICE_SCALE = 10n ** 36n;

export interface PoolPosition {
  readonly collateral: bigint;
  /** Debt as of the pool's last accrual at that block, in loan token base units. */
  readonly debt: bigint;
}

export class ChainReader {
  private readonly times = new Map<number, Promise<number>>();
  private readonly prices = new Map<number, Promise<bigint>>();
  private oracle: Address | undefined;
  private loanDecimals: number | undefined;

  constructor(
    readonly chainId: number,
    readonly client: PublicClient,
    readonly lending: Address,
  ) {}

  /** Oracle address and loan token decimals (immutables of the pool), read once. */
  async init(): Promise<void> {
    if (this.oracle !== undefined) return;
    const [oracle, loanToken] = await Promise.all([
      this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "ORACLE" }),
      this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "LOAN_TOKEN" }),
    ]);
    this.loanDecimals = await this.client.readContract({ address: loanToken, abi: erc20Abi, functionName: "decimals" });
    this.oracle = oracle;
  }

  private get decimals(): number {
    if (this.loanDecimals === undefined) throw new Error("ChainReader.init() was not awaited");
    return this.loanDecimals;
  }

  /** Decimals of the loan token: the chain's USD unit, which every source values its events in. */
  get loanTokenDecimals(): number {
    return this.decimals;
  }

  /** Loan token base units -> USD (the loan token is the USD unit the oracle quotes in). */
  loanUsd(assets: bigint): number {
    return Number(assets) / 10 ** this.decimals;
  }

  /** Collateral base units -> USD at an oracle price. */
  collateralUsd(assets: bigint, price: bigint): number {
    return this.loanUsd((assets * price) / PRICE_SCALE);
  }

  blockTime(block: number): Promise<number> {
    let t = this.times.get(block);
    if (!t) {
      t = this.client.getBlock({ blockNumber: BigInt(block) }).then((b) => Number(b.timestamp));
      this.times.set(block, t);
    }
    return t;
  }

  /**
   * The oracle price at a block: IOracle.price(), or, where that reverts because the feed's
   * round is older than the adapter's heartbeat (typical at a past day boundary on a quiet
   * chain), the adapter's feed answer times its scale factor: the price the feed held then.
   */
  priceAt(block: number): Promise<bigint> {
    let p = this.prices.get(block);
    if (!p) {
      p = this.readPrice(block);
      this.prices.set(block, p);
    }
    return p;
  }

  private async readPrice(block: number): Promise<bigint> {
    await this.init();
    const oracle = this.oracle as Address;
    const blockNumber = BigInt(block);
    try {
      return await this.client.readContract({ address: oracle, abi: chainlinkOracleAdapterAbi, functionName: "price", blockNumber });
    } catch (priceError) {
      try {
        const [feed, scale] = await Promise.all([
          this.client.readContract({ address: oracle, abi: chainlinkOracleAdapterAbi, functionName: "FEED", blockNumber }),
          this.client.readContract({ address: oracle, abi: chainlinkOracleAdapterAbi, functionName: "SCALE_FACTOR", blockNumber }),
        ]);
        const [, answer] = await this.client.readContract({ address: feed, abi: mockAggregatorAbi, functionName: "latestRoundData", blockNumber });
        if (answer <= 0n) throw new Error(`feed ${feed} answered ${answer}`);
        return answer * scale;
      } catch {
        const why = (priceError as Error).message.split("\n")[0];
        throw new Error(`chain ${this.chainId}: no oracle price at block ${block} (oracle ${oracle}: ${why})`);
      }
    }
  }

  /** A wallet's collateral and debt at a block. */
  async positionAt(wallet: Address, block: number): Promise<PoolPosition> {
    const blockNumber = BigInt(block);
    const [position, debt] = await Promise.all([
      this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "position", args: [wallet], blockNumber }),
      this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "debtOf", args: [wallet], blockNumber }),
    ]);
    return { collateral: position.collateral, debt };
  }

  /**
   * The last block in [lo, hi] whose timestamp is <= time (the block that was current at that
   * instant), by binary search; lo must satisfy it.
   */
  async blockAtTime(time: number, lo: number, hi: number): Promise<number> {
    if ((await this.blockTime(lo)) > time) throw new Error(`chain ${this.chainId}: block ${lo} is after ${new Date(time * 1000).toISOString()}`);
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      if ((await this.blockTime(mid)) <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
