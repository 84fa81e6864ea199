"""One entry for the credit model: simulate -> train -> export (-> optional EZKL check).

    python models/credit/pipeline.py --out models/credit/out [--wallets 20000] [--seed 7]

Deterministic given --seed and --wallets (same data set, split, weights, thresholds,
ONNX bytes). Prints one progress line per step with its duration; on bad input prints
one "pipeline.py: error: ..." line and exits non-zero.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features as F  # noqa: E402
import simulate  # noqa: E402
import train  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    p = F.OneLineParser(prog="pipeline.py", description="simulate -> train -> export the credit model")
    p.add_argument("--out", type=Path, default=HERE / "out", help="output folder (default models/credit/out)")
    p.add_argument("--wallets", type=F.positive_int, default=20000, help="wallets to simulate (default 20000)")
    p.add_argument("--seed", type=F.non_negative_int, default=7, help="seed for simulation, split, training (default 7)")
    p.add_argument("--prices", type=Path, default=simulate.DEFAULT_CSV, help="ETH/USD daily price CSV")
    args = p.parse_args(argv)
    out: Path = args.out
    if out.exists() and not out.is_dir():
        p.error(f"argument --out: not a folder: {str(out)!r}")
    total = time.perf_counter()
    try:
        spec = F.load_spec()
        t0 = time.perf_counter()
        data = simulate.simulate(args.wallets, args.seed, args.prices, spec)
        out.mkdir(parents=True, exist_ok=True)
        simulate.save_dataset(data, out / "dataset.npz")
        (out / "features_golden.json").write_text(json.dumps(simulate.golden_vectors(data, spec), indent=1) + "\n")
        print(f"[1/3] simulate: {args.wallets} wallets, seed {args.seed}, positive rate "
              f"{data['label'].mean():.3f} -> {out / 'dataset.npz'} ({time.perf_counter() - t0:.1f} s)", flush=True)
        t0 = time.perf_counter()
        m = train.train(out / "dataset.npz", out, args.seed)
        te = m["test"]
        print(f"[2/3] train: {m['model']['parameters']} parameters, {m['model']['training']['epochs']} epochs, "
              f"test AUROC {te['auroc']:.3f}, Brier {te['brier']:.4f} -> metrics.json, calibration.png "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)
        print(f"[3/3] export: model.onnx (sha256 {m['export']['onnxSha256'][:16]}...), model.json, "
              f"test_split.json, input_example.json; thresholds t1 {m['thresholds']['t1']:.6f}, "
              f"t2 {m['thresholds']['t2']:.6f}", flush=True)
    except (F.SpecError, simulate.SimulationError, train.TrainError, OSError) as e:
        sys.stderr.write(f"pipeline.py: error: {e}\n")
        return 2
    except Exception as e:  # export.ExportError
        if type(e).__name__ == "ExportError":
            sys.stderr.write(f"pipeline.py: error: {e}\n")
            return 2
        raise
    print(f"done in {time.perf_counter() - total:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
