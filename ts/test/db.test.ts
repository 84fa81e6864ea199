// The runtime's database (ts/runtime/db/) on both engines, PGlite and PostgreSQL: migrations,
// pages of events committed with their cursor in one transaction (or not at all), idempotent
// event upserts, exact uint256 values, bounded checkpoints, reorg rewinds, SQL aggregates, the
// private records (never in an error message), the submissions and the keeper's log (with the
// README's queries over them), and, for PGlite, the 0700 folder and the lock that
// refuses a second process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { after, before, describe, test } from "node:test";
import { getAddress, maxUint256, type Address, type Hash } from "viem";
import { openDatabase, redactUrl, resolveDatabaseLocation, type Database } from "../runtime/db/engine.js";
import {
  chainEvents,
  checkpoints,
  commitPage,
  countEvents,
  dayBlocks,
  eventAggregates,
  IndexMovedError,
  insertEvents,
  MAX_CHECKPOINTS,
  openCursor,
  readCursor,
  rewindChain,
  samplesOf,
  saveReads,
  walletsUpTo,
  type Cursor,
} from "../runtime/db/index-data.js";
import { importLegacyStore, legacyStateChains, stateRefusal } from "../runtime/db/import.js";
import { appliedMigrations, MIGRATIONS, SCHEMA_VERSION } from "../runtime/db/migrations.js";
import type { IndexedEvent } from "../runtime/indexer/index-state.js";
import { latestRecordOf, recordFor, recordsOf, saveRecord, STORE_VERSION, storedWallets, type StoreRecord } from "../runtime/attest/store.js";
import { deleteLiquidation, keeperLiquidations, recordLiquidation, recordSubmissionSent, recordSubmissionSettled, submissions } from "../runtime/db/attestations.js";
import { ROOT } from "../toolchain/paths.js";
import { oneLine, runCli } from "./cli-support.js";
import { cleanupDatabases, ENGINES, freshLocation, tempFolder } from "./db-support.js";

const POOL = "0x2279b7a0a67db372996a5fab50d91eaa73d2ebe6" as Address;
const A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
const B = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc" as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hash;

function ev(block: number, logIndex: number, kind: IndexedEvent["kind"], wallet: Address, value: bigint, time = block * 100): IndexedEvent {
  const collateral = kind === "deposit" || kind === "withdraw";
  return {
    kind,
    wallet,
    block,
    logIndex,
    tx: hash(block * 1000 + logIndex),
    time,
    assets: value.toString(),
    price: collateral ? (10n ** 36n).toString() : null,
    value: value.toString(),
    usd: Number(value) / 1e6,
  };
}

const record = (wallet: Address, commitment: string, createdAt: string, salt = [11, 22, 33, 44]): StoreRecord => ({
  version: STORE_VERSION,
  wallet: getAddress(wallet),
  features: [1, 2.5, 0.1, 1e-7],
  rawAggregate: [1, 2.5, 0.1, 1e-7],
  raw: [{ chainId: 1, raw: { borrow_count: 1, protocols_used: ["zkrisk"] } }],
  salt,
  commitment,
  inputScale: 12,
  snapshotBlocks: { 1: "10", 137: "20" },
  createdAt,
});

after(cleanupDatabases);

for (const engine of ENGINES) {
  describe(`database on ${engine}`, { timeout: 180_000 }, () => {
    let db: Database;
    let location: string;
    before(async () => {
      location = await freshLocation(engine);
      db = await openDatabase(location);
    });
    after(async () => {
      await db?.close();
    });

    test("migrations: applied once, in order, recorded; a newer or edited schema is refused", async () => {
      const applied = await appliedMigrations(db);
      assert.deepEqual(
        applied.map((m) => m.version),
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
      await db.close();
      db = await openDatabase(location); // nothing pending: opens as it is
      assert.equal((await appliedMigrations(db)).length, SCHEMA_VERSION);
      await db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
      await db.close();
      await assert.rejects(openDatabase(location), { message: /migration 1 \(.*\) differs from the one applied; released migrations must not be edited/ });
      const raw = await openDatabase(location, { migrate: false });
      await raw.query("UPDATE schema_migrations SET checksum = $1 WHERE version = 1", [createHash("sha256").update(MIGRATIONS[0]!.sql).digest("hex")]);
      await raw.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')");
      await raw.close();
      await assert.rejects(openDatabase(location), { message: /has schema version 999, newer than this zkrisk's \d+: upgrade zkrisk/ });
      const fix = await openDatabase(location, { migrate: false });
      await fix.query("DELETE FROM schema_migrations WHERE version = 999");
      await fix.close();
      db = await openDatabase(location);
    });

    test("a page commits its events, cursor and checkpoint together; a failed one leaves nothing", async () => {
      let { cursor, reset } = await openCursor(db, 1, POOL, 10);
      assert.equal(reset, false);
      assert.equal(cursor.lastBlock, 9);
      assert.equal(cursor.lastHash, null);
      cursor = await commitPage(db, { cursor, events: [ev(12, 0, "deposit", A, 5n * 10n ** 24n), ev(12, 1, "borrow", A, 1000n)], to: { block: 14, hash: hash(14) }, protocol: "zkrisk" });
      assert.equal(cursor.lastBlock, 14);
      // The page fails inside its transaction (a crash, a lost connection): nothing of it remains.
      await assert.rejects(
        commitPage(db, { cursor, events: [ev(15, 0, "repay", A, 400n)], to: { block: 16, hash: hash(16) }, protocol: "zkrisk" }, () => {
          throw new Error("crash inside the page");
        }),
        { message: "crash inside the page" },
      );
      assert.equal((await readCursor(db, 1))!.lastBlock, 14);
      assert.equal(await countEvents(db, 1), 2);
      assert.deepEqual((await checkpoints(db, 1)).map((c) => c.block), [14]);
      // A run that resumes from a stale cursor (another indexer moved it) is refused.
      const stale: Cursor = { ...cursor, lastBlock: 9 };
      await assert.rejects(commitPage(db, { cursor: stale, events: [], to: { block: 14, hash: hash(14) }, protocol: "zkrisk" }), IndexMovedError);
      cursor = await commitPage(db, { cursor, events: [ev(15, 0, "repay", A, 400n)], to: { block: 16, hash: hash(16) }, protocol: "zkrisk" });
      assert.equal(cursor.lastHash, hash(16));
    });

    test("events: keyed by (chain, block, log index), written twice changes nothing, uint256 exact", async () => {
      const big = ev(20, 0, "deposit", B, maxUint256);
      await db.transaction((tx) => insertEvents(tx, 1, POOL, "zkrisk", [big, big]));
      await db.transaction((tx) => insertEvents(tx, 1, POOL, "zkrisk", [big]));
      const events = await chainEvents(db, 1, { wallet: B });
      assert.equal(events.length, 1);
      assert.equal(events[0]!.assets, maxUint256.toString());
      assert.equal(events[0]!.value, maxUint256.toString());
      const [row] = await db.query<{ exact: boolean }>("SELECT assets = $1::numeric AS exact FROM pool_events WHERE wallet = $2", [maxUint256.toString(), B]);
      assert.equal(row!.exact, true);
      await db.query("DELETE FROM pool_events WHERE wallet = $1", [B]);
    });

    test("aggregates by SQL: counts, exact sums, first and last times, up to a snapshot", async () => {
      const cursor = (await readCursor(db, 1))!;
      await commitPage(db, {
        cursor,
        events: [ev(17, 0, "deposit", A, 3n), ev(17, 1, "liquidation", A, 7n, 1750), ev(18, 0, "liquidation", A, 1n, 1800), ev(18, 1, "supply", B, 9n), ev(30, 0, "borrow", A, 5n)],
        to: { block: 30, hash: hash(30) },
        protocol: "zkrisk",
      });
      const aggs = await eventAggregates(db, 1, 18, { wallets: [A, B, "0x0000000000000000000000000000000000000001"] });
      const ranged = await eventAggregates(db, 1, 18, { wallets: [B, A], contiguous: true });
      assert.deepEqual(ranged, aggs, "a contiguous page reads the same by range");
      assert.deepEqual([...(await eventAggregates(db, 1, 18, { wallets: ["0x0000000000000000000000000000000000000001", A], contiguous: true })).keys()], [A], "B is in the range, not in the page");
      assert.equal(aggs.size, 2);
      const a = aggs.get(A)!;
      assert.deepEqual(a.counts, { borrow: 1, repay: 1, deposit: 2, withdraw: 0, liquidation: 2 });
      assert.deepEqual(a.values, { borrow: 1000n, repay: 400n, deposit: 5n * 10n ** 24n + 3n, withdraw: 0n });
      assert.equal(a.firstBlock, 12);
      assert.equal(a.firstTime, 1200);
      assert.equal(a.firstBorrowBlock, 12);
      assert.equal(a.lastLiquidationTime, 1800);
      assert.deepEqual(aggs.get(B)!.counts, { borrow: 0, repay: 0, deposit: 0, withdraw: 0, liquidation: 0 });
      assert.equal(aggs.get(B)!.firstBorrowBlock, null);
      assert.deepEqual(await walletsUpTo(db, [{ chainId: 1, block: 17 }]), [A]);
      assert.deepEqual(await walletsUpTo(db, [{ chainId: 1, block: 30 }]), [A, B].sort());
      assert.deepEqual(await walletsUpTo(db, [{ chainId: 1, block: 30 }], [B.toUpperCase().replace("0X", "0x")]), [B]);
    });

    test("a reorg rewinds events, checkpoints and cached reads above the common block, in one transaction", async () => {
      let cursor = (await readCursor(db, 1))!;
      for (const b of [32, 34, 36]) cursor = await commitPage(db, { cursor, events: [ev(b, 0, "repay", A, 1n)], to: { block: b, hash: hash(b) }, protocol: "zkrisk" });
      await saveReads(
        db,
        [
          {
            chainId: 1,
            dayBlocks: [[100, 30], [101, 34], [102, 35]],
            samples: [30, 34, 35].map((b, i) => ({ wallet: A, day: 100 + i, block: b, collateral: 10n, debt: 5n, price: 10n ** 36n })),
          },
        ],
        [],
      );
      cursor = await rewindChain(db, cursor, { block: 34, hash: hash(34) });
      assert.equal(cursor.lastBlock, 34);
      assert.equal(cursor.lastHash, hash(34));
      assert.deepEqual((await chainEvents(db, 1)).map((e) => e.block).filter((b) => b > 30), [32, 34]);
      assert.deepEqual((await checkpoints(db, 1)).map((c) => c.block), [34, 32, 30, 16, 14]);
      // A day block equal to the common block may move (a new block after it may precede the boundary): dropped too.
      assert.deepEqual([...(await dayBlocks(db, 1))], [[100, 30]]);
      assert.deepEqual([...(await samplesOf(db, 1, { wallets: [A] })).get(A)!.keys()], [100]);
      assert.deepEqual([...(await samplesOf(db, 1, { wallets: [A], contiguous: true })).get(A)!.keys()], [100]);
      cursor = await rewindChain(db, cursor, null);
      assert.equal(cursor.lastBlock, 9);
      assert.equal(cursor.lastHash, null);
      assert.equal(await countEvents(db, 1), 0);
      assert.equal((await checkpoints(db, 1)).length, 0);
    });

    test("checkpoints are bounded; an index of another deployment is dropped", async () => {
      let { cursor } = await openCursor(db, 137, POOL, 1);
      for (let b = 1; b <= MAX_CHECKPOINTS + 10; b++) cursor = await commitPage(db, { cursor, events: b === 3 ? [ev(3, 0, "borrow", A, 1n)] : [], to: { block: b, hash: hash(b) }, protocol: "zkrisk" });
      const cps = await checkpoints(db, 137);
      assert.equal(cps.length, MAX_CHECKPOINTS);
      assert.equal(cps.at(-1)!.block, 11);
      const again = await openCursor(db, 137, POOL, 1);
      assert.equal(again.reset, false);
      assert.equal(again.cursor.lastBlock, MAX_CHECKPOINTS + 10);
      const other = await openCursor(db, 137, A, 1);
      assert.equal(other.reset, true, "other pool address: dropped");
      assert.equal(other.cursor.lastBlock, 0);
      assert.equal(await countEvents(db, 137), 0);
      assert.equal((await openCursor(db, 137, A, 5)).reset, true, "other start block: dropped");
    });

    test("private records: by wallet and commitment, newest last, idempotent", async () => {
      assert.equal(await latestRecordOf(db, A), undefined);
      await saveRecord(db, record(A, "222", "2026-01-02T00:00:00.000Z"));
      await saveRecord(db, record(A, "111", "2026-01-01T00:00:00.000Z"));
      await saveRecord(db, record(A, "111", "2026-01-01T00:00:00.000Z"));
      assert.deepEqual((await recordsOf(db, A)).map((r) => r.commitment), ["111", "222"]);
      const latest = (await latestRecordOf(db, A.toUpperCase().replace("0X", "0x")))!;
      assert.equal(latest.commitment, "222");
      assert.deepEqual(latest, { ...record(A, "222", "2026-01-02T00:00:00.000Z"), wallet: latest.wallet });
      assert.equal(latest.wallet, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
      assert.equal((await recordFor(db, A, "0x6f"))?.createdAt, "2026-01-01T00:00:00.000Z");
      assert.equal(await recordFor(db, A, 5n), undefined);
      assert.deepEqual(await storedWallets(db), ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]);
      await saveRecord(db, record(A, "333", "2026-01-03T00:00:00.000Z"));
      assert.deepEqual((await recordsOf(db, A)).map((r) => r.commitment), ["111", "222", "333"]);
      await assert.rejects(saveRecord(db, record(A, "0xabc", "2026-01-01T00:00:00.000Z")), { message: "store: commitment must be a decimal uint256 string, got 0xabc" });
    });

    test("submissions: sent with the wallets by slot, then attested (per-wallet outcome) or reverted; idempotent; uint256 exact", async () => {
      const model = `0x${"ab".repeat(32)}`;
      const round = { chainId: 137, tx: hash(901), circuit: "round" as const, modelId: model, tries: 1, wallets: [{ slot: 0, wallet: getAddress(B), commitment: maxUint256 }, { slot: 1, wallet: getAddress(A), commitment: 5n }] };
      await recordSubmissionSent(db, round);
      await recordSubmissionSent(db, round); // written twice changes nothing
      let [row] = await submissions(db);
      assert.deepEqual([row!.status, row!.circuit, row!.roundId, row!.block, row!.wallets.map((w) => [w.slot, w.outcome])], ["sent", "round", undefined, undefined, [[0, undefined], [1, undefined]]]);
      await recordSubmissionSettled(db, {
        chainId: 137,
        tx: hash(901),
        status: "attested",
        roundId: 2n ** 64n - 1n,
        block: 40,
        gasUsed: 612_345n,
        outcomes: [{ wallet: getAddress(A), outcome: "skipped", skipReason: "commitment changed since proving" }, { wallet: getAddress(B), outcome: "attested", tier: 2, neverLiquidated: false }],
      });
      await recordSubmissionSent(db, { chainId: 1, tx: hash(902), circuit: "single", modelId: model, tries: 2, wallets: [{ slot: 0, wallet: getAddress(A), commitment: 5n }] });
      await recordSubmissionSettled(db, { chainId: 1, tx: hash(902), status: "reverted", block: 41, gasUsed: 30_000n, error: "VerifierOutOfGas" });
      await assert.rejects(recordSubmissionSettled(db, { chainId: 1, tx: hash(903), status: "reverted", block: 1, gasUsed: 1n, error: undefined }), { message: /was not recorded as sent/ });
      const rows = await submissions(db);
      assert.equal(rows.length, 2);
      row = rows.find((r) => r.chainId === 137);
      assert.deepEqual([row!.status, row!.roundId, row!.block, row!.gasUsed, row!.modelId, row!.error], ["attested", 2n ** 64n - 1n, 40, 612_345n, model, undefined]);
      assert.deepEqual(row!.wallets, [
        { slot: 0, wallet: getAddress(B), commitment: maxUint256, outcome: "attested", tier: 2, neverLiquidated: false, skipReason: undefined },
        { slot: 1, wallet: getAddress(A), commitment: 5n, outcome: "skipped", tier: undefined, neverLiquidated: undefined, skipReason: "commitment changed since proving" },
      ]);
      const reverted = rows.find((r) => r.chainId === 1)!;
      assert.deepEqual([reverted.status, reverted.error, reverted.tries, reverted.wallets[0]!.outcome], ["reverted", "VerifierOutOfGas", 2, undefined]);
      assert.deepEqual((await submissions(db, { wallet: B })).map((r) => r.tx), [hash(901)]);
    });

    test("keeper log: sent, then liquidated or reverted; a dropped one removed; the README's queries run", async () => {
      const sent = { chainId: 1, tx: hash(911), borrower: getAddress(A), status: "sent" as const, becameLiquidatableBlock: 50 };
      await recordLiquidation(db, sent);
      assert.deepEqual(await keeperLiquidations(db), [{ ...sent, tx: hash(911), liquidatedBlock: undefined, delayBlocks: undefined, repaidAssets: undefined, seizedAssets: undefined, badDebt: undefined }]);
      const done = { ...sent, status: "liquidated" as const, liquidatedBlock: 51, delayBlocks: 1, repaidAssets: 10n ** 30n + 1n, seizedAssets: 7n * 10n ** 18n, badDebt: 0n };
      await recordLiquidation(db, done);
      await recordLiquidation(db, { chainId: 42161, tx: hash(912), borrower: getAddress(B), status: "liquidated", becameLiquidatableBlock: 70, liquidatedBlock: 74, delayBlocks: 4, repaidAssets: 3n, seizedAssets: 2n, badDebt: 1n });
      await recordLiquidation(db, { chainId: 42161, tx: hash(913), borrower: getAddress(B), status: "reverted", becameLiquidatableBlock: 70 });
      await recordLiquidation(db, { chainId: 137, tx: hash(914), borrower: getAddress(B), status: "sent", becameLiquidatableBlock: 80 });
      await deleteLiquidation(db, 137, hash(914));
      await deleteLiquidation(db, 1, hash(911)); // settled: kept
      assert.deepEqual(await keeperLiquidations(db, { chainId: 1 }), [done]);
      assert.deepEqual((await keeperLiquidations(db)).map((r) => [r.chainId, r.status]), [[1, "liquidated"], [42161, "reverted"], [42161, "liquidated"]], "by chain, then block (a reverted one at the block it was liquidatable from)");

      // The examples of README.md (the runtime section) on these rows and the events of A.
      await db.query(
        `INSERT INTO pool_events (chain_id, block_number, log_index, tx_hash, block_timestamp, protocol, pool_address, kind, wallet, assets, value_loan_units, usd)
         VALUES (1, 49, 0, $1, 4900, 'zkrisk', $2, 'borrow', $3, 1000, 1000, 0.001) ON CONFLICT DO NOTHING`,
        [hash(49_000), POOL, A],
      );
      const readme = readFileSync(join(ROOT, "README.md"), "utf8");
      const block = /```sql\n([\s\S]*?)```/.exec(readme)![1]!;
      const [perChain, history] = block.split(";").map((q) => q.trim()).filter(Boolean).map((q) => q.replaceAll("0xWALLET", A));
      assert.deepEqual(await db.query(perChain!), [
        { chain_id: 1, liquidations: 1, worst_delay_blocks: 1, repaid: (10n ** 30n + 1n).toString() },
        { chain_id: 42161, liquidations: 1, worst_delay_blocks: 4, repaid: "3" },
      ]);
      const lines = await db.query<{ what: string; chain_id: number; block_number: number | null; detail: string }>(history!);
      assert.deepEqual(lines.filter((l) => l.what !== "event").map((l) => [l.what, l.chain_id, l.block_number, l.detail]), [
        ["attestation", 1, 41, "single reverted"],
        ["liquidated", 1, 51, "delay 1 blocks"],
        ["attestation", 137, 40, "round skipped"],
      ]);
      assert.ok(lines.some((l) => l.what === "event" && l.chain_id === 1 && l.block_number === 49 && l.detail === "borrow"), "and its pool events");
    });

    test("private values never reach an error message", async () => {
      const secret = [48_611, 52_907, 60_013, 65_521];
      await db.query("ALTER TABLE private_records ADD CONSTRAINT test_refuses_all CHECK (input_scale < 0) NOT VALID");
      try {
        const err = await saveRecord(db, record(B, "777", "2026-01-04T00:00:00.000Z", secret)).then(
          () => assert.fail("saved"),
          (e: Error) => e,
        );
        assert.match(err.message, new RegExp(`^store: cannot save the record of ${getAddress(B)} \\(commitment 777…\\): .*test_refuses_all`));
        const everything = `${inspect(err, { depth: 10, showHidden: true })} ${JSON.stringify(err)}`;
        for (const s of secret) assert.doesNotMatch(everything, new RegExp(String(s)), "the salt must not be in the error");
        assert.doesNotMatch(everything, /1e-7|2\.5/, "nor the features");
      } finally {
        await db.query("ALTER TABLE private_records DROP CONSTRAINT test_refuses_all");
      }
    });
  });
}

describe("PGlite: the folder and one process at a time", { timeout: 180_000 }, () => {
  const dir = join(tempFolder("zkrisk-lock-"), "db");
  const status = () => runCli(["db", "status", "--database", dir]);

  test("the folder is created mode 0700", async () => {
    const db = await openDatabase(dir);
    await db.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(existsSync(join(dir, "pgdata", "PG_VERSION")));
  });

  test("a second process is refused with one line pointing to PostgreSQL; free again once closed", async () => {
    const db = await openDatabase(dir);
    try {
      const r = status();
      assert.equal(r.status, 1);
      assert.match(
        oneLine(r.stderr),
        new RegExp(`^zkrisk db: the embedded database ${dir} is in use by process ${process.pid} \\(.*\\); PGlite serves one process at a time: stop that process, or run both against a PostgreSQL server \\(ZKRISK_DATABASE_URL or --database postgres://\\.\\.\\.\\)$`),
      );
      await assert.rejects(openDatabase(dir), { message: /is already open in this process/ });
      assert.equal((await db.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations"))[0]!.n, SCHEMA_VERSION, "the holder is undisturbed");
    } finally {
      await db.close();
    }
    const r = status();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^pglite database at .*: schema version \d+/);
  });

  test("a lock left by a killed process is stale: the next one takes over", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", `import("${join(ROOT, "ts/runtime/db/engine.ts")}").then(async (m) => { await m.openDatabase(${JSON.stringify(dir)}); console.log("open"); setInterval(() => {}, 1000); })`], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("open") && resolve());
      child.once("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    const owner = JSON.parse(readFileSync(join(dir, "lock"), "utf8")) as { pid: number };
    assert.equal(owner.pid, child.pid);
    assert.match(oneLine(status().stderr), new RegExp(`in use by process ${child.pid}`));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    assert.ok(existsSync(join(dir, "lock")), "kill -9 leaves the lock");
    const db = await openDatabase(dir);
    await db.close();
    assert.ok(!existsSync(join(dir, "lock")), "released on close");
  });
});

describe("database location and the JSON data of older versions", { timeout: 180_000 }, () => {
  test("location: flag, then ZKRISK_DATABASE_URL, then .zkrisk/db; passwords never printed", () => {
    assert.equal(resolveDatabaseLocation("/x/db", { ZKRISK_DATABASE_URL: "postgres://u@h/d" }), "/x/db");
    assert.equal(resolveDatabaseLocation(undefined, { ZKRISK_DATABASE_URL: "postgres://u@h/d" }), "postgres://u@h/d");
    assert.equal(resolveDatabaseLocation(undefined, {}), join(ROOT, ".zkrisk", "db"));
    assert.throws(() => resolveDatabaseLocation("mysql://u@h/d", {}), { message: /a mysql:\/\/ URL is not supported/ });
    assert.equal(redactUrl("postgres://zkrisk:s3cret@db.example:5432/risk?sslmode=require"), "postgres://zkrisk@db.example:5432/risk");
  });

  test("an unreachable PostgreSQL server is one line without the password", () => {
    const r = runCli(["db", "status", "--database", "postgres://zkrisk:s3cret@127.0.0.1:9/risk"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), "zkrisk db: cannot reach the PostgreSQL server of postgres://zkrisk@127.0.0.1:9/risk (ECONNREFUSED)");
  });

  test("zkrisk db import: a JSON store is imported once; index state files are refused with how to re-index", async () => {
    const tmp = tempFolder("zkrisk-import-");
    const store = join(tmp, "store");
    const state = join(tmp, "index");
    for (const r of [record(A as Address, "111", "2026-01-01T00:00:00.000Z"), record(A as Address, "222", "2026-01-02T00:00:00.000Z"), record(B as Address, "333", "2026-01-03T00:00:00.000Z")]) {
      mkdirSync(join(store, r.wallet.toLowerCase()), { recursive: true });
      writeFileSync(join(store, r.wallet.toLowerCase(), `${r.commitment}.json`), JSON.stringify(r), { mode: 0o600 });
    }
    mkdirSync(state);
    for (const c of [1, 137]) writeFileSync(join(state, `${c}.json`), "{}");
    const dbDir = join(tmp, "db");
    const r = runCli(["db", "import", "--database", dbDir, "--store", store, "--state", state]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`imported 3 new record\\(s\\) of 2 wallet\\(s\\) from ${store} \\(0 already there\\)`));
    assert.match(r.stdout, /index state files in .* \(chains 1, 137\) are not imported: .*Re-index instead: `zkrisk index` reads each chain again/);
    const again = runCli(["db", "import", "--database", dbDir, "--store", store]);
    assert.match(again.stdout, /imported 0 new record\(s\) of 2 wallet\(s\) .* \(3 already there\)/);
    const db = await openDatabase(dbDir);
    try {
      assert.deepEqual((await recordsOf(db, A)).map((x) => x.commitment), ["111", "222"]);
      assert.deepEqual((await recordFor(db, B, 333n))?.salt, [11, 22, 33, 44]);
      const bad = join(tmp, "bad");
      mkdirSync(join(bad, A), { recursive: true });
      writeFileSync(join(bad, A, "999.json"), JSON.stringify(record(A as Address, "111", "2026-01-01T00:00:00.000Z")));
      await assert.rejects(importLegacyStore(db, bad), { message: /999\.json holds another commitment than its file name/ });
    } finally {
      await db.close();
    }
    assert.deepEqual(legacyStateChains(state), [1, 137]);
    assert.match(stateRefusal(state, [1]), /\(chain 1\)/);
    const none = runCli(["db", "import", "--database", dbDir, "--store", join(tmp, "nothing")]);
    assert.equal(oneLine(none.stderr), `zkrisk db: ${join(tmp, "nothing")} holds no store record (<wallet>/<commitment>.json)`);
    const usage = runCli(["db", "frob", "--database", dbDir]);
    assert.equal(oneLine(usage.stderr), "zkrisk db: give one of migrate, status, import (see `zkrisk db --help`)");
  });

  test("index and attest refuse the old --store and --state flags with what to do", () => {
    const r = runCli(["attest", "--store", "/tmp/x"]);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), "zkrisk attest: --store: the private store now lives in the database (--database); import a JSON store folder once with `zkrisk db import --store <dir>`");
    const s = runCli(["index", "--state", "/tmp/x"]);
    assert.match(oneLine(s.stderr), /^zkrisk index: --state: the index state now lives in the database/);
  });
});
