// The keeper's working capital: liquidating repays debt in loan tokens from the keeper's
// account, so it must hold loan tokens, have approved the lending contract, and hold native
// currency for gas. `fundKeeper` provides all of that on local chains (mock loan token);
// `checkKeeperFunds` says precisely what is missing anywhere.
import { erc20Abi, formatUnits, maxUint256, type Account, type Address, type PublicClient } from "viem";
import { publicClient, roleAccount, walletClient } from "../chains/accounts.js";
import { mockErc20Abi } from "../../generated/abi.generated.js";
import { chainLabel, getChain, type ChainInfo } from "../chains/chains.js";
import type { Deployment } from "../deploy/deployment.js";

export interface KeeperFunds {
  readonly keeper: Address;
  readonly loanToken: Address;
  readonly symbol: string;
  readonly decimals: number;
  readonly balance: bigint;
  readonly allowance: bigint;
  readonly native: bigint;
  /** What is missing, in one sentence; undefined when the keeper can liquidate up to `required`. */
  readonly problem: string | undefined;
}

/**
 * The keeper's loan-token balance, allowance to the lending contract and native balance, and
 * what is missing to repay `required` loan-token units (default: any positive amount).
 */
export async function checkKeeperFunds(
  client: PublicClient,
  chain: ChainInfo,
  deployment: Deployment,
  keeper: Address,
  required = 1n,
): Promise<KeeperFunds> {
  const token = deployment.contracts.loanToken.address;
  const lending = deployment.contracts.lending.address;
  const [symbol, decimals, balance, allowance, native] = await Promise.all([
    client.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }),
    client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }),
    client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [keeper] }),
    client.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [keeper, lending] }),
    client.getBalance({ address: keeper }),
  ]);
  const amount = (x: bigint): string => `${formatUnits(x, decimals)} ${symbol}`;
  const missing: string[] = [];
  if (balance < required) missing.push(`holds ${amount(balance)} of loan token ${token}${required > 1n ? `, needs ${amount(required)}` : ""}`);
  if (allowance < required) missing.push(`has approved ${amount(allowance)} to the lending contract ${lending}${required > 1n ? `, needs ${amount(required)}` : ""}`);
  if (native === 0n) missing.push(`has no ${chain.nativeSymbol} for gas`);
  const fix = deployment.mocks ? " (local chain: `zkrisk keeper --fund` mints and approves)" : "";
  const problem = missing.length
    ? `keeper ${keeper} on ${chainLabel(chain)} ${missing.join(" and ")}: fund it with ${symbol}, approve the lending contract and keep ${chain.nativeSymbol} for gas${fix}`
    : undefined;
  return { keeper, loanToken: token, symbol, decimals, balance, allowance, native, problem };
}

/** Default amount fundKeeper mints: ten million whole loan tokens. */
const DEFAULT_WHOLE_TOKENS = 10_000_000n;

export interface FundKeeperOptions {
  readonly chain: ChainInfo | number;
  readonly rpcUrl: string;
  readonly deployment: Deployment;
  /** Default the keeper role's account (ZKRISK_KEEPER_KEY, else anvil dev key 2). */
  readonly account?: Account;
  /** Loan-token base units to mint (default ten million whole tokens). */
  readonly amount?: bigint;
}

/**
 * Local chains only (a deployment with mock tokens): mint loan tokens to the keeper and
 * approve the lending contract for an unlimited amount. Returns the funds afterwards.
 */
export async function fundKeeper(opts: FundKeeperOptions): Promise<KeeperFunds> {
  const chain = typeof opts.chain === "number" ? getChain(opts.chain) : opts.chain;
  const { deployment } = opts;
  const account = opts.account ?? roleAccount("keeper", { local: deployment.mocks });
  if (!deployment.mocks) {
    throw new Error(`${chainLabel(chain)} runs real tokens (config ${deployment.config}): fundKeeper only mints mock loan tokens; send the keeper ${account.address} loan tokens and approve ${deployment.contracts.lending.address}`);
  }
  const client = publicClient(chain, opts.rpcUrl) as PublicClient;
  const wallet = walletClient(chain, opts.rpcUrl, account);
  const token = deployment.contracts.loanToken.address;
  const decimals = await client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" });
  const amount = opts.amount ?? DEFAULT_WHOLE_TOKENS * 10n ** BigInt(decimals);
  const mint = await wallet.writeContract({ address: token, abi: mockErc20Abi, functionName: "mint", args: [account.address, amount] });
  await client.waitForTransactionReceipt({ hash: mint, pollingInterval: 50 });
  const allowance = await client.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [account.address, deployment.contracts.lending.address] });
  if (allowance !== maxUint256) {
    const approve = await wallet.writeContract({ address: token, abi: erc20Abi, functionName: "approve", args: [deployment.contracts.lending.address, maxUint256] });
    await client.waitForTransactionReceipt({ hash: approve, pollingInterval: 50 });
  }
  return checkKeeperFunds(client, chain, deployment, account.address);
}
