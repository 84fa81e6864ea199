import json
import math
import tempfile
import unittest
from pathlib import Path

import numpy as np

from . import _paths  # noqa: F401
import features as F


class SpecTest(unittest.TestCase):
    def setUp(self):
        self.spec = F.load_spec()

    def test_shape_of_the_spec(self):
        names = F.feature_names(self.spec)
        self.assertGreaterEqual(len(names), 12)
        self.assertEqual(self.spec["salt"]["saltLength"], 4)
        self.assertEqual(self.spec["salt"]["saltBits"], 16)
        self.assertEqual(self.spec["input"]["shape"], [1, len(names) + 4])
        b = F.bounds(self.spec)
        self.assertTrue(np.all(b[:, 0] >= 0) and np.all(b[:, 1] <= 20.5), b)

    def test_bounds_are_transform_of_clip(self):
        for f in self.spec["features"]:
            lo, hi = f["clip"]
            raw = np.zeros((2, len(self.spec["features"])))
            i = F.feature_names(self.spec).index(f["name"])
            raw[0, i], raw[1, i] = lo - 5, hi * 10 + 5
            t = F.transform(raw, self.spec)[:, i]
            self.assertAlmostEqual(t[0], f["bounds"][0], places=5)
            self.assertAlmostEqual(t[1], f["bounds"][1], places=5)

    def test_transforms(self):
        names = F.feature_names(self.spec)
        raw = np.zeros(len(names))
        raw[names.index("borrow_usd")] = 1234.5
        raw[names.index("tx_count")] = 5e9           # clipped to 1e6 first
        raw[names.index("avg_risk_factor")] = 0.37    # clip: identity inside the range
        raw[names.index("max_risk_factor")] = 3.0     # clipped to 2
        raw[names.index("debt_usd")] = -4.0           # clipped to 0
        t = F.transform(raw, self.spec)
        self.assertAlmostEqual(t[names.index("borrow_usd")], math.log1p(1234.5), places=12)
        self.assertAlmostEqual(t[names.index("tx_count")], math.log1p(1e6), places=12)
        self.assertAlmostEqual(t[names.index("avg_risk_factor")], 0.37, places=12)
        self.assertEqual(t[names.index("max_risk_factor")], 2.0)
        self.assertEqual(t[names.index("debt_usd")], 0.0)
        self.assertEqual(F.transform(raw[None, :], self.spec).shape, (1, len(names)))
        with self.assertRaises(ValueError):
            F.transform(raw[:-1], self.spec)

    def test_aggregates(self):
        names = F.feature_names(self.spec)
        empty = F.empty_values(self.spec)
        pc = {n: np.full((2, 3), float(empty[n])) for n in names}
        pc["borrow_count"] = np.array([[1, 2, 3], [0, 0, 0]], float)
        pc["wallet_age_days"] = np.array([[10, 400, 0], [0, 0, 5]], float)
        pc["days_since_last_liquidation"] = np.array([[1825, 30, 90], [1825, 1825, 1825]], float)
        pc["days_with_debt"] = np.array([[10, 30, 0], [0, 0, 0]], float)
        pc["avg_risk_factor"] = np.array([[0.2, 0.6, 0.9], [0, 0, 0]], float)
        ids = self.spec["protocols"]["ids"]
        pc["protocols_used"] = np.array([[0b00011, 0b00101, 0], [0b00001, 0, 0b00001]])
        raw = F.aggregate(pc, self.spec)
        col = lambda n: raw[:, names.index(n)]  # noqa: E731
        np.testing.assert_allclose(col("borrow_count"), [6, 0])
        np.testing.assert_allclose(col("wallet_age_days"), [400, 5])
        np.testing.assert_allclose(col("days_since_last_liquidation"), [30, 1825])
        np.testing.assert_allclose(col("avg_risk_factor"), [(0.2 * 10 + 0.6 * 30) / 40, 0.0])
        np.testing.assert_allclose(col("protocols_used"), [3, 1])
        self.assertEqual(len(ids), 5)
        with self.assertRaises(KeyError):
            F.aggregate({"tx_count": np.zeros((1, 3))}, self.spec)

    def test_salt_and_input_vector(self):
        s = F.make_salt(50, self.spec)  # CSPRNG path
        self.assertEqual(s.shape, (50, 4))
        self.assertTrue(np.all((s >= 0) & (s < 2 ** 16)))
        a = F.make_salt(3, self.spec, np.random.default_rng(1))
        b = F.make_salt(3, self.spec, np.random.default_rng(1))
        np.testing.assert_array_equal(a, b)
        x = np.arange(20, dtype=float)[None, :] / 10
        v = F.input_vector(x, a[:1], self.spec)
        self.assertEqual(v.shape, (1, 24))
        self.assertEqual(v.dtype, np.float32)
        # salt enters as s * 2^-12: exact in float32, and s itself at the circuits' input scale 12
        scale = 2.0 ** self.spec["salt"]["encodingScale"]
        np.testing.assert_array_equal(v[0, 20:] * scale, a[0].astype(np.float32))
        np.testing.assert_allclose(v[0, :20], x[0], rtol=1e-6)
        with self.assertRaises(ValueError):
            F.input_vector(x, np.array([[1, 2, 3, 2 ** 16]]), self.spec)
        with self.assertRaises(ValueError):
            F.input_vector(x, np.array([[1, 2, 3]]), self.spec)

    def test_bad_spec_is_one_precise_error(self):
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "f.json"
            with self.assertRaisesRegex(F.SpecError, "not found"):
                F.load_spec(p)
            p.write_text("{")
            with self.assertRaisesRegex(F.SpecError, "not valid JSON"):
                F.load_spec(p)
            spec = json.loads(F.SPEC_PATH.read_text())
            spec["features"][0]["transform"] = "sqrt"
            p.write_text(json.dumps(spec))
            with self.assertRaisesRegex(F.SpecError, "unknown transform 'sqrt'"):
                F.load_spec(p)


if __name__ == "__main__":
    unittest.main()
