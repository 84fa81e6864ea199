// `zkrisk audit`: recompute the model's parameter commitment from its weights and compare it
// with the manifest and every chain's registry (ts/runtime/deploy/audit.ts).
import type { Command } from "./commands.js";
import { CHAIN_FLAGS, CHAIN_FLAGS_HELP, connectOptions, str } from "./flags.js";
import { getModel, MODELS } from "../pipeline/models.js";
import { audit } from "../runtime/deploy/audit.js";
import { connectChains } from "../runtime/chains/connect.js";

export const auditCommand: Command = {
  summary: "Recompute a model's parameter commitment from its weights and check it against the manifest and each chain's registry.",
  usage: "[--model <name>] [--onnx <file>] [--offline] [--chains <ids>] [--deployments <dir>] [--rpc <id=url,...>]",
  help: [
    `  --model <name>        model (${Object.keys(MODELS).join(", ")}; default credit)`,
    "  --onnx <file>         the weights to audit (default: the model's committed ONNX export)",
    "  --offline             compare with the manifest only, no chain",
    ...CHAIN_FLAGS_HELP,
  ].join("\n"),
  options: { ...CHAIN_FLAGS, model: { type: "string" }, onnx: { type: "string" }, offline: { type: "boolean" } },
  async run(v) {
    const spec = getModel(str(v.model) ?? "credit");
    const chains = v.offline === true ? [] : await connectChains(connectOptions(v));
    const result = await audit(spec, chains, str(v.onnx));
    console.log(`parameter commitment recomputed from the weights: ${result.paramCommitment}`);
    for (const c of result.checks) console.log(`${c.ok ? "ok  " : "FAIL"}  ${c.what}: ${c.detail}`);
    const failed = result.checks.filter((c) => !c.ok).length;
    if (failed) throw new Error(`${failed} check(s) failed: these weights are not the model the registry accepts proofs for`);
  },
};
