// The native backend of the long-lived prover: one circuits/prover_worker.py process (EZKL's
// Rust prover through its Python bindings) started once and fed requests as JSON lines.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { ROOT, venvPython } from "../toolchain/paths.js";
import { prepareEzklHome, pythonEnv } from "../toolchain/python.js";
import { proofFromEzkl, type EzklProofJson, type ProofResult } from "./proof.js";

export interface NativeProverOptions {
  compiled: string;
  pk: string;
  srs: string;
  settings: string;
  vk: string;
  work: string;
  inputLength: number;
  /** Wallet slots of the circuit: every request carries one salted input per slot. */
  slots: number;
  outputScale: number;
  /** Called with each progress line the worker prints (witness done, proved, ...). */
  onProgress?: (line: string) => void;
}

interface Reply {
  id?: number | null;
  ok?: boolean;
  ready?: boolean;
  error?: string;
  proof?: EzklProofJson;
  calldata?: string;
  ms?: { witness: number; prove: number; verify: number; load?: number };
}

/** A started native worker. Requests are served one at a time, in order. */
export class NativeProver {
  readonly backend = "native" as const;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();
  private exited: Error | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly outputScale: number,
    private readonly slots: number,
    /** The worker's last non-progress stderr lines, quoted when it dies. */
    private readonly stderrTail: string[],
    /** Milliseconds the worker took to check its artifacts and warm the proving key. */
    readonly loadMs: number,
  ) {}

  static async start(opts: NativeProverOptions): Promise<NativeProver> {
    prepareEzklHome();
    const { onProgress, outputScale, ...args } = opts;
    const child = spawn(venvPython(), ["circuits/prover_worker.py", JSON.stringify(args)], {
      cwd: ROOT,
      env: pythonEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stop = () => child.kill("SIGKILL");
    process.once("exit", stop);
    child.once("exit", () => process.removeListener("exit", stop));
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<Reply>((resolve, reject) => {
      lines.once("line", (l) => {
        try {
          resolve(JSON.parse(l) as Reply);
        } catch {
          reject(new Error(`native prover worker said "${l.slice(0, 200)}" instead of ready`));
        }
      });
      child.once("exit", (code) => reject(new Error(`native prover worker exited (code ${code}) before it was ready`)));
      child.once("error", reject);
    });
    const tail: string[] = [];
    createInterface({ input: child.stderr }).on("line", (l) => {
      if (l.startsWith("      ")) return onProgress?.(l.trim());
      tail.push(l);
      if (tail.length > 20) tail.shift();
    });
    const hello = await ready.catch((e: Error) => {
      child.kill("SIGKILL");
      throw new Error(`${e.message}${tail.length ? `: ${tail.at(-1)}` : ""}`);
    });
    if (!hello.ready) {
      child.kill("SIGKILL");
      throw new Error(`native prover could not start: ${hello.error ?? "unknown error"}`);
    }
    const prover = new NativeProver(child, outputScale, opts.slots, tail, hello.ms?.load ?? 0);
    lines.on("line", (l) => prover.onLine(l));
    child.once("exit", (code, signal) => prover.onExit(code, signal));
    return prover;
  }

  private onLine(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return; // not a protocol line
    }
    const id = typeof reply.id === "number" ? reply.id : undefined;
    const waiter = id === undefined ? undefined : this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id!);
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(new Error(`native prover: ${reply.error ?? "unknown error"}`));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const why = signal ? `signal ${signal}` : `code ${code}`;
    this.exited = new Error(`native prover worker exited (${why})${this.stderrTail.length ? `: ${this.stderrTail.at(-1)}` : ""}`);
    for (const { reject } of this.pending.values()) reject(this.exited);
    this.pending.clear();
  }

  /** Prove one salted input per slot (features then salt); the proof is verified before it is returned. */
  prove(inputs: readonly (readonly number[])[]): Promise<ProofResult> {
    const run = async (): Promise<ProofResult> => {
      if (this.exited) throw this.exited;
      const id = this.nextId++;
      const reply = await new Promise<Reply>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.child.stdin.write(`${JSON.stringify({ id, inputs })}\n`);
      });
      if (!reply.proof || !reply.calldata || !reply.ms) throw new Error("native prover: incomplete reply");
      return {
        ...proofFromEzkl(reply.proof, reply.calldata, this.outputScale, this.slots),
        proofJson: reply.proof,
        timings: { witnessMs: reply.ms.witness, proveMs: reply.ms.prove, verifyMs: reply.ms.verify },
      };
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stop the worker (it finishes the request in flight first). */
  async close(): Promise<void> {
    await this.queue;
    if (this.exited) return;
    const done = new Promise((r) => this.child.once("exit", r));
    this.child.stdin.end();
    await done;
  }
}
