"""zkrisk's EZKL steps: one function per pipeline step, called by ts/pipeline (one process per
step, JSON in, JSON out) so that TypeScript never touches EZKL's Python API itself.

Usage: python circuits/ezkl_steps.py <step> '<json args>'
Prints one JSON line on stdout: {"ok": true, ...result} or {"ok": false, "error": "..."}.
Exit code 0 on success, 1 on a step error, 2 on bad usage.

Proofs are not made here: circuits/prover_worker.py is the long-lived prover that serves them.

Every path is passed explicitly (the SRS above all: EZKL's default SRS path is under the home
directory, and get_srs deletes files there whose hash it does not know).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

import ezkl

class StepError(Exception):
    """A failure the user can act on; the message says what to do."""


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def _require(path: str, what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise StepError(f"{what} not found at {path}")
    return p


def elapsed_ms(start: float) -> float:
    """Milliseconds since a time.perf_counter() reading, to 0.1 ms."""
    return round((time.perf_counter() - start) * 1000, 1)


def _sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "0x" + h.hexdigest()


def _logrows(settings: str) -> int:
    return int(json.loads(Path(settings).read_text())["run_args"]["logrows"])


def le_hex_to_int(le: str) -> int:
    """EZKL stores field elements as little-endian hex; Solidity wants big-endian uint256."""
    return int.from_bytes(bytes.fromhex(le.removeprefix("0x")), "little")


# ---------------------------------------------------------------- steps


# Rows EZKL keeps free at the bottom of a circuit for blinding; a circuit whose rows do not fit
# 2**logrows minus these fails at setup, so the settings step refuses it first.
RESERVED_ROWS = 64


async def settings(a: dict[str, Any]) -> dict[str, Any]:
    """Settings with input and params hashed, outputs public; fixed run arguments when given.

    Without runArgs, calibrate_settings picks scales and logrows afterwards.
    """
    _require(a["model"], "ONNX model")
    run_args = ezkl.PyRunArgs()
    run_args.input_visibility = "hashed"
    run_args.param_visibility = "hashed"
    run_args.output_visibility = "public"
    fixed = a.get("runArgs")
    if fixed:
        run_args.input_scale = int(fixed["inputScale"])
        run_args.param_scale = int(fixed["paramScale"])
        run_args.logrows = int(fixed["logrows"])
        run_args.decomp_base = int(fixed["decompBase"])
        run_args.decomp_legs = int(fixed["decompLegs"])
        run_args.num_inner_cols = int(fixed["numInnerCols"])
    Path(a["settings"]).parent.mkdir(parents=True, exist_ok=True)
    if not ezkl.gen_settings(a["model"], a["settings"], py_run_args=run_args):
        raise StepError("ezkl gen_settings failed")
    written = json.loads(Path(a["settings"]).read_text())
    rows = int(written["num_rows"])
    if fixed and rows > (1 << int(fixed["logrows"])) - RESERVED_ROWS:
        raise StepError(
            f"the circuit needs {rows} rows, more than 2**{fixed['logrows']} can hold: raise logrows or use fewer slots"
        )
    return {"settings": a["settings"], "rows": rows}


async def calibrate(a: dict[str, Any]) -> dict[str, Any]:
    _require(a["data"], "calibration data")
    ok = await _call(ezkl.calibrate_settings, a["data"], a["model"], a["settings"], a.get("target", "resources"))
    if not ok:
        raise StepError("ezkl calibrate_settings failed")
    return {"logrows": _logrows(a["settings"])}


async def compile(a: dict[str, Any]) -> dict[str, Any]:
    if not ezkl.compile_circuit(a["model"], a["compiled"], a["settings"]):
        raise StepError("ezkl compile_circuit failed")
    return {"compiled": a["compiled"]}


# An EZKL KZG SRS file for 2**k rows is 260 header bytes plus 128 bytes per row (measured on
# ezkl 21.0.0 for k = 10 and 15); this is how an operator-provided SRS is checked against logrows.
SRS_HEADER_BYTES = 260
SRS_BYTES_PER_ROW = 128


def _srs_logrows(path: Path) -> int:
    size = path.stat().st_size
    rows = (size - SRS_HEADER_BYTES) // SRS_BYTES_PER_ROW
    k = rows.bit_length() - 1
    if k < 1 or (1 << k) * SRS_BYTES_PER_ROW + SRS_HEADER_BYTES != size:
        raise StepError(
            f"{path} ({size} bytes) is not an EZKL KZG SRS file "
            f"(expected {SRS_HEADER_BYTES} + {SRS_BYTES_PER_ROW} * 2**k bytes)"
        )
    return k


async def check_srs(a: dict[str, Any]) -> dict[str, Any]:
    """Check that an operator-provided file is an SRS at all (before any step runs)."""
    path = _require(a["srs"], "SRS file")
    return {"srsLogrows": _srs_logrows(path)}


async def srs(a: dict[str, Any]) -> dict[str, Any]:
    """Check (or, with generate=true, create an INSECURE local) SRS for the circuit's logrows."""
    need = _logrows(a["settings"])
    path = Path(a["srs"])
    if not path.exists():
        if not a.get("generate"):
            raise StepError(f"SRS file {path} does not exist; pass a ceremony SRS with --srs PATH")
        path.parent.mkdir(parents=True, exist_ok=True)
        ezkl.gen_srs(str(path), int(a.get("logrows", need)))
    have = _srs_logrows(path)
    if have < need:
        raise StepError(f"SRS {path} has logrows {have}, the circuit needs {need}: use an SRS with at least 2**{need} points")
    return {"srs": str(path), "srsLogrows": have, "logrows": need, "srsSha256": _sha256(path)}


async def setup(a: dict[str, Any]) -> dict[str, Any]:
    _require(a["compiled"], "compiled circuit")
    _require(a["srs"], "SRS")
    Path(a["pk"]).parent.mkdir(parents=True, exist_ok=True)
    if not await _call(ezkl.setup, a["compiled"], a["vk"], a["pk"], a["srs"]):
        raise StepError("ezkl setup failed")
    return {"vkSha256": _sha256(a["vk"])}


async def verify(a: dict[str, Any]) -> dict[str, Any]:
    try:
        ok = await _call(ezkl.verify, a["proof"], a["settings"], a["vk"], a["srs"])
    except Exception as e:  # EZKL raises on a bad proof rather than returning False
        raise StepError(f"proof rejected: {e}") from None
    if not ok:
        raise StepError("proof rejected")
    return {"verified": True}


def _banner(command: str) -> str:
    return (
        "// SPDX-License-Identifier: MIT\n"
        "// GENERATED FILE - DO NOT EDIT.\n"
        f"// Generated by EZKL {ezkl.__version__} create_evm_verifier; regenerate with: {command}\n"
    )


async def verifier(a: dict[str, Any]) -> dict[str, Any]:
    """Generate the Solidity verifier, rename the contract and mark the file generated.

    EZKL compiles the verifier with solc 0.8.20 from ~/.svm to derive its ABI; the caller points
    HOME at a folder whose .svm holds zkrisk's solc-js facade, so nothing is downloaded.
    """
    out = Path(a["sol"])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_sol = out.with_suffix(".ezkl.tmp.sol")
    tmp_abi = Path(a["abi"])
    ok = await _call(ezkl.create_evm_verifier, a["vk"], a["settings"], str(tmp_sol), str(tmp_abi), a["srs"])
    if not ok or not tmp_sol.exists():
        raise StepError("ezkl create_evm_verifier failed")
    source = tmp_sol.read_text()
    tmp_sol.unlink()
    source = re.sub(r"^// SPDX-License-Identifier: MIT\n", "", source)
    source, n = re.subn(r"\bcontract Halo2Verifier\b", f"contract {a['contract']}", source)
    if n != 1:
        raise StepError("unexpected verifier source: no `contract Halo2Verifier` to rename")
    out.write_text(_banner(a["command"]) + source)
    return {"sol": str(out), "solSha256": _sha256(out)}


async def param_commitment(a: dict[str, Any]) -> dict[str, Any]:
    """Recompute a model's parameter commitment from its weights (the audit).

    Compiles the ONNX model with the committed settings into a scratch folder and runs one
    witness on a zero input: EZKL hashes the quantized parameters into processed_params, the
    value every proof carries as its second public instance and the registry knows as modelId.
    """
    _require(a["model"], "ONNX model")
    _require(a["settings"], "circuit settings")
    work = Path(a["work"])
    work.mkdir(parents=True, exist_ok=True)
    compiled, data, wit = work / "audit.compiled", work / "audit-input.json", work / "audit-witness.json"
    if not ezkl.compile_circuit(a["model"], str(compiled), a["settings"]):
        raise StepError("ezkl compile_circuit failed: the ONNX model does not fit the committed settings")
    data.write_text(json.dumps({"input_data": [[0.0] * int(a["inputLength"])]}))
    w = await _call(ezkl.gen_witness, str(data), str(compiled), str(wit))
    hashes = (w.get("processed_params") or {}).get("poseidon_hash") or []
    if len(hashes) != 1:
        raise StepError("the circuit does not hash its parameters (param_visibility is not hashed)")
    return {"paramCommitment": "0x%064x" % le_hex_to_int(hashes[0])}


async def agreement(a: dict[str, Any]) -> dict[str, Any]:
    """Tier (and claim) agreement between the float model and a circuit over a whole test split.

    Runs EZKL's witness generation (the circuit's own fixed-point arithmetic) on every test
    vector, `slots` vectors per witness (a round circuit evaluates a whole round at once; the
    last round is padded with zero inputs), with a zero salt (the salt does not enter the
    outputs), and compares each slot's tier, and its never-liquidated claim when the circuit
    outputs one, with the float model's values recorded by training.
    """
    split = json.loads(Path(a["split"]).read_text())
    scale = int(a["outputScale"])
    slots = int(a.get("slots", 1))
    width = len(split["x"][0]) + int(split["saltLength"])
    salt = [0] * int(split["saltLength"])
    claims = split.get("neverLiquidated")
    work = Path(a["work"])
    work.mkdir(parents=True, exist_ok=True)
    data, wit = work / "agreement-input.json", work / "agreement-witness.json"
    mismatches, claim_mismatches = [], []
    n = len(split["x"])
    for start in range(0, n, slots):
        idx = list(range(start, min(start + slots, n)))
        rows = [list(split["x"][i]) + salt for i in idx] + [[0.0] * width] * (slots - len(idx))
        data.write_text(json.dumps({"input_data": rows}))
        w = await _call(ezkl.gen_witness, str(data), a["compiled"], str(wit))
        out = [le_hex_to_int(v) for v in w["outputs"][0]]
        per = len(out) // slots
        for j, i in enumerate(idx):
            tier = out[j * per] >> scale
            if tier != split["tier"][i]:
                mismatches.append({"index": i, "wallet": split["wallet"][i], "float": split["tier"][i], "circuit": tier,
                                   "score": split["score"][i]})
            if claims is not None and per > 1 and (out[j * per + 1] >> scale) != claims[i]:
                claim_mismatches.append({"index": i, "wallet": split["wallet"][i], "float": claims[i],
                                         "circuit": out[j * per + 1] >> scale})
        if (start // slots) % max(1, 250 // slots) == 0:
            print(f"      agreement: {start}/{n}", file=sys.stderr, flush=True)
    result = {"vectors": n, "slots": slots, "agree": n - len(mismatches), "agreement": (n - len(mismatches)) / n,
              "mismatches": mismatches}
    if claims is not None:
        result["claimAgree"] = n - len(claim_mismatches)
        result["claimMismatches"] = claim_mismatches
    Path(a["out"]).write_text(json.dumps(result, indent=2) + "\n")
    if result["agreement"] < float(a.get("minimum", 0.99)):
        raise StepError(f"tier agreement {result['agreement']:.4f} is below {a.get('minimum', 0.99)}; see {a['out']}")
    if claim_mismatches:
        raise StepError(f"the never-liquidated claim differs from the float model on {len(claim_mismatches)} vectors; see {a['out']}")
    return {"agreement": result["agreement"], "vectors": n}


STEPS = {f.__name__: f for f in (check_srs, agreement, settings, calibrate, compile, srs, setup, verify, verifier, param_commitment)}


def run_cli(steps: dict[str, Callable[..., Any]], argv: list[str], script: str) -> int:
    """The command line of a step script: `<script> <step> '<json args>'`, one JSON line out.

    Exit 0 on success, 1 on a step error, 2 on bad usage. Shared by this file and
    bench/scaling_models.py.
    """
    if len(argv) != 2 or argv[0] not in steps:
        print(json.dumps({"ok": False, "error": f"usage: {script} <{'|'.join(steps)}> '<json args>'"}))
        return 2
    try:
        args = json.loads(argv[1])
        result = asyncio.run(steps[argv[0]](args))
    except StepError as e:
        print(json.dumps({"ok": False, "error": str(e)}))
        return 1
    except KeyError as e:
        print(json.dumps({"ok": False, "error": f"missing argument {e} for step {argv[0]}"}))
        return 2
    except Exception as e:  # EZKL raises RuntimeError with its own message; MemoryError has none
        print(json.dumps({"ok": False, "error": f"{argv[0]} failed: {type(e).__name__}: {e}"}))
        return 1
    print(json.dumps({"ok": True, **result}))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("RUST_LOG", "error")
    sys.exit(run_cli(STEPS, sys.argv[1:], "ezkl_steps.py"))
