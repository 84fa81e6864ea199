// anvil's dev accounts in bulk. `anvilDevKey(i)` (ts/runtime/chains/accounts.ts) stretches the
// mnemonic (PBKDF2, 2,048 rounds) for every index: about 35 ms each, over a minute for 2,000
// borrowers. Here the mnemonic is stretched once, to the parent key m/44'/60'/0'/0, and each
// account is one child derivation from it.
import { mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { ANVIL_MNEMONIC, anvilDevKey } from "../ts/runtime/chains/accounts.js";

/** anvil dev accounts `from` .. `from + count - 1` (the same keys as anvilDevKey). */
export function devAccounts(from: number, count: number): PrivateKeyAccount[] {
  const parent = mnemonicToAccount(ANVIL_MNEMONIC, { path: "m/44'/60'/0'/0" }).getHdKey();
  const accounts = Array.from({ length: count }, (_, i) => {
    const key = parent.deriveChild(from + i).privateKey;
    if (!key) throw new Error(`could not derive anvil dev key ${from + i}`);
    return privateKeyToAccount(`0x${Buffer.from(key).toString("hex")}`);
  });
  // the same keys as the one-by-one derivation
  if (count > 0 && accounts[0]!.address !== privateKeyToAccount(anvilDevKey(from)).address) throw new Error("dev account derivation disagrees with anvilDevKey");
  return accounts;
}
