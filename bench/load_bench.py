"""The room under a search crowd: ping latency of a room socket while /api/search/lots is hammered.

    .venv/bin/python bench/load_bench.py                          # 3 runs per configuration, 300 connections
    .venv/bin/python bench/load_bench.py --configs 16:0,0:0 --repeat 1 --seconds 10   # quick look

What runs: a real server process (`python -m auction serve`, one uvicorn process) on a fresh SQLite file
with demo lots, a load generator in a process of its own (keep-alive HTTP/1.1 over asyncio streams,
`--connections` connections to 127.0.0.1 only, each sending its next search as soon as the last was
answered, Retry-After ignored: the worst case), and this harness holding one room socket that sends a
ping every `--ping-every` seconds and, once a second, opens a new socket that joins the room.

Per run: the room's ping p99 with nothing else running (idle), then during the search burst (the ratio
of the two is the figure that matters on a shared machine), the searches served per second, the share
refused with 503, the p99 of the answered searches, searches unanswered within 10 s, the join time of
a new socket, and the server's RSS before, at the peak and 5 s after the burst. Each configuration
(`limit:queue`, HTTP_CONCURRENCY:HTTP_QUEUE; 0:0 is no limit) gets a fresh server per run; medians
over `--repeat` runs. Bounded: every run stops after `--seconds` of load (and at `--max-requests`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from room_bench import DAY, cpu_seconds, gc_pauses, pct, rss_kib, seed  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from tests.servers import free_port, wait_port  # noqa: E402

# The load generator, in its own process so that its work is not counted as the room's latency.
LOADGEN = r"""
import asyncio, json, sys, time
port, conns, seconds, max_requests, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
paths = json.loads(sys.stdin.read())
status, ok_ms, unanswered, errors = {}, [], 0, 0
sent = 0
async def one(i):
    global sent, unanswered, errors
    deadline = time.perf_counter() + seconds
    reader = writer = None
    k = i
    while time.perf_counter() < deadline and sent < max_requests:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                errors += 1
                await asyncio.sleep(0.1)
                continue
        path = paths[k % len(paths)]
        k += conns
        sent += 1
        t0 = time.perf_counter()
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            left = timeout - (time.perf_counter() - t0)
            await asyncio.wait_for(reader.readexactly(length), max(0.01, left))
        except (asyncio.TimeoutError, TimeoutError):
            unanswered += 1
            writer.close()
            writer = None
            continue
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            writer.close()
            writer = None
            continue
        code = int(head.split(b" ", 2)[1])
        status[code] = status.get(code, 0) + 1
        if code == 200:
            ok_ms.append((time.perf_counter() - t0) * 1000)
    if writer is not None:
        writer.close()
async def main():
    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(conns)))
    print(json.dumps({"status": status, "ok_ms": ok_ms, "unanswered": unanswered, "errors": errors,
                      "sent": sent, "elapsed": time.perf_counter() - t0}))
asyncio.run(main())
"""


def search_paths(n: int) -> list[str]:
    """A mix of location and price searches like a phone's, each a different query string."""
    from urllib.parse import urlencode

    rng = random.Random(18)
    provinces = ["กรุงเทพ", "นนทบุรี", "ปทุมธานี", "สมุทรปราการ", "ชลบุรี", "เชียงใหม่"]
    out = []
    for _ in range(n):
        q: dict[str, str] = {"province": rng.choice(provinces)}
        if rng.random() < 0.5:
            q["type"] = rng.choice(("condo", "house", "land"))
        if rng.random() < 0.5:
            q["price_max"] = str(rng.choice((2_000_000, 5_000_000, 10_000_000)))
        out.append("/api/search/lots?" + urlencode(q))
    return out


class RoomProbe:
    """One joined room socket pinging at a steady pace; and new sockets joining once a second."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.rtt_ms: list[float] = []
        self.ping_timeouts = 0
        self.join_ms: list[float] = []
        self.join_failures = 0

    async def ping(self, seconds: float, every: float) -> None:
        """Pings on one joined socket; a join the server refuses (1013 db_unavailable while a crowd
        holds the database pool) or a socket it closes counts as unanswered pings and joins again."""
        deadline = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                async with connect(self.url, ping_interval=None, compression=None, open_timeout=10) as ws:
                    await ws.send(json.dumps({"v": 1, "type": "join"}))
                    await asyncio.wait_for(ws.recv(), 30)
                    while time.perf_counter() < deadline:
                        n += 1
                        t0 = time.perf_counter()
                        await ws.send(json.dumps({"v": 1, "type": "ping", "t": n}))
                        try:
                            while True:
                                msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                                if msg.get("type") == "pong" and msg.get("t") == n:
                                    break
                            self.rtt_ms.append((time.perf_counter() - t0) * 1000)
                        except TimeoutError:
                            self.ping_timeouts += 1
                        await asyncio.sleep(max(0.0, every - (time.perf_counter() - t0)))
            except (ConnectionClosed, OSError, TimeoutError):
                self.ping_timeouts += 1
                await asyncio.sleep(max(0.0, 0.5 - (time.perf_counter() - t0)))

    async def joins(self, seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                async with connect(self.url, ping_interval=None, compression=None, open_timeout=10) as ws:
                    await ws.send(json.dumps({"v": 1, "type": "join"}))
                    await asyncio.wait_for(ws.recv(), 10)
                self.join_ms.append((time.perf_counter() - t0) * 1000)
            except Exception:  # noqa: BLE001 - any failure to join counts
                self.join_failures += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))


async def one_run(
    args: argparse.Namespace,
    env: dict[str, str],
    limit: int,
    queue: int,
    pace: float,
    lag: float,
    paths: list[str],
) -> dict[str, Any]:
    port = free_port()
    run_env = {**env, "HTTP_CONCURRENCY": str(limit), "HTTP_QUEUE": str(queue), "HTTP_SHED_PACE_SEC": str(pace),
               "HTTP_LAG_TARGET_MS": str(lag)}  # fmt: skip
    mem_log = Path(tempfile.mkdtemp(prefix="load-bench-mem-")) / "mem"
    if args.mem_probe:
        run_env["PYTHONPATH"] = f"{ROOT / 'bench' / 'memprobe'}{os.pathsep}{ROOT}"
        run_env["MEM_PROBE_LOG"] = str(mem_log)
        run_env["GC_PROBE_LOG"] = str(mem_log.parent / "gc")
    srv = subprocess.Popen([sys.executable, "-m", "auction", "serve", "--port", str(port)], env=run_env, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        await wait_port(port)
        url = f"ws://127.0.0.1:{port}/ws/rooms/{args.office_id}/{DAY.isoformat()}"
        # Warm-up: the search reference tables load on first use; one of each kind of query.
        await asyncio.to_thread(_warm, port, paths[:20])
        idle = RoomProbe(url)
        await idle.ping(args.idle_seconds, args.ping_every)
        rss_before = rss_kib(srv.pid)
        gen = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOADGEN, str(port), str(args.connections), str(args.seconds),
            str(args.max_requests), "10", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert gen.stdin is not None
        gen.stdin.write(json.dumps(paths).encode())
        gen.stdin.close()
        busy = RoomProbe(url)
        peak = [rss_before]

        async def sample_rss() -> None:
            while gen.returncode is None:
                peak.append(rss_kib(srv.pid))
                await asyncio.sleep(0.5)

        await asyncio.sleep(1.0)  # let the crowd connect before measuring
        sampler = asyncio.create_task(sample_rss())
        cpu0, t_cpu, t_wall = cpu_seconds([srv.pid]), time.perf_counter(), time.time()
        await asyncio.gather(busy.ping(args.seconds - 2, args.ping_every), busy.joins(args.seconds - 2))
        # How much CPU the server got: on a shared machine it is the context every other figure needs.
        server_cpu = (cpu_seconds([srv.pid]) - cpu0) / (time.perf_counter() - t_cpu)
        pauses = gc_pauses(mem_log.parent / "gc", t_wall, time.time()) if args.mem_probe else ""
        out, _ = await asyncio.wait_for(gen.communicate(), args.seconds + 30)
        await sampler
        await asyncio.sleep(5.0)
        rss_after = rss_kib(srv.pid)
        probe: list[int] = []
        if args.mem_probe:  # a full collection, then glibc's malloc_trim, inside the server
            srv.send_signal(signal.SIGUSR1)
            for _ in range(50):
                await asyncio.sleep(0.2)
                found = list(mem_log.parent.glob("mem.*"))
                if found and found[0].read_text().strip():
                    probe = [int(x) for x in found[0].read_text().split()]
                    break
        load = json.loads(out)
        answered = sum(load["status"].values())
        total = answered + load["unanswered"] + load["errors"]
        return {
            "idle_p50": pct(idle.rtt_ms, 0.5), "idle_p99": pct(idle.rtt_ms, 0.99),
            "busy_p50": pct(busy.rtt_ms, 0.5), "busy_p99": pct(busy.rtt_ms, 0.99),
            "pings": len(busy.rtt_ms), "ping_timeouts": busy.ping_timeouts,
            "join_p50": pct(busy.join_ms, 0.5), "join_max": max(busy.join_ms, default=float("nan")),
            "joins": len(busy.join_ms), "join_failures": busy.join_failures,
            "served_per_s": load["status"].get("200", 0) / load["elapsed"],
            "answered_per_s": answered / load["elapsed"],
            "share_503": load["status"].get("503", 0) / max(1, total),
            "unanswered": load["unanswered"] / max(1, total), "errors": load["errors"],
            "ok_p50": pct(load["ok_ms"], 0.5), "ok_p99": pct(load["ok_ms"], 0.99),
            "other_status": {k: v for k, v in load["status"].items() if k not in ("200", "503")},
            "server_cpu": server_cpu, "rss_before": rss_before / 1024, "probe": probe, "gc": pauses,
            "rss_peak": max(peak) / 1024, "rss_after": rss_after / 1024,
        }  # fmt: skip
    finally:
        srv.terminate()
        srv.wait()


def _warm(port: int, paths: list[str]) -> None:
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        for p in paths:
            c.get(p)


def describe(limit: int, queue: int, pace: float, lag: float) -> str:
    if limit == 0:
        return "no limit (HTTP_CONCURRENCY=0)"
    return f"HTTP_CONCURRENCY={limit}, HTTP_QUEUE={queue}, HTTP_SHED_PACE_SEC={pace:g}, HTTP_LAG_TARGET_MS={lag:g}"


def summary(name: str, runs: list[dict[str, Any]]) -> list[str]:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    lines = []
    for i, r in enumerate(runs, 1):
        lines.append(
            f"  - run {i}: ping idle p99 {r['idle_p99']:.1f} ms, under the burst p50 {r['busy_p50']:.1f} / "
            f"p99 {r['busy_p99']:.1f} ms ({r['pings']} pings, {r['ping_timeouts']} unanswered); "
            f"searches served {r['served_per_s']:.0f}/s, 503 {r['share_503']:.0%}, unanswered in 10 s "
            f"{r['unanswered']:.1%}, answered p50 {r['ok_p50']:.0f} / p99 {r['ok_p99']:.0f} ms; "
            f"new joins p50 {r['join_p50']:.0f} ms, max {r['join_max']:.0f} ms ({r['join_failures']} failed of "
            f"{r['joins'] + r['join_failures']}); RSS {r['rss_before']:.0f} -> peak {r['rss_peak']:.0f} -> "
            f"{r['rss_after']:.0f} MiB 5 s after; the server used {r['server_cpu']:.2f} CPU-s/s"
            + (
                f"; then a full collection freed {r['probe'][2]:,} objects ({r['probe'][1]:,} tracked): RSS "
                f"{r['probe'][0] / 1024:.0f} -> {r['probe'][3] / 1024:.0f} MiB, after malloc_trim "
                f"{r['probe'][4] / 1024:.0f} MiB"
                if r["probe"]
                else ""
            )
            + (f"; during the burst {r['gc']}" if r["gc"] else "")
            + (f"; other statuses {r['other_status']}" if r["other_status"] else "")
        )
    ratio = statistics.median(r["busy_p99"] / r["idle_p99"] for r in runs)
    lines.insert(
        0,
        f"- **{name}**: medians of {len(runs)} runs: room ping p99 idle {med('idle_p99'):.1f} ms, "
        f"under the burst **{med('busy_p99'):.1f} ms (ratio {ratio:.1f})**; searches served "
        f"{med('served_per_s'):.0f}/s, 503 share {med('share_503'):.0%}, unanswered in 10 s "
        f"{med('unanswered'):.1%}, p99 of answered searches {med('ok_p99'):.0f} ms; new room joins "
        f"p50 {med('join_p50'):.0f} ms, max {med('join_max'):.0f} ms; RSS {med('rss_before'):.0f} -> "
        f"peak {med('rss_peak'):.0f} -> {med('rss_after'):.0f} MiB",
    )
    return lines


def prepare(args: argparse.Namespace) -> dict[str, str]:
    """The database (migrated, demo lots, one room's fixture) and the server's environment."""
    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    db = Path(args.db).resolve() if args.db else tmp / "bench.db"
    url = f"sqlite+aiosqlite:///{db}"
    # A local benchmark server is a development server (the production checks want a real SECRET_KEY).
    env = {**os.environ, "ENVIRONMENT": "development", "DATABASE_URL": url, "BROKER_URL": "memory://",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    office = Path(f"{db}.office")
    subprocess.run([sys.executable, "-m", "auction", "migrate"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    if not office.exists():
        subprocess.run([sys.executable, "-m", "auction", "demo-data", "--lots", str(args.lots)], env=env,
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
        fx = asyncio.run(seed(url, rooms=1, bidders=1))
        office.write_text(str(fx["rooms"][0]["office_id"]))
    args.office_id = int(office.read_text())
    return env


async def main(args: argparse.Namespace, env: dict[str, str]) -> str:
    paths = search_paths(2000)
    lines = []
    for config in args.configs.split(","):
        limit, queue, pace, lag = (config.split(":") + ["0", "0"])[:4]
        values = int(limit), int(queue), float(pace), float(lag)
        runs = [await one_run(args, env, *values, paths) for _ in range(args.repeat)]
        for line in summary(describe(*values), runs):
            print(line, flush=True)
            lines.append(line)
    return "\n".join(lines)


def write_report(body: str, args: argparse.Namespace) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    cmd = (
        f".venv/bin/python bench/load_bench.py --connections {args.connections} --seconds {args.seconds:g} "
        f"--repeat {args.repeat} --configs {args.configs} --lots {args.lots}"
    )
    section = (
        f"\n## The room under a search crowd ({dt.date.today().isoformat()})\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} when it finished (the machine is shared: compare ratios); one server process "
        f"(uvicorn) on SQLite with {args.lots:,} demo lots; {args.connections} keep-alive connections on "
        f"/api/search/lots for {args.seconds:g} s from a load-generator process, each sending its next search "
        f"as soon as the last was answered (Retry-After ignored); one room socket pinging every "
        f"{args.ping_every * 1000:.0f} ms, a new socket joining once a second.\n"
        f"Command: `{cmd}`\n\n{body}\n"
    )
    doc.write_text(doc.read_text(encoding="utf-8").rstrip() + "\n" + section, encoding="utf-8")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--connections", type=int, default=300)
    p.add_argument("--seconds", type=float, default=20.0, help="length of each search burst")
    p.add_argument("--idle-seconds", type=float, default=8.0)
    p.add_argument("--ping-every", type=float, default=0.05)
    p.add_argument("--max-requests", type=int, default=200_000, help="bound on searches sent per run")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--configs", default="0:0,4:0:0,4:0:2,4:0:2:20",
                   help="limit:queue[:pace[:lag]] (HTTP_CONCURRENCY:HTTP_QUEUE:HTTP_SHED_PACE_SEC:HTTP_LAG_TARGET_MS);"
                        " 0:0 is no limit")  # fmt: skip
    p.add_argument("--lots", type=int, default=20_000)
    p.add_argument("--db", default="", help="reuse (or create) this SQLite file")
    p.add_argument("--mem-probe", action="store_true",
                   help="after each burst, ask the server what a full collection and malloc_trim free")  # fmt: skip
    p.add_argument("--no-write", action="store_true")
    a = p.parse_args()
    if a.seconds < 5:
        p.error("--seconds must be 5 or more")
    report = asyncio.run(main(a, prepare(a)))
    if not a.no_write:
        write_report(report, a)
