// The keeper's liquidation planning (ts/runtime/keeper/keeper-plan.ts) against the real
// contracts on anvil: a position whose tier changes inside liquidate() (attestation superseded,
// or expiring between the read and the transaction) is liquidated at its new terms, and the
// contract's amounts equal the TypeScript mirror's at the block's timestamp; a plan made before
// the next, lower oracle answer still goes through where "repay all" reverts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BaseError, ContractFunctionRevertedError, type Account } from "viem";
import { attestationRegistryAbi } from "../generated/abi.generated.js";
import {
  BUCKET_UNVERIFIED,
  effectiveLltv,
  liquidationIncentiveFactor,
  planLiquidation,
  seizedForShares,
  syncedPosition,
  toAssetsUp,
  type CreditPeriod,
  type LiquidationPlan,
  type MarketState,
  type PositionState,
} from "../runtime/keeper/keeper-math.js";
import { creditAt, planRobustLiquidation } from "../runtime/keeper/keeper-plan.js";
import { readCreditPeriod, readMarket, readMarketInfo, readPosition } from "../runtime/keeper/keeper-positions.js";
import { testMarket, type TestMarket } from "./keeper-support.js";

describe("liquidation planning against the contract", () => {
  let t: TestMarket;

  before(async () => {
    t = await testMarket();
  });
  after(async () => {
    await t?.stop();
  });

  async function read(who: Account): Promise<{ m: MarketState; p: PositionState; credit: CreditPeriod; n: bigint }> {
    const n = await t.head();
    const info = await readMarketInfo(t.client, t.d.contracts.lending.address);
    const [m, p, credit] = await Promise.all([
      readMarket(t.client, info, n),
      readPosition(t.client, t.d.contracts.lending.address, who.address, n),
      readCreditPeriod(t.client, info.creditOracle, who.address, n),
    ]);
    return { m, p, credit, n };
  }

  const setNextTimestamp = (ts: bigint) => t.rpc("evm_setNextBlockTimestamp", [`0x${ts.toString(16)}`]);

  /** Liquidate `who` with `plan` from the keeper's account in a block at `ts`; the Liquidate event. */
  async function liquidateAt(who: Account, plan: LiquidationPlan, ts: bigint) {
    await setNextTimestamp(ts);
    const block = await t.send(t.keeperAccount, { ...t.lending, functionName: "liquidate", args: [who.address, plan.seizedAssets, plan.repaidShares] });
    const [e] = (await t.liquidations(who.address)).filter((x) => x.blockNumber === block);
    assert.ok(e, "a Liquidate event");
    return { e: e!, block };
  }

  /** The mirror at inclusion time `ts`: the position after the sync, its bucket, its incentive factor. */
  function mirrorAt(m: MarketState, p: PositionState, credit: CreditPeriod, ts: bigint) {
    const s = syncedPosition(m, p, creditAt(credit, ts), ts);
    const bucket = s.market.buckets[s.position.bucket]!;
    const lif = liquidationIncentiveFactor(effectiveLltv(s.position, m.tierParams, ts));
    return { ...s, bucket, lif };
  }

  test("a superseded attestation: the debt moves to UNVERIFIED inside liquidate(), and the plan made on the snapshot lands, amounts equal to the mirror's", async () => {
    await t.setPrice(10_000n);
    const w = t.wallet();
    const commitment = await t.attestLow(w, 0);
    await t.open(8_000n, 10n, w); // 80%: LOW only (max LTV 85%, liquidation LTV 90%)
    assert.equal((await t.position(w.address)).bucket, 0);
    await t.replaceCommitment(w, commitment + 1n); // stops counting: UNVERIFIED, liquidation LTV ramping 90% -> 70% over a day
    await t.rpc("evm_increaseTime", [12 * 3_600]);
    await t.setPrice(9_500n); // LTV ~84% > ~80% mid-ramp: liquidatable at the new terms, healthy at the stored ones

    const { m, p, credit } = await read(w);
    assert.equal(p.bucket, 0, "stored: still LOW");
    assert.equal(credit.counts, false);
    const now = mirrorAt(m, p, credit, m.timestamp);
    assert.equal(now.position.bucket, BUCKET_UNVERIFIED);
    assert.notEqual(now.position.borrowShares, p.borrowShares, "the debt is re-minted in another bucket");
    const plan = planRobustLiquidation(m, p, credit);
    assert.ok(plan);
    assert.equal(plan.kind, "full");
    assert.ok(plan.repaidShares < now.position.borrowShares && plan.repaidShares > (now.position.borrowShares * 999n) / 1_000n);

    const ts = m.timestamp + 7n; // a few blocks later: more interest in both buckets, the ramp further on
    const { e, block } = await liquidateAt(w, plan, ts);
    const at = mirrorAt(m, p, credit, ts);
    assert.equal(e.args.repaidShares, plan.repaidShares);
    assert.equal(e.args.repaidAssets, toAssetsUp(plan.repaidShares, at.bucket.borrowAssets, at.bucket.borrowShares));
    assert.equal(e.args.seizedAssets, seizedForShares(plan.repaidShares, at.bucket, m.price!, at.lif));
    assert.ok(e.args.repaidAssets <= plan.maxRepaidAssets);
    const after = await readPosition(t.client, t.d.contracts.lending.address, w.address, block);
    assert.equal(after.bucket, BUCKET_UNVERIFIED);
    assert.equal(after.borrowShares, at.position.borrowShares - plan.repaidShares, "the shares the mirror says the sync minted, less those repaid");
    assert.equal(after.collateral, p.collateral - e.args.seizedAssets);
    assert.equal(await t.client.readContract({ ...t.lending, functionName: "isHealthy", args: [w.address], blockNumber: block }), true, "what is left (rounding slack) is healthy");
  });

  test("an attestation that expires between the read and the transaction: planned on the terms at inclusion, it does not revert", async () => {
    const w = t.wallet();
    await t.setPrice(10_000n);
    await t.attestLow(w, 1);
    await t.open(8_000n, 10n, w);
    const registry = { address: t.d.contracts.registry.address, abi: attestationRegistryAbi } as const;
    const { endsAt } = await t.client.readContract({ ...registry, functionName: "creditPeriodOf", args: [w.address] });
    await setNextTimestamp(endsAt - 4n);
    await t.setPrice(8_700n); // LTV ~92% > 90%: liquidatable while LOW still counts

    const { m, p, credit } = await read(w);
    assert.equal(m.timestamp, endsAt - 4n);
    assert.equal(credit.counts, true, "LOW counts at the read block");
    const plan = planRobustLiquidation(m, p, credit);
    assert.ok(plan);
    const ts = endsAt + 2n; // mined after the attestation expired: liquidate() moves the debt to UNVERIFIED first
    const { e, block } = await liquidateAt(w, plan, ts);
    const at = mirrorAt(m, p, credit, ts);
    assert.equal(at.position.bucket, BUCKET_UNVERIFIED);
    if (plan.repaidShares > 0n) {
      assert.equal(e.args.repaidShares, plan.repaidShares);
      assert.equal(e.args.seizedAssets, seizedForShares(plan.repaidShares, at.bucket, m.price!, at.lif));
    } else assert.equal(e.args.seizedAssets, plan.seizedAssets);
    const after = await readPosition(t.client, t.d.contracts.lending.address, w.address, block);
    assert.equal(after.bucket, BUCKET_UNVERIFIED);
    assert.equal(await t.client.readContract({ ...t.lending, functionName: "isHealthy", args: [w.address], blockNumber: block }), true);
  });

  test("the next oracle answer 3% lower is mined first: 'repay all' would revert InsufficientCollateral, the plan with a margin goes through", async () => {
    await t.setPrice(10_000n);
    const u = await t.open(5_990n); // UNVERIFIED (liquidation LTV 70%, incentive 1/0.91)
    await t.setPrice(6_682n); // repaying all the debt seizes ~98.5% of the collateral
    const { m, p, credit } = await read(u);
    const naive = planLiquidation(m, p);
    assert.equal(naive?.kind, "full", "without a price margin: repay every share");
    const plan = planRobustLiquidation(m, p, credit);
    assert.ok(plan);
    assert.notEqual(plan.kind, "full");

    await t.setPrice(6_482n); // the next answer, mined before the liquidation
    const naiveCall = { ...t.lending, functionName: "liquidate", args: [u.address, naive.seizedAssets, naive.repaidShares], account: t.keeperAccount } as const;
    const reverted = await t.client.simulateContract(naiveCall).then(
      () => undefined,
      (err: unknown) => (err instanceof BaseError ? err.walk((x) => x instanceof ContractFunctionRevertedError) : undefined) as ContractFunctionRevertedError | undefined,
    );
    assert.equal(reverted?.data?.errorName, "InsufficientCollateral");
    const { e, block } = await liquidateAt(u, plan, (await t.client.getBlock()).timestamp + 1n);
    assert.equal(e.args.seizedAssets, plan.seizedAssets);
    // Underwater at the new answer: what the collateral left cannot cover was written off; the keeper's next plan closes the rest.
    const again = await read(u);
    assert.equal(again.n, block);
    if (again.p.borrowShares > 0n && !(await t.client.readContract({ ...t.lending, functionName: "isHealthy", args: [u.address] }))) {
      const next = planRobustLiquidation(again.m, again.p, again.credit);
      assert.ok(next);
      await liquidateAt(u, next, again.m.timestamp + 1n);
    }
    const after = await t.position(u.address);
    assert.ok(after.borrowShares === 0n || (await t.client.readContract({ ...t.lending, functionName: "isHealthy", args: [u.address] })), "closed, or healthy");
  });
});
