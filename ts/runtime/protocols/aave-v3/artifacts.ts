// Aave v3's compiled artifacts as @aave/core-v3 publishes them (hardhat JSON: ABI, creation
// code with link references to the Pool's logic libraries). Nothing here is recompiled.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Abi, type Address, type Hex } from "viem";
import { ROOT } from "../../../toolchain/paths.js";

export const AAVE_PACKAGE = "@aave/core-v3";
export const AAVE_PACKAGE_DIR = join(ROOT, "node_modules", "@aave", "core-v3");

/** The contracts zkrisk uses from the package, by artifact path under artifacts/contracts/. */
export const AAVE_ARTIFACTS = {
  PoolAddressesProvider: "protocol/configuration/PoolAddressesProvider.sol",
  ACLManager: "protocol/configuration/ACLManager.sol",
  Pool: "protocol/pool/Pool.sol",
  PoolConfigurator: "protocol/pool/PoolConfigurator.sol",
  AaveOracle: "misc/AaveOracle.sol",
  AToken: "protocol/tokenization/AToken.sol",
  VariableDebtToken: "protocol/tokenization/VariableDebtToken.sol",
  StableDebtToken: "protocol/tokenization/StableDebtToken.sol",
  DefaultReserveInterestRateStrategy: "protocol/pool/DefaultReserveInterestRateStrategy.sol",
  /** Aave's own Chainlink-style test aggregator (latestAnswer), the AaveOracle's local price source. */
  MockAggregator: "mocks/oracle/CLAggregators/MockAggregator.sol",
  SupplyLogic: "protocol/libraries/logic/SupplyLogic.sol",
  BorrowLogic: "protocol/libraries/logic/BorrowLogic.sol",
  LiquidationLogic: "protocol/libraries/logic/LiquidationLogic.sol",
  EModeLogic: "protocol/libraries/logic/EModeLogic.sol",
  BridgeLogic: "protocol/libraries/logic/BridgeLogic.sol",
  PoolLogic: "protocol/libraries/logic/PoolLogic.sol",
  FlashLoanLogic: "protocol/libraries/logic/FlashLoanLogic.sol",
  ConfiguratorLogic: "protocol/libraries/logic/ConfiguratorLogic.sol",
} as const;
export type AaveContract = keyof typeof AAVE_ARTIFACTS;

type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>;

export interface AaveArtifact {
  readonly contractName: string;
  readonly abi: Abi;
  /** Creation code; library placeholders still in it when `linkReferences` is not empty. */
  readonly bytecode: Hex;
  readonly linkReferences: LinkReferences;
}

export function aavePackageVersion(): string {
  return (JSON.parse(readFileSync(join(AAVE_PACKAGE_DIR, "package.json"), "utf8")) as { version: string }).version;
}

export function readAaveArtifact(name: AaveContract): AaveArtifact {
  const file = join(AAVE_PACKAGE_DIR, "artifacts", "contracts", AAVE_ARTIFACTS[name], `${name}.json`);
  if (!existsSync(file)) throw new Error(`missing ${AAVE_PACKAGE} artifact ${file}: run \`npm install\``);
  return JSON.parse(readFileSync(file, "utf8")) as AaveArtifact;
}

/** The libraries `artifact` links against (their contract names). */
export function linkedLibraries(artifact: AaveArtifact): string[] {
  return Object.values(artifact.linkReferences).flatMap((libs) => Object.keys(libs));
}

/** `artifact`'s creation code with every library placeholder replaced by its deployed address. */
export function linkBytecode(artifact: AaveArtifact, libraries: Readonly<Record<string, Address>>): Hex {
  let hex = artifact.bytecode.slice(2);
  for (const libs of Object.values(artifact.linkReferences)) {
    for (const [lib, refs] of Object.entries(libs)) {
      const address = libraries[lib];
      if (!address) throw new Error(`${artifact.contractName} links against ${lib}, which is not deployed`);
      for (const { start, length } of refs) {
        hex = hex.slice(0, start * 2) + address.slice(2).toLowerCase().padStart(length * 2, "0") + hex.slice((start + length) * 2);
      }
    }
  }
  if (hex.includes("__")) throw new Error(`${artifact.contractName}'s creation code still holds a library placeholder after linking`);
  return `0x${hex}`;
}

let errorNames: Map<string, string> | undefined;

/**
 * Aave v3 reverts with numeric codes ("35"); their names and texts from the package's
 * Errors.sol (`NAME = '35'; // 'text'`), e.g. "35 HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD
 * (Health factor is lesser than the liquidation threshold)". Unknown codes come back as given.
 */
export function aaveErrorText(code: string): string {
  if (!errorNames) {
    errorNames = new Map();
    const file = join(AAVE_PACKAGE_DIR, "contracts", "protocol", "libraries", "helpers", "Errors.sol");
    const source = existsSync(file) ? readFileSync(file, "utf8") : "";
    for (const m of source.matchAll(/string public constant (\w+) = '(\d+)';\s*\/\/\s*'([^']*)'/g)) errorNames.set(m[2]!, `${m[1]} (${m[3]})`);
  }
  const name = errorNames.get(code);
  return name ? `${code} ${name}` : code;
}
