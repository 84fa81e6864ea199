"""The scaling family of `npm run bench`: MLPs of increasing width, each run through the same EZKL
pipeline as the production credit model (settings -> calibrate -> compile -> SRS -> setup ->
witness -> prove -> verify), one step per process so that bench/scaling.ts can time each step and
read its peak memory (RSS) on its own.

Usage: python bench/scaling_models.py <step> '<json args>'
Prints one JSON line on stdout: {"ok": true, ...result} or {"ok": false, "error": "..."}.

Steps:
  build   {dir, inputs, hidden, layers, seed, visibility, maxLogrows}
          a seeded MLP inputs -> hidden x layers -> 1 (ReLU), exported to ONNX (opset 17), an input
          file, settings (visibility as the production circuit: hashed input, hashed params,
          public output; or "fixed" params), calibrate (one scale, "resources"), compile.
          -> {params, logrows, numRows, poseidonRows, ms}
  srs     {srs, logrows}  an INSECURE local SRS (gen_srs), for benchmarking only
  setup   {compiled, srs, vk, pk}  -> {pkBytes, vkBytes}
  prove   {compiled, pk, srs, vk, settings, input, work}  -> {ms: {witness, prove, verify}, proofBytes}
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import ezkl

# The step-script machinery is the circuit pipeline's own (circuits/ezkl_steps.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "circuits"))
from ezkl_steps import StepError, _call, elapsed_ms as _ms, run_cli  # noqa: E402

OPSET = 17
# One fixed-point scale for the whole family (calibration searches only the lookup range and
# logrows): the credit circuit's calibration picked 12/13; the family keeps 7 so that a wide
# layer's accumulators stay well inside the field and calibration stays short.
SCALE = 7


def _settings(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


async def build(a: dict[str, Any]) -> dict[str, Any]:
    import torch

    out = Path(a["dir"])
    out.mkdir(parents=True, exist_ok=True)
    inputs, hidden, layers = int(a["inputs"]), int(a["hidden"]), int(a["layers"])
    torch.manual_seed(int(a.get("seed", 0)))
    mods: list[torch.nn.Module] = []
    width = inputs
    for _ in range(layers):
        mods += [torch.nn.Linear(width, hidden), torch.nn.ReLU()]
        width = hidden
    mods.append(torch.nn.Linear(width, 1))
    net = torch.nn.Sequential(*mods).eval()
    params = sum(p.numel() for p in net.parameters())

    onnx_path, data, settings, compiled = out / "model.onnx", out / "input.json", out / "settings.json", out / "model.compiled"
    ms: dict[str, float] = {}
    t = time.perf_counter()
    torch.onnx.export(net, (torch.zeros(1, inputs),), str(onnx_path), input_names=["input"], output_names=["output"],
                      opset_version=OPSET, dynamo=False)
    ms["export"] = _ms(t)
    g = torch.Generator().manual_seed(int(a.get("seed", 0)) + 1)
    x = (torch.rand(inputs, generator=g) * 2 - 1).tolist()
    data.write_text(json.dumps({"input_data": [x]}))

    run_args = ezkl.PyRunArgs()
    run_args.input_visibility = "hashed"
    run_args.param_visibility = a.get("visibility", "hashed")
    run_args.output_visibility = "public"
    run_args.input_scale = SCALE
    run_args.param_scale = SCALE
    t = time.perf_counter()
    if not ezkl.gen_settings(str(onnx_path), str(settings), py_run_args=run_args):
        raise StepError("ezkl gen_settings failed")
    ms["settings"] = _ms(t)
    # calibrated on the input the proof will use (batch 1, like the production circuit)
    t = time.perf_counter()
    ok = await _call(ezkl.calibrate_settings, str(data), str(onnx_path), str(settings), "resources",
                     scales=[SCALE], max_logrows=int(a.get("maxLogrows", 26)))
    if not ok:
        raise StepError("ezkl calibrate_settings failed")
    ms["calibrate"] = _ms(t)
    t = time.perf_counter()
    if not ezkl.compile_circuit(str(onnx_path), str(compiled), str(settings)):
        raise StepError("ezkl compile_circuit failed")
    ms["compile"] = _ms(t)
    s = _settings(settings)
    poseidon = (s.get("module_sizes") or {}).get("poseidon") or [0]
    return {
        "params": params,
        "logrows": int(s["run_args"]["logrows"]),
        "numRows": int(s.get("num_rows", 0)),
        "poseidonRows": int(poseidon[0] or 0),
        "ms": ms,
    }


async def srs(a: dict[str, Any]) -> dict[str, Any]:
    path = Path(a["srs"])
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    ezkl.gen_srs(str(path), int(a["logrows"]))
    return {"srs": str(path), "ms": {"srs": _ms(t)}}


async def setup(a: dict[str, Any]) -> dict[str, Any]:
    t = time.perf_counter()
    if not await _call(ezkl.setup, a["compiled"], a["vk"], a["pk"], a["srs"]):
        raise StepError("ezkl setup failed")
    return {"pkBytes": os.path.getsize(a["pk"]), "vkBytes": os.path.getsize(a["vk"]), "ms": {"setup": _ms(t)}}


async def prove(a: dict[str, Any]) -> dict[str, Any]:
    work = Path(a["work"])
    work.mkdir(parents=True, exist_ok=True)
    wit, proof = work / "witness.json", work / "proof.json"
    ms: dict[str, float] = {}
    t = time.perf_counter()
    await _call(ezkl.gen_witness, a["input"], a["compiled"], str(wit))
    ms["witness"] = _ms(t)
    t = time.perf_counter()
    await _call(ezkl.prove, str(wit), a["compiled"], a["pk"], str(proof), "single", a["srs"])
    ms["prove"] = _ms(t)
    t = time.perf_counter()
    if not await _call(ezkl.verify, str(proof), a["settings"], a["vk"], a["srs"]):
        raise StepError("the proof does not verify")
    ms["verify"] = _ms(t)
    size = len(bytes.fromhex(json.loads(proof.read_text())["hex_proof"].removeprefix("0x")))
    return {"ms": ms, "proofBytes": size}


STEPS = {f.__name__: f for f in (build, srs, setup, prove)}


if __name__ == "__main__":
    os.environ.setdefault("RUST_LOG", "error")
    sys.exit(run_cli(STEPS, sys.argv[1:], "scaling_models.py"))
