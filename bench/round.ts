// Attestation rounds: what one proof of the round circuit (circuits/credit/round, 96 wallet slots)
// costs per wallet, next to the single-wallet circuit.
//
// Proving: the native long-lived prover of the round circuit proves the 96 wallets of the committed
// full-round fixture (test/fixtures/credit/round-full.json) N times (full run: after one warm-up
// proof); each proof is checked slot by slot against the fixture (input commitment and tier).
// On-chain: a fresh deployment on anvil (chain id 1); the attestor posts the fixture's 96 input
// commitments for 96 ascending wallets, then anyone submits the fixture's proof with `attestRound`.
// An anvil snapshot taken right after the deployment is restored before each measured transaction,
// so every round (and every single-wallet `attest`) runs against the same fresh chain. A round with
// only its first k slots real (the rest address(0), which the registry never attests and whose
// commitments it never reads) is exactly a k-wallet round: same proof, same verifier call.
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createPublicClient, getAddress, http, keccak256, size, toHex, zeroAddress, type Address, type Hash, type Hex, type PublicClient } from "viem";
import { circuitPaths, getCircuit, type ModelSpec } from "../ts/pipeline/models.js";
import { readSettings } from "../ts/pipeline/keys.js";
import { demoAccount, roleAccount, viemChain, walletClient } from "../ts/runtime/chains/accounts.js";
import { attestationRegistryAbi } from "../ts/generated/abi.generated.js";
import { getChain, startAnvil } from "../ts/runtime/chains/chains.js";
import { deploy } from "../ts/runtime/deploy/deploy.js";
import { MAX_CODE_SIZE, type ContractKey } from "../ts/runtime/deploy/deployment.js";
import { openProver, type WalletInput } from "../ts/prover/prover.js";
import { ROOT } from "../ts/toolchain/paths.js";
import { readFixtures, readRoundFixture, type RoundFixture } from "./fixtures.js";
import { intrinsicGas } from "./gas.js";
import { findDescendant, procStatusBytes } from "./measure.js";
import { silent } from "./proving.js";
import { summarize, type Summary } from "./stats.js";

/** Round sizes (real wallets) measured; those above the circuit's slot count are left out. */
export const ROUND_WALLETS = [1, 8, 32, 64, 96] as const;

export interface RoundPlan {
  readonly model: ModelSpec;
  /** Measured full-round proofs. */
  readonly proofs: number;
  /** One uncounted proof first (the first proof of a fresh worker is slower). */
  readonly warmup: boolean;
  /**
   * The single circuit's end-to-end proof time from the proving section, when it ran; otherwise
   * the single circuit is measured here (same counts as the round: `warmup`, then `proofs`).
   */
  readonly single?: { readonly ms: number; readonly proveMs: number; readonly n: number; readonly source: string };
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export interface RoundByWallets {
  /** Real wallets in the round (the other slots are address(0) padding). */
  readonly wallets: number;
  /** Receipt gasUsed of the attestRound transaction, on the fresh chain. */
  readonly roundGas: number;
  readonly gasPerWallet: number;
  /** The round proof's end-to-end time (median) / wallets: a round costs the same whatever k. */
  readonly proveMsPerWallet: number;
  /** The single circuit, per wallet (one proof and one attest each): constant in k. */
  readonly singleProveMsPerWallet: number;
  readonly singleAttestGasPerWallet: number;
}

export interface RoundVerifierSize {
  readonly key: ContractKey;
  readonly contract: string;
  readonly slots: number;
  readonly runtimeBytes: number;
  readonly limitBytes: number;
  readonly withinLimit: boolean;
}

export interface RoundResults {
  readonly model: string;
  readonly circuit: string;
  /** Wallet slots of the round circuit (its spec in ts/pipeline/models.ts). */
  readonly size: number;
  readonly logrows: number;
  readonly numRows: number;
  /** Median end-to-end time of a full-round proof (proveRound as the caller sees it) / size. */
  readonly proveMsPerWallet: number;
  /** Receipt gas of a full-round attestRound on a fresh chain / size. */
  readonly gasPerWallet: number;
  /** The single circuit's proof, end to end (median). */
  readonly singleProveMs: number;
  readonly singleProveSource: string;
  /** The single circuit's logrows (its settings). */
  readonly singleLogrows: number;
  /** Receipt gas of `attest` with a single fixture on a fresh chain (median over the fixtures). */
  readonly singleAttestGas: number;
  readonly byWallets: RoundByWallets[];
  readonly verifiers: RoundVerifierSize[];
  readonly proving: {
    readonly backend: "native";
    readonly warmup: boolean;
    /** The uncounted warm-up proof (full run only). */
    readonly firstProofMs?: number;
    /** The worker's one-off key load. */
    readonly loadMs: number;
    /** End to end per proof (proveRound as the caller sees it): the raw list. */
    readonly proofMs: number[];
    readonly witnessMs: number[];
    readonly proveMs: number[];
    readonly verifyMs: number[];
    readonly summary: { total: Summary; witness: Summary; prove: Summary; verify: Summary };
    /** Proof generation alone (median) / size. */
    readonly proveOnlyMsPerWallet: number;
    /** Peak RSS (VmHWM) of the long-lived round worker. */
    readonly workerPeakRssBytes: number;
    readonly pkBytes: number;
    /** 1-minute load average after each proof. */
    readonly loadAverages: number[];
    /** The single circuit's proof generation alone (median), next to its end-to-end time. */
    readonly singleProveOnlyMs: number;
  };
  readonly gas: {
    readonly hardfork: string;
    readonly fullRoundGas: number;
    /** The same round submitted again, nothing posted in between: every wallet already attested (warm storage). */
    readonly reattestGas: number;
    readonly reattestGasPerWallet: number;
    /** Where a full round's gas goes: the verifier call (callTracer), the intrinsic 21,000 + calldata, the registry's rest. */
    readonly fullRoundVerifierCallGas: number;
    readonly fullRoundIntrinsicGas: number;
    readonly fullRoundRegistryGas: number;
    readonly roundCalldataBytes: number;
    readonly roundProofBytes: number;
    readonly roundInstances: number;
    readonly singleAttestGasList: number[];
    readonly singleVerifierCallGas: number;
    readonly singleIntrinsicGas: number;
    readonly singleCalldataBytes: number;
    readonly postCommitmentGas: Summary;
  };
}

interface CallFrame {
  to?: string;
  gasUsed?: string;
  calls?: CallFrame[];
}

function callGasTo(frame: CallFrame, to: Address): number | undefined {
  if (frame.to && frame.to.toLowerCase() === to.toLowerCase() && frame.gasUsed) return Number(BigInt(frame.gasUsed));
  for (const c of frame.calls ?? []) {
    const g = callGasTo(c, to);
    if (g !== undefined) return g;
  }
  return undefined;
}

/** `n` deterministic wallet addresses that look like real ones (few zero bytes), strictly ascending. */
export function benchWallets(n: number): Address[] {
  return Array.from({ length: n }, (_, i) => getAddress(`0x${keccak256(toHex(`zkrisk bench round wallet ${i}`)).slice(-40)}`)).sort((a, b) =>
    BigInt(a) < BigInt(b) ? -1 : 1,
  );
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs: number[]) => summarize(xs).median;

async function roundGas(model: ModelSpec, fixture: RoundFixture, slots: number, opts: { env: NodeJS.ProcessEnv; log: (line: string) => void }) {
  const { log } = opts;
  const chain = getChain(1);
  const anvil = await startAnvil({ chainId: chain.chainId });
  const dir = join(ROOT, ".cache", "bench", `deployments-round-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const { deployment } = await deploy({ chain, rpcUrl: anvil.rpcUrl, deploymentsDir: dir, env: opts.env, log: (l) => log(`deploy: ${l}`) });
    // cacheTime 0: the chain is rewound (evm_revert) between rounds, so no cached block number may be trusted
    const client = createPublicClient({ chain: viemChain(chain, anvil.rpcUrl), transport: http(anvil.rpcUrl), cacheTime: 0 }) as PublicClient;
    const attestor = walletClient(chain, anvil.rpcUrl, roleAccount("attestor", { local: true }));
    const submitter = walletClient(chain, anvil.rpcUrl, demoAccount(0));
    const registry = deployment.contracts.registry.address;
    const roundVerifier = deployment.contracts.creditRoundVerifier.address;
    const singleVerifier = deployment.contracts.creditVerifier.address;
    const modelId = deployment.modelId;
    const receipt = async (hash: Hash) => {
      const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return r;
    };
    const trace = async (hash: Hash, to: Address) => {
      const t = (await client.request({ method: "debug_traceTransaction", params: [hash, { tracer: "callTracer" }] } as never)) as CallFrame;
      const g = callGasTo(t, to);
      if (g === undefined) throw new Error(`no call into ${to} in the trace of ${hash}`);
      return g;
    };

    // A fresh chain for every measured transaction: back to the snapshot taken after the deployment.
    let snapshot = (await client.request({ method: "evm_snapshot" } as never)) as Hex;
    const fresh = async () => {
      const ok = (await client.request({ method: "evm_revert", params: [snapshot] } as never)) as boolean;
      if (!ok) throw new Error(`anvil could not revert to snapshot ${snapshot}`);
      snapshot = (await client.request({ method: "evm_snapshot" } as never)) as Hex;
    };

    const wallets = benchWallets(slots);
    const postGas: number[] = [];
    const post = async (wallet: Address, commitment: string) => {
      const r = await receipt(await attestor.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "postCommitment", args: [wallet, BigInt(commitment)] }));
      postGas.push(Number(r.gasUsed));
    };
    const instances = fixture.instances.map((x) => BigInt(x));
    /** Submit the fixture's round with the first k slots real; returns the receipt's gas and the tx hash. */
    const attestRound = async (k: number) => {
      const args = [modelId, [...wallets.slice(0, k), ...Array<Address>(slots - k).fill(zeroAddress)], fixture.proof, instances] as const;
      await client.simulateContract({ address: registry, abi: attestationRegistryAbi, functionName: "attestRound", args, account: submitter.account });
      const hash = await submitter.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "attestRound", args });
      const r = await receipt(hash);
      const id = await client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "roundCount" });
      const round = await client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "roundOf", args: [id] });
      return { gas: Number(r.gasUsed), hash, attested: Number(round.attested) };
    };

    const byWalletsGas = new Map<number, number>();
    // The full round first, on the fresh chain as deployed; then the same round again (nothing new posted).
    for (const [i, w] of wallets.entries()) await post(w, fixture.wallets[i]!.inputCommitment);
    const full = await attestRound(slots);
    if (full.attested !== slots) throw new Error(`the full round attested ${full.attested} of ${slots} wallets`);
    byWalletsGas.set(slots, full.gas);
    const tx = await client.getTransaction({ hash: full.hash });
    const verifierCallGas = await trace(full.hash, roundVerifier);
    const fullIntrinsic = intrinsicGas(tx.input);
    log(`full round (${slots} wallets): attestRound ${full.gas} gas (${(full.gas / slots).toFixed(0)} per wallet), verifier call ${verifierCallGas}, calldata ${size(tx.input)} bytes`);
    const again = await attestRound(slots);
    if (again.attested !== slots) throw new Error(`the repeated full round attested ${again.attested} of ${slots} wallets`);
    log(`same round again, every wallet already attested: ${again.gas} gas (${(again.gas / slots).toFixed(0)} per wallet)`);

    for (const k of ROUND_WALLETS) {
      if (k >= slots) continue;
      await fresh();
      for (let i = 0; i < k; i++) await post(wallets[i]!, fixture.wallets[i]!.inputCommitment);
      const r = await attestRound(k);
      if (r.attested !== k) throw new Error(`a round with ${k} real wallets attested ${r.attested}`);
      byWalletsGas.set(k, r.gas);
      log(`round with ${k} real wallet(s), ${slots - k} padding: ${r.gas} gas (${(r.gas / k).toFixed(0)} per wallet)`);
    }

    // The single circuit: each committed single fixture attested on the fresh chain.
    const singles: number[] = [];
    let singleVerifierCallGas = 0;
    let singleCalldataBytes = 0;
    let singleIntrinsicGas = 0;
    for (const f of readFixtures(model)) {
      await fresh();
      await post(wallets[0]!, f.instances[0]!);
      const args = [wallets[0]!, modelId, f.proof, f.instances.map((x) => BigInt(x))] as const;
      await client.simulateContract({ address: registry, abi: attestationRegistryAbi, functionName: "attest", args, account: submitter.account });
      const hash = await submitter.writeContract({ address: registry, abi: attestationRegistryAbi, functionName: "attest", args });
      const r = await receipt(hash);
      singles.push(Number(r.gasUsed));
      if (!singleVerifierCallGas) {
        singleVerifierCallGas = await trace(hash, singleVerifier);
        const input = (await client.getTransaction({ hash })).input;
        singleCalldataBytes = size(input);
        singleIntrinsicGas = intrinsicGas(input);
      }
    }
    log(`single attest (${singles.length} fixtures, each on the fresh chain): median ${median(singles).toFixed(0)} gas`);

    const nodeInfo = (await client.request({ method: "anvil_nodeInfo" } as never).catch(() => ({}))) as { hardFork?: string };
    const verifiers: RoundVerifierSize[] = (["creditVerifier", "creditRoundVerifier"] as const).map((key) => {
      const c = deployment.contracts[key];
      const circuit = model.circuits.find((x) => x.verifierContract === c.contract);
      return { key, contract: c.contract, slots: circuit?.slots ?? 0, runtimeBytes: c.codeSize, limitBytes: MAX_CODE_SIZE, withinLimit: c.codeSize <= MAX_CODE_SIZE };
    });
    return {
      byWalletsGas,
      verifiers,
      singles,
      gas: {
        hardfork: nodeInfo.hardFork ?? "unknown",
        fullRoundGas: full.gas,
        reattestGas: again.gas,
        reattestGasPerWallet: again.gas / slots,
        fullRoundVerifierCallGas: verifierCallGas,
        fullRoundIntrinsicGas: fullIntrinsic,
        fullRoundRegistryGas: full.gas - verifierCallGas - fullIntrinsic,
        roundCalldataBytes: size(tx.input),
        roundProofBytes: size(fixture.proof),
        roundInstances: fixture.instances.length,
        singleAttestGasList: singles,
        singleVerifierCallGas,
        singleIntrinsicGas,
        singleCalldataBytes,
        postCommitmentGas: summarize(postGas),
      },
    };
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ProofRow {
  totalMs: number;
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
}

/** `proofs` proofs (after one uncounted warm-up when asked) with a long-lived native prover of `circuit`. */
async function proveWith(
  model: ModelSpec,
  circuit: string,
  plan: { proofs: number; warmup: boolean },
  proveOne: (prover: Awaited<ReturnType<typeof openProver>>, i: number) => Promise<{ totalMs: number; timings: { witnessMs: number; proveMs: number; verifyMs: number } }>,
  log: (line: string) => void,
) {
  const prover = await openProver(model, { circuit, backend: "native", onProgress: () => undefined, reporter: silent });
  try {
    const worker = findDescendant("prover_worker.py");
    const rows: ProofRow[] = [];
    const loads: number[] = [];
    let firstProofMs: number | undefined;
    for (let i = plan.warmup ? -1 : 0; i < plan.proofs; i++) {
      const { totalMs, timings } = await proveOne(prover, i);
      loads.push(loadavg()[0]!);
      if (i < 0) {
        firstProofMs = totalMs;
        log(`${circuit}: warm-up proof ${secs(totalMs)} (not counted)`);
      } else {
        rows.push({ totalMs, ...timings });
        log(`${circuit}: proof ${i + 1}/${plan.proofs}: ${secs(totalMs)} end to end (prove ${secs(timings.proveMs)}), load ${loadavg()[0]!.toFixed(2)}`);
      }
    }
    const peak = worker !== undefined ? procStatusBytes(worker, "VmHWM") : undefined;
    if (peak === undefined) throw new Error(`could not read the ${circuit} prover worker's peak RSS (VmHWM)`);
    return { rows, loads, firstProofMs, peak, loadMs: prover.loadMs };
  } finally {
    await prover.close();
  }
}

export async function benchRound(plan: RoundPlan): Promise<RoundResults> {
  const { model, log } = plan;
  const circuit = getCircuit(model, "round");
  const size = circuit.slots;
  const paths = circuitPaths(model, circuit);
  const fixture = readRoundFixture(model, "round-full");
  if (fixture.wallets.length !== size || fixture.wallets.some((w) => w.padding)) {
    throw new Error(`round-full.json should hold ${size} real wallets, it holds ${fixture.wallets.filter((w) => !w.padding).length} of ${fixture.wallets.length} slots`);
  }
  const settings = readSettings(paths);
  const { num_rows: numRows } = JSON.parse(readFileSync(paths.settings, "utf8")) as { num_rows: number };

  // On-chain first: it is quick and fails fast.
  const chain = await roundGas(model, fixture, size, plan);

  // The round circuit: the fixture's 96 wallets, each proof checked slot by slot against the fixture.
  const inputs: WalletInput[] = fixture.wallets.map((w) => ({ features: w.features, salt: w.salt }));
  log(`proving ${size}-wallet rounds (logrows ${settings.logrows}): ${plan.warmup ? "1 warm-up + " : ""}${plan.proofs} proof(s), about a minute each on 2 cores`);
  const round = await proveWith(
    model,
    circuit.name,
    plan,
    async (prover) => {
      const started = performance.now();
      const p = await prover.proveRound(inputs);
      const totalMs = performance.now() - started;
      for (const [i, w] of fixture.wallets.entries()) {
        const s = p.slots[i]!;
        if (BigInt(s.inputCommitment) !== BigInt(w.inputCommitment) || s.tier !== w.tier) {
          throw new Error(`round proof slot ${i} (${w.name}): commitment ${s.inputCommitment}, tier ${s.tier}; the fixture says ${w.inputCommitment}, tier ${w.tier}`);
        }
      }
      return { totalMs, timings: p.timings };
    },
    log,
  );
  const total = summarize(round.rows.map((r) => r.totalMs));
  const pick = (k: keyof ProofRow) => round.rows.map((r) => r[k]);

  // The single circuit: from the proving section, or measured here.
  let single = plan.single;
  if (!single) {
    const fixtures = readFixtures(model);
    const s = await proveWith(
      model,
      "single",
      plan,
      async (prover, i) => {
        const f = fixtures[(i + fixtures.length) % fixtures.length]!;
        const started = performance.now();
        const p = await prover.prove(f.features, f.salt);
        const totalMs = performance.now() - started;
        if (p.tier !== f.tier) throw new Error(`single proof of ${f.name}: tier ${p.tier}, the fixture says ${f.tier}`);
        return { totalMs, timings: p.timings };
      },
      log,
    );
    single = {
      ms: median(s.rows.map((r) => r.totalMs)),
      proveMs: median(s.rows.map((r) => r.proveMs)),
      n: s.rows.length,
      source: `measured in this section: native long-lived prover, ${plan.warmup ? "after a warm-up proof, " : ""}median of ${s.rows.length}`,
    };
  }

  const singleAttestGas = median(chain.singles);
  const byWallets: RoundByWallets[] = ROUND_WALLETS.filter((k) => k <= size).map((k) => {
    const roundGas = chain.byWalletsGas.get(k)!;
    return {
      wallets: k,
      roundGas,
      gasPerWallet: roundGas / k,
      proveMsPerWallet: total.median / k,
      singleProveMsPerWallet: single.ms,
      singleAttestGasPerWallet: singleAttestGas,
    };
  });
  return {
    model: model.name,
    circuit: circuit.name,
    size,
    logrows: settings.logrows,
    numRows,
    proveMsPerWallet: total.median / size,
    gasPerWallet: chain.gas.fullRoundGas / size,
    singleProveMs: single.ms,
    singleProveSource: single.source,
    singleLogrows: readSettings(circuitPaths(model, getCircuit(model, "single"))).logrows,
    singleAttestGas,
    byWallets,
    verifiers: chain.verifiers,
    proving: {
      backend: "native",
      warmup: plan.warmup,
      ...(round.firstProofMs !== undefined ? { firstProofMs: round.firstProofMs } : {}),
      loadMs: round.loadMs,
      proofMs: pick("totalMs"),
      witnessMs: pick("witnessMs"),
      proveMs: pick("proveMs"),
      verifyMs: pick("verifyMs"),
      summary: { total, witness: summarize(pick("witnessMs")), prove: summarize(pick("proveMs")), verify: summarize(pick("verifyMs")) },
      proveOnlyMsPerWallet: median(pick("proveMs")) / size,
      workerPeakRssBytes: round.peak,
      pkBytes: statSync(paths.pk).size,
      loadAverages: round.loads,
      singleProveOnlyMs: single.proveMs,
    },
    gas: chain.gas,
  };
}
