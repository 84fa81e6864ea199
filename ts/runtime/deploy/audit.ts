// The audit an outsider with the model's weights can run: recompute the parameter commitment
// from the ONNX file (EZKL hashes the quantized weights with Poseidon; every proof carries that
// hash as its second public instance) and compare it with the committed manifest and with the
// model each chain's registry accepts proofs for, and its verifier.
import { join } from "node:path";
import { isAddressEqual, type Hex } from "viem";
import { readJson, readSettings } from "../../pipeline/keys.js";
import { circuitPaths, featureCount, modelPaths, type ModelSpec } from "../../pipeline/models.js";
import { readSaltSpec } from "../../pipeline/salt.js";
import { ezklStep } from "../../toolchain/python.js";
import { CIRCUIT_SLOTS, type ContractKey } from "./deployment.js";
import { attestationRegistryAbi } from "../../generated/abi.generated.js";
import type { ConnectedChain } from "../chains/connect.js";

export interface AuditCheck {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface AuditResult {
  readonly paramCommitment: Hex;
  readonly checks: readonly AuditCheck[];
}

/** Recompute a model's parameter commitment from an ONNX file with the committed settings. */
export async function recomputeParamCommitment(spec: ModelSpec, onnx?: string): Promise<Hex> {
  const paths = modelPaths(spec);
  // the single-wallet circuit: every circuit of a model shares its weights, hence this commitment
  const single = circuitPaths(spec, spec.circuits[0]);
  const inputLength = featureCount(paths.description) + readSaltSpec(paths.description).saltLength;
  const r = await ezklStep<{ paramCommitment: Hex }>("param_commitment", {
    model: onnx ?? single.onnx,
    settings: single.settings,
    work: join(paths.work, "audit"),
    inputLength,
  });
  return r.paramCommitment;
}

export async function audit(spec: ModelSpec, chains: readonly ConnectedChain[], onnx?: string): Promise<AuditResult> {
  const paths = modelPaths(spec);
  const manifest = readJson<{ modelId: Hex; tierCount: number }>(paths.manifest);
  const { outputScale } = readSettings(circuitPaths(spec, spec.circuits[0]));
  const pc = await recomputeParamCommitment(spec, onnx);
  const same = (a: string, b: string) => BigInt(a) === BigInt(b);
  const checks: AuditCheck[] = [
    { what: "manifest modelId", ok: same(pc, manifest.modelId), detail: `circuits/${spec.name}/manifest.json says ${manifest.modelId}` },
  ];
  for (const c of chains) {
    const label = `chain ${c.chain.chainId} registry`;
    const m = await c.client.readContract({ address: c.deployment.contracts.registry.address, abi: attestationRegistryAbi, functionName: "model", args: [pc] });
    checks.push({ what: `${label}: model registered and active`, ok: m.registered && m.active, detail: m.registered ? (m.active ? "active" : "retired") : `no model ${pc}` });
    if (!m.registered) continue;
    for (const [key, slots] of Object.entries(CIRCUIT_SLOTS) as [ContractKey, number][]) {
      const want = c.deployment.contracts[key].address;
      const got = await c.client.readContract({ address: c.deployment.contracts.registry.address, abi: attestationRegistryAbi, functionName: "verifierOf", args: [pc, slots] });
      checks.push({ what: `${label}: ${slots}-slot circuit verifier`, ok: isAddressEqual(got, want), detail: `registry ${got}, deployment ${want}` });
    }
    checks.push({
      what: `${label}: tiers and output scale`,
      ok: m.tierCount === manifest.tierCount && m.outputScale === outputScale,
      detail: `registry ${m.tierCount} tiers at scale ${m.outputScale}; circuit ${manifest.tierCount} at ${outputScale}`,
    });
  }
  return { paramCommitment: pc, checks };
}
