// Token moves the protocol actions share: mint the local mock tokens, approve a spender.
import type { Address } from "viem";
import { mockErc20Abi } from "../../generated/abi.generated.js";
import { send, type Signer } from "./tx.js";

/** Mint `amount` of a local mock token to the signer (MockERC20's open mint: local chains only). */
export async function mintMock(s: Signer, token: Address, amount: bigint): Promise<void> {
  await send(s, "MockERC20.mint", token, mockErc20Abi, "mint", [s.wallet.account.address, amount]);
}

/** Approve `spender` for exactly `amount` of `token`. */
export async function approve(s: Signer, token: Address, spender: Address, amount: bigint): Promise<void> {
  await send(s, "ERC20.approve", token, mockErc20Abi, "approve", [spender, amount]);
}
