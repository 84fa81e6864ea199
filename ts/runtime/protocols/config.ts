// The real Aave v3 and Morpho Blue addresses a network config pins (script/config/<chainId>.json,
// `protocols`), read into the deployment record's shape. A config without an entry for a
// protocol leaves it out; a malformed entry is an error naming the file and the field.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import type { AaveV3Deployment, MorphoBlueDeployment, ProtocolsDeployment } from "../deploy/deployment.js";

type Entry = Record<string, unknown>;

function field(file: string, entry: Entry, path: string, name: string): unknown {
  const value = entry[name];
  if (value === undefined || value === "") throw new Error(`${file}: ${path}.${name} is missing: fill it in (see the protocol's address registry) or remove ${path}`);
  return value;
}

function address(file: string, entry: Entry, path: string, name: string): Address {
  const value = field(file, entry, path, name);
  if (typeof value !== "string" || !isAddress(value, { strict: false })) throw new Error(`${file}: ${path}.${name} = ${String(value)} is not an address`);
  return getAddress(value);
}

function block(file: string, entry: Entry, path: string): number {
  const value = field(file, entry, path, "startBlock");
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error(`${file}: ${path}.startBlock = ${String(value)} is not a block number`);
  return value as number;
}

function text(file: string, entry: Entry, path: string): string {
  const value = field(file, entry, path, "source");
  if (typeof value !== "string") throw new Error(`${file}: ${path}.source must name the registry package and version`);
  return value;
}

/** The `protocols` entries of the config at `configPath` (undefined when it has none). */
export function configuredProtocols(configPath: string): ProtocolsDeployment | undefined {
  const file = `script/config/${basename(configPath)}`;
  const raw = (JSON.parse(readFileSync(configPath, "utf8")) as { protocols?: Record<string, Entry> }).protocols;
  if (raw === undefined) return undefined;
  const known = ["aaveV3", "morphoBlue"];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`${file}: protocols.${unknown[0]} is not a protocol zkrisk knows (${known.join(", ")})`);
  let aaveV3: AaveV3Deployment | undefined;
  let morphoBlue: MorphoBlueDeployment | undefined;
  if (raw.aaveV3) {
    const e = raw.aaveV3;
    const p = "protocols.aaveV3";
    aaveV3 = {
      pool: address(file, e, p, "pool"),
      addressesProvider: address(file, e, p, "addressesProvider"),
      ...(e.oracle ? { oracle: address(file, e, p, "oracle") } : {}),
      startBlock: block(file, e, p),
      source: text(file, e, p),
    };
  }
  if (raw.morphoBlue) {
    const e = raw.morphoBlue;
    const p = "protocols.morphoBlue";
    morphoBlue = { morpho: address(file, e, p, "morpho"), startBlock: block(file, e, p), source: text(file, e, p) };
  }
  return { ...(aaveV3 ? { aaveV3 } : {}), ...(morphoBlue ? { morphoBlue } : {}) };
}
