// How planned liquidations become transactions, and what a mined one did to each borrower.
// Batch: BatchLiquidator.liquidateBatch (src/periphery) with many orders per transaction, in the
// given order (most underwater first), each transaction's gas limit sized from the gas one order
// takes (estimated on a sample, then learned from receipts) so that the batches fill blocks; an
// order that reverts inside is skipped by the contract (OrderSkipped) and re-checked next block.
// The keeper approves the liquidator once; each batch pulls at most its orders' sum.
// Direct (a deployment without a liquidator, or batch: false): one ZkRiskLending.liquidate per
// position, each simulated and gas-estimated first. The keeper approves the lending contract.
import {
  encodeFunctionData,
  keccak256,
  parseEventLogs,
  toBytes,
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { batchLiquidatorAbi, zkRiskLendingAbi } from "../../generated/abi.generated.js";
import { revertName } from "../chains/errors.js";
import type { LiquidationPlan } from "./keeper-math.js";
import type { TxRequest } from "./keeper-tx.js";

/** A liquidation the keeper decided to send. */
export interface Order {
  readonly borrower: Address;
  readonly plan: LiquidationPlan;
  /** liquidate() will move its debt to another bucket first (tier change): more storage writes, more gas. */
  readonly moves: boolean;
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

/**
 * Gas of a batch besides its orders' marginal gas (the pull, approvals, hand-back, the interest
 * accrual its first order triggers), at least; and the least one more order is assumed to take
 * (~45k measured inside a batch).
 */
const MIN_FIXED_GAS = 250_000n;
const MIN_ORDER_GAS = 45_000n;
/** What an order whose debt moves bucket inside liquidate() takes beyond the others (~80k against ~45k measured). */
const MOVE_EXTRA_GAS = 50_000n;
/** Orders in the sample batch whose gas estimate (less that of one order) sizes the batches until a receipt says more. */
const SAMPLE_ORDERS = 8;
/** Headroom on a batch's gas limit (an order's gas depends on its tier sync and bad debt). */
const BATCH_HEADROOM_PCT = 125n;
/**
 * A batch's gas limit is at most this fraction of the block's: a block builder admits a
 * transaction when its gas limit fits in what is left, so smaller batches pack a block fuller
 * (the last one that fits leaves at most this much unused).
 */
const BLOCK_SHARE_DIVISOR = 8n;

/** The custom error names of the lending contract by selector (what OrderSkipped reports). */
const LENDING_ERRORS: ReadonlyMap<Hex, string> = new Map(
  zkRiskLendingAbi
    .filter((x) => x.type === "error")
    .map((x) => [keccak256(toBytes(`${x.name}(${x.inputs.map((i) => i.type).join(",")})`)).slice(0, 10) as Hex, x.name]),
);

/** Batches of orders through the deployment's BatchLiquidator, sized by gas to fill blocks. */
export function batchSender(client: PublicClient, lending: Address, liquidator: Address, account: Account): Sender {
  const data = (orders: readonly Order[]): { data: Hex; budget: bigint } => {
    const budget = orders.reduce((sum, o) => sum + o.plan.maxRepaidAssets, 0n);
    const list = orders.map((o) => ({ borrower: o.borrower, seizedAssets: o.plan.seizedAssets, repaidShares: o.plan.repaidShares }));
    return { data: encodeFunctionData({ abi: batchLiquidatorAbi, functionName: "liquidateBatch", args: [lending, list, budget] }), budget };
  };
  /** Gas of a batch: fixed + orders * orderGas; from estimates until a receipt is seen, then the largest seen in receipts. */
  let fixed = MIN_FIXED_GAS;
  let orderGas = MIN_ORDER_GAS;
  let learned = false;
  const atLeast = (x: bigint, floor: bigint): bigint => (x > floor ? x : floor);
  /** Borrowers of the batches sent whose debt moves bucket inside liquidate(). */
  const moving = new Set<Address>();
  const fromReceipt = (gas: bigint, orders: number, moves: number): void => {
    if (orders <= 0) return;
    const extra = MOVE_EXTRA_GAS * BigInt(moves) + fixed;
    const per = atLeast((gas > extra ? gas - extra : 0n) / BigInt(orders), MIN_ORDER_GAS);
    orderGas = learned && orderGas > per ? orderGas : per;
    learned = true;
  };
  const estimate = (orders: readonly Order[]): Promise<bigint | undefined> => client.estimateGas({ account, to: liquidator, data: data(orders).data }).catch(() => undefined);
  return {
    kind: "batch",
    spender: liquidator,
    async prepare(orders) {
      if (!orders.length) return { txs: [], left: [] };
      // Until a receipt says it: a batch of the first order, and of the first few (the difference: their marginal gas).
      const sample = orders.slice(0, SAMPLE_ORDERS);
      const [block, one, many] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        learned ? undefined : estimate(sample.slice(0, 1)),
        learned || sample.length < 2 ? undefined : estimate(sample),
      ]);
      if (one !== undefined && many !== undefined && many > one) orderGas = atLeast((many - one) / BigInt(sample.length - 1), MIN_ORDER_GAS);
      if (one !== undefined) fixed = atLeast(one > orderGas ? one - orderGas : 0n, fixed);
      const perOrder = (orderGas * BATCH_HEADROOM_PCT) / 100n;
      const base = (fixed * BATCH_HEADROOM_PCT) / 100n;
      const cap = block.gasLimit / BLOCK_SHARE_DIVISOR;
      const txs: Prepared["txs"][number][] = [];
      const moveExtra = (MOVE_EXTRA_GAS * BATCH_HEADROOM_PCT) / 100n;
      const cost = (o: Order): bigint => perOrder + (o.moves ? moveExtra : 0n);
      // Greedy: orders in the given order, a new batch when the next would pass the cap.
      let chunk: Order[] = [];
      let gas = base;
      const flush = (): void => {
        if (!chunk.length) return;
        const d = data(chunk);
        txs.push({
          request: { to: liquidator, data: d.data, gas: gas < block.gasLimit ? gas : block.gasLimit, what: `batch of ${chunk.length} liquidation(s) (${chunk[0]!.borrower}${chunk.length > 1 ? ", ..." : ""})` },
          borrowers: chunk.map((o) => o.borrower),
        });
        chunk = [];
        gas = base;
      };
      for (const o of orders) {
        if (chunk.length && gas + cost(o) > cap) flush();
        chunk.push(o);
        gas += cost(o);
        if (o.moves) moving.add(o.borrower);
      }
      flush();
      return { txs, left: [] };
    },
    outcomes(receipt, borrowers) {
      const events = liquidationEvents(receipt, lending, borrowers);
      const skipped = new Map<string, string>();
      if (receipt.status === "success") {
        for (const e of parseEventLogs({ abi: batchLiquidatorAbi, logs: receipt.logs, eventName: "OrderSkipped" })) {
          if (e.address.toLowerCase() === liquidator.toLowerCase()) skipped.set(e.args.borrower.toLowerCase(), LENDING_ERRORS.get(e.args.selector) ?? e.args.selector);
        }
        fromReceipt(receipt.gasUsed, borrowers.length, borrowers.filter((b) => moving.has(b)).length);
      } else orderGas = (orderGas * 3n) / 2n; // out of gas is the likely reason: the next batches get more per order
      for (const b of borrowers) moving.delete(b);
      return new Map(
        borrowers.map((b): [Address, Outcome] => {
          const e = events.get(b.toLowerCase() as Address)!;
          if (e.seen) return [b, { liquidated: true, repaidAssets: e.repaidAssets, seizedAssets: e.seizedAssets, badDebt: e.badDebt }];
          return [b, { liquidated: false, reason: receipt.status === "success" ? (skipped.get(b.toLowerCase()) ?? "not liquidated") : "the batch reverted" }];
        }),
      );
    },
  };
}
