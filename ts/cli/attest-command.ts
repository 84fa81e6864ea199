// `zkrisk attest`: prove the stored wallets in rounds with the long-lived prover and submit each
// round on every chain holding its commitments (ts/runtime/attest/submit.ts).
import type { Address } from "viem";
import type { Command } from "./commands.js";
import { CHAIN_FLAGS, CHAIN_FLAGS_HELP, connectOptions, integer, parseWalletList, str, type FlagValues } from "./flags.js";
import { getModel } from "../pipeline/models.js";
import { openProverPool, parseBackend, type ProverBackend } from "../prover/prover.js";
import { connectChains, signer } from "../runtime/chains/connect.js";
import type { Database } from "../runtime/db/engine.js";
import { storedWallets } from "../runtime/attest/store.js";
import { DATABASE_FLAG, DATABASE_HELP, LEGACY_FLAGS, openCliDatabase, refuseLegacyFlags } from "./database.js";
import { proveAndAttest, ROUND_MODES, type RoundMode } from "../runtime/attest/submit.js";

export const attestCommand: Command = {
  summary: "Prove stored wallets' tiers in rounds (one proof for many wallets) and submit them on every chain.",
  usage: "[--wallet <addr,...>] [--chains <ids>] [--deployments <dir>] [--rpc <id=url,...>] [--database <url|dir>] [--circuit auto|round|single] [--backend native|engine] [--retries <n>]",
  help: [
    "  --wallet <addr,...>   only these wallets (default: every wallet in the private store)",
    ...CHAIN_FLAGS_HELP,
    ...DATABASE_HELP,
    "                        (its private store is written by `zkrisk index`)",
    "  --circuit <mode>      auto (default): rounds of the round circuit, a lone wallet through the single-wallet",
    "                        circuit; round: always rounds (unused slots padded); single: one proof per wallet",
    "  --backend <name>      native (EZKL Rust, default) or engine (@ezkljs/engine, WebAssembly)",
    "  --retries <n>         retries per chain for a failed submission, with backoff (default 4)",
    "",
    "Submissions are sent by the attestor key (ZKRISK_ATTESTOR_KEY; on a local anvil its dev account 1).",
    "Only wallets whose current commitment has no valid attestation are proved. A round never reverts for one",
    "wallet: the registry skips a slot whose commitment changed since proving and attests the rest.",
  ].join("\n"),
  options: { ...CHAIN_FLAGS, ...DATABASE_FLAG, ...LEGACY_FLAGS, wallet: { type: "string" }, backend: { type: "string" }, retries: { type: "string" }, circuit: { type: "string" } },
  async run(v) {
    refuseLegacyFlags(v);
    const backend = parseBackend(str(v.backend) ?? "native");
    const mode = str(v.circuit) ?? "auto";
    if (!(ROUND_MODES as readonly string[]).includes(mode)) throw new Error(`--circuit: unknown mode "${mode}" (one of: ${ROUND_MODES.join(", ")})`);
    const retries = integer("--retries", str(v.retries), 0);
    const only = str(v.wallet);
    const listed = only ? parseWalletList(only) : undefined;
    const db = await openCliDatabase(v);
    try {
      const wallets = listed ?? (await storedWallets(db));
      if (wallets.length === 0) throw new Error(`the private store of ${db.label} holds no wallet: run \`zkrisk index\` first`);
      await attest(v, wallets, db, backend, mode as RoundMode, retries);
    } finally {
      await db.close();
    }
  },
};

async function attest(v: FlagValues, wallets: readonly Address[], db: Database, backend: ProverBackend, mode: RoundMode, retries: number | undefined): Promise<void> {
  const chains = await connectChains(connectOptions(v));
  const modelIds = new Set(chains.map((c) => c.deployment.modelId.toLowerCase()));
  if (modelIds.size !== 1) throw new Error(`the chains' deployments register different models (${[...modelIds].join(", ")}): redeploy them from one commit`);
  const targets = chains.map((c) => ({ chainId: c.chain.chainId, publicClient: c.client, walletClient: signer(c, "attestor"), registry: c.deployment.contracts.registry.address }));
  const provers = openProverPool(getModel("credit"), { backend });
  let failed = 0;
  try {
    const results = await proveAndAttest(provers, wallets, targets, {
      db,
      modelId: chains[0]!.deployment.modelId,
      mode,
      ...(retries !== undefined ? { retries } : {}),
    });
    for (const r of results) {
      const cells = r.chains.map((c) => `${c.chainId}:${c.status}`);
      failed += r.chains.filter((c) => c.status === "failed" || c.status === "commitment-changed" || c.status === "skipped").length;
      const claim = r.neverLiquidated === undefined ? "" : r.neverLiquidated ? " never-liquidated" : " liquidated";
      console.log(`${r.wallet} tier ${r.tier ?? "-"}${claim}  ${cells.join("  ")}`);
    }
  } finally {
    await provers.close();
  }
  if (failed) throw new Error(`${failed} submission(s) did not land; see the lines above`);
}
