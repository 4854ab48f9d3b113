"""A room's worker: the single queue that turns each room's commands into transactions, in the
order they arrive, in this process.

Owns the path command -> transaction -> answer -> broadcast: `submit` queues a command; the room's
worker task takes it (bids waiting behind each other as one batch: group commit), runs it in one
bounded write transaction (`realtime.service.apply` on the locked room row), answers every command
of the batch once it committed, and only then hands the committed events to `broadcast`. A database
that does not answer in time, a fault on one command of a batch and a shutdown each get every
command answered exactly once (docs/protocol.md, "Ordering, acknowledgement and group commit").
It knows neither sockets nor the broker: answers go to each command's `reply`, events to `broadcast`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auction.auth import Principal
from auction.db import utcnow
from auction.errors import ApiError
from realtime import protocol, service
from realtime.protocol import Command, ProtocolError

log = logging.getLogger(__name__)
MAX_BATCH = 64


Reply = Callable[[Any], None]  # how a command's sender is answered (its connection's `send`)


@dataclass
class _Item:
    who: Principal
    cmd: Command
    reply: Reply
    finished: bool = False  # answered (or, for a command with no reply, committed)

    def answer(self, msg: Any) -> None:
        self.reply(msg)
        self.finished = True


@dataclass
class _Work:
    items: collections.deque[_Item] = field(default_factory=collections.deque)
    task: asyncio.Task[None] | None = None


class RoomWorkers:
    """Every room's worker in this process (one queue and at most one task per room)."""

    def __init__(
        self,
        wsm: async_sessionmaker[AsyncSession],
        sqlite_lock: asyncio.Lock | None,
        limits: service.BidLimits,
        timeout_sec: float,
        broadcast: Callable[[int, str], Awaitable[None]],
        lot_changed: Callable[[int], None],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        background: set[asyncio.Task[Any]],
    ) -> None:
        self.wsm, self.sqlite_lock, self.limits, self.timeout_sec = wsm, sqlite_lock, limits, timeout_sec
        self.broadcast, self.lot_changed, self.spawn, self.background = (
            broadcast,
            lot_changed,
            spawn,
            background,
        )
        self.queues: dict[int, _Work] = {}
        self.committed = {"transactions": 0, "commands": 0}  # group commit at work (bench, tests)

    def busy(self) -> list[asyncio.Task[None]]:
        return [w.task for w in self.queues.values() if w.task is not None and not w.task.done()]

    def submit(self, room_id: int, who: Principal, cmd: Command, reply: Reply) -> None:
        """Queue a command for the room's single worker in this process. Each is committed, then
        acknowledged (`reply`), then broadcast, in the order received."""
        item = _Item(who, cmd, reply)
        work = self.queues.setdefault(room_id, _Work())
        work.items.append(item)
        if work.task is None or work.task.done():
            work.task = asyncio.create_task(self._drain_work(room_id, work))

    async def _drain_work(self, room_id: int, work: _Work) -> None:
        while work.items:
            first = work.items.popleft()
            batch = [first]
            # Group commit: bids waiting behind each other share one transaction (one lock, one
            # commit); correctness still comes from the database lock, not from this queue.
            if service.batches(first.cmd):
                while work.items and service.batches(work.items[0].cmd) and len(batch) < MAX_BATCH:
                    batch.append(work.items.popleft())
            try:
                if await self._run(room_id, batch):
                    # The database did not answer in time: what queued meanwhile would wait as long
                    # again, one batch after another. Refuse it now (resendable); the next command
                    # to arrive tries the database afresh.
                    while work.items:
                        item = work.items.popleft()
                        item.answer(service.refusal(item.cmd, ProtocolError("db_unavailable")))
            except asyncio.CancelledError:  # shutdown ran out of time: what is left was not taken
                for item in [*batch, *work.items]:
                    if not item.finished:
                        item.answer(protocol.error("server_shutdown", item.cmd.type))
                work.items.clear()
                raise
            except Exception:  # never lose the worker: report and go on with the next command
                log.exception("room %s: command batch failed", room_id)
                for item in batch:
                    if not item.finished:  # a command retried alone may have committed: its answer stands
                        item.answer(service.refusal(item.cmd, ProtocolError("internal")))

    async def _transact(
        self, room_id: int, batch: list[_Item], gave_up: asyncio.Event
    ) -> list[service.Result | ProtocolError]:
        outcomes: list[service.Result | ProtocolError] = []
        async with self.sqlite_lock if self.sqlite_lock is not None else contextlib.nullcontext():
            async with self.wsm.begin() as s:
                room = await service.lock_room(s, room_id)
                for item in batch:
                    try:
                        outcomes.append(
                            await service.apply(s, room, item.who, item.cmd, utcnow(), self.limits)
                        )
                    except ProtocolError as exc:
                        outcomes.append(exc)
                if gave_up.is_set():  # its senders were told `db_unavailable`: it must not commit now
                    raise _GaveUp
        return outcomes

    async def _bounded(self, room_id: int, batch: list[_Item]) -> list[service.Result | ProtocolError] | None:
        """The batch's transaction, given `room_db_timeout_sec`; None when the database
        did not answer in time. A hung database must not hang the room: the transaction is left to
        end on its own (it holds SQLite's in-process lock until it does, so what comes next waits its
        own bounded time) and rolls back when it gets that far; only a commit already under way when
        time ran out can still land, and then its events go out and a resent key gets its receipt."""
        gave_up = asyncio.Event()
        tx = asyncio.ensure_future(self._transact(room_id, batch, gave_up))
        budget = self.timeout_sec
        try:
            done, _ = await asyncio.wait({tx}, timeout=budget)
        except asyncio.CancelledError:
            tx.cancel()
            raise
        if done:
            return tx.result()
        log.warning("room %s: the database did not commit %d command(s) in time", room_id, len(batch))
        gave_up.set()
        self.background.add(tx)
        tx.add_done_callback(lambda t: self._late_commit(room_id, t))
        return None

    def _late_commit(self, room_id: int, tx: asyncio.Future[Any]) -> None:
        """A transaction given up on committed after all: its senders were told `db_unavailable` and
        resend with their keys (duplicates: the original receipt); everyone else gets the events."""
        self.background.discard(tx)  # type: ignore[arg-type]
        if tx.cancelled() or tx.exception() is not None:  # _GaveUp included: rolled back
            return
        events = [e for out in tx.result() if not isinstance(out, ProtocolError) for e in out.events]
        if events:
            self.spawn(self._publish_all(room_id, events))

    async def _publish_all(self, room_id: int, events: list[dict[str, Any]]) -> None:
        for event in events:
            await self.broadcast(room_id, protocol.dumps(event))

    async def _run(self, room_id: int, batch: list[_Item]) -> bool:
        """Commit, answer, broadcast; True when the database did not answer in time (each command
        of the batch is then answered `db_unavailable`: nothing was recorded, send it again)."""
        outcomes: list[service.Result | ProtocolError] | None = []
        try:
            outcomes = await self._bounded(room_id, batch)
            if outcomes is None:
                for item in batch:
                    item.answer(service.refusal(item.cmd, ProtocolError("db_unavailable")))
                return True
            self.committed["transactions"] += 1
            self.committed["commands"] += len(batch)
        except ProtocolError as exc:  # the room itself is gone
            outcomes = [exc] * len(batch)
        except ApiError as exc:  # a consequence refused (e.g. an outcome already recorded): nothing changed
            outcomes = [ProtocolError(exc.code)] * len(batch)
        except Exception:
            if len(batch) == 1:
                raise
            for i, item in enumerate(batch):  # one bad command must not sink the others: retry each alone
                if await self._run(room_id, [item]):
                    for rest in batch[i + 1 :]:
                        rest.answer(service.refusal(rest.cmd, ProtocolError("db_unavailable")))
                    return True
            return False
        # Committed: every command is answered before anything is broadcast, so no answer waits on
        # the broker, and none is taken back whatever happens to the broadcast.
        for item, out in zip(batch, outcomes, strict=True):
            if isinstance(out, ProtocolError):
                item.answer(service.refusal(item.cmd, out))
            elif out.reply is not None:
                item.answer(out.reply)
            else:
                item.finished = True
        for out in outcomes:
            if isinstance(out, ProtocolError):
                continue
            for event in out.events:
                await self.broadcast(room_id, protocol.dumps(event))
            if out.lot_changed:
                self.lot_changed(room_id)
        return False


class _GaveUp(Exception):
    """A transaction that outlived its time (room_db_timeout_sec): rolled back, not committed."""
