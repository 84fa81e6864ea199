// The TypeScript side of THE feature definition, models/credit/features.json (the Python
// side is models/credit/features.py). Everything (feature order, aggregates, empty values,
// clip bounds, transforms, protocol ids, the risk factor's liquidation threshold) comes from
// that JSON; this module only implements the operations it names:
//   per-chain raw records -> aggregate across chains -> clip -> transform.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../toolchain/paths.js";

export const FEATURES_JSON = join(ROOT, "models", "credit", "features.json");

const TRANSFORMS = ["clip", "log1p"] as const;
const AGGREGATES = ["sum", "max", "min", "weighted_mean", "union_count"] as const;
/** Units whose raw values are counted, hence integers (features.json "unit"). */
const COUNT_UNITS = new Set(["events", "transactions", "chain-days", "chains", "protocols"]);

export type Transform = (typeof TRANSFORMS)[number];
export type Aggregate = (typeof AGGREGATES)[number];

export interface FeatureDef {
  readonly name: string;
  readonly unit: string;
  readonly emptyValue: number;
  readonly aggregate: Aggregate;
  readonly weight?: string;
  readonly transform: Transform;
  readonly clip: readonly [number, number];
  readonly bounds: readonly [number, number];
}

export interface FeatureSpec {
  readonly file: string;
  readonly features: readonly FeatureDef[];
  readonly names: readonly string[];
  readonly chains: readonly { readonly chainId: number; readonly name: string }[];
  readonly protocolIds: readonly string[];
  readonly liquidationThreshold: number;
  readonly saltLength: number;
  readonly saltBits: number;
  /** Salt element s enters the model input as s * 2^-encodingScale (see salt.ts). */
  readonly encodingScale: number;
}

/** A union_count feature's per-chain value is a set of protocol ids; every other one a number. */
export type RawValue = number | readonly string[];
/** One chain's raw features, by feature name. */
export type ChainRaw = Readonly<Record<string, RawValue>>;
export interface ChainRecord {
  readonly chainId: number;
  readonly raw: ChainRaw;
}

export class FeatureError extends Error {
  override name = "FeatureError";
}

type Json = Record<string, unknown>;
const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const obj = (x: unknown): Json => (typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Json) : {});

function transformScalar(f: Pick<FeatureDef, "clip" | "transform">, x: number): number {
  const y = Math.min(Math.max(x, f.clip[0]), f.clip[1]);
  return f.transform === "log1p" ? Math.log1p(y) : y;
}

/** Read and validate features.json (the same checks as features.py's load_spec). */
export function loadFeatureSpec(file: string = FEATURES_JSON): FeatureSpec {
  let json: Json;
  try {
    json = obj(JSON.parse(readFileSync(file, "utf8")));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FeatureError(err.code === "ENOENT" ? `feature spec not found: ${file}` : `feature spec ${file} is not valid JSON: ${err.message}`);
  }
  const list = json.features;
  if (!Array.isArray(list) || list.length === 0) throw new FeatureError(`${file}: 'features' must be a non-empty list`);
  const names = list.map((f) => obj(f).name);
  if (names.some((n) => typeof n !== "string") || new Set(names).size !== names.length) {
    throw new FeatureError(`${file}: feature names must be distinct strings`);
  }
  const features = list.map((item): FeatureDef => {
    const f = obj(item);
    const n = f.name as string;
    const fail = (what: string): never => {
      throw new FeatureError(`${file}: feature ${n}: ${what}`);
    };
    if (!TRANSFORMS.includes(f.transform as Transform)) fail(`unknown transform ${JSON.stringify(f.transform)}`);
    if (!AGGREGATES.includes(f.aggregate as Aggregate)) fail(`unknown aggregate ${JSON.stringify(f.aggregate)}`);
    const clip = f.clip as unknown[];
    if (!Array.isArray(clip) || clip.length !== 2 || !isNum(clip[0]) || !isNum(clip[1]) || !(clip[0] < clip[1])) {
      fail("clip must be [lo, hi] with lo < hi");
    }
    if (f.aggregate === "weighted_mean" && !names.includes(f.weight)) fail("weighted_mean needs 'weight' naming a feature");
    if (!isNum(f.emptyValue)) fail("emptyValue must be a number");
    if (typeof f.unit !== "string") fail("unit must be a string");
    const def: FeatureDef = {
      name: n,
      unit: f.unit as string,
      emptyValue: f.emptyValue as number,
      aggregate: f.aggregate as Aggregate,
      ...(typeof f.weight === "string" ? { weight: f.weight } : {}),
      transform: f.transform as Transform,
      clip: [clip[0] as number, clip[1] as number] as const,
      bounds: f.bounds as [number, number],
    };
    const expect = [transformScalar(def, def.clip[0]), transformScalar(def, def.clip[1])];
    const b = f.bounds;
    if (!Array.isArray(b) || b.length !== 2 || expect.some((v, i) => !isNum(b[i]) || Math.abs(v - (b[i] as number)) > 1e-5)) {
      fail(`bounds ${JSON.stringify(b)} != transform(clip) ${JSON.stringify(expect)}`);
    }
    return def;
  });
  const salt = obj(json.salt);
  const { saltLength, saltBits, encodingScale } = salt;
  if (!Number.isInteger(saltLength) || (saltLength as number) <= 0) throw new FeatureError(`${file}: salt.saltLength must be a positive integer`);
  if (!Number.isInteger(saltBits) || (saltBits as number) < 1 || (saltBits as number) > 24) {
    throw new FeatureError(`${file}: salt.saltBits must be an integer in [1, 24] (exact in float32)`);
  }
  if (!Number.isInteger(encodingScale) || (encodingScale as number) < 0 || (encodingScale as number) > 24) {
    throw new FeatureError(`${file}: salt.encodingScale must be an integer in [0, 24]`);
  }
  const input = obj(json.input);
  const shape = input.shape;
  if (
    input.featureCount !== features.length ||
    input.saltLength !== saltLength ||
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    shape[0] !== 1 ||
    shape[1] !== features.length + (saltLength as number)
  ) {
    throw new FeatureError(`${file}: 'input' disagrees with the feature list and the salt length`);
  }
  const protocolIds = obj(json.protocols).ids;
  if (!Array.isArray(protocolIds) || protocolIds.some((p) => typeof p !== "string")) throw new FeatureError(`${file}: protocols.ids must be a list of strings`);
  const chains = json.chains;
  if (!Array.isArray(chains) || chains.some((c) => !Number.isInteger(obj(c).chainId))) throw new FeatureError(`${file}: chains must list {chainId, name}`);
  const lt = obj(json.riskFactor).liquidationThreshold;
  if (!isNum(lt) || lt <= 0) throw new FeatureError(`${file}: riskFactor.liquidationThreshold must be a positive number`);
  return {
    file,
    features,
    names: features.map((f) => f.name),
    chains: chains as FeatureSpec["chains"],
    protocolIds: protocolIds as string[],
    liquidationThreshold: lt,
    saltLength: saltLength as number,
    saltBits: saltBits as number,
    encodingScale: encodingScale as number,
  };
}

/** The raw record of a chain on which the wallet has no activity (the emptyValue rule). */
export function emptyChainRaw(spec: FeatureSpec): Record<string, RawValue> {
  return Object.fromEntries(spec.features.map((f) => [f.name, f.aggregate === "union_count" ? [] : f.emptyValue]));
}

/** Check one chain's raw record; throws a FeatureError naming the chain, the feature and what is wrong. */
export function validateChainRecord(spec: FeatureSpec, record: ChainRecord): void {
  const where = `chain ${record.chainId}`;
  if (!Number.isInteger(record.chainId) || record.chainId <= 0) throw new FeatureError(`${where}: chainId must be a positive integer`);
  const extra = Object.keys(record.raw).filter((k) => !spec.names.includes(k));
  if (extra.length) throw new FeatureError(`${where}: unknown feature${extra.length > 1 ? "s" : ""} ${extra.join(", ")} (not in ${spec.file})`);
  for (const f of spec.features) {
    const v = record.raw[f.name];
    if (v === undefined) throw new FeatureError(`${where}: feature ${f.name} is missing`);
    if (f.aggregate === "union_count") {
      if (!Array.isArray(v)) throw new FeatureError(`${where}: feature ${f.name} must be a list of protocol ids, got ${JSON.stringify(v)}`);
      const unknown = v.filter((p) => !spec.protocolIds.includes(p));
      if (unknown.length) {
        throw new FeatureError(`${where}: feature ${f.name}: unknown protocol id ${JSON.stringify(unknown[0])} (known: ${spec.protocolIds.join(", ")})`);
      }
      continue;
    }
    if (typeof v !== "number") throw new FeatureError(`${where}: feature ${f.name} must be a number, got ${JSON.stringify(v)}`);
    if (Number.isNaN(v)) throw new FeatureError(`${where}: feature ${f.name} is NaN`);
    if (!Number.isFinite(v)) throw new FeatureError(`${where}: feature ${f.name} is ${v} (must be finite)`);
    const isCount = COUNT_UNITS.has(f.unit);
    if (v < 0) {
      throw new FeatureError(`${where}: feature ${f.name} is ${v}: a ${isCount ? "count" : "raw value"} (${f.unit}) cannot be negative`);
    }
    if (isCount && !Number.isInteger(v)) throw new FeatureError(`${where}: feature ${f.name} is ${v}: a count (${f.unit}) must be an integer`);
  }
}

function column(records: readonly ChainRecord[], name: string): number[] {
  return records.map((r) => r.raw[name] as number);
}

/**
 * Aggregate per-chain raw records into the raw feature vector (features.json order).
 * Chains of features.json that have no record contribute their empty values; one record per
 * chain at most.
 */
export function aggregate(spec: FeatureSpec, records: readonly ChainRecord[]): number[] {
  const seen = new Set<number>();
  for (const r of records) {
    validateChainRecord(spec, r);
    if (seen.has(r.chainId)) throw new FeatureError(`chain ${r.chainId}: more than one record`);
    seen.add(r.chainId);
  }
  const all = [...records, ...spec.chains.filter((c) => !seen.has(c.chainId)).map((c) => ({ chainId: c.chainId, raw: emptyChainRaw(spec) }))];
  return spec.features.map((f) => {
    if (f.aggregate === "union_count") return new Set(all.flatMap((r) => r.raw[f.name] as readonly string[])).size;
    const x = column(all, f.name);
    switch (f.aggregate) {
      case "sum":
        return x.reduce((a, b) => a + b, 0);
      case "max":
        return Math.max(...x);
      case "min":
        return Math.min(...x);
      case "weighted_mean": {
        const w = column(all, f.weight as string);
        const total = w.reduce((a, b) => a + b, 0);
        const num = x.reduce((a, v, i) => a + v * (w[i] as number), 0);
        return total > 0 ? num / total : 0;
      }
    }
  });
}

/** Raw vector -> model features: clip to 'clip', then the feature's transform. */
export function transform(spec: FeatureSpec, raw: readonly number[]): number[] {
  if (raw.length !== spec.features.length) throw new FeatureError(`expected ${spec.features.length} raw features, got ${raw.length}`);
  return spec.features.map((f, i) => {
    const x = raw[i] as number;
    if (!Number.isFinite(x)) throw new FeatureError(`raw feature ${f.name} is ${x} (must be finite)`);
    return transformScalar(f, x);
  });
}

/** Per-chain records -> {raw (aggregated), transformed (the model input, without salt)}. */
export function featureVector(spec: FeatureSpec, records: readonly ChainRecord[]): { raw: number[]; transformed: number[] } {
  const raw = aggregate(spec, records);
  return { raw, transformed: transform(spec, raw) };
}
