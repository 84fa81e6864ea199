import itertools
import json
import unittest

import numpy as np

from . import _paths  # noqa: F401
import features as F
import train


class SplitTest(unittest.TestCase):
    def test_no_wallet_in_two_splits(self):
        rng = np.random.default_rng(3)
        # several rows per wallet, shuffled: all rows of a wallet must stay together
        ids = np.array([f"0x{i:040x}" for i in rng.integers(0, 700, 3000)])
        s = train.split_by_wallet(ids, seed=11)
        sets = {k: set(ids[v]) for k, v in s.items()}
        for a, b in itertools.combinations(sets, 2):
            self.assertFalse(sets[a] & sets[b], (a, b))
        self.assertEqual(sorted(np.concatenate(list(s.values()))), list(range(len(ids))))
        n = len(set(ids))
        self.assertAlmostEqual(len(sets["train"]) / n, 0.70, delta=0.01)

    def test_split_is_deterministic_and_order_free(self):
        ids = np.array([f"w{i}" for i in range(1000)])
        a = train.split_by_wallet(ids, seed=5)
        b = train.split_by_wallet(ids, seed=5)
        c = train.split_by_wallet(ids, seed=6)
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
        self.assertFalse(np.array_equal(a["test"], c["test"]))
        perm = np.random.default_rng(0).permutation(len(ids))
        d = train.split_by_wallet(ids[perm], seed=5)
        self.assertEqual(set(ids[perm][d["test"]]), set(ids[a["test"]]))


class MetricTest(unittest.TestCase):
    def test_auroc_matches_pairwise_definition(self):
        rng = np.random.default_rng(2)
        s = np.round(rng.normal(size=300), 1)  # ties on purpose
        y = (rng.random(300) < 1 / (1 + np.exp(-2 * s))).astype(int)
        pos, neg = s[y == 1], s[y == 0]
        ref = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
        self.assertAlmostEqual(train.auroc(s, y), ref, places=12)
        self.assertEqual(train.auroc(np.array([0.1, 0.9]), np.array([0, 1])), 1.0)
        with self.assertRaises(ValueError):
            train.auroc(np.array([0.1, 0.2]), np.array([1, 1]))

    def test_brier_and_tiers(self):
        self.assertAlmostEqual(train.brier(np.array([0.0, 1.0, 0.5]), np.array([0, 1, 1])), 0.25 / 3)
        np.testing.assert_array_equal(train.tiers(np.array([-3.0, -1.0, 0.5]), -2.0, 0.0), [0, 1, 2])
        tab = train.tier_table(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]))
        self.assertEqual([r["wallets"] for r in tab], [2, 1, 1])
        self.assertEqual(tab[0]["observedDefaultRate"], 0.5)


class ExportedArtefactsTest(unittest.TestCase):
    """The committed model.json, applied in plain numpy, reproduces test_split.json's tiers."""

    def test_model_json_reproduces_test_split_tiers(self):
        out = _paths.CREDIT / "out"
        if not (out / "model.json").is_file():
            self.skipTest("run pipeline.py first")
        m = json.loads((out / "model.json").read_text())
        ts = json.loads((out / "test_split.json").read_text())
        spec = F.load_spec()
        self.assertEqual(m["featureNames"], F.feature_names(spec))
        self.assertEqual(m["input"]["shape"], spec["input"]["shape"])
        x = np.array(ts["x"], dtype=np.float64)
        h = x
        for i, layer in enumerate(m["foldedLayers"]):
            h = h @ np.array(layer["weight"]).T + np.array(layer["bias"])
            if i < len(m["foldedLayers"]) - 1:
                h = np.maximum(h, 0)
        score = h[:, 0]
        t1, t2 = m["thresholds"]["t1"], m["thresholds"]["t2"]
        tier = (score > t1).astype(int) + (score > t2).astype(int)
        agree = np.mean(tier == np.array(ts["tier"]))
        self.assertGreaterEqual(agree, 0.999)  # float64 vs float32 may differ right at a threshold
        np.testing.assert_allclose(score, ts["score"], atol=1e-3)
        b = F.bounds(spec)
        self.assertTrue(np.all(x >= b[:, 0] - 1e-6) and np.all(x <= b[:, 1] + 1e-6))


if __name__ == "__main__":
    unittest.main()
