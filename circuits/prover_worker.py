"""zkrisk's long-lived native prover: one Python process per prover, EZKL imported once, serving
proof requests over stdin/stdout as JSON lines (ts/prover/native.ts drives it).

Usage: python circuits/prover_worker.py '<json: compiled, pk, srs, settings, vk, work>'

Startup prints {"ready": true, "ms": {...}} once the artifacts are checked and the proving key is
in the page cache. Then, per request line {"id": N, "inputs": [[floats], ...]} (one salted input
per wallet slot of the circuit, padding included), it prints one line
{"id": N, "ok": true, "outputs": ..., "proof": <EZKL proof.json>, "calldata": "0x..", "ms": {...}}
or {"id": N, "ok": false, "error": "..."}. Progress lines (indented) go to stderr. EOF on stdin
ends the process.

EZKL's Python API takes the proving key as a path and deserialises it on every prove call; the
worker keeps the process, the EZKL runtime and the key file's pages warm, not a parsed key.
(@ezkljs/engine, the other backend, holds the key bytes in memory; see ts/prover/engine.ts.)
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import ezkl

from ezkl_steps import StepError, _call, _require, elapsed_ms as _ms


def _progress(line: str) -> None:
    print(f"      {line}", file=sys.stderr, flush=True)


def _warm(path: Path) -> None:
    """Read a file once so that EZKL's per-proof reads come from the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


class Worker:
    def __init__(self, a: dict[str, Any]) -> None:
        self.compiled = str(_require(a["compiled"], "compiled circuit"))
        self.pk = _require(a["pk"], "proving key")
        self.srs = str(_require(a["srs"], "SRS"))
        self.settings = str(_require(a["settings"], "circuit settings"))
        self.vk = str(_require(a["vk"], "verifying key"))
        self.work = Path(a["work"])
        self.work.mkdir(parents=True, exist_ok=True)
        self.input_len = int(a["inputLength"])
        self.slots = int(a.get("slots", 1))

    async def prove(self, request: dict[str, Any]) -> dict[str, Any]:
        xs = request.get("inputs")
        if not isinstance(xs, list) or len(xs) != self.slots:
            raise StepError(f"inputs must be a list of {self.slots} slot inputs (pad unused slots)")
        for i, x in enumerate(xs):
            if not isinstance(x, list) or len(x) != self.input_len:
                raise StepError(f"slot {i}: input must be a list of {self.input_len} numbers")
            if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in x):
                raise StepError(f"slot {i}: input holds a value that is not a finite number")
        tag = f"req-{request['id']}"
        data, wit, proof = (self.work / f"{tag}.{s}.json" for s in ("input", "witness", "proof"))
        calldata = self.work / f"{tag}.calldata.bin"
        ms: dict[str, float] = {}
        try:
            data.write_text(json.dumps({"input_data": xs}))
            t = time.perf_counter()
            w = await _call(ezkl.gen_witness, str(data), self.compiled, str(wit))
            ms["witness"] = _ms(t)
            _progress(f"witness {ms['witness']:.0f} ms; proving")
            t = time.perf_counter()
            await _call(ezkl.prove, str(wit), self.compiled, str(self.pk), str(proof), "single", self.srs)
            ms["prove"] = _ms(t)
            _progress(f"proved in {ms['prove']:.0f} ms; verifying")
            t = time.perf_counter()
            try:
                ok = await _call(ezkl.verify, str(proof), self.settings, self.vk, self.srs)
            except Exception as e:  # EZKL raises on a bad proof rather than returning False
                raise StepError(f"the new proof does not verify: {e}") from None
            if not ok:
                raise StepError("the new proof does not verify")
            ms["verify"] = _ms(t)
            encoded = await _call(ezkl.encode_evm_calldata, str(proof), str(calldata))
            return {
                "outputs": w["outputs"],
                "proof": json.loads(proof.read_text()),
                "calldata": "0x" + bytes(encoded).hex(),
                "ms": ms,
            }
        finally:
            for f in (data, wit, proof, calldata):
                f.unlink(missing_ok=True)


def _reply(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def serve(worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        if not line.strip():
            continue
        rid = None
        try:
            request = json.loads(line)
            rid = request["id"]
            _reply({"id": rid, "ok": True, **(await worker.prove(request))})
        except StepError as e:
            _reply({"id": rid, "ok": False, "error": str(e)})
        except Exception as e:  # EZKL raises RuntimeError with its own message
            _reply({"id": rid, "ok": False, "error": f"{type(e).__name__}: {e}"})


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        _reply({"ready": False, "error": "usage: prover_worker.py '<json args>'"})
        return 2
    t = time.perf_counter()
    try:
        worker = Worker(json.loads(argv[0]))
        _warm(worker.pk)
    except (StepError, KeyError, ValueError) as e:
        _reply({"ready": False, "error": str(e) if isinstance(e, StepError) else f"bad worker arguments: {e}"})
        return 2
    _reply({"ready": True, "ms": {"load": _ms(t)}, "ezkl": ezkl.__version__})
    asyncio.run(serve(worker))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("RUST_LOG", "error")
    sys.exit(main(sys.argv[1:]))
