// Golden: one wallet active on three protocols (zkrisk, Aave v3, Morpho Blue) across three chains
// (1, 137, 42161), on both database engines. Logs encoded with the protocols' real ABIs go
// through the sources the registry builds from deployment entries, into the database in one page
// transaction per chain (with an undecodable log, counted), and out as the wallet's features:
// every count, USD sum, risk sample and liquidation of every protocol, hand-computed below. The
// chains' RPC is an in-memory stand-in (fixed prices and positions), so the values are exact.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { encodeAbiParameters, encodeEventTopics, getAddress, keccak256, toHex, type Abi, type AbiEvent, type Address, type Hex, type Log, type PublicClient } from "viem";
import { zkRiskLendingAbi } from "../generated/abi.generated.js";
import { aaveV3PoolAbi, morphoBlueAbi } from "../generated/protocols.generated.js";
import { openDatabase } from "../runtime/db/engine.js";
import { chainEvents, commitPage, openCursor, readCursor, rewindChain, sourcesKey, undecodableCounts } from "../runtime/db/index-data.js";
import { ChainReader } from "../runtime/indexer/chain-reader.js";
import { loadFeatureSpec } from "../runtime/indexer/features.js";
import { mapLogs, walletFeatures, type ChainIndex } from "../runtime/indexer/indexer.js";
import { chainSources, type ProtocolEntries } from "../runtime/indexer/sources/registry.js";
import { cleanupDatabases, ENGINES, freshLocation } from "./db-support.js";

const spec = loadFeatureSpec();
const DAY = 86_400;
const T0 = 19_700 * DAY; // a UTC midnight
const timeOf = (block: number) => T0 + 3_600 + block * 60; // one-minute blocks from 01:00
const SNAPSHOT = 2_900; // 2 days and 5 hours after block 0: two 00:00 UTC samples (blocks 1380 and 2820)

const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const LENDING = addr(0x1000);
const ZK_ORACLE = addr(0x1001);
const ZK_LOAN = addr(0x1002);
const POOL = addr(0x2000);
const AAVE_ORACLE = addr(0x2001);
const MORPHO = addr(0x3000);
const MARKET_ORACLE = addr(0x3001);
const USDC = addr(0xa1);
const WETH = addr(0xa2);
const W = addr(0xbeef);
const OTHER = addr(0xcafe);
const MARKET = keccak256(toHex("weth/usdc"));
const e18 = 10n ** 18n;
const e6 = 10n ** 6n;

/** Per chain: the wallet's nonce, its zkrisk position, its Aave account data (USD, 8 decimals). */
const STATE: Record<number, { nonce: number; zk: { collateral: bigint; debt: bigint }; aave: readonly [bigint, bigint, bigint] }> = {
  1: { nonce: 7, zk: { collateral: e18, debt: 500n * e6 }, aave: [10_000n * 10n ** 8n, 6_000n * 10n ** 8n, 8_250n] },
  137: { nonce: 3, zk: { collateral: 0n, debt: 0n }, aave: [0n, 0n, 0n] },
  42161: { nonce: 5, zk: { collateral: 0n, debt: 0n }, aave: [1_000n * 10n ** 8n, 900n * 10n ** 8n, 8_000n] },
};

function chainClient(chainId: number): PublicClient {
  const s = STATE[chainId]!;
  const read = (c: { address: Address; functionName: string; args?: readonly unknown[] }): unknown => {
    const a = getAddress(c.address);
    switch (`${a}.${c.functionName}`) {
      case `${LENDING}.ORACLE`:
        return ZK_ORACLE;
      case `${LENDING}.LOAN_TOKEN`:
        return ZK_LOAN;
      case `${ZK_ORACLE}.price`:
        return (2_000n * 10n ** 36n * e6) / e18; // $2,000 per WETH
      case `${LENDING}.position`:
        return { supplyShares: 0n, borrowShares: 0n, collateral: s.zk.collateral };
      case `${LENDING}.debtOf`:
        return s.zk.debt;
      case `${AAVE_ORACLE}.BASE_CURRENCY_UNIT`:
        return 10n ** 8n;
      case `${AAVE_ORACLE}.getAssetPrice`:
        return getAddress(c.args![0] as Address) === WETH ? 2_500n * 10n ** 8n : 10n ** 8n;
      case `${POOL}.getUserAccountData`:
        return [s.aave[0], s.aave[1], 0n, s.aave[2], 0n, 0n];
      case `${MORPHO}.idToMarketParams`:
        return [USDC, WETH, MARKET_ORACLE, addr(0x3002), 860_000_000_000_000_000n];
      case `${MORPHO}.position`:
        return [0n, 1_000n * e6 * e6, 2n * e18]; // 1,000 USDC of debt, 2 WETH
      case `${MORPHO}.market`:
        return [0n, 0n, 5_000n * e6, 5_000n * e6 * e6, 0n, 0n];
      case `${MARKET_ORACLE}.price`:
        return (2_400n * 10n ** 36n * e6) / e18; // 1 WETH = 2,400 USDC in the market's oracle
    }
    if (c.functionName === "decimals") return a === USDC || a === ZK_LOAN ? 6 : 18;
    throw new Error(`chain ${chainId}: the stand-in does not answer ${c.functionName} on ${a}`);
  };
  return {
    async readContract(c: { address: Address; functionName: string; args?: readonly unknown[] }) {
      return read(c);
    },
    async getBlock({ blockNumber }: { blockNumber: bigint }) {
      return { timestamp: BigInt(timeOf(Number(blockNumber))), hash: keccak256(toHex(`${chainId}:${blockNumber}`)) };
    },
    async getCode() {
      return "0x6080";
    },
    async getTransactionCount() {
      return s.nonce;
    },
  } as unknown as PublicClient;
}

function logOf(abi: Abi, eventName: string, args: Record<string, unknown>, address: Address, block: number, logIndex = 0): Log {
  const event = abi.find((x) => x.type === "event" && x.name === eventName) as AbiEvent;
  const plain = event.inputs.filter((i) => !i.indexed);
  return {
    address,
    topics: encodeEventTopics({ abi: [event], eventName, args } as Parameters<typeof encodeEventTopics>[0]) as [Hex, ...Hex[]],
    data: encodeAbiParameters(plain, plain.map((i) => args[i.name!])),
    blockNumber: BigInt(block),
    logIndex,
    transactionHash: keccak256(toHex(`tx ${address} ${block} ${logIndex}`)),
    transactionIndex: 0,
    blockHash: keccak256(toHex(`${block}`)),
    removed: false,
  } as Log;
}

const PROTOCOLS: ProtocolEntries = { aaveV3: { pool: POOL, oracle: AAVE_ORACLE, startBlock: 1 }, morphoBlue: { morpho: MORPHO, startBlock: 1 } };
const zk = (name: string, args: Record<string, unknown>, block: number) => logOf(zkRiskLendingAbi, name, args, LENDING, block);
const aave = (name: string, args: Record<string, unknown>, block: number, i = 0) => logOf(aaveV3PoolAbi, name, args, POOL, block, i);
const morpho = (name: string, args: Record<string, unknown>, block: number) => logOf(morphoBlueAbi, name, args, MORPHO, block);

const HISTORY: Record<number, Log[]> = {
  // Ethereum: zkrisk (deposit $2,000, borrow $500, repay $100) and Aave (supply 4 WETH = $10,000, borrow $6,000).
  1: [
    zk("SupplyCollateral", { caller: W, onBehalf: W, assets: e18 }, 10),
    zk("Borrow", { caller: W, receiver: W, bucket: 2, assets: 500n * e6, shares: 1n }, 11),
    zk("Repay", { caller: OTHER, onBehalf: W, bucket: 2, assets: 100n * e6, shares: 1n }, 12),
    aave("Supply", { reserve: WETH, user: W, onBehalfOf: W, amount: 4n * e18, referralCode: 0 }, 13),
    aave("Borrow", { reserve: USDC, user: W, onBehalfOf: W, amount: 6_000n * e6, interestRateMode: 2, borrowRate: 1n, referralCode: 0 }, 14),
  ],
  // Polygon: zkrisk (supply: activity only) and Morpho (2 WETH = $5,000 in, borrow $1,000, 0.5 WETH = $1,250 out).
  137: [
    zk("Supply", { caller: W, onBehalf: W, assets: 1_000n * e6, shares: 1n }, 10),
    morpho("SupplyCollateral", { id: MARKET, caller: W, onBehalf: W, assets: 2n * e18 }, 11),
    morpho("Borrow", { id: MARKET, caller: W, onBehalf: W, receiver: W, assets: 1_000n * e6, shares: 1n }, 12),
    morpho("WithdrawCollateral", { id: MARKET, caller: W, onBehalf: W, receiver: W, assets: e18 / 2n }, 13),
  ],
  // Arbitrum: Aave only (supply $1,000, borrow $900), liquidated at block 40; plus a log that does not decode.
  42161: [
    aave("Supply", { reserve: USDC, user: W, onBehalfOf: W, amount: 1_000n * e6, referralCode: 0 }, 10),
    aave("Borrow", { reserve: USDC, user: W, onBehalfOf: W, amount: 900n * e6, interestRateMode: 2, borrowRate: 1n, referralCode: 0 }, 11),
    aave("LiquidationCall", { collateralAsset: USDC, debtAsset: USDC, user: W, debtToCover: 450n * e6, liquidatedCollateralAmount: 1n, liquidator: OTHER, receiveAToken: false }, 40),
    { ...aave("Repay", { reserve: USDC, user: W, repayer: W, amount: 1n, useATokens: false }, 41, 1), data: "0x00" as Hex },
  ],
};

const rf = (debt: number, collateral: number, lt: number) => debt / (collateral * lt);
const RF = {
  1: Math.max(rf(500, 2_000, spec.liquidationThreshold), rf(6_000, 10_000, 0.825)),
  137: rf(1_000, 4_800, 0.86),
  42161: rf(900, 1_000, 0.8),
};
const EXPECTED: Record<number, Record<string, number | string[]>> = {
  1: { tx_count: 7, borrow_count: 2, borrow_usd: 6_500, repay_count: 1, repay_usd: 100, deposit_count: 2, deposit_usd: 12_000, withdraw_count: 0, withdraw_usd: 0, liquidation_count: 0, days_since_last_liquidation: 1825, collateral_usd: 12_000, debt_usd: 6_500, current_risk_factor: RF[1], protocols_used: ["zkrisk", "aave-v3"] },
  137: { tx_count: 3, borrow_count: 1, borrow_usd: 1_000, repay_count: 0, repay_usd: 0, deposit_count: 1, deposit_usd: 5_000, withdraw_count: 1, withdraw_usd: 1_250, liquidation_count: 0, days_since_last_liquidation: 1825, collateral_usd: 4_800, debt_usd: 1_000, current_risk_factor: RF[137], protocols_used: ["zkrisk", "morpho-blue"] },
  42161: { tx_count: 5, borrow_count: 1, borrow_usd: 900, repay_count: 0, repay_usd: 0, deposit_count: 1, deposit_usd: 1_000, withdraw_count: 0, withdraw_usd: 0, liquidation_count: 1, days_since_last_liquidation: 1, collateral_usd: 1_000, debt_usd: 900, current_risk_factor: RF[42161], protocols_used: ["aave-v3"] },
};

after(cleanupDatabases);

for (const engine of ENGINES) {
  describe(`a wallet on three protocols and three chains (${engine})`, { timeout: 180_000 }, () => {
    test("every protocol's events, risk samples and liquidations reach the features", async () => {
      const db = await openDatabase(await freshLocation(engine));
      try {
        const chains: ChainIndex[] = [];
        for (const chainId of [1, 137, 42161]) {
          const client = chainClient(chainId);
          const reader = new ChainReader(chainId, client, LENDING);
          await reader.init();
          const sources = await chainSources({ chainId, client, reader, startBlock: 1, protocols: PROTOCOLS });
          const mapped = await mapLogs(reader, new Map(sources.map((s) => [s.address.toLowerCase(), s])), HISTORY[chainId]!);
          const { cursor } = await openCursor(db, chainId, LENDING, 1, sourcesKey(sources));
          await commitPage(db, { cursor, events: mapped.events, undecodable: mapped.undecodable, to: { block: SNAPSHOT, hash: keccak256(toHex(SNAPSHOT)) }, protocol: "zkrisk" });
          chains.push({ chainId, from: 1, to: SNAPSHOT, newEvents: mapped.events.length, pages: 1, rewound: null, reset: false, snapshot: { block: SNAPSHOT, time: timeOf(SNAPSHOT) }, reader, sources });
        }
        assert.deepEqual(await undecodableCounts(db, 42161), { "aave-v3": 1 });
        assert.deepEqual(await undecodableCounts(db, 1), {});
        const stored = await chainEvents(db, 137);
        assert.deepEqual(stored.map((e) => [e.protocol, e.kind, e.market]), [["zkrisk", "supply", null], ["morpho-blue", "deposit", MARKET.toLowerCase()], ["morpho-blue", "borrow", MARKET.toLowerCase()], ["morpho-blue", "withdraw", MARKET.toLowerCase()]]);

        const check = async () => {
          const [f] = await walletFeatures(spec, chains, db);
          assert.equal(f!.wallet, W);
          for (const r of f!.records) {
            const want = { wallet_age_days: 2, chains_used: 1, days_with_debt: 2, avg_risk_factor: RF[r.chainId as 1], max_risk_factor: RF[r.chainId as 1], ...EXPECTED[r.chainId] };
            for (const [k, v] of Object.entries(want)) {
              const got = r.raw[k];
              if (typeof v === "number") assert.ok(Math.abs((got as number) - v) < 1e-9, `chain ${r.chainId} ${k}: ${String(got)} != ${v}`);
              else assert.deepEqual(got, v, `chain ${r.chainId} ${k}`);
            }
          }
          const raw = Object.fromEntries(spec.names.map((n, i) => [n, f!.raw[i]!]));
          assert.equal(raw.protocols_used, 3);
          assert.equal(raw.chains_used, 3);
          assert.equal(raw.liquidation_count, 1, "the Aave liquidation on Arbitrum counts");
          assert.equal(raw.days_since_last_liquidation, 1);
          assert.equal(raw.borrow_count, 4);
          assert.ok(Math.abs(raw.borrow_usd! - 8_400) < 1e-9 && Math.abs(raw.deposit_usd! - 18_000) < 1e-9 && Math.abs(raw.debt_usd! - 8_400) < 1e-9);
          assert.ok(Math.abs(raw.avg_risk_factor! - (RF[1] + RF[137] + RF[42161]) / 3) < 1e-12);
          assert.equal(raw.max_risk_factor, Math.min(RF[42161], 2));
          // The circuit's neverLiquidated claim is "transformed liquidation_count == 0": false here.
          assert.ok(f!.features[spec.names.indexOf("liquidation_count")]! > 0);
          return f!;
        };
        const first = await check();
        const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::integer AS n FROM protocol_risk_samples")) as [{ n: number }];
        assert.equal(n, 2 * 3, "two day samples for each of Aave on 1, Morpho on 137, Aave on 42161");
        // A second run reads the samples from the database: the same vector.
        const second = await check();
        assert.deepEqual(second.raw, first.raw);

        // A reorg below block 30 on Arbitrum rewinds every source's rows, the undecodable log and the samples above it, in one transaction.
        const cursor = (await readCursor(db, 42161))!;
        assert.equal(cursor.lastBlock, SNAPSHOT);
        assert.match(cursor.sources, /^aave-v3:0x0+2000@1,morpho-blue:0x0+3000@1,zkrisk:0x0+1000@1$/);
        await rewindChain(db, cursor, { block: 30, hash: keccak256(toHex(30)) });
        assert.deepEqual((await chainEvents(db, 42161)).map((e) => [e.protocol, e.kind]), [["aave-v3", "deposit"], ["aave-v3", "borrow"]]);
        assert.deepEqual(await undecodableCounts(db, 42161), {});
        const left = await db.query<{ n: number }>("SELECT count(*)::integer AS n FROM protocol_risk_samples WHERE chain_id = 42161");
        assert.equal(left[0]!.n, 0, "the day samples were at blocks 1380 and 2820, above the rewind");
      } finally {
        await db.close();
      }
    });
  });
}
