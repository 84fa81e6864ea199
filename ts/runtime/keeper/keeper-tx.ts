// The keeper's transactions on one chain: it signs them itself with consecutive nonces it keeps
// (no nonce lookup per transaction), and every block it checks them against the node:
// - mined (the account's mined nonce passed them): the receipt of whichever of its versions
//   was mined is handed back; none of them (another transaction took the nonce): lost;
// - a nonce gap (the node's pending nonce is below one the keeper sent, and the node no longer
//   knows that transaction: every later one waits behind it): each forgotten one is sent
//   again, with higher fees, in the same block;
// - a transaction still in the pool `bumpAfterBlocks` blocks after it was sent, while none of
//   the keeper's transactions got mined (a burst that fills several blocks is not stuck):
//   replaced with fees raised by `bumpPercent` (same nonce, same call).
// Counters: transactions sent, reverted, replaced (fee bumps) and dropped (forgotten by the node).
import { keccak256, type Account, type Address, type Chain, type Hash, type Hex, type PublicClient, type TransactionReceipt, type Transport, type WalletClient } from "viem";
import { shortError } from "../chains/errors.js";
import { isNoAnswer } from "../chains/watched-rpc.js";

export interface TxCounters {
  sent: number;
  reverted: number;
  replaced: number;
  dropped: number;
}

export interface TxRequest {
  readonly to: Address;
  readonly data: Hex;
  readonly gas: bigint;
  /** What it does, for log lines. */
  readonly what: string;
}

export interface SentTx {
  readonly nonce: number;
  readonly request: TxRequest;
  /** Every version sent (the first, then its replacements), oldest first. */
  readonly hashes: Hash[];
  readonly sentAtBlock: bigint;
  /** The block of the latest (re)send. */
  lastSendBlock: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** Checks that found its nonce mined without a receipt for any of its versions. */
  unresolved: number;
}

export interface TxManagerOptions {
  readonly client: PublicClient;
  readonly wallet: WalletClient<Transport, Chain, Account>;
  readonly account: Account;
  readonly chainId: number;
  readonly log: (line: string) => void;
  /** A transaction of the keeper was mined (successfully or not). */
  readonly onMined: (tx: SentTx, receipt: TransactionReceipt) => void;
  /** A transaction of the keeper will never be mined (its nonce went to another transaction). */
  readonly onLost: (tx: SentTx) => void;
  /** Blocks in the pool before a fee bump (default 2). */
  readonly bumpAfterBlocks?: bigint;
  /** Fee increase of a replacement, in percent (default 25; nodes require at least 10). */
  readonly bumpPercent?: bigint;
}

const bump = (x: bigint, percent: bigint): bigint => (x * (100n + percent)) / 100n + 1n;

export class TxManager {
  private nextNonce = 0;
  /** Sent and not yet mined, by nonce. */
  private readonly pending = new Map<number, SentTx>();
  private readonly counters_: TxCounters = { sent: 0, reverted: 0, replaced: 0, dropped: 0 };
  private readonly bumpAfter: bigint;
  private readonly bumpPercent: bigint;
  /** The last block in which one of our transactions was mined: while they keep being mined, those waiting behind them are not stuck. */
  private progressBlock = 0n;

  constructor(private readonly o: TxManagerOptions) {
    this.bumpAfter = o.bumpAfterBlocks ?? 2n;
    this.bumpPercent = o.bumpPercent ?? 25n;
  }

  /** Start from the account's pending nonce (call when none of its transactions is pending). */
  async init(): Promise<void> {
    this.nextNonce = await this.o.client.getTransactionCount({ address: this.o.account.address, blockTag: "pending" });
  }

  counters(): TxCounters {
    return { ...this.counters_ };
  }

  inFlight(): SentTx[] {
    return [...this.pending.values()];
  }

  /** Sign and send `request` with the next nonce at these fees. */
  async send(request: TxRequest, fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }, block: bigint): Promise<SentTx> {
    const nonce = this.nextNonce;
    const tx: SentTx = { nonce, request, hashes: [], sentAtBlock: block, lastSendBlock: block, ...fees, unresolved: 0 };
    let hash: Hash;
    try {
      hash = await this.broadcast(tx);
    } catch (e) {
      // Another sender used this account's nonces: start again from the node's.
      if (/nonce too low/i.test(shortError(e))) await this.init();
      throw e;
    }
    this.nextNonce++;
    tx.hashes.push(hash);
    this.pending.set(nonce, tx);
    this.counters_.sent++;
    return tx;
  }

  private async broadcast(tx: SentTx): Promise<Hash> {
    const { account, wallet, client, chainId } = this.o;
    const fields = {
      chainId,
      to: tx.request.to,
      data: tx.request.data,
      gas: tx.request.gas,
      nonce: tx.nonce,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      type: "eip1559",
    } as const;
    if (account.signTransaction) {
      const raw = await account.signTransaction(fields);
      try {
        return await client.sendRawTransaction({ serializedTransaction: raw });
      } catch (e) {
        // Sent again unchanged: the node already has it.
        if (/already known|already imported/i.test(shortError(e))) return keccak256(raw);
        // No answer: the node may have it or not. Counted as sent; the next check re-sends it if the node does not know it.
        if (isNoAnswer(e)) {
          this.o.log(`${tx.request.what}: no answer to sending nonce ${tx.nonce} (${shortError(e)}): the next block's check re-sends it if the node lacks it`);
          return keccak256(raw);
        }
        throw e;
      }
    }
    return wallet.sendTransaction({ ...fields, account, chain: wallet.chain });
  }

  /** Send `tx` again with fees raised (a replacement, same nonce). */
  private async resend(tx: SentTx, block: bigint, fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }): Promise<void> {
    const priority = bump(tx.maxPriorityFeePerGas, this.bumpPercent);
    tx.maxPriorityFeePerGas = priority > fees.maxPriorityFeePerGas ? priority : fees.maxPriorityFeePerGas;
    const max = bump(tx.maxFeePerGas, this.bumpPercent);
    tx.maxFeePerGas = max > fees.maxFeePerGas ? max : fees.maxFeePerGas;
    if (tx.maxFeePerGas < tx.maxPriorityFeePerGas) tx.maxFeePerGas = tx.maxPriorityFeePerGas;
    tx.hashes.push(await this.broadcast(tx));
    tx.lastSendBlock = block;
  }

  /**
   * Once per block (`block`: the one being processed): hand back what was mined up to it, repair a nonce gap (re-send the lowest missing
   * transaction, and those the node no longer knows), bump the fees of those waiting too long.
   */
  async check(block: bigint, fees: () => Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>): Promise<void> {
    if (!this.pending.size) return;
    const address = this.o.account.address;
    // Mined as of `block`, not the latest: the caller reads positions at `block`, and a liquidation mined after it must stay in flight.
    const [mined, nodePending] = await Promise.all([
      this.o.client.getTransactionCount({ address, blockNumber: block }),
      this.o.client.getTransactionCount({ address, blockTag: "pending" }),
    ]);
    const done = [...this.pending.values()].filter((t) => t.nonce < mined);
    await Promise.all(done.map((t) => this.settle(t)));
    if (done.length) this.progressBlock = block;
    if (mined > this.nextNonce) this.nextNonce = mined; // another sender used this account

    const waiting = [...this.pending.values()].sort((a, b) => a.nonce - b.nonce);
    if (!waiting.length) return;
    // The node's pending nonce stops at the first transaction it does not have: that one (and,
    // if the node lost several, each one it does not know) is sent again; the rest waited behind it.
    let current: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined;
    const currentFees = async () => (current ??= await fees());
    for (const t of waiting) {
      // Not counted pending by the node: forgotten (a gap), or held back (fees under the base fee: only a bump helps).
      const gap = t.nonce >= nodePending && t.lastSendBlock < block && !(await this.known(t));
      const since = t.lastSendBlock > this.progressBlock ? t.lastSendBlock : this.progressBlock;
      const stuck = !gap && block - since >= this.bumpAfter;
      if (!gap && !stuck) continue;
      try {
        await this.resend(t, block, await currentFees());
        if (gap) {
          this.counters_.dropped++;
          this.o.log(`${t.request.what}: nonce ${t.nonce} vanished from the node's pool (its pending nonce is ${nodePending}): sent again as ${t.hashes.at(-1)}`);
        } else {
          this.counters_.replaced++;
          this.o.log(`${t.request.what}: nonce ${t.nonce} waiting since block ${t.sentAtBlock}: fees raised to ${t.maxFeePerGas} (tip ${t.maxPriorityFeePerGas}) wei/gas, tx ${t.hashes.at(-1)}`);
        }
      } catch (e) {
        if (/nonce too low|already known/i.test(shortError(e))) continue; // mined or known meanwhile: the next check sees it
        throw e;
      }
    }
  }

  /** Whether the node knows any version of `t` (pool or chain). */
  private async known(t: SentTx): Promise<boolean> {
    for (const hash of [...t.hashes].reverse()) {
      const found = await this.o.client.request({ method: "eth_getTransactionByHash", params: [hash] });
      if (found) return true;
    }
    return false;
  }

  /** `t`'s nonce is mined: find which version, or lose it. */
  private async settle(t: SentTx): Promise<void> {
    for (const hash of [...t.hashes].reverse()) {
      const receipt = await this.o.client.request({ method: "eth_getTransactionReceipt", params: [hash] });
      if (!receipt) continue;
      this.pending.delete(t.nonce);
      const full = await this.o.client.getTransactionReceipt({ hash });
      if (full.status !== "success") this.counters_.reverted++;
      this.o.onMined(t, full);
      return;
    }
    // The nonce is mined but no receipt for our versions yet: a node may index receipts a moment later; give it one more check.
    if (++t.unresolved < 2) return;
    this.pending.delete(t.nonce);
    this.o.log(`${t.request.what}: nonce ${t.nonce} was taken by another transaction of ${this.o.account.address}: its orders go back to planning`);
    this.o.onLost(t);
  }

  /** Wait (up to `timeoutMs`) until every pending transaction is mined; what is left is returned. */
  async drain(timeoutMs: number, pollMs: number, block: () => Promise<bigint>, fees: () => Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>): Promise<SentTx[]> {
    const deadline = Date.now() + timeoutMs;
    let last = -1n;
    while (this.pending.size && Date.now() < deadline) {
      const n = await block();
      if (n !== last) {
        last = n;
        await this.check(n, fees);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return this.inFlight();
  }
}
