// Proof submission on three real anvil chains (1, 137, 42161) with the real deploy script,
// indexer, native prover and the generated verifiers: three wallets are proven in ONE round proof
// (the round circuit, unused slots padded) attested on every chain that holds their commitments;
// a wallet then borrows at its tier's terms beyond the unverified cap; a slot whose commitment
// changed after proving is skipped while the rest of the round lands; a lone wallet goes through
// the single-wallet circuit, which never sends a proof against a changed commitment; and an
// unreachable chain is retried and then reported, not fatal. The private records come from the
// database (PGlite) and every transaction sent is recorded there with each wallet's outcome.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { zeroAddress, type Address } from "viem";
import { Market } from "../demo/market.js";
import { getModel } from "../pipeline/models.js";
import { openProverPool, type ProverPool } from "../prover/prover.js";
import { attestationRegistryAbi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { demoAccount } from "../runtime/chains/accounts.js";
import type { AttestChain } from "../runtime/attest/attestor.js";
import { CHAINS, startLocalChains, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { connectChains, signer, type ConnectedChain } from "../runtime/chains/connect.js";
import { openDatabase, type Database } from "../runtime/db/engine.js";
import { deployAll } from "../runtime/deploy/deploy.js";
import { runIndex } from "../runtime/indexer/index-run.js";
import { recordFor } from "../runtime/attest/store.js";
import { submissions } from "../runtime/db/attestations.js";
import { planRounds, proveAndAttest, submitProof, type WalletSubmission } from "../runtime/attest/submit.js";

const quiet = () => undefined;
const UNVERIFIED = 3;
const silent = { step: <T>(_n: string, run: () => Promise<T>) => run(), skip: quiet };

describe("prove wallets in one round, attest on three chains, borrow at the tier's terms", { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "zkrisk-attest-"));
  let db: Database;
  const deploymentsDir = join(dir, "deployments");
  const wallets = [demoAccount(0), demoAccount(3), demoAccount(4)];
  const lone = demoAccount(5);
  let anvils: Anvil[] = [];
  let chains: ConnectedChain[] = [];
  let markets: Market[] = [];
  let targets: AttestChain[] = [];
  let provers: ProverPool;
  let results: WalletSubmission[];
  let modelId: `0x${string}`;

  const commitmentOn = async (c: AttestChain, wallet: Address) =>
    (await c.publicClient.readContract({ address: c.registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [wallet] })).value;

  before(async () => {
    anvils = await startLocalChains(CHAINS);
    const rpcUrls = Object.fromEntries(anvils.map((a) => [a.chainId, a.rpcUrl]));
    await deployAll(anvils.map((a, i) => ({ chain: CHAINS[i]!, rpcUrl: a.rpcUrl })), { deploymentsDir, protocols: false, log: quiet });
    chains = await connectChains({ deploymentsDir, rpcUrls });
    markets = chains.map((c) => new Market(c, signer(c, "deployer")));
    for (const m of markets) {
      await m.supplyLiquidity(1_000_000);
      for (const [i, w] of [...wallets, lone].entries()) await m.deposit(w, 2 + i);
      await m.advance(30 * 86_400);
      await m.setPrice(2_000);
    }
    db = await openDatabase(join(dir, "db"));
    await runIndex({ deploymentsDir, rpcUrls, db, confirmations: 0, wallets: [...wallets, lone].map((w) => w.address) });
    targets = chains.map((c) => ({ chainId: c.chain.chainId, publicClient: c.client, walletClient: signer(c, "attestor"), registry: c.deployment.contracts.registry.address }));
    modelId = chains[0]!.deployment.modelId;
    provers = openProverPool(getModel("credit"), { onProgress: quiet, reporter: silent });
    results = await proveAndAttest(provers, wallets.map((w) => w.address), targets, { db, modelId, log: quiet });
  });

  after(async () => {
    await provers?.close();
    await db?.close();
    await stopAll(anvils);
    rmSync(dir, { recursive: true, force: true });
  });

  test("three wallets, one round proof, attested on 1, 137 and 42161 in one transaction per chain", async () => {
    for (const r of results) {
      assert.equal(r.circuit, "round");
      assert.deepEqual(r.chains.map((c) => [c.chainId, c.status]), [[1, "attested"], [137, "attested"], [42161, "attested"]], r.wallet);
      for (const c of r.chains) if (c.status === "attested") assert.equal(c.walletsInTx, wallets.length);
    }
    for (const c of chains) {
      const txs = new Set(results.map((r) => r.chains.find((o) => o.chainId === c.chain.chainId)).map((o) => (o?.status === "attested" ? o.tx : undefined)));
      assert.equal(txs.size, 1, `one transaction on chain ${c.chain.chainId}`);
      for (const r of results) {
        const registry = c.deployment.contracts.registry.address;
        const [tier, validUntil, verified] = await c.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "tierOf", args: [r.wallet] });
        assert.equal(verified, true);
        assert.equal(tier, r.tier);
        const [never, , ok] = await c.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "neverLiquidatedOf", args: [r.wallet] });
        assert.equal(ok, true);
        assert.equal(never, r.neverLiquidated, "the proven claim: these wallets were never liquidated");
        assert.equal(never, true);
        const commitment = await c.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [r.wallet] });
        const a = await c.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "attestationOf", args: [r.wallet] });
        assert.equal(a.expiresAt, validUntil);
        assert.equal(a.commitmentNonce, commitment.nonce);
        assert.ok(validUntil > commitment.postedAt, "valid until the data's postedAt + the model's lifetime");
      }
    }
    const again = await proveAndAttest(provers, wallets.map((w) => w.address), targets, { db, modelId, log: quiet });
    for (const r of again) {
      assert.deepEqual(r.chains.map((c) => c.status), ["current", "current", "current"], "nothing is proven or sent twice");
      assert.equal(r.proveMs, undefined);
    }
  });

  test("every submission is in the database: one round row per chain with its tx, status and round id, each wallet's outcome by slot", async () => {
    const rows = await submissions(db);
    assert.deepEqual(rows.map((r) => r.chainId).sort((a, b) => a - b), [1, 137, 42161], "one row per chain, nothing for the second run that found every wallet current");
    const members = wallets.map((w) => w.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    for (const row of rows) {
      const outcomes = results.map((r) => r.chains.find((o) => o.chainId === row.chainId)!);
      const first = outcomes[0]!;
      assert.ok(first.status === "attested");
      assert.equal(row.tx, first.tx.toLowerCase());
      assert.equal(row.status, "attested");
      assert.equal(row.circuit, "round");
      assert.equal(row.modelId, modelId.toLowerCase());
      assert.equal(row.roundId, first.roundId);
      assert.equal(row.gasUsed, first.gasUsed);
      assert.equal(row.tries, first.tries);
      assert.equal(row.error, undefined);
      const receipt = await targets.find((t) => t.chainId === row.chainId)!.publicClient.getTransactionReceipt({ hash: row.tx });
      assert.equal(row.block, Number(receipt.blockNumber));
      assert.deepEqual(row.wallets.map((w) => [w.slot, w.wallet]), members.map((m, i) => [i, m]), "the real wallets by slot, ascending; padding is not recorded");
      const chain = targets.find((t) => t.chainId === row.chainId)!;
      for (const w of row.wallets) {
        const proven = results.find((r) => r.wallet === w.wallet)!;
        assert.deepEqual([w.outcome, w.tier, w.neverLiquidated, w.skipReason], ["attested", proven.tier, true, undefined], w.wallet);
        assert.equal(w.commitment, await commitmentOn(chain, w.wallet));
      }
    }
    // A wallet's history, as a risk engineer would ask for it.
    const history = await db.query<{ chain_id: number; status: string; outcome: string; tier: number }>(
      `SELECT s.chain_id, s.status, w.outcome, w.tier FROM attestation_submission_wallets w
       JOIN attestation_submissions s USING (chain_id, tx_hash) WHERE w.wallet = $1 ORDER BY s.chain_id`,
      [wallets[0]!.address.toLowerCase()],
    );
    const tier = results.find((r) => r.wallet === wallets[0]!.address)!.tier;
    assert.deepEqual(history, [1, 137, 42161].map((chain_id) => ({ chain_id, status: "attested", outcome: "attested", tier })));
  });

  test("an attested wallet borrows beyond the unverified cap, at its tier's rate", async () => {
    const m = markets[0]!;
    const wallet = wallets[0]!;
    const proven = results.find((r) => r.wallet === wallet.address)!;
    const bucket = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "bucketFor", args: [wallet.address] });
    assert.equal(bucket, proven.tier, "the market puts the wallet in its proven tier's bucket");
    const [tierParams, unverified] = await Promise.all(
      [bucket, UNVERIFIED].map((b) => m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "tierParams", args: [b] })),
    );
    assert.ok(tierParams!.maxLtv > unverified!.maxLtv, "a proven tier lends more than the unverified cap");
    const ltv = Number(tierParams!.maxLtv) / 1e18 - 0.01;
    await m.borrowTo(wallet, ltv);
    const p = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "position", args: [wallet.address] });
    assert.equal(p.bucket, bucket);
    const [rate, unverifiedRate] = await Promise.all([bucket, UNVERIFIED].map((b) => m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "borrowRate", args: [b] })));
    assert.ok(rate! <= unverifiedRate!, "the proven tier pays no more than an unverified wallet");
  });

  test("a round lands for everyone even when one slot's commitment changed after proving", async () => {
    const polygon = targets.find((t) => t.chainId === 137)!;
    const members = wallets.map((w) => w.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const records = await Promise.all(members.map(async (w) => (await recordFor(db, w, await commitmentOn(polygon, w)))!));
    const round = await provers.get("round");
    const proof = await round.proveRound(records.map((r) => ({ features: r.features, salt: r.salt })));
    const stale = members[1]!;
    const hash = await polygon.walletClient.writeContract({ address: polygon.registry, abi: attestationRegistryAbi, functionName: "postCommitment", args: [stale, 12345n], chain: null });
    await polygon.publicClient.waitForTransactionReceipt({ hash });
    const slots = [...members, ...Array.from({ length: round.circuit.slots - members.length }, () => zeroAddress)];
    const commitments = new Map(records.map((r, i) => [members[i]!.toLowerCase(), BigInt(r.commitment)]));
    const out = await submitProof(polygon, slots, commitments, proof, true, { modelId, retries: 0, db });
    assert.equal(out.get(stale.toLowerCase())?.status, "skipped");
    const sent = out.get(members[0]!.toLowerCase())!;
    assert.ok(sent.status === "attested");
    const [row] = (await submissions(db)).filter((r) => r.tx === sent.tx.toLowerCase());
    assert.equal(row?.status, "attested", "the round landed");
    assert.deepEqual(
      row.wallets.map((w) => [w.wallet, w.outcome, w.skipReason]),
      members.map((m) => [m, m === stale ? "skipped" : "attested", m === stale ? "commitment changed since proving" : undefined]),
    );
    assert.equal(row.wallets[1]!.tier, undefined);
    assert.match((out.get(stale.toLowerCase()) as { reason: string }).reason, /commitment changed since proving/);
    for (const w of [members[0]!, members[2]!]) assert.equal(out.get(w.toLowerCase())?.status, "attested", w);
    const [, , verified] = await polygon.publicClient.readContract({ address: polygon.registry, abi: attestationRegistryAbi, functionName: "tierOf", args: [stale] });
    assert.equal(verified, false, "the replaced commitment is not attested");
  });

  test("a lone wallet is proven with the single-wallet circuit; that path never sends a proof against a changed commitment", async () => {
    const [r] = await proveAndAttest(provers, [lone.address], targets, { db, modelId, log: quiet });
    assert.equal(r!.circuit, "single");
    assert.deepEqual(r!.chains.map((c) => c.status), ["attested", "attested", "attested"]);
    const rows = await submissions(db, { wallet: lone.address });
    assert.deepEqual(rows.map((x) => [x.chainId, x.circuit, x.status, x.wallets.length, x.wallets[0]!.outcome]), [1, 137, 42161].map((c) => [c, "single", "attested", 1, "attested"]));

    const polygon = targets.find((t) => t.chainId === 137)!;
    const commitment = await commitmentOn(polygon, lone.address);
    const record = (await recordFor(db, lone.address, commitment))!;
    const proof = await (await provers.get("single")).prove(record.features, record.salt);
    const hash = await polygon.walletClient.writeContract({ address: polygon.registry, abi: attestationRegistryAbi, functionName: "postCommitment", args: [lone.address, commitment + 1n], chain: null });
    await polygon.publicClient.waitForTransactionReceipt({ hash });
    const before = await polygon.publicClient.getTransactionCount({ address: polygon.walletClient.account.address });
    const o = await submitProof(polygon, [lone.address], new Map([[lone.address.toLowerCase(), commitment]]), proof, false, { modelId, retries: 0, db });
    assert.equal(o.get(lone.address.toLowerCase())?.status, "commitment-changed");
    assert.equal((await submissions(db, { wallet: lone.address })).length, 3, "nothing sent, nothing recorded");
    assert.equal(await polygon.publicClient.getTransactionCount({ address: polygon.walletClient.account.address }), before, "no transaction sent");
  });

  test("rounds are planned ascending by address with each wallet at most once per round", () => {
    const w = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
    const jobs = [w(9), w(3), w(7), w(3), w(1)].map((wallet, i) => ({ wallet, i }));
    const rounds = planRounds(jobs, 3);
    assert.deepEqual(rounds.map((r) => r.map((j) => j.wallet)), [[w(1), w(3), w(7)], [w(3), w(9)]]);
  });

  test("an unreachable chain is retried with backoff, then reported", async () => {
    const eth = targets.find((t) => t.chainId === 1)!;
    const commitment = await commitmentOn(eth, lone.address);
    const record = (await recordFor(db, lone.address, commitment))!;
    const proof = await (await provers.get("single")).prove(record.features, record.salt);
    await anvils[0]!.stop();
    const lines: string[] = [];
    const out = await submitProof(eth, [lone.address], new Map([[lone.address.toLowerCase(), commitment]]), proof, false, { modelId, retries: 2, backoffMs: 50, log: (l) => lines.push(l) });
    const o = out.get(lone.address.toLowerCase())!;
    assert.equal(o.status, "failed");
    assert.match("reason" in o ? o.reason : "", /gave up after 3 tries/);
    assert.equal(lines.length, 2, "two retries logged");
  });
});
