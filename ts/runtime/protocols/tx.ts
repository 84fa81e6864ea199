// One transaction at a time from one account, each waited for and checked: what the protocol
// deployments and the actions send. A reverted transaction is an error naming what was sent.
import { aaveErrorText } from "./aave-v3/artifacts.js";
import { getAddress, type Abi, type Account, type Address, type Chain, type ContractFunctionArgs, type ContractFunctionName, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";

/**
 * How often to ask for a receipt. viem's default for HTTP (4 s) costs a whole interval whenever
 * a loaded anvil has not mined the transaction by the first ask.
 */
const RECEIPT_POLL_MS = 100;

export interface Signer {
  readonly wallet: WalletClient<Transport, Chain, Account>;
  readonly client: PublicClient;
}

/** Deploy `bytecode` (constructor `args`) and return its address once mined. */
export async function deployCode(s: Signer, what: string, abi: Abi, bytecode: Hex, args: readonly unknown[] = []): Promise<Address> {
  const hash = await s.wallet.deployContract({ abi, bytecode, args } as never);
  const receipt = await s.client.waitForTransactionReceipt({ hash, pollingInterval: RECEIPT_POLL_MS });
  if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${what} reverted (tx ${hash})`);
  return getAddress(receipt.contractAddress);
}

/** Call `functionName` on `address` and wait for it to be mined; returns the receipt's block. */
export async function send<const abi extends Abi, name extends ContractFunctionName<abi, "nonpayable" | "payable">>(
  s: Signer,
  what: string,
  address: Address,
  abi: abi,
  functionName: name,
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", name>,
): Promise<{ hash: Hex; blockNumber: bigint }> {
  let hash: Hex;
  try {
    // Simulated first, so that a refused call fails with the contract's reason, not a gas estimate.
    const { request } = await s.client.simulateContract({ account: s.wallet.account, address, abi, functionName, args } as never);
    hash = await s.wallet.writeContract(request as never);
  } catch (e) {
    const err = e as { shortMessage?: string; message: string; cause?: { reason?: string } };
    const reason = err.cause?.reason;
    // Aave v3 reverts with numeric codes: named from its Errors.sol.
    const text = reason && /^\d+$/.test(reason) ? aaveErrorText(reason) : reason;
    throw new Error(`${what} failed: ${text ? `reverted with "${text}"` : (err.shortMessage ?? err.message).split("\n")[0]}`);
  }
  const receipt = await s.client.waitForTransactionReceipt({ hash, pollingInterval: RECEIPT_POLL_MS });
  if (receipt.status !== "success") throw new Error(`${what} reverted (tx ${hash})`);
  return { hash, blockNumber: receipt.blockNumber };
}
