"""The credit model's features: the ONE Python implementation of models/credit/features.json.

Both simulate.py (which produces per-chain raw values) and train.py / export.py (which
consume transformed vectors) go through this module, and the TypeScript indexer
implements the same JSON. Three steps, all driven by features.json:

1. per chain: raw values, one per feature, computed from the wallet's events on that chain
   (a chain without activity contributes the feature's ``emptyValue``);
2. ``aggregate``: one raw value per feature across chains (sum, max, min, weighted_mean,
   union_count);
3. ``transform``: clip the raw value to ``clip`` then apply ``log1p`` or nothing (``clip``).

The model input is ``[transformed features..., salt...]`` (see ``input_vector``).
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import sys
from pathlib import Path
from typing import Mapping, NoReturn

import numpy as np

SPEC_PATH = Path(__file__).resolve().with_name("features.json")

TRANSFORMS = ("clip", "log1p")
AGGREGATES = ("sum", "max", "min", "weighted_mean", "union_count")


class SpecError(ValueError):
    """features.json is malformed."""


def load_spec(path: Path | str = SPEC_PATH) -> dict:
    """Read and validate features.json; raise SpecError with one precise message."""
    path = Path(path)
    try:
        spec = json.loads(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"feature spec not found: {path}") from None
    except json.JSONDecodeError as e:
        raise SpecError(f"feature spec {path} is not valid JSON: {e}") from None
    feats = spec.get("features")
    if not isinstance(feats, list) or not feats:
        raise SpecError(f"{path}: 'features' must be a non-empty list")
    names = [f.get("name") for f in feats]
    if len(set(names)) != len(names):
        raise SpecError(f"{path}: duplicate feature names")
    for f in feats:
        n = f.get("name")
        if f.get("transform") not in TRANSFORMS:
            raise SpecError(f"{path}: feature {n}: unknown transform {f.get('transform')!r}")
        if f.get("aggregate") not in AGGREGATES:
            raise SpecError(f"{path}: feature {n}: unknown aggregate {f.get('aggregate')!r}")
        lo, hi = f.get("clip", [None, None])
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo < hi):
            raise SpecError(f"{path}: feature {n}: clip must be [lo, hi] with lo < hi")
        if f["aggregate"] == "weighted_mean" and f.get("weight") not in names:
            raise SpecError(f"{path}: feature {n}: weighted_mean needs 'weight' naming a feature")
        expect = [_transform_scalar(f, lo), _transform_scalar(f, hi)]
        if any(abs(a - b) > 1e-5 for a, b in zip(expect, f.get("bounds", []))) or len(f.get("bounds", [])) != 2:
            raise SpecError(f"{path}: feature {n}: bounds {f.get('bounds')} != transform(clip) {expect}")
    salt = spec.get("salt", {})
    if not (isinstance(salt.get("saltLength"), int) and salt["saltLength"] > 0):
        raise SpecError(f"{path}: salt.saltLength must be a positive integer")
    if not (isinstance(salt.get("saltBits"), int) and 1 <= salt["saltBits"] <= 24):
        raise SpecError(f"{path}: salt.saltBits must be an integer in [1, 24] (exact in float32)")
    inp = spec.get("input", {})
    if inp.get("featureCount") != len(feats) or inp.get("saltLength") != salt["saltLength"] \
            or inp.get("shape") != [1, len(feats) + salt["saltLength"]]:
        raise SpecError(f"{path}: 'input' disagrees with the feature list and the salt length")
    return spec


def _transform_scalar(f: Mapping, x: float) -> float:
    lo, hi = f["clip"]
    x = min(max(float(x), lo), hi)
    return math.log1p(x) if f["transform"] == "log1p" else x


def feature_names(spec: Mapping) -> list[str]:
    return [f["name"] for f in spec["features"]]


def empty_values(spec: Mapping) -> dict[str, float]:
    return {f["name"]: f["emptyValue"] for f in spec["features"]}


def aggregate(per_chain: Mapping[str, np.ndarray], spec: Mapping) -> np.ndarray:
    """Cross-chain aggregation.

    per_chain: feature name -> array [wallets, chains] of per-chain raw values (inactive
    chains must already hold the feature's emptyValue; for union_count the values are
    integer bitmasks of protocol ids, bit i = spec["protocols"]["ids"][i]).
    Returns raw features [wallets, F] (float64) in features.json order.
    """
    missing = [n for n in feature_names(spec) if n not in per_chain]
    if missing:
        raise KeyError(f"per-chain values missing for features: {missing}")
    cols = []
    for f in spec["features"]:
        x = np.asarray(per_chain[f["name"]])
        if x.ndim != 2:
            raise ValueError(f"per-chain values of {f['name']} must be [wallets, chains], got shape {x.shape}")
        agg = f["aggregate"]
        if agg == "sum":
            v = x.astype(np.float64).sum(axis=1)
        elif agg == "max":
            v = x.astype(np.float64).max(axis=1)
        elif agg == "min":
            v = x.astype(np.float64).min(axis=1)
        elif agg == "weighted_mean":
            w = np.asarray(per_chain[f["weight"]], dtype=np.float64)
            tot = w.sum(axis=1)
            num = (x.astype(np.float64) * w).sum(axis=1)
            v = np.divide(num, tot, out=np.zeros_like(num), where=tot > 0)
        elif agg == "union_count":
            m = np.bitwise_or.reduce(x.astype(np.int64), axis=1)
            v = np.array([bin(int(b)).count("1") for b in m], dtype=np.float64)
        else:  # pragma: no cover - load_spec rejects it
            raise SpecError(f"unknown aggregate {agg}")
        cols.append(v)
    return np.stack(cols, axis=1)


def transform(raw: np.ndarray, spec: Mapping) -> np.ndarray:
    """Raw features [..., F] -> model features [..., F] (float64; cast to float32 for the model)."""
    raw = np.asarray(raw, dtype=np.float64)
    if raw.shape[-1] != len(spec["features"]):
        raise ValueError(f"expected {len(spec['features'])} raw features, got {raw.shape[-1]}")
    out = np.empty_like(raw)
    for i, f in enumerate(spec["features"]):
        lo, hi = f["clip"]
        x = np.clip(raw[..., i], lo, hi)
        out[..., i] = np.log1p(x) if f["transform"] == "log1p" else x
    return out


def bounds(spec: Mapping) -> np.ndarray:
    """[F, 2] bounds of the transformed features."""
    return np.array([f["bounds"] for f in spec["features"]], dtype=np.float64)


def make_salt(n: int, spec: Mapping, rng: np.random.Generator | None = None) -> np.ndarray:
    """n salts [n, saltLength] of integers uniform in [0, 2^saltBits).

    Without rng: the OS CSPRNG (``secrets``), which is what real commitments must use.
    With a seeded numpy Generator: reproducible salts for tests and fixtures only.
    """
    length, bits = spec["salt"]["saltLength"], spec["salt"]["saltBits"]
    if rng is None:
        vals = [secrets.randbelow(1 << bits) for _ in range(n * length)]
        return np.array(vals, dtype=np.int64).reshape(n, length)
    return rng.integers(0, 1 << bits, size=(n, length), dtype=np.int64)


def input_vector(transformed: np.ndarray, salt: np.ndarray, spec: Mapping) -> np.ndarray:
    """[n, F] transformed features + [n, saltLength] salt -> [n, F + saltLength] float32 (salt encoded)."""
    transformed = np.atleast_2d(np.asarray(transformed, dtype=np.float64))
    salt = np.atleast_2d(np.asarray(salt))
    f, s = len(spec["features"]), spec["salt"]["saltLength"]
    if transformed.shape[1] != f or salt.shape[1] != s or salt.shape[0] != transformed.shape[0]:
        raise ValueError(f"expected [n, {f}] features and [n, {s}] salt, got {transformed.shape} and {salt.shape}")
    if np.any(salt < 0) or np.any(salt >= (1 << spec["salt"]["saltBits"])) or np.any(salt != np.round(salt)):
        raise ValueError("salt elements must be integers in [0, 2^saltBits)")
    # each salt element enters as s * 2^-encodingScale: at the circuits' input scale its fixed-point value is s
    encoded = salt.astype(np.float64) / float(1 << spec["salt"]["encodingScale"])
    return np.concatenate([transformed, encoded], axis=1).astype(np.float32)


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line ("<prog>: error: ...") and exits 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {s!r}")
    return v


def non_negative_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {s!r}")
    return v
