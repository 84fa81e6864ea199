// The chains zkrisk runs on, and local anvil nodes that play them (real chain ids, real
// anvil binary). Every anvil started here is killed when the process exits, on SIGINT and
// SIGTERM, and on an uncaught error.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { foundryBinary, ROOT } from "../../toolchain/paths.js";

export interface ChainInfo {
  /** EIP-155 chain id. */
  readonly chainId: number;
  /** Short name, as in models/credit/features.json ("ethereum", "polygon", "arbitrum"). */
  readonly name: string;
  /** Environment variable holding the chain's RPC URL. */
  readonly rpcEnv: string;
  /** Native currency symbol (for viem's chain object). */
  readonly nativeSymbol: string;
}

/** Per-chain facts features.json does not carry, keyed by its chain names. */
const EXTRA: Readonly<Record<string, { rpcEnv: string; nativeSymbol: string }>> = {
  ethereum: { rpcEnv: "ETH_RPC_URL", nativeSymbol: "ETH" },
  polygon: { rpcEnv: "POLYGON_RPC_URL", nativeSymbol: "POL" },
  arbitrum: { rpcEnv: "ARBITRUM_RPC_URL", nativeSymbol: "ETH" },
};

/** The single definition of the chain list: the credit model's features.json "chains". */
function readChains(): readonly ChainInfo[] {
  const file = join(ROOT, "models", "credit", "features.json");
  const { chains } = JSON.parse(readFileSync(file, "utf8")) as { chains?: { chainId: number; name: string }[] };
  if (!Array.isArray(chains) || chains.length === 0) throw new Error(`${file} has no "chains" list`);
  return chains.map(({ chainId, name }) => {
    const extra = EXTRA[name];
    if (!extra) throw new Error(`${file}: chain "${name}" (${chainId}) has no RPC variable in ts/runtime/chains/chains.ts`);
    return { chainId, name, ...extra };
  });
}

export const CHAINS: readonly ChainInfo[] = readChains();

const known = () => CHAINS.map((c) => `${c.chainId} ${c.name}`).join(", ");

/** "chain 137 (polygon)", for messages. */
export const chainLabel = (c: Pick<ChainInfo, "chainId" | "name">): string => `chain ${c.chainId} (${c.name})`;

export function getChain(chainId: number): ChainInfo {
  const c = CHAINS.find((x) => x.chainId === chainId);
  if (!c) throw new Error(`unknown chain id ${chainId} (known: ${known()})`);
  return c;
}

/** Parse "1,137" into chains (no duplicates); every id must be known. */
export function parseChainList(raw: string): ChainInfo[] {
  const parts = raw.split(",").map((p) => p.trim());
  const out: ChainInfo[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) throw new Error(`--chains: "${p}" is not a chain id (known: ${known()})`);
    const c = getChain(Number(p));
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** The chain's RPC URL from its environment variable, or a precise error naming it (and `hint`, what else the caller accepts). */
export function rpcUrlFromEnv(chain: ChainInfo, env: NodeJS.ProcessEnv = process.env, hint?: string): string {
  const url = env[chain.rpcEnv]?.trim();
  if (!url) throw new Error(`${chain.rpcEnv} is not set: it is the RPC URL of ${chainLabel(chain)}${hint ? ` (${hint})` : ""}`);
  return url;
}

/* ANVIL */

export interface AnvilOptions {
  readonly chainId: number;
  /** Port to listen on; default a free one. */
  readonly port?: number;
  /** Fork this RPC (another anvil, or a real node when the user has one). */
  readonly forkUrl?: string;
  /** Interval mining, in seconds; default automine (one block per transaction). */
  readonly blockTime?: number;
  /** Funded dev accounts (anvil's default mnemonic); default 10. */
  readonly accounts?: number;
  /** How long to wait for the node to answer; default 30 s. */
  readonly timeoutMs?: number;
}

export interface Anvil {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly port: number;
  /** Stops the node (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/** Kill every anvil on exit, SIGINT, SIGTERM and uncaught errors, without changing what the process does otherwise. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  process.on("uncaughtExceptionMonitor", killAll);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = () => {
      killAll();
      // Alone on this signal: restore the default action (terminate) and re-raise it.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error("could not find a free port"))));
    });
  });
}

/** eth_chainId of `rpcUrl`, or undefined while it does not answer. */
async function probeChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2000),
    });
    const { result } = (await res.json()) as { result?: string };
    return result ? Number(BigInt(result)) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start the real anvil binary with the real chain id and wait until it answers. The default
 * EIP-170 contract-size limit stays on.
 */
export async function startAnvil(opts: AnvilOptions): Promise<Anvil> {
  // A free port can be taken between the probe and anvil's bind: retry on a fresh one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, opts.port ?? (await freePort()));
    } catch (e) {
      if (opts.port !== undefined || attempt >= 3 || !/address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function launch(opts: AnvilOptions, port: number): Promise<Anvil> {
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(opts.chainId)];
  args.push("--accounts", String(opts.accounts ?? 10));
  if (opts.forkUrl) args.push("--fork-url", opts.forkUrl);
  if (opts.blockTime !== undefined) args.push("--block-time", String(opts.blockTime));

  hookExit();
  const child = spawn(foundryBinary("anvil"), args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    running.delete(child);
  });
  // Let the process exit without stopping the node first: the exit hook kills it.
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (gone) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (gone) throw new Error(`anvil (chain ${opts.chainId}, port ${port}) exited before answering: ${lastLine(stderr)}`);
    const id = await probeChainId(rpcUrl);
    if (id === opts.chainId) return { rpcUrl, chainId: opts.chainId, port, stop };
    if (id !== undefined) {
      await stop();
      throw new Error(`${rpcUrl} answers chain id ${id}, not ${opts.chainId}: another node holds port ${port}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil (chain ${opts.chainId}) did not answer on ${rpcUrl} within ${(opts.timeoutMs ?? 30_000) / 1000}s`);
    }
    await sleep(100);
  }
}

const lastLine = (s: string): string => s.trim().split("\n").filter(Boolean).pop() ?? "no output";

/** One anvil per zkrisk chain (or per chain in `chains`), started in parallel. Stops all if one fails. */
export async function startLocalChains(
  chains: readonly ChainInfo[] = CHAINS,
  opts: Omit<AnvilOptions, "chainId" | "port" | "forkUrl"> = {},
): Promise<Anvil[]> {
  const results = await Promise.allSettled(chains.map((c) => startAnvil({ ...opts, chainId: c.chainId })));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<Anvil>).value);
}

/** Stop several anvils; never throws. */
export async function stopAll(anvils: readonly Anvil[]): Promise<void> {
  await Promise.allSettled(anvils.map((a) => a.stop()));
}
