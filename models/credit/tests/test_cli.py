"""Bad input on the command line: one precise line on stderr, non-zero exit."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from . import _paths

CREDIT = _paths.CREDIT


def run(script, *args):
    return subprocess.run([sys.executable, str(CREDIT / script), *args], capture_output=True, text=True, timeout=60)


class CliTest(unittest.TestCase):
    def assertOneLineError(self, r, script, needle):
        self.assertNotEqual(r.returncode, 0)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith(f"{script}: error: "), lines[0])
        self.assertIn(needle, lines[0])

    def test_bad_wallets_flag(self):
        self.assertOneLineError(run("simulate.py", "--wallets", "abc"), "simulate.py", "not an integer: 'abc'")
        self.assertOneLineError(run("simulate.py", "--wallets", "0"), "simulate.py", "must be > 0")
        self.assertOneLineError(run("pipeline.py", "--seed", "-1"), "pipeline.py", "must be >= 0")

    def test_unknown_flag(self):
        self.assertOneLineError(run("pipeline.py", "--walets", "5"), "pipeline.py", "unrecognized arguments")

    def test_missing_csv(self):
        with tempfile.TemporaryDirectory() as d:
            r = run("simulate.py", "--wallets", "5", "--prices", "/no/such.csv", "--out", str(Path(d) / "x.npz"))
            self.assertOneLineError(r, "simulate.py", "price CSV not found: /no/such.csv")
            r = run("pipeline.py", "--wallets", "5", "--prices", "/no/such.csv", "--out", d)
            self.assertOneLineError(r, "pipeline.py", "price CSV not found: /no/such.csv")

    def test_missing_dataset(self):
        with tempfile.TemporaryDirectory() as d:
            r = run("train.py", "--data", str(Path(d) / "none.npz"), "--out", d)
            self.assertOneLineError(r, "train.py", "data set not found")


if __name__ == "__main__":
    unittest.main()
