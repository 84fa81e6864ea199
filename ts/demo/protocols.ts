// One chain's Aave v3 and Morpho Blue (deployed beside zkrisk by `deploy`) as the demo's
// personas use them: amounts in ETH and USD, tokens minted on demand, Aave's prices set from
// the same ETH series as zkrisk's feed (Morpho's market reads that feed itself), and a ledger
// of who did what where (the operator's view of where each wallet's history came from).
import { parseUnits, type Account, type Address } from "viem";
import type { ConnectedChain } from "../runtime/chains/connect.js";
import { walletClient } from "../runtime/chains/accounts.js";
import type { AaveV3Deployment, MorphoBlueDeployment } from "../runtime/deploy/deployment.js";
import { aaveAccount, aaveBorrow, aaveLiquidate, aaveRepay, aaveSetPrice, aaveSupply, aaveWithdraw } from "../runtime/protocols/aave-v3/actions.js";
import { mintMock } from "../runtime/protocols/erc20.js";
import { morphoBorrow, morphoPosition, morphoRepay, morphoSupply, morphoSupplyCollateral, morphoWithdraw } from "../runtime/protocols/morpho-blue/actions.js";
import type { Signer } from "../runtime/protocols/tx.js";

/** Protocol ids as in models/credit/features.json (`protocols.ids`). */
export type ProtocolName = "zkrisk" | "aave-v3" | "morpho-blue";

/**
 * Who used which protocol on which chain: what the demo did, and (built from the indexed
 * features' protocols_used) what the indexer saw; the demo's table shows the latter.
 */
export class HistoryLedger {
  private readonly seen = new Map<string, Set<string>>();

  /** The ledger of what the indexer saw: each wallet's per-chain protocols_used. */
  static fromFeatures(wallets: readonly { wallet: Address; records: readonly { chainId: number; raw: Readonly<Record<string, unknown>> }[] }[]): HistoryLedger {
    const ledger = new HistoryLedger();
    for (const w of wallets) {
      for (const r of w.records) {
        const used = r.raw.protocols_used;
        if (Array.isArray(used)) for (const p of used) ledger.record(w.wallet, String(p), r.chainId);
      }
    }
    return ledger;
  }

  record(wallet: Address, protocol: ProtocolName | string, chainId: number): void {
    const key = wallet.toLowerCase();
    const set = this.seen.get(key) ?? new Set<string>();
    set.add(`${protocol}@${chainId}`);
    this.seen.set(key, set);
  }

  /** "aave-v3@1 morpho-blue@137 zkrisk@1,137": each protocol with the chains it was used on. */
  describe(wallet: Address): string {
    const byProtocol = new Map<string, number[]>();
    for (const entry of this.seen.get(wallet.toLowerCase()) ?? []) {
      const [protocol, chain] = entry.split("@") as [string, string];
      byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), Number(chain)]);
    }
    return [...byProtocol.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([p, chains]) => `${p}@${chains.sort((x, y) => x - y).join(",")}`)
      .join(" ");
  }
}

const USD = (x: number): bigint => parseUnits(x.toFixed(6), 6);
const ETH = (x: number): bigint => parseUnits(x.toString(), 18);

export class OtherProtocols {
  readonly chainId: number;
  private readonly aave: AaveV3Deployment;
  private readonly morpho: MorphoBlueDeployment;
  private readonly loan: Address;
  private readonly collateral: Address;

  constructor(
    readonly c: ConnectedChain,
    private readonly admin: Signer,
    private readonly ledger: HistoryLedger,
  ) {
    const p = c.deployment.protocols;
    if (!p?.aaveV3?.local || !p.morphoBlue?.local) {
      throw new Error(`chain ${c.chain.chainId}: no local Aave v3 and Morpho Blue in the deployment: deploy without --no-protocols`);
    }
    this.chainId = c.chain.chainId;
    this.aave = p.aaveV3;
    this.morpho = p.morphoBlue;
    this.loan = c.deployment.contracts.loanToken.address;
    this.collateral = c.deployment.contracts.collateralToken.address;
  }

  private signer(account: Account): Signer {
    return { wallet: walletClient(this.c.chain, this.c.rpcUrl, account), client: this.c.client };
  }

  /** The lenders' side: the deployer supplies loan tokens to both protocols. */
  async supplyLiquidity(usd: number): Promise<void> {
    await mintMock(this.admin, this.loan, USD(usd) * 2n);
    await aaveSupply(this.admin, this.aave, this.loan, USD(usd));
    await morphoSupply(this.admin, this.morpho, USD(usd));
  }

  /** Aave prices ETH at `usd` (its oracle's source). Morpho's market reads zkrisk's feed: the Market sets it. */
  async setPrice(usd: number): Promise<void> {
    await aaveSetPrice(this.admin, this.aave, this.collateral, BigInt(Math.round(usd * 1e8)));
  }

  async aaveDeposit(me: Account, eth: number): Promise<void> {
    const s = this.signer(me);
    await mintMock(s, this.collateral, ETH(eth));
    await aaveSupply(s, this.aave, this.collateral, ETH(eth));
    this.ledger.record(me.address, "aave-v3", this.chainId);
  }

  /** Borrow on Aave up to `ltv` of the collateral's value (no-op when the debt is already there). */
  async aaveBorrowTo(me: Account, ltv: number): Promise<void> {
    const { totalCollateralBase, totalDebtBase } = await aaveAccount(this.c.client, this.aave, me.address);
    const target = (totalCollateralBase * BigInt(Math.floor(ltv * 1e6))) / 1_000_000n;
    if (target <= totalDebtBase + 100_000_000n) return; // under $1 to go
    await aaveBorrow(this.signer(me), this.aave, this.loan, (target - totalDebtBase) / 100n); // USD 8 decimals -> USDC 6
    this.ledger.record(me.address, "aave-v3", this.chainId);
  }

  /** Repay all Aave debt (interest included; the wallet mints what it earned elsewhere). */
  async aaveRepayAll(me: Account): Promise<void> {
    const { totalDebtBase } = await aaveAccount(this.c.client, this.aave, me.address);
    if (totalDebtBase === 0n) return;
    const s = this.signer(me);
    await mintMock(s, this.loan, totalDebtBase / 100n + USD(1));
    await aaveRepay(s, this.aave, this.loan, "all");
    this.ledger.record(me.address, "aave-v3", this.chainId);
  }

  async aaveWithdrawAll(me: Account): Promise<void> {
    await aaveWithdraw(this.signer(me), this.aave, this.collateral, "all");
    this.ledger.record(me.address, "aave-v3", this.chainId);
  }

  /**
   * A dip on Aave only: ETH falls by `fall` for one block, `liquidator` covers half of `victim`'s
   * debt (Aave's close factor), and the price comes back.
   */
  async aaveDipAndLiquidate(liquidator: Account, victim: Address, priceUsd: number, fall: number): Promise<{ healthFactor: bigint; covered: bigint }> {
    await this.setPrice(priceUsd * (1 - fall));
    const { healthFactor, totalDebtBase } = await aaveAccount(this.c.client, this.aave, victim);
    if (healthFactor >= 10n ** 18n) throw new Error(`chain ${this.chainId}: a ${fall * 100}% dip leaves ${victim} healthy on Aave (health factor ${healthFactor})`);
    const covered = totalDebtBase / 100n / 2n;
    const s = this.signer(liquidator);
    await mintMock(s, this.loan, covered);
    await aaveLiquidate(s, this.aave, this.collateral, this.loan, victim, covered);
    this.ledger.record(victim, "aave-v3", this.chainId);
    await this.setPrice(priceUsd);
    return { healthFactor, covered };
  }

  /** Lend on Morpho Blue's market. */
  async morphoLend(me: Account, usd: number): Promise<void> {
    const s = this.signer(me);
    await mintMock(s, this.loan, USD(usd));
    await morphoSupply(s, this.morpho, USD(usd));
    this.ledger.record(me.address, "morpho-blue", this.chainId);
  }

  async morphoWithdraw(me: Account, usd: number): Promise<void> {
    await morphoWithdraw(this.signer(me), this.morpho, USD(usd));
    this.ledger.record(me.address, "morpho-blue", this.chainId);
  }

  /** Post `eth` as collateral on Morpho Blue and borrow `usd` against it. */
  async morphoBorrow(me: Account, eth: number, usd: number): Promise<void> {
    const s = this.signer(me);
    if (eth > 0) {
      await mintMock(s, this.collateral, ETH(eth));
      await morphoSupplyCollateral(s, this.morpho, ETH(eth));
    }
    await morphoBorrow(s, this.morpho, USD(usd));
    this.ledger.record(me.address, "morpho-blue", this.chainId);
  }

  async morphoRepayAll(me: Account): Promise<void> {
    const { borrowShares } = await morphoPosition(this.c.client, this.morpho, me.address);
    if (borrowShares === 0n) return;
    const s = this.signer(me);
    await mintMock(s, this.loan, USD(1)); // rounding up on shares
    await morphoRepay(s, this.morpho, "all");
    this.ledger.record(me.address, "morpho-blue", this.chainId);
  }
}
