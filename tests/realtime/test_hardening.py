"""Issue 18 in the room: socket caps, floor paddles, absurd bids, hostile frames, a hung database.
Each refusal is checked to change nothing, and each socket to stay usable after it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json

import pytest
from httpx_ws import WebSocketDisconnect
from sqlalchemy import func, select, update

from auction.models import Bid, Room
from tests.realtime.roomkit import Peer, build, room_state, server
from tests.realtime.test_room import open_lot


async def bid_count(db) -> int:
    async with db() as s:
        return await s.scalar(select(func.count()).select_from(Bid))


async def closing_of(peer: Peer) -> tuple[dict, int | None]:
    """The `closing` frame a refused socket gets, and the close code that follows it."""
    closing = await peer.recv()
    code = None
    try:
        await peer.recv(timeout=2)
    except WebSocketDisconnect as exc:
        code = exc.code
    return closing, code


# --- caps -----------------------------------------------------------------------------------------


async def test_sockets_beyond_the_per_address_cap_are_refused_with_4429_and_a_freed_slot_is_reused(
    db, settings
) -> None:
    fx = await build(db)
    capped = dataclasses.replace(settings, ws_max_per_address=2)
    async with server(capped) as srv, srv.peer(fx, None) as first:
        async with srv.peer(fx, None):
            async with srv.peer(fx, None, join=False) as third:
                closing, code = await closing_of(third)
                assert (closing["type"], closing["code"], code) == ("closing", "too_many_connections", 4429)
                assert closing["message"]["th"] and closing["message"]["en"]
        # One of the two left: the next socket from that address gets in.
        async with srv.peer(fx, None) as again:
            assert again.inbox[0]["type"] == "snapshot"
        await first.send(type="ping", t=1)
        assert (await first.expect("pong"))["t"] == 1  # the ones admitted were never disturbed
        assert srv.app.state.hub._per_address[""] + srv.app.state.hub._per_address.get("testclient", 0) <= 2


async def test_sockets_beyond_the_per_room_cap_are_refused_with_4503(db, settings) -> None:
    fx = await build(db)
    capped = dataclasses.replace(settings, ws_max_per_room=1)
    async with server(capped) as srv, srv.peer(fx, None):
        async with srv.peer(fx, "b1", join=False) as second:
            closing, code = await closing_of(second)
            assert (closing["code"], code) == ("room_full", 4503)
    async with server(capped) as srv:  # every socket released: the count went back to zero
        async with srv.peer(fx, None) as p:
            assert p.inbox[0]["type"] == "snapshot"
        assert not srv.app.state.hub._per_room and not srv.app.state.hub._per_address


# --- floor bids -------------------------------------------------------------------------------------


async def test_a_floor_bid_with_the_paddle_of_a_remote_bidder_is_refused_and_changes_nothing(
    db, settings
) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, None) as watcher:
        await open_lot(off, fx.rounds[0])
        before = await room_state(db, fx.office_id)
        refused = await off.command("floor_bid", paddle=fx.paddles["b1"], amount=1_600_000, key="f-remote")
        assert refused and (refused["status"], refused["code"]) == ("rejected", "not_on_floor")
        assert refused["message"]["th"] and refused["message"]["en"]
        assert await room_state(db, fx.office_id) == before and await bid_count(db) == 0
        # The walk-in checked in on the floor still bids, and the remote bidder still bids from a phone.
        await off.send(type="floor_bid", paddle=99, amount=1_600_000, key="f-floor")
        assert (await off.expect(lambda m: m["type"] == "receipt" and m["key"] == "f-floor"))[
            "status"
        ] == "accepted"
        await watcher.expect(lambda m: m.get("type") == "bid" and m["bidder_no"] == 99)
        assert not [e for e in watcher.events() if e["type"] == "bid" and e["bidder_no"] == fx.paddles["b1"]]
    async with server(settings) as srv, srv.peer(fx, "b1") as b1:
        assert (await b1.bid(1_610_000))["status"] == "accepted"


# --- absurd bids --------------------------------------------------------------------------------------


async def test_a_bid_far_above_the_price_is_refused_and_a_large_jump_needs_confirm(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])  # starts at 1,600,000
        before = await room_state(db, fx.office_id)
        absurd = await b1.bid(10**12)
        assert (absurd["status"], absurd["code"], absurd["max_amount"]) == (
            "rejected",
            "bid_too_high",
            16_000_000,
        )
        asked = await b1.bid(4_000_000, key="big")  # 2.5 times the price
        assert (asked["status"], asked["code"]) == ("rejected", "confirm_required")
        assert (asked["amount"], asked["ratio"]) == (4_000_000, 2.5)
        assert await room_state(db, fx.office_id) == before and await bid_count(db) == 0
        await b1.send(type="bid", amount=4_000_000, key="big", confirm=True)  # the same key, confirmed
        ok = await b1.expect(lambda m: m["type"] == "receipt" and m["key"] == "big")
        assert ok["status"] == "accepted" and ok["amount"] == 4_000_000
        # The bound follows the price: 10x of 4,000,000 now; the officer's floor bids are bound too.
        await off.send(type="floor_bid", paddle=99, amount=50_000_000, key="f-big")
        floor = await off.expect(lambda m: m["type"] == "receipt" and m["key"] == "f-big")
        assert (floor["code"], floor["max_amount"]) == ("bid_too_high", 40_000_000)
        async with srv.peer(fx, "b2") as b2:
            assert (await b2.bid("๑๐,๐๐๐,๐๐๐"))["code"] == "confirm_required"  # 2.5x of 4,000,000
    assert await room_state(db, fx.office_id) == (before[0] + 1, 4_000_000, 1)


async def test_confirm_must_be_a_boolean(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        await b1.send(type="bid", amount=4_000_000, key="k", confirm="yes")
        err = await b1.expect("error")
        assert (err["code"], err["ref"]) == ("bad_message", "confirm")
    assert await bid_count(db) == 0


# --- hostile frames --------------------------------------------------------------------------------------

HOSTILE = [
    "[" * 2040 + "]" * 2040,  # nested past the interpreter's recursion limit, yet under 4 KiB
    '{"a":[' * 510 + "]}" * 510,
    '{"v":1,"type":"bid","amount":' + "[" * 1800 + "]" * 1800 + ',"key":"k"}',
    '{"v":1,"type":"ping","t":NaN}',
    '{"v":1,"type":"ping","t":Infinity}',
    '{"v":1,"type":"bid","amount":-Infinity,"key":"k"}',
    '{"v":1,"type":"bid","amount":1e999,"key":"k"}',
    '{"v":1,"type":"bid","amount":' + "9" * 3900 + ',"key":"k"}',
    '{"v":1,"type":"bid","amount":"' + "๙" * 1000 + '","key":"k"}',
    '{"v":1,"type":"bid","amount":99999999999999999999999,"key":"k"}',
    '{"v":1,"type":"bid","amount":1600000,"key":"\\ud800"}',
    '{"v":1,"type":"\\udfff"}',
    '{"v":1,"type":"bid","amount":1600000,"key":"a\\u0000b"}',
    '{"v":1,"type":"bid","amount":1600000,"key":["k"]}',
    '{"v":1,"type":"bid","amount":{"n":1},"key":"k"}',
    '{"v":1,"type":"bid","amount":true,"key":"k"}',
    '{"v":1,"type":"join","last_seq":1.5}',
    '{"v":1,"type":"undo","reason":{"x":1}}',
    '{"v":1,"type":["bid"]}',
    '{"v":[1],"type":"bid"}',
]


@pytest.mark.parametrize("who", ["b1", "officer"])
async def test_hostile_frames_are_protocol_errors_and_the_socket_lives(db, settings, who) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, who) as p:
        await open_lot(off, fx.rounds[0])
        before = await room_state(db, fx.office_id)
        for i, frame in enumerate(HOSTILE):
            await p.send_raw(frame)
            err = await p.expect(lambda m: m["type"] in ("error", "receipt", "pong"))
            assert err["type"] == "error" and err["code"] in ("bad_message", "bad_version"), (i, err)
            await p.send(type="ping", t=i)
            assert (await p.expect("pong"))["t"] == i, i  # alive after each
            await asyncio.sleep(0.06)  # under the flood limit
        assert await room_state(db, fx.office_id) == before and await bid_count(db) == 0
        if who == "b1":
            assert (await p.bid(1_600_000))["status"] == "accepted"


# --- a hung database --------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def room_row_held(db, office_id: int):
    """Another connection holds the room's row (PostgreSQL) / the file's write lock (SQLite) in an
    open transaction: every bid then waits on it, as on a database that hangs."""
    async with db() as s:
        await s.execute(update(Room).where(Room.office_id == office_id).values(status=Room.status))
        try:
            yield
        finally:
            await s.rollback()


async def test_a_bid_that_cannot_be_committed_in_time_is_refused_db_unavailable_and_resent_with_its_key(
    db, settings
) -> None:
    fx = await build(db)
    quick = dataclasses.replace(settings, room_db_timeout_sec=0.5)
    async with server(quick) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        before = await room_state(db, fx.office_id)
        async with room_row_held(db, fx.office_id):
            t0 = asyncio.get_running_loop().time()
            refused = await b1.bid(1_600_000, key="k-hang")
            waited = asyncio.get_running_loop().time() - t0
            assert (refused["status"], refused["code"]) == ("rejected", "db_unavailable")
            assert refused["message"]["th"] and 0.4 < waited < 3, waited
            # Queued behind it, an officer command is answered in bounded time too.
            err = await off.command("count", n=1)
            assert err and (err["type"], err["code"], err["ref"]) == ("error", "db_unavailable", "count")
            await b1.send(type="ping", t=7)
            assert (await b1.expect("pong"))["t"] == 7  # the socket and the room's reader never hung
        await asyncio.sleep(0.3)  # the abandoned transaction gets the lock, finds it gave up, rolls back
        assert await room_state(db, fx.office_id) == before and await bid_count(db) == 0
        again = await b1.bid(1_600_000, key="k-hang")  # resent with its key once the database is back
        assert again["status"] == "accepted" and "duplicate" not in again
        assert (await off.expect("bid"))["seq"] == before[0] + 1
    assert await room_state(db, fx.office_id) == (before[0] + 1, 1_600_000, 1)
    assert await bid_count(db) == 1


def test_the_new_refusals_have_thai_and_english_messages() -> None:
    from realtime import protocol

    for code in ("db_unavailable", "too_many_connections", "room_full", "not_on_floor", "bid_too_high",
                 "confirm_required"):  # fmt: skip
        th, en = protocol.MESSAGES[code]
        assert th != en and th and en and json.dumps(th)
