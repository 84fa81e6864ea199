// The protocols' ABIs are generated from their npm packages and up to date, and carry what the
// indexer and the deploy need.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { toEventSelector, type Abi } from "viem";
import { PROTOCOLS_ABI_MODULE, renderProtocolsModule } from "../runtime/protocols/abi.js";
import { compileMorphoBlue } from "../runtime/protocols/morpho-blue/compile.js";
import { aaveV3OracleAbi, aaveV3PoolAbi, morphoBlueAbi } from "../generated/protocols.generated.js";

const names = (abi: Abi, type: "event" | "function"): string[] => abi.flatMap((x) => (x.type === type ? [x.name] : []));

test("ts/generated/protocols.generated.ts equals what `npm run abi` writes now", () => {
  assert.equal(readFileSync(PROTOCOLS_ABI_MODULE, "utf8"), renderProtocolsModule(), "stale: run `npm run abi`");
});

test("Aave v3 Pool and oracle ABIs carry the events and views the indexer reads", () => {
  for (const e of ["Supply", "Withdraw", "Borrow", "Repay", "LiquidationCall"]) assert.ok(names(aaveV3PoolAbi, "event").includes(e), e);
  for (const f of ["getReserveData", "getUserAccountData", "supply", "borrow", "repay", "withdraw", "liquidationCall"]) assert.ok(names(aaveV3PoolAbi, "function").includes(f), f);
  assert.ok(names(aaveV3OracleAbi, "function").includes("getAssetPrice"));
  // The canonical Aave v3 Borrow event (as on mainnet): a change here means another Aave version.
  const borrow = aaveV3PoolAbi.find((x) => x.type === "event" && x.name === "Borrow")!;
  assert.equal(toEventSelector(borrow), "0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0");
});

test("Morpho Blue's ABI carries its events and views; its compile is cached by input hash", () => {
  for (const e of ["Supply", "Withdraw", "Borrow", "Repay", "SupplyCollateral", "WithdrawCollateral", "Liquidate", "CreateMarket"]) {
    assert.ok(names(morphoBlueAbi, "event").includes(e), e);
  }
  for (const f of ["idToMarketParams", "market", "position", "createMarket", "enableIrm", "enableLltv"]) assert.ok(names(morphoBlueAbi, "function").includes(f), f);
  // Morpho Blue's Liquidate event as emitted on mainnet (0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb).
  const liquidate = morphoBlueAbi.find((x) => x.type === "event" && x.name === "Liquidate")!;
  assert.equal(toEventSelector(liquidate), "0xa4946ede45d0c6f06a0f5ce92c9ad3b4751452d2fe0e25010783bcab57a67e41");
  const a = compileMorphoBlue();
  const b = compileMorphoBlue();
  assert.equal(a.inputHash, b.inputHash);
  assert.match(a.solcVersion, /^0\.8\.19\+/);
});
