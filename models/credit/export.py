"""Export the trained credit model for the circuit (ONNX) and for auditors (JSON).

Graph (one input "input" [1, F + saltLength] float32, one output "tier" [1, 1]):

    features = input[:, :F]            salt = input[:, F:]
    h1 = relu(features @ W1'^T + b1')  (standardisation (x - mu) / sd folded into W1', b1')
    h2 = relu(h1 @ W2^T + b2)
    score = h2 @ W3^T + b3             (a logit; no sigmoid: thresholds are on the logit)
    tier = float(score > t1) + float(score > t2) + 0 * sum(salt)

The last term keeps the salt in the graph: the salt is part of the single input tensor, so
EZKL's Poseidon input commitment (hashed input visibility) covers it, and the graph still
consumes it (checked below after export). t1, t2 are graph constants, hence committed with
the model.

Files written: model.onnx, model.json (plain weights, standardisation, folded weights,
thresholds), test_split.json (test feature vectors, no salt, with the float model's tier),
input_example.json (one test vector + a fixed, NON-secret example salt, EZKL data format).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features as F  # noqa: E402

OPSET = 17


def _torch():
    import torch
    return torch


class ExportError(RuntimeError):
    pass


def build_tier_model(mlp, mu: np.ndarray, sd: np.ndarray, t1: float, t2: float, n_features: int):
    """A torch Module input [n, F + salt] -> tier [n, 1], standardisation folded into layer 1."""
    torch = _torch()
    linears = [m for m in mlp if isinstance(m, torch.nn.Linear)]
    if len(linears) < 2 or linears[0].in_features != n_features:
        raise ExportError("unexpected MLP structure")
    first = linears[0]
    w = first.weight.detach().double()
    b = first.bias.detach().double()
    mu_t, sd_t = torch.tensor(mu, dtype=torch.float64), torch.tensor(sd, dtype=torch.float64)
    folded = torch.nn.Linear(first.in_features, first.out_features)
    with torch.no_grad():
        folded.weight.copy_((w / sd_t).float())
        folded.bias.copy_((b - (w * (mu_t / sd_t)).sum(dim=1)).float())
    rest = [m for m in mlp][1:]
    net = torch.nn.Sequential(folded, *[_clone(m) for m in rest])

    class CreditTierModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net
            self.n_features = n_features
            self.t1 = float(t1)
            self.t2 = float(t2)

        def score(self, x):
            return self.net(x[:, : self.n_features])

        def forward(self, x):
            features = x[:, : self.n_features]
            salt = x[:, self.n_features:]
            score = self.net(features)
            tier = (score > self.t1).float() + (score > self.t2).float()
            return tier + 0.0 * salt.sum(dim=1, keepdim=True)

    return CreditTierModel().eval()


def _clone(m):
    import copy
    return copy.deepcopy(m)


def check_onnx(path: Path, width: int, n_features: int) -> dict:
    """Structural checks of the exported graph; raises ExportError on a violation."""
    import onnx
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    g = model.graph
    inits = {i.name for i in g.initializer}
    inputs = [i for i in g.input if i.name not in inits]
    dims = lambda v: [d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    if len(inputs) != 1 or inputs[0].name != "input" or dims(inputs[0]) != [1, width]:
        raise ExportError(f"ONNX input must be one 'input' [1, {width}], got {[(i.name, dims(i)) for i in inputs]}")
    if inputs[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        raise ExportError("ONNX input must be float32")
    if len(g.output) != 1 or g.output[0].name != "tier" or dims(g.output[0]) != [1, 1]:
        raise ExportError(f"ONNX output must be one 'tier' [1, 1], got {[(o.name, dims(o)) for o in g.output]}")
    ops = [n.op_type for n in g.node]
    # the salt path: some node must consume a slice of the input that starts at n_features
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    slices = [n for n in consumers.get("input", []) if n.op_type in ("Slice", "Gather")]
    salt_used = any(n.op_type in ("ReduceSum", "Sum") for s in slices for o in s.output for n in consumers.get(o, []))
    if not salt_used:
        raise ExportError("the salt is not consumed by the graph (constant folding removed it?)")
    return {"opset": OPSET, "ops": sorted(set(ops)), "nodes": len(ops), "saltConsumed": True}


def export_all(mlp, mu, sd, t1, t2, spec, x_test, ids_test, y_test, out: Path, metrics: dict) -> dict:
    torch = _torch()
    names = F.feature_names(spec)
    n_feat, n_salt = len(names), spec["salt"]["saltLength"]
    width = n_feat + n_salt
    model = build_tier_model(mlp, mu, sd, t1, t2, n_feat)

    # folding must not change the score
    xs = torch.tensor(x_test, dtype=torch.float32)
    with torch.no_grad():
        s_ref = mlp(((xs.double() - torch.tensor(mu)) / torch.tensor(sd)).float())[:, 0]
        s_fold = model.score(xs)[:, 0]
    fold_err = float((s_ref - s_fold).abs().max())
    if fold_err > 1e-3:
        raise ExportError(f"folded standardisation changes the score by {fold_err}")

    onnx_path = out / "model.onnx"
    torch.onnx.export(model, (torch.zeros(1, width),), str(onnx_path), input_names=["input"],
                      output_names=["tier"], opset_version=OPSET, dynamo=False)
    graph = check_onnx(onnx_path, width, n_feat)
    onnx_sha = hashlib.sha256(onnx_path.read_bytes()).hexdigest()

    # test split, rounded to 6 decimals; tiers from the float model on exactly those values
    x_r = np.round(x_test.astype(np.float64), 6).astype(np.float32)
    with torch.no_grad():
        inp = torch.cat([torch.tensor(x_r), torch.zeros(len(x_r), n_salt)], dim=1)
        tier_r = model(inp)[:, 0].numpy().astype(int)
        score_r = model.score(inp)[:, 0].numpy().astype(np.float64)
    near = np.minimum(np.abs(score_r - t1), np.abs(score_r - t2))
    test_split = {
        "description": "Test split of the simulated credit data set: transformed feature vectors (features.json "
                       "order, no salt; append saltLength salt elements to form the model input) and the float "
                       "model's tier for each, computed on exactly these rounded values. 'score' is the float "
                       "logit, for spotting vectors close to a threshold.",
        "featureNames": names, "saltLength": n_salt, "thresholds": [t1, t2], "count": int(len(x_r)),
        "wallet": [str(w) for w in ids_test],
        "x": [[round(float(v), 6) for v in row] for row in x_r],
        "tier": tier_r.tolist(),
        "score": [round(float(s), 6) for s in score_r],
        "label": [int(v) for v in y_test],
    }
    (out / "test_split.json").write_text(json.dumps(test_split, separators=(",", ":")) + "\n")

    salt = F.make_salt(1, spec, np.random.default_rng(0))
    example = F.input_vector(x_r[:1], salt, spec)
    (out / "input_example.json").write_text(json.dumps({"input_data": [[float(v) for v in example[0]]]}) + "\n")

    lin = [m for m in mlp if isinstance(m, torch.nn.Linear)]
    flin = [m for m in model.net if isinstance(m, torch.nn.Linear)]
    as_list = lambda t: np.round(t.detach().double().numpy(), 9).tolist()  # noqa: E731
    model_json = {
        "model": "zkrisk-credit",
        "version": 1,
        "description": "Credit tier model. score = MLP((x - mean) / std) (a logit); "
                       "tier = [score > t1] + [score > t2]. 'layers' act on standardised features; "
                       "'foldedLayers' are what model.onnx computes on raw transformed features "
                       "(layer 1 absorbs the standardisation). Activation: ReLU between layers.",
        "featureSpec": "models/credit/features.json",
        "featureNames": names,
        "input": {"name": "input", "shape": [1, width], "order": "transformed features..., salt..."},
        "saltLength": n_salt,
        "saltBits": spec["salt"]["saltBits"],
        "standardisation": {"mean": mu.tolist(), "std": sd.tolist()},
        "layers": [{"weight": as_list(m.weight), "bias": as_list(m.bias)} for m in lin],
        "foldedLayers": [{"weight": as_list(m.weight), "bias": as_list(m.bias)} for m in flin],
        "activation": "relu",
        "thresholds": {"t1": t1, "t2": t2, "on": "logit score",
                       "rule": metrics["thresholds"]["rule"]},
        "parameters": int(sum(p.numel() for p in mlp.parameters())),
        "onnx": {"file": "model.onnx", "sha256": onnx_sha, **graph},
    }
    (out / "model.json").write_text(json.dumps(model_json, indent=1) + "\n")
    return {"onnx": "model.onnx", "onnxSha256": onnx_sha, "foldingMaxAbsError": fold_err,
            "testVectorsWithin1e-3OfThreshold": int((near < 1e-3).sum()), "graph": graph}
