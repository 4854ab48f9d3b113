"""Loaded by the server processes bench/room_bench.py starts (it is on their PYTHONPATH): logs every
garbage-collector pass of 1 ms or more to $GC_PROBE_LOG.<pid> as `unix_time generation ms`, so the
benchmark can say whether a latency tail was the collector stopping the event loop."""

import gc
import os
import time

_path = os.environ.get("GC_PROBE_LOG")
if _path:
    _out = open(f"{_path}.{os.getpid()}", "w", buffering=1)  # noqa: SIM115 - lives as long as the process
    _start = [0.0]

    def _probe(phase: str, info: dict) -> None:
        if phase == "start":
            _start[0] = time.perf_counter()
            return
        ms = (time.perf_counter() - _start[0]) * 1000
        if ms >= 1.0:
            _out.write(f"{time.time():.3f} {info['generation']} {ms:.1f}\n")

    gc.callbacks.append(_probe)
