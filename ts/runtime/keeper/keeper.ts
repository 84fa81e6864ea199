// The liquidation keeper: on every new block of every chain it evaluates each open position with
// the contract's own arithmetic (oracle price, interest accrued to the block, effective
// liquidation LTV; ts/runtime/keeper/keeper-math.ts) and liquidates every unhealthy one at once, most
// underwater first, after simulating the call. It measures, per liquidation, the blocks between
// the first block at which the position was liquidatable (found exactly: a missed poll is
// covered by re-checking the skipped blocks with historical calls) and the block that mined the
// liquidation.
//
// State is only ever rebuilt from the chain (events from the deployment block, positions read
// at the processed block), so a restart resumes where the chain is. It never double-liquidates:
// one transaction in flight per borrower, a simulation before each send (a position liquidated
// by someone else or healthy again is skipped without a transaction), its own pending
// transactions mined before it starts, and stop() waits for those it sent. RPC errors are
// logged and retried with exponential backoff; nothing is lost, since the next successful block
// re-reads everything it needs.
//
// With a database (KeeperOptions.db) every liquidation is logged in keeper_liquidations: 'sent'
// when its transaction goes out, then 'liquidated' (block, delay in blocks, repaid, seized, bad
// debt) or 'reverted' from its receipt; a transaction the node dropped is removed. The writes go
// through one queue behind the liquidations, never delaying them; a failed write is logged and
// the keeper goes on; stop() waits for the queue.
import {
  BaseError,
  HttpRequestError,
  TimeoutError,
  parseEventLogs,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  erc20Abi,
  formatUnits,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { nodeKind, publicClient, roleAccount, walletClient } from "../chains/accounts.js";
import { zkRiskLendingAbi } from "../../generated/abi.generated.js";
import { chainLabel, getChain, type ChainInfo } from "../chains/chains.js";
import { hostOf, revertName, shortError } from "../chains/errors.js";
import type { Deployment } from "../deploy/deployment.js";
import type { Database } from "../db/engine.js";
import { deleteLiquidation, recordLiquidation, type LiquidationRow } from "../db/attestations.js";
import { accruedBuckets, bucketFor, healthAt, syncedPosition, WAD, type CreditPeriod, type Health, type LiquidationPlan, type PositionState } from "./keeper-math.js";
import { DEFAULT_PRICE_DOWN_BPS, DEFAULT_PRICE_UP_BPS, planRobustLiquidation } from "./keeper-plan.js";
import {
  DEFAULT_LOG_CHUNK,
  readCreditPeriod,
  readMarket,
  readMarketInfo,
  readPositions,
  touchedAccounts,
  type MarketInfo,
  type MarketSnapshot,
} from "./keeper-positions.js";

export { checkKeeperFunds, fundKeeper, type KeeperFunds } from "./keeper-funds.js";

export interface KeeperChain {
  readonly chain: ChainInfo | number;
  readonly rpcUrl: string;
  readonly deployment: Deployment;
}

export interface KeeperOptions {
  readonly chains: readonly KeeperChain[];
  /** The liquidating account; default the keeper role's key (ZKRISK_KEEPER_KEY, or anvil dev key 2 when every chain is an anvil). */
  readonly account?: Account;
  /** How often each chain is polled for a new block, in ms (default 100: well under a 1 s block). */
  readonly pollMs?: number;
  /** Log lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** Where the liquidation log is written (keeper_liquidations); none: kept in memory only (stats()). */
  readonly db?: Database;
  /** On start, how many blocks back to look for when an already unhealthy position became so (default 256). */
  readonly lookbackBlocks?: number;
  /** Blocks per eth_getLogs call (default 2000). */
  readonly logChunk?: bigint;
  /** Longest backoff after RPC errors, in ms (default 5000). */
  readonly maxBackoffMs?: number;
  /** Seconds of interest accrual a liquidation's amounts must tolerate before it is mined (default 120). */
  readonly horizonSeconds?: bigint;
  /** How far (bps) the next oracle answer may fall, and rise, before a liquidation is mined, without making it revert (default 500 and 50). */
  readonly priceDownBps?: bigint;
  readonly priceUpBps?: bigint;
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

export interface Keeper {
  /** Liquidations mined so far, in the order they were seen. */
  stats(): LiquidationStat[];
  /** Stops watching, waits for the liquidations in flight (recorded in stats) and for the log's database writes, and resolves. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when every chain is connected, backfilled and checked once; rejects with a one-line reason. */
  readonly ready: Promise<void>;
}

const DEFAULT_POLL_MS = 100;
const DEFAULT_LOOKBACK = 256;
const DEFAULT_MAX_BACKOFF_MS = 5_000;
/** A transaction still unknown to the node this many blocks after it was sent is considered dropped. */
const DROPPED_AFTER_BLOCKS = 25n;
/** Gas added to every liquidation's estimate (plus 50%): the estimate may skip the interest accrual the real block runs. */
const GAS_MARGIN = 100_000n;
/** Every open position is re-read at least this often (blocks), events or not. */
const FULL_REFRESH_BLOCKS = 64;
/** How long stop() waits for liquidations in flight. */
const DRAIN_TIMEOUT_MS = 15_000;

const defaultLog = (line: string): void => void process.stderr.write(`${line}\n`);
/** The request did not get an answer (connection refused or reset, timeout), as opposed to an answer that is an error. */
const isTransportError = (e: unknown): boolean => e instanceof BaseError && e.walk((x) => x instanceof HttpRequestError || x instanceof TimeoutError) !== null;

/* ANVIL MINING */

/** Any viem client (public, wallet, test): only its EIP-1193 `request` is used. */
export interface RpcClient {
  request: (...args: never[]) => Promise<unknown>;
}

async function rawRequest(client: RpcClient, method: string, params: unknown[]): Promise<unknown> {
  return (client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<unknown>)({ method, params });
}

/** anvil: stop automining and mine a block every `seconds` (empty or not). */
export async function setIntervalMining(client: RpcClient, seconds: number): Promise<void> {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`interval mining needs a whole number of seconds >= 1, got ${seconds}`);
  await rawRequest(client, "evm_setAutomine", [false]);
  await rawRequest(client, "evm_setIntervalMining", [seconds]);
}

/** anvil: back to automine (one block per transaction, as soon as it arrives), interval mining off. */
export async function setAutomine(client: RpcClient): Promise<void> {
  await rawRequest(client, "evm_setIntervalMining", [0]);
  await rawRequest(client, "evm_setAutomine", [true]);
}

/* ONE CHAIN */

interface Unhealthy {
  readonly borrower: Address;
  readonly position: PositionState;
  readonly health: Health;
}

interface InFlight {
  readonly hash: Hash;
  readonly since: bigint;
  readonly sentAtBlock: bigint;
  readonly plan: LiquidationPlan;
}

interface ChainKeeperOptions {
  readonly chain: ChainInfo;
  readonly rpcUrl: string;
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
  private readonly client: PublicClient;
  private readonly wallet: WalletClient<Transport, Chain, Account>;
  private readonly lending: Address;
  private info!: MarketInfo;
  /** Open positions (debt > 0) as of the last processed block. */
  private readonly positions = new Map<Address, PositionState>();
  /** Accounts whose position changed since it was last read. */
  private readonly dirty = new Set<Address>();
  /** Logs were pulled through this block. */
  private logCursor = 0n;
  /** The last block whose health check completed. */
  private lastChecked: bigint | undefined;
  /** First block of each unhealthy position's current streak. */
  private readonly unhealthySince = new Map<Address, bigint>();
  private readonly inFlight = new Map<Address, InFlight>();
  /** Borrowers whose funding shortfall was already logged (until it is resolved). */
  private readonly shortfallLogged = new Set<Address>();
  private head = -1n;
  private processed = -1n;
  private unwatch: (() => void) | undefined;
  private rewatchTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private running = false;
  private readonly abort = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private backoffMs = 0;
  private outage: { source: "poll" | "process"; since: number; errors: number; lastLog: number } | undefined;
  /** Blocks processed since every open position was last re-read. */
  private sinceRefresh = 0;
  private priceError: string | undefined;

  constructor(private readonly o: ChainKeeperOptions) {
    this.label = chainLabel(o.chain);
    this.client = publicClient(o.chain, o.rpcUrl) as PublicClient;
    this.wallet = walletClient(o.chain, o.rpcUrl, o.account);
    this.lending = o.deployment.contracts.lending.address;
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

    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    const from = BigInt(deployment.deployBlock);
    const accounts = [...(await touchedAccounts(this.client, this.lending, from, head, this.o.logChunk))];
    for (const [a, p] of await readPositions(this.client, this.lending, accounts, head)) if (p.borrowShares > 0n) this.positions.set(a, p);
    this.logCursor = head;
    this.log(`${this.positions.size} open positions among ${accounts.length} accounts (events from block ${from} to ${head}); keeper ${this.o.account.address}`);
    await this.processBlock(head);
    this.processed = head;
    this.head = head;

    this.loopDone = this.loop();
    this.watch();
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

  private watch(): void {
    if (!this.running) return;
    this.unwatch = this.client.watchBlockNumber({
      poll: true,
      pollingInterval: this.o.pollMs,
      emitOnBegin: true,
      emitMissed: false,
      onBlockNumber: (n) => {
        if (this.outage?.source === "poll") this.recovered();
        if (n > this.head) {
          this.head = n;
          this.wake?.();
        }
      },
      onError: (e) => {
        this.unwatch?.();
        this.unwatch = undefined;
        this.rpcError("poll", "polling the block number", e);
        if (this.running) this.rewatchTimer = setTimeout(() => this.watch(), this.nextBackoff());
      },
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.head <= this.processed) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
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
        await this.sleep(this.nextBackoff());
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
      this.log(`RPC error ${where}: ${shortError(e)}; retrying with backoff`);
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

  /** Pull events, settle sent transactions, read the market and changed positions at `n`, check every position, liquidate. */
  private async processBlock(n: bigint): Promise<void> {
    if (n > this.logCursor) {
      for (const a of await touchedAccounts(this.client, this.lending, this.logCursor + 1n, n, this.o.logChunk)) this.dirty.add(a);
      this.logCursor = n;
    }
    await this.settle(n);
    // Every so often re-read every open position, not only those with events: a reorg can drop an event.
    if (++this.sinceRefresh >= FULL_REFRESH_BLOCKS) {
      for (const a of this.positions.keys()) this.dirty.add(a);
      this.sinceRefresh = 0;
    }
    const market = await readMarket(this.client, this.info, n);
    if (this.dirty.size) {
      const changed = [...this.dirty];
      for (const [a, p] of await readPositions(this.client, this.lending, changed, n)) {
        this.dirty.delete(a);
        if (p.borrowShares > 0n) this.positions.set(a, p);
        else {
          this.positions.delete(a);
          this.unhealthySince.delete(a);
        }
      }
    }
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
      const health = healthAt(market, position, market.timestamp, buckets);
      if (health.healthy) {
        this.unhealthySince.delete(borrower);
        this.shortfallLogged.delete(borrower);
      } else unhealthy.push({ borrower, position, health });
    }
    const fresh = unhealthy.filter((u) => !this.unhealthySince.has(u.borrower));
    if (fresh.length) await this.findStreakStarts(fresh.map((u) => u.borrower), n);
    this.lastChecked = n;
    if (unhealthy.length) await this.liquidateAll(unhealthy, market);
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
        const market = await readMarket(this.client, this.info, b);
        const positions = await readPositions(this.client, this.lending, remaining, b);
        const buckets = accruedBuckets(market, market.timestamp);
        remaining = remaining.filter((a) => {
          if (healthAt(market, positions.get(a)!, market.timestamp, buckets).healthy) return false;
          since.set(a, b);
          return true;
        });
      }
      if (remaining.length && this.lastChecked === undefined && floor > deployBlock) {
        this.log(`${remaining.length} position(s) were already liquidatable at block ${floor}, the lookback limit: their delay counts from there`);
      }
    } catch (e) {
      // The node is unreachable: retry the whole block later. It cannot serve old state: make do.
      if (isTransportError(e)) throw e;
      this.log(`could not re-check past blocks (${shortError(e)}): delays of ${remaining.length} position(s) count from the earliest block checked`);
    }
    for (const [a, b] of since) this.unhealthySince.set(a, b);
  }

  /**
   * Liquidate every unhealthy position not already in flight, most underwater (debt / maxDebt)
   * first: plan each one (on the position as liquidate() will see it after its tier sync), keep
   * those the keeper's funds cover, simulate and estimate them all at once, then send them in
   * order with consecutive nonces, so they land in the next block in that order.
   */
  private async liquidateAll(unhealthy: Unhealthy[], market: MarketSnapshot): Promise<void> {
    const todo = unhealthy.filter((u) => !this.inFlight.has(u.borrower)).sort((x, y) => (y.health.ratio > x.health.ratio ? 1 : y.health.ratio < x.health.ratio ? -1 : 0));
    if (!todo.length) return;
    const keeper = this.o.account.address;
    const token = this.info.loanToken.address;
    const [nonce0, balance0, allowance0, fees, credits] = await Promise.all([
      this.client.getTransactionCount({ address: keeper, blockTag: "pending" }),
      this.client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [keeper] }),
      this.client.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [keeper, this.lending] }),
      this.client.estimateFeesPerGas(),
      Promise.all(todo.map((u) => readCreditPeriod(this.client, this.info.creditOracle, u.borrower, market.blockNumber))),
    ]);

    let balance = balance0;
    let allowance = allowance0;
    const planned: { u: Unhealthy; plan: LiquidationPlan }[] = [];
    for (const [i, u] of todo.entries()) {
      const plan = this.plan(u, market, credits[i]!);
      if (!plan) continue;
      if (balance < plan.maxRepaidAssets || allowance < plan.maxRepaidAssets) {
        this.logShortfall(u.borrower, plan, balance, allowance);
        continue;
      }
      balance -= plan.maxRepaidAssets;
      allowance -= plan.maxRepaidAssets;
      planned.push({ u, plan });
    }

    const ready = await Promise.all(
      planned.map(async ({ u, plan }) => {
        const args = [u.borrower, plan.seizedAssets, plan.repaidShares] as const;
        const call = { address: this.lending, abi: zkRiskLendingAbi, functionName: "liquidate", args, account: this.o.account } as const;
        try {
          const [, gas] = await Promise.all([this.client.simulateContract(call), this.client.estimateContractGas(call)]);
          return { u, plan, args, gas };
        } catch (e) {
          const reason = revertName(e);
          if (reason === undefined) throw e;
          this.dirty.add(u.borrower);
          this.log(reason === "HealthyPosition" ? `${u.borrower} is healthy again (simulation): skipped` : `liquidation of ${u.borrower} would revert (${reason}): skipped this block`);
          return undefined;
        }
      }),
    );

    let nonce = nonce0;
    for (const r of ready) {
      if (!r) continue;
      const { u, plan } = r;
      // The estimate ran on the latest state at its timestamp; in the next block interest
      // accrues first (more storage writes), so the limit keeps a wide margin (only gas used is paid).
      const hash = await this.wallet.writeContract({
        address: this.lending,
        abi: zkRiskLendingAbi,
        functionName: "liquidate",
        args: r.args,
        nonce,
        gas: (r.gas * 3n) / 2n + GAS_MARGIN,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      nonce++;
      const since = this.unhealthySince.get(u.borrower) ?? market.blockNumber;
      this.inFlight.set(u.borrower, { hash, since, sentAtBlock: market.blockNumber, plan });
      this.o.journal.write({ chainId: this.o.chain.chainId, tx: hash, borrower: u.borrower, status: "sent", becameLiquidatableBlock: Number(since) });
      const ratio = Number((u.health.ratio * 10_000n) / WAD) / 10_000;
      this.log(
        `liquidating ${u.borrower} (${plan.kind}; debt/maxDebt ${ratio.toFixed(4)}, debt ${this.loan(u.health.debt)}, liquidatable since block ${since}) at block ${market.blockNumber}: tx ${hash}`,
      );
    }
  }

  /**
   * The liquidation of `u`: skipped when the position is healthy at its terms after liquidate()'s
   * tier sync (dated by the wallet's credit period), else amounts that fit every state the
   * transaction may run on (keeper-plan.ts); undefined when there is none.
   */
  private plan(u: Unhealthy, market: MarketSnapshot, credit: CreditPeriod): LiquidationPlan | undefined {
    const synced = syncedPosition(market, u.position, credit, market.timestamp);
    if (healthAt(synced.market, synced.position).healthy) {
      const bucket = bucketFor(credit);
      this.log(`${u.borrower} is healthy at its current terms (bucket ${bucket}${bucket !== u.position.bucket ? `, from ${u.position.bucket}: tier change` : ""}): skipped`);
      return undefined;
    }
    return planRobustLiquidation(market, u.position, credit, { horizonSeconds: this.o.horizonSeconds, priceDownBps: this.o.priceDownBps, priceUpBps: this.o.priceUpBps });
  }

  private logShortfall(borrower: Address, plan: LiquidationPlan, balance: bigint, allowance: bigint): void {
    if (this.shortfallLogged.has(borrower)) return;
    this.shortfallLogged.add(borrower);
    const missing = [
      balance < plan.maxRepaidAssets ? `holds ${this.loan(balance)}` : undefined,
      allowance < plan.maxRepaidAssets ? `has approved ${this.loan(allowance)} to the lending contract ${this.lending}` : undefined,
    ].filter(Boolean);
    this.log(`cannot liquidate ${borrower}: it needs up to ${this.loan(plan.maxRepaidAssets)} and keeper ${this.o.account.address} ${missing.join(" and ")}`);
  }

  /** Record the receipts of liquidations in flight; forget transactions the node dropped. */
  private async settle(n: bigint): Promise<void> {
    for (const [borrower, f] of this.inFlight) {
      let receipt;
      try {
        receipt = await this.client.getTransactionReceipt({ hash: f.hash });
      } catch (e) {
        if (!(e instanceof TransactionReceiptNotFoundError)) throw e;
        if (n - f.sentAtBlock < DROPPED_AFTER_BLOCKS) continue;
        const known = await this.client.getTransaction({ hash: f.hash }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof TransactionNotFoundError) return false;
            throw err;
          },
        );
        if (known) continue;
        this.log(`liquidation of ${borrower} (tx ${f.hash}) was dropped by the node: will retry`);
        this.o.journal.drop(this.o.chain.chainId, f.hash);
        this.inFlight.delete(borrower);
        this.dirty.add(borrower);
        continue;
      }
      this.inFlight.delete(borrower);
      this.dirty.add(borrower);
      this.recordReceipt(borrower, f, receipt);
    }
  }

  private recordReceipt(borrower: Address, f: InFlight, receipt: Awaited<ReturnType<PublicClient["getTransactionReceipt"]>>): void {
    if (receipt.status !== "success") {
      this.o.journal.write({ chainId: this.o.chain.chainId, tx: f.hash, borrower, status: "reverted", becameLiquidatableBlock: Number(f.since) });
      this.log(`liquidation of ${borrower} reverted in block ${receipt.blockNumber} (tx ${f.hash}): will re-check`);
      return;
    }
    const events = parseEventLogs({ abi: zkRiskLendingAbi, logs: receipt.logs, eventName: ["Liquidate", "BadDebt"] }).filter(
      (l) => l.address.toLowerCase() === this.lending.toLowerCase() && l.args.borrower.toLowerCase() === borrower.toLowerCase(),
    );
    let repaidAssets = 0n;
    let seizedAssets = 0n;
    let badDebt = 0n;
    for (const e of events) {
      if (e.eventName === "Liquidate") {
        repaidAssets += e.args.repaidAssets;
        seizedAssets += e.args.seizedAssets;
      } else badDebt += e.args.assets;
    }
    const stat: LiquidationStat = {
      chainId: this.o.chain.chainId,
      borrower,
      becameLiquidatableBlock: Number(f.since),
      liquidatedBlock: Number(receipt.blockNumber),
      delayBlocks: Number(receipt.blockNumber - f.since),
      txHash: f.hash,
      repaidAssets,
      seizedAssets,
      badDebt,
    };
    this.o.record(stat);
    this.o.journal.write({ ...stat, tx: stat.txHash, status: "liquidated" });
    this.log(
      `liquidated ${borrower} in block ${stat.liquidatedBlock} (liquidatable since ${stat.becameLiquidatableBlock}: delay ${stat.delayBlocks} block${stat.delayBlocks === 1 ? "" : "s"}): ` +
        `repaid ${this.loan(repaidAssets)}, seized ${this.collateral(seizedAssets)}${badDebt ? `, bad debt ${this.loan(badDebt)}` : ""}`,
    );
  }

  /** Stop watching; wait for the block being processed and for the liquidations in flight. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unwatch?.();
    clearTimeout(this.rewatchTimer);
    this.abort.abort();
    this.wake?.();
    await this.loopDone;
    await Promise.all(
      [...this.inFlight].map(async ([borrower, f]) => {
        try {
          const receipt = await this.client.waitForTransactionReceipt({ hash: f.hash, pollingInterval: this.o.pollMs, timeout: DRAIN_TIMEOUT_MS });
          this.inFlight.delete(borrower);
          this.recordReceipt(borrower, f, receipt);
        } catch (e) {
          this.log(`stopped without the receipt of the liquidation of ${borrower} (tx ${f.hash}): ${shortError(e)}`);
        }
      }),
    );
  }
}

/* KEEPER */

/** The keeper role's account: ZKRISK_KEEPER_KEY, or anvil's dev key 2 when every chain is an anvil. */
async function defaultAccount(chains: readonly { chain: ChainInfo; rpcUrl: string }[]): Promise<Account> {
  const kinds = await Promise.all(chains.map((c) => nodeKind(publicClient(c.chain, c.rpcUrl) as PublicClient)));
  return roleAccount("keeper", { local: kinds.every((k) => k.anvil) });
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
    const account = opts.account ?? (await defaultAccount(chains));
    keepers = chains.map(
      (c) =>
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
    ready,
    async stop() {
      stopped = true;
      await ready.catch(() => {});
      await Promise.all(keepers.map((k) => k.stop()));
      await writes;
    },
  };
}
