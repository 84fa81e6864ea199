"""The exported graph's semantics: clamping, the never-liquidated claim, and rounds = single slots.

Built from the committed model.json (its folded layers), so no training run is needed.
"""

import json
import unittest

import numpy as np

from . import _paths  # noqa: F401
import features as F  # noqa: E402


def _model(slots: int):
    import torch
    import export
    out = _paths.CREDIT / "out"
    m = json.loads((out / "model.json").read_text())
    spec = F.load_spec()
    layers = []
    for i, layer in enumerate(m["foldedLayers"]):
        w = torch.tensor(layer["weight"], dtype=torch.float32)
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float32))
        layers.append(lin)
        if i < len(m["foldedLayers"]) - 1:
            layers.append(torch.nn.ReLU())
    mlp = torch.nn.Sequential(*layers)
    n = len(spec["features"])
    # the folded layers already act on raw features: identity standardisation
    return export.build_tier_model(mlp, np.zeros(n), np.ones(n), m["thresholds"]["t1"], m["thresholds"]["t2"], spec, slots), spec


@unittest.skipUnless((_paths.CREDIT / "out" / "model.json").is_file(), "run pipeline.py first")
class ExportedGraphTest(unittest.TestCase):
    def setUp(self):
        import torch
        self.torch = torch
        self.single, self.spec = _model(1)
        split = json.loads((_paths.CREDIT / "out" / "test_split.json").read_text())
        salt = F.make_salt(8, self.spec, np.random.default_rng(3))
        self.x = torch.tensor(F.input_vector(np.array(split["x"][:8]), salt, self.spec))
        self.split = split

    def run1(self, row):
        with self.torch.no_grad():
            return self.single(row[None, :])[0].tolist()

    def test_round_slots_equal_single_wallet_outputs(self):
        rnd, _ = _model(8)
        with self.torch.no_grad():
            out = rnd(*[self.x[i:i + 1] for i in range(8)])
        self.assertEqual(list(out.shape), [8, 2])
        for i in range(8):
            self.assertEqual(out[i].tolist(), self.run1(self.x[i]))
            self.assertEqual(out[i, 0].item(), self.split["tier"][i])
            self.assertEqual(out[i, 1].item(), self.split["neverLiquidated"][i])

    def test_out_of_bounds_features_score_as_their_projection_into_the_bounds(self):
        hi = F.bounds(self.spec)[:, 1]
        rng = np.random.default_rng(5)
        for row in self.x:
            bad = row.clone()
            bad[:20] = self.torch.tensor(rng.uniform(-50, 50, 20) + np.where(rng.random(20) < 0.5, 0, hi), dtype=self.torch.float32)
            clamped = bad.clone()
            clamped[:20] = self.torch.clamp(bad[:20], min=self.torch.zeros(20), max=self.torch.tensor(hi, dtype=self.torch.float32))
            self.assertEqual(self.run1(bad), self.run1(clamped))

    def test_never_liquidated_is_one_exactly_when_the_liquidation_count_is_zero(self):
        i = F.feature_names(self.spec).index("liquidation_count")
        row = self.x[0].clone()
        for value, want in [(0.0, 1.0), (np.log1p(1), 0.0), (1e-3, 0.0), (-5.0, 1.0), (100.0, 0.0)]:
            row[i] = value
            self.assertEqual(self.run1(row)[1], want, f"liquidation_count feature {value}")

    def test_the_salt_does_not_change_the_outputs(self):
        row = self.x[0].clone()
        base = self.run1(row)
        row[20:] = self.torch.tensor([1.0, 2.0, 3.0, 15.99])
        self.assertEqual(self.run1(row), base)


if __name__ == "__main__":
    unittest.main()
