// Deploy zkrisk onto one chain (or all three) with script/Deploy.s.sol through the real forge
// binary, then record deployments/<chainId>.json and check the code on-chain. Re-running is
// safe: a recorded deployment that is still live and up to date is reused (no transaction).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { getAddress, isAddress, keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { formatDuration } from "../../toolchain/progress.js";
import { foundryBinary, requireArtifact, ROOT } from "../../toolchain/paths.js";
import { forgeBuild } from "./artifacts.js";
import { KEY_ENV, nodeKind, publicClient, roleKey, walletClient } from "../chains/accounts.js";
import { withProtocols } from "../protocols/deploy.js";
import { chainLabel, getChain, type ChainInfo } from "../chains/chains.js";
import { hostOf } from "../chains/errors.js";
import {
  checkDeployment,
  CIRCUIT_SLOTS,
  contractNames,
  contractRecord,
  CONTRACT_KEYS,
  DEFAULT_DEPLOYMENTS_DIR,
  deploymentPath,
  readDeployment,
  writeDeployment,
  type ContractKey,
  type ContractRecord,
  type Deployment,
} from "./deployment.js";

export const DEPLOY_SCRIPT = "script/Deploy.s.sol:Deploy";
export const CONFIG_DIR = join(ROOT, "script", "config");
export const MANIFEST = join(ROOT, "circuits", "credit", "manifest.json");

export interface DeployTarget {
  readonly chain: ChainInfo | number;
  readonly rpcUrl: string;
}

export interface DeployOptions extends DeployTarget {
  /** Where deployments/<chainId>.json goes; default deployments/. */
  readonly deploymentsDir?: string;
  /** Chain config (under script/config/); default local.json on a non-forked anvil, else <chainId>.json. */
  readonly config?: string;
  /** Replace a deployment that is live on a real network but out of date (the old one stays on-chain). */
  readonly force?: boolean;
  /** Progress lines; default stderr. */
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Run `forge build` first (default true); false when the caller just built. */
  readonly build?: boolean;
  /**
   * Deploy Aave v3 and Morpho Blue beside zkrisk on a local chain (mocks), or reuse them when
   * recorded and live (default true). Tests that do not need them pass false. A network config
   * always has its pinned protocol addresses copied into the record.
   */
  readonly protocols?: boolean;
}

export interface DeployResult {
  readonly deployment: Deployment;
  /** True when the recorded deployment was live and up to date: nothing was sent. */
  readonly reused: boolean;
  /** The deployments file. */
  readonly path: string;
  /** Transactions sent (0 when reused). */
  readonly transactions: number;
  readonly seconds: number;
}

interface Manifest {
  readonly modelId: Hex;
  readonly tierCount: number;
  readonly outputScale: number;
}

/** What Deploy.s.sol writes (ZKRISK_DEPLOY_OUT). */
/** What the forge script writes: every contract address and every role, flat. */
interface ScriptResult extends Omit<Record<ContractKey, Address>, "creditRoundVerifier">, Readonly<Deployment["roles"]> {
  /** Each registered circuit's verifier, by its wallet slots ("1": the single-wallet circuit). */
  readonly verifiers: Readonly<Record<string, Address>>;
  readonly chainId: number;
  readonly config: string;
  readonly mocks: boolean;
  readonly modelId: Hex;
  readonly startBlock: number;
}

/** A path relative to the repository when inside it, else absolute. */
const rel = (p: string): string => {
  const r = relative(ROOT, p);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : p;
};
const defaultLog = (line: string): void => void process.stderr.write(`${line}\n`);

function gitCommit(): string {
  try {
    return execFileSync("git", ["describe", "--always", "--dirty", "--abbrev=40"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** Deploy (or reuse) zkrisk on one chain. */
export async function deploy(opts: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const chain = typeof opts.chain === "number" ? getChain(opts.chain) : opts.chain;
  const label = chainLabel(chain);
  const log = opts.log ?? defaultLog;
  const env = opts.env ?? process.env;
  const dir = opts.deploymentsDir ?? DEFAULT_DEPLOYMENTS_DIR;
  const client = publicClient(chain, opts.rpcUrl) as PublicClient;

  const actual = await client.getChainId().catch((e: Error) => {
    throw new Error(`cannot reach the RPC of ${label} at ${hostOf(opts.rpcUrl)}: ${e.message.split("\n")[0]}`);
  });
  if (actual !== chain.chainId) throw new Error(`the RPC at ${hostOf(opts.rpcUrl)} serves chain ${actual}, not ${label}`);
  const kind = await nodeKind(client);

  const configPath = opts.config ?? (await chooseConfig(client, chain, kind));
  if (!existsSync(configPath)) throw new Error(`no deploy config for ${label}: ${rel(configPath)} is missing`);
  if (relative(CONFIG_DIR, resolve(configPath)).startsWith("..")) {
    throw new Error(`${configPath}: deploy configs must live in script/config/ (forge may only read there)`);
  }
  const configText = readFileSync(configPath, "utf8");
  const manifest = JSON.parse(readFileSync(requireArtifact(MANIFEST, "npm run pipeline -- --model credit"), "utf8")) as Manifest;

  // Keys: env, or anvil's dev keys on any anvil (its dev accounts are funded there, forked or not).
  const keys = { local: kind.anvil, env };
  const deployerKey = roleKey("deployer", keys);
  const deployer = privateKeyToAccount(deployerKey).address;
  const roles = roleAddresses(configPath, configText, keys);
  const configHash = keccak256(
    toHex(JSON.stringify({ configText, modelId: manifest.modelId, tierCount: manifest.tierCount, outputScale: manifest.outputScale, deployer, roles })),
  );

  if (opts.build !== false) await forgeBuild(env); // code hashes below compare against the current sources
  const existing = readDeployment(chain.chainId, dir);
  if (existing) {
    const file = rel(deploymentPath(chain.chainId, dir));
    if (!existing.mocks && kind.anvil && !kind.forked) {
      throw new Error(`${file} records a real-network deployment (${existing.config}); deploy local anvils into another folder (--deployments <dir>)`);
    }
    const problem =
      existing.modelId !== manifest.modelId
        ? `the credit model changed (${existing.modelId} -> ${manifest.modelId})`
        : existing.configHash !== configHash
          ? `the config or role addresses changed (${rel(configPath)})`
          : await checkDeployment(client, existing, env);
    if (!problem) {
      log(`${label}: ${file} is live and up to date (deployed at block ${existing.deployBlock}); reusing it`);
      const signer = { wallet: walletClient(chain, opts.rpcUrl, privateKeyToAccount(deployerKey)), client };
      const p = await withProtocols(existing, { signer, configPath, deploy: opts.protocols !== false, log: (line) => log(`${label}: ${line}`) });
      const path = p.changed ? writeDeployment(p.deployment, dir) : deploymentPath(chain.chainId, dir);
      return { deployment: p.deployment, reused: p.transactions === 0, path, transactions: p.transactions, seconds: (performance.now() - started) / 1000 };
    }
    const live = (await client.getCode({ address: existing.contracts.lending.address })) !== undefined;
    if (live && !kind.anvil && !opts.force) {
      throw new Error(`${file} is live on ${label} but out of date (${problem}); pass --force to deploy a new instance (the old one stays on-chain)`);
    }
    log(`${label}: redeploying: ${problem}`);
  }

  const broadcastDir = join(dir, "broadcast");
  const outFile = join(ROOT, ".cache", "deploy", `${chain.chainId}-${process.pid}-${Date.now()}.json`);
  mkdirSync(join(ROOT, ".cache", "deploy"), { recursive: true });
  const fromBlock = await client.getBlockNumber();
  const scriptEnv: NodeJS.ProcessEnv = { ...env, FOUNDRY_BROADCAST: broadcastDir };
  for (const name of Object.values(KEY_ENV)) delete scriptEnv[name];
  Object.assign(scriptEnv, {
    ZKRISK_DEPLOYER_KEY: deployerKey,
    ZKRISK_DEPLOY_CONFIG: rel(configPath),
    ZKRISK_DEPLOY_OUT: rel(outFile),
    ZKRISK_MANIFEST: rel(MANIFEST),
  });
  for (const role of ["owner", "attestor", "keeper"] as const) {
    if (roles[role]) scriptEnv[ROLE_ADDRESS_ENV[role]] = roles[role];
  }
  // --slow: one transaction at a time, each after the previous one's receipt. Sent all at once,
  // an anvil under load was seen to lose part of the batch (a nonce gap forge then waits on forever).
  const args = ["script", DEPLOY_SCRIPT, "--rpc-url", opts.rpcUrl, "--broadcast", "--slow"];
  log(`${label}: deploying with ${rel(configPath)} from ${deployer}`);
  let result: ScriptResult;
  try {
    await runForge(args, scriptEnv, deployerKey, (line) => log(`[${chain.name}] ${line}`), (msg) => explainScriptError(msg, configPath, label));
    result = JSON.parse(readFileSync(outFile, "utf8")) as ScriptResult;
  } finally {
    rmSync(outFile, { force: true }); // forge writes it while simulating, even when the broadcast then fails
  }
  if (result.chainId !== chain.chainId) throw new Error(`forge deployed onto chain ${result.chainId}, not ${label}`);

  const receipts = readReceipts(broadcastDir, chain.chainId);
  const names = contractNames(result.mocks);
  const contracts = {} as Record<ContractKey, ContractRecord>;
  const addressOf = (key: ContractKey): Address => {
    const slots = CIRCUIT_SLOTS[key];
    const a = key === "creditRoundVerifier" ? (slots === undefined ? undefined : result.verifiers?.[String(slots)]) : result[key];
    if (!a) throw new Error(`the deploy script reported no ${key}${slots ? ` (${slots}-slot circuit)` : ""}: is circuits/credit/manifest.json from \`npm run pipeline -- --model credit\`?`);
    return a;
  };
  for (const key of CONTRACT_KEYS) {
    const address = addressOf(key);
    const code = await client.getCode({ address });
    if (!code || code === "0x") throw new Error(`forge reported success but ${label} has no code at ${key} ${address}`);
    contracts[key] = contractRecord(names[key], address, code, env);
  }
  const deployed: Deployment = {
    chainId: chain.chainId,
    chain: chain.name,
    config: result.config,
    configHash,
    mocks: result.mocks,
    modelId: result.modelId,
    deployBlock: receipts.firstBlock ?? Number(fromBlock) + 1,
    gitCommit: gitCommit(),
    deployedAt: new Date().toISOString(),
    roles: {
      deployer: result.deployer,
      owner: result.owner,
      attestor: result.attestor,
      keeper: result.keeper,
      riskManager: result.riskManager,
      pauser: result.pauser,
    },
    contracts,
  };
  const problem = await checkDeployment(client, deployed, env);
  if (problem) throw new Error(`${label}: the deployment does not check out: ${problem}`);
  const signer = { wallet: walletClient(chain, opts.rpcUrl, privateKeyToAccount(deployerKey)), client };
  const withP = await withProtocols(deployed, { signer, configPath, deploy: opts.protocols !== false, log: (line) => log(`${label}: ${line}`) });
  const deployment = withP.deployment;
  const path = writeDeployment(deployment, dir);
  const seconds = (performance.now() - started) / 1000;
  log(
    `${label}: deployed ${CONTRACT_KEYS.length} contracts in ${receipts.count} transactions from block ${deployment.deployBlock} ` +
      `in ${formatDuration(seconds * 1000)}; lending ${contracts.lending.address}, registry ${contracts.registry.address} -> ${rel(path)}`,
  );
  return { deployment, reused: false, path, transactions: receipts.count + withP.transactions, seconds };
}

/** Deploy (or reuse) on several chains, one after the other (forge shares one build cache). */
export async function deployAll(targets: readonly DeployTarget[], opts: Omit<DeployOptions, keyof DeployTarget> = {}): Promise<DeployResult[]> {
  if (opts.build !== false) await forgeBuild(opts.env);
  const results: DeployResult[] = [];
  for (const t of targets) results.push(await deploy({ ...opts, ...t, build: false }));
  return results;
}

/**
 * local.json (mocks) on a plain anvil; the network's <chainId>.json on a real node. A forked
 * anvil plays the network when the network's loan token exists there, else it is a fork of a
 * local chain and gets local.json too.
 */
async function chooseConfig(client: PublicClient, chain: ChainInfo, kind: { anvil: boolean; forked: boolean }): Promise<string> {
  const local = join(CONFIG_DIR, "local.json");
  const network = join(CONFIG_DIR, `${chain.chainId}.json`);
  if (!kind.anvil) return network;
  if (!kind.forked || !existsSync(network)) return local;
  const token = (JSON.parse(readFileSync(network, "utf8")) as { loanToken?: { address?: string } }).loanToken?.address;
  return token && isAddress(token) && (await client.getCode({ address: token })) ? network : local;
}

/** Address environment variables the script reads when the config's roles.* is empty. */
const ROLE_ADDRESS_ENV = { owner: "ZKRISK_OWNER", attestor: "ZKRISK_ATTESTOR", keeper: "ZKRISK_KEEPER" } as const;

/**
 * The role addresses to hand to the script: the attestor and keeper from their keys (env, or
 * anvil dev keys), else from ZKRISK_ATTESTOR / ZKRISK_KEEPER; the owner from ZKRISK_OWNER
 * (else the script uses the deployer). A real network needs an attestor from one of these or
 * from the config's roles.attestor.
 */
function roleAddresses(configPath: string, configText: string, keys: { local: boolean; env: NodeJS.ProcessEnv }) {
  const fromEnv = (name: string): Address | undefined => {
    const raw = keys.env[name]?.trim();
    if (!raw) return undefined;
    if (!isAddress(raw)) throw new Error(`${name} is not an address`);
    return getAddress(raw);
  };
  const fromKey = (role: "attestor" | "keeper"): Address | undefined =>
    keys.env[KEY_ENV[role]]?.trim() || keys.local ? privateKeyToAccount(roleKey(role, keys)).address : undefined;
  const attestor = fromKey("attestor") ?? fromEnv(ROLE_ADDRESS_ENV.attestor);
  const config = JSON.parse(configText) as { roles?: Record<string, string> };
  if (!attestor && !config.roles?.attestor) {
    throw new Error(`${KEY_ENV.attestor} is not set and ${rel(configPath)} has no roles.attestor: set one of them`);
  }
  return { owner: fromEnv(ROLE_ADDRESS_ENV.owner), attestor, keeper: fromKey("keeper") ?? fromEnv(ROLE_ADDRESS_ENV.keeper) };
}

/** The broadcast log's receipts: how many transactions were sent, and the first block. */
function readReceipts(broadcastDir: string, chainId: number): { count: number; firstBlock: number | undefined } {
  const file = join(broadcastDir, "Deploy.s.sol", String(chainId), "run-latest.json");
  if (!existsSync(file)) return { count: 0, firstBlock: undefined };
  const { receipts } = JSON.parse(readFileSync(file, "utf8")) as { receipts?: { blockNumber: string }[] };
  const blocks = (receipts ?? []).map((r) => Number(BigInt(r.blockNumber)));
  return { count: blocks.length, firstBlock: blocks.length ? Math.min(...blocks) : undefined };
}

/** forge's lines worth showing as progress (the rest is decoration or the return struct). */
const PROGRESS = /^(Compiling|Compiler run|Solc|No files changed|Script ran successfully|Estimated total gas|Estimated amount required|ONCHAIN EXECUTION COMPLETE|Transactions saved|Warning|Error)/;

/** Run forge; forward progress lines (key redacted); reject with the explained "Error:" line on failure. */
function runForge(args: string[], env: NodeJS.ProcessEnv, secret: string, onLine: (line: string) => void, explain: (msg: string) => string): Promise<void> {
  const redact = (s: string): string => s.split(secret).join("<redacted>").split(secret.slice(2)).join("<redacted>");
  return new Promise((resolve, reject) => {
    const child = spawn(foundryBinary("forge"), args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let error: string | undefined;
    let tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (raw) => {
        const line = redact(raw).trim();
        if (!line) return;
        tail = [...tail.slice(-19), line];
        if (line.startsWith("Error:")) error = line.slice("Error:".length).trim();
        if (PROGRESS.test(line)) onLine(line);
      });
    }
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) return resolve();
      reject(new Error(explain(error ?? tail[tail.length - 1] ?? `forge exited with ${code}`)));
    });
  });
}

/** Turn the script's custom errors into a sentence naming the config file and field. */
function explainScriptError(msg: string, configPath: string, label: string): string {
  const file = rel(configPath);
  const m = /script failed: (\w+)\((.*)\)$/.exec(msg);
  if (!m) return `forge script failed on ${label}: ${msg}`;
  const args = [...m[2]!.matchAll(/"([^"]*)"|([^,\s]+)/g)].map((x) => x[1] ?? x[2]!);
  switch (m[1]) {
    case "MissingConfig":
      return `${file}: ${args[0]} is empty: fill it in before deploying to ${label}`;
    case "NoCode":
      return `${file}: ${args[0]} = ${args[1]} has no code on ${label}`;
    case "DecimalsMismatch":
      return `${file}: ${args[0]} is ${args[1]} but the contract on ${label} reports ${args[2]}`;
    case "InvalidConfig":
      return `${file}: ${args[0]} ${args[1]}`;
    default:
      return `forge script failed on ${label}: ${msg}`;
  }
}
