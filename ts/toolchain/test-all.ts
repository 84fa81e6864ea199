// `npm test`: the forge suite and the TypeScript suite, both always run; the command fails
// if either fails (or if either ran no test). Ends with one "tests: N passed, N failed" line.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { foundryBinary, ROOT } from "./paths.js";

interface SuiteResult {
  readonly name: string;
  readonly code: number;
  readonly passed: number;
  readonly failed: number;
}

function run(name: string, cmd: string, args: string[], count: (out: string) => [number, number]): Promise<SuiteResult> {
  return new Promise((resolve) => {
    let out = "";
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        process.stdout.write(chunk);
      });
    }
    child.on("close", (code) => {
      const [passed, failed] = count(out);
      resolve({ name, code: code ?? 1, passed, failed });
    });
  });
}

const last = (out: string, re: RegExp): number => {
  const all = [...out.matchAll(re)];
  return all.length ? Number(all[all.length - 1]![1]) : 0;
};

const forge = await run("forge", foundryBinary("forge"), ["test"], (out) => [
  last(out, /(\d+) tests passed/g),
  last(out, /tests passed, (\d+) failed/g),
]);
const tsTests = readdirSync(`${ROOT}/ts/test`)
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => `ts/test/${f}`);
const ts = await run("typescript", process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...tsTests], (out) => [
  last(out, /ℹ pass (\d+)/g),
  last(out, /ℹ fail (\d+)/g),
]);

let failed = false;
for (const s of [forge, ts]) {
  const ok = s.code === 0 && s.passed > 0;
  if (!ok) failed = true;
  console.log(`${s.name}: ${ok ? "ok" : s.passed === 0 ? "FAILED (ran no test)" : "FAILED"} (${s.passed} passed, ${s.failed} failed, exit ${s.code})`);
}
console.log(`tests: ${forge.passed + ts.passed} passed, ${forge.failed + ts.failed} failed`);
process.exitCode = failed ? 1 : 0;
