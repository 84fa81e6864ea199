// forge's build artifacts (out/<Source>.sol/<Contract>.json, or $FOUNDRY_OUT): ABIs for
// gen-abi, and the expected runtime code of each deployed contract with its immutables masked.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { keccak256, type Abi, type Hex } from "viem";
import { foundryBinary, ROOT } from "../../toolchain/paths.js";

/** The contracts zkrisk deploys or talks to, and their source file basenames. */
export const SOURCES = {
  ZkRiskLending: "ZkRiskLending.sol",
  AttestationRegistry: "AttestationRegistry.sol",
  ChainlinkOracleAdapter: "ChainlinkOracleAdapter.sol",
  MockERC20: "MockERC20.sol",
  MockAggregator: "MockAggregator.sol",
  CreditVerifier: "CreditVerifier.sol",
  CreditRoundVerifier: "CreditRoundVerifier.sol",
  IProofVerifier: "IProofVerifier.sol",
  BatchLiquidator: "BatchLiquidator.sol",
} as const;
export type ContractName = keyof typeof SOURCES;

interface ImmutableRef {
  readonly start: number;
  readonly length: number;
}

export interface Artifact {
  readonly abi: Abi;
  /** Runtime code as compiled (immutables as zero placeholders). */
  readonly deployedBytecode: Hex;
  readonly immutableRefs: readonly ImmutableRef[];
}

/** forge's output folder: $FOUNDRY_OUT when set (as forge reads it), else out/. */
export function outDir(env: NodeJS.ProcessEnv = process.env): string {
  const out = env.FOUNDRY_OUT?.trim() || "out";
  return isAbsolute(out) ? out : join(ROOT, out);
}

export function readArtifact(name: ContractName, env: NodeJS.ProcessEnv = process.env): Artifact {
  const file = join(outDir(env), SOURCES[name], `${name}.json`);
  if (!existsSync(file)) throw new Error(`Missing forge artifact ${file}. Run \`npm run forge -- build\` first.`);
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    abi: Abi;
    deployedBytecode: { object: string; immutableReferences?: Record<string, ImmutableRef[]> };
  };
  const object = json.deployedBytecode.object;
  return {
    abi: json.abi,
    deployedBytecode: (object.startsWith("0x") ? object : `0x${object}`) as Hex,
    immutableRefs: Object.values(json.deployedBytecode.immutableReferences ?? {}).flat(),
  };
}

/** `code` with every immutable slot of `artifact` zeroed, so that deployed and compiled code compare equal. */
export function maskImmutables(code: Hex, refs: readonly ImmutableRef[]): Hex {
  let hex = code.slice(2).toLowerCase();
  for (const { start, length } of refs) {
    if ((start + length) * 2 > hex.length) continue; // shorter code cannot match anyway
    hex = hex.slice(0, start * 2) + "00".repeat(length) + hex.slice((start + length) * 2);
  }
  return `0x${hex}`;
}

/** keccak256 of a contract's expected runtime code (immutables masked): what deployments record and compare. */
export function expectedCodeHash(name: ContractName, env: NodeJS.ProcessEnv = process.env): Hex {
  const a = readArtifact(name, env);
  return keccak256(maskImmutables(a.deployedBytecode, a.immutableRefs));
}

/** keccak256 of deployed code, masked at `name`'s immutable slots. */
export function deployedCodeHash(name: ContractName, code: Hex, env: NodeJS.ProcessEnv = process.env): Hex {
  return keccak256(maskImmutables(code, readArtifact(name, env).immutableRefs));
}

/** `forge build` (sources and scripts, no tests) through the real binary; resolves when it succeeded. */
export function forgeBuild(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(foundryBinary("forge"), ["build", "--skip", "test"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    for (const s of [child.stdout, child.stderr]) s.on("data", (b: Buffer) => (out = (out + b.toString()).slice(-8000)));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`forge build failed (exit ${code}): ${out.trim().split("\n").filter(Boolean).pop() ?? ""}`)),
    );
  });
}
