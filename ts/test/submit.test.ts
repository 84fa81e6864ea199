// submitProof against a node whose gas estimates are too low (issue 11, item 4): a real proof of the
// deployed credit model (test/fixtures/credit/low-0.json, no prover needed) sent through a
// JSON-RPC proxy that scales every eth_estimateGas answer down to 60%, as a node that ignores
// EIP-150's 63/64 rule would. The verifier runs out of gas on chain; the registry says so
// (VerifierOutOfGas, not ProofRejected) and the runtime sends the proof again with 1.5x the gas
// until it lands, instead of giving up on a valid proof. Every try sent is in the database
// (PGlite): the reverted ones, then the one that landed. The anvil and the proxy are stopped in
// `after`, pass or fail.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Address, type Hex } from "viem";
import type { ProofResult } from "../prover/proof.js";
import { attestationRegistryAbi } from "../generated/abi.generated.js";
import { demoAccount, publicClient, roleAccount, walletClient } from "../runtime/chains/accounts.js";
import type { AttestChain } from "../runtime/attest/attestor.js";
import { getChain, startAnvil, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { submissions } from "../runtime/db/attestations.js";
import { openDatabase, type Database } from "../runtime/db/engine.js";
import { deploy } from "../runtime/deploy/deploy.js";
import type { Deployment } from "../runtime/deploy/deployment.js";
import { submitProof, type ChainOutcome } from "../runtime/attest/submit.js";
import { ROOT } from "../toolchain/paths.js";

const CHAIN = getChain(1);
const quiet = (): void => {};

interface Fixture {
  readonly proof: Hex;
  readonly instances: string[];
  readonly tier: number;
}

/**
 * A JSON-RPC proxy to `target` whose gas estimates are `factor` of the real ones: eth_estimateGas,
 * and the gas eth_fillTransaction fills in when the caller set none (viem fills transactions with it).
 */
interface UnderEstimatingRpc {
  readonly url: string;
  /** The estimates it gave, scaled. */
  readonly estimates: bigint[];
  /** The share of the real estimate it gives (settable). */
  factor: number;
  close(): Promise<void>;
}

async function underEstimatingRpc(target: string, factor: number): Promise<UnderEstimatingRpc> {
  const estimates: bigint[] = [];
  const state = { factor };
  const down = (gas: string): string => {
    const scaled = (BigInt(gas) * BigInt(Math.round(state.factor * 100))) / 100n;
    estimates.push(scaled);
    return `0x${scaled.toString(16)}`;
  };
  type Msg = { method?: string; params?: { gas?: string }[] };
  type Reply = { result?: string | { tx?: { gas?: string } } };
  const scale = (msg: Msg, reply: Reply): Reply => {
    const r = reply.result;
    if (msg.method === "eth_estimateGas" && typeof r === "string") return { ...reply, result: down(r) };
    if (msg.method === "eth_fillTransaction" && msg.params?.[0]?.gas === undefined && typeof r === "object" && r.tx?.gas) {
      return { ...reply, result: { ...r, tx: { ...r.tx, gas: down(r.tx.gas) } } };
    }
    return reply;
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then(async (r) => {
          const request = JSON.parse(body.toString()) as unknown;
          const reply = (await r.json()) as unknown;
          const out = Array.isArray(request) ? (reply as Reply[]).map((x, i) => scale(request[i] as Msg, x)) : scale(request as Msg, reply as Reply);
          res.writeHead(r.status, { "content-type": "application/json" });
          res.end(JSON.stringify(out));
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    estimates,
    get factor() {
      return state.factor;
    },
    set factor(v: number) {
      state.factor = v;
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const show = (o: unknown): string => JSON.stringify(o, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

describe("submitProof: a verifier out of gas is retried with more gas", () => {
  let anvil: Anvil;
  let dir: string;
  let d: Deployment;
  let proxy: UnderEstimatingRpc;
  let db: Database;
  const fixtures = ["low-0", "medium-0"].map((name) => JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "credit", `${name}.json`), "utf8")) as Fixture);
  const wallets: Address[] = [demoAccount(7).address, demoAccount(8).address];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "zkrisk-submit-"));
    anvil = await startAnvil({ chainId: 1, accounts: 20 });
    ({ deployment: d } = await deploy({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, protocols: false, log: quiet }));
    const attestor = walletClient(CHAIN, anvil.rpcUrl, roleAccount("attestor", { local: true }));
    for (const [i, w] of wallets.entries()) {
      const hash = await attestor.writeContract({ address: d.contracts.registry.address, abi: attestationRegistryAbi, functionName: "postCommitment", args: [w, BigInt(fixtures[i]!.instances[0]!)] });
      await publicClient(CHAIN, anvil.rpcUrl).waitForTransactionReceipt({ hash });
    }
    proxy = await underEstimatingRpc(anvil.rpcUrl, 1);
    db = await openDatabase(join(dir, "db"));
  });

  after(async () => {
    await proxy?.close();
    await db?.close();
    await stopAll(anvil ? [anvil] : []);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Submit fixture `i`'s proof for wallet `i` through the proxy; the outcome and the log lines. */
  async function submit(i: number): Promise<{ outcome: ChainOutcome; logs: string[] }> {
    const c: AttestChain = {
      chainId: CHAIN.chainId,
      publicClient: publicClient(CHAIN, proxy.url),
      walletClient: walletClient(CHAIN, proxy.url, demoAccount(9)),
      registry: d.contracts.registry.address,
    };
    const f = fixtures[i]!;
    const w = wallets[i]!;
    const proof = { proof: f.proof, instances: f.instances } as unknown as ProofResult;
    const logs: string[] = [];
    const out = await submitProof(c, [w], new Map([[w.toLowerCase(), BigInt(f.instances[0]!)]]), proof, false, { modelId: d.modelId, retries: 4, backoffMs: 1, log: (l) => logs.push(l), db });
    const outcome = out.get(w.toLowerCase())!;
    assert.equal(outcome.status, "attested", `${show(outcome)}\n${logs.join("\n")}`);
    // The database: the tries whose transaction was mined reverted, then the one that landed.
    const rows = await submissions(db, { wallet: w });
    assert.ok(rows.length >= 1 && rows.length <= outcome.tries, show(rows));
    const last = rows.at(-1)!;
    assert.deepEqual([last.tx, last.status, last.circuit, last.tries, last.gasUsed, last.wallets.map((x) => [x.slot, x.wallet, x.outcome, x.tier])], [outcome.tx.toLowerCase(), "attested", "single", outcome.tries, outcome.gasUsed, [[0, w, "attested", f.tier]]]);
    for (const r of rows.slice(0, -1)) assert.deepEqual([r.status, r.wallets[0]!.outcome], ["reverted", undefined], show(r));
    const [tier, , verified] = await publicClient(CHAIN, anvil.rpcUrl).readContract({ address: d.contracts.registry.address, abi: attestationRegistryAbi, functionName: "tierOf", args: [w] });
    assert.equal(verified, true);
    assert.equal(tier, f.tier);
    return { outcome, logs };
  }

  test("issue 11, item 4: VerifierOutOfGas is retried with 1.5x the gas, not reported as a revert", async () => {
    // At 80% of the gas it needs, the verifier runs out: the registry reverts with VerifierOutOfGas.
    proxy.factor = 0.8;
    const { outcome, logs } = await submit(0);
    assert.ok(outcome.status === "attested" && outcome.tries >= 2, show(outcome));
    assert.ok(logs.some((l) => /the verifier ran out of gas with a limit of \d+; sending again with \d+/.test(l)), logs.join("\n"));
    assert.ok(outcome.status === "attested" && outcome.gasUsed > proxy.estimates[0]!, "it needed more than the node's estimate");
  });

  test("a transaction that used all its gas (out of gas after the verifier) is retried with 1.5x the gas too", async () => {
    // At 97% the verifier succeeds and the storage writes after it run out: no VerifierOutOfGas, all gas used.
    proxy.factor = 0.97;
    const { outcome, logs } = await submit(1);
    assert.ok(outcome.status === "attested" && outcome.tries >= 2, show(outcome));
    assert.ok(logs.some((l) => /the transaction ran out of gas with a limit of \d+; sending again with \d+/.test(l)), logs.join("\n"));
  });
});
