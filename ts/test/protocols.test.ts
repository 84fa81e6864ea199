// Aave v3 and Morpho Blue deployed for real on a local anvil by `deploy` (from their npm
// packages), reused when live, skipped on request; then wallets supply, borrow, repay, withdraw
// and get liquidated on each, and every event decodes with the generated ABIs.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isAddressEqual, parseEventLogs, parseUnits, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { mockAggregatorAbi, mockErc20Abi } from "../generated/abi.generated.js";
import { aaveV3PoolAbi, morphoBlueAbi } from "../generated/protocols.generated.js";
import { anvilDevKey, DEV_INDEX, demoAccount, publicClient, walletClient } from "../runtime/chains/accounts.js";
import { getChain, startAnvil, type Anvil } from "../runtime/chains/chains.js";
import { CONFIG_DIR, deploy } from "../runtime/deploy/deploy.js";
import { readDeployment, type Deployment } from "../runtime/deploy/deployment.js";
import { aaveAccount, aaveBorrow, aaveLiquidate, aavePrice, aaveRepay, aaveSetPrice, aaveSupply, aaveWithdraw } from "../runtime/protocols/aave-v3/actions.js";
import { withProtocols } from "../runtime/protocols/deploy.js";
import { configuredProtocols } from "../runtime/protocols/config.js";
import { morphoBorrow, morphoLiquidate, morphoPosition, morphoPrice, morphoRepay, morphoSupply, morphoSupplyCollateral, morphoWithdraw } from "../runtime/protocols/morpho-blue/actions.js";
import { mintMock } from "../runtime/protocols/erc20.js";
import { send, type Signer } from "../runtime/protocols/tx.js";

const quiet = (): void => {};
const usdc = (n: number | string): bigint => parseUnits(String(n), 6);
const weth = (n: number | string): bigint => parseUnits(String(n), 18);

describe("Aave v3 and Morpho Blue on a local anvil", () => {
  let anvil: Anvil;
  let dir: string;
  let d: Deployment;
  let client: PublicClient;
  let signer: (i: number) => Signer;
  let admin: Signer;
  const chain = getChain(1);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "zkrisk-protocols-"));
    anvil = await startAnvil({ chainId: 1 });
    client = publicClient(chain, anvil.rpcUrl) as PublicClient;
    signer = (i) => ({ wallet: walletClient(chain, anvil.rpcUrl, demoAccount(i)), client });
    admin = { wallet: walletClient(chain, anvil.rpcUrl, privateKeyToAccount(anvilDevKey(DEV_INDEX.deployer))), client };
  });

  after(async () => {
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("deploy records both protocols with code behind every address, on zkrisk's mock tokens", async () => {
    const r = await deploy({ chain: 1, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, log: quiet });
    d = r.deployment;
    const p = d.protocols;
    assert.ok(p?.aaveV3 && p.morphoBlue, "both protocols recorded");
    assert.match(p.aaveV3.source, /^deployed locally from @aave\/core-v3 1\.19\.3 artifacts$/);
    assert.match(p.morphoBlue.source, /^compiled from @morpho-org\/morpho-blue 1\.0\.0 with solc 0\.8\.19$/);
    for (const a of [p.aaveV3.pool, p.aaveV3.addressesProvider, p.aaveV3.oracle!, p.morphoBlue.morpho]) {
      assert.ok(((await client.getCode({ address: a })) ?? "0x").length > 2, `code at ${a}`);
    }
    assert.ok(p.aaveV3.startBlock > d.deployBlock && p.morphoBlue.startBlock > d.deployBlock, "protocols start after zkrisk's deployment");
    // The indexer requires code at the start block, and nothing of the protocol happens before it.
    for (const [a, b] of [[p.aaveV3.pool, p.aaveV3.startBlock], [p.morphoBlue.morpho, p.morphoBlue.startBlock]] as const) {
      assert.ok(((await client.getCode({ address: a, blockNumber: BigInt(b) })) ?? "0x").length > 2, `code at ${a} at its start block ${b}`);
      assert.equal((await client.getCode({ address: a, blockNumber: BigInt(b - 1) })) ?? "0x", "0x", `no code at ${a} before its start block`);
    }
    const reserves = await client.readContract({ address: p.aaveV3.pool, abi: aaveV3PoolAbi, functionName: "getReservesList" });
    assert.deepEqual(reserves, [d.contracts.loanToken.address, d.contracts.collateralToken.address]);
    const [loanToken, collateralToken, oracle] = await client.readContract({ address: p.morphoBlue.morpho, abi: morphoBlueAbi, functionName: "idToMarketParams", args: [p.morphoBlue.local!.market.id] });
    assert.ok(isAddressEqual(loanToken, d.contracts.loanToken.address) && isAddressEqual(collateralToken, d.contracts.collateralToken.address));
    assert.ok(isAddressEqual(oracle, d.contracts.oracle.address), "Morpho's market is priced by zkrisk's oracle adapter (an IOracle)");
    assert.equal(await morphoPrice(client, p.morphoBlue), 2_000n * 10n ** 24n, "$2,000 per WETH in USDC units, scaled 1e36");
    assert.equal(await aavePrice(client, p.aaveV3, d.contracts.collateralToken.address), 200_000_000_000n, "Aave prices WETH at the zkrisk feed's $2,000");
    assert.deepEqual(readDeployment(1, dir)?.protocols, p, "written to the deployments file");
  });

  test("re-running deploy reuses the live protocols: nothing sent, same addresses", async () => {
    const r = await deploy({ chain: 1, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, build: false, log: quiet });
    assert.equal(r.reused, true);
    assert.equal(r.transactions, 0);
    assert.deepEqual(r.deployment.protocols, d.protocols);
  });

  test("protocols: false leaves them out of a fresh record, a later deploy adds them; a network config copies its pinned addresses", async () => {
    const other = mkdtempSync(join(tmpdir(), "zkrisk-protocols-off-"));
    try {
      const r = await deploy({ chain: 1, rpcUrl: anvil.rpcUrl, deploymentsDir: other, build: false, protocols: false, log: quiet });
      assert.equal(r.deployment.protocols, undefined);
      assert.equal(readDeployment(1, other)?.protocols, undefined);
      // Deployed again with protocols: zkrisk is reused as it is, the protocols are added to its record.
      const again = await deploy({ chain: 1, rpcUrl: anvil.rpcUrl, deploymentsDir: other, build: false, log: quiet });
      assert.equal(again.reused, false);
      assert.ok(again.transactions > 0);
      assert.deepEqual(again.deployment.contracts, r.deployment.contracts);
      assert.ok(again.deployment.protocols?.aaveV3 && again.deployment.protocols.morphoBlue);
      assert.deepEqual(readDeployment(1, other)?.protocols, again.deployment.protocols);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const network = { ...d, mocks: false };
    const w = await withProtocols(network, { signer: admin, configPath: join(CONFIG_DIR, "1.json"), deploy: true, log: quiet });
    assert.equal(w.transactions, 0);
    assert.deepEqual(w.deployment.protocols, configuredProtocols(join(CONFIG_DIR, "1.json")));
    await assert.rejects(aaveSetPrice(admin, w.deployment.protocols!.aaveV3!, d.contracts.collateralToken.address, 1n), /is not a local deployment .*@bgd-labs\/aave-address-book/);
  });

  test("Aave v3: supply, borrow, repay, withdraw, then a liquidation after a price drop; events decode", async () => {
    const aave = d.protocols!.aaveV3!;
    const [USDC, WETH] = [d.contracts.loanToken.address, d.contracts.collateralToken.address];
    const [lender, borrower, liquidator] = [signer(0), signer(1), signer(2)];
    const who = (s: Signer): Address => s.wallet.account.address;
    await mintMock(lender, USDC, usdc(50_000));
    await aaveSupply(lender, aave, USDC, usdc(50_000));
    await mintMock(borrower, WETH, weth(10));
    await aaveSupply(borrower, aave, WETH, weth(10));
    await assert.rejects(aaveBorrow(borrower, aave, USDC, usdc(16_500)), /Aave Pool\.borrow failed: reverted with "36 COLLATERAL_CANNOT_COVER_NEW_BORROW/, "over the 80% LTV");
    await aaveBorrow(borrower, aave, USDC, usdc(10_000));
    await aaveRepay(borrower, aave, USDC, usdc(4_000));
    const before = await aaveAccount(client, aave, who(borrower));
    assert.ok(before.healthFactor > 10n ** 18n);
    await aaveSetPrice(admin, aave, WETH, 700_00000000n); // $700: 10 WETH * 82.5% = $5,775 < $6,000 debt
    const low = await aaveAccount(client, aave, who(borrower));
    assert.ok(low.healthFactor < 10n ** 18n, `health factor ${low.healthFactor} below 1`);
    await mintMock(liquidator, USDC, usdc(3_000));
    await aaveLiquidate(liquidator, aave, WETH, USDC, who(borrower), usdc(3_000));
    const seized = await client.readContract({ address: WETH, abi: mockErc20Abi, functionName: "balanceOf", args: [who(liquidator)] });
    assert.equal(seized, (weth(3_000) * 105n) / 100n / 700n, "3,000 USDC of debt at $700 plus the 5% bonus");
    await aaveWithdraw(lender, aave, USDC, usdc(1_000));

    const logs = parseEventLogs({ abi: aaveV3PoolAbi, logs: await client.getLogs({ address: aave.pool, fromBlock: BigInt(aave.startBlock) }) });
    const named = (n: string) => logs.filter((l) => l.eventName === n);
    assert.deepEqual(named("Supply").map((l) => (l.args as { onBehalfOf: Address }).onBehalfOf), [who(lender), who(borrower)]);
    assert.equal((named("Borrow")[0]!.args as { user: Address; amount: bigint }).amount, usdc(10_000));
    assert.equal((named("Repay")[0]!.args as { user: Address; amount: bigint }).user, who(borrower));
    const liq = named("LiquidationCall");
    assert.equal(liq.length, 1);
    const la = liq[0]!.args as { user: Address; liquidator: Address; debtToCover: bigint };
    assert.equal(la.user, who(borrower));
    assert.equal(la.liquidator, who(liquidator));
    assert.equal(la.debtToCover, usdc(3_000));
    assert.equal((named("Withdraw")[0]!.args as { user: Address; amount: bigint }).amount, usdc(1_000));
  });

  test("Morpho Blue: supply, collateral, borrow, repay, withdraw, then a liquidation after a price drop; events decode", async () => {
    const morpho = d.protocols!.morphoBlue!;
    const [USDC, WETH] = [d.contracts.loanToken.address, d.contracts.collateralToken.address];
    const [lender, borrower, liquidator] = [signer(3), signer(4), signer(5)];
    const who = (s: Signer): Address => s.wallet.account.address;
    await mintMock(lender, USDC, usdc(50_000));
    await morphoSupply(lender, morpho, usdc(50_000));
    await mintMock(borrower, WETH, weth(10));
    await morphoSupplyCollateral(borrower, morpho, weth(10));
    await assert.rejects(morphoBorrow(borrower, morpho, usdc(17_500)), /Morpho\.borrow failed: reverted with "insufficient collateral"/, "over the 86% LLTV");
    await morphoBorrow(borrower, morpho, usdc(10_000));
    await morphoRepay(borrower, morpho, usdc(4_000));
    // $650 on zkrisk's feed, which the market's oracle reads: 10 WETH * 86% = $5,590 < $6,000 debt.
    await send(admin, "MockAggregator.setAnswer", d.contracts.priceFeed.address, mockAggregatorAbi, "setAnswer", [650_00000000n]);
    assert.equal(await morphoPrice(client, morpho), 650n * 10n ** 24n);
    await mintMock(liquidator, USDC, usdc(2_000));
    await morphoLiquidate(liquidator, morpho, who(borrower), weth(2), usdc(2_000));
    const pos = await morphoPosition(client, morpho, who(borrower));
    assert.equal(pos.collateral, weth(8));
    await mintMock(borrower, USDC, usdc(100));
    await morphoRepay(borrower, morpho, "all");
    assert.equal((await morphoPosition(client, morpho, who(borrower))).borrowShares, 0n, "repaid in full by shares");
    await morphoWithdraw(lender, morpho, usdc(1_000));

    const logs = parseEventLogs({ abi: morphoBlueAbi, logs: await client.getLogs({ address: morpho.morpho, fromBlock: BigInt(morpho.startBlock) }) });
    const names = logs.map((l) => l.eventName);
    for (const n of ["CreateMarket", "Supply", "SupplyCollateral", "Borrow", "Repay", "Liquidate", "Withdraw"] as const) assert.ok(names.includes(n), n);
    const liq = logs.filter((l) => l.eventName === "Liquidate");
    assert.equal(liq.length, 1);
    const la = liq[0]!.args as { borrower: Address; caller: Address; seizedAssets: bigint; repaidAssets: bigint };
    assert.equal(la.borrower, who(borrower));
    assert.equal(la.caller, who(liquidator));
    assert.equal(la.seizedAssets, weth(2));
    assert.ok(la.repaidAssets > usdc(1_200) && la.repaidAssets < usdc(1_300), `repaid ${la.repaidAssets}: 2 WETH at $650 less the incentive`);
    assert.equal(logs.filter((l) => l.eventName === "Repay").length, 2);
  });
});
