// `zkrisk deploy`: its options, parsed into deployAll's (ts/runtime/deploy/deploy.ts).
import type { Command } from "./commands.js";
import { CHAINS, parseChainList, rpcUrlFromEnv, startLocalChains, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { deployAll } from "../runtime/deploy/deploy.js";
import { DEFAULT_DEPLOYMENTS_DIR } from "../runtime/deploy/deployment.js";
import { parseRpcList, str } from "./flags.js";

export const deployCommand: Command = {
  summary: "Deploy the protocol (verifier, registry, oracle adapter, lending market) on Ethereum, Polygon and Arbitrum.",
  usage: "[--chains <ids>] [--local | --rpc <id=url,...>] [--deployments <dir>] [--force] [--no-protocols]",
  help: [
    `  --chains <ids>        chain ids, comma-separated (default ${CHAINS.map((c) => c.chainId).join(",")})`,
    "  --local               start a throwaway anvil per chain (real chain id), deploy there, stop them",
    "  --rpc <id=url,...>    RPC URL per chain (default the variables below)",
    "  --deployments <dir>   where <chainId>.json is written (default deployments/)",
    "  --force               replace a deployment that is live on a real network but out of date",
    "  --no-protocols        on a local chain, do not deploy Aave v3 and Morpho Blue beside zkrisk (deployed by default;",
    "                        a network's config always records its pinned Aave v3 and Morpho Blue addresses)",
    "",
    `RPC URLs: ${CHAINS.map((c) => `${c.rpcEnv} (${c.name})`).join(", ")}.`,
    "Keys: ZKRISK_DEPLOYER_KEY, ZKRISK_ATTESTOR_KEY, ZKRISK_KEEPER_KEY (on an anvil: its dev accounts 0, 1, 2).",
    "Re-running reuses a deployment that is still live and up to date; a reset chain is redeployed.",
  ].join("\n"),
  options: { chains: { type: "string" }, local: { type: "boolean" }, rpc: { type: "string" }, deployments: { type: "string" }, force: { type: "boolean" }, "no-protocols": { type: "boolean" } },
  async run(v) {
    const chains = parseChainList(str(v.chains) ?? CHAINS.map((c) => c.chainId).join(","));
    const deploymentsDir = str(v.deployments) ?? DEFAULT_DEPLOYMENTS_DIR;
    const rpc = str(v.rpc);
    if (rpc && v.local === true) throw new Error("--rpc and --local exclude each other: --local deploys onto anvils it starts itself");
    const rpcUrls = rpc ? parseRpcList(rpc) : {};
    for (const id of Object.keys(rpcUrls).map(Number)) {
      if (!chains.some((c) => c.chainId === id)) throw new Error(`--rpc: chain ${id} is not among the chains to deploy (${chains.map((c) => c.chainId).join(", ")})`);
    }
    let anvils: Anvil[] = [];
    try {
      if (v.local === true) anvils = await startLocalChains(chains);
      // Without --local, every RPC variable is checked before anything is sent.
      const targets = chains.map((chain, i) => ({
        chain,
        rpcUrl: anvils[i]?.rpcUrl ?? rpcUrls[chain.chainId] ?? rpcUrlFromEnv(chain, process.env, "or pass --rpc, or --local to deploy onto local anvils"),
      }));
      const results = await deployAll(targets, { deploymentsDir, force: v.force === true, protocols: v["no-protocols"] !== true });
      for (const r of results) {
        const d = r.deployment;
        const p = d.protocols;
        const others = [p?.aaveV3 && `Aave v3 pool ${p.aaveV3.pool}`, p?.morphoBlue && `Morpho Blue ${p.morphoBlue.morpho}`].filter(Boolean).join(", ");
        console.log(`${d.chainId} ${d.chain}: ${r.reused ? "reused" : "deployed"} lending ${d.contracts.lending.address} registry ${d.contracts.registry.address} (block ${d.deployBlock})${others ? `; ${others}` : ""} -> ${r.path}`);
      }
      if (anvils.length) console.log("local anvils stopped: these deployments describe chains that no longer run");
    } finally {
      await stopAll(anvils);
    }
  },
};
