// Morpho Blue compiled from the sources in @morpho-org/morpho-blue with its pinned compiler
// (solc 0.8.19 through solc-js, npm alias `solc-0.8.19`) and the settings Morpho Blue ships in
// its foundry.toml (via-IR, optimizer 999,999 runs, evm paris, no metadata hash). The output is
// cached under .cache/protocols/ keyed by a hash of the compiler input, so deploys and
// `npm run abi` compile once.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { keccak256, toHex, type Abi, type Hex } from "viem";
import { ROOT } from "../../../toolchain/paths.js";

const require = createRequire(import.meta.url);

/** The package the sources come from. */
export const MORPHO_PACKAGE = "@morpho-org/morpho-blue";
export const MORPHO_PACKAGE_DIR = join(ROOT, "node_modules", "@morpho-org", "morpho-blue");
/** Morpho Blue's pinned compiler, installed as an npm alias beside the facade's solc. */
export const MORPHO_SOLC_PACKAGE = "solc-0.8.19";
export const CACHE_DIR = join(ROOT, ".cache", "protocols");

/**
 * The contracts taken from the package: the protocol, and its OracleMock for the ABI of Morpho's
 * IOracle (`price()`; the indexer reads market oracles through it). Local markets are priced by
 * zkrisk's own ChainlinkOracleAdapter, which implements IOracle.
 */
export const MORPHO_CONTRACTS = {
  Morpho: "src/Morpho.sol",
  OracleMock: "src/mocks/OracleMock.sol",
} as const;
export type MorphoContract = keyof typeof MORPHO_CONTRACTS;

/**
 * Morpho Blue declares its events in a library (EventsLib) and solc 0.8.19 leaves events
 * emitted through a library out of the emitting contract's ABI (0.8.20 adds them). Morpho's
 * ABI here is the contract's ABI plus EventsLib's events: what the contract really emits.
 */
const EVENTS_LIB = "src/libraries/EventsLib.sol";

export interface CompiledContract {
  readonly abi: Abi;
  /** Creation code. */
  readonly bytecode: Hex;
  /** Runtime code as compiled (immutables as zero placeholders). */
  readonly deployedBytecode: Hex;
}

export interface MorphoBuild {
  readonly packageVersion: string;
  readonly solcVersion: string;
  readonly inputHash: Hex;
  readonly contracts: Readonly<Record<MorphoContract, CompiledContract>>;
}

interface SolcJs {
  version(): string;
  compile(input: string): string;
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

function solFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solFiles(join(dir, e.name)) : e.name.endsWith(".sol") ? [join(dir, e.name)] : [],
  );
}

/** The standard-JSON input: every source of the package, Morpho Blue's settings. */
export function morphoCompilerInput(): string {
  const sources = Object.fromEntries(
    solFiles(join(MORPHO_PACKAGE_DIR, "src"))
      .sort()
      .map((file) => [relative(MORPHO_PACKAGE_DIR, file), { content: readFileSync(file, "utf8") }]),
  );
  const selection: Record<string, Record<string, string[]>> = Object.fromEntries(
    Object.entries(MORPHO_CONTRACTS).map(([name, file]) => [file, { [name]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] }]),
  );
  selection[EVENTS_LIB] = { EventsLib: ["abi"] };
  return JSON.stringify({
    language: "Solidity",
    sources,
    settings: {
      viaIR: true,
      optimizer: { enabled: true, runs: 999_999 },
      evmVersion: "paris",
      metadata: { bytecodeHash: "none" },
      outputSelection: selection,
    },
  });
}

function loadSolc(): SolcJs {
  try {
    return require(MORPHO_SOLC_PACKAGE) as SolcJs;
  } catch {
    throw new Error(`npm package \`${MORPHO_SOLC_PACKAGE}\` (solc-js 0.8.19, Morpho Blue's pinned compiler) is not installed: run \`npm install\``);
  }
}

/** Morpho Blue's build: from the cache when the input is unchanged, else compiled now (about a minute). */
export function compileMorphoBlue(log: (line: string) => void = () => {}): MorphoBuild {
  if (!existsSync(MORPHO_PACKAGE_DIR)) throw new Error(`${MORPHO_PACKAGE} is not installed: run \`npm install\``);
  const solcVersion = (JSON.parse(readFileSync(join(ROOT, "node_modules", MORPHO_SOLC_PACKAGE, "package.json"), "utf8")) as { version: string }).version;
  const input = morphoCompilerInput();
  const inputHash = keccak256(toHex(`${solcVersion}\n${input}`));
  const cached = join(CACHE_DIR, `morpho-blue-${inputHash.slice(2, 18)}.json`);
  if (existsSync(cached)) {
    const build = JSON.parse(readFileSync(cached, "utf8")) as MorphoBuild;
    if (build.inputHash === inputHash) return build;
  }
  log(`compiling ${MORPHO_PACKAGE} ${packageVersion(MORPHO_PACKAGE_DIR)} with solc ${solcVersion} (solc-js, via-IR; cached afterwards)`);
  const solc = loadSolc();
  const output = JSON.parse(solc.compile(input)) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`solc ${solcVersion} failed on ${MORPHO_PACKAGE}: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const events = (output.contracts?.[EVENTS_LIB]?.EventsLib?.abi ?? []).filter((x) => x.type === "event");
  if (!events.length) throw new Error(`solc ${solcVersion} produced no events for EventsLib (${EVENTS_LIB})`);
  const contracts = Object.fromEntries(
    Object.entries(MORPHO_CONTRACTS).map(([name, file]) => {
      const c = output.contracts?.[file]?.[name];
      if (!c?.evm.bytecode.object) throw new Error(`solc ${solcVersion} produced no bytecode for ${name} (${file})`);
      const abi = name === "Morpho" ? [...c.abi, ...events] : c.abi;
      return [name, { abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` }];
    }),
  ) as Record<MorphoContract, CompiledContract>;
  const build: MorphoBuild = { packageVersion: packageVersion(MORPHO_PACKAGE_DIR), solcVersion: solc.version(), inputHash, contracts };
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(build));
  renameSync(tmp, cached);
  return build;
}
