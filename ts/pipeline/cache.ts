// Content-hash step cache: a step runs again only when the content of its inputs (files and
// arguments) changed or one of its outputs is missing. The state is written after each
// step, so an interrupted run resumes at the first step that did not finish.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function sha256File(path: string): string {
  return `0x${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
}

export class StepCache {
  private readonly state: Record<string, string>;

  constructor(private readonly file: string) {
    this.state = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  }

  /** The key of a step: a hash over its input files' contents and its arguments. */
  key(inputs: readonly string[], args: unknown): string {
    const h = createHash("sha256");
    for (const f of inputs) h.update(f).update(existsSync(f) ? sha256File(f) : "missing");
    h.update(JSON.stringify(args ?? null));
    return h.digest("hex");
  }

  isFresh(step: string, key: string, outputs: readonly string[]): boolean {
    return this.state[step] === key && outputs.every((o) => existsSync(o));
  }

  record(step: string, key: string): void {
    this.state[step] = key;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

/** Write a file atomically (temp file + rename), so an interrupted write leaves no half file. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
