// A market on a real anvil for the keeper's tests (the real deploy path, local config): liquidity
// supplied, the keeper funded, helpers to open positions, move the mock feed, attest a wallet
// with a real proof and read liquidations. stop() kills anvil and removes the folder.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAddressEqual, maxUint256, type Account, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi, mockAggregatorAbi, mockErc20Abi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { anvilDevKey, demoAccount, publicClient, roleAccount, walletClient } from "../runtime/chains/accounts.js";
import { getChain, startAnvil, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { deploy } from "../runtime/deploy/deploy.js";
import type { Deployment } from "../runtime/deploy/deployment.js";
import { fundKeeper } from "../runtime/keeper/keeper.js";
import { readMarket, readMarketInfo } from "../runtime/keeper/keeper-positions.js";
import { ROOT } from "../toolchain/paths.js";

export const CHAIN = getChain(1);
/** The mock ETH/USD feed's initial answer (script/config/local.json). */
export const ANSWER0 = 2000n * 10n ** 8n;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

type WriteRequest = Omit<Parameters<ReturnType<typeof walletClient>["writeContract"]>[0], "account" | "chain">;

export interface TestMarket {
  readonly anvil: Anvil;
  readonly client: PublicClient;
  readonly d: Deployment;
  readonly dir: string;
  readonly owner: Account;
  readonly keeperAccount: Account;
  /** Send and wait for success (fixed gas limit: an estimate on the latest block can fall short in the next under interval mining). */
  send(account: Account, req: WriteRequest): Promise<bigint>;
  head(): Promise<bigint>;
  /** Set the feed to `bps` of the initial answer; the block that mined it. */
  setPrice(bps: bigint): Promise<bigint>;
  /** Deposit `eth` WETH and borrow `ltvBps` of its value at the current price (UNVERIFIED bucket, or the wallet's tier when attested). */
  open(ltvBps: bigint, eth?: bigint, who?: Account): Promise<Account>;
  /** A fresh wallet (demo accounts, in order). */
  wallet(): Account;
  /** Attest `w` with the real proof of test/fixtures/credit/low-<fixture>.json (tier 0, LOW; a commitment belongs to one wallet: one fixture per wallet); returns its commitment. */
  attestLow(w: Account, fixture: 0 | 1): Promise<bigint>;
  /** The attestor replaces `w`'s commitment: its attestation stops counting (UNVERIFIED, liquidation LTV ramping down). */
  replaceCommitment(w: Account, commitment: bigint): Promise<bigint>;
  readonly lending: { readonly address: Address; readonly abi: typeof zkRiskLendingAbi };
  position(a: Address): Promise<{ borrowShares: bigint; collateral: bigint; bucket: number }>;
  liquidations(who?: Address): Promise<{ args: { caller: Address; borrower: Address; repaidAssets: bigint; repaidShares: bigint; seizedAssets: bigint }; transactionHash: Hex; blockNumber: bigint }[]>;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
}

/** Deploy on a fresh anvil (chain id 1, `accounts` funded dev accounts: wallets for positions), supply 10M USDC, fund the keeper role's account. */
export async function testMarket(opts: { accounts?: number } = {}): Promise<TestMarket> {
  const dir = mkdtempSync(join(tmpdir(), "zkrisk-keeper-"));
  const anvil = await startAnvil({ chainId: 1, accounts: opts.accounts ?? 30 });
  const client = publicClient(CHAIN, anvil.rpcUrl) as PublicClient;
  const { deployment: d } = await deploy({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, log: () => {} });
  const owner = privateKeyToAccount(anvilDevKey(0));
  const keeperAccount = roleAccount("keeper", { local: true });
  const lending = { address: d.contracts.lending.address, abi: zkRiskLendingAbi } as const;
  let next = 0;

  async function send(account: Account, req: WriteRequest): Promise<bigint> {
    const hash = await walletClient(CHAIN, anvil.rpcUrl, account).writeContract({ ...req, gas: 2_000_000n } as Parameters<ReturnType<typeof walletClient>["writeContract"]>[0]);
    const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.equal(r.status, "success", `${String(req.functionName)} reverted`);
    return r.blockNumber;
  }
  const head = () => client.getBlockNumber({ cacheTime: 0 });
  const oraclePrice = async () => (await readMarket(client, await readMarketInfo(client, lending.address), await head())).price!;
  const registry = { address: d.contracts.registry.address, abi: attestationRegistryAbi } as const;
  const attestor = roleAccount("attestor", { local: true });

  const usdc = 10_000_000n * 10n ** 6n;
  await send(owner, { address: d.contracts.loanToken.address, abi: mockErc20Abi, functionName: "mint", args: [owner.address, usdc * 2n] });
  await send(owner, { address: d.contracts.loanToken.address, abi: mockErc20Abi, functionName: "approve", args: [lending.address, maxUint256] });
  await send(owner, { ...lending, functionName: "supply", args: [usdc, owner.address] });
  await fundKeeper({ chain: CHAIN, rpcUrl: anvil.rpcUrl, deployment: d, account: keeperAccount });

  return {
    anvil,
    client,
    d,
    dir,
    owner,
    keeperAccount,
    send,
    head,
    lending,
    wallet: () => demoAccount(next++),
    setPrice: (bps) => send(owner, { address: d.contracts.priceFeed.address, abi: mockAggregatorAbi, functionName: "setAnswer", args: [(ANSWER0 * bps) / 10_000n] }),
    async open(ltvBps, eth = 10n, who) {
      const a = who ?? demoAccount(next++);
      const amount = eth * 10n ** 18n;
      await send(a, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "mint", args: [a.address, amount] });
      await send(a, { address: d.contracts.collateralToken.address, abi: mockErc20Abi, functionName: "approve", args: [lending.address, maxUint256] });
      await send(a, { ...lending, functionName: "supplyCollateral", args: [amount, a.address] });
      const value = (amount * (await oraclePrice())) / 10n ** 36n;
      await send(a, { ...lending, functionName: "borrow", args: [(value * ltvBps) / 10_000n, a.address] });
      return a;
    },
    async attestLow(w, index) {
      const fixture = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "credit", `low-${index}.json`), "utf8")) as { proof: Hex; instances: string[] };
      const instances = fixture.instances.map((x) => BigInt(x));
      await send(attestor, { ...registry, functionName: "postCommitment", args: [w.address, instances[0]!] });
      await send(owner, { ...registry, functionName: "attest", args: [w.address, d.modelId, fixture.proof, instances] });
      return instances[0]!;
    },
    replaceCommitment: (w, commitment) => send(attestor, { ...registry, functionName: "postCommitment", args: [w.address, commitment] }),
    position: (a) => client.readContract({ ...lending, functionName: "position", args: [a] }),
    async liquidations(who) {
      const events = await client.getContractEvents({ ...lending, eventName: "Liquidate", fromBlock: BigInt(d.deployBlock), strict: true });
      return events.filter((e) => !who || isAddressEqual(e.args.borrower, who));
    },
    rpc: (method, params = []) => client.request({ method, params } as never),
    async stop() {
      await stopAll([anvil]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
