"""e-Offering room benchmark: fan-out latency, broadcast throughput vs bare websockets, bid rates,
memory per connection. Prints its figures and appends them to docs/benchmarks.md.

    .venv/bin/python bench/room_bench.py                      # 2,000 clients (the issue's figure)
    .venv/bin/python bench/room_bench.py --clients 300 --seconds 4   # quick look

What runs: a real server process (`python -m auction serve`, uvicorn + Starlette, websockets-sansio,
no compression) on a fresh SQLite file, and this harness process holding every client socket. The
spectators are plain asyncio protocols driving websockets' sans-I/O client (no task per socket, frames
parsed in the transport callback: the least Python per message); the few bidders and the officer use
the websockets asyncio client. The baseline is a bare `websockets` server that only calls
`websockets.broadcast()` with messages of the same size, measured by the same harness in the same run:
the harness saturates first on 2 cores, so only the ratio between the two is meaningful.

The harness is measuring equipment: after its sockets are open it freezes its heap and raises its own
garbage-collector thresholds (same for both servers), so a collection in the harness is not counted
as server latency. The server processes load bench/gcprobe, which logs their collector passes: the
report says how many passes of 10 ms or more fell inside the latency run and the longest.
`--gc-threshold python` runs the server with Python's default thresholds (the before-figure).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402
from websockets.client import ClientProtocol  # noqa: E402
from websockets.frames import Frame, Opcode  # noqa: E402
from websockets.http11 import Response  # noqa: E402
from websockets.uri import parse_uri  # noqa: E402

from tests.servers import free_port, wait_port  # noqa: E402

DAY = dt.date(2026, 11, 23)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    return total / os.sysconf("SC_CLK_TCK")


def quiet_harness_gc() -> None:
    """Freeze what the harness holds (sockets, tasks) and collect rarely while it measures."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def gc_pauses(log_prefix: Path, start: float, end: float) -> str:
    """Collector passes of 10 ms or more in the server processes between `start` and `end`."""
    long: list[tuple[float, int]] = []
    for f in log_prefix.parent.glob(log_prefix.name + ".*"):
        for line in f.read_text().splitlines():
            at, gen, ms = line.split()
            if start <= float(at) <= end and float(ms) >= 10:
                long.append((float(ms), int(gen)))
    if not long:
        return "no collector pass of 10 ms or more in the server"
    worst = max(long)
    return f"{len(long)} collector pass(es) of 10 ms or more in the server, the longest {worst[0]:.0f} ms (generation {worst[1]})"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


# --- fixture ----------------------------------------------------------------------------------


async def seed(url: str, rooms: int, bidders: int) -> dict[str, Any]:
    """`rooms` offices each selling one lot on DAY, `bidders` approved buyers in every room, and
    an officer per office. Returns bearer tokens and room addresses."""
    from sqlalchemy import select

    from auction import auth
    from auction.db import make_null_pool_engine, sessionmaker
    from auction.models import Case, Court, Lot, Office, Registration, SaleRound
    from auction.registration import issue_paddle
    from auction.services import NewLot, lot_values

    engine = make_null_pool_engine(url)
    out: dict[str, Any] = {"rooms": [], "bidders": []}
    async with sessionmaker(engine).begin() as s:
        offices = list(await s.scalars(select(Office).order_by(Office.id).limit(rooms)))
        court = await s.scalar(select(Court).limit(1))
        assert court is not None
        buyers = []
        for i in range(bidders):
            u = await auth.create_user(s, f"bench-b{i}@bench.example", "bench-password")
            buyers.append((u, await auth.start_session(s, u.id)))
        for n, office in enumerate(offices):
            officer = await auth.create_user(s, f"bench-o{n}@bench.example", "bench-password", role="officer",
                                             office_id=office.id)  # fmt: skip
            case = Case(court_id=court.id, office_id=office.id, red_prefix="ผบ", red_number=n + 1, red_year=2566,
                        red_key=f"ผบ.{n + 1}/2566", plaintiff="ธนาคารออมสิน", defendant="นายทดสอบ ระบบ")  # fmt: skip
            s.add(case)
            await s.flush()
            values, rounds = lot_values(NewLot(sale_order="1", property_type="002", province_code=office.province_code,
                                               district_code=office.province_code + "01", office_id=office.id,
                                               round_dates=[DAY], appraisal_officer=2_000_000, area_sqm=40.0), case.id)  # fmt: skip
            lot = Lot(**values)
            s.add(lot)
            await s.flush()
            rnd = SaleRound(lot_id=lot.id, **rounds[0])
            s.add(rnd)
            await s.flush()
            for u, _ in buyers:
                paddle = await issue_paddle(s, office.id, DAY, u.id)
                # Paddles 1 and 2 are checked in on the floor: floor_burst bids with them (a floor
                # bid takes only a floor paddle); they may still bid from a phone as well.
                s.add(Registration(user_id=u.id, round_id=rnd.id, lot_id=lot.id, deposit_due=150_000,
                                   channel="floor" if paddle.number <= 2 else "remote",
                                   status="confirmed", bidder_number_id=paddle.id, bidder_no=paddle.number))  # fmt: skip
            out["rooms"].append({"office_id": office.id, "round_id": rnd.id,
                                 "officer": await auth.start_session(s, officer.id)})  # fmt: skip
        out["bidders"] = [tok for _, tok in buyers]
    await engine.dispose()
    return out


# --- the harness ------------------------------------------------------------------------------


_SEQ = re.compile(rb'"seq": ?(\d+)')
_COUNTED = re.compile(rb'"type": ?"(?:bid|tick)"')  # our bid events, the bare server's ticks


class _Spectator(asyncio.Protocol):
    """One listening socket with no task of its own: websockets' sans-I/O client protocol parses the
    frames in the transport's callback (and answers the server's pings), so the harness spends as
    little as it can per message and measures the server rather than itself."""

    def __init__(self, listener: Listener, uri: str, join: bool, headers: dict[str, str] | None) -> None:
        self.listener, self.join = listener, join
        self.proto = ClientProtocol(parse_uri(uri))
        self.request = self.proto.connect()
        for k, v in (headers or {}).items():
            self.request.headers[k] = v
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.proto.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.proto.receive_data(data)
        for event in self.proto.events_received():
            if isinstance(event, Response):
                if self.proto.handshake_exc is not None:
                    self.ready.set_exception(self.proto.handshake_exc)
                elif self.join:
                    self.proto.send_text(b'{"v":1,"type":"join"}')
                else:
                    self.ready.set_result(None)
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                if not self.ready.done():  # the snapshot answers the join
                    self.ready.set_result(None)
                else:
                    self.listener.on_text(event.data, now)
        self._flush()

    def _flush(self) -> None:
        assert self.transport is not None
        for chunk in self.proto.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif not self.transport.is_closing():
                self.transport.write_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed before it was ready"))


class Listener:
    """Holds many sockets; records, per seq, when each arrived (wall clock)."""

    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = {}
        self.sent_at: dict[int, float] = {}
        self.received = 0
        self.socks: list[_Spectator] = []

    async def attach(
        self, urls: list[str], n: int, join: bool, headers: dict[str, str] | None = None
    ) -> None:
        """`n` sockets spread round-robin over `urls` (one per server process)."""
        sem = asyncio.Semaphore(100)
        loop = asyncio.get_running_loop()

        async def one(i: int) -> None:
            url = urls[i % len(urls)]
            host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
            async with sem:
                _, sock = await loop.create_connection(
                    lambda: _Spectator(self, url, join, headers), host, int(port)
                )
                await asyncio.wait_for(sock.ready, 60)
            self.socks.append(sock)

        await asyncio.gather(*(one(i) for i in range(n)))

    def on_text(self, data: bytes, now: float) -> None:
        m = _SEQ.search(data)
        if m is None or _COUNTED.search(data) is None:
            return
        seq = int(m.group(1))
        self.received += 1
        self.arrivals.setdefault(seq, []).append(now)
        if seq not in self.sent_at:
            msg = json.loads(data)
            self.sent_at[seq] = dt.datetime.fromisoformat(msg["at"]).timestamp()

    async def close(self) -> None:
        for sock in self.socks:
            if sock.transport is not None:
                sock.transport.close()
        await asyncio.sleep(0.1)

    def latency_ms(self, expected: int) -> dict[str, float]:
        all_ms: list[float] = []
        last_ms: list[float] = []
        complete = 0
        for seq, times in self.arrivals.items():
            t0 = self.sent_at.get(seq)
            if t0 is None:
                continue
            all_ms.extend((t - t0) * 1000 for t in times)
            last_ms.append((max(times) - t0) * 1000)
            complete += len(times) == expected
        return {
            "p50_all": pct(all_ms, 0.50), "p99_all": pct(all_ms, 0.99),
            "p50_last": pct(last_ms, 0.50), "p99_last": pct(last_ms, 0.99),
            "events": len(last_ms), "complete": complete,
        }  # fmt: skip


async def drive_bids(
    urls: list[str], tokens: list[str], count: int, rate: float, start_price: int, inc: int
) -> int:
    """Two bidders alternate at `rate` bids/s (open loop when rate > 0, else as fast as receipts come);
    with several server processes the two bidders sit on different ones."""
    socks = []
    for i, tok in enumerate(tokens[:2]):
        ws = await connect(urls[i % len(urls)], compression=None, additional_headers={"Authorization": f"Bearer {tok}"},
                           ping_interval=None)  # fmt: skip
        await ws.send(json.dumps({"v": 1, "type": "join"}))
        await ws.recv()
        socks.append(ws)
    accepted = 0
    price = start_price - inc
    t_next = time.perf_counter()
    for i in range(count):
        ws = socks[i % 2]
        price += inc
        await ws.send(json.dumps({"v": 1, "type": "bid", "amount": price, "key": f"k{i}-{time.time_ns()}"}))
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] == "receipt":
                accepted += msg["status"] == "accepted"
                break
        if rate > 0:
            t_next += 1 / rate
            await asyncio.sleep(max(0.0, t_next - time.perf_counter()))
    for ws in socks:
        await ws.close()
    return accepted


async def floor_burst(url: str, officer: str, n: int, start: int, inc: int) -> tuple[int, float]:
    """The officer pipelines `n` floor bids (paddles 1 and 2 alternating) on one socket without
    waiting: one ordered stream, so every bid is valid; returns (accepted, seconds to last receipt)."""
    async with connect(url, compression=None, additional_headers={"Authorization": f"Bearer {officer}"},
                       ping_interval=None, max_queue=None) as ws:  # fmt: skip
        await ws.send(json.dumps({"v": 1, "type": "join"}))
        snap = json.loads(await ws.recv())
        price = (snap["lot"] or {}).get("price") or (start - inc)
        t0 = time.perf_counter()
        for i in range(n):
            price += inc
            await ws.send(json.dumps({"v": 1, "type": "floor_bid", "paddle": 1 + i % 2, "amount": price,
                                      "key": f"f{i}-{time.time_ns()}"}))  # fmt: skip
        accepted = receipts = 0
        while receipts < n:
            msg = json.loads(await ws.recv())
            if msg["type"] == "receipt":
                receipts += 1
                accepted += msg["status"] == "accepted"
        return accepted, time.perf_counter() - t0


async def officer_open(url: str, token: str, round_id: int, inc: int) -> None:
    async with connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, ping_interval=None
    ) as ws:
        await ws.send(json.dumps({"v": 1, "type": "join"}))
        await ws.recv()
        await ws.send(json.dumps({"v": 1, "type": "open_lot", "round_id": round_id, "increment": inc}))
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] in ("lot_opened", "error"):
                assert msg["type"] == "lot_opened", msg
                return


# --- the bare baseline --------------------------------------------------------------------------

BARE_SERVER = r"""
import asyncio, json, sys, time, datetime as dt
import websockets
from websockets.asyncio.server import serve, broadcast
clients = set()
async def handler(ws):
    if ws.request.path == "/control":
        async for raw in ws:
            cmd = json.loads(raw)
            n, rate, pad = cmd["count"], cmd["rate"], cmd["pad"]
            t_next = time.perf_counter()
            for seq in range(1, n + 1):
                msg = json.dumps({"v": 1, "type": "tick", "seq": seq,
                                  "at": dt.datetime.now(dt.UTC).isoformat(), "pad": pad})
                broadcast(clients, msg)
                if rate > 0:
                    t_next += 1 / rate
                    await asyncio.sleep(max(0.0, t_next - time.perf_counter()))
                else:
                    await asyncio.sleep(0)
            await ws.send("done")
        return
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None, ping_interval=None, max_queue=None):
        await asyncio.Future()
asyncio.run(main())
"""


BARE_CONNECT_SECONDS: list[float] = []  # the handshakes alone, for the join figure


async def bare_run(
    clients: int, count: int, rate: float, pad: str, gc_log: Path
) -> tuple[dict[str, float], float, str, float]:
    """Latency stats, deliveries/s, collector pauses, and server CPU µs per delivery."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bench" / "gcprobe"), "GC_PROBE_LOG": str(gc_log)}
    proc = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], env=env)
    try:
        await wait_port(port)
        listener = Listener()
        t_attach = time.perf_counter()
        await listener.attach([f"ws://127.0.0.1:{port}/room"], clients, join=False)
        BARE_CONNECT_SECONDS.append(time.perf_counter() - t_attach)
        quiet_harness_gc()
        t0, t_wall, cpu0 = time.perf_counter(), time.time(), cpu_seconds([proc.pid])
        async with connect(f"ws://127.0.0.1:{port}/control", ping_interval=None) as ctl:
            await ctl.send(json.dumps({"count": count, "rate": rate, "pad": pad}))
            await ctl.recv()
        await settle(listener, count * clients)
        elapsed = time.perf_counter() - t0
        stats = listener.latency_ms(clients)
        throughput = listener.received / elapsed
        cpu_us = (cpu_seconds([proc.pid]) - cpu0) * 1e6 / max(1, listener.received)
        await listener.close()
        return stats, throughput, gc_pauses(gc_log, t_wall, time.time()), cpu_us
    finally:
        proc.terminate()
        proc.wait()


async def settle(listener: Listener, expected: int, quiet: float = 0.5, limit: float = 30) -> None:
    """Wait until every delivery arrived, or nothing more arrives for `quiet` seconds."""
    deadline = time.perf_counter() + limit
    last, last_change = -1, time.perf_counter()
    while time.perf_counter() < deadline and listener.received < expected:
        if listener.received != last:
            last, last_change = listener.received, time.perf_counter()
        elif time.perf_counter() - last_change > quiet:
            break
        await asyncio.sleep(0.02)


# --- main -----------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="room-bench-"))
    url = args.database_url or f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    dropdb = None
    if url.startswith("postgresql"):
        sys.path.insert(0, str(ROOT))
        from tests.conftest import create_pg_database, drop_pg_database

        url = await create_pg_database(url)
        dropdb = drop_pg_database
    # The per-socket flood limit (20 msg/s) is for people; the harness pipelines on purpose. Its
    # thousands of clients all come from 127.0.0.1: the per-address socket cap is lifted too.
    gc_log = tmp / "gc"
    env = {**os.environ, "ENVIRONMENT": "development", "DATABASE_URL": url, "BROKER_URL": args.broker_url,
           "PYTHONPATH": f"{ROOT / 'bench' / 'gcprobe'}{os.pathsep}{ROOT}", "GC_PROBE_LOG": str(gc_log),
           "WS_RATE_PER_SEC": "100000", "WS_MAX_PER_ADDRESS": "1000000", "BROKER_PREFIX": f"bench-{os.getpid()}:"}  # fmt: skip
    if args.gc_threshold:
        env["GC_THRESHOLD"] = args.gc_threshold
    subprocess.run([sys.executable, "-m", "auction", "migrate"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    fx = await seed(url, rooms=args.lots + 1, bidders=4)  # room 0: the latency runs; then `lots` rooms
    ports = [free_port() for _ in range(args.processes)]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "auction", "serve", "--port", str(p)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for p in ports
    ]
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    def room_urls(office_id: int) -> list[str]:
        return [f"ws://127.0.0.1:{p}/ws/rooms/{office_id}/{DAY.isoformat()}" for p in ports]

    def rss() -> int:
        return sum(rss_kib(s.pid) for s in servers)

    try:
        for p in ports:
            await wait_port(p)
        room0 = fx["rooms"][0]
        urls0 = room_urls(room0["office_id"])
        url0 = urls0[0]
        await officer_open(url0, room0["officer"], room0["round_id"], 10_000)
        rss0 = rss()
        listener = Listener()
        t = time.perf_counter()
        await listener.attach(urls0, args.clients, join=True)
        join_s = time.perf_counter() - t
        await asyncio.sleep(1.0)
        quiet_harness_gc()
        rss1 = rss()
        say(
            f"- {args.clients} spectators joined in {time.perf_counter() - t:.1f} s; server RSS "
            f"{rss0 / 1024:.0f} -> {rss1 / 1024:.0f} MiB: **{(rss1 - rss0) / args.clients:.1f} KiB per connection**"
        )

        # 1. Fan-out latency at a steady bid rate, `--repeat` runs (the harness is noisy: medians).
        n = 2 * max(1, int(args.rate * args.seconds) // 2)  # even: the two bidders alternate across runs
        runs: list[dict[str, float]] = []
        for k in range(args.repeat):
            listener.arrivals.clear()
            listener.sent_at.clear()
            before = listener.received
            t_wall = time.time()
            accepted = await drive_bids(
                urls0, fx["bidders"], n, args.rate, 2_000_000 + k * n * 10_000, 10_000
            )
            await settle(listener, before + accepted * args.clients)
            ours = listener.latency_ms(args.clients)
            ours["accepted"] = accepted
            runs.append(ours)
            say(
                f"- ours, run {k + 1}, {args.rate:g} bids/s for {args.seconds:g} s ({accepted} accepted): "
                f"accept-to-delivery p50 {ours['p50_all']:.1f} ms, p99 {ours['p99_all']:.1f} ms over all deliveries; "
                f"at the last client p50 {ours['p50_last']:.1f} ms, **p99 {ours['p99_last']:.1f} ms**; "
                f"{ours['complete']}/{ours['events']} events reached every client; "
                f"{gc_pauses(gc_log, t_wall, time.time())}"
            )
        sample = json.dumps({"v": 1, "type": "bid", "seq": 1, "at": dt.datetime.now(dt.UTC).isoformat(),
                             "round_id": 1, "bid_id": 1, "bidder_no": 1, "amount": 2_000_000, "channel": "remote",
                             "price": 2_000_000, "next_min": 2_010_000, "count": 0})  # fmt: skip
        pad = "x" * max(0, len(sample) - 90)

        # 2. Broadcast throughput: floor bids pipelined by the officer, deliveries per second.
        listener.arrivals.clear()
        listener.sent_at.clear()
        before = listener.received
        t, cpu0 = time.perf_counter(), cpu_seconds([srv.pid for srv in servers])
        burst, _ = await floor_burst(url0, room0["officer"], args.burst, 0, 10_000)
        await settle(listener, before + burst * args.clients)
        ours_tp = (listener.received - before) / (time.perf_counter() - t)
        ours_cpu = (
            (cpu_seconds([srv.pid for srv in servers]) - cpu0) * 1e6 / max(1, listener.received - before)
        )
        await listener.close()

        bare_runs = []
        for k in range(args.repeat):
            bare_lat, _, bare_pauses, _ = await bare_run(
                args.clients, n, args.rate, pad, tmp / f"gc-bare-lat{k}"
            )
            bare_runs.append(bare_lat)
            say(
                f"- bare websockets.broadcast(), run {k + 1}, same harness, {args.rate:g} msg/s: "
                f"p50 {bare_lat['p50_all']:.1f} ms, p99 {bare_lat['p99_all']:.1f} ms; at the last client "
                f"p50 {bare_lat['p50_last']:.1f} ms, p99 {bare_lat['p99_last']:.1f} ms; "
                f"{bare_pauses.replace('the server', 'the bare server')}"
            )
        ours_p99 = statistics.median(r["p99_last"] for r in runs)
        bare_p99 = statistics.median(r["p99_last"] for r in bare_runs)
        say(
            f"- **median over {args.repeat} runs, at the last of {args.clients} clients: ours p50 "
            f"{statistics.median(r['p50_last'] for r in runs):.1f} ms, p99 {ours_p99:.1f} ms; bare p50 "
            f"{statistics.median(r['p50_last'] for r in bare_runs):.1f} ms, p99 {bare_p99:.1f} ms; "
            f"ours / bare p99 {ours_p99 / bare_p99:.2f}**"
        )
        _, bare_tp, _, bare_cpu = await bare_run(args.clients, args.burst, 0, pad, tmp / "gc-bare-tp")
        say(
            f"- joining: ours {args.clients} handshakes + join + snapshot in {join_s:.1f} s; the bare server's "
            f"handshakes alone, same harness, {min(BARE_CONNECT_SECONDS):.1f} s"
        )
        say(
            f"- broadcast throughput, {args.burst} events as fast as they commit, {args.clients} clients: "
            f"ours {ours_tp:,.0f} deliveries/s, bare {bare_tp:,.0f} deliveries/s: **ratio {ours_tp / bare_tp:.2f}**; "
            f"server CPU per delivery (ours includes each bid's checks and commit): ours {ours_cpu:.1f} µs, "
            f"bare {bare_cpu:.1f} µs"
        )

        # 3. Bid acceptance with nobody watching: one lot, then many lots at once (one room each).
        got, secs = await floor_burst(url0, room0["officer"], args.bids, 0, 10_000)
        one = got / secs
        rooms = fx["rooms"][1 : args.lots + 1]
        for i, r in enumerate(rooms):
            await officer_open(room_urls(r["office_id"])[i % len(ports)], r["officer"], r["round_id"], 10_000)
        per = max(10, args.bids // max(1, len(rooms)))
        t = time.perf_counter()
        results = await asyncio.gather(*(
            floor_burst(room_urls(r["office_id"])[i % len(ports)], r["officer"], per, 2_000_000, 10_000)
            for i, r in enumerate(rooms)
        ))  # fmt: skip
        many = sum(a for a, _ in results) / (time.perf_counter() - t)
        remote = time.perf_counter()
        got_remote = await drive_bids(
            urls0, fx["bidders"], 100, 0, 10_000_000 + (args.bids + 10) * 10_000, 10_000
        )
        secs = time.perf_counter() - remote
        say(
            f"- accepted bids/s (each committed before its receipt): one lot {one:,.0f}/s pipelined; "
            f"{len(rooms)} lots at once {many:,.0f}/s; two phones alternating, each waiting for its receipt, "
            f"{got_remote / secs:,.0f}/s ({got_remote}/100 accepted)"
        )
    finally:
        for srv in servers:
            srv.terminate()
            srv.wait()
        if dropdb is not None:
            await dropdb(url)
    return "\n".join(lines)


def write_report(body: str, args: argparse.Namespace) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    head = "# Benchmarks\n\nFigures printed by the scripts in bench/, newest first within each section.\n"
    text = doc.read_text(encoding="utf-8") if doc.exists() else head
    cmd = (
        f".venv/bin/python bench/room_bench.py --clients {args.clients} --rate {args.rate:g} --seconds {args.seconds:g}"
        f" --repeat {args.repeat}"
        + (f" --processes {args.processes}" if args.processes > 1 else "")
        + (" --database-url postgresql+asyncpg://postgres@127.0.0.1/test" if args.database_url else "")
        + (f" --broker-url {args.broker_url}" if args.broker_url else "")
        + (f" --gc-threshold {args.gc_threshold}" if args.gc_threshold else "")
    )
    section = (
        f"\n## e-Offering room ({dt.date.today().isoformat()})\n\n"
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} when it finished (the machine is shared: compare ratios); "
        f"{args.processes} server process(es) (uvicorn) on {'PostgreSQL' if args.database_url else 'SQLite'}"
        f"{' + Redis' if args.broker_url else ''}, one harness process holding every socket.\n"
        f"Command: `{cmd}`\n\n{body}\n"
    )
    doc.write_text(text.rstrip() + "\n" + section, encoding="utf-8")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=2000)
    p.add_argument("--rate", type=float, default=5.0, help="bids per second during the latency run")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--repeat", type=int, default=3, help="latency runs, ours and bare (medians reported)")
    p.add_argument("--burst", type=int, default=200, help="bids in the throughput run")
    p.add_argument("--bids", type=int, default=1000, help="bids in the acceptance-rate runs")
    p.add_argument("--lots", type=int, default=50, help="lots bid on at once in the many-lots run")
    p.add_argument(
        "--processes", type=int, default=1, help="server processes (more than one needs --broker-url)"
    )
    p.add_argument("--database-url", default="", help="e.g. postgresql+asyncpg://postgres@127.0.0.1/test")
    p.add_argument("--broker-url", default="", help="e.g. redis://127.0.0.1:6379/0")
    p.add_argument("--gc-threshold", default="",
                   help="GC_THRESHOLD for the server, e.g. 'python' for the interpreter's defaults")  # fmt: skip
    p.add_argument("--no-write", action="store_true")
    a = p.parse_args()
    if a.processes > 1 and not a.broker_url:
        p.error("several processes share a room only through Redis: give --broker-url")
    report = asyncio.run(main(a))
    if not a.no_write:
        write_report(report, a)
