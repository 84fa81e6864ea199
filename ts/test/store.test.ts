// The private store (ts/runtime/store.ts) and the indexer's state rewind (ts/runtime/index-state.ts).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Address, Hash } from "viem";
import { advance, freshState, loadState, MAX_CHECKPOINTS, rewind, saveState, type IndexedEvent } from "../runtime/index-state.js";
import { findRecord, latestRecord, saveRecord, STORE_VERSION, storedWallets, walletRecords, type StoreRecord } from "../runtime/store.js";

const WALLET = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const LENDING = "0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6" as Address;
const tmp = () => mkdtempSync(join(tmpdir(), "zkrisk-store-"));
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hash;

const record = (commitment: string, createdAt: string): StoreRecord => ({
  version: STORE_VERSION,
  wallet: WALLET,
  features: [1, 2.5],
  rawAggregate: [1, 2.5],
  raw: [],
  salt: [1, 2, 3, 4],
  commitment,
  inputScale: 12,
  snapshotBlocks: { 1: "10" },
  createdAt,
});

describe("private store", () => {
  test("records by wallet and commitment, newest last, files 0600 in 0700 folders", () => {
    const dir = tmp();
    assert.equal(latestRecord(dir, WALLET), undefined);
    saveRecord(dir, record("222", "2026-01-02T00:00:00.000Z"));
    saveRecord(dir, record("111", "2026-01-01T00:00:00.000Z"));
    assert.deepEqual(walletRecords(dir, WALLET).map((r) => r.commitment), ["111", "222"]);
    assert.equal(latestRecord(dir, WALLET.toLowerCase())?.commitment, "222");
    assert.equal(findRecord(dir, WALLET, 111n)?.createdAt, "2026-01-01T00:00:00.000Z");
    assert.equal(findRecord(dir, WALLET, "0x6f")?.commitment, "111");
    assert.equal(findRecord(dir, WALLET, 5n), undefined);
    assert.deepEqual(storedWallets(dir), [WALLET]);
    const wdir = join(dir, WALLET.toLowerCase());
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(wdir).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(wdir).sort(), ["111.json", "222.json"]);
    for (const f of readdirSync(wdir)) assert.equal(statSync(join(wdir, f)).mode & 0o777, 0o600);
  });

  test("a commitment that is not a decimal uint256 is refused", () => {
    assert.throws(() => saveRecord(tmp(), record("0xabc", "2026-01-01T00:00:00.000Z")), { message: "store: commitment must be a decimal uint256 string, got 0xabc" });
  });
});

describe("indexer state", () => {
  const event = (block: number): IndexedEvent => ({ kind: "borrow", wallet: WALLET.toLowerCase() as Address, block, logIndex: 0, tx: hash(block), time: block * 100, assets: "1", usd: 1 });

  test("rewind drops events, checkpoints and cached reads above the common block", () => {
    const s = freshState(1, LENDING, 5);
    assert.equal(s.lastBlock, 4);
    for (const b of [10, 20, 30]) {
      s.events.push(event(b));
      advance(s, b, hash(b));
    }
    s.dayBlocks = { "100": 9, "101": 20, "102": 25 };
    s.samples = { w: { "100": { block: 9, debt: true, riskFactor: 0.5 }, "101": { block: 20, debt: true, riskFactor: 0.5 }, "102": { block: 25, debt: false, riskFactor: 0 } } };
    rewind(s, { block: 20, hash: hash(20) });
    assert.equal(s.lastBlock, 20);
    assert.equal(s.lastHash, hash(20));
    assert.deepEqual(s.events.map((e) => e.block), [10, 20]);
    assert.deepEqual(s.checkpoints.map((c) => c.block), [10, 20]);
    // A day block equal to the common block may move (a new block after it may precede the boundary): dropped too.
    assert.deepEqual(s.dayBlocks, { "100": 9 });
    assert.deepEqual(Object.keys(s.samples.w!), ["100"]);
    rewind(s, null);
    assert.equal(s.lastBlock, 4);
    assert.equal(s.lastHash, null);
    assert.equal(s.events.length, 0);
  });

  test("checkpoints are bounded; a state of another deployment is not resumed", () => {
    const dir = tmp();
    const s = freshState(137, LENDING, 1);
    for (let b = 1; b <= MAX_CHECKPOINTS + 10; b++) advance(s, b, hash(b));
    assert.equal(s.checkpoints.length, MAX_CHECKPOINTS);
    assert.equal(s.checkpoints[0]!.block, 11);
    saveState(dir, s);
    assert.equal(loadState(dir, 137, LENDING, 1).lastBlock, MAX_CHECKPOINTS + 10);
    assert.equal(loadState(dir, 137, WALLET, 1).lastBlock, 0, "other lending address: fresh state");
    assert.equal(loadState(dir, 137, LENDING, 2).lastBlock, 1, "other start block: fresh state");
  });
});
