// The fork workflow on real anvils: an upstream chain is deployed and seeded, a second anvil
// forks it, the prover attests and the keeper liquidates on the fork only, and the upstream is
// unchanged afterwards (same head block, no commitment, the position intact). The fork indexes
// the same protocols as upstream (zkrisk, and the Aave v3 and Morpho Blue the record lists): the
// wallet's upstream Aave and Morpho history is in its features.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Market } from "../demo/market.js";
import { attestationRegistryAbi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { demoAccount, publicClient, walletClient } from "../runtime/chains/accounts.js";
import { getChain, startAnvil, type Anvil } from "../runtime/chains/chains.js";
import { connectChains, signer, type ConnectedChain } from "../runtime/chains/connect.js";
import { deploy } from "../runtime/deploy/deploy.js";
import { runFork, type ForkResult } from "../runtime/fork.js";
import { aaveSupply } from "../runtime/protocols/aave-v3/actions.js";
import { mintMock } from "../runtime/protocols/erc20.js";
import { morphoSupplyCollateral } from "../runtime/protocols/morpho-blue/actions.js";

const eth = getChain(1);
const dir = mkdtempSync(join(tmpdir(), "zkrisk-fork-"));
const deploymentsDir = join(dir, "deployments");
const wallet = demoAccount(0);
let upstream: Anvil;
let up: ConnectedChain | undefined;
let result: ForkResult;
const quiet = () => undefined;

async function upstreamState() {
  if (!up) throw new Error("upstream not connected");
  const registry = up.deployment.contracts.registry.address;
  const lending = up.deployment.contracts.lending.address;
  return {
    block: await up.client.getBlockNumber({ cacheTime: 0 }), // viem caches the head for 4 s by default
    commitment: (await up.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "commitmentOf", args: [wallet.address] })).value,
    position: await up.client.readContract({ address: lending, abi: zkRiskLendingAbi, functionName: "position", args: [wallet.address] }),
  };
}

let before_: Awaited<ReturnType<typeof upstreamState>>;

before(async () => {
  upstream = await startAnvil({ chainId: 1 });
  await deploy({ chain: eth, rpcUrl: upstream.rpcUrl, deploymentsDir, log: quiet });
  [up] = await connectChains({ chains: [eth], deploymentsDir, rpcUrls: { 1: upstream.rpcUrl } });
  const m = new Market(up!, signer(up!, "deployer"));
  await m.supplyLiquidity(100_000);
  await m.deposit(wallet, 4);
  await m.borrowTo(wallet, 0.55);
  // Upstream history on Aave v3 and Morpho Blue too.
  const d = up!.deployment;
  const me = { wallet: walletClient(eth, upstream.rpcUrl, wallet), client: publicClient(eth, upstream.rpcUrl) };
  await mintMock(me, d.contracts.collateralToken.address, 3n * 10n ** 18n);
  await aaveSupply(me, d.protocols!.aaveV3!, d.contracts.collateralToken.address, 2n * 10n ** 18n);
  await morphoSupplyCollateral(me, d.protocols!.morphoBlue!, 10n ** 18n);
  await m.advance(20 * 86_400);
  await m.setPrice(2_000);
  before_ = await upstreamState();
  result = await runFork({
    chains: [eth],
    upstream: { 1: upstream.rpcUrl },
    deploymentsDir,
    workDir: join(dir, "fork"),
    wallets: [wallet.address],
    log: quiet,
    // A 40% fall on the fork: the wallet's position becomes liquidatable whatever its tier.
    beforeKeeper: async ([fork]) => new Market(fork!, signer(fork!, "deployer")).setPrice(1_200),
  });
}, { timeout: 300_000 });

after(() => upstream?.stop());

test("the fork attests the wallet and the keeper liquidates it there", () => {
  assert.equal(result.submissions.length, 1);
  assert.deepEqual(result.submissions[0]!.chains.map((c) => c.status), ["attested"]);
  assert.equal(result.liquidations.length, 1);
  assert.equal(result.liquidations[0]!.borrower, wallet.address);
  assert.ok(result.forkBlocks[1]! >= Number(before_.block), "the fork starts at the upstream head");
});

test("the fork indexes zkrisk, Aave v3 and Morpho Blue: the wallet's features include its Aave and Morpho history", () => {
  assert.deepEqual(result.index.map((c) => [c.chainId, c.protocols, c.undecodable]), [[1, ["zkrisk", "aave-v3", "morpho-blue"], {}]]);
  const [w] = result.wallets;
  assert.equal(w!.wallet, wallet.address);
  const raw = w!.records[0]!.raw;
  assert.deepEqual(raw.protocols_used, ["zkrisk", "aave-v3", "morpho-blue"]);
  // zkrisk's deposit, the Aave supply and the Morpho collateral.
  assert.equal(raw.deposit_count, 3);
});

test("the upstream chain is unchanged", async () => {
  const now = await upstreamState();
  assert.equal(now.block, before_.block, "no block mined upstream");
  assert.equal(now.commitment, 0n, "no commitment posted upstream");
  assert.deepEqual(now.position, before_.position, "the position is intact upstream");
});
