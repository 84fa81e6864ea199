#!/usr/bin/env node
// zkrisk's offline Solidity compiler: a facade over solc-js (npm `solc`, the official
// compiler built to WebAssembly) that answers like a native solc binary, so forge and EZKL
// never try to download one. It implements exactly what they call:
//   solc --version                     -> "Version: <x.y.z+commit...>"
//   solc --standard-json [flags] < in  -> standard-JSON output on stdout
// Other flags forge passes alongside --standard-json (--allow-paths, --base-path,
// --include-path) are honoured by the import callback, which reads files relative to the
// base path. Anything else is refused with a message, never silently ignored.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

let solc;
try {
  solc = require("solc");
} catch {
  process.stderr.write("zkrisk solc facade: npm package `solc` is not installed. Run `npm install`.\n");
  process.exit(2);
}

const args = process.argv.slice(2);
const nativeVersion = solc.version().replace(".Emscripten.clang", ".Linux.g++");

if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion}\n`);
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write(
    `zkrisk solc facade: only --version and --standard-json are supported (got: ${args.join(" ")}).\n`,
  );
  process.exit(2);
}

function flagValues(name) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) out.push(...args[i + 1].split(","));
    else if (args[i].startsWith(`${name}=`)) out.push(...args[i].slice(name.length + 1).split(","));
  }
  return out;
}

const roots = [...flagValues("--base-path"), ...flagValues("--include-path"), process.cwd()];

function findImport(importPath) {
  const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.resolve(r, importPath));
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
}

const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImport }));
