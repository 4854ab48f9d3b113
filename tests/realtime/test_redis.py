"""Two servers (separate hubs, engines and broker connections) share a room through Redis."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets

import pytest

from tests.conftest import redis_url
from tests.realtime.roomkit import build, room_state, server

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_settings(settings):
    url = redis_url()
    if url is None:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (set BROKER_URL=redis://... to run this test)")
    return dataclasses.replace(settings, broker_url=url, broker_prefix=f"test-{secrets.token_hex(4)}:")


async def test_bids_racing_on_two_servers_reach_everyone_in_one_order(db, redis_settings) -> None:
    fx = await build(db, bidders=6, lots=1)
    async with server(redis_settings) as a, server(redis_settings) as b, contextlib.AsyncExitStack() as stack:
        off = await stack.enter_async_context(a.peer(fx, "officer"))
        watchers = [await stack.enter_async_context(srv.peer(fx, None)) for srv in (a, b)]
        peers = [await stack.enter_async_context((a if i % 2 else b).peer(fx, f"b{i}")) for i in range(1, 7)]
        assert (await off.command("open_lot", round_id=fx.rounds[0], increment=1_000))["type"] == "lot_opened"

        async def race(p) -> None:
            for _ in range(5):
                price = (await room_state(db, fx.office_id))[1]
                await p.bid(1_600_000 if price is None else price + 1_000)

        await asyncio.gather(*(race(p) for p in peers))
        last_seq, price, leader = await room_state(db, fx.office_id)
        streams = []
        for w in [off, *watchers]:
            await w.expect(lambda m: m.get("seq") == last_seq, timeout=10)
            streams.append([(e["seq"], e["type"], e.get("price")) for e in w.events()])
        # Every client, whichever server it is on, saw the same gap-free, strictly rising stream.
        assert streams[0] == streams[1] == streams[2]
        assert [s for s, _, _ in streams[0]] == list(range(1, last_seq + 1))
        prices = [p for _, t, p in streams[0] if t == "bid"]
        assert prices == sorted(set(prices)) and prices[-1] == price


async def test_audience_is_counted_across_servers(db, redis_settings) -> None:
    fx = await build(db)
    async with server(redis_settings) as a, server(redis_settings) as b, a.peer(fx, None) as p1, \
            b.peer(fx, None) as p2, b.peer(fx, "b1") as p3:  # fmt: skip
        seen = await p1.expect(lambda m: m["type"] == "audience" and m["count"] == 3, timeout=8)
        assert seen["count"] == 3
        del p2, p3
