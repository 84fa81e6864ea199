"""Train the credit MLP, choose the tier thresholds, report test metrics, export.

Steps (all deterministic given --seed):
1. split the data set BY WALLET into train / validation / test (70 / 15 / 15 %), from a
   seeded permutation of the sorted unique wallet ids;
2. standardise with the training split's mean / std; train an MLP F -> 8 -> 4 -> 1
   (ReLU) on binary cross-entropy with Adam, early-stopped on validation loss;
3. thresholds on the raw score (the logit): t1 = the validation quantile 0.50 and
   t2 = the validation quantile 0.80 of the score, i.e. on validation the lowest-risk
   50 % of wallets get tier 0, the next 30 % tier 1, the riskiest 20 % tier 2
   (tier = [score > t1] + [score > t2]);
4. test metrics: AUROC, Brier score of sigmoid(score), log loss, reliability diagram,
   tier x label table, with two reference points: a logistic regression on the same
   features and the single best feature; Spectral's published MLP AUROC is quoted as a
   number from a DIFFERENT (real) data set;
5. export (export.py): model.onnx, model.json, test_split.json.

Usage: python models/credit/train.py --data models/credit/out/dataset.npz --out models/credit/out
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features as F  # noqa: E402

HERE = Path(__file__).resolve().parent
SPLIT_FRACTIONS = (0.70, 0.15, 0.15)
TIER_QUANTILES = (0.50, 0.80)
HIDDEN = (8, 4)
SPECTRAL_BASELINE = {
    "auroc": 0.851,
    "model": "MLP",
    "dataset": "Spectral credit-scoring challenge 1: real borrow events on Aave v2 / Compound v2 Ethereum, "
               "2019-05 to 2023-08, 77 features; label = liquidation or health factor < 1.2",
    "source": "figure as quoted in the project's issue #3; not re-verified offline",
    "comparable": False,
    "note": "DIFFERENT DATA SET (real on-chain data, borrow-event rows, other features and horizon). "
            "Quoted for orientation only; it is not a baseline run on this simulated data.",
}


class TrainError(ValueError):
    """Bad training input (one precise message)."""


# --------------------------------------------------------------------------- metrics
def auroc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve = Mann-Whitney U / (n1 n0), ties counted 1/2."""
    score = np.asarray(score, dtype=np.float64)
    label = np.asarray(label).astype(bool)
    n1, n0 = int(label.sum()), int((~label).sum())
    if n1 == 0 or n0 == 0:
        raise ValueError("AUROC needs both classes")
    order = np.argsort(score, kind="mergesort")
    _, inv, counts = np.unique(score[order], return_inverse=True, return_counts=True)
    avg_rank = np.cumsum(counts) - (counts - 1) / 2.0  # 1-based average rank of each tie group
    ranks = np.empty(len(score))
    ranks[order] = avg_rank[inv]
    return float((ranks[label].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def brier(prob: np.ndarray, label: np.ndarray) -> float:
    return float(np.mean((np.asarray(prob, dtype=np.float64) - np.asarray(label, dtype=np.float64)) ** 2))


def log_loss(prob: np.ndarray, label: np.ndarray) -> float:
    p = np.clip(np.asarray(prob, dtype=np.float64), 1e-12, 1 - 1e-12)
    y = np.asarray(label, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def reliability(prob: np.ndarray, label: np.ndarray, bins: int = 10) -> list[dict]:
    """Equal-width probability bins: count, mean predicted, observed positive rate."""
    prob = np.asarray(prob, dtype=np.float64)
    idx = np.minimum((prob * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        rows.append({"bin": [b / bins, (b + 1) / bins], "count": n,
                     "meanPredicted": float(prob[m].mean()) if n else None,
                     "observedRate": float(np.mean(label[m])) if n else None})
    return rows


def ece(rows: list[dict], n: int) -> float:
    return float(sum(r["count"] / n * abs(r["meanPredicted"] - r["observedRate"]) for r in rows if r["count"]))


def tier_table(tier: np.ndarray, label: np.ndarray) -> list[dict]:
    out = []
    for t in range(3):
        m = tier == t
        out.append({"tier": t, "wallets": int(m.sum()), "label0": int((m & (label == 0)).sum()),
                    "label1": int((m & (label == 1)).sum()),
                    "observedDefaultRate": float(label[m].mean()) if m.any() else None})
    return out


def tiers(score: np.ndarray, t1: float, t2: float) -> np.ndarray:
    return (score > t1).astype(np.int64) + (score > t2).astype(np.int64)


# --------------------------------------------------------------------------- split
def split_by_wallet(wallet_ids: np.ndarray, seed: int, fractions=SPLIT_FRACTIONS) -> dict[str, np.ndarray]:
    """Row indices of train / val / test; every row of a wallet lands in the same split."""
    wallet_ids = np.asarray(wallet_ids)
    uniq = np.unique(wallet_ids)  # sorted: independent of row order
    perm = np.random.default_rng(seed).permutation(len(uniq))
    n_train = int(round(fractions[0] * len(uniq)))
    n_val = int(round(fractions[1] * len(uniq)))
    part = np.empty(len(uniq), dtype=np.int64)
    part[perm[:n_train]] = 0
    part[perm[n_train:n_train + n_val]] = 1
    part[perm[n_train + n_val:]] = 2
    row_part = part[np.searchsorted(uniq, wallet_ids)]
    return {name: np.flatnonzero(row_part == k) for k, name in enumerate(("train", "val", "test"))}


# --------------------------------------------------------------------------- model
def make_mlp(n_in: int):
    import torch
    layers, prev = [], n_in
    for h in HIDDEN:
        layers += [torch.nn.Linear(prev, h), torch.nn.ReLU()]
        prev = h
    layers.append(torch.nn.Linear(prev, 1))
    return torch.nn.Sequential(*layers)


def fit(model, xtr, ytr, xva, yva, seed: int, epochs: int = 80, lr: float = 3e-3,
        weight_decay: float = 1e-4, batch: int = 256, patience: int = 10) -> dict:
    """Adam on BCE-with-logits; keeps the state with the best validation loss."""
    import torch
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    xtr_t, ytr_t = torch.tensor(xtr), torch.tensor(ytr, dtype=torch.float32)[:, None]
    xva_t, yva_t = torch.tensor(xva), torch.tensor(yva, dtype=torch.float32)[:, None]
    best, best_state, since, history = float("inf"), None, 0, []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr_t), generator=gen)
        for i in range(0, len(perm), batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr_t[b]), ytr_t[b])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            v = float(loss_fn(model(xva_t), yva_t))
        history.append(v)
        if v < best - 1e-5:
            best, since = v, 0
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        else:
            since += 1
            if since >= patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    return {"epochs": len(history), "bestValLoss": best, "valLossHistory": [round(h, 5) for h in history]}


def predict(model, x: np.ndarray) -> np.ndarray:
    import torch
    with torch.no_grad():
        return model(torch.tensor(x, dtype=torch.float32)).numpy()[:, 0].astype(np.float64)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# --------------------------------------------------------------------------- plot
def calibration_plot(rows: list[dict], prob: np.ndarray, label: np.ndarray, metrics: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6.4, 7.6), gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    pts = [(r["meanPredicted"], r["observedRate"], r["count"]) for r in rows if r["count"]]
    xs, ys, ns = zip(*pts)
    ax.plot([0, 1], [0, 1], ls="--", c="grey", lw=1, label="perfect calibration")
    ax.plot(xs, ys, marker="o", c="C0", label="credit MLP (test split)")
    for x_, y_, n_ in pts:
        ax.annotate(str(n_), (x_, y_), textcoords="offset points", xytext=(4, -10), fontsize=7, color="C0")
    ax.set_ylabel("observed rate of label 1 (liquidated or HF < 1.2 in 30 d)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    m = metrics["test"]
    sb = SPECTRAL_BASELINE
    ax.set_title("Reliability diagram - simulated data, test split", fontsize=11)
    ax.text(0.02, 0.97,
            f"AUROC {m['auroc']:.3f}   Brier {m['brier']:.4f}   ECE {m['ece']:.4f}\n"
            f"n = {m['wallets']}, positive rate {m['positiveRate']:.3f}\n"
            f"Spectral's published MLP: AUROC {sb['auroc']:.3f} on REAL Aave/Compound\n"
            f"data - a different data set, not comparable", transform=ax.transAxes, va="top", fontsize=8,
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.7"})
    ax.legend(loc="lower right", fontsize=8)
    bins = np.linspace(0, 1, 21)
    ax2.hist([prob[label == 0], prob[label == 1]], bins=bins, stacked=True, color=["C2", "C3"],
             label=["label 0", "label 1"])
    ax2.set_yscale("log")
    ax2.set_xlabel("predicted probability sigmoid(score)")
    ax2.set_ylabel("wallets")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------- main
def load_dataset(path: Path, spec: dict) -> dict:
    if not Path(path).is_file():
        raise TrainError(f"data set not found: {path}")
    try:
        d = np.load(path)
        data = {k: d[k] for k in ("wallet_id", "x", "label", "feature_names", "archetype", "archetype_names")}
    except (KeyError, ValueError, OSError) as e:
        raise TrainError(f"{path}: not a data set written by simulate.py ({e})") from None
    names = F.feature_names(spec)
    if list(data["feature_names"]) != names:
        raise TrainError(f"{path}: its features differ from features.json (re-run simulate.py)")
    if data["x"].shape != (len(data["label"]), len(names)):
        raise TrainError(f"{path}: x has shape {data['x'].shape}, expected [rows, {len(names)}]")
    if len(data["label"]) < 100:
        raise TrainError(f"{path}: too few rows ({len(data['label'])}) to split and train")
    return data


def train(data_path: Path, out: Path, seed: int) -> dict:
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    spec = F.load_spec()
    data = load_dataset(data_path, spec)
    names = F.feature_names(spec)
    x, y = data["x"].astype(np.float32), data["label"].astype(np.int64)
    split = split_by_wallet(data["wallet_id"], seed)
    tr, va, te = split["train"], split["val"], split["test"]
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        assert not set(data["wallet_id"][split[a]]) & set(data["wallet_id"][split[b]])
    if min(y[tr].sum(), y[va].sum(), y[te].sum()) == 0 or min((1 - y[tr]).sum(), (1 - y[te]).sum()) == 0:
        raise TrainError("a split has a single class; simulate more wallets")

    mu = x[tr].astype(np.float64).mean(axis=0)
    sd = np.maximum(x[tr].astype(np.float64).std(axis=0), 1e-6)
    std = lambda a: ((a - mu) / sd).astype(np.float32)  # noqa: E731

    mlp = make_mlp(len(names))
    hist = fit(mlp, std(x[tr]), y[tr], std(x[va]), y[va], seed)
    logreg = torch.nn.Linear(len(names), 1)
    fit(logreg, std(x[tr]), y[tr], std(x[va]), y[va], seed)

    s_va, s_te = predict(mlp, std(x[va])), predict(mlp, std(x[te]))
    t1, t2 = (float(np.quantile(s_va, q)) for q in TIER_QUANTILES)
    p_te = sigmoid(s_te)
    rows = reliability(p_te, y[te])
    best_single = max(range(len(names)), key=lambda j: auroc(x[va, j], y[va]))
    metrics = {
        "dataset": {"file": Path(data_path).name, "wallets": int(len(y)), "positiveRate": float(y.mean()),
                    "simulated": True,
                    "label": "liquidated OR health factor < 1.2 at any daily sample in the 30 days after the snapshot"},
        "split": {"method": "by wallet, seeded permutation of the sorted unique wallet ids",
                  "seed": seed, "fractions": list(SPLIT_FRACTIONS),
                  "wallets": {k: int(len(v)) for k, v in split.items()},
                  "positiveRate": {k: float(y[v].mean()) for k, v in split.items()}},
        "model": {"architecture": f"MLP {len(names)} -> " + " -> ".join(map(str, HIDDEN)) + " -> 1 (ReLU), score = logit",
                  "parameters": int(sum(p.numel() for p in mlp.parameters())), "training": hist},
        "thresholds": {"t1": t1, "t2": t2, "on": "score (logit); tier = [score > t1] + [score > t2]",
                       "rule": f"validation score quantiles {TIER_QUANTILES[0]} and {TIER_QUANTILES[1]}: "
                               "on validation 50% tier 0, 30% tier 1, 20% tier 2",
                       "probability": {"t1": float(sigmoid(np.array(t1))), "t2": float(sigmoid(np.array(t2)))}},
        "test": {"wallets": int(len(te)), "positiveRate": float(y[te].mean()),
                 "auroc": auroc(s_te, y[te]), "brier": brier(p_te, y[te]),
                 "brierOfBaseRate": brier(np.full(len(te), y[tr].mean()), y[te]),
                 "logLoss": log_loss(p_te, y[te]), "ece": ece(rows, len(te)), "reliability": rows,
                 "tierTable": tier_table(tiers(s_te, t1, t2), y[te])},
        "validation": {"auroc": auroc(s_va, y[va]), "tierTable": tier_table(tiers(s_va, t1, t2), y[va])},
        "references": {
            "logisticRegressionSameFeatures": {"testAuroc": auroc(predict(logreg, std(x[te])), y[te])},
            "bestSingleFeature": {"feature": names[best_single], "chosenOn": "validation",
                                  "testAuroc": auroc(x[te, best_single], y[te])},
            "spectralPublishedMlp": SPECTRAL_BASELINE,
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    calibration_plot(rows, p_te, y[te], metrics, out / "calibration.png")

    import export
    export_info = export.export_all(mlp, mu, sd, t1, t2, spec, x[te], data["wallet_id"][te], y[te], out, metrics)
    metrics["export"] = export_info
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main(argv: list[str]) -> int:
    p = F.OneLineParser(prog="train.py", description="Train, threshold, evaluate and export the credit model.")
    p.add_argument("--data", type=Path, default=HERE / "out" / "dataset.npz", help="data set from simulate.py")
    p.add_argument("--out", type=Path, default=HERE / "out", help="output folder")
    p.add_argument("--seed", type=F.non_negative_int, default=7, help="split / training seed (default 7)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        m = train(args.data, args.out, args.seed)
    except (TrainError, F.SpecError) as e:
        sys.stderr.write(f"train.py: error: {e}\n")
        return 2
    te = m["test"]
    print(f"trained {m['model']['parameters']} parameters in {m['model']['training']['epochs']} epochs: "
          f"test AUROC {te['auroc']:.3f}, Brier {te['brier']:.4f}; thresholds t1 {m['thresholds']['t1']:.4f}, "
          f"t2 {m['thresholds']['t2']:.4f}; wrote {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
