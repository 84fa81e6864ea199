// The liquidation keeper: on every new block of every chain it evaluates each open position with
// the contract's own arithmetic (oracle price, interest accrued to the block, effective
// liquidation LTV, the tier sync liquidate() starts with; keeper-math.ts) and liquidates every
// unhealthy one at once, most underwater first, with amounts that survive the state the
// transaction will run on (keeper-plan.ts). It measures, per liquidation, the blocks between the
// first block at which the position was liquidatable (found exactly: a missed poll is covered by
// re-checking the skipped blocks with historical calls) and the block that mined the liquidation.
//
// The modules: RPC URLs with a short timeout, outage and recovery logged (chains/watched-rpc.ts);
// planning (keeper-plan.ts); turning orders into transactions, in batches through the
// deployment's BatchLiquidator when it has one, else one liquidate() each (keeper-send.ts); the
// transactions' nonces, gap repair and fee bumps (keeper-tx.ts). This file runs them per block.
//
// State is only ever rebuilt from the chain (events from the deployment block, positions read
// at the processed block), so a restart resumes where the chain is. It never double-liquidates:
// one transaction in flight per borrower, its own pending transactions mined before it starts,
// and stop() waits for those it sent. RPC errors are logged and retried; a URL that stops
// answering is logged within a request timeout and the keeper catches up as soon as one answers.
//
// With a database (KeeperOptions.db) every liquidation is logged in keeper_liquidations: 'sent'
// when its transaction goes out, then 'liquidated' (block, delay in blocks, repaid, seized, bad
// debt) or 'reverted' from its receipt; a transaction the node dropped or that was replaced is
// removed. The writes go through one queue behind the liquidations, never delaying them; a failed
// write is logged and the keeper goes on; stop() waits for the queue.
import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  formatUnits,
  maxUint256,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { nodeKind, publicClient, roleAccount, viemChain } from "../chains/accounts.js";
import { chainLabel, getChain, type ChainInfo } from "../chains/chains.js";
import { hostOf, shortError } from "../chains/errors.js";
import { isUnreachable, watchedRpc, type WatchedRpc } from "../chains/watched-rpc.js";
import type { Deployment } from "../deploy/deployment.js";
import type { Database } from "../db/engine.js";
import { deleteLiquidation, recordLiquidation, type LiquidationRow } from "../db/attestations.js";
import { accruedBuckets, bucketFor, healthAt, syncedPosition, WAD, type BucketState, type CreditPeriod, type Health, type LiquidationPlan, type MarketState, type PositionState } from "./keeper-math.js";
import { affordable, creditAt, DEFAULT_PRICE_DOWN_BPS, DEFAULT_PRICE_UP_BPS, planRobustLiquidation } from "./keeper-plan.js";
import {
  DEFAULT_LOG_CHUNK,
  readCreditPeriod,
  readMarket,
  readCreditPeriods,
  readMarketInfo,
  readPositions,
  touchedAccounts,
  touchedCredits,
  type MarketInfo,
  type MarketSnapshot,
} from "./keeper-positions.js";
import { batchSender, directSender, type Order, type Sender } from "./keeper-send.js";
import { TxManager, type SentTx, type TxCounters } from "./keeper-tx.js";

export { checkKeeperFunds, fundKeeper, type KeeperFunds } from "./keeper-funds.js";
export { setAutomine, setIntervalMining, type RpcClient } from "./keeper-anvil.js";

export interface KeeperChain {
  readonly chain: ChainInfo | number;
  readonly rpcUrl: string;
  /** More RPC URLs of the same chain, tried in order when those before them do not answer. */
  readonly rpcUrls?: readonly string[];
  readonly deployment: Deployment;
}

export interface KeeperOptions {
  readonly chains: readonly KeeperChain[];
  /** The liquidating account; default the keeper role's key (ZKRISK_KEEPER_KEY, or anvil dev key 2 when every chain is an anvil). */
  readonly account?: Account;
  /** How often each chain is polled for a new block, in ms (default 100: well under a 1 s block). */
  readonly pollMs?: number;
  /** How long an RPC request may wait for an answer before the URL counts as down, in ms (default 400: under a 1 s block; 10 s on an anvil fork, which fetches state upstream). */
  readonly rpcTimeoutMs?: number;
  /** Log lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** Where the liquidation log is written (keeper_liquidations); none: kept in memory only (stats()). */
  readonly db?: Database;
  /** On start, how many blocks back to look for when an already unhealthy position became so (default 256). */
  readonly lookbackBlocks?: number;
  /** Blocks per eth_getLogs call (default 2000). */
  readonly logChunk?: bigint;
  /** Longest backoff after RPC errors, in ms (default 5000; an RPC answering again ends it at once). */
  readonly maxBackoffMs?: number;
  /** Seconds of interest accrual a liquidation's amounts must tolerate before it is mined (default 120). */
  readonly horizonSeconds?: bigint;
  /** How far (bps) the next oracle answer may fall, and rise, before a liquidation is mined, without making it revert (default 500 and 0). */
  readonly priceDownBps?: bigint;
  readonly priceUpBps?: bigint;
  /** Blocks a liquidation may wait in the pool before its fees are raised (default 2). */
  readonly bumpAfterBlocks?: bigint;
  /** Liquidate through the deployment's BatchLiquidator when it has one (default true); false: one liquidate() transaction per position. */
  readonly batch?: boolean;
}

/** One liquidation the keeper sent and saw mined. */
export interface LiquidationStat {
  readonly chainId: number;
  readonly borrower: Address;
  /** The first block at which the position was liquidatable (of the streak the liquidation ended). */
  readonly becameLiquidatableBlock: number;
  /** The block that mined the liquidation. */
  readonly liquidatedBlock: number;
  readonly delayBlocks: number;
  readonly txHash: Hash;
  /** Loan token units repaid, collateral units seized, and debt written off as bad debt (loan token units). */
  readonly repaidAssets: bigint;
  readonly seizedAssets: bigint;
  readonly badDebt: bigint;
}

/** The keeper's transactions over every chain: sent (first sends), reverted, replaced (fee bumps) and dropped (re-sent after the node lost them); skipped: orders a batch skipped. */
export interface KeeperCounters extends TxCounters {
  skipped: number;
}

export interface Keeper {
  /** Liquidations mined so far, in the order they were seen. */
  stats(): LiquidationStat[];
  counters(): KeeperCounters;
  /** Stops watching, waits for the liquidations in flight (recorded in stats) and for the log's database writes, and resolves. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when every chain is connected, backfilled and checked once; rejects with a one-line reason. */
  readonly ready: Promise<void>;
}

const DEFAULT_POLL_MS = 100;
const DEFAULT_RPC_TIMEOUT_MS = 400;
const FORK_RPC_TIMEOUT_MS = 10_000;
const DEFAULT_LOOKBACK = 256;
const DEFAULT_MAX_BACKOFF_MS = 5_000;
/** Every open position is re-read at least this often (blocks), events or not. */
const FULL_REFRESH_BLOCKS = 64;
/** How long stop() waits for liquidations in flight. */
const DRAIN_TIMEOUT_MS = 15_000;

const defaultLog = (line: string): void => void process.stderr.write(`${line}\n`);

/* ONE CHAIN */

/**
 * The health liquidate() would check: at the position's terms after its tier sync (the wallet's
 * credit period as it counts at the block's time), or at its stored terms without a credit period.
 */
function currentHealth(m: MarketState, p: PositionState, credit: CreditPeriod | undefined, buckets: readonly BucketState[]): Health {
  if (!credit) return healthAt(m, p, m.timestamp, buckets);
  const s = syncedPosition(m, p, creditAt(credit, m.timestamp), m.timestamp);
  return healthAt(s.market, s.position);
}

interface Unhealthy {
  readonly borrower: Address;
  readonly position: PositionState;
  readonly health: Health;
}

interface InFlight {
  /** The nonce of the transaction that carries it. */
  readonly nonce: number;
  since: bigint;
  readonly sentAtBlock: bigint;
  readonly plan: LiquidationPlan;
  /** Its 'sent' row is written (once its streak start is known). */
  journaled: boolean;
}

interface ChainKeeperOptions {
  readonly chain: ChainInfo;
  readonly rpcUrl: string;
  readonly rpcUrls: readonly string[];
  readonly rpcTimeoutMs: number;
  readonly deployment: Deployment;
  readonly account: Account;
  readonly pollMs: number;
  readonly log: (line: string) => void;
  readonly lookbackBlocks: bigint;
  readonly logChunk: bigint;
  readonly maxBackoffMs: number;
  readonly horizonSeconds: bigint;
  readonly priceDownBps: bigint;
  readonly priceUpBps: bigint;
  readonly bumpAfterBlocks: bigint;
  readonly batch: boolean;
  readonly record: (s: LiquidationStat) => void;
  readonly journal: Journal;
}

/** The liquidation log in the database: rows written in order, in the background. */
interface Journal {
  write(row: LiquidationRow): void;
  drop(chainId: number, tx: Hash): void;
}

class ChainKeeper {
  private readonly label: string;
  private readonly rpc: WatchedRpc;
  private readonly client: PublicClient;
  private readonly wallet: WalletClient<Transport, Chain, Account>;
  private readonly lending: Address;
  private readonly txs: TxManager;
  private sender!: Sender;
  private info!: MarketInfo;
  /** Open positions (debt > 0) as of the last processed block. */
  private readonly positions = new Map<Address, PositionState>();
  /** Accounts whose position changed since it was last read. */
  private readonly dirty = new Set<Address>();
  /** Each open position's credit period (the registry's), as last read: its terms after the sync liquidate() starts with. */
  private readonly credits = new Map<Address, CreditPeriod>();
  /** Accounts whose credit period changed since it was last read. */
  private readonly creditDirty = new Set<Address>();
  /** Logs were pulled through this block. */
  private logCursor = 0n;
  /** The last block whose health check completed. */
  private lastChecked: bigint | undefined;
  /** First block of each unhealthy position's current streak. */
  private readonly unhealthySince = new Map<Address, bigint>();
  private readonly inFlight = new Map<Address, InFlight>();
  /** The borrowers each transaction in flight liquidates, by nonce. */
  private readonly txBorrowers = new Map<number, Address[]>();
  private head = -1n;
  private processed = -1n;
  private wake: (() => void) | undefined;
  /** Ends the loop's backoff early (an RPC answers again). */
  private nudge: (() => void) | undefined;
  private running = false;
  private readonly abort = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private pollDone: Promise<void> = Promise.resolve();
  private backoffMs = 0;
  private outage: { source: "poll" | "process"; since: number; errors: number; lastLog: number } | undefined;
  /** Blocks processed since every open position was last re-read. */
  private sinceRefresh = 0;
  private priceError: string | undefined;
  /** Orders skipped inside batches. */
  skipped = 0;

  constructor(private readonly o: ChainKeeperOptions) {
    this.label = chainLabel(o.chain);
    this.rpc = watchedRpc([o.rpcUrl, ...o.rpcUrls], {
      timeoutMs: o.rpcTimeoutMs,
      probeMs: o.pollMs,
      onChange: (c) => {
        if (c.up) {
          this.log(`RPC ${c.host} answers again after ${((c.downMs ?? 0) / 1000).toFixed(1)} s`);
          this.nudge?.();
        } else this.log(`RPC ${c.host} stopped answering (${c.error}); ${this.rpc.allDown() ? "no other RPC URL answers: probing until one does" : "using the next RPC URL"}`);
      },
    });
    const chain = viemChain(o.chain, o.rpcUrl);
    this.client = createPublicClient({ chain, transport: this.rpc.transport }) as PublicClient;
    this.wallet = createWalletClient({ account: o.account, chain, transport: this.rpc.transport });
    this.lending = o.deployment.contracts.lending.address;
    this.txs = new TxManager({
      client: this.client,
      wallet: this.wallet,
      account: o.account,
      chainId: o.chain.chainId,
      log: (l) => this.log(l),
      bumpAfterBlocks: o.bumpAfterBlocks,
      onMined: (tx, receipt) => this.mined(tx, receipt),
      onLost: (tx) => this.lost(tx),
    });
  }

  counters(): TxCounters {
    return this.txs.counters();
  }

  private log(line: string): void {
    this.o.log(`keeper ${this.label}: ${line}`);
  }

  private loan(x: bigint): string {
    return `${formatUnits(x, this.info.loanToken.decimals)} ${this.info.loanToken.symbol}`;
  }

  private collateral(x: bigint): string {
    return `${formatUnits(x, this.info.collateralToken.decimals)} ${this.info.collateralToken.symbol}`;
  }

  /** Connect, wait for our own pending transactions, backfill positions from events, check the head once, start watching. */
  async start(): Promise<void> {
    const { chain, deployment } = this.o;
    const actual = await this.client.getChainId().catch((e: unknown) => {
      throw new Error(`cannot reach the RPC of ${this.label} at ${hostOf(this.o.rpcUrl)}: ${shortError(e)}`);
    });
    if (actual !== chain.chainId) throw new Error(`the RPC at ${hostOf(this.o.rpcUrl)} serves chain ${actual}, not ${this.label}`);
    if (deployment.chainId !== chain.chainId) throw new Error(`the deployment given for ${this.label} is for chain ${deployment.chainId}`);
    const code = await this.client.getCode({ address: this.lending });
    if (!code || code === "0x") throw new Error(`no lending contract at ${this.lending} on ${this.label} (chain reset?): run \`npm run zkrisk -- deploy\``);
    this.info = await readMarketInfo(this.client, this.lending);
    this.running = true;
    await this.awaitOwnPending();
    this.sender = await this.chooseSender();
    await this.txs.init();

    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    const from = BigInt(deployment.deployBlock);
    const accounts = [...(await touchedAccounts(this.client, this.lending, from, head, this.o.logChunk))];
    for (const [a, p] of await readPositions(this.client, this.lending, accounts, head)) if (p.borrowShares > 0n) this.positions.set(a, p);
    for (const [a, c] of await readCreditPeriods(this.client, this.info.creditOracle, [...this.positions.keys()], head)) this.credits.set(a, c);
    this.logCursor = head;
    this.log(`${this.positions.size} open positions among ${accounts.length} accounts (events from block ${from} to ${head}); keeper ${this.o.account.address}, ${this.sender.kind === "batch" ? `batches through ${this.sender.spender}` : "one transaction per liquidation"}`);
    await this.processBlock(head);
    this.processed = head;
    this.head = head;

    this.loopDone = this.loop();
    this.pollDone = this.poll();
  }

  /** Batches through the deployment's BatchLiquidator when there is one (approved once, here), else one liquidate() per position. */
  private async chooseSender(): Promise<Sender> {
    const liquidator = this.o.deployment.contracts.batchLiquidator?.address;
    if (!this.o.batch || !liquidator) return directSender(this.client, this.lending, this.o.account);
    const code = await this.client.getCode({ address: liquidator });
    if (!code || code === "0x") {
      this.log(`no BatchLiquidator at ${liquidator}: one transaction per liquidation`);
      return directSender(this.client, this.lending, this.o.account);
    }
    const token = this.info.loanToken.address;
    const keeper = this.o.account.address;
    const allowance = await this.client.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [keeper, liquidator] });
    if (allowance < maxUint256 / 2n) {
      const hash = await this.wallet.writeContract({ address: token, abi: erc20Abi, functionName: "approve", args: [liquidator, maxUint256] });
      const receipt = await this.client.waitForTransactionReceipt({ hash, pollingInterval: this.o.pollMs });
      if (receipt.status !== "success") throw new Error(`approving the BatchLiquidator ${liquidator} for ${this.info.loanToken.symbol} reverted (tx ${hash})`);
      this.log(`approved the BatchLiquidator ${liquidator} to pull ${this.info.loanToken.symbol} for liquidations (tx ${hash})`);
    }
    return batchSender(this.client, this.lending, liquidator, this.o.account);
  }

  /** Transactions this account sent earlier (a previous run) must be mined before any new liquidation. */
  private async awaitOwnPending(): Promise<void> {
    const address = this.o.account.address;
    let logged = 0;
    for (;;) {
      const [latest, pending] = await Promise.all([
        this.client.getTransactionCount({ address, blockTag: "latest" }),
        this.client.getTransactionCount({ address, blockTag: "pending" }),
      ]);
      if (pending <= latest || !this.running) return;
      if (Date.now() - logged > 10_000) {
        this.log(`waiting for ${pending - latest} pending transaction(s) of ${address} to be mined before liquidating`);
        logged = Date.now();
      }
      await this.sleep(this.o.pollMs);
    }
  }

  /** Poll the block number every pollMs; a new head wakes the loop. */
  private async poll(): Promise<void> {
    while (this.running) {
      try {
        const n = await this.client.getBlockNumber({ cacheTime: 0 });
        if (this.outage?.source === "poll") this.recovered();
        if (n > this.head) {
          this.head = n;
          this.wake?.();
        }
      } catch (e) {
        if (!this.running) break;
        this.rpcError("poll", "polling the block number", e);
      }
      await this.sleep(this.o.pollMs);
    }
  }

  private async loop(): Promise<void> {
    let failed = false;
    while (this.running) {
      if (this.head <= this.processed && !failed) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        // After a failure, the head the poller last saw may be blocks old: catch up on the latest state at once.
        if (failed) {
          const n = await this.client.getBlockNumber({ cacheTime: 0 });
          if (n > this.head) this.head = n;
          failed = false;
          if (this.head <= this.processed) continue;
        }
      } catch (e) {
        if (!this.running) break;
        this.rpcError("process", "reading the block number", e);
        await Promise.race([this.sleep(this.nextBackoff()), new Promise<void>((resolve) => (this.nudge = resolve))]);
        this.nudge = undefined;
        continue;
      }
      const target = this.head;
      try {
        await this.processBlock(target);
        this.processed = target;
        this.recovered();
      } catch (e) {
        if (!this.running) break;
        this.rpcError("process", `processing block ${target}`, e);
        failed = true;
        // Wait, unless an RPC answers again first: then catch up at once.
        await Promise.race([this.sleep(this.nextBackoff()), new Promise<void>((resolve) => (this.nudge = resolve))]);
        this.nudge = undefined;
      }
    }
  }

  /** Wait `ms`, or less if the keeper stops meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private nextBackoff(): number {
    this.backoffMs = this.backoffMs ? Math.min(this.backoffMs * 2, this.o.maxBackoffMs) : Math.max(this.o.pollMs, 250);
    return this.backoffMs;
  }

  /** Log the first error of an outage, then at most one line per 10 s; the outage ends at the next success. */
  private rpcError(source: "poll" | "process", where: string, e: unknown): void {
    const now = Date.now();
    if (!this.outage) {
      this.outage = { source, since: now, errors: 1, lastLog: now };
      this.log(`RPC error ${where}: ${shortError(e)}; retrying${isUnreachable(e) ? " as soon as an RPC answers" : " with backoff"}`);
      return;
    }
    this.outage.errors++;
    if (now - this.outage.lastLog >= 10_000) {
      this.outage.lastLog = now;
      this.log(`RPC still failing after ${((now - this.outage.since) / 1000).toFixed(0)} s (${this.outage.errors} errors; last ${where}: ${shortError(e)})`);
    }
  }

  private recovered(): void {
    if (!this.outage) return;
    this.log(`RPC answering again after ${((Date.now() - this.outage.since) / 1000).toFixed(1)} s (${this.outage.errors} errors)`);
    this.outage = undefined;
    this.backoffMs = 0;
  }

  private fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    return this.client.estimateFeesPerGas();
  }

  /** Pull events, check sent transactions, read the market and changed positions at `n`, check every position, liquidate. */
  private async processBlock(n: bigint): Promise<void> {
    // Events, our transactions and the market, at once (one round of requests).
    const newLogs = n > this.logCursor;
    const [touched, credited, , market] = await Promise.all([
      newLogs ? touchedAccounts(this.client, this.lending, this.logCursor + 1n, n, this.o.logChunk) : new Set<Address>(),
      newLogs ? touchedCredits(this.client, this.info.creditOracle, this.logCursor + 1n, n, this.o.logChunk) : { wallets: new Set<Address>(), all: false },
      this.txs.check(n, () => this.fees()),
      readMarket(this.client, this.info, n),
    ]);
    for (const a of touched) this.dirty.add(a);
    for (const a of credited.wallets) this.creditDirty.add(a);
    if (newLogs) this.logCursor = n;
    // Every so often re-read every open position, not only those with events: a reorg can drop an event.
    if (++this.sinceRefresh >= FULL_REFRESH_BLOCKS || credited.all) {
      for (const a of this.positions.keys()) this.dirty.add(a);
      this.sinceRefresh = 0;
    }
    if (this.dirty.size) {
      const changed = [...this.dirty];
      for (const [a, p] of await readPositions(this.client, this.lending, changed, n)) {
        this.dirty.delete(a);
        if (p.borrowShares > 0n) {
          this.positions.set(a, p);
          this.creditDirty.add(a);
        } else {
          this.positions.delete(a);
          this.credits.delete(a);
          this.unhealthySince.delete(a);
        }
      }
    }
    const recredit = [...this.creditDirty].filter((a) => this.positions.has(a));
    this.creditDirty.clear();
    if (recredit.length) for (const [a, c] of await readCreditPeriods(this.client, this.info.creditOracle, recredit, n)) this.credits.set(a, c);
    if (market.price === undefined) {
      if (this.priceError !== market.priceError) this.log(`the oracle reverts (${market.priceError}) at block ${n}: nothing is liquidatable while it does`);
      this.priceError = market.priceError;
      this.unhealthySince.clear();
      this.lastChecked = n;
      return;
    }
    if (this.priceError) this.log(`the oracle answers again at block ${n}`);
    this.priceError = undefined;

    const buckets = accruedBuckets(market, market.timestamp);
    const unhealthy: Unhealthy[] = [];
    for (const [borrower, position] of this.positions) {
      const health = currentHealth(market, position, this.credits.get(borrower), buckets);
      if (health.healthy) this.unhealthySince.delete(borrower);
      else unhealthy.push({ borrower, position, health });
    }
    // Liquidate first; then date the new streaks (historical reads), which only the log needs.
    const fresh = unhealthy.filter((u) => !this.unhealthySince.has(u.borrower)).map((u) => u.borrower);
    if (unhealthy.length) await this.liquidateAll(unhealthy, market);
    if (fresh.length) await this.findStreakStarts(fresh, n);
    this.lastChecked = n;
    for (const u of unhealthy) {
      const f = this.inFlight.get(u.borrower);
      if (!f || f.journaled) continue;
      f.since = this.unhealthySince.get(u.borrower) ?? f.since;
      f.journaled = true;
      const tx = this.txs.inFlight().find((t) => t.nonce === f.nonce);
      if (tx) this.o.journal.write({ chainId: this.o.chain.chainId, tx: tx.hashes[0]!, borrower: u.borrower, status: "sent", becameLiquidatableBlock: Number(f.since) });
      const ratio = Number((u.health.ratio * 10_000n) / WAD) / 10_000;
      this.log(`liquidating ${u.borrower} (${f.plan.kind}; debt/maxDebt ${ratio.toFixed(4)}, debt ${this.loan(u.health.debt)}, liquidatable since block ${f.since}) at block ${n}: tx ${tx?.hashes[0] ?? "(mined)"}`);
    }
  }

  /**
   * For positions first seen unhealthy at `n`: the first block of their unhealthy streak, by
   * re-checking the blocks since the last check (or, on start, up to the lookback limit) at
   * their historical state, newest first.
   */
  private async findStreakStarts(borrowers: Address[], n: bigint): Promise<void> {
    const since = new Map(borrowers.map((a) => [a, n]));
    const deployBlock = BigInt(this.o.deployment.deployBlock);
    const floor = this.lastChecked !== undefined ? this.lastChecked + 1n : n - this.o.lookbackBlocks > deployBlock ? n - this.o.lookbackBlocks : deployBlock;
    let remaining = borrowers;
    try {
      for (let b = n - 1n; b >= floor && remaining.length; b--) {
        const [market, positions, credits] = await Promise.all([
          readMarket(this.client, this.info, b),
          readPositions(this.client, this.lending, remaining, b),
          readCreditPeriods(this.client, this.info.creditOracle, remaining, b),
        ]);
        const buckets = accruedBuckets(market, market.timestamp);
        remaining = remaining.filter((a) => {
          if (currentHealth(market, positions.get(a)!, credits.get(a), buckets).healthy) return false;
          since.set(a, b);
          return true;
        });
      }
      if (remaining.length && this.lastChecked === undefined && floor > deployBlock) {
        this.log(`${remaining.length} position(s) were already liquidatable at block ${floor}, the lookback limit: their delay counts from there`);
      }
    } catch (e) {
      // The node is unreachable: retry the whole block later. It cannot serve old state: make do.
      if (isUnreachable(e)) throw e;
      this.log(`could not re-check past blocks (${shortError(e)}): delays of ${remaining.length} position(s) count from the earliest block checked`);
    }
    for (const [a, b] of since) this.unhealthySince.set(a, b);
  }

  /**
   * Liquidate every unhealthy position not already in flight, most underwater (debt / maxDebt)
   * first: plan each one (keeper-plan.ts), keep those the keeper's loan tokens cover (saying
   * once per block what is missing for the rest), and send them (keeper-send.ts) with
   * consecutive nonces, so they land in the next block in that order.
   */
  private async liquidateAll(unhealthy: Unhealthy[], market: MarketSnapshot): Promise<void> {
    const todo = unhealthy.filter((u) => !this.inFlight.has(u.borrower)).sort((x, y) => (y.health.ratio > x.health.ratio ? 1 : y.health.ratio < x.health.ratio ? -1 : 0));
    if (!todo.length) return;
    const keeper = this.o.account.address;
    const token = this.info.loanToken.address;
    const [balance, allowance, credits, fees] = await Promise.all([
      this.client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [keeper] }),
      this.client.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [keeper, this.sender.spender] }),
      // Cached (re-read on the registry's events); read here only if missing.
      Promise.all(todo.map((u) => this.credits.get(u.borrower) ?? readCreditPeriod(this.client, this.info.creditOracle, u.borrower, market.blockNumber))),
      this.fees(),
    ]);
    const planned: Order[] = [];
    for (const [i, u] of todo.entries()) {
      const credit = credits[i]!;
      const plan = this.plan(u, market, credit);
      if (!plan) continue;
      const moves = syncedPosition(market, u.position, creditAt(credit, market.timestamp + 1n), market.timestamp + 1n).position.bucket !== u.position.bucket;
      planned.push({ borrower: u.borrower, plan, moves });
    }
    const funds = balance < allowance ? balance : allowance;
    const { chosen, left, needed } = affordable(planned, funds);
    if (left.length) {
      this.log(
        `short of ${this.loan(needed - funds)} at block ${market.blockNumber}: ${planned.length} liquidation(s) may need up to ${this.loan(needed)}, keeper ${keeper} ` +
          `holds ${this.loan(balance)}${allowance < balance ? ` and has approved ${this.loan(allowance)} to ${this.sender.spender}` : ""}; liquidating the ${chosen.length} it covers (most underwater first), ${left.length} left`,
      );
    }
    if (!chosen.length) return;

    const prepared = await this.sender.prepare(chosen);
    for (const { borrower, reason } of prepared.left) {
      this.dirty.add(borrower);
      this.log(reason === "HealthyPosition" ? `${borrower} is healthy again (simulation): skipped` : `liquidation of ${borrower} would revert (${reason}): skipped this block`);
    }
    const plans = new Map(chosen.map((o) => [o.borrower, o.plan]));
    for (const { request, borrowers } of prepared.txs) {
      const tx = await this.txs.send(request, fees, market.blockNumber);
      this.txBorrowers.set(tx.nonce, borrowers);
      for (const b of borrowers) {
        this.inFlight.set(b, { nonce: tx.nonce, since: this.unhealthySince.get(b) ?? market.blockNumber, sentAtBlock: market.blockNumber, plan: plans.get(b)!, journaled: false });
      }
    }
  }

  /**
   * The liquidation of `u`: skipped when the position is healthy at its terms after liquidate()'s
   * tier sync (dated by the wallet's credit period), else amounts that fit every state the
   * transaction may run on (keeper-plan.ts); undefined when there is none.
   */
  private plan(u: Unhealthy, market: MarketSnapshot, credit: CreditPeriod): LiquidationPlan | undefined {
    const synced = syncedPosition(market, u.position, creditAt(credit, market.timestamp), market.timestamp);
    if (healthAt(synced.market, synced.position).healthy) {
      const bucket = bucketFor(credit);
      this.log(`${u.borrower} is healthy at its current terms (bucket ${bucket}${bucket !== u.position.bucket ? `, from ${u.position.bucket}: tier change` : ""}): skipped`);
      return undefined;
    }
    return planRobustLiquidation(market, u.position, credit, { horizonSeconds: this.o.horizonSeconds, priceDownBps: this.o.priceDownBps, priceUpBps: this.o.priceUpBps });
  }

  /** A transaction of ours was mined: record each of its liquidations; what it did not liquidate is re-checked. */
  private mined(tx: SentTx, receipt: TransactionReceipt): void {
    const borrowers = this.txBorrowers.get(tx.nonce) ?? [];
    this.txBorrowers.delete(tx.nonce);
    for (const h of tx.hashes) if (h !== receipt.transactionHash) this.o.journal.drop(this.o.chain.chainId, h);
    const outcomes = this.sender.outcomes(receipt, borrowers);
    for (const borrower of borrowers) {
      const f = this.inFlight.get(borrower);
      this.inFlight.delete(borrower);
      this.dirty.add(borrower);
      if (!f) continue;
      const out = outcomes.get(borrower)!;
      if (!out.liquidated) {
        if (receipt.status === "success") this.skipped++;
        this.o.journal.write({ chainId: this.o.chain.chainId, tx: receipt.transactionHash, borrower, status: "reverted", becameLiquidatableBlock: Number(f.since) });
        this.log(`liquidation of ${borrower} ${receipt.status === "success" ? `skipped (${out.reason})` : "reverted"} in block ${receipt.blockNumber} (tx ${receipt.transactionHash}): will re-check`);
        continue;
      }
      const stat: LiquidationStat = {
        chainId: this.o.chain.chainId,
        borrower,
        becameLiquidatableBlock: Number(f.since),
        liquidatedBlock: Number(receipt.blockNumber),
        delayBlocks: Number(receipt.blockNumber - f.since),
        txHash: receipt.transactionHash,
        repaidAssets: out.repaidAssets,
        seizedAssets: out.seizedAssets,
        badDebt: out.badDebt,
      };
      this.o.record(stat);
      this.o.journal.write({ ...stat, tx: stat.txHash, status: "liquidated" });
      this.log(
        `liquidated ${borrower} in block ${stat.liquidatedBlock} (liquidatable since ${stat.becameLiquidatableBlock}: delay ${stat.delayBlocks} block${stat.delayBlocks === 1 ? "" : "s"}): ` +
          `repaid ${this.loan(out.repaidAssets)}, seized ${this.collateral(out.seizedAssets)}${out.badDebt ? `, bad debt ${this.loan(out.badDebt)}` : ""}`,
      );
    }
  }

  /** A transaction of ours will never be mined: its positions go back to planning. */
  private lost(tx: SentTx): void {
    for (const h of tx.hashes) this.o.journal.drop(this.o.chain.chainId, h);
    for (const borrower of this.txBorrowers.get(tx.nonce) ?? []) {
      this.inFlight.delete(borrower);
      this.dirty.add(borrower);
    }
    this.txBorrowers.delete(tx.nonce);
  }

  /** Stop watching; wait for the block being processed and for the liquidations in flight. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.wake?.();
    this.nudge?.();
    await Promise.all([this.loopDone, this.pollDone]);
    try {
      const left = await this.txs.drain(DRAIN_TIMEOUT_MS, this.o.pollMs, () => this.client.getBlockNumber({ cacheTime: 0 }), () => this.fees());
      for (const t of left) this.log(`stopped without the receipt of ${t.request.what} (tx ${t.hashes.at(-1)})`);
    } catch (e) {
      this.log(`stopped without the receipts of ${this.txs.inFlight().length} transaction(s): ${shortError(e)}`);
    }
    this.rpc.close();
  }
}

/* KEEPER */

/** What node serves each chain (its first URL decides: the kind does not change across a chain's URLs). */
function nodeKinds(chains: readonly { chain: ChainInfo; rpcUrl: string }[]): Promise<{ anvil: boolean; forked: boolean }[]> {
  return Promise.all(chains.map((c) => nodeKind(publicClient(c.chain, c.rpcUrl) as PublicClient)));
}

/** Watch and liquidate on every chain of `opts.chains` until stop(). */
export function startKeeper(opts: KeeperOptions): Keeper {
  const log = opts.log ?? defaultLog;
  const all: LiquidationStat[] = [];
  const chains = opts.chains.map((c) => ({ ...c, chain: typeof c.chain === "number" ? getChain(c.chain) : c.chain }));
  const ids = chains.map((c) => c.chain.chainId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  let keepers: ChainKeeper[] = [];
  let stopped = false;
  // The liquidation log's writes, one after the other, behind the liquidations.
  let writes: Promise<void> = Promise.resolve();
  const db = opts.db;
  const enqueue = (what: string, write: (db: Database) => Promise<void>): void => {
    if (!db) return;
    writes = writes.then(() =>
      write(db).catch((e: unknown) => log(`keeper: cannot write ${what} to the database ${db.label}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`)),
    );
  };
  const journal: Journal = {
    write: (row) => enqueue(`the liquidation of ${row.borrower} (tx ${row.tx}, ${row.status})`, (d) => recordLiquidation(d, row)),
    drop: (chainId, tx) => enqueue(`the removal of the dropped liquidation tx ${tx}`, (d) => deleteLiquidation(d, chainId, tx)),
  };

  const ready = (async () => {
    if (duplicate !== undefined) throw new Error(`chain ${duplicate} is listed twice`);
    if (!chains.length) throw new Error("no chain to watch");
    const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    if (!Number.isFinite(pollMs) || pollMs < 10) throw new Error(`pollMs must be at least 10 ms, got ${pollMs}`);
    const kinds = await nodeKinds(chains);
    // The keeper role's account: ZKRISK_KEEPER_KEY, or anvil's dev key 2 when every chain is an anvil.
    const account = opts.account ?? roleAccount("keeper", { local: kinds.every((k) => k.anvil) });
    keepers = chains.map(
      (c, i) =>
        new ChainKeeper({
          ...c,
          account,
          pollMs,
          log,
          lookbackBlocks: BigInt(opts.lookbackBlocks ?? DEFAULT_LOOKBACK),
          logChunk: opts.logChunk ?? DEFAULT_LOG_CHUNK,
          maxBackoffMs: opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
          horizonSeconds: opts.horizonSeconds ?? 120n,
          priceDownBps: opts.priceDownBps ?? DEFAULT_PRICE_DOWN_BPS,
          priceUpBps: opts.priceUpBps ?? DEFAULT_PRICE_UP_BPS,
          rpcUrls: c.rpcUrls ?? [],
          // An anvil fork fetches state from its upstream on demand: its answers can take seconds.
          rpcTimeoutMs: opts.rpcTimeoutMs ?? (kinds[i]!.forked ? FORK_RPC_TIMEOUT_MS : DEFAULT_RPC_TIMEOUT_MS),
          bumpAfterBlocks: opts.bumpAfterBlocks ?? 2n,
          batch: opts.batch ?? true,
          record: (s) => all.push(s),
          journal,
        }),
    );
    if (stopped) return;
    const started = await Promise.allSettled(keepers.map((k) => k.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await Promise.all(keepers.map((k) => k.stop()));
      throw failed.reason;
    }
  })();
  ready.catch(() => {}); // the caller awaits it; an unawaited failure must not crash the process

  return {
    stats: () => [...all],
    counters() {
      const sum: KeeperCounters = { sent: 0, reverted: 0, replaced: 0, dropped: 0, skipped: 0 };
      for (const k of keepers) {
        const c = k.counters();
        sum.sent += c.sent;
        sum.reverted += c.reverted;
        sum.replaced += c.replaced;
        sum.dropped += c.dropped;
        sum.skipped += k.skipped;
      }
      return sum;
    },
    ready,
    async stop() {
      stopped = true;
      await ready.catch(() => {});
      await Promise.all(keepers.map((k) => k.stop()));
      await writes;
    },
  };
}
