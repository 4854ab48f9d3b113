"""Loaded by the server bench/load_bench.py starts with --mem-probe (it is on its PYTHONPATH): on
SIGUSR1 the process writes to $MEM_PROBE_LOG.<pid> what a full collection freed and what glibc gave
back, so the benchmark can tell garbage waiting for the collector from memory the allocator keeps:
`rss_kib objects_in_gc collected rss_after_collect_kib rss_after_malloc_trim_kib`."""

import ctypes
import gc
import os
import signal

_path = os.environ.get("MEM_PROBE_LOG")


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _probe(signum: int, frame: object) -> None:
    before, tracked = _rss(), len(gc.get_objects())
    gc.unfreeze()  # what startup froze is counted too, so the collection sees everything
    collected = gc.collect()
    gc.freeze()
    after = _rss()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open(f"{_path}.{os.getpid()}", "a") as out:
        out.write(f"{before} {tracked} {collected} {after} {_rss()}\n")


if _path:
    signal.signal(signal.SIGUSR1, _probe)

# The collector's pauses too (bench/gcprobe, when GC_PROBE_LOG is set): one sitecustomize is loaded.
if os.environ.get("GC_PROBE_LOG"):
    import runpy

    runpy.run_path(os.path.join(os.path.dirname(__file__), "..", "gcprobe", "sitecustomize.py"))
