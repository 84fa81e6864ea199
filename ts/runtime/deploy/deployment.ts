// deployments/<chainId>.json: what is deployed where on one chain, and the check that it is
// still there (code equal to the current build, immutables masked; wiring read back).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { getAddress, isAddressEqual, type Address, type Hex, type PublicClient } from "viem";
import { ROOT } from "../../toolchain/paths.js";
import { attestationRegistryAbi, chainlinkOracleAdapterAbi, zkRiskLendingAbi } from "../../generated/abi.generated.js";
import { deployedCodeHash, expectedCodeHash, type ContractName } from "./artifacts.js";

export const DEFAULT_DEPLOYMENTS_DIR = join(ROOT, "deployments");

/** EIP-170: the largest runtime code Ethereum, Polygon and Arbitrum accept. */
export const MAX_CODE_SIZE = 24_576;

/** The deployment's contracts, in deployment order. */
export const CONTRACT_KEYS = ["loanToken", "collateralToken", "priceFeed", "creditVerifier", "creditRoundVerifier", "registry", "oracle", "lending", "batchLiquidator"] as const;
export type ContractKey = (typeof CONTRACT_KEYS)[number];

/** The credit model's circuits: the deployment key of each verifier and its wallet slots (circuits/credit/manifest.json). */
export const CIRCUIT_SLOTS: Readonly<Partial<Record<ContractKey, number>>> = circuitSlots();

function circuitSlots(): Partial<Record<ContractKey, number>> {
  const file = join(ROOT, "circuits", "credit", "manifest.json");
  const keyOf: Record<string, ContractKey> = { CreditVerifier: "creditVerifier", CreditRoundVerifier: "creditRoundVerifier" };
  if (!existsSync(file)) return { creditVerifier: 1 };
  const { circuits } = JSON.parse(readFileSync(file, "utf8")) as { circuits?: { verifierContract: string; slots: number }[] };
  return Object.fromEntries((circuits ?? []).flatMap((c) => (keyOf[c.verifierContract] ? [[keyOf[c.verifierContract]!, c.slots]] : [])));
}

/** Which zkrisk contract sits behind each key (null for external contracts: real tokens and feeds). */
export function contractNames(mocks: boolean): Readonly<Record<ContractKey, ContractName | null>> {
  return {
    loanToken: mocks ? "MockERC20" : null,
    collateralToken: mocks ? "MockERC20" : null,
    priceFeed: mocks ? "MockAggregator" : null,
    creditVerifier: "CreditVerifier",
    creditRoundVerifier: "CreditRoundVerifier",
    registry: "AttestationRegistry",
    oracle: "ChainlinkOracleAdapter",
    lending: "ZkRiskLending",
    batchLiquidator: "BatchLiquidator",
  };
}

export interface ContractRecord {
  readonly address: Address;
  /** The zkrisk contract deployed there, or "external" (a real token or feed named by the config). */
  readonly contract: ContractName | "external";
  /** keccak256 of the expected runtime code with immutables zeroed; null for external contracts. */
  readonly codeHash: Hex | null;
  /** Runtime code size in bytes, as deployed. */
  readonly codeSize: number;
}

export interface Deployment {
  readonly chainId: number;
  readonly chain: string;
  /** The config used: "local" (mocks) or the network's name. */
  readonly config: string;
  /** Hash of the config file, the credit model and the role inputs: a change means redeploy. */
  readonly configHash: Hex;
  readonly mocks: boolean;
  /** The credit model's id (parameter commitment), registered in the registry. */
  readonly modelId: Hex;
  /** Block of the first deployment transaction: where indexers start. */
  readonly deployBlock: number;
  readonly gitCommit: string;
  readonly deployedAt: string;
  readonly roles: {
    readonly deployer: Address;
    readonly owner: Address;
    readonly attestor: Address;
    readonly keeper: Address;
    readonly riskManager: Address;
    readonly pauser: Address;
  };
  readonly contracts: Readonly<Record<ContractKey, ContractRecord>>;
}

const shown = (dir: string): string => {
  const rel = relative(ROOT, dir);
  return rel && !rel.startsWith("..") ? `${rel}/` : `${dir}/`;
};

export function deploymentPath(chainId: number, dir: string = DEFAULT_DEPLOYMENTS_DIR): string {
  return join(dir, `${chainId}.json`);
}

/** The deployment recorded for `chainId`, or undefined. */
export function readDeployment(chainId: number, dir: string = DEFAULT_DEPLOYMENTS_DIR): Deployment | undefined {
  const file = deploymentPath(chainId, dir);
  if (!existsSync(file)) return undefined;
  const d = JSON.parse(readFileSync(file, "utf8")) as Deployment;
  if (d.chainId !== chainId) throw new Error(`${file} describes chain ${d.chainId}, not ${chainId}`);
  return d;
}

/** The deployment recorded for `chainId`; a precise error when there is none. */
export function loadDeployment(chainId: number, dir: string = DEFAULT_DEPLOYMENTS_DIR): Deployment {
  const d = readDeployment(chainId, dir);
  if (!d) throw new Error(`no deployment for chain ${chainId} in ${shown(dir)}: run \`npm run zkrisk -- deploy\` first`);
  return d;
}

/** Write atomically (temp file + rename), so a reader never sees half a file. */
export function writeDeployment(d: Deployment, dir: string = DEFAULT_DEPLOYMENTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = deploymentPath(d.chainId, dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(d, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

/**
 * Why `d` is not live on the chain behind `client`, or undefined when it is: every zkrisk
 * contract holds the runtime code of the current build (immutables masked) and within the
 * EIP-170 limit, external contracts hold code, and the wiring reads back as recorded.
 */
export async function checkDeployment(client: PublicClient, d: Deployment, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const key of CONTRACT_KEYS) {
    const rec = d.contracts[key];
    const code = await client.getCode({ address: rec.address });
    if (!code || code === "0x") return `no code at ${key} ${rec.address} (chain reset?)`;
    if (rec.contract === "external") continue;
    const size = (code.length - 2) / 2;
    if (size > MAX_CODE_SIZE) return `${rec.contract} at ${rec.address} is ${size} bytes, over the ${MAX_CODE_SIZE}-byte limit`;
    const onChain = deployedCodeHash(rec.contract, code, env);
    if (onChain !== rec.codeHash) return `${key} ${rec.address} holds other code than recorded`;
    if (onChain !== expectedCodeHash(rec.contract, env)) return `${rec.contract} changed since it was deployed (the build's code differs)`;
  }
  return checkWiring(client, d);
}

/** The immutables and registry entries read back equal the recorded addresses and model. */
async function checkWiring(client: PublicClient, d: Deployment): Promise<string | undefined> {
  const c = d.contracts;
  const lending = { address: c.lending.address, abi: zkRiskLendingAbi } as const;
  const reads: [string, Promise<Address>, Address][] = [
    ["lending.LOAN_TOKEN", client.readContract({ ...lending, functionName: "LOAN_TOKEN" }), c.loanToken.address],
    ["lending.COLLATERAL_TOKEN", client.readContract({ ...lending, functionName: "COLLATERAL_TOKEN" }), c.collateralToken.address],
    ["lending.ORACLE", client.readContract({ ...lending, functionName: "ORACLE" }), c.oracle.address],
    ["lending.CREDIT_ORACLE", client.readContract({ ...lending, functionName: "CREDIT_ORACLE" }), c.registry.address],
    ["oracle.FEED", client.readContract({ address: c.oracle.address, abi: chainlinkOracleAdapterAbi, functionName: "FEED" }), c.priceFeed.address],
  ];
  for (const [what, read, expected] of reads) {
    const actual = await read;
    if (!isAddressEqual(actual, expected)) return `${what} is ${actual}, expected ${expected}`;
  }
  const model = await client.readContract({
    address: c.registry.address,
    abi: attestationRegistryAbi,
    functionName: "model",
    args: [d.modelId],
  });
  if (!model.registered || !model.active) return `model ${d.modelId} is not registered and active in the registry`;
  for (const [key, slots] of Object.entries(CIRCUIT_SLOTS) as [ContractKey, number][]) {
    const verifier = await client.readContract({ address: c.registry.address, abi: attestationRegistryAbi, functionName: "verifierOf", args: [d.modelId, slots] });
    if (!isAddressEqual(verifier, c[key].address)) return `model ${d.modelId}'s ${slots}-slot circuit is registered with verifier ${verifier}, not ${c[key].address}`;
  }
  return undefined;
}

/** A contract record from what is deployed at `address` (code hash of the current build). */
export function contractRecord(name: ContractName | null, address: string, code: Hex, env: NodeJS.ProcessEnv = process.env): ContractRecord {
  return {
    address: getAddress(address),
    contract: name ?? "external",
    codeHash: name ? expectedCodeHash(name, env) : null,
    codeSize: (code.length - 2) / 2,
  };
}
