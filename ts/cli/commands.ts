// The CLI's subcommands: each names its options and calls one module.
import { runPipeline } from "../pipeline/circuit.js";
import { getModel, MODELS } from "../pipeline/models.js";

type OptionSpec = { type: "string" | "boolean"; short?: string };

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly help: string;
  readonly options: Record<string, OptionSpec>;
  run(values: Record<string, string | boolean | undefined>): Promise<void>;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

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
};
