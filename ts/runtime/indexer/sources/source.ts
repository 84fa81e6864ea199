// What every indexer source (one lending protocol on one chain) provides: the contract and
// events to read, the mapping of one log to the indexed row of the wallet whose position it
// changes, and that wallet's positions at a past block (for the daily risk samples). The
// indexer (../indexer.ts) reads every source of a chain in the same pages of blocks and commits
// them together; registry.ts lists the sources.
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type Address, type Hash, type Hex, type Log, type PublicClient } from "viem";
import type { PositionValue } from "../../db/index-data.js";
import type { PoolEventKind } from "../index-state.js";
import type { ChainReader } from "../chain-reader.js";
import type { UsdPrices } from "./usd-prices.js";

export type { PositionValue };

/** A log mapped to the wallet whose position it changes. */
export interface SourceEvent {
  readonly kind: PoolEventKind;
  /** The account whose position the event changes. */
  readonly wallet: Address;
  /** Token base units (the token named by the event or its market). */
  readonly assets: bigint;
  /** Aave v3 reserve asset, Morpho Blue market id; null for zkrisk. */
  readonly market: string | null;
  /** The price used to value it (see IndexedEvent.price), null when none. */
  readonly price: bigint | null;
  /** Value in the chain's USD unit (zkrisk loan-token base units). */
  readonly value: bigint;
  /** True when no USD price was found for its token at its block (value 0): counted in the index result. */
  readonly unpriced: boolean;
}

/** Everything a source of one chain reads through. */
export interface SourceContext {
  readonly chainId: number;
  readonly client: PublicClient;
  /** zkrisk's pool on this chain: block times and the chain's USD unit (its loan token). */
  readonly reader: ChainReader;
  /** USD prices of tokens at past blocks (the Aave v3 oracle of the chain), null when the chain has none. */
  readonly usd: UsdPrices | null;
}

export interface Source {
  /** features.json protocol id. */
  readonly protocol: string;
  readonly chainId: number;
  /** The contract whose logs it maps (checksummed). */
  readonly address: Address;
  /** First block that can hold its events. */
  readonly startBlock: number;
  /** The events it maps (its ABI's items) and their topic0s. */
  readonly events: readonly AbiEvent[];
  readonly topics: readonly Hash[];
  /** Map one of its logs; throws UndecodableLogError when the log does not decode. */
  toEvent(log: Log): Promise<SourceEvent>;
  /**
   * The wallet's positions at a block in the given markets (one value per market with a
   * position; empty when none), valued in USD at that block.
   */
  positions(wallet: Address, block: number, markets: readonly (string | null)[]): Promise<PositionValue[]>;
}

/** A protocol's entry in deployments/<chainId>.json `protocols`: where it is and from which block. */
export interface ProtocolEntry {
  readonly startBlock: number;
  readonly [key: string]: unknown;
}

/** A kind of source: registry.ts holds one per protocol. */
export interface SourceDefinition {
  /** features.json protocol id. */
  readonly protocol: string;
  /** Its key in the deployment record's `protocols` (null: zkrisk's own pool, always there). */
  readonly deploymentKey: string | null;
  /** The contract of a deployment entry (throws naming the missing field). */
  contractOf(entry: ProtocolEntry): Address;
  create(ctx: SourceContext, entry: ProtocolEntry): Promise<Source>;
}

/** A log of an indexed contract, with an indexed event's signature, that does not decode. */
export class UndecodableLogError extends Error {
  override name = "UndecodableLogError";
}

/** The events of an ABI by name, and their selectors. */
export function eventsOf<const A extends Abi>(abi: A, names: readonly string[]): { events: AbiEvent[]; topics: Hash[] } {
  const events = names.map((n) => {
    const e = abi.find((x) => x.type === "event" && x.name === n) as AbiEvent | undefined;
    if (!e) throw new Error(`the ABI has no event ${n}`);
    return e;
  });
  return { events, topics: events.map((e) => toEventSelector(e)) };
}

/** Decode a log with the source's events (strict), or throw UndecodableLogError saying why. */
export function decodeLog(events: readonly AbiEvent[], log: Log): { eventName: string; args: Record<string, unknown> } {
  try {
    const d = decodeEventLog({ abi: events, data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true });
    return { eventName: d.eventName as string, args: d.args as unknown as Record<string, unknown> };
  } catch (e) {
    throw new UndecodableLogError((e as Error).message.split("\n")[0] ?? String(e));
  }
}

/** One position's value from its USD debt and collateral. */
export const position = (debtUsd: number, collateralUsd: number, liquidationThreshold: number | null): PositionValue => ({ debtUsd, collateralUsd, liquidationThreshold });
