// `zkrisk demo` (`npm run demo`): the whole flow on three local chains (ts/demo/demo.ts).
import type { Command } from "./commands.js";
import { str } from "./flags.js";
import { parseBackend } from "../prover/prover.js";
import { DEMO_DIR, renderTable, runDemo } from "../demo/demo.js";
import { formatDuration } from "../toolchain/progress.js";

export const demoCommand: Command = {
  summary: "Run the whole protocol on three local chains: deploy (with Aave v3 and Morpho Blue), history, index, prove + attest, tiered borrowing, crash + keeper.",
  usage: "[--backend native|engine] [--dir <dir>]",
  help: [
    "  --backend <name>  prover backend: native (EZKL Rust, default) or engine (@ezkljs/engine, WebAssembly; ~2 min per proof)",
    "  --dir <dir>       where the demo's deployments and embedded database (index, private store) go (default .zkrisk/demo/, wiped first)",
    "",
    "Needs nothing running: it starts anvil for Ethereum (1), Polygon (137) and Arbitrum (42161) and stops them at the end.",
  ].join("\n"),
  options: { backend: { type: "string" }, dir: { type: "string" } },
  async run(v) {
    const started = performance.now();
    const backend = parseBackend(str(v.backend) ?? "native");
    const { rows, crash } = await runDemo({ backend, dir: str(v.dir) ?? DEMO_DIR });
    console.log(`\nzkrisk demo: tiers proven with EZKL, verified on-chain; crash ${crash.from} -> ${crash.to} (ETH -${crash.fallPct.toFixed(0)}%)\n`);
    console.log(renderTable(rows));
    console.log("\nhistory from: where the indexer found each wallet's history (the operator's view; the chains see only its commitment and tier)");
    console.log(`\ndone in ${formatDuration(performance.now() - started)}`);
  },
};
