// The demo's wallets and the year of lending history they build on the three chains before
// they ask for a tier. Each persona is a script of what it does at each monthly step; the ETH
// price follows the real daily series, so positions drift the way real ones did.
import type { Account } from "viem";
import type { Market } from "./market.js";
import type { DailyClose } from "./prices.js";

export interface Persona {
  readonly name: string;
  readonly story: string;
  /** Chain ids the persona is active on. */
  readonly chains: readonly number[];
  /** What it does at step `step` (0-based, one per month) on one chain. */
  act(m: Market, me: Account, step: number, chainId: number): Promise<void>;
}

/** Months of history, and days per step. */
export const HISTORY_STEPS = 12;
export const STEP_DAYS = 30;

export const PERSONAS: readonly Persona[] = [
  {
    name: "careful-saver",
    story: "a year on all three chains; small loans, repaid within the month",
    chains: [1, 137, 42161],
    async act(m, me, step) {
      if (step === 0) await m.deposit(me, 6);
      if (step % 3 === 1) await m.borrowTo(me, 0.08);
      if (step % 3 === 2) await m.repay(me, 1);
    },
  },
  {
    name: "steady-borrower",
    story: "keeps a 45-59% LTV loan open on Ethereum and Arbitrum, repays a little every fourth month",
    chains: [1, 42161],
    async act(m, me, step) {
      if (step === 0) await m.deposit(me, 5);
      await m.borrowTo(me, step % 4 === 3 ? 0.59 : 0.5);
      if (step % 4 === 1) await m.repay(me, 0.1);
    },
  },
  {
    name: "leveraged-farmer",
    story: "tops its loan up to the 60% cap every month on Polygon and Arbitrum, never repays",
    chains: [137, 42161],
    async act(m, me, step) {
      if (step === 0) await m.deposit(me, 4);
      if (step % 4 === 2) await m.deposit(me, 1);
      await m.borrowTo(me, 0.59);
    },
  },
  {
    name: "once-liquidated",
    story: "was liquidated on Ethereum in month 6 after a dip, borrowed hard again",
    chains: [1, 137],
    async act(m, me, step) {
      if (step === 0 || step === 7) await m.deposit(me, 3);
      if (step !== 6) await m.borrowTo(me, 0.58);
    },
  },
];

/**
 * Play the history on every chain: per step, move the clocks a month on, set the feeds to that
 * day's ETH price, and let each persona act. In month 6 Ethereum sees a 25% dip for one block
 * and the once-liquidated wallet is liquidated there.
 */
export async function playHistory(
  markets: readonly Market[],
  wallets: readonly Account[],
  liquidator: Account,
  prices: readonly DailyClose[],
  log: (line: string) => void,
): Promise<void> {
  for (let step = 0; step < HISTORY_STEPS; step++) {
    const price = prices[step * STEP_DAYS]!;
    for (const m of markets) {
      if (step > 0) await m.advance(STEP_DAYS * 86_400);
      await m.setPrice(price.price);
    }
    for (const [i, p] of PERSONAS.entries()) {
      for (const m of markets.filter((x) => p.chains.includes(x.c.chain.chainId))) await p.act(m, wallets[i]!, step, m.c.chain.chainId);
    }
    if (step === 6) {
      const eth = markets.find((m) => m.c.chain.chainId === 1)!;
      const victim = wallets[PERSONAS.findIndex((p) => p.name === "once-liquidated")]!;
      await eth.setPrice(price.price * 0.75);
      await eth.liquidateAll(liquidator, victim.address);
      await eth.setPrice(price.price);
    }
    log(`      month ${step + 1}/${HISTORY_STEPS} (${price.date}, ETH $${price.price.toFixed(0)})`);
  }
}
