// How planned liquidations become transactions, and what a mined one did to each borrower.
// Direct: one ZkRiskLending.liquidate per position, each simulated and gas-estimated first (a
// position that would revert is left for the next block). The keeper pays from its own loan
// tokens, approved to the lending contract.
import { encodeFunctionData, parseEventLogs, type Account, type Address, type PublicClient, type TransactionReceipt } from "viem";
import { zkRiskLendingAbi } from "../../generated/abi.generated.js";
import { revertName } from "../chains/errors.js";
import type { LiquidationPlan } from "./keeper-math.js";
import type { TxRequest } from "./keeper-tx.js";

/** A liquidation the keeper decided to send. */
export interface Order {
  readonly borrower: Address;
  readonly plan: LiquidationPlan;
}

/** What a mined transaction did for one borrower: liquidated (amounts), or skipped (why). */
export type Outcome = { readonly liquidated: true; readonly repaidAssets: bigint; readonly seizedAssets: bigint; readonly badDebt: bigint } | { readonly liquidated: false; readonly reason: string };

export interface Prepared {
  /** Transactions to send, in order, each with the borrowers it liquidates. */
  readonly txs: { readonly request: TxRequest; readonly borrowers: Address[] }[];
  /** Orders left out this block, and why (a simulation revert). */
  readonly left: { readonly borrower: Address; readonly reason: string }[];
}

export interface Sender {
  readonly kind: "direct" | "batch";
  /** Who pulls the keeper's loan tokens (the keeper approves it). */
  readonly spender: Address;
  /** The transactions for `orders` (most underwater first; the first transactions carry the first orders). */
  prepare(orders: readonly Order[]): Promise<Prepared>;
  /** Per borrower of a mined transaction: what happened. */
  outcomes(receipt: TransactionReceipt, borrowers: readonly Address[]): Map<Address, Outcome>;
}

/** Gas added to every estimate (plus 50%): the estimate may skip the interest accrual the real block runs. */
const GAS_MARGIN = 100_000n;

/** Liquidate, BadDebt events of `lending` in `receipt`, summed per borrower of `borrowers`. */
export function liquidationEvents(receipt: TransactionReceipt, lending: Address, borrowers: readonly Address[]): Map<Address, { repaidAssets: bigint; seizedAssets: bigint; badDebt: bigint; seen: boolean }> {
  const out = new Map(borrowers.map((b) => [b.toLowerCase() as Address, { repaidAssets: 0n, seizedAssets: 0n, badDebt: 0n, seen: false }]));
  if (receipt.status !== "success") return out;
  for (const e of parseEventLogs({ abi: zkRiskLendingAbi, logs: receipt.logs, eventName: ["Liquidate", "BadDebt"] })) {
    if (e.address.toLowerCase() !== lending.toLowerCase()) continue;
    const o = out.get(e.args.borrower.toLowerCase() as Address);
    if (!o) continue;
    if (e.eventName === "Liquidate") {
      o.repaidAssets += e.args.repaidAssets;
      o.seizedAssets += e.args.seizedAssets;
      o.seen = true;
    } else o.badDebt += e.args.assets;
  }
  return out;
}

/** One liquidate() transaction per order, simulated and estimated first. */
export function directSender(client: PublicClient, lending: Address, account: Account): Sender {
  return {
    kind: "direct",
    spender: lending,
    async prepare(orders) {
      const left: { borrower: Address; reason: string }[] = [];
      const ready = await Promise.all(
        orders.map(async ({ borrower, plan }) => {
          const args = [borrower, plan.seizedAssets, plan.repaidShares] as const;
          const call = { address: lending, abi: zkRiskLendingAbi, functionName: "liquidate", args, account } as const;
          try {
            const [, gas] = await Promise.all([client.simulateContract(call), client.estimateContractGas(call)]);
            // The estimate ran on the latest state at its timestamp; in the next block interest
            // accrues first (more storage writes), so the limit keeps a wide margin (only gas used is paid).
            const request: TxRequest = { to: lending, data: encodeFunctionData({ abi: zkRiskLendingAbi, functionName: "liquidate", args }), gas: (gas * 3n) / 2n + GAS_MARGIN, what: `liquidation of ${borrower}` };
            return { request, borrowers: [borrower] };
          } catch (e) {
            const reason = revertName(e);
            if (reason === undefined) throw e;
            left.push({ borrower, reason });
            return undefined;
          }
        }),
      );
      return { txs: ready.filter((r) => r !== undefined), left };
    },
    outcomes(receipt, borrowers) {
      const events = liquidationEvents(receipt, lending, borrowers);
      return new Map(
        borrowers.map((b): [Address, Outcome] => {
          const e = events.get(b.toLowerCase() as Address)!;
          return [b, e.seen ? { liquidated: true, repaidAssets: e.repaidAssets, seizedAssets: e.seizedAssets, badDebt: e.badDebt } : { liquidated: false, reason: "the transaction reverted" }];
        }),
      );
    },
  };
}
