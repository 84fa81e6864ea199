// The demo's wallets and the year of lending history they build on the three chains before
// they ask for a tier, on zkrisk and on the real Aave v3 and Morpho Blue deployed beside it.
// Each persona is a script of what it does at each monthly step; the ETH price follows the
// real daily series on every protocol, so positions drift the way real ones did.
import type { Account } from "viem";
import type { Market } from "./market.js";
import type { DailyClose } from "./prices.js";
import type { HistoryLedger, OtherProtocols } from "./protocols.js";

export interface Persona {
  readonly name: string;
  readonly story: string;
  /** Chain ids the persona is active on. */
  readonly chains: readonly number[];
  /** What it does at step `step` (0-based, one per month) on one chain. */
  act(m: Market, me: Account, step: number, chainId: number): Promise<void>;
  /** Its history on Aave v3 and Morpho Blue: the chains, and what it does there each step. */
  readonly elsewhere?: {
    readonly chains: readonly number[];
    act(o: OtherProtocols, me: Account, step: number, chainId: number): Promise<void>;
  };
}

/** Months of history, and days per step. */
export const HISTORY_STEPS = 12;
export const STEP_DAYS = 30;

export const PERSONAS: readonly Persona[] = [
  {
    name: "careful-saver",
    story: "a year on all three chains; small loans, repaid within the month; repays on Aave on Ethereum, lends on Morpho on Polygon",
    chains: [1, 137, 42161],
    async act(m, me, step) {
      if (step === 0) await m.deposit(me, 6);
      if (step % 3 === 1) await m.borrowTo(me, 0.08);
      if (step % 3 === 2) await m.repay(me, 1);
    },
    elsewhere: {
      chains: [1, 137],
      async act(o, me, step, chainId) {
        if (chainId === 1) {
          if (step === 0) await o.aaveDeposit(me, 4);
          if (step % 4 === 1) await o.aaveBorrowTo(me, 0.2);
          if (step % 4 === 2) await o.aaveRepayAll(me);
        } else {
          if (step === 0) await o.morphoLend(me, 5_000);
          if (step === 9) await o.morphoWithdraw(me, 2_000);
        }
      },
    },
  },
  {
    name: "steady-borrower",
    story: "keeps a 45-59% LTV loan open on Ethereum and Arbitrum, repays a little every fourth month; a Morpho loan on Arbitrum, repaid and renewed",
    chains: [1, 42161],
    async act(m, me, step) {
      if (step === 0) await m.deposit(me, 5);
      await m.borrowTo(me, step % 4 === 3 ? 0.59 : 0.5);
      if (step % 4 === 1) await m.repay(me, 0.1);
    },
    elsewhere: {
      chains: [42161],
      async act(o, me, step) {
        if (step === 1) await o.morphoBorrow(me, 2, 1_200);
        if (step === 7) await o.morphoRepayAll(me);
        if (step === 8) await o.morphoBorrow(me, 0, 1_000);
      },
    },
  },
  {
    name: "leveraged-farmer",
    story: "tops its loan up to the 60% cap every month on Polygon and Arbitrum, never repays; runs a 72% LTV loan on Aave on Polygon",
    chains: [137, 42161],
    async act(m, me, step) {
      if (step === 0) await m.deposit(me, 4);
      if (step % 4 === 2) await m.deposit(me, 1);
      await m.borrowTo(me, 0.59);
    },
    elsewhere: {
      chains: [137],
      async act(o, me, step) {
        if (step === 0) await o.aaveDeposit(me, 3);
        await o.aaveBorrowTo(me, 0.72);
      },
    },
  },
  {
    name: "once-liquidated",
    story: "borrows hard on zkrisk (Ethereum, Polygon) and on Aave on Arbitrum, where a dip in month 7 liquidates it; borrowed hard again",
    chains: [1, 137],
    async act(m, me, step) {
      if (step === 0 || step === 7) await m.deposit(me, 3);
      if (step !== 6) await m.borrowTo(me, 0.58);
    },
    elsewhere: {
      chains: [42161],
      async act(o, me, step) {
        if (step === 0) await o.aaveDeposit(me, 3);
        await o.aaveBorrowTo(me, step > 6 ? 0.7 : 0.78);
      },
    },
  },
];

/** The month in which Arbitrum's Aave sees a 25% dip for one block and the once-liquidated wallet is liquidated there. */
export const AAVE_DIP_STEP = 6;

/**
 * Play the history on every chain: per step, move the clocks a month on, set zkrisk's feeds and
 * Aave's and Morpho's oracles to that day's ETH price, and let each persona act on zkrisk and on
 * the other protocols. In month 7 (AAVE_DIP_STEP) Aave on Arbitrum sees a 25% dip for one block
 * and the once-liquidated wallet is liquidated there (not on zkrisk). `ledger` records who used
 * which protocol on which chain.
 */
export async function playHistory(
  markets: readonly Market[],
  others: readonly OtherProtocols[],
  wallets: readonly Account[],
  liquidator: Account,
  prices: readonly DailyClose[],
  ledger: HistoryLedger,
  log: (line: string) => void,
): Promise<void> {
  for (let step = 0; step < HISTORY_STEPS; step++) {
    const price = prices[step * STEP_DAYS]!;
    for (const m of markets) {
      if (step > 0) await m.advance(STEP_DAYS * 86_400);
      await m.setPrice(price.price);
    }
    for (const o of others) await o.setPrice(price.price);
    for (const [i, p] of PERSONAS.entries()) {
      const me = wallets[i]!;
      for (const m of markets.filter((x) => p.chains.includes(x.c.chain.chainId))) {
        await p.act(m, me, step, m.c.chain.chainId);
        ledger.record(me.address, "zkrisk", m.c.chain.chainId);
      }
      for (const o of others.filter((x) => p.elsewhere?.chains.includes(x.chainId))) await p.elsewhere!.act(o, me, step, o.chainId);
    }
    if (step === AAVE_DIP_STEP) {
      const arbitrum = others.find((o) => o.chainId === 42161)!;
      const victim = wallets[PERSONAS.findIndex((p) => p.name === "once-liquidated")]!;
      const { healthFactor, covered } = await arbitrum.aaveDipAndLiquidate(liquidator, victim.address, price.price, 0.25);
      log(`      Aave on Arbitrum: ETH -25% for one block; ${victim.address.slice(0, 8)}… liquidated at health factor ${(Number(healthFactor / 10n ** 15n) / 1000).toFixed(3)} ($${(Number(covered) / 1e6).toFixed(0)} of debt covered)`);
    }
    log(`      month ${step + 1}/${HISTORY_STEPS} (${price.date}, ETH $${price.price.toFixed(0)})`);
  }
}
