// The registry of indexer sources: one definition per protocol. Adding a protocol is one adapter
// file (see aave-v3.ts) and one line here; its deployment entry is read from
// deployments/<chainId>.json `protocols.<deploymentKey>`.
import { getAddress, type Address, type PublicClient } from "viem";
import type { ProtocolsDeployment } from "../../deploy/deployment.js";
import type { ChainReader } from "../chain-reader.js";
import { aaveV3Definition } from "./aave-v3.js";
import { morphoBlueDefinition } from "./morpho-blue.js";
import type { ProtocolEntry, Source, SourceContext, SourceDefinition } from "./source.js";
import { UsdPrices } from "./usd-prices.js";
import { zkriskDefinition } from "./zkrisk.js";

export const SOURCE_DEFINITIONS: readonly SourceDefinition[] = [
  zkriskDefinition,
  aaveV3Definition,
  morphoBlueDefinition,
];

/** deployments/<chainId>.json `protocols` (deploy/deployment.ts ProtocolsDeployment), read by deployment key. */
export type ProtocolEntries = ProtocolsDeployment | Readonly<Record<string, ProtocolEntry | undefined>>;

export interface ChainSourcesInput {
  readonly chainId: number;
  readonly client: PublicClient;
  /** zkrisk's pool reader (init() awaited). */
  readonly reader: ChainReader;
  /** zkrisk's deployment block. */
  readonly startBlock: number;
  readonly protocols?: ProtocolEntries | undefined;
  /** Where the entries come from, for messages (e.g. deployments/137.json). */
  readonly origin?: string | undefined;
  readonly log?: (line: string) => void;
}

function startBlockOf(chainId: number, key: string, entry: ProtocolEntry, origin: string): number {
  const b = entry.startBlock;
  if (!Number.isInteger(b) || b < 0) throw new Error(`chain ${chainId}: ${origin} protocols.${key}.startBlock must be a block number, got ${JSON.stringify(b)}`);
  return b;
}

async function requireCode(client: PublicClient, chainId: number, protocol: string, address: Address, block: number, where: string): Promise<void> {
  const code = await client.getCode({ address, blockNumber: BigInt(block) });
  if (!code || code === "0x") {
    throw new Error(`chain ${chainId}: ${protocol} at ${address} has no code at its start block ${block} (${where}): fix the address or the start block`);
  }
}

/**
 * The sources to index on one chain: zkrisk's pool, then each protocol of the deployment's
 * `protocols` that has an adapter. A protocol without an entry is skipped with a one-line
 * warning; an entry whose contract has no code at its start block is an error.
 */
export async function chainSources(input: ChainSourcesInput): Promise<Source[]> {
  const { chainId, client, reader } = input;
  const origin = input.origin ?? `deployments/${chainId}.json`;
  const log = input.log ?? (() => {});
  const protocols = (input.protocols ?? {}) as Readonly<Record<string, ProtocolEntry | undefined>>;
  const aave = protocols[aaveV3Definition.deploymentKey!];
  let usd: UsdPrices | null = null;
  if (aave) {
    const oracle = await UsdPrices.oracleOf(client, aave).catch((e: Error) => {
      throw new Error(`chain ${chainId}: ${origin} protocols.aaveV3: ${e.message.split("\n")[0]}`);
    });
    usd = new UsdPrices(chainId, client, oracle, reader);
  }
  const ctx: SourceContext = { chainId, client, reader, usd };
  const sources: Source[] = [];
  for (const def of SOURCE_DEFINITIONS) {
    if (def.deploymentKey === null) {
      sources.push(await def.create(ctx, { startBlock: input.startBlock, address: getAddress(reader.lending) }));
      continue;
    }
    const entry = protocols[def.deploymentKey];
    if (!entry) {
      log(`chain ${chainId}: ${def.protocol} skipped: ${origin} has no protocols.${def.deploymentKey}`);
      continue;
    }
    const where = `${origin} protocols.${def.deploymentKey}`;
    const startBlock = startBlockOf(chainId, def.deploymentKey, entry, origin);
    let address: Address;
    try {
      address = def.contractOf(entry);
    } catch (e) {
      throw new Error(`chain ${chainId}: ${where}: ${(e as Error).message}`);
    }
    await requireCode(client, chainId, def.protocol, address, startBlock, where);
    sources.push(await def.create(ctx, { ...entry, startBlock }));
  }
  return sources;
}
