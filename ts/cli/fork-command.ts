// `zkrisk fork`: the prover and the keeper against anvil forks of the deployed chains
// (ts/runtime/fork.ts). Upstream state is never changed.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "./commands.js";
import { integer, parseRpcList, parseWalletList, str } from "./flags.js";
import { parseBackend } from "../prover/prover.js";
import { CHAINS, parseChainList } from "../runtime/chains/chains.js";
import { runFork } from "../runtime/fork.js";

export const forkCommand: Command = {
  summary: "Fork the deployed chains with anvil and run indexing (zkrisk, Aave v3, Morpho Blue), proving, attestation and a keeper pass on the forks only.",
  usage: "[--chains <ids>] [--upstream <id=url,...>] [--deployments <dir>] [--wallet <addr,...>] [--backend native|engine] [--keeper-seconds <n>]",
  help: [
    `  --chains <ids>          chains to fork (default ${CHAINS.map((c) => c.chainId).join(",")})`,
    "  --upstream <id=url,...> what to fork (default ETH_RPC_URL, POLYGON_RPC_URL, ARBITRUM_RPC_URL: a real network)",
    "  --deployments <dir>     the upstream's deployment files (default deployments/)",
    "  --wallet <addr,...>     only these wallets (default every wallet with pool events)",
    "  --backend <name>        prover backend: native (default) or engine",
    "  --keeper-seconds <n>    keep the keeper watching the forks this long (default: one pass)",
    "",
    "On a real network's fork, ZKRISK_ATTESTOR_KEY must hold ATTESTOR_ROLE there and ZKRISK_KEEPER_KEY needs loan tokens.",
  ].join("\n"),
  options: {
    chains: { type: "string" },
    upstream: { type: "string" },
    deployments: { type: "string" },
    wallet: { type: "string" },
    backend: { type: "string" },
    "keeper-seconds": { type: "string" },
  },
  async run(v) {
    const chains = parseChainList(str(v.chains) ?? CHAINS.map((c) => c.chainId).join(","));
    const upstream = str(v.upstream);
    const wallets = str(v.wallet);
    const deploymentsDir = str(v.deployments);
    const seconds = integer("--keeper-seconds", str(v["keeper-seconds"]), 0) ?? 0;
    const r = await runFork({
      chains,
      workDir: mkdtempSync(join(tmpdir(), "zkrisk-fork-")),
      backend: parseBackend(str(v.backend) ?? "native"),
      keeperMs: seconds * 1000,
      ...(upstream ? { upstream: parseRpcList(upstream) } : {}),
      ...(wallets ? { wallets: parseWalletList(wallets) } : {}),
      ...(deploymentsDir ? { deploymentsDir } : {}),
      log: (l) => console.log(l),
    });
    for (const c of r.index) {
      const bad = Object.entries(c.undecodable);
      console.log(
        `chain ${c.chainId}: indexed ${c.protocols.join(", ")} (${c.events} event(s))` +
          (bad.length ? `; ${bad.reduce((a, [, n]) => a + n, 0)} log(s) that do not decode (${bad.map(([p, n]) => `${p}: ${n}`).join(", ")})` : ""),
      );
    }
    for (const s of r.submissions) console.log(`${s.wallet} tier ${s.tier ?? "-"}  ${s.chains.map((c) => `${c.chainId}:${c.status}`).join("  ")}`);
    console.log(`${r.liquidations.length} liquidation(s) on the forks; the forks are gone, upstream untouched`);
  },
};
