// One fresh process proving with @ezkljs/engine (WebAssembly, in process): bench/proving.ts
// spawns it so that each engine run starts cold and its memory is its own. Prints one JSON line
// per proof as it finishes, then a summary line.
//
// Usage: node --import tsx bench/engine-child.ts '{"model": "credit", "proofs": 2}'
import { getModel } from "../ts/pipeline/models.js";
import { openProver } from "../ts/prover/prover.js";
import { readFixtures } from "./fixtures.js";

interface Args {
  model: string;
  proofs: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as Args;
  const model = getModel(args.model);
  const fixtures = readFixtures(model);
  const silent = { step: <T>(_: string, run: () => Promise<T>) => run(), skip: () => undefined };
  const prover = await openProver(model, { backend: "engine", onProgress: () => undefined, reporter: silent });
  for (let i = 0; i < args.proofs; i++) {
    const f = fixtures[i % fixtures.length]!;
    const started = performance.now();
    const proof = await prover.prove(f.features, f.salt);
    const wallMs = performance.now() - started;
    if (proof.tier !== f.tier) throw new Error(`engine proof of ${f.name} gives tier ${proof.tier}, the fixture says ${f.tier}`);
    process.stdout.write(`${JSON.stringify({ proof: i, fixture: f.name, wallMs, ...proof.timings, calldataBytes: (proof.calldata.length - 2) / 2 })}\n`);
  }
  await prover.close();
  process.stdout.write(`${JSON.stringify({ ok: true, loadMs: prover.loadMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

main().catch((e: Error) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: e.message })}\n`);
  process.exit(1);
});
