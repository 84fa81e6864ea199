// ts/runtime/indexer/features.ts against the Python implementation (models/credit/features.py): the
// golden vectors it wrote (models/credit/out/features_golden.json), and malformed records.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { aggregate, emptyChainRaw, FEATURES_JSON, featureVector, loadFeatureSpec, transform, type ChainRecord } from "../runtime/indexer/features.js";
import { ROOT } from "../toolchain/paths.js";

interface Golden {
  featureNames: string[];
  wallets: { wallet: string; perChain: ChainRecord[]; raw: number[]; transformed: number[] }[];
}
const golden = JSON.parse(readFileSync(join(ROOT, "models/credit/out/features_golden.json"), "utf8")) as Golden;
const spec = loadFeatureSpec();

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe("features.ts = features.py on the golden vectors", () => {
  test("feature order is features.json's", () => {
    assert.deepEqual(spec.names, golden.featureNames);
    assert.equal(golden.wallets.length, 16);
  });

  for (const w of golden.wallets) {
    test(`wallet ${w.wallet}`, () => {
      const { raw, transformed } = featureVector(spec, w.perChain);
      raw.forEach((v, i) => assert.ok(close(v, w.raw[i]!), `raw ${spec.names[i]}: ${v} vs ${w.raw[i]}`));
      transformed.forEach((v, i) => assert.ok(close(v, w.transformed[i]!), `transformed ${spec.names[i]}: ${v} vs ${w.transformed[i]}`));
      // The model sees float32: identical there.
      assert.deepEqual(Array.from(Float32Array.from(transformed)), Array.from(Float32Array.from(w.transformed)));
    });
  }

  test("the goldens cover a wallet active on zkrisk, Aave v3 and Morpho Blue on all three chains", () => {
    const indexed = ["zkrisk", "aave-v3", "morpho-blue"];
    const w = golden.wallets.find(
      (x) =>
        x.perChain.filter((c) => c.raw.chains_used === 1).length === 3 &&
        indexed.every((p) => x.perChain.some((c) => (c.raw.protocols_used as readonly string[]).includes(p))),
    );
    assert.ok(w, "no golden wallet uses the three indexed protocols on the three chains");
    const raw = featureVector(spec, w.perChain).raw;
    const union = new Set(w.perChain.flatMap((c) => c.raw.protocols_used as string[]));
    assert.equal(raw[spec.names.indexOf("protocols_used")], union.size);
    assert.equal(raw[spec.names.indexOf("chains_used")], 3);
    const liquidations = w.perChain.reduce((a, c) => a + (c.raw.liquidation_count as number), 0);
    assert.equal(raw[spec.names.indexOf("liquidation_count")], liquidations);
  });

  test("a chain missing from the records contributes its empty values", () => {
    const w = golden.wallets[0]!;
    const active = w.perChain.filter((c) => c.raw.chains_used === 1);
    assert.ok(active.length < w.perChain.length);
    assert.deepEqual(aggregate(spec, active), aggregate(spec, w.perChain));
  });

  test("a wallet with no record at all gets transform(aggregate(empty values))", () => {
    const raw = aggregate(spec, []);
    assert.deepEqual(raw, aggregate(spec, spec.chains.map((c) => ({ chainId: c.chainId, raw: emptyChainRaw(spec) }))));
    assert.equal(raw[spec.names.indexOf("days_since_last_liquidation")], 1825);
    assert.equal(transform(spec, raw).length, 20);
  });
});

describe("malformed records", () => {
  const base = (): Record<string, number | string[]> => ({ ...(golden.wallets[0]!.perChain[0]!.raw as Record<string, number | string[]>) });
  const agg = (raw: Record<string, unknown>, chainId = 1) => () => aggregate(spec, [{ chainId, raw: raw as ChainRecord["raw"] }]);

  test("missing feature", () => {
    const raw = base();
    delete raw.borrow_usd;
    assert.throws(agg(raw), { name: "FeatureError", message: "chain 1: feature borrow_usd is missing" });
  });

  test("NaN", () => {
    assert.throws(agg({ ...base(), repay_usd: Number.NaN }, 137), { message: "chain 137: feature repay_usd is NaN" });
  });

  test("infinite value", () => {
    assert.throws(agg({ ...base(), debt_usd: Infinity }), { message: "chain 1: feature debt_usd is Infinity (must be finite)" });
  });

  test("negative count", () => {
    assert.throws(agg({ ...base(), borrow_count: -1 }), { message: "chain 1: feature borrow_count is -1: a count (events) cannot be negative" });
  });

  test("negative USD amount", () => {
    assert.throws(agg({ ...base(), deposit_usd: -5 }), { message: "chain 1: feature deposit_usd is -5: a raw value (USD) cannot be negative" });
  });

  test("fractional count", () => {
    assert.throws(agg({ ...base(), tx_count: 2.5 }), { message: "chain 1: feature tx_count is 2.5: a count (transactions) must be an integer" });
  });

  test("string instead of a number", () => {
    assert.throws(agg({ ...base(), repay_count: "3" }), { message: 'chain 1: feature repay_count must be a number, got "3"' });
  });

  test("unknown protocol id and unknown feature", () => {
    assert.throws(agg({ ...base(), protocols_used: ["zkrisk", "maker"] }), {
      message: 'chain 1: feature protocols_used: unknown protocol id "maker" (known: zkrisk, aave-v3, compound-v3, spark, morpho-blue)',
    });
    assert.throws(agg({ ...base(), health: 1 }), { message: `chain 1: unknown feature health (not in ${FEATURES_JSON})` });
  });

  test("two records for one chain", () => {
    assert.throws(() => aggregate(spec, [{ chainId: 1, raw: base() }, { chainId: 1, raw: base() }]), { message: "chain 1: more than one record" });
  });

  test("transform rejects a wrong length", () => {
    assert.throws(() => transform(spec, [1, 2]), { message: "expected 20 raw features, got 2" });
  });

  test("a malformed features.json is refused with the feature named", () => {
    const json = JSON.parse(readFileSync(FEATURES_JSON, "utf8"));
    json.features[3].bounds = [0, 1];
    const file = join(mkdtempSync(join(tmpdir(), "zkrisk-features-")), "features.json");
    writeFileSync(file, JSON.stringify(json));
    assert.throws(() => loadFeatureSpec(file), { message: /feature borrow_usd: bounds \[0,1\] != transform\(clip\)/ });
    assert.throws(() => loadFeatureSpec(join(file, "..", "none.json")), { message: /feature spec not found/ });
  });
});
