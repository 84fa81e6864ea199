// Entry point for forge, anvil and cast that passes the tool's exit code on.
// Usage: tsx ts/toolchain/foundry.ts <forge|anvil|cast> [args...]   (npm run forge -- ...)
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { foundryBinary, ROOT, SetupError, type FoundryTool } from "./paths.js";

const TOOLS: readonly FoundryTool[] = ["forge", "anvil", "cast"];

function main(): void {
  const [tool, ...args] = process.argv.slice(2);
  if (!tool || !TOOLS.includes(tool as FoundryTool)) {
    console.error(`usage: foundry.ts <${TOOLS.join("|")}> [args...]`);
    process.exit(2);
  }
  let bin: string;
  try {
    bin = foundryBinary(tool as FoundryTool);
  } catch (e) {
    console.error((e as SetupError).message);
    process.exit(127);
  }
  const child = spawn(bin, args, { stdio: "inherit", cwd: ROOT });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
}

main();
