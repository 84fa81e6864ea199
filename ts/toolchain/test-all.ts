// `npm test`: the forge suite, the TypeScript suite and the credit model's Python suite, all
// always run; the command fails if any fails (or if any ran no test). Ends with one "tests: N passed, N failed" line.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { foundryBinary, ROOT, venvPython } from "./paths.js";

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

const python = await run("python", venvPython(), ["-m", "unittest", "discover", "-s", "models/credit/tests", "-t", "."], (out) => {
  const ran = last(out, /Ran (\d+) tests?/g);
  const bad = last(out, /failures=(\d+)/g) + last(out, /errors=(\d+)/g);
  return [ran - bad, bad];
});

let failed = false;
for (const s of [forge, ts, python]) {
  const ok = s.code === 0 && s.passed > 0;
  if (!ok) failed = true;
  console.log(`${s.name}: ${ok ? "ok" : s.passed === 0 ? "FAILED (ran no test)" : "FAILED"} (${s.passed} passed, ${s.failed} failed, exit ${s.code})`);
}
const suites = [forge, ts, python];
console.log(`tests: ${suites.reduce((n, s) => n + s.passed, 0)} passed, ${suites.reduce((n, s) => n + s.failed, 0)} failed`);
process.exitCode = failed ? 1 : 0;
