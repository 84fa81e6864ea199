// `zkrisk deploy`: its options, parsed into deployAll's (ts/runtime/deploy.ts).
import type { Command } from "./commands.js";
import { CHAINS, parseChainList, rpcUrlFromEnv, startLocalChains, stopAll, type Anvil } from "../runtime/chains.js";
import { deployAll } from "../runtime/deploy.js";
import { DEFAULT_DEPLOYMENTS_DIR } from "../runtime/deployment.js";

const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

export const deployCommand: Command = {
  summary: "Deploy the protocol (verifier, registry, oracle adapter, lending market) on Ethereum, Polygon and Arbitrum.",
  usage: "[--chains <ids>] [--local] [--deployments <dir>] [--force]",
  help: [
    `  --chains <ids>        chain ids, comma-separated (default ${CHAINS.map((c) => c.chainId).join(",")})`,
    "  --local               start a throwaway anvil per chain (real chain id), deploy there, stop them",
    "  --deployments <dir>   where <chainId>.json is written (default deployments/)",
    "  --force               replace a deployment that is live on a real network but out of date",
    "",
    `RPC URLs: ${CHAINS.map((c) => `${c.rpcEnv} (${c.name})`).join(", ")}.`,
    "Keys: ZKRISK_DEPLOYER_KEY, ZKRISK_ATTESTOR_KEY, ZKRISK_KEEPER_KEY (on an anvil: its dev accounts 0, 1, 2).",
    "Re-running reuses a deployment that is still live and up to date; a reset chain is redeployed.",
  ].join("\n"),
  options: { chains: { type: "string" }, local: { type: "boolean" }, deployments: { type: "string" }, force: { type: "boolean" } },
  async run(v) {
    const chains = parseChainList(str(v.chains) ?? CHAINS.map((c) => c.chainId).join(","));
    const deploymentsDir = str(v.deployments) ?? DEFAULT_DEPLOYMENTS_DIR;
    let anvils: Anvil[] = [];
    try {
      if (v.local === true) anvils = await startLocalChains(chains);
      // Without --local, every RPC variable is checked before anything is sent.
      const targets = chains.map((chain, i) => ({
        chain,
        rpcUrl: anvils[i]?.rpcUrl ?? rpcUrlFromEnv(chain, process.env, "or pass --local to deploy onto local anvils"),
      }));
      const results = await deployAll(targets, { deploymentsDir, force: v.force === true });
      for (const r of results) {
        const d = r.deployment;
        console.log(`${d.chainId} ${d.chain}: ${r.reused ? "reused" : "deployed"} lending ${d.contracts.lending.address} registry ${d.contracts.registry.address} (block ${d.deployBlock}) -> ${r.path}`);
      }
      if (anvils.length) console.log("local anvils stopped: these deployments describe chains that no longer run");
    } finally {
      await stopAll(anvils);
    }
  },
};
