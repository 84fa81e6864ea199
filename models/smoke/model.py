"""The smoke model: a tiny tiered MLP with the same interface as the credit model.

It exists so that the whole proof chain (ONNX -> EZKL circuit -> proof -> Solidity verifier
-> registry) can be exercised in seconds. It is NOT a credit model: its weights are random
(seeded), its thresholds arbitrary.

Interface (shared with models/credit): one input tensor "input" of shape
[1, FEATURES + SALT_LENGTH] = [features..., salt...]; one output "tier" of shape [1, 1]
holding 0, 1 or 2. The salt takes no part in the score but is part of the input tensor,
so EZKL's Poseidon input commitment covers it.

Usage: python models/smoke/model.py --out DIR   (writes DIR/model.onnx, DIR/model.json)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

FEATURES = 4
SALT_LENGTH = 4
THRESHOLDS = (-0.35, -0.25)
SEED = 20261124


class TieredMlp(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(FEATURES, 8)
        self.score = torch.nn.Linear(8, 1)
        self.register_buffer("thresholds", torch.tensor(THRESHOLDS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = x[:, :FEATURES]
        salt = x[:, FEATURES:]
        score = self.score(torch.relu(self.hidden(features)))
        tier = (score > self.thresholds[0]).float() + (score > self.thresholds[1]).float()
        return tier + 0.0 * salt.sum(dim=1, keepdim=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    model = TieredMlp().eval()
    example = torch.zeros(1, FEATURES + SALT_LENGTH)
    torch.onnx.export(
        model,
        (example,),
        str(args.out / "model.onnx"),
        input_names=["input"],
        output_names=["tier"],
        opset_version=17,
        dynamo=False,
    )
    spec = {
        "model": "smoke",
        "features": FEATURES,
        "saltLength": SALT_LENGTH,
        "saltBits": 16,
        "thresholds": list(THRESHOLDS),
        "weights": {k: v.tolist() for k, v in model.state_dict().items()},
    }
    (args.out / "model.json").write_text(json.dumps(spec, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
