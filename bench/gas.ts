// On-chain costs on a real deployment (ts/runtime/deploy/deploy.ts onto an anvil with chain id 1) with
// the real CreditVerifier (the single-wallet circuit) and real credit proofs (test/fixtures/credit;
// rounds are bench/round.ts): gas of the verifier call
// alone (inside the attestation, from a call trace, and as a direct transaction), of a whole
// attestation transaction and of posting a commitment; calldata bytes; runtime code size of
// every deployed contract.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isAddressEqual, size, type Address, type Hash, type Hex, type PublicClient } from "viem";
import { demoAccount, publicClient, roleAccount, walletClient } from "../ts/runtime/chains/accounts.js";
import { attestationRegistryAbi } from "../ts/generated/abi.generated.js";
import { getChain, startAnvil } from "../ts/runtime/chains/chains.js";
import { deploy } from "../ts/runtime/deploy/deploy.js";
import { CONTRACT_KEYS, MAX_CODE_SIZE } from "../ts/runtime/deploy/deployment.js";
import { MODELS } from "../ts/pipeline/models.js";
import { ROOT } from "../ts/toolchain/paths.js";
import { readFixtures } from "./fixtures.js";
import { summarize, type Summary } from "./stats.js";

export interface GasResults {
  readonly fixtures: number;
  /** Gas the registry's call into the verifier used (callTracer), per attestation. */
  readonly verifierCallGas: number[];
  /** A transaction straight to verifyProof: receipt gasUsed, and that minus the intrinsic 21,000 + calldata gas. */
  readonly verifierTxGas: number[];
  readonly verifierTxExecutionGas: number[];
  readonly attestTxGas: number[];
  readonly postCommitmentTxGas: number[];
  readonly attestCalldataBytes: number;
  readonly verifierCalldataBytes: number;
  readonly proofBytes: number;
  /** Public instances per single-wallet proof ([inputCommitment, paramCommitment, tier, neverLiquidated]). */
  readonly instances: number;
  readonly summary: { verifierCall: Summary; verifierTx: Summary; verifierTxExecution: Summary; attestTx: Summary; postCommitmentTx: Summary };
  readonly contracts: { key: string; contract: string; address: Address; runtimeBytes: number; eip170MarginBytes: number }[];
  readonly hardfork: string;
}

/** Intrinsic gas of a call: 21,000 plus 16 per non-zero and 4 per zero calldata byte (EIP-2028). */
export function intrinsicGas(data: Hex): number {
  let gas = 21_000;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4 : 16;
  return gas;
}

interface CallFrame {
  to?: string;
  gasUsed?: string;
  calls?: CallFrame[];
}

function findCall(frame: CallFrame, to: Address): CallFrame | undefined {
  if (frame.to && isAddressEqual(frame.to as Address, to)) return frame;
  for (const c of frame.calls ?? []) {
    const f = findCall(c, to);
    if (f) return f;
  }
  return undefined;
}

export async function benchGas(opts: { env: NodeJS.ProcessEnv; log: (line: string) => void }): Promise<GasResults> {
  const { log } = opts;
  const chain = getChain(1);
  const anvil = await startAnvil({ chainId: chain.chainId });
  const dir = join(ROOT, ".cache", "bench", `deployments-gas-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const { deployment } = await deploy({ chain, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, env: opts.env, log: (l) => log(`deploy: ${l}`) });
    const client = publicClient(chain, anvil.rpcUrl) as PublicClient;
    const attestor = walletClient(chain, anvil.rpcUrl, roleAccount("attestor", { local: true }));
    const submitter = walletClient(chain, anvil.rpcUrl, demoAccount(0));
    const registry = deployment.contracts.registry.address;
    const verifier = deployment.contracts.creditVerifier.address;
    const fixtures = readFixtures(MODELS.credit!);
    const receipt = (hash: Hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 50 });

    const verifierCallGas: number[] = [];
    const verifierTxGas: number[] = [];
    const verifierTxExecutionGas: number[] = [];
    const attestTxGas: number[] = [];
    const postCommitmentTxGas: number[] = [];
    let attestCalldataBytes = 0;
    for (const [i, f] of fixtures.entries()) {
      const wallet = demoAccount(10 + i).address;
      const post = await receipt(
        await attestor.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "postCommitment", args: [wallet, BigInt(f.instances[0]!)] }),
      );
      postCommitmentTxGas.push(Number(post.gasUsed));
      const args = [wallet, deployment.modelId, f.proof, f.instances.map((x) => BigInt(x))] as const;
      await client.simulateContract({ address: registry, abi: attestationRegistryAbi, functionName: "attest", args, account: submitter.account });
      const hash = await submitter.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "attest", args });
      const r = await receipt(hash);
      if (r.status !== "success") throw new Error(`attestation of fixture ${f.name} reverted`);
      attestTxGas.push(Number(r.gasUsed));
      const tx = await client.getTransaction({ hash });
      attestCalldataBytes = size(tx.input);
      const trace = (await client.request({ method: "debug_traceTransaction", params: [hash, { tracer: "callTracer" }] } as never)) as CallFrame;
      const call = findCall(trace, verifier);
      if (!call?.gasUsed) throw new Error(`no call into the verifier ${verifier} in the trace of attestation ${hash}`);
      verifierCallGas.push(Number(BigInt(call.gasUsed)));

      const direct = await receipt(await submitter.sendTransaction({ to: verifier, data: f.calldata }));
      if (direct.status !== "success") throw new Error(`verifyProof of fixture ${f.name} reverted`);
      verifierTxGas.push(Number(direct.gasUsed));
      verifierTxExecutionGas.push(Number(direct.gasUsed) - intrinsicGas(f.calldata));
      log(`fixture ${f.name} (tier ${f.tier}): attest tx ${r.gasUsed} gas, verifier call ${verifierCallGas.at(-1)} gas, direct verifyProof tx ${direct.gasUsed} gas`);
    }
    const nodeInfo = (await client.request({ method: "anvil_nodeInfo" } as never).catch(() => ({}))) as { hardFork?: string };
    const contracts = CONTRACT_KEYS.map((key) => {
      const c = deployment.contracts[key];
      return { key, contract: c.contract, address: c.address, runtimeBytes: c.codeSize, eip170MarginBytes: MAX_CODE_SIZE - c.codeSize };
    });
    const f0 = fixtures[0]!;
    return {
      fixtures: fixtures.length,
      verifierCallGas,
      verifierTxGas,
      verifierTxExecutionGas,
      attestTxGas,
      postCommitmentTxGas,
      attestCalldataBytes,
      verifierCalldataBytes: size(f0.calldata),
      proofBytes: size(f0.proof),
      instances: f0.instances.length,
      summary: {
        verifierCall: summarize(verifierCallGas),
        verifierTx: summarize(verifierTxGas),
        verifierTxExecution: summarize(verifierTxExecutionGas),
        attestTx: summarize(attestTxGas),
        postCommitmentTx: summarize(postCommitmentTxGas),
      },
      contracts,
      hardfork: nodeInfo.hardFork ?? "unknown",
    };
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
