#!/usr/bin/env -S npx tsx
// zkrisk's single command-line entry: parses the subcommand and dispatches to its module.
// Errors print one line (the stack only with --verbose) and exit non-zero.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { COMMANDS } from "./commands.js";

export class UsageError extends Error {
  override name = "UsageError";
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: zkrisk <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun \`zkrisk <command> --help\` for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes("--verbose");
  const [name, ...rest] = argv.filter((a) => a !== "--verbose");
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`zkrisk: unknown command "${name}". Run \`zkrisk --help\` for the list.`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`usage: zkrisk ${name} ${command.usage}\n\n${command.summary}\n\n${command.help}`);
    return 0;
  }
  try {
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
      const parsed = parseArgs({ args: rest, options: command.options as ParseArgsConfig["options"], strict: true, allowPositionals: command.positionals !== undefined, tokens: true });
      values = parsed.values as Record<string, string | boolean | undefined>;
      positionals = parsed.positionals;
      const seen = new Set<string>();
      for (const t of (parsed.tokens ?? []) as { kind: string; name?: string }[]) {
        if (t.kind !== "option" || !t.name) continue;
        if (seen.has(t.name)) throw new UsageError(`--${t.name} is given twice: give each flag once (see \`zkrisk ${name} --help\`)`);
        seen.add(t.name);
      }
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`${(e as Error).message.split("\n")[0]} (see \`zkrisk ${name} --help\`)`);
    }
    await command.run(values, positionals);
    return 0;
  } catch (e) {
    const err = e as Error;
    console.error(`zkrisk ${name}: ${err.message}`);
    if (verbose && err.stack) console.error(err.stack);
    return err instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
