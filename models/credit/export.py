"""Export the trained credit model for the circuits (ONNX) and for auditors (JSON).

One graph definition, exported for two circuits that share every weight (hence one parameter
commitment, one model id): the single-wallet circuit (1 slot, `model.onnx`) for on-demand
proofs and the round circuit (`slots` slots, `model_round.onnx`) that proves many wallets at once.

Graph (inputs "slot0" .. "slot<B-1>", each [1, F + saltLength] float32; one output "out" [B, 2]):

    x        = concat(slot0, ..., slot<B-1>)  [B, F + salt]   (each slot is its own input tensor, so
                                                            EZKL hashes each wallet's input on its own)
    features = clamp(x[:, :F], 0, bounds_hi)   salt = x[:, F:]
    h1 = relu(features @ W1'^T + b1')          (standardisation (x - mu) / sd folded into W1', b1')
    h2 = relu(h1 @ W2^T + b2)
    score = h2 @ W3^T + b3                     (a logit; no sigmoid: thresholds are on the logit)
    tier = float(score > t1) + float(score > t2)
    neverLiquidated = 1 - float(features[:, liquidation_count] > 0)
    out = [tier, neverLiquidated] + 0 * sum(salt)

The clamp (every lower bound in features.json is 0) means no committed vector, however malformed,
scores differently from its projection into the bounds. The last term keeps the salt in the graph:
the salt is part of each slot's input tensor, so EZKL's Poseidon input commitment covers it. t1, t2
and the bounds are graph constants, hence committed with the weights.

Files written: model.onnx, model_round.onnx, model.json (plain weights, standardisation, folded
weights, thresholds), test_split.json (test feature vectors, no salt, with the float model's tier),
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


def build_tier_model(mlp, mu: np.ndarray, sd: np.ndarray, t1: float, t2: float, spec: dict, slots: int = 1):
    """A torch Module (slot_0, ..., slot_{slots-1}) each [1, F + salt] -> out [slots, 2] = [tier, neverLiquidated].

    Standardisation folded into layer 1. Calling it with one [n, F + salt] tensor evaluates n
    wallets at once (the same arithmetic as n slots).
    """
    torch = _torch()
    n_features = len(spec["features"])
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
    bounds = F.bounds(spec)
    if np.any(bounds[:, 0] != 0):
        raise ExportError("the graph's clamp assumes every feature's lower bound is 0 (features.json bounds)")
    hi = torch.tensor(bounds[:, 1], dtype=torch.float32)[None, :]
    liq = F.feature_names(spec).index(spec["output"]["claims"]["neverLiquidated"]["feature"])

    class CreditTierModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net
            self.n_features = n_features
            self.slots = slots
            self.liq = liq
            self.t1 = float(t1)
            self.t2 = float(t2)
            self.register_buffer("hi", hi)

        def clamp(self, f):
            return self.hi - torch.relu(self.hi - torch.relu(f))

        def score(self, x):
            return self.net(self.clamp(x[:, : self.n_features]))

        def forward(self, *slot_inputs):
            x = torch.cat(slot_inputs, dim=0) if len(slot_inputs) > 1 else slot_inputs[0]
            features = self.clamp(x[:, : self.n_features])
            salt = x[:, self.n_features:]
            score = self.net(features)
            tier = (score > self.t1).float() + (score > self.t2).float()
            never_liquidated = 1.0 - (features[:, self.liq:self.liq + 1] > 0).float()
            return torch.cat([tier, never_liquidated], dim=1) + 0.0 * salt.sum(dim=1, keepdim=True)

    return CreditTierModel().eval()


def _clone(m):
    import copy
    return copy.deepcopy(m)


def check_onnx(path: Path, width: int, slots: int) -> dict:
    """Structural checks of an exported graph; raises ExportError on a violation."""
    import onnx
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    g = model.graph
    inits = {i.name for i in g.initializer}
    inputs = [i for i in g.input if i.name not in inits]
    dims = lambda v: [d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    want = [(f"slot{i}", [1, width]) for i in range(slots)]
    got = [(i.name, dims(i)) for i in inputs]
    if got != want:
        raise ExportError(f"ONNX inputs must be slot0..slot{slots - 1}, each [1, {width}], got {got[:3]}...")
    if any(i.type.tensor_type.elem_type != onnx.TensorProto.FLOAT for i in inputs):
        raise ExportError("ONNX inputs must be float32")
    if len(g.output) != 1 or g.output[0].name != "out" or dims(g.output[0]) != [slots, 2]:
        raise ExportError(f"ONNX output must be one 'out' [{slots}, 2], got {[(o.name, dims(o)) for o in g.output]}")
    ops = [n.op_type for n in g.node]
    # the salt path: a slice of the (concatenated) input must feed a ReduceSum
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    roots = ["slot0"] if slots == 1 else [o for n in consumers.get("slot0", []) if n.op_type == "Concat" for o in n.output]
    slices = [n for r in roots for n in consumers.get(r, []) if n.op_type in ("Slice", "Gather")]
    salt_used = any(n.op_type in ("ReduceSum", "Sum") for s in slices for o in s.output for n in consumers.get(o, []))
    if not salt_used:
        raise ExportError("the salt is not consumed by the graph (constant folding removed it?)")
    return {"opset": OPSET, "ops": sorted(set(ops)), "nodes": len(ops), "slots": slots, "saltConsumed": True}


def export_onnx(model, path: Path, width: int, slots: int) -> dict:
    """Export the graph with `slots` input tensors to `path` and check its structure."""
    torch = _torch()
    torch.onnx.export(model, tuple(torch.zeros(1, width) for _ in range(slots)), str(path),
                      input_names=[f"slot{i}" for i in range(slots)], output_names=["out"],
                      opset_version=OPSET, dynamo=False)
    graph = check_onnx(path, width, slots)
    return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **graph}


def export_all(mlp, mu, sd, t1, t2, spec, x_test, ids_test, y_test, out: Path, metrics: dict) -> dict:
    torch = _torch()
    names = F.feature_names(spec)
    n_feat, n_salt = len(names), spec["salt"]["saltLength"]
    width = n_feat + n_salt
    circuits = spec["circuits"]
    model = build_tier_model(mlp, mu, sd, t1, t2, spec)

    # folding must not change the score
    xs = torch.tensor(x_test, dtype=torch.float32)
    with torch.no_grad():
        s_ref = mlp(((xs.double() - torch.tensor(mu)) / torch.tensor(sd)).float())[:, 0]
        s_fold = model.score(xs)[:, 0]
    fold_err = float((s_ref - s_fold).abs().max())
    if fold_err > 1e-3:
        raise ExportError(f"folded standardisation changes the score by {fold_err}")

    # one graph, one export per circuit; the weights (and so the parameter commitment) are shared
    onnx = {name: export_onnx(build_tier_model(mlp, mu, sd, t1, t2, spec, c["slots"]), out / c["onnx"], width, c["slots"])
            for name, c in circuits.items() if isinstance(c, dict)}
    onnx_sha = onnx["single"]["sha256"]

    # test split, rounded to 6 decimals; tiers from the float model on exactly those values
    x_r = np.round(x_test.astype(np.float64), 6).astype(np.float32)
    with torch.no_grad():
        inp = torch.cat([torch.tensor(x_r), torch.zeros(len(x_r), n_salt)], dim=1)
        tier_r = model(inp)[:, 0].numpy().astype(int)
        never_r = model(inp)[:, 1].numpy().astype(int)
        score_r = model.score(inp)[:, 0].numpy().astype(np.float64)
    near = np.minimum(np.abs(score_r - t1), np.abs(score_r - t2))
    test_split = {
        "description": "Test split of the simulated credit data set: transformed feature vectors (features.json "
                       "order, no salt; append saltLength salt elements to form the model input) and the float "
                       "model's tier and never-liquidated claim for each, computed on exactly these rounded values. 'score' is the float "
                       "logit, for spotting vectors close to a threshold.",
        "featureNames": names, "saltLength": n_salt, "thresholds": [t1, t2], "count": int(len(x_r)),
        "wallet": [str(w) for w in ids_test],
        "x": [[round(float(v), 6) for v in row] for row in x_r],
        "tier": tier_r.tolist(),
        "neverLiquidated": never_r.tolist(),
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
        "description": "Credit tier model. x = clamp(features, 0, bounds); score = MLP((x - mean) / std) (a logit); "
                       "tier = [score > t1] + [score > t2]; neverLiquidated = [x_liquidation_count == 0]. "
                       "'layers' act on standardised features; 'foldedLayers' are what the ONNX graphs compute on "
                       "clamped transformed features (layer 1 absorbs the standardisation). Activation: ReLU "
                       "between layers.",
        "featureSpec": "models/credit/features.json",
        "featureNames": names,
        "input": {"names": "slot0 .. slot<slots-1>", "shape": [1, width],
                  "order": "transformed features..., salt elements as s * 2^-encodingScale..."},
        "output": {"name": "out", "shape": ["slots", 2], "columns": ["tier", "neverLiquidated"]},
        "saltLength": n_salt,
        "saltBits": spec["salt"]["saltBits"],
        "saltEncodingScale": spec["salt"]["encodingScale"],
        "standardisation": {"mean": mu.tolist(), "std": sd.tolist()},
        "layers": [{"weight": as_list(m.weight), "bias": as_list(m.bias)} for m in lin],
        "foldedLayers": [{"weight": as_list(m.weight), "bias": as_list(m.bias)} for m in flin],
        "activation": "relu",
        "thresholds": {"t1": t1, "t2": t2, "on": "logit score",
                       "rule": metrics["thresholds"]["rule"]},
        "parameters": int(sum(p.numel() for p in mlp.parameters())),
        "onnx": onnx,
    }
    (out / "model.json").write_text(json.dumps(model_json, indent=1) + "\n")
    return {"onnx": "model.onnx", "onnxSha256": onnx_sha, "foldingMaxAbsError": fold_err,
            "testVectorsWithin1e-3OfThreshold": int((near < 1e-3).sum()), "graphs": onnx}
