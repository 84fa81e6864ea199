// What the keeper reads from one chain: the market's immutables, the market state and
// positions at a given block (every read pinned to that block, so one snapshot is consistent),
// and which accounts' positions changed in a block range (from the lending contract's events,
// fetched in chunks).
import { erc20Abi, getAddress, type Address, type PublicClient } from "viem";
import { attestationRegistryAbi, chainlinkOracleAdapterAbi, zkRiskLendingAbi } from "../../generated/abi.generated.js";
import { revertName } from "../chains/errors.js";
import { BUCKET_COUNT, type CreditPeriod, type MarketState, type PositionState } from "./keeper-math.js";

export interface TokenInfo {
  readonly address: Address;
  readonly symbol: string;
  readonly decimals: number;
}

export interface MarketInfo {
  readonly lending: Address;
  readonly oracle: Address;
  /** The credit oracle (the attestation registry): it dates each wallet's tier changes. */
  readonly creditOracle: Address;
  readonly loanToken: TokenInfo;
  readonly collateralToken: TokenInfo;
  readonly kinkUtilization: bigint;
  readonly jumpApr: bigint;
}

const BUCKETS = Array.from({ length: BUCKET_COUNT }, (_, b) => b);

async function tokenInfo(client: PublicClient, address: Address): Promise<TokenInfo> {
  const [symbol, decimals] = await Promise.all([
    client.readContract({ address, abi: erc20Abi, functionName: "symbol" }),
    client.readContract({ address, abi: erc20Abi, functionName: "decimals" }),
  ]);
  return { address, symbol, decimals };
}

/** The lending contract's immutables and its tokens' symbols and decimals. */
export async function readMarketInfo(client: PublicClient, lending: Address): Promise<MarketInfo> {
  const read = <F extends "ORACLE" | "CREDIT_ORACLE" | "LOAN_TOKEN" | "COLLATERAL_TOKEN" | "KINK_UTILIZATION" | "JUMP_APR">(functionName: F) =>
    client.readContract({ address: lending, abi: zkRiskLendingAbi, functionName });
  const [oracle, creditOracle, loan, collateral, kinkUtilization, jumpApr] = await Promise.all([
    read("ORACLE"),
    read("CREDIT_ORACLE"),
    read("LOAN_TOKEN"),
    read("COLLATERAL_TOKEN"),
    read("KINK_UTILIZATION"),
    read("JUMP_APR"),
  ]);
  const [loanToken, collateralToken] = await Promise.all([tokenInfo(client, loan), tokenInfo(client, collateral)]);
  return { lending, oracle, creditOracle, loanToken, collateralToken, kinkUtilization, jumpApr };
}

export interface MarketSnapshot extends MarketState {
  /** Why ORACLE.price() reverted at this block, when it did. */
  readonly priceError: string | undefined;
}

/** The market state at `blockNumber`: oracle price, buckets, risk parameters, totals, last accrual, block time. */
export async function readMarket(client: PublicClient, info: MarketInfo, blockNumber: bigint): Promise<MarketSnapshot> {
  const lending = { address: info.lending, abi: zkRiskLendingAbi, blockNumber } as const;
  const pricePromise = client
    .readContract({ address: info.oracle, abi: chainlinkOracleAdapterAbi, functionName: "price", blockNumber })
    .then((price) => ({ price, error: undefined }))
    .catch((e: unknown) => {
      const reason = revertName(e);
      if (reason === undefined) throw e;
      return { price: undefined, error: reason };
    });
  const [block, price, buckets, tierParams, totalBorrowAssets, totalSupplyAssets, lastUpdate] = await Promise.all([
    client.getBlock({ blockNumber }),
    pricePromise,
    Promise.all(BUCKETS.map((b) => client.readContract({ ...lending, functionName: "bucket", args: [b] }))),
    Promise.all(BUCKETS.map((b) => client.readContract({ ...lending, functionName: "tierParams", args: [b] }))),
    client.readContract({ ...lending, functionName: "totalBorrowAssets" }),
    client.readContract({ ...lending, functionName: "totalSupplyAssets" }),
    client.readContract({ ...lending, functionName: "lastUpdate" }),
  ]);
  return {
    blockNumber,
    timestamp: block.timestamp,
    price: price.price,
    priceError: price.error,
    buckets,
    tierParams,
    totalBorrowAssets,
    totalSupplyAssets,
    lastUpdate,
    kinkUtilization: info.kinkUtilization,
    jumpApr: info.jumpApr,
  };
}

/** `account`'s position at `blockNumber`. */
export async function readPosition(client: PublicClient, lending: Address, account: Address, blockNumber: bigint): Promise<PositionState> {
  const p = await client.readContract({ address: lending, abi: zkRiskLendingAbi, functionName: "position", args: [account], blockNumber });
  return {
    borrowShares: p.borrowShares,
    collateral: p.collateral,
    bucket: p.bucket,
    rampStart: BigInt(p.rampStart),
    rampEnd: BigInt(p.rampEnd),
    rampFromLltv: p.rampFromLltv,
    round: p.round,
    syncedAt: BigInt(p.syncedAt),
  };
}

/** `account`'s credit period at `blockNumber`, from the credit oracle: what dates its tier changes. */
export async function readCreditPeriod(client: PublicClient, creditOracle: Address, account: Address, blockNumber: bigint): Promise<CreditPeriod> {
  const c = await client.readContract({ address: creditOracle, abi: attestationRegistryAbi, functionName: "creditPeriodOf", args: [account], blockNumber });
  return { roundId: c.roundId, tier: c.tier, counts: c.counts, issuedAt: c.issuedAt, endsAt: c.endsAt, previousEndedAt: c.previousEndedAt };
}

/** Positions of `accounts` at `blockNumber`, read `concurrency` at a time. */
export async function readPositions(
  client: PublicClient,
  lending: Address,
  accounts: readonly Address[],
  blockNumber: bigint,
  concurrency = 32,
): Promise<Map<Address, PositionState>> {
  const out = new Map<Address, PositionState>();
  for (let i = 0; i < accounts.length; i += concurrency) {
    const slice = accounts.slice(i, i + concurrency);
    const positions = await Promise.all(slice.map((a) => readPosition(client, lending, a, blockNumber)));
    slice.forEach((a, j) => out.set(a, positions[j]!));
  }
  return out;
}

/** The events that change a position, and which argument names the account whose position it is. */
const ACCOUNT_ARG = {
  Borrow: "caller",
  Repay: "onBehalf",
  SupplyCollateral: "onBehalf",
  WithdrawCollateral: "caller",
  Liquidate: "borrower",
  TierSynced: "borrower",
  BadDebt: "borrower",
} as const;
type PositionEventName = keyof typeof ACCOUNT_ARG;
type LendingEvent = Extract<(typeof zkRiskLendingAbi)[number], { type: "event" }>;
type PositionEvent = Extract<LendingEvent, { name: PositionEventName }>;

const POSITION_EVENTS = zkRiskLendingAbi.filter((x): x is PositionEvent => x.type === "event" && x.name in ACCOUNT_ARG);

/** Default block range of one eth_getLogs call. */
export const DEFAULT_LOG_CHUNK = 2_000n;

/** Accounts whose position changed in blocks [from, to], from the lending contract's events (chunks of `chunk` blocks). */
export async function touchedAccounts(
  client: PublicClient,
  lending: Address,
  from: bigint,
  to: bigint,
  chunk: bigint = DEFAULT_LOG_CHUNK,
): Promise<Set<Address>> {
  const touched = new Set<Address>();
  for (let start = from; start <= to; start += chunk) {
    const end = start + chunk - 1n < to ? start + chunk - 1n : to;
    const logs = await client.getLogs({ address: lending, events: POSITION_EVENTS, fromBlock: start, toBlock: end, strict: true });
    for (const log of logs) {
      const name = log.eventName as PositionEventName;
      const args = log.args as Record<string, unknown>;
      const account = args[ACCOUNT_ARG[name]];
      if (typeof account === "string") touched.add(getAddress(account));
    }
  }
  return touched;
}

/** Credit periods of `accounts` at `blockNumber`, read `concurrency` at a time. */
export async function readCreditPeriods(
  client: PublicClient,
  creditOracle: Address,
  accounts: readonly Address[],
  blockNumber: bigint,
  concurrency = 32,
): Promise<Map<Address, CreditPeriod>> {
  const out = new Map<Address, CreditPeriod>();
  for (let i = 0; i < accounts.length; i += concurrency) {
    const slice = accounts.slice(i, i + concurrency);
    const credits = await Promise.all(slice.map((a) => readCreditPeriod(client, creditOracle, a, blockNumber)));
    slice.forEach((a, j) => out.set(a, credits[j]!));
  }
  return out;
}

const CREDIT_EVENTS = attestationRegistryAbi.filter(
  (x): x is Extract<(typeof attestationRegistryAbi)[number], { type: "event"; name: "CommitmentPosted" | "Attested" | "ModelRetired" }> =>
    x.type === "event" && (x.name === "CommitmentPosted" || x.name === "Attested" || x.name === "ModelRetired"),
);

/**
 * Wallets whose credit period changed in blocks [from, to] (a commitment posted, an attestation),
 * from the credit oracle's events; `all` when a model was retired (every wallet attested by it).
 * Time alone changes a credit period too (an attestation stops counting at endsAt): that needs no event.
 */
export async function touchedCredits(client: PublicClient, creditOracle: Address, from: bigint, to: bigint, chunk: bigint = DEFAULT_LOG_CHUNK): Promise<{ wallets: Set<Address>; all: boolean }> {
  const wallets = new Set<Address>();
  let all = false;
  for (let start = from; start <= to; start += chunk) {
    const end = start + chunk - 1n < to ? start + chunk - 1n : to;
    const logs = await client.getLogs({ address: creditOracle, events: CREDIT_EVENTS, fromBlock: start, toBlock: end, strict: true });
    for (const log of logs) {
      if (log.eventName === "ModelRetired") all = true;
      else wallets.add(getAddress((log.args as { wallet: Address }).wallet));
    }
  }
  return { wallets, all };
}
