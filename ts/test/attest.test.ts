// Proof submission on three real anvil chains (1, 137, 42161) with the real deploy script,
// indexer, native prover and CreditVerifier: one proof per wallet is attested on every chain
// that holds its commitment, the wallet then borrows at its tier's terms beyond the unverified
// cap, a proof is never sent against a commitment that changed meanwhile, and an unreachable
// chain is retried and then reported, not fatal.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Market } from "../demo/market.js";
import { getModel } from "../pipeline/models.js";
import { openProver, type Prover } from "../prover/prover.js";
import type { ProofResult } from "../prover/proof.js";
import { attestationRegistryAbi, zkRiskLendingAbi } from "../runtime/abi.generated.js";
import { demoAccount } from "../runtime/accounts.js";
import type { AttestChain } from "../runtime/attestor.js";
import { CHAINS, startLocalChains, stopAll, type Anvil } from "../runtime/chains.js";
import { connectChains, signer, type ConnectedChain } from "../runtime/connect.js";
import { deployAll } from "../runtime/deploy.js";
import { runIndex } from "../runtime/index-run.js";
import { findRecord } from "../runtime/store.js";
import { proveAndAttest, submitAttestation, type WalletSubmission } from "../runtime/submit.js";

const quiet = () => undefined;
const UNVERIFIED = 3;

describe("prove once, attest on three chains, borrow at the tier's terms", { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "zkrisk-attest-"));
  const storeDir = join(dir, "store");
  const deploymentsDir = join(dir, "deployments");
  const wallet = demoAccount(0);
  let anvils: Anvil[] = [];
  let chains: ConnectedChain[] = [];
  let markets: Market[] = [];
  let targets: AttestChain[] = [];
  let prover: Prover;
  let result: WalletSubmission;

  before(async () => {
    anvils = await startLocalChains(CHAINS);
    const rpcUrls = Object.fromEntries(anvils.map((a) => [a.chainId, a.rpcUrl]));
    await deployAll(anvils.map((a, i) => ({ chain: CHAINS[i]!, rpcUrl: a.rpcUrl })), { deploymentsDir, log: quiet });
    chains = await connectChains({ deploymentsDir, rpcUrls });
    markets = chains.map((c) => new Market(c, signer(c, "deployer")));
    for (const m of markets) {
      await m.supplyLiquidity(1_000_000);
      await m.deposit(wallet, 5);
      await m.advance(30 * 86_400);
      await m.setPrice(2_000);
    }
    await runIndex({ deploymentsDir, rpcUrls, storeDir, stateDir: join(dir, "index"), confirmations: 0, wallets: [wallet.address] });
    targets = chains.map((c) => ({ chainId: c.chain.chainId, publicClient: c.client, walletClient: signer(c, "attestor"), registry: c.deployment.contracts.registry.address }));
    prover = await openProver(getModel("credit"), { onProgress: quiet, reporter: { step: (_n, run) => run(), skip: quiet } });
    [result] = (await proveAndAttest(prover, [wallet.address], targets, { storeDir, modelId: chains[0]!.deployment.modelId, log: quiet })) as [WalletSubmission];
  });

  after(async () => {
    await prover?.close();
    await stopAll(anvils);
  });

  test("one proof, attested on 1, 137 and 42161; the registries report the proven tier", async () => {
    assert.deepEqual(result.chains.map((c) => [c.chainId, c.status]), [[1, "attested"], [137, "attested"], [42161, "attested"]]);
    for (const c of chains) {
      const [tier, validUntil, verified] = await c.client.readContract({ address: c.deployment.contracts.registry.address, abi: attestationRegistryAbi, functionName: "tierOf", args: [wallet.address] });
      assert.equal(verified, true);
      assert.equal(tier, result.tier);
      assert.ok(validUntil > 0n);
    }
    const again = await proveAndAttest(prover, [wallet.address], targets, { storeDir, modelId: chains[0]!.deployment.modelId, log: quiet });
    assert.deepEqual(again[0]!.chains.map((c) => c.status), ["current", "current", "current"], "nothing is proven or sent twice");
    assert.equal(again[0]!.proveMs, undefined);
  });

  test("the attested wallet borrows beyond the unverified cap, at its tier's rate", async () => {
    const m = markets[0]!;
    const bucket = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "bucketFor", args: [wallet.address] });
    assert.equal(bucket, result.tier, "the market puts the wallet in its proven tier's bucket");
    const [tierParams, unverified] = await Promise.all(
      [bucket, UNVERIFIED].map((b) => m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "tierParams", args: [b] })),
    );
    assert.ok(tierParams!.maxLtv > unverified!.maxLtv, "a proven tier lends more than the unverified cap");
    const ltv = Number(tierParams!.maxLtv) / 1e18 - 0.01;
    assert.ok(ltv > Number(unverified!.maxLtv) / 1e18);
    await m.borrowTo(wallet, ltv);
    const p = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "position", args: [wallet.address] });
    assert.equal(p.bucket, bucket);
    const [rate, unverifiedRate] = await Promise.all([bucket, UNVERIFIED].map((b) => m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "borrowRate", args: [b] })));
    assert.ok(rate! <= unverifiedRate!, "the proven tier pays no more than an unverified wallet");
  });

  test("a proof is not sent against a commitment that changed meanwhile", async () => {
    const polygon = targets.find((t) => t.chainId === 137)!;
    const { commitment } = await polygon.publicClient.readContract({ address: polygon.registry, abi: attestationRegistryAbi, functionName: "attestationOf", args: [wallet.address] }).then((a) => ({ commitment: a.inputCommitment }));
    const record = findRecord(storeDir, wallet.address, commitment)!;
    const proof: ProofResult = await prover.prove(record.features, record.salt);
    const hash = await polygon.walletClient.writeContract({ address: polygon.registry, abi: attestationRegistryAbi, functionName: "postCommitment", args: [wallet.address, commitment + 1n], chain: null });
    await polygon.publicClient.waitForTransactionReceipt({ hash });
    const before = await polygon.publicClient.getTransactionCount({ address: polygon.walletClient.account.address });
    const o = await submitAttestation(polygon, wallet.address, commitment, proof, { modelId: chains[0]!.deployment.modelId, retries: 0 });
    assert.equal(o.status, "commitment-changed");
    assert.equal(await polygon.publicClient.getTransactionCount({ address: polygon.walletClient.account.address }), before, "no transaction sent");
  });

  test("an unreachable chain is retried with backoff, then reported", async () => {
    const eth = targets.find((t) => t.chainId === 1)!;
    const record = findRecord(storeDir, wallet.address, (await eth.publicClient.readContract({ address: eth.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [wallet.address] })).value)!;
    const proof = await prover.prove(record.features, record.salt);
    await anvils[0]!.stop();
    const lines: string[] = [];
    const o = await submitAttestation(eth, wallet.address, BigInt(record.commitment), proof, { modelId: chains[0]!.deployment.modelId, retries: 2, backoffMs: 50, log: (l) => lines.push(l) });
    assert.equal(o.status, "failed");
    assert.match("reason" in o ? o.reason : "", /gave up after 3 tries/);
    assert.equal(lines.length, 2, "two retries logged");
  });
});
