// The CLI's subcommands: each names its options and calls one module.
import { writeFileSync } from "node:fs";
import { runPipeline, type ProofFixture } from "../pipeline/circuit.js";
import { drawSalt, readSaltSpec } from "../pipeline/salt.js";
import { featureCount, getModel, modelPaths, MODELS } from "../pipeline/models.js";
import { checkFeatures, openProver, parseBackend } from "../prover/prover.js";
import { formatDuration } from "../toolchain/progress.js";
import { venvPython } from "../toolchain/paths.js";
import { parseNumberList, str } from "./flags.js";
import { indexCommand } from "./index-command.js";
import { deployCommand } from "./deploy-command.js";
import { keeperCommand } from "./keeper-command.js";
import { attestCommand } from "./attest-command.js";
import { auditCommand } from "./audit-command.js";
import { demoCommand } from "./demo-command.js";
import { forkCommand } from "./fork-command.js";
import { dbCommand } from "./db-command.js";

type OptionSpec = { type: "string" | "boolean"; short?: string };

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly help: string;
  readonly options: Record<string, OptionSpec>;
  /** The subcommands it takes as its first positional argument (none: no positional allowed). */
  readonly positionals?: readonly string[];
  run(values: Record<string, string | boolean | undefined>, positionals?: readonly string[]): Promise<void>;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  pipeline: {
    summary: "Build a model's circuit: export, settings, calibrate, compile, SRS, keys, verifier, proof fixtures.",
    usage: "--model <name> [--srs <file>] [--force]",
    help: [
      `  --model <name>  model to build (${Object.keys(MODELS).join(", ")})`,
      "  --srs <file>    ceremony SRS (KZG, BN254) to use; without it an INSECURE local SRS",
      "                  is generated under circuits/srs/ (tests and demo only)",
      "  --force         run every step even if its inputs did not change",
    ].join("\n"),
    options: { model: { type: "string" }, srs: { type: "string" }, force: { type: "boolean" } },
    async run(v) {
      const model = str(v.model);
      if (!model) throw new Error("--model is required (see `zkrisk pipeline --help`)");
      const srs = str(v.srs);
      await runPipeline({ model: getModel(model), ...(srs ? { srs } : {}), force: v.force === true });
    },
  },
  prove: {
    summary: "Prove one feature vector with a model (fresh random salt) and check the proof.",
    usage: "--model <name> --features <x1,x2,...> [--out <file>] [--backend native|engine]",
    help: [
      `  --model <name>        model (${Object.keys(MODELS).join(", ")})`,
      "  --features <list>     the wallet's transformed features, comma-separated (no salt)",
      "  --out <file>          write the proof fixture (proof, instances, calldata, salt) here",
      `  --backend <name>      prover backend: native (EZKL Rust, default) or engine (@ezkljs/engine, WebAssembly)`,
    ].join("\n"),
    options: { model: { type: "string" }, features: { type: "string" }, out: { type: "string" }, backend: { type: "string" } },
    async run(v) {
      const model = getModel(str(v.model) ?? "");
      const raw = str(v.features);
      if (raw === undefined) throw new Error("--features is required (see `zkrisk prove --help`)");
      if (raw.trim() === "") throw new Error(`--features is empty: give the wallet's ${featureCount(modelPaths(model).description)} transformed features, comma-separated`);
      const features = parseNumberList("--features", raw);
      const paths = modelPaths(model);
      const salt = readSaltSpec(paths.description);
      const backend = parseBackend(str(v.backend) ?? "native");
      const expected = featureCount(paths.description);
      if (features.length !== expected) {
        throw new Error(`--features has ${features.length} values; model ${model.name} takes ${expected}`);
      }
      checkFeatures(model, features, "--features: ");
      venvPython(); // fail before any progress output if the Python side is not installed
      const prover = await openProver(model, { backend });
      const s = drawSalt(salt);
      const { proofJson: _, timings, ...proof } = await prover.prove(features, s).finally(() => prover.close());
      const f: ProofFixture = { name: "cli", features, salt: s, ...proof };
      process.stderr.write(`      witness ${formatDuration(timings.witnessMs)}, prove ${formatDuration(timings.proveMs)}, verify ${formatDuration(timings.verifyMs)}\n`);
      const out = str(v.out);
      if (out) writeFileSync(out, `${JSON.stringify(f, null, 2)}\n`);
      console.log(`tier ${f.tier}; input commitment ${f.inputCommitment}; proof verified${out ? `; written to ${out}` : ""}`);
    },
  },
  index: indexCommand,
  deploy: deployCommand,
  keeper: keeperCommand,
  attest: attestCommand,
  audit: auditCommand,
  demo: demoCommand,
  fork: forkCommand,
  db: dbCommand,
};
