// Synthetic, well-formed pool history for the indexer benchmark (bench/indexer.ts): three chains
// (1, 137, 42161) with their real block times, `wallets` wallets each active on one to three of
// them, and `events` pool events spread over `days` days, produced a page at a time exactly as
// the indexer hands them to the database (decoded logs -> IndexedEvent[], a page = the indexer's
// eth_getLogs block range, DEFAULT_CHUNK_SIZE blocks), so that memory never holds more than one
// page per chain.
//
// Well-formed: every event belongs to the wallet whose position it changes and follows that
// position (a first event is a collateral deposit or a supply; borrows stay under 60% of the
// collateral's value at the event's oracle price, repays and withdrawals never exceed what is
// there, a liquidation needs debt); blocks ascend with unique (block, log index), timestamps follow
// the chain's block time, collateral events carry the 36-decimal IOracle price of their block and
// value = assets * price / 1e36 as the indexer computes it. Every wallet has at least one event on
// each chain it uses.
//
// For the feature phase, `chainClient` stands in for the RPC endpoint the ChainReader reads past
// blocks from (block timestamps, the oracle price, positions, nonces): deterministic and in
// memory, so the benchmark measures the database and the feature code, not an RPC server.
import { createHash } from "node:crypto";
import type { Address, Hash, PublicClient } from "viem";
import type { Checkpoint, IndexedEvent, PoolEventKind } from "../ts/runtime/indexer/index-state.js";
import { DEFAULT_CHUNK_SIZE } from "../ts/runtime/indexer/indexer.js";

/** The chains of features.json, with their block times and a plausible deployment block. */
export const SYNTH_CHAINS = [
  { chainId: 1, blockSeconds: 12, startBlock: 21_500_000 },
  { chainId: 137, blockSeconds: 2, startBlock: 66_000_000 },
  { chainId: 42161, blockSeconds: 0.25, startBlock: 290_000_000 },
] as const;

/** 2025-01-01 05:00 UTC: the first block of every synthetic chain. */
const T0 = 1_735_707_600;
const LOAN_DECIMALS = 6;
const E18 = 10n ** 18n;
const PRICE_SCALE = 10n ** 36n;
/** Most a wallet borrows against its collateral's value (the pool's max LTV for the history). */
const MAX_LTV = 0.6;

export interface SynthPlan {
  readonly events: number;
  readonly wallets: number;
  readonly days: number;
  readonly seed: number;
  /** Blocks per page (default: the indexer's DEFAULT_CHUNK_SIZE). */
  readonly pageBlocks?: number;
}

/** mulberry32: a small, fast, seeded PRNG in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of integers (deterministic per input). */
function hash32(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** ETH/USD at a time: around 3,000 with a +-12% swing over 5 days. */
export const ethUsdAt = (time: number): number => 3000 * (1 + 0.12 * Math.sin((2 * Math.PI * (time - T0)) / (5 * 86_400)));
/** The IOracle price (36 + loan decimals - collateral decimals = 24 decimals) at a time. */
const oraclePriceAt = (time: number): bigint => BigInt(Math.round(ethUsdAt(time) * 1e6)) * E18;
const ethAssets = (eth: number): bigint => BigInt(Math.round(eth * 1e9)) * 10n ** 9n;
const usdAssets = (usd: number): bigint => BigInt(Math.round(usd * 10 ** LOAN_DECIMALS));
const logUniform = (r: () => number, lo: number, hi: number) => lo * (hi / lo) ** r();

/** Wallet i's address: sha1 of its index (20 bytes, lower-case). */
export const walletAddress = (i: number): Address => `0x${createHash("sha1").update(`zkrisk-bench-wallet-${i}`).digest("hex")}` as Address;

/** Which chains (indexes into SYNTH_CHAINS) wallet i uses: its home chain, a second one for 40%, all three for 10%. */
function chainsOf(i: number, seed: number): number[] {
  const home = i % 3;
  const u = hash32(seed, i) % 100;
  if (u < 10) return [0, 1, 2];
  if (u < 40) return [home, (home + 1) % 3].sort();
  return [home];
}

export interface SynthChain {
  readonly chainId: number;
  /** Lower-case pool address. */
  readonly pool: Address;
  readonly startBlock: number;
  readonly lastBlock: number;
  readonly blockSeconds: number;
  /** Events and wallets of this chain. */
  readonly events: number;
  readonly wallets: number;
  readonly pages: number;
  timeOf(block: number): number;
  /** The next page of events (ascending blocks) and its last block's checkpoint; undefined when done. */
  nextPage(): { events: IndexedEvent[]; to: Checkpoint } | undefined;
  /** A stand-in for this chain's RPC endpoint (what ChainReader reads). */
  client(): PublicClient;
}

export function synthChains(plan: SynthPlan): SynthChain[] {
  const members: number[][] = SYNTH_CHAINS.map(() => []);
  for (let i = 0; i < plan.wallets; i++) for (const c of chainsOf(i, plan.seed)) members[c]!.push(i);
  const memberships = members.reduce((a, m) => a + m.length, 0);
  if (plan.events < memberships) throw new Error(`${plan.events} events are too few for ${plan.wallets} wallets on ${memberships} wallet-chains (one event each at least)`);
  const addresses: Address[] = Array.from({ length: plan.wallets }, (_, i) => walletAddress(i));
  let assigned = 0;
  return SYNTH_CHAINS.map((c, k) => {
    const events = k === SYNTH_CHAINS.length - 1 ? plan.events - assigned : Math.round((plan.events * members[k]!.length) / memberships);
    assigned += events;
    return chain(c, members[k]!, addresses, events, plan);
  });
}

function chain(c: (typeof SYNTH_CHAINS)[number], memberList: number[], addresses: readonly Address[], events: number, plan: SynthPlan): SynthChain {
  const { chainId, blockSeconds, startBlock } = c;
  const pageBlocks = plan.pageBlocks ?? DEFAULT_CHUNK_SIZE;
  const blocks = Math.ceil((plan.days * 86_400) / blockSeconds);
  const lastBlock = startBlock + blocks - 1;
  const pages = Math.ceil(blocks / pageBlocks);
  const pool = `0x${hex(chainId, 8)}${"b".repeat(32)}` as Address;
  const timeOf = (block: number) => T0 + Math.floor((block - startBlock) * blockSeconds);
  const blockHash = (block: number) => `0x${hex(chainId, 8)}${hex(hash32(chainId, block, 1), 8)}${hex(block, 16)}${hex(hash32(chainId, block, 2), 8)}${"0".repeat(24)}` as Hash;

  // Wallets appear in a random order spread over the history: the n-th event is a new wallet
  // with probability (wallets not seen yet) / (events left), so every wallet appears once at least.
  const r = rng(hash32(plan.seed, chainId));
  const order = Uint32Array.from(memberList);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const n = order.length;
  // Position per wallet of this chain (by its place in `order`): collateral (ETH), debt and supply (USD).
  const collateral = new Float64Array(n);
  const debt = new Float64Array(n);
  const supplied = new Float64Array(n);
  let seen = 0;
  let emitted = 0;
  let page = 0;

  const eventOf = (slot: number, isNew: boolean, block: number, logIndex: number): IndexedEvent => {
    const time = timeOf(block);
    const ethUsd = ethUsdAt(time);
    const colUsd = collateral[slot]! * ethUsd;
    let kind: PoolEventKind;
    if (isNew) kind = r() < 0.75 ? "deposit" : "supply";
    else {
      const options: [PoolEventKind, number][] = [
        ["deposit", 2],
        ["supply", 1],
      ];
      if (colUsd * MAX_LTV - debt[slot]! > 10) options.push(["borrow", 3]);
      if (debt[slot]! > 1) options.push(["repay", 3]);
      if (debt[slot]! > 1 && debt[slot]! > 0.45 * colUsd) options.push(["liquidation", 0.3]);
      if (collateral[slot]! > 1e-6 && colUsd * MAX_LTV - debt[slot]! > 10) options.push(["withdraw", 1]);
      if (supplied[slot]! > 1) options.push(["withdraw_supply", 1]);
      let u = r() * options.reduce((a, o) => a + o[1], 0);
      kind = options.find((o) => (u -= o[1]) < 0)?.[0] ?? "deposit";
    }
    let assets: bigint;
    let price: bigint | null = null;
    switch (kind) {
      case "deposit": {
        const eth = logUniform(r, 0.02, 25);
        collateral[slot] = collateral[slot]! + eth;
        assets = ethAssets(eth);
        price = oraclePriceAt(time);
        break;
      }
      case "withdraw": {
        const free = collateral[slot]! - debt[slot]! / (ethUsd * MAX_LTV);
        const eth = free * (0.1 + 0.9 * r());
        collateral[slot] = collateral[slot]! - eth;
        assets = ethAssets(eth);
        price = oraclePriceAt(time);
        break;
      }
      case "supply": {
        const usd = logUniform(r, 50, 50_000);
        supplied[slot] = supplied[slot]! + usd;
        assets = usdAssets(usd);
        break;
      }
      case "withdraw_supply": {
        const usd = supplied[slot]! * (0.1 + 0.9 * r());
        supplied[slot] = supplied[slot]! - usd;
        assets = usdAssets(usd);
        break;
      }
      case "borrow": {
        const usd = (colUsd * MAX_LTV - debt[slot]!) * (0.1 + 0.8 * r());
        debt[slot] = debt[slot]! + usd;
        assets = usdAssets(usd);
        break;
      }
      case "repay": {
        const usd = debt[slot]! * (0.2 + 0.8 * r());
        debt[slot] = debt[slot]! - usd;
        assets = usdAssets(usd);
        break;
      }
      case "liquidation": {
        // Liquidate(borrower, repaidAssets, seizedAssets): the repaid debt, plus a 5% bonus in collateral.
        const usd = debt[slot]! * (0.3 + 0.2 * r());
        debt[slot] = debt[slot]! - usd;
        collateral[slot] = Math.max(0, collateral[slot]! - (usd * 1.05) / ethUsd);
        assets = usdAssets(usd);
        break;
      }
    }
    const value = price === null ? assets : (assets * price) / PRICE_SCALE;
    return {
      kind,
      wallet: addresses[order[slot]!]!,
      block,
      logIndex,
      tx: `0x${hex(chainId, 8)}${hex(block, 16)}${hex(logIndex, 8)}${hex(hash32(block, logIndex, chainId), 8)}${"0".repeat(24)}` as Hash,
      time,
      assets: assets.toString(),
      price: price === null ? null : price.toString(),
      value: value.toString(),
      usd: Number(value) / 10 ** LOAN_DECIMALS,
    };
  };

  return {
    chainId,
    pool,
    startBlock,
    lastBlock,
    blockSeconds,
    events,
    wallets: n,
    pages,
    timeOf,
    nextPage() {
      if (page >= pages) return undefined;
      const from = startBlock + page * pageBlocks;
      const to = Math.min(from + pageBlocks - 1, lastBlock);
      page += 1;
      // This page's share of the chain's events, in proportion to its blocks.
      const upTo = page === pages ? events : Math.round((events * (to - startBlock + 1)) / blocks);
      const count = upTo - emitted;
      const at = new Float64Array(count);
      for (let i = 0; i < count; i++) at[i] = from + Math.floor(r() * (to - from + 1));
      at.sort();
      const out: IndexedEvent[] = new Array(count);
      let prevBlock = -1;
      let logIndex = 0;
      for (let i = 0; i < count; i++) {
        const block = at[i]!;
        // other contracts' logs come first in a block: the pool's start at a random index
        logIndex = block === prevBlock ? logIndex + 1 + Math.floor(r() * 3) : Math.floor(r() * 200);
        prevBlock = block;
        const left = events - emitted;
        const isNew = seen < n && r() * left < n - seen;
        const slot = isNew ? seen++ : Math.floor(r() * seen);
        out[i] = eventOf(slot, isNew, block, logIndex);
        emitted += 1;
      }
      return { events: out, to: { block: to, hash: blockHash(to) } };
    },
    client: () => chainClient(chainId, pool, timeOf, blockHash),
  };
}

/**
 * What ChainReader reads, answered from the synthetic chain: immutables (oracle, loan token, 6
 * decimals), block timestamps and hashes, the oracle price (the same series the events carry), and
 * a deterministic position and nonce per wallet and block (a wallet's collateral, and a debt at
 * 0-65% of its value that changes daily).
 */
function chainClient(chainId: number, pool: Address, timeOf: (block: number) => number, blockHash: (block: number) => Hash): PublicClient {
  const oracle = `0x${hex(chainId, 8)}${"0".repeat(31)}1` as Address;
  const loanToken = `0x${hex(chainId, 8)}${"0".repeat(31)}2` as Address;
  const walletSeed = (wallet: string) => Number.parseInt(wallet.slice(2, 10), 16);
  const client = {
    chain: { id: chainId },
    async getChainId() {
      return chainId;
    },
    async getBlock({ blockNumber }: { blockNumber: bigint }) {
      const b = Number(blockNumber);
      return { number: blockNumber, timestamp: BigInt(timeOf(b)), hash: blockHash(b) };
    },
    async getTransactionCount({ address, blockNumber }: { address: Address; blockNumber: bigint }) {
      return 5 + (hash32(walletSeed(address.toLowerCase()), Math.floor(timeOf(Number(blockNumber)) / 86_400)) % 400);
    },
    async readContract({ functionName, args, blockNumber }: { functionName: string; args?: readonly unknown[]; blockNumber?: bigint }) {
      switch (functionName) {
        case "ORACLE":
          return oracle;
        case "LOAN_TOKEN":
          return loanToken;
        case "decimals":
          return LOAN_DECIMALS;
        case "price":
          return oraclePriceAt(timeOf(Number(blockNumber)));
        case "position":
        case "debtOf": {
          const w = walletSeed(String(args?.[0]).toLowerCase());
          const time = timeOf(Number(blockNumber));
          const eth = 0.05 + (hash32(w, chainId) % 2_000) / 100;
          if (functionName === "position") return { supplyShares: 0n, borrowShares: 0n, collateral: ethAssets(eth) };
          const ltv = (hash32(w, chainId, Math.floor(time / 86_400)) % 66) / 100;
          return usdAssets(eth * ethUsdAt(time) * ltv);
        }
        default:
          throw new Error(`the synthetic chain ${chainId} does not answer ${functionName}`);
      }
    },
  };
  return client as unknown as PublicClient;
}
