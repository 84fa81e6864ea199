import unittest

import numpy as np

from . import _paths  # noqa: F401
import features as F
import simulate


class SimulateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = F.load_spec()
        cls.a = simulate.simulate(300, seed=3, spec=cls.spec)

    def test_deterministic_by_seed(self):
        b = simulate.simulate(300, seed=3, spec=self.spec)
        c = simulate.simulate(300, seed=4, spec=self.spec)
        for k in ("wallet_id", "archetype", "raw", "x", "label"):
            np.testing.assert_array_equal(self.a[k], b[k])
        self.assertFalse(np.array_equal(self.a["x"], c["x"]))

    def test_features_come_from_the_shared_definition(self):
        np.testing.assert_array_equal(self.a["raw"], F.aggregate(self.a["per_chain"], self.spec))
        np.testing.assert_array_equal(self.a["x"], F.transform(self.a["raw"], self.spec).astype(np.float32))
        b = F.bounds(self.spec)
        self.assertTrue(np.all(self.a["x"] >= b[:, 0] - 1e-6) and np.all(self.a["x"] <= b[:, 1] + 1e-6))
        self.assertEqual(list(self.a["feature_names"]), F.feature_names(self.spec))

    def test_population(self):
        self.assertEqual(len(set(self.a["wallet_id"])), 300)
        self.assertTrue(set(np.unique(self.a["label"])) <= {0, 1})
        self.assertTrue(0.02 < self.a["label"].mean() < 0.5)
        chains = self.a["raw"][:, F.feature_names(self.spec).index("chains_used")]
        self.assertTrue(np.all((chains >= 1) & (chains <= 3)))

    def test_bad_inputs(self):
        with self.assertRaisesRegex(simulate.SimulationError, "price CSV not found: /nonexistent.csv"):
            simulate.simulate(10, 1, "/nonexistent.csv", self.spec)
        with self.assertRaisesRegex(simulate.SimulationError, "must be > 0"):
            simulate.simulate(0, 1, spec=self.spec)


if __name__ == "__main__":
    unittest.main()
