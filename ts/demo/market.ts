// One chain's zkrisk market as the demo's actors use it: mock tokens minted on demand,
// approvals, the lending calls, the mock price feed, and anvil's clock.
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import { maxUint256, parseUnits } from "viem";
import { chainlinkOracleAdapterAbi, mockAggregatorAbi, mockErc20Abi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { ORACLE_PRICE_SCALE } from "../runtime/keeper/keeper-math.js";
import { walletClient } from "../runtime/chains/accounts.js";
import type { ConnectedChain } from "../runtime/chains/connect.js";

const SEND_GAS = 2_000_000n;
/** The mock loan token has 6 decimals, collateral 18, the feed 8 (script/config/local.json). */
const USD = (x: number) => parseUnits(x.toFixed(6), 6);

export class Market {
  readonly lending: Address;
  private readonly loan: Address;
  private readonly collateral: Address;
  private readonly feed: Address;
  private readonly oracle: Address;

  constructor(
    readonly c: ConnectedChain,
    private readonly owner: WalletClient<Transport, Chain, Account>,
  ) {
    const k = c.deployment.contracts;
    if (!c.deployment.mocks) throw new Error(`chain ${c.chain.chainId} has real tokens: the demo only runs on local chains`);
    this.lending = k.lending.address;
    this.loan = k.loanToken.address;
    this.collateral = k.collateralToken.address;
    this.feed = k.priceFeed.address;
    this.oracle = k.oracle.address;
  }

  get client(): PublicClient<Transport, Chain> {
    return this.c.client;
  }

  signer(account: Account): WalletClient<Transport, Chain, Account> {
    return walletClient(this.c.chain, this.c.rpcUrl, account);
  }

  private async send(w: WalletClient<Transport, Chain, Account>, req: Parameters<WalletClient<Transport, Chain, Account>["writeContract"]>[0]) {
    // A fixed gas limit: under interval mining anvil estimates on the previous block's state, which
    // misses writes the next block makes (the feed's updatedAt, interest accrual) and can run short.
    // Simulated first, so a refused call fails with the contract's error name.
    await this.client.simulateContract({ ...req, account: w.account } as Parameters<PublicClient["simulateContract"]>[0]);
    const hash = await w.writeContract({ ...req, gas: SEND_GAS } as typeof req);
    const r = await this.client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`chain ${this.c.chain.chainId}: ${String(req.functionName)} reverted (tx ${hash})`);
    return r;
  }

  /** Mint mock tokens to `account` and approve the market once. */
  private async fund(w: WalletClient<Transport, Chain, Account>, token: Address, amount: bigint): Promise<void> {
    await this.send(w, { address: token, abi: mockErc20Abi, functionName: "mint", args: [w.account.address, amount] });
    const allowance = await this.client.readContract({ address: token, abi: mockErc20Abi, functionName: "allowance", args: [w.account.address, this.lending] });
    if (allowance < amount) await this.send(w, { address: token, abi: mockErc20Abi, functionName: "approve", args: [this.lending, maxUint256] });
  }

  async supplyLiquidity(usd: number): Promise<void> {
    await this.fund(this.owner, this.loan, USD(usd));
    await this.send(this.owner, { address: this.lending, abi: zkRiskLendingAbi, functionName: "supply", args: [USD(usd), this.owner.account.address] });
  }

  async deposit(account: Account, eth: number): Promise<void> {
    const w = this.signer(account);
    const amount = parseUnits(eth.toString(), 18);
    await this.fund(w, this.collateral, amount);
    await this.send(w, { address: this.lending, abi: zkRiskLendingAbi, functionName: "supplyCollateral", args: [amount, account.address] });
  }

  async withdraw(account: Account, eth: number): Promise<void> {
    await this.send(this.signer(account), { address: this.lending, abi: zkRiskLendingAbi, functionName: "withdrawCollateral", args: [parseUnits(eth.toString(), 18), account.address] });
  }

  /** Collateral value and debt of a wallet, in loan-token units, at the oracle price. */
  async state(wallet: Address): Promise<{ collateralValue: bigint; debt: bigint; price: bigint }> {
    const [p, debt, price] = await Promise.all([
      this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "position", args: [wallet] }),
      this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "debtOf", args: [wallet] }),
      this.oraclePrice(),
    ]);
    return { collateralValue: (p.collateral * price) / ORACLE_PRICE_SCALE, debt, price };
  }

  /** The market's oracle price: loan-token units per collateral unit, scaled by 1e36. */
  async oraclePrice(): Promise<bigint> {
    return this.client.readContract({ address: this.oracle, abi: chainlinkOracleAdapterAbi, functionName: "price" });
  }

  /** Borrow up to `ltv` of the collateral value (no-op if the debt is already there). */
  async borrowTo(account: Account, ltv: number): Promise<bigint> {
    const { collateralValue, debt } = await this.state(account.address);
    const target = (collateralValue * BigInt(Math.floor(ltv * 1e6))) / 1_000_000n;
    if (target <= debt + 1_000_000n) return 0n;
    const amount = target - debt;
    await this.send(this.signer(account), { address: this.lending, abi: zkRiskLendingAbi, functionName: "borrow", args: [amount, account.address] });
    return amount;
  }

  /** Repay a share of the debt (1 = all of it, by shares, interest included). */
  async repay(account: Account, fraction: number): Promise<void> {
    const p = await this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "position", args: [account.address] });
    if (p.borrowShares === 0n) return;
    const w = this.signer(account);
    const debt = await this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "debtOf", args: [account.address] });
    await this.fund(w, this.loan, debt + 1_000_000n); // the interest, minted (the wallet earned it elsewhere)
    const shares = fraction >= 1 ? p.borrowShares : (p.borrowShares * BigInt(Math.floor(fraction * 1e6))) / 1_000_000n;
    await this.send(w, { address: this.lending, abi: zkRiskLendingAbi, functionName: "repay", args: [0n, shares, account.address] });
  }

  /** Liquidate a whole position as `liquidator` (used for the history, not by the keeper). */
  async liquidateAll(liquidator: Account, borrower: Address): Promise<void> {
    const w = this.signer(liquidator);
    const p = await this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "position", args: [borrower] });
    const debt = await this.client.readContract({ address: this.lending, abi: zkRiskLendingAbi, functionName: "debtOf", args: [borrower] });
    await this.fund(w, this.loan, debt * 2n);
    await this.send(w, { address: this.lending, abi: zkRiskLendingAbi, functionName: "liquidate", args: [borrower, 0n, p.borrowShares] });
  }

  /** Set the mock ETH/USD feed (8 decimals). */
  async setPrice(usd: number): Promise<void> {
    await this.send(this.owner, { address: this.feed, abi: mockAggregatorAbi, functionName: "setAnswer", args: [BigInt(Math.round(usd * 1e8))] });
  }

  /** Move anvil's clock forward and mine a block there. */
  async advance(seconds: number): Promise<void> {
    await this.client.request({ method: "evm_increaseTime", params: [`0x${seconds.toString(16)}`] } as never);
    await this.client.request({ method: "evm_mine", params: [] } as never);
  }
}
