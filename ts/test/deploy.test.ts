// Three-chain deployment on real anvils (chain ids 1, 137, 42161): deploy, reuse, redeploy
// after a reset, fork reuse, the registered credit model, EIP-170 sizes, the generated ABIs,
// key handling and the deploy CLI's errors. Every anvil is stopped in `after`, pass or fail.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isAddressEqual, type Hex } from "viem";
import { ROOT } from "../toolchain/paths.js";
import { cleanEnv, oneLine, runCli } from "./cli-support.js";
import { attestationRegistryAbi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { anvilDevKey, DEV_INDEX, publicClient, roleKey } from "../runtime/chains/accounts.js";
import { forgeBuild } from "../runtime/deploy/artifacts.js";
import { CHAINS, getChain, parseChainList, startAnvil, startLocalChains, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { CONFIG_DIR, deploy, deployAll, MANIFEST, type DeployResult } from "../runtime/deploy/deploy.js";
import { CONTRACT_KEYS, deploymentPath, loadDeployment, MAX_CODE_SIZE, type Deployment } from "../runtime/deploy/deployment.js";
import { ABI_MODULE, renderAbiModule } from "../runtime/deploy/gen-abi.js";
import { privateKeyToAccount } from "viem/accounts";

const quiet = (): void => {};
const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as { modelId: Hex; tierCount: number; outputScale: number };

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const { result, error } = (await res.json()) as { result: T; error?: { message: string } };
  if (error) throw new Error(`${method}: ${error.message}`);
  return result;
}

const cli = runCli;

describe("three-chain deployment on local anvils", () => {
  let anvils: Anvil[] = [];
  const extra: Anvil[] = [];
  let dir: string;
  let first: DeployResult[];
  const targets = () => anvils.map((a) => ({ chain: a.chainId, rpcUrl: a.rpcUrl }));
  const anvilOf = (chainId: number) => anvils.find((a) => a.chainId === chainId)!;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "zkrisk-deploy-"));
    anvils = await startLocalChains();
  });

  after(async () => {
    await stopAll([...anvils, ...extra]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("the anvils run with the real chain ids", async () => {
    assert.deepEqual(
      anvils.map((a) => a.chainId),
      CHAINS.map((c) => c.chainId),
    );
    assert.deepEqual(
      CHAINS.map((c) => c.chainId),
      [1, 137, 42161],
    );
    for (const a of anvils) assert.equal(Number(BigInt(await rpc<string>(a.rpcUrl, "eth_chainId"))), a.chainId);
  });

  test("deploys the protocol on all three chains", async () => {
    const started = performance.now();
    first = await deployAll(targets(), { deploymentsDir: dir, log: quiet });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(first.length, 3);
    for (const r of first) {
      assert.equal(r.reused, false);
      assert.ok(r.transactions > 0);
      assert.equal(r.path, deploymentPath(r.deployment.chainId, dir));
      const d = loadDeployment(r.deployment.chainId, dir);
      assert.deepEqual(d, r.deployment);
      assert.equal(d.modelId, manifest.modelId);
      assert.equal(d.mocks, true);
      assert.ok(d.deployBlock >= 1);
      assert.match(d.gitCommit, /^[0-9a-f]{40}(-dirty)?$/);
      for (const key of CONTRACT_KEYS) assert.match(d.contracts[key].codeHash ?? "", /^0x[0-9a-f]{64}$/, key);
    }
    console.log(`# three-chain deploy: ${seconds.toFixed(1)}s`);
  });

  test("the registry holds the credit model under the manifest's model id, with the roles wired", async () => {
    for (const r of first) {
      const d = r.deployment;
      const client = publicClient(getChain(d.chainId), anvilOf(d.chainId).rpcUrl);
      const registry = { address: d.contracts.registry.address, abi: attestationRegistryAbi } as const;
      const model = await client.readContract({ ...registry, functionName: "model", args: [manifest.modelId] });
      const single = await client.readContract({ ...registry, functionName: "verifierOf", args: [manifest.modelId, 1] });
      const round = await client.readContract({ ...registry, functionName: "verifierOf", args: [manifest.modelId, 96] });
      assert.ok(isAddressEqual(single, d.contracts.creditVerifier.address), "the single-wallet circuit's verifier");
      assert.ok(isAddressEqual(round, d.contracts.creditRoundVerifier.address), "the 96-slot round circuit's verifier");
      assert.equal(await client.readContract({ ...registry, functionName: "currentModel" }), manifest.modelId, "the registered model is the current one");
      assert.equal(model.tierCount, manifest.tierCount);
      assert.equal(model.outputScale, manifest.outputScale);
      assert.equal(model.registered, true);
      assert.equal(model.active, true);
      const attestor = privateKeyToAccount(anvilDevKey(DEV_INDEX.attestor)).address;
      assert.ok(isAddressEqual(d.roles.attestor, attestor));
      const role = await client.readContract({ ...registry, functionName: "ATTESTOR_ROLE" });
      assert.equal(await client.readContract({ ...registry, functionName: "hasRole", args: [role, attestor] }), true);
      const lending = { address: d.contracts.lending.address, abi: zkRiskLendingAbi } as const;
      for (const fn of ["RISK_MANAGER_ROLE", "PAUSER_ROLE"] as const) {
        const r2 = await client.readContract({ ...lending, functionName: fn });
        assert.equal(await client.readContract({ ...lending, functionName: "hasRole", args: [r2, d.roles.owner] }), true, fn);
      }
      const low = await client.readContract({ ...lending, functionName: "tierParams", args: [0] });
      assert.equal(low.apr, 8n * 10n ** 16n);
      assert.equal(low.maxLtv, 85n * 10n ** 16n);
    }
  });

  test(`every deployed contract's runtime code is at most ${MAX_CODE_SIZE} bytes`, async () => {
    for (const r of first) {
      const client = publicClient(getChain(r.deployment.chainId), anvilOf(r.deployment.chainId).rpcUrl);
      for (const key of CONTRACT_KEYS) {
        const code = await client.getCode({ address: r.deployment.contracts[key].address });
        const size = ((code?.length ?? 2) - 2) / 2;
        assert.ok(size > 0 && size <= MAX_CODE_SIZE, `${key} on ${r.deployment.chainId}: ${size} bytes`);
        assert.equal(size, r.deployment.contracts[key].codeSize);
      }
    }
  });

  test("re-running reuses every deployment and sends no transaction", async () => {
    const before = await Promise.all(
      first.map(async (r) => {
        const url = anvilOf(r.deployment.chainId).rpcUrl;
        return [await rpc<string>(url, "eth_blockNumber"), await rpc<string>(url, "eth_getTransactionCount", [r.deployment.roles.deployer, "latest"])];
      }),
    );
    const lines: string[] = [];
    const again = await deployAll(targets(), { deploymentsDir: dir, log: (l) => lines.push(l) });
    for (const [i, r] of again.entries()) {
      assert.equal(r.reused, true);
      assert.equal(r.transactions, 0);
      assert.deepEqual(r.deployment, first[i]!.deployment);
      const url = anvilOf(r.deployment.chainId).rpcUrl;
      assert.deepEqual([await rpc<string>(url, "eth_blockNumber"), await rpc<string>(url, "eth_getTransactionCount", [r.deployment.roles.deployer, "latest"])], before[i]);
    }
    assert.equal(lines.filter((l) => /reusing it/.test(l)).length, 3);
  });

  test("a reset chain is redeployed; the others are reused", async () => {
    const polygon = anvilOf(137);
    await rpc(polygon.rpcUrl, "anvil_reset");
    const lines: string[] = [];
    const results = await deployAll(targets(), { deploymentsDir: dir, log: (l) => lines.push(l) });
    assert.deepEqual(
      results.map((r) => [r.deployment.chainId, r.reused]),
      [[1, true], [137, false], [42161, true]],
    );
    assert.ok(lines.some((l) => /chain 137 \(polygon\): redeploying: no code at/.test(l)), lines.join("\n"));
    const d = loadDeployment(137, dir);
    const code = await publicClient(getChain(137), polygon.rpcUrl).getCode({ address: d.contracts.lending.address });
    assert.ok(code && code.length > 2);
  });

  test("a deployment file whose wiring does not read back is not reused", async () => {
    const file = deploymentPath(42161, dir);
    const d = JSON.parse(readFileSync(file, "utf8")) as Deployment;
    // Swap the two mock tokens: same code, wrong wiring.
    const tampered = { ...d, contracts: { ...d.contracts, loanToken: d.contracts.collateralToken, collateralToken: d.contracts.loanToken } };
    writeFileSync(file, JSON.stringify(tampered));
    const lines: string[] = [];
    const r = await deploy({ chain: 42161, rpcUrl: anvilOf(42161).rpcUrl, deploymentsDir: dir, log: (l) => lines.push(l) });
    assert.equal(r.reused, false);
    assert.ok(lines.some((l) => /redeploying: lending\.LOAN_TOKEN is/.test(l)), lines.join("\n"));
  });

  test("an anvil forked from a deployed chain keeps the chain id and reuses the deployment", async () => {
    const fork = await startAnvil({ chainId: 1, forkUrl: anvilOf(1).rpcUrl });
    extra.push(fork);
    assert.equal(Number(BigInt(await rpc<string>(fork.rpcUrl, "eth_chainId"))), 1);
    const r = await deploy({ chain: 1, rpcUrl: fork.rpcUrl, deploymentsDir: dir, log: quiet });
    assert.equal(r.reused, true);
    await fork.stop();
  });

  test("a network config is refused precisely where it does not fit the chain", async () => {
    const polygon = anvilOf(137);
    // The real USDC address holds no code on a plain anvil.
    await assert.rejects(deploy({ chain: 137, rpcUrl: polygon.rpcUrl, deploymentsDir: dir, config: join(CONFIG_DIR, "137.json"), log: quiet }), {
      message: "script/config/137.json: .loanToken.address = 0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359 has no code on chain 137 (polygon)",
    });
    // An empty address field is named.
    const config = JSON.parse(readFileSync(join(CONFIG_DIR, "137.json"), "utf8")) as { priceFeed: { address: string } };
    config.priceFeed.address = "";
    const file = join(CONFIG_DIR, `.test-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(config));
    try {
      await assert.rejects(deploy({ chain: 137, rpcUrl: polygon.rpcUrl, deploymentsDir: dir, config: file, log: quiet }), {
        message: `script/config/.test-${process.pid}.json: .priceFeed.address is empty: fill it in before deploying to chain 137 (polygon)`,
      });
    } finally {
      rmSync(file, { force: true });
    }
  });

  test("the deployer key from the environment is used and never printed", async () => {
    const key = anvilDevKey(7);
    const r = cli(["deploy", "--chains", "137", "--deployments", dir], cleanEnv({ POLYGON_RPC_URL: anvilOf(137).rpcUrl, ZKRISK_DEPLOYER_KEY: key }));
    const output = r.stdout + r.stderr;
    assert.equal(r.status, 0, output);
    assert.ok(!output.toLowerCase().includes(key.slice(2).toLowerCase()), "the key was printed");
    assert.ok(isAddressEqual(loadDeployment(137, dir).roles.deployer, privateKeyToAccount(key).address));
    assert.match(r.stdout, /137 polygon: deployed lending 0x[0-9a-fA-F]{40}/);
  });

  test("an RPC serving another chain id is refused", () => {
    const r = cli(["deploy", "--chains", "137", "--deployments", dir], cleanEnv({ POLYGON_RPC_URL: anvilOf(1).rpcUrl }));
    assert.equal(r.status, 1);
    assert.match(oneLine(r.stderr), /^zkrisk deploy: the RPC at 127\.0\.0\.1:\d+ serves chain 1, not chain 137 \(polygon\)$/);
  });
});

describe("generated ABIs", () => {
  before(() => forgeBuild());

  test("ts/generated/abi.generated.ts is what `npm run abi` writes from the current build", () => {
    assert.equal(readFileSync(ABI_MODULE, "utf8"), renderAbiModule(), "stale: run `npm run abi` and commit ts/generated/abi.generated.ts");
  });
});

describe("keys and chain list", () => {
  test("the chain list comes from features.json, with the RPC variables", () => {
    assert.deepEqual(
      CHAINS.map((c) => [c.chainId, c.name, c.rpcEnv]),
      [
        [1, "ethereum", "ETH_RPC_URL"],
        [137, "polygon", "POLYGON_RPC_URL"],
        [42161, "arbitrum", "ARBITRUM_RPC_URL"],
      ],
    );
    assert.deepEqual(parseChainList("42161, 1,1").map((c) => c.chainId), [42161, 1]);
    assert.throws(() => parseChainList("1,x"), /"x" is not a chain id/);
  });

  test("anvil's dev keys only on local chains, and errors never contain a key", () => {
    assert.equal(privateKeyToAccount(roleKey("deployer", { local: true, env: {} })).address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert.throws(() => roleKey("keeper", { local: false, env: {} }), /^Error: ZKRISK_KEEPER_KEY is not set/);
    const bad = `0x${"ab".repeat(31)}`;
    assert.throws(
      () => roleKey("attestor", { local: true, env: { ZKRISK_ATTESTOR_KEY: bad } }),
      (e: Error) => /ZKRISK_ATTESTOR_KEY is not a private key/.test(e.message) && !e.message.includes("abab"),
    );
    const key = anvilDevKey(9);
    assert.equal(roleKey("attestor", { local: false, env: { ZKRISK_ATTESTOR_KEY: key.slice(2) } }), key);
  });

  test("loadDeployment names the command that creates the file", () => {
    const empty = mkdtempSync(join(tmpdir(), "zkrisk-nodeploy-"));
    assert.throws(() => loadDeployment(1, empty), { message: `no deployment for chain 1 in ${empty}/: run \`npm run zkrisk -- deploy\` first` });
    assert.throws(() => loadDeployment(1, join(ROOT, "deployments-none")), {
      message: "no deployment for chain 1 in deployments-none/: run `npm run zkrisk -- deploy` first",
    });
    rmSync(empty, { recursive: true });
  });
});

describe("deploy CLI errors", () => {
  test("an unknown chain id", () => {
    const r = cli(["deploy", "--chains", "1,5"], cleanEnv());
    assert.equal(r.status, 1);
    assert.equal(oneLine(r.stderr), "zkrisk deploy: unknown chain id 5 (known: 1 ethereum, 137 polygon, 42161 arbitrum)");
  });

  test("a missing RPC variable is named", () => {
    const r = cli(["deploy", "--chains", "137,1"], cleanEnv({ POLYGON_RPC_URL: "http://127.0.0.1:9" }));
    assert.equal(r.status, 1);
    assert.equal(
      oneLine(r.stderr),
      "zkrisk deploy: ETH_RPC_URL is not set: it is the RPC URL of chain 1 (ethereum) (or pass --rpc, or --local to deploy onto local anvils)",
    );
  });

  test("an unreachable RPC", () => {
    const r = cli(["deploy", "--chains", "42161"], cleanEnv({ ARBITRUM_RPC_URL: "http://127.0.0.1:9/secret-api-key" }));
    assert.equal(r.status, 1);
    const line = oneLine(r.stderr);
    assert.match(line, /^zkrisk deploy: cannot reach the RPC of chain 42161 \(arbitrum\) at 127\.0\.0\.1:9: /);
    assert.ok(!line.includes("secret-api-key"), "the RPC URL's path was printed");
  });
});
