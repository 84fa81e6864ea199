// anvil's mining modes, for the keeper's tests, demo and benchmark: interval mining (a block
// every n seconds, as on a real chain) and automine (a block per transaction).

/** Any viem client (public, wallet, test): only its EIP-1193 `request` is used. */
export interface RpcClient {
  request: (...args: never[]) => Promise<unknown>;
}

async function rawRequest(client: RpcClient, method: string, params: unknown[]): Promise<unknown> {
  return (client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<unknown>)({ method, params });
}

/** anvil: stop automining and mine a block every `seconds` (empty or not). */
export async function setIntervalMining(client: RpcClient, seconds: number): Promise<void> {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`interval mining needs a whole number of seconds >= 1, got ${seconds}`);
  await rawRequest(client, "evm_setAutomine", [false]);
  await rawRequest(client, "evm_setIntervalMining", [seconds]);
}

/** anvil: back to automine (one block per transaction, as soon as it arrives), interval mining off. */
export async function setAutomine(client: RpcClient): Promise<void> {
  await rawRequest(client, "evm_setIntervalMining", [0]);
  await rawRequest(client, "evm_setAutomine", [true]);
}
