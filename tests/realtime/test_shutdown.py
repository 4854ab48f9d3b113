"""A process stopping mid-lot (a deploy, Ctrl-C): what it accepted is committed, nothing of it runs
after its shutdown returns, and what it could not take is left for the phone to resend elsewhere."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from auction.auth import Principal, principal_for_token
from auction.models import Bid, Room
from realtime.protocol import Command
from tests.realtime.roomkit import Fixture, build, peer, room_state, server, uvicorn_server


@dataclasses.dataclass
class Queued:
    hub: Any
    fx: Fixture
    room_id: int
    officer: Principal


@contextlib.asynccontextmanager
async def lot_with_queue(db, settings, answer) -> AsyncIterator[Queued]:
    """A server with a lot open and 80 commands queued in its room (40 floor bids `k0`..`k39`, an
    increment change after each: 80 transactions); the server stops when the block ends.
    `answer(key)` gives each bid's reply callback."""
    fx = await build(db)
    async with db() as s:
        officer = await principal_for_token(s, fx.tokens["officer"])
    async with server(settings) as srv:
        async with srv.peer(fx, "officer") as off:
            await off.command("open_lot", round_id=fx.rounds[0], increment=1_000)
        async with db() as s:
            room_id = await s.scalar(select(Room.id).where(Room.office_id == fx.office_id))
        queued = Queued(srv.app.state.hub, fx, room_id, officer)
        for i in range(40):
            bid = {"paddle": 98 + i % 2, "amount": 1_600_000 + 1_000 * i, "key": f"k{i}"}
            queued.hub.submit(room_id, officer, Command("floor_bid", bid), answer(f"k{i}"))
            queued.hub.submit(room_id, officer, Command("set_increment", {"amount": 1_000}), lambda m: None)
        yield queued


async def test_shutdown_commits_and_answers_every_queued_command_then_refuses_and_writes_nothing(
    db, settings
) -> None:
    """A process stopping mid-lot (a deploy) finishes what it accepted into its queue: each queued
    command is committed and answered before the lifespan ends, and none runs after it."""
    answers: list[dict] = []
    async with lot_with_queue(db, settings, lambda key: answers.append) as q:
        pass
    # The lifespan has ended: every bid was answered (receipts; the increments answer with nothing).
    assert [a["status"] for a in answers] == ["accepted"] * 40
    assert await room_state(db, q.fx.office_id) == (1 + 80, 1_639_000, 99)
    late: list[dict] = []
    late_bid = Command("floor_bid", {"paddle": 98, "amount": 2_000_000, "key": "late"})
    q.hub.submit(q.room_id, q.officer, late_bid, late.append)
    # An error without the bid's key, not a rejected receipt: the phone keeps the bid to resend it.
    assert (late[0]["type"], late[0]["code"], late[0]["ref"]) == ("error", "server_shutdown", "floor_bid")
    await asyncio.sleep(0.05)
    assert await room_state(db, q.fx.office_id) == (1 + 80, 1_639_000, 99)


async def test_under_uvicorn_commands_read_off_the_socket_before_shutdown_are_all_committed(
    db, settings
) -> None:
    """uvicorn closes every socket (1012) before the app's shutdown; the commands a socket had
    already sent are still taken, committed in order, and nothing is written after the server exits."""
    fx = await build(db)
    stack = contextlib.AsyncExitStack()
    app, port = await stack.enter_async_context(uvicorn_server(settings))
    async with peer(port, fx.path, fx.tokens["officer"], "officer") as off:
        await off.command("open_lot", round_id=fx.rounds[0], increment=1_000)
        hub = app.state.hub
        real = hub.broker.publish

        async def slow(channel: str, message: str) -> None:  # ~20 ms a command: the stop comes mid-queue
            await asyncio.sleep(0.02)
            await real(channel, message)

        hub.broker.publish = slow
        for i in range(15):  # 30 commands, each its own transaction (under the socket's rate limit)
            await off.send(type="floor_bid", paddle=98 + i % 2, amount=1_600_000 + 1_000 * i, key=f"u{i}")
            await off.send(type="set_increment", amount=1_000)
        assert (await off.expect("receipt"))["status"] == "accepted"  # the room's worker has started
        assert hub.committed["commands"] < 31  # ... and has not finished: the server stops mid-queue
        await stack.aclose()  # uvicorn's graceful shutdown, then the app's
        assert hub.stopping and all(w.task is None or w.task.done() for w in hub._work.values())
    assert hub.committed["commands"] == 31
    assert await room_state(db, fx.office_id) == (1 + 30, 1_614_000, 98)
    async with db() as s:
        seqs = list(await s.scalars(select(Bid.seq).order_by(Bid.seq)))
    assert seqs == list(range(2, 32, 2))  # every bid, each followed by its increment change
    await asyncio.sleep(0.1)
    assert await room_state(db, fx.office_id) == (1 + 30, 1_614_000, 98)


async def test_a_shutdown_that_runs_out_of_time_answers_what_it_did_not_take(
    db, settings, monkeypatch
) -> None:
    """Past STOP_DRAIN_SEC the worker is cancelled: every command still queued (or in the batch
    that was cut short) gets `server_shutdown`, so each bid has exactly one answer, and the accepted
    ones are exactly the bids in the database."""
    from realtime import rooms

    monkeypatch.setattr(rooms, "STOP_DRAIN_SEC", 0.0)
    answers: dict[str, list[dict]] = {}
    fifth = asyncio.Event()

    def answer(key: str):
        def reply(msg: dict) -> None:
            answers.setdefault(key, []).append(msg)
            if key == "k4":
                fifth.set()

        return reply

    async with lot_with_queue(db, settings, answer) as q:
        await fifth.wait()  # some committed, most still queued when the stop comes
    assert all(len(a) == 1 for a in answers.values()) and len(answers) == 40
    accepted = {k for k, (a,) in answers.items() if a["type"] == "receipt" and a["status"] == "accepted"}
    refused = {k for k, (a,) in answers.items() if a["type"] == "error" and a["code"] == "server_shutdown"}
    assert accepted | refused == set(answers)
    assert {f"k{i}" for i in range(5)} <= accepted and refused  # cut short: some taken, some not
    async with db() as s:
        in_db = set(await s.scalars(select(Bid.idem_key)))
    assert in_db == accepted
    after = await room_state(db, q.fx.office_id)
    assert after[0] in (2 * len(accepted), 1 + 2 * len(accepted))  # lot opened, each bid (+ increment)
    await asyncio.sleep(0.05)
    assert await room_state(db, q.fx.office_id) == after  # nothing written after the stop
