"""Two real server processes share a room through Redis and one database; one is killed mid-lot.

Bidders race on both; the clients of the dead process reconnect to the survivor with their last
seq and catch up; the lot finishes with exactly one winner, no accepted bid lost, and a gap-free
sequence. Runs on whichever database the suite runs on (SQLite's single writer holds across
processes as PostgreSQL's row locks do).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from auction.models import Bid, SaleRound
from tests.conftest import redis_url
from tests.realtime.roomkit import DAY, Peer, build, peer, room_state
from tests.servers import free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.redis


@contextlib.contextmanager
def serve(database_url: str, broker: str, prefix: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "BROKER_URL": broker, "BROKER_PREFIX": prefix,
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "auction", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


async def test_a_process_dies_mid_lot_and_the_lot_finishes_on_the_survivor(db, database_url) -> None:
    broker = redis_url()
    if broker is None:
        pytest.skip("Redis is not running on 127.0.0.1:6379: the cross-process room needs it")
    fx = await build(db, bidders=6, lots=1)
    prefix = f"proc-{secrets.token_hex(4)}:"
    accepted: list[dict[str, Any]] = []
    with (
        serve(database_url, broker, prefix) as (proc_a, port_a),
        serve(database_url, broker, prefix) as (_, port_b),
    ):
        await asyncio.gather(wait_port(port_a), wait_port(port_b))
        async with peer(port_a, fx.path, fx.tokens["officer"], "officer") as off:
            opened = await off.command("open_lot", round_id=fx.rounds[0], increment=1_000)
            assert opened and opened["type"] == "lot_opened"

        async def bidder(i: int, port: int, rounds: int) -> Peer:
            name = f"b{i}"
            async with peer(port, fx.path, fx.tokens[name], name) as p:
                for _ in range(rounds):
                    price = (await room_state(db, fx.office_id))[1]
                    r = await p.bid(1_600_000 if price is None else price + 1_000)
                    if r["status"] == "accepted":
                        accepted.append(r)
                return p

        # Round 1: three bidders on each process race.
        first = await asyncio.gather(*(bidder(i, port_a if i <= 3 else port_b, 4) for i in range(1, 7)))
        assert accepted
        # Process A dies without a goodbye.
        proc_a.send_signal(signal.SIGKILL)
        proc_a.wait(10)
        # Its clients come back on B with the last seq they applied and get exactly what they missed.
        for p in first[:3]:
            async with peer(port_b, fx.path, fx.tokens[p.name], p.name, last_seq=p.last_seq) as back:
                caught = back.inbox[-1]
                assert caught["type"] in ("replay", "snapshot")
                if caught["type"] == "replay":
                    assert (
                        [e["seq"] for e in caught["events"]]
                        == list(range(p.last_seq + 1, caught["events"][-1]["seq"] + 1))
                        if caught["events"]
                        else True
                    )
        # Round 2: everyone on the survivor, then the officer closes the lot there.
        await asyncio.gather(*(bidder(i, port_b, 2) for i in range(1, 7)))
        async with peer(port_b, fx.path, fx.tokens["officer"], "officer") as off, \
                peer(port_b, fx.path, None, "watcher", last_seq=0) as watcher:  # fmt: skip
            for n in (1, 2, 3):
                assert (await off.command("count", n=n))["n"] == n
            hammer = await off.command("hammer")
            assert hammer and hammer["type"] == "hammer"
            last_seq = hammer["seq"]
            await watcher.expect(lambda m: m.get("seq") == last_seq, timeout=10)
            stream = watcher.events()

    # A gap-free sequence, strictly rising prices, and every accepted bid is in it.
    assert [e["seq"] for e in stream] == list(range(1, last_seq + 1))
    bids = [e for e in stream if e["type"] == "bid"]
    assert [b["price"] for b in bids] == sorted({b["price"] for b in bids})
    assert {r["bid_id"] for r in accepted} == {b["bid_id"] for b in bids}
    async with db() as s:
        stored = list(await s.scalars(select(Bid).where(Bid.round_id == fx.rounds[0])))
        assert {b.id for b in stored} == {r["bid_id"] for r in accepted}
        rnd = await s.get(SaleRound, fx.rounds[0])
        assert rnd is not None and rnd.status == "sold" and rnd.live_state == "hammered"
        assert (rnd.sold_price, rnd.winner_bidder_no) == (bids[-1]["price"], bids[-1]["bidder_no"])
    assert hammer["price"] == bids[-1]["price"] and DAY
