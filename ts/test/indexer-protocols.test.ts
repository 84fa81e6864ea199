// On three anvils (chain ids 1, 137, 42161) with zkrisk, the real Aave v3 and the real Morpho
// Blue deployed by `deploy`: one wallet lends on zkrisk and borrows on Aave on Ethereum, borrows
// on Morpho on Polygon, and is liquidated on Aave on Arbitrum. `zkrisk index` (runIndex) reads
// every protocol the deployment records list, and the wallet's features include that history:
// counts and USD values at the Aave oracle's prices of each event's block, debt days, risk
// factors from Aave's account data and Morpho's position, and the liquidation on Aave. A chain
// whose record lacks a protocol is indexed without it, with one warning line.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestClient, http, parseUnits, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { zkRiskLendingAbi } from "../generated/abi.generated.js";
import { anvilDevKey, DEV_INDEX, demoAccount, publicClient, walletClient } from "../runtime/chains/accounts.js";
import { getChain, startAnvil, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { openDatabase, type Database } from "../runtime/db/engine.js";
import { deploy } from "../runtime/deploy/deploy.js";
import { readDeployment, writeDeployment, type Deployment } from "../runtime/deploy/deployment.js";
import { loadFeatureSpec } from "../runtime/indexer/features.js";
import { runIndex } from "../runtime/indexer/index-run.js";
import { aaveAccount, aaveBorrow, aaveLiquidate, aaveSetPrice, aaveSupply } from "../runtime/protocols/aave-v3/actions.js";
import { approve, mintMock } from "../runtime/protocols/erc20.js";
import { morphoBorrow, morphoSupply, morphoSupplyCollateral } from "../runtime/protocols/morpho-blue/actions.js";
import { send, type Signer } from "../runtime/protocols/tx.js";

const spec = loadFeatureSpec();
const DAY = 86_400;
const quiet = (): void => {};
const usdc = (n: number): bigint => parseUnits(String(n), 6);
const weth = (n: number): bigint => parseUnits(String(n), 18);
const CHAIN_IDS = [1, 137, 42161] as const;

interface Ctx {
  readonly anvil: Anvil;
  readonly d: Deployment;
  readonly client: PublicClient;
  readonly signer: (i: number) => Signer;
  readonly admin: Signer;
}

describe("the indexer reads Aave v3 and Morpho Blue on three anvils", { timeout: 900_000 }, () => {
  const ctx = new Map<number, Ctx>();
  let dir: string;
  let db: Database;
  const W = demoAccount(1).address;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "zkrisk-indexer-protocols-"));
    for (const chainId of CHAIN_IDS) {
      const chain = getChain(chainId);
      const anvil = await startAnvil({ chainId });
      const client = publicClient(chain, anvil.rpcUrl) as PublicClient;
      const { deployment: d } = await deploy({ chain: chainId, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, log: quiet });
      assert.ok(d.protocols?.aaveV3 && d.protocols.morphoBlue, `chain ${chainId}: both protocols deployed`);
      ctx.set(chainId, {
        anvil,
        d,
        client,
        signer: (i) => ({ wallet: walletClient(chain, anvil.rpcUrl, demoAccount(i)), client }),
        admin: { wallet: walletClient(chain, anvil.rpcUrl, privateKeyToAccount(anvilDevKey(DEV_INDEX.deployer))), client },
      });
    }
    db = await openDatabase(join(dir, "db"));
  });

  after(async () => {
    await db?.close();
    await stopAll([...ctx.values()].map((c) => c.anvil));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a wallet's features include its zkrisk, Aave and Morpho history on every chain", async () => {
    const [eth, pol, arb] = [ctx.get(1)!, ctx.get(137)!, ctx.get(42161)!];
    const tokens = (c: Ctx) => ({ USDC: c.d.contracts.loanToken.address, WETH: c.d.contracts.collateralToken.address });
    const lender = (c: Ctx) => c.signer(0);
    const w = (c: Ctx) => c.signer(1);
    for (const c of [eth, pol, arb]) {
      await mintMock(lender(c), tokens(c).USDC, usdc(100_000));
      await mintMock(w(c), tokens(c).WETH, weth(20));
    }
    // Ethereum: lends 1,000 USDC on zkrisk; supplies 10 WETH ($2,000 each) on Aave, borrows 5,000 USDC.
    const lending = eth.d.contracts.lending.address;
    await mintMock(w(eth), tokens(eth).USDC, usdc(1_000));
    await approve(w(eth), tokens(eth).USDC, lending, usdc(1_000));
    await send(w(eth), "ZkRiskLending.supply", lending, zkRiskLendingAbi, "supply", [usdc(1_000), W]);
    await aaveSupply(lender(eth), eth.d.protocols!.aaveV3!, tokens(eth).USDC, usdc(100_000));
    await aaveSupply(w(eth), eth.d.protocols!.aaveV3!, tokens(eth).WETH, weth(10));
    await aaveBorrow(w(eth), eth.d.protocols!.aaveV3!, tokens(eth).USDC, usdc(5_000));
    // Polygon: 5 WETH of collateral on Morpho's market, borrows 2,000 USDC.
    await morphoSupply(lender(pol), pol.d.protocols!.morphoBlue!, usdc(100_000));
    await morphoSupplyCollateral(w(pol), pol.d.protocols!.morphoBlue!, weth(5));
    await morphoBorrow(w(pol), pol.d.protocols!.morphoBlue!, usdc(2_000));
    // Arbitrum: 1 WETH on Aave, borrows 1,500 USDC; WETH drops to $1,700 and 750 USDC of it is liquidated.
    const aaveArb = arb.d.protocols!.aaveV3!;
    await aaveSupply(lender(arb), aaveArb, tokens(arb).USDC, usdc(100_000));
    await aaveSupply(w(arb), aaveArb, tokens(arb).WETH, weth(1));
    await aaveBorrow(w(arb), aaveArb, tokens(arb).USDC, usdc(1_500));
    await aaveSetPrice(arb.admin, aaveArb, tokens(arb).WETH, 1_700n * 10n ** 8n);
    await mintMock(arb.signer(2), tokens(arb).USDC, usdc(750));
    await aaveLiquidate(arb.signer(2), aaveArb, tokens(arb).WETH, tokens(arb).USDC, W, usdc(750));

    // Two days pass on every chain: two daily risk samples each.
    for (const c of [eth, pol, arb]) {
      const test = createTestClient({ mode: "anvil", transport: http(c.anvil.rpcUrl) });
      await test.increaseTime({ seconds: 2 * DAY + 600 });
      await test.mine({ blocks: 1 });
    }

    // Chain 1's record without Morpho Blue: indexed without it, one warning line.
    const record = readDeployment(1, dir)!;
    const { morphoBlue: _dropped, ...kept } = record.protocols!;
    writeDeployment({ ...record, protocols: kept }, dir);
    const lines: string[] = [];
    const rpcUrls = Object.fromEntries(CHAIN_IDS.map((id) => [id, ctx.get(id)!.anvil.rpcUrl]));
    const r = await runIndex({ chains: CHAIN_IDS.map(getChain), rpcUrls, deploymentsDir: dir, db, confirmations: 0, post: false, wallets: [W], log: (l) => lines.push(l) });
    assert.deepEqual(lines.filter((l) => /skipped/.test(l)), ["chain 1: morpho-blue skipped: the deployment record of chain 1 has no protocols.morphoBlue"]);
    for (const c of r.chains) {
      assert.deepEqual(c.undecodable?.total, {}, `chain ${c.chainId}: every log decodes`);
      assert.equal(c.unpriced, 0, `chain ${c.chainId}: the Aave oracle prices both tokens`);
    }
    assert.deepEqual(r.chains.map((c) => c.sources?.map((s) => s.protocol)), [["zkrisk", "aave-v3"], ["zkrisk", "aave-v3", "morpho-blue"], ["zkrisk", "aave-v3", "morpho-blue"]]);

    const [f] = r.wallets;
    const per = Object.fromEntries(f!.records.map((x) => [x.chainId, x.raw])) as Record<number, Record<string, number | string[]>>;
    const near = (a: unknown, b: number, what: string, tol = 1e-6) => assert.ok(Math.abs((a as number) - b) <= tol * Math.max(1, b), `${what}: ${String(a)} vs ${b}`);
    // Ethereum: zkrisk supply (activity), Aave deposit $20,000 and borrow $5,000.
    assert.deepEqual(per[1]!.protocols_used, ["zkrisk", "aave-v3"]);
    assert.deepEqual([per[1]!.deposit_count, per[1]!.borrow_count, per[1]!.liquidation_count], [1, 1, 0]);
    near(per[1]!.deposit_usd, 20_000, "eth deposit_usd");
    near(per[1]!.borrow_usd, 5_000, "eth borrow_usd");
    assert.equal(per[1]!.days_with_debt, 2);
    const ethAccount = await aaveAccount(eth.client, eth.d.protocols!.aaveV3!, W);
    near(per[1]!.debt_usd, Number(ethAccount.totalDebtBase) / 1e8, "eth debt_usd = Aave's totalDebtBase at the snapshot");
    near(per[1]!.current_risk_factor, 1e18 / Number(ethAccount.healthFactor), "eth risk = 1 / Aave health factor", 1e-9);
    // Polygon: Morpho deposit $10,000 (5 WETH at the Aave oracle's $2,000), borrow $2,000.
    assert.deepEqual(per[137]!.protocols_used, ["morpho-blue"]);
    near(per[137]!.deposit_usd, 10_000, "pol deposit_usd");
    near(per[137]!.borrow_usd, 2_000, "pol borrow_usd");
    assert.equal(per[137]!.days_with_debt, 2);
    near(per[137]!.collateral_usd, 10_000, "pol collateral_usd (Morpho's oracle: $2,000)");
    assert.ok((per[137]!.current_risk_factor as number) > 2_000 / (10_000 * 0.86) - 1e-9, "Morpho risk: debt / (collateral x LLTV), interest included");
    // Arbitrum: liquidated on Aave (750 USDC covered), two days before the snapshot.
    assert.deepEqual(per[42161]!.protocols_used, ["aave-v3"]);
    assert.deepEqual([per[42161]!.liquidation_count, per[42161]!.days_since_last_liquidation], [1, 2]);

    const raw = Object.fromEntries(spec.names.map((n, i) => [n, f!.raw[i]!]));
    assert.deepEqual([raw.protocols_used, raw.chains_used, raw.liquidation_count, raw.borrow_count], [3, 3, 1, 3]);
    near(raw.borrow_usd, 8_500, "borrow_usd, all protocols and chains");
    assert.ok(f!.features[spec.names.indexOf("liquidation_count")]! > 0, "neverLiquidated is false: the Aave liquidation counts");
  });
});
