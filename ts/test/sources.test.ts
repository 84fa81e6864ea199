// The indexer's sources (ts/runtime/indexer/sources/) on logs encoded with the protocols' real
// ABIs (the generated, typed ones from @aave/core-v3 and Morpho Blue's sources): each event maps
// to the wallet whose position it changes, its kind, market and USD value at its block; a log
// that does not decode is counted, never dropped; positions are valued as documented; the
// registry skips a protocol the deployment lacks (one line naming it) and refuses an address
// without code at its start block. The RPC is an in-memory stand-in answering the few reads the
// adapters make (prices, decimals, market params, positions), so every value here is exact.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeAbiParameters,
  encodeEventTopics,
  getAddress,
  keccak256,
  toHex,
  type Abi,
  type AbiEvent,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
} from "viem";
import { zkRiskLendingAbi } from "../generated/abi.generated.js";
import { aaveV3PoolAbi, morphoBlueAbi, morphoOracleMockAbi } from "../generated/protocols.generated.js";
import { ChainReader } from "../runtime/indexer/chain-reader.js";
import { loadFeatureSpec } from "../runtime/indexer/features.js";
import { mapLogs } from "../runtime/indexer/indexer.js";
import { aaveV3Source } from "../runtime/indexer/sources/aave-v3.js";
import { morphoBlueSource } from "../runtime/indexer/sources/morpho-blue.js";
import { toAssetsUp } from "../runtime/keeper/keeper-math.js";
import { chainSources } from "../runtime/indexer/sources/registry.js";
import { UndecodableLogError, type Source, type SourceContext } from "../runtime/indexer/sources/source.js";
import { UsdPrices } from "../runtime/indexer/sources/usd-prices.js";
import { zkriskSource } from "../runtime/indexer/sources/zkrisk.js";
import { positionRisk } from "../runtime/indexer/wallet-features.js";

const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const LENDING = addr(0x1000);
const ZK_ORACLE = addr(0x1001);
const ZK_LOAN = addr(0x1002); // 6 decimals: the chain's USD unit
const POOL = addr(0x2000);
const AAVE_ORACLE = addr(0x2001);
const MORPHO = addr(0x3000);
const MARKET_ORACLE = addr(0x3001);
const USDC = addr(0xa1); // 6 decimals, $1.0001
const WETH = addr(0xa2); // 18 decimals, $2,500
const ODD = addr(0xa3); // 18 decimals, no Aave price
const WALLET = addr(0xbeef);
const OTHER = addr(0xcafe);
const MARKET_ID = keccak256(toHex("weth/usdc market"));
const UNPRICED_ID = keccak256(toHex("odd/usdc market"));

/** Encode an event of a real ABI as a log (indexed inputs in topics, the rest in data). */
function logOf(abi: Abi, eventName: string, args: Record<string, unknown>, at: { address: Address; block: number; logIndex: number }): Log {
  const event = abi.find((x) => x.type === "event" && x.name === eventName) as AbiEvent;
  const topics = encodeEventTopics({ abi: [event], eventName, args } as Parameters<typeof encodeEventTopics>[0]) as Hex[];
  const data = encodeAbiParameters(
    event.inputs.filter((i) => !i.indexed),
    event.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]),
  );
  return {
    address: at.address,
    topics: topics as [Hex, ...Hex[]],
    data,
    blockNumber: BigInt(at.block),
    logIndex: at.logIndex,
    transactionHash: keccak256(toHex(`tx ${at.block} ${at.logIndex}`)),
    transactionIndex: 0,
    blockHash: keccak256(toHex(`block ${at.block}`)),
    removed: false,
  } as Log;
}

interface Call {
  address: Address;
  functionName: string;
  args?: readonly unknown[];
  blockNumber?: bigint;
}

/** The in-memory chain: what each adapter reads, by contract and function. */
function fakeClient(opts: { codeAt?: (address: Address, block: number) => boolean; staleMarketOracleFrom?: number } = {}): PublicClient {
  const answer = (c: Call): unknown => {
    const a = getAddress(c.address);
    const block = Number(c.blockNumber ?? 100n);
    switch (`${a}.${c.functionName}`) {
      case `${LENDING}.ORACLE`:
        return ZK_ORACLE;
      case `${LENDING}.LOAN_TOKEN`:
        return ZK_LOAN;
      case `${ZK_ORACLE}.price`:
        return 2_000n * 10n ** 36n * 10n ** 6n / 10n ** 18n; // $2,000 per 1e18 collateral units, in 6-decimal loan units
      case `${AAVE_ORACLE}.BASE_CURRENCY_UNIT`:
        return 10n ** 8n;
      case `${AAVE_ORACLE}.getAssetPrice`: {
        const t = getAddress(c.args![0] as Address);
        // WETH's price moves with the block: the event's block must be the one read.
        return t === USDC ? 100_010_000n : t === WETH ? (2_500n + BigInt(block)) * 10n ** 8n : 0n;
      }
      case `${POOL}.getUserAccountData`:
        // $10,000 collateral, $6,000 debt, threshold 82.5%, ltv 80%, HF = 10000*0.825/6000
        return [10_000n * 10n ** 8n, 6_000n * 10n ** 8n, 0n, 8_250n, 8_000n, 1_375_000_000_000_000_000n];
      case `${MORPHO}.idToMarketParams`: {
        const id = (c.args![0] as string).toLowerCase();
        if (id === MARKET_ID.toLowerCase()) return [USDC, WETH, MARKET_ORACLE, addr(0x3002), 860_000_000_000_000_000n];
        if (id === UNPRICED_ID.toLowerCase()) return [ODD, WETH, MARKET_ORACLE, addr(0x3002), 860_000_000_000_000_000n];
        return [addr(0), addr(0), addr(0), addr(0), 0n];
      }
      case `${MORPHO}.position`:
        // supplyShares, borrowShares, collateral: 2 WETH, 1,000e6 x 1e6 shares
        return [0n, 1_000n * 10n ** 6n * 10n ** 6n, 2n * 10n ** 18n];
      case `${MORPHO}.market`:
        // totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee: 1 share = 1e-6 asset
        return [10n ** 12n, 10n ** 18n, 5_000n * 10n ** 6n, 5_000n * 10n ** 12n, 0n, 0n];
      case `${MARKET_ORACLE}.price`:
        if (opts.staleMarketOracleFrom !== undefined && block >= opts.staleMarketOracleFrom) {
          throw new ContractFunctionExecutionError(new ContractFunctionRevertedError({ abi: morphoOracleMockAbi, functionName: "price", message: "stale price" }), {
            abi: morphoOracleMockAbi,
            functionName: "price",
            contractAddress: a,
          });
        }
        return 2_400n * 10n ** 36n * 10n ** 6n / 10n ** 18n; // 1 WETH = 2,400 USDC
    }
    if (c.functionName === "decimals") return a === USDC || a === ZK_LOAN ? 6 : 18;
    throw new Error(`the fake chain does not answer ${c.functionName} on ${a}`);
  };
  return {
    async readContract(c: Call) {
      return answer(c);
    },
    async getBlock({ blockNumber }: { blockNumber: bigint }) {
      return { timestamp: 1_700_000_000n + blockNumber * 12n, hash: keccak256(toHex(`block ${blockNumber}`)) };
    },
    async getCode({ address, blockNumber }: { address: Address; blockNumber: bigint }) {
      return (opts.codeAt ?? (() => true))(getAddress(address), Number(blockNumber)) ? "0x6080" : undefined;
    },
  } as unknown as PublicClient;
}

async function context(client = fakeClient()): Promise<SourceContext> {
  const reader = new ChainReader(1, client, LENDING);
  await reader.init();
  return { chainId: 1, client, reader, usd: new UsdPrices(1, client, AAVE_ORACLE, reader) };
}

const at = (address: Address, block: number, logIndex = 0) => ({ address, block, logIndex });

describe("Aave v3 adapter (aaveV3PoolAbi from @aave/core-v3)", () => {
  test("each event maps to the wallet whose position it changes, valued by the Aave oracle at its block", async () => {
    const ctx = await context();
    const s = aaveV3Source(ctx, POOL, 10, ctx.usd!);
    const supply = await s.toEvent(logOf(aaveV3PoolAbi, "Supply", { reserve: WETH, user: OTHER, onBehalfOf: WALLET, amount: 2n * 10n ** 18n, referralCode: 0 }, at(POOL, 20)));
    assert.deepEqual({ ...supply, wallet: getAddress(supply.wallet) }, {
      kind: "deposit",
      wallet: WALLET, // onBehalfOf, not the sender
      assets: 2n * 10n ** 18n,
      market: WETH.toLowerCase(),
      price: 2_520n * 10n ** 8n, // the price at block 20
      value: 5_040n * 10n ** 6n, // $5,040 in 6-decimal units
      unpriced: false,
    });
    const withdraw = await s.toEvent(logOf(aaveV3PoolAbi, "Withdraw", { reserve: USDC, user: WALLET, to: OTHER, amount: 1_000n * 10n ** 6n }, at(POOL, 21)));
    assert.equal(withdraw.kind, "withdraw");
    assert.equal(getAddress(withdraw.wallet), WALLET);
    assert.equal(withdraw.value, 1_000_100_000n); // 1,000 USDC at $1.0001
    const borrow = await s.toEvent(
      logOf(aaveV3PoolAbi, "Borrow", { reserve: USDC, user: OTHER, onBehalfOf: WALLET, amount: 500n * 10n ** 6n, interestRateMode: 2, borrowRate: 10n ** 25n, referralCode: 0 }, at(POOL, 22)),
    );
    assert.deepEqual([borrow.kind, getAddress(borrow.wallet), borrow.value], ["borrow", WALLET, 500_050_000n]);
    const repay = await s.toEvent(logOf(aaveV3PoolAbi, "Repay", { reserve: USDC, user: WALLET, repayer: OTHER, amount: 200n * 10n ** 6n, useATokens: false }, at(POOL, 23)));
    assert.deepEqual([repay.kind, getAddress(repay.wallet), repay.assets], ["repay", WALLET, 200n * 10n ** 6n]);
    const liq = await s.toEvent(
      logOf(
        aaveV3PoolAbi,
        "LiquidationCall",
        { collateralAsset: WETH, debtAsset: USDC, user: WALLET, debtToCover: 300n * 10n ** 6n, liquidatedCollateralAmount: 10n ** 17n, liquidator: OTHER, receiveAToken: false },
        at(POOL, 24),
      ),
    );
    // The liquidated user, the debt covered, in the debt asset.
    assert.deepEqual([liq.kind, getAddress(liq.wallet), liq.market, liq.value], ["liquidation", WALLET, USDC.toLowerCase(), 300_030_000n]);
  });

  test("a reserve the oracle does not price is indexed at USD 0 and flagged unpriced", async () => {
    const ctx = await context();
    const s = aaveV3Source(ctx, POOL, 10, ctx.usd!);
    const e = await s.toEvent(logOf(aaveV3PoolAbi, "Supply", { reserve: ODD, user: WALLET, onBehalfOf: WALLET, amount: 10n ** 18n, referralCode: 0 }, at(POOL, 20)));
    assert.deepEqual([e.kind, e.price, e.value, e.unpriced], ["deposit", null, 0n, true]);
  });

  test("positions: getUserAccountData at the block, the risk factor is 1 / healthFactor", async () => {
    const ctx = await context();
    const s = aaveV3Source(ctx, POOL, 10, ctx.usd!);
    const [p, ...rest] = await s.positions(WALLET, 50, []);
    assert.equal(rest.length, 0);
    assert.deepEqual(p, { debtUsd: 6_000, collateralUsd: 10_000, liquidationThreshold: 0.825 });
    assert.ok(Math.abs(positionRisk(loadFeatureSpec(), p!) - 1 / 1.375) < 1e-12);
  });
});

describe("Morpho Blue adapter (morphoBlueAbi compiled from @morpho-org/morpho-blue)", () => {
  test("each event of any market maps to onBehalf (borrower for Liquidate), tokens from idToMarketParams", async () => {
    const ctx = await context();
    const s = morphoBlueSource(ctx, MORPHO, 10, ctx.usd);
    const base = { id: MARKET_ID, caller: OTHER };
    const cases: [string, Record<string, unknown>, string, Address][] = [
      ["Supply", { ...base, onBehalf: WALLET, assets: 100n * 10n ** 6n, shares: 1n }, "supply", USDC],
      ["Withdraw", { ...base, onBehalf: WALLET, receiver: OTHER, assets: 100n * 10n ** 6n, shares: 1n }, "withdraw_supply", USDC],
      ["SupplyCollateral", { ...base, onBehalf: WALLET, assets: 10n ** 18n }, "deposit", WETH],
      ["WithdrawCollateral", { ...base, onBehalf: WALLET, receiver: OTHER, assets: 10n ** 18n }, "withdraw", WETH],
      ["Borrow", { ...base, onBehalf: WALLET, receiver: OTHER, assets: 100n * 10n ** 6n, shares: 1n }, "borrow", USDC],
      ["Repay", { ...base, onBehalf: WALLET, assets: 100n * 10n ** 6n, shares: 1n }, "repay", USDC],
      ["Liquidate", { ...base, borrower: WALLET, repaidAssets: 100n * 10n ** 6n, repaidShares: 1n, seizedAssets: 10n ** 17n, badDebtAssets: 0n, badDebtShares: 0n }, "liquidation", USDC],
    ];
    for (const [i, [name, args, kind, token]] of cases.entries()) {
      const e = await s.toEvent(logOf(morphoBlueAbi, name, args, at(MORPHO, 30, i)));
      assert.equal(e.kind, kind, name);
      assert.equal(getAddress(e.wallet), WALLET, name);
      assert.equal(e.market, MARKET_ID.toLowerCase(), name);
      const expected = token === USDC ? 100_010_000n : (2_530n * 10n ** 8n * 10n ** 6n) / 10n ** 8n; // 100 USDC, or 1 WETH at block 30's price
      assert.equal(e.value, expected, name);
    }
  });

  test("a market whose loan token has no Aave price: unpriced, USD 0; an unknown market id is an error", async () => {
    const ctx = await context();
    const s = morphoBlueSource(ctx, MORPHO, 10, ctx.usd);
    const e = await s.toEvent(logOf(morphoBlueAbi, "Borrow", { id: UNPRICED_ID, caller: WALLET, onBehalf: WALLET, receiver: WALLET, assets: 10n ** 18n, shares: 1n }, at(MORPHO, 30)));
    assert.deepEqual([e.unpriced, e.value], [true, 0n]);
    const none = keccak256(toHex("no such market"));
    await assert.rejects(s.toEvent(logOf(morphoBlueAbi, "Supply", { id: none, caller: WALLET, onBehalf: WALLET, assets: 1n, shares: 1n }, at(MORPHO, 30))), {
      message: new RegExp(`Morpho Blue ${MORPHO} has no market ${none}`),
    });
  });

  test("positions: borrow shares to assets (rounded up), collateral at the market oracle, the market's LLTV", async () => {
    assert.equal(toAssetsUp(3n, 10n, 10n ** 6n * 3n), 1n); // rounds up
    assert.equal(toAssetsUp(10n ** 15n, 5_000n * 10n ** 6n, 5_000n * 10n ** 12n), 1_000n * 10n ** 6n);
    const ctx = await context();
    const s = morphoBlueSource(ctx, MORPHO, 10, ctx.usd);
    const [p] = await s.positions(WALLET, 40, [MARKET_ID, MARKET_ID, null]);
    // 1,000 USDC of debt and 2 WETH x 2,400 USDC of collateral, at $1.0001 per USDC; LLTV 86%.
    assert.ok(Math.abs(p!.debtUsd - 1_000.1) < 1e-9 && Math.abs(p!.collateralUsd - 4_800.48) < 1e-9, JSON.stringify(p));
    assert.equal(p!.liquidationThreshold, 0.86);
  });

  test("positions: a market oracle that reverts at the block (stale feed) -> the Aave oracle's collateral price", async () => {
    const ctx = await context(fakeClient({ staleMarketOracleFrom: 40 }));
    const s = morphoBlueSource(ctx, MORPHO, 10, ctx.usd);
    const [early] = await s.positions(WALLET, 39, [MARKET_ID]);
    assert.ok(Math.abs(early!.collateralUsd - 4_800.48) < 1e-9, "the market oracle before it went stale");
    const [late] = await s.positions(WALLET, 40, [MARKET_ID]);
    assert.equal(late!.collateralUsd, 2 * 2_540, "2 WETH at the Aave oracle's price of block 40");
    assert.ok(Math.abs(late!.debtUsd - 1_000.1) < 1e-9);
  });
});

describe("zkrisk adapter and the page mapping", () => {
  test("zkrisk events keep their classification (Borrow -> caller, Liquidate -> borrower; collateral at the pool's oracle)", async () => {
    const ctx = await context();
    const s = zkriskSource(ctx, 1);
    const dep = await s.toEvent(logOf(zkRiskLendingAbi, "SupplyCollateral", { caller: OTHER, onBehalf: WALLET, assets: 10n ** 18n }, at(LENDING, 5)));
    assert.deepEqual([dep.kind, getAddress(dep.wallet), dep.value, dep.market], ["deposit", WALLET, 2_000n * 10n ** 6n, null]);
  });

  test("a log with an indexed event's topic that does not decode is counted with its protocol, never dropped", async () => {
    const ctx = await context();
    const sources: Source[] = [zkriskSource(ctx, 1), aaveV3Source(ctx, POOL, 10, ctx.usd!), morphoBlueSource(ctx, MORPHO, 10, ctx.usd)];
    const good = logOf(aaveV3PoolAbi, "Borrow", { reserve: USDC, user: WALLET, onBehalfOf: WALLET, amount: 10n ** 6n, interestRateMode: 2, borrowRate: 1n, referralCode: 0 }, at(POOL, 20, 0));
    const truncated = { ...logOf(aaveV3PoolAbi, "Repay", { reserve: USDC, user: WALLET, repayer: WALLET, amount: 1n, useATokens: false }, at(POOL, 20, 1)) };
    truncated.data = "0x1234"; // Repay's topic, data cut short
    const morphoGood = logOf(morphoBlueAbi, "SupplyCollateral", { id: MARKET_ID, caller: WALLET, onBehalf: WALLET, assets: 10n ** 18n }, at(MORPHO, 20, 2));
    const missingTopic = { ...logOf(morphoBlueAbi, "Liquidate", { id: MARKET_ID, caller: OTHER, borrower: WALLET, repaidAssets: 1n, repaidShares: 1n, seizedAssets: 1n, badDebtAssets: 0n, badDebtShares: 0n }, at(MORPHO, 20, 3)) };
    missingTopic.topics = missingTopic.topics.slice(0, 2) as [Hex, ...Hex[]]; // the borrower topic missing
    const byAddress = new Map(sources.map((s) => [s.address.toLowerCase(), s]));
    const r = await mapLogs(ctx.reader, byAddress, [good, truncated, morphoGood, missingTopic]);
    assert.deepEqual(r.events.map((e) => [e.protocol, e.kind, e.logIndex]).sort(), [["aave-v3", "borrow", 0], ["morpho-blue", "deposit", 2]]);
    assert.deepEqual(r.undecodable.map((u) => [u.protocol, u.logIndex]).sort(), [["aave-v3", 1], ["morpho-blue", 3]]);
    assert.ok(r.undecodable.every((u) => u.reason.length > 0 && u.topic0 !== null));
    await assert.rejects(sources[1]!.toEvent(truncated), UndecodableLogError);
    // Rows carry their source's protocol, contract and market, and the chain's USD value.
    const borrow = r.events.find((e) => e.kind === "borrow")!;
    assert.deepEqual([borrow.pool, borrow.market, borrow.value, borrow.usd], [POOL.toLowerCase(), USDC.toLowerCase(), "1000100", 1.0001]);
  });
});

describe("registry of sources (what the deployment record lists)", () => {
  const reader = async (client: PublicClient) => {
    const r = new ChainReader(137, client, LENDING);
    await r.init();
    return r;
  };

  test("a protocol missing from the record is skipped with one line naming protocol and chain", async () => {
    const client = fakeClient();
    const lines: string[] = [];
    const sources = await chainSources({ chainId: 137, client, reader: await reader(client), startBlock: 5, protocols: { morphoBlue: { morpho: MORPHO, startBlock: 7 } }, log: (l) => lines.push(l) });
    assert.deepEqual(sources.map((s) => [s.protocol, s.startBlock]), [["zkrisk", 5], ["morpho-blue", 7]]);
    assert.deepEqual(lines, ["chain 137: aave-v3 skipped: deployments/137.json has no protocols.aaveV3"]);
    // Morpho without Aave on the chain: its amounts are unpriced.
    const e = await sources[1]!.toEvent(logOf(morphoBlueAbi, "Borrow", { id: MARKET_ID, caller: WALLET, onBehalf: WALLET, receiver: WALLET, assets: 10n ** 6n, shares: 1n }, at(MORPHO, 9)));
    assert.deepEqual([e.unpriced, e.value], [true, 0n]);
  });

  test("an address without code at its start block is an error naming protocol, address and block", async () => {
    const client = fakeClient({ codeAt: (a, block) => !(a === POOL && block < 50) });
    const r = await reader(client);
    await assert.rejects(
      chainSources({ chainId: 137, client, reader: r, startBlock: 5, protocols: { aaveV3: { pool: POOL, oracle: AAVE_ORACLE, startBlock: 40 } } }),
      { message: `chain 137: aave-v3 at ${POOL} has no code at its start block 40 (deployments/137.json protocols.aaveV3): fix the address or the start block` },
    );
    const ok = await chainSources({ chainId: 137, client, reader: r, startBlock: 5, protocols: { aaveV3: { pool: POOL, oracle: AAVE_ORACLE, startBlock: 60 } } });
    assert.deepEqual(ok.map((s) => s.protocol), ["zkrisk", "aave-v3"]);
    await assert.rejects(chainSources({ chainId: 137, client, reader: r, startBlock: 5, protocols: { aaveV3: { oracle: AAVE_ORACLE, startBlock: 60 } } }), {
      message: "chain 137: deployments/137.json protocols.aaveV3: the aaveV3 entry has no `pool` address",
    });
    await assert.rejects(chainSources({ chainId: 137, client, reader: r, startBlock: 5, protocols: { morphoBlue: { morpho: MORPHO, startBlock: -1 } } }), {
      message: "chain 137: deployments/137.json protocols.morphoBlue.startBlock must be a block number, got -1",
    });
  });
});
