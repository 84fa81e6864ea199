// The demo's record of where each wallet's history came from, built from what the demo did
// and from the indexed features' per-chain protocols_used.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HistoryLedger } from "../demo/protocols.js";

const A = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

test("the ledger groups chains by protocol, sorted, case-insensitive on the wallet", () => {
  const l = new HistoryLedger();
  l.record(A, "zkrisk", 42161);
  l.record(A, "zkrisk", 1);
  l.record(A.toLowerCase() as `0x${string}`, "aave-v3", 1);
  l.record(A, "zkrisk", 1);
  l.record(B, "morpho-blue", 137);
  assert.equal(l.describe(A), "aave-v3@1 zkrisk@1,42161");
  assert.equal(l.describe(B), "morpho-blue@137");
  assert.equal(l.describe("0x0000000000000000000000000000000000000001"), "");
});

test("fromFeatures reads each chain record's protocols_used; chains without activity add nothing", () => {
  const l = HistoryLedger.fromFeatures([
    {
      wallet: A,
      records: [
        { chainId: 1, raw: { protocols_used: ["zkrisk", "aave-v3"], borrow_count: 2 } },
        { chainId: 137, raw: { protocols_used: ["morpho-blue"] } },
        { chainId: 42161, raw: { protocols_used: [] } },
      ],
    },
  ]);
  assert.equal(l.describe(A), "aave-v3@1 morpho-blue@137 zkrisk@1");
});
