// The Aave v3 and Morpho Blue addresses pinned in script/config/<chainId>.json equal what the
// registry packages say now: a package update that moves an address fails here.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AaveV3Arbitrum, AaveV3Ethereum, AaveV3Polygon } from "@bgd-labs/aave-address-book";
import { addresses, deployments } from "@morpho-org/morpho-ts";
import { CONFIG_DIR } from "../runtime/deploy/deploy.js";
import { configuredProtocols } from "../runtime/protocols/config.js";

const version = (pkg: string): string => (JSON.parse(readFileSync(join("node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

const AAVE = { 1: AaveV3Ethereum, 137: AaveV3Polygon, 42161: AaveV3Arbitrum } as const;

for (const chainId of [1, 137, 42161] as const) {
  test(`script/config/${chainId}.json pins Aave v3 and Morpho Blue as their registries do`, () => {
    const p = configuredProtocols(join(CONFIG_DIR, `${chainId}.json`));
    assert.ok(p?.aaveV3 && p.morphoBlue, "both protocols are pinned");
    const aave = AAVE[chainId];
    assert.equal(aave.CHAIN_ID, chainId);
    assert.equal(p.aaveV3.pool, aave.POOL);
    assert.equal(p.aaveV3.addressesProvider, aave.POOL_ADDRESSES_PROVIDER);
    assert.equal(p.aaveV3.oracle, aave.ORACLE);
    assert.ok(p.aaveV3.source.includes(`@bgd-labs/aave-address-book ${version("@bgd-labs/aave-address-book")}`), p.aaveV3.source);
    assert.ok(p.aaveV3.startBlock > 0);
    assert.equal(p.morphoBlue.morpho, addresses[chainId]!.morpho);
    assert.equal(BigInt(p.morphoBlue.startBlock), deployments[chainId]!.morpho);
    assert.ok(p.morphoBlue.source.includes(`@morpho-org/morpho-ts ${version("@morpho-org/morpho-ts")}`), p.morphoBlue.source);
  });
}

test("the local config pins no protocol (they are deployed on a local anvil)", () => {
  assert.equal(configuredProtocols(join(CONFIG_DIR, "local.json")), undefined);
});

test("a malformed protocols entry is an error naming the file and field", () => {
  const dir = mkdtempSync(join(tmpdir(), "zkrisk-protocols-"));
  const write = (protocols: unknown): string => {
    const f = join(dir, "5.json");
    writeFileSync(f, JSON.stringify({ protocols }));
    return f;
  };
  assert.throws(() => configuredProtocols(write({ aaveV3: { pool: "0x12", addressesProvider: AaveV3Ethereum.POOL_ADDRESSES_PROVIDER, startBlock: 1, source: "x" } })), /5\.json: protocols\.aaveV3\.pool = 0x12 is not an address/);
  assert.throws(() => configuredProtocols(write({ morphoBlue: { morpho: AaveV3Ethereum.POOL, source: "x" } })), /protocols\.morphoBlue\.startBlock is missing/);
  assert.throws(() => configuredProtocols(write({ compound: {} })), /protocols\.compound is not a protocol zkrisk knows/);
  assert.deepEqual(configuredProtocols(write({ morphoBlue: { morpho: AaveV3Ethereum.POOL, startBlock: 7, source: "x" } })), {
    morphoBlue: { morpho: AaveV3Ethereum.POOL, startBlock: 7, source: "x" },
  });
});
