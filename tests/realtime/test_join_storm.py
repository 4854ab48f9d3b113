"""Joins served from memory (RoomHub.join): a room opening or a reconnect storm must give every
joiner exactly what the database would, and read the database once, not once per joiner."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import update

from auction.models import SaleRound
from realtime import local, views
from tests.realtime.roomkit import build, server
from tests.realtime.test_room import open_lot

VOLATILE = ("server_time", "audience", "you", "v")


def room_part(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if k not in VOLATILE}


@pytest.fixture
def reads(monkeypatch) -> dict[str, int]:
    """Counts the database reads a join can make."""
    counts = {"snapshot": 0, "events": 0}
    room_snapshot, events_after = views.room_snapshot, views.events_after

    async def counted_snapshot(*a, **kw):
        counts["snapshot"] += 1
        return await room_snapshot(*a, **kw)

    async def counted_events(*a, **kw):
        counts["events"] += 1
        return await events_after(*a, **kw)

    monkeypatch.setattr(views, "room_snapshot", counted_snapshot)
    monkeypatch.setattr(views, "events_after", counted_events)
    return counts


async def test_a_crowd_joining_at_one_seq_gets_the_databases_snapshot_read_once(db, settings, reads) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        await b1.bid(1_600_000)
        await off.expect("bid")
        reads["snapshot"] = 0
        async with contextlib.AsyncExitStack() as stack:
            crowd = [await stack.enter_async_context(srv.peer(fx, None)) for _ in range(6)]
            b2 = await stack.enter_async_context(srv.peer(fx, "b2"))
            snaps = [p.inbox[0] for p in [*crowd, b2]]
            assert reads["snapshot"] == 1  # the first joiner read it; the others got the same from memory
            assert all(room_part(s) == room_part(snaps[0]) for s in snaps)
            assert snaps[0]["seq"] == 2 and snaps[0]["lot"]["price"] == 1_600_000
            assert [b["amount"] for b in snaps[0]["lot"]["bids"]] == [1_600_000]
            # Each still gets their own standing: the public may not bid, an approved buyer may.
            assert crowd[0].inbox[0]["you"]["reason"] == "login_required"
            assert b2.inbox[0]["you"] == {"role": "buyer", "user_id": fx.user_ids["b2"], "bidder_no": 2,
                                          "can_bid": True, "reason": None}  # fmt: skip
            # A new event: the next joiner's snapshot is read afresh, and live events follow on.
            await b2.bid(1_610_000)
            late = await stack.enter_async_context(srv.peer(fx, None))
            assert late.inbox[0]["seq"] == 3 and late.inbox[0]["lot"]["price"] == 1_610_000
            assert reads["snapshot"] == 2
            await off.command("count", n=1)
            assert (await late.expect("count"))["seq"] == 4
            for p in crowd:  # live from the snapshot's seq on: nothing skipped, nothing twice
                await p.expect("count")
                assert [(e["seq"], e["type"]) for e in p.events()] == [(3, "bid"), (4, "count")]


async def test_a_change_made_outside_the_room_reaches_joiners_within_the_ttl(
    db, settings, monkeypatch
) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, None) as first:
        assert first.inbox[0]["queue"][1]["status"] == "scheduled"
        async with db.begin() as s:  # e.g. the lot withdrawn at the office: no room event
            await s.execute(update(SaleRound).where(SaleRound.id == fx.rounds[1]).values(status="withdrawn"))
        async with srv.peer(fx, None) as soon:  # within the TTL: the snapshot as delivered
            assert soon.inbox[0]["queue"][1]["status"] == "scheduled"
        monkeypatch.setattr(local, "SNAPSHOT_TTL", 0.0)
        async with srv.peer(fx, None) as later:
            assert later.inbox[0]["queue"][1]["status"] == "withdrawn"


async def test_a_reconnect_storm_replays_from_memory_exactly_what_the_log_holds(db, settings, reads) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        async with srv.peer(fx, "b2") as b2:
            await b2.bid(1_600_000)
            seen = b2.last_seq
        await b1.bid(1_610_000)
        await off.command("count", n=1)
        await off.command("count", n=2)
        async with db() as s:
            room_id = next(iter(srv.app.state.hub.rooms))
            logged = await views.events_after(s, room_id, seen)
        reads["events"] = 0
        backs = []
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(5):
                p = await stack.enter_async_context(srv.peer(fx, "b2", join=False))
                backs.append(await p.join(last_seq=seen))
            assert reads["events"] == 1  # the first read the log; the other four were served from memory
            assert all(r["type"] == "replay" and r["events"] == logged for r in backs)
            assert [e["type"] for e in logged] == ["bid", "bid", "count", "count"]
            # From further back than memory holds: the database answers, with the same result.
            recent = srv.app.state.hub.rooms[room_id].recent
            recent.popleft()  # memory now starts one event later
            oldest = recent[0][0]
            p = await stack.enter_async_context(srv.peer(fx, "b2", join=False))
            replay = await p.join(last_seq=oldest - 2)
            assert reads["events"] == 2
            async with db() as s:
                assert replay["events"] == await views.events_after(s, room_id, oldest - 2)


async def test_a_snapshot_reads_one_view_of_the_database_on_both_back_ends(db, engine) -> None:
    """The room's row and the lot read after it must agree (the snapshot's seq labels its content):
    a change committed between the two reads is not seen by the second one."""
    from sqlalchemy import select, text

    from auction.db import one_snapshot
    from auction.models import Office

    async with db() as reader:
        await one_snapshot(reader)
        before = await reader.scalar(select(Office.name_en).where(Office.code == "LED-10-1"))
        async with db.begin() as writer:
            await writer.execute(update(Office).where(Office.code == "LED-10-1").values(name_en="Changed"))
        again = await reader.scalar(
            select(Office.name_en).where(Office.code == "LED-10-1").execution_options(populate_existing=True)
        )
        assert again == before != "Changed"
        if engine.dialect.name == "postgresql":
            assert await reader.scalar(text("SHOW transaction_isolation")) == "repeatable read"
    async with db.begin() as s:  # reference rows are kept between tests: put it back
        await s.execute(update(Office).where(Office.code == "LED-10-1").values(name_en=before))
