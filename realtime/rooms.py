"""The hub: one per process (the app's lifespan). Owns the rooms this process serves and the path of
a room event from the broker to every socket: which connections are in which room (admission caps,
join, leave), this process's rooms set up once however many join at once, joins served from the join
cache or the database (snapshot or replay, then live from that seq), and every event delivered in
`seq` order (a gap, a message lost or overtaken across processes, is filled from the database log;
with Redis a head check notices a lost last event).

Elsewhere: a room's commands become transactions in realtime/worker.py; a socket's outbox and its
direct path in realtime/connection.py; the audience count in realtime/audience.py; one room's cached
state in realtime/local.py; the broker in realtime/pubsub.py.

The path of one bid: realtime/routes.py reads the frame and parses it (realtime/protocol.py, with the
registry realtime.service.COMMANDS) -> `RoomHub.submit` -> the room's worker commits it
(realtime.service.apply) and answers the sender -> `RoomHub._publish` -> the broker -> every
process's `RoomHub._on_message` -> `_deliver` -> `connection.fan_out` -> each socket.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import json
import logging
import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auction.auth import Principal
from auction.db import one_snapshot, utcnow
from auction.models import Room
from auction.thai import BANGKOK
from realtime import protocol, service, views
from realtime.audience import PRESENCE_PREFIX, Audience
from realtime.connection import Connection, fan_out
from realtime.local import LocalRoom
from realtime.protocol import Command
from realtime.pubsub import Broker, MemoryBroker, broker_from_url
from realtime.worker import Reply, RoomWorkers, _Work

log = logging.getLogger(__name__)
STOP_DRAIN_SEC = 10.0  # at shutdown, how long queued commands get to commit and be answered
HEAD_CHECK_SEC = 3.0  # with Redis: how often a process compares its rooms with the log's head
PUBLISH_TIMEOUT_SEC = 1.0  # a broker that hangs (Redis unreachable) must not hold the room's worker


class RoomHub:
    """Lives in the app lifespan: one per process."""

    def __init__(self, services: Any, broker: Broker) -> None:
        self.services = services
        self.settings = services.settings
        self.sm: async_sessionmaker[AsyncSession] = services.sessionmaker
        self.wsm: async_sessionmaker[AsyncSession] = services.write_sessionmaker
        self.broker = broker
        self.rooms: dict[int, LocalRoom] = {}
        self._room_ids: dict[tuple[int, dt.date], int] = {}
        self._room_lookups: dict[tuple[int, dt.date], asyncio.Future[int | None]] = {}
        # Sockets open in this process, per client address and per room (admit/release).
        self._per_address: collections.Counter[str] = collections.Counter()
        self._per_room: collections.Counter[int] = collections.Counter()
        # SQLite has one writer for the whole file: queue our own writers in-process rather than
        # let them spin on the file lock (performance notes: 575 ms p99 -> a few ms).
        self._sqlite_lock = asyncio.Lock() if services.engine.dialect.name == "sqlite" else None
        self.process_id = f"{os.getpid()}-{id(self):x}"
        self.prefix = services.settings.broker_prefix
        self.stopping = False
        # Redis pub/sub delivers at most once (a message sent while a subscriber reconnects is gone);
        # the in-memory broker cannot lose one. So only a shared broker needs the head watch.
        self.watch_head = not isinstance(broker, MemoryBroker)
        self.audience = Audience(broker, self.process_id)
        self._room_of: dict[Connection, int] = {}  # the room each joined connection is in
        self._background: set[asyncio.Task[Any]] = set()  # fire-and-forget work, kept referenced
        limits = service.BidLimits(self.settings.bid_confirm_ratio, self.settings.bid_max_ratio)
        self.workers = RoomWorkers(self.wsm, self._sqlite_lock, limits, self.settings.room_db_timeout_sec,
                                   self._publish, self._lot_changed, self._spawn, self._background)  # fmt: skip

    @property
    def committed(self) -> dict[str, int]:
        return self.workers.committed

    @property
    def _work(self) -> dict[int, _Work]:
        return self.workers.queues

    @classmethod
    async def start(cls, services: Any) -> RoomHub:
        broker = broker_from_url(services.settings.broker_url)
        await broker.start()
        return cls(services, broker)

    async def stop(self) -> None:
        """Shut down in the order that loses nothing: refuse new commands; let the queued ones
        commit and be answered (bounded by STOP_DRAIN_SEC; what the cut leaves uncommitted is
        answered `server_shutdown`); close the sockets, then the broker (no message comes in to start
        new work), then stop the rooms' own tasks. Nothing of this process writes to the database
        after it returns. (Under uvicorn the sockets are already closed by then: uvicorn closes them
        with 1012 before the app's shutdown runs; the commands they sent before that still commit.)"""
        self.stopping = self.audience.stopping = True
        workers = self.workers.busy()
        if workers:
            _, late = await asyncio.wait(workers, timeout=STOP_DRAIN_SEC)
            if late:
                log.warning(
                    "shutdown: %d room worker(s) still busy after %.0f s, cancelled",
                    len(late),
                    STOP_DRAIN_SEC,
                )
            await _cancel(late)
        for room in list(self.rooms.values()):
            for conn in list(room.conns):
                conn.drop("server_shutdown", 1012)
        await self.broker.close()
        room_tasks = [t for r in self.rooms.values() for t in (r.audience_task, r.head_task) if t]
        await _cancel([*self._background, *room_tasks])

    def _spawn(self, coro: Any) -> None:
        if self.stopping:  # nothing new starts during shutdown
            coro.close()
            return
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- joining -----------------------------------------------------------------------------

    def admit(self, room_id: int, address: str) -> tuple[str, int] | None:
        """Count one more socket, or say why not (code, close code): one address (a script, or a
        phone reconnecting in a loop) must not take the sockets of everyone else, nor one room those
        of the process. Every admitted socket is released once (`release`)."""
        if self._per_address[address] >= self.settings.ws_max_per_address:
            return ("too_many_connections", 4429)
        if self._per_room[room_id] >= self.settings.ws_max_per_room:
            return ("room_full", 4503)
        self._per_address[address] += 1
        self._per_room[room_id] += 1
        return None

    def release(self, room_id: int, address: str) -> None:
        _forget_one(self._per_address, address)
        _forget_one(self._per_room, room_id)

    async def room_id_for(self, office_id: int, sale_date: dt.date) -> int | None:
        """A room never changes id once made, so each process asks the database once per room.
        An opening rush (dozens of phones on a room nobody has joined yet) asks once, not once per
        phone: the others wait for that answer (bounded by the database's own timeouts)."""
        key = (office_id, sale_date)
        if (room_id := self._room_ids.get(key)) is not None:
            return room_id
        pending = self._room_lookups.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._find_or_make_room(office_id, sale_date))
            self._room_lookups[key] = pending
            pending.add_done_callback(lambda _: self._room_lookups.pop(key, None))
        room_id = await asyncio.shield(pending)  # one caller's cancellation must not fail the others
        if room_id is not None:
            self._room_ids[key] = room_id
        return room_id

    async def _find_or_make_room(self, office_id: int, sale_date: dt.date) -> int | None:
        async with self.sm() as s:  # almost always there already: a plain read, no write lock
            room = await views.find_room(s, office_id, sale_date)
        if room is not None:
            return room.id
        # The first join of the day makes the room. A write transaction from its start (BEGIN
        # IMMEDIATE on SQLite, queued behind this process's other writers), so it waits for the
        # file lock instead of failing on it; several processes are ordered by the unique key.
        async with self._sqlite_lock if self._sqlite_lock is not None else contextlib.nullcontext():
            async with self.wsm.begin() as s:
                room = await views.get_or_create_room(s, office_id, sale_date)
                return None if room is None else room.id

    async def join(self, room_id: int, conn: Connection, last_seq: int | None) -> None:
        """Register first (live events wait in `pending`), then send the snapshot or the missed
        events, then go live from the seq they stop at: nothing falls between the two.

        A join storm (a room opening, or everyone reconnecting after a process restart) is served
        from memory where it can be: the room's part of the snapshot is kept per seq for a moment,
        and recent events are kept in order, both exactly as this process delivered them. Otherwise
        (or when the client is ahead of this process) everything is read from the database."""
        local = await self._local(room_id)
        self._room_of[conn] = room_id
        local.conns.add(conn)
        self.audience.changed(local)
        today = utcnow().astimezone(BANGKOK).date()
        # From memory: `head` is taken with the events or snapshot it matches, before any await
        # (events delivered meanwhile wait in the connection's `pending` and follow in order).
        missed: list[dict[str, Any]] | None = None
        snap: dict[str, Any] | None = None
        lead = local.current_lead()
        if lead is not None and last_seq is not None:
            missed, head = local.recent_after(last_seq), local.last_seq
        elif lead is not None:
            snap = local.cached_snapshot()
            head = snap["seq"] if snap is not None else 0
        if lead is not None and (missed is not None or snap is not None):
            async with self.sm() as s:
                you = await views.you(s, *lead, conn.principal, today)
        else:  # from the database, one view of it: the content agrees with the seq it is labelled with
            async with self.sm() as s:
                await one_snapshot(s)
                room = await s.get(Room, room_id)
                assert room is not None
                head = room.last_seq
                you = await views.you(s, room.current_round_id, room.officer_id, conn.principal, today)
                if last_seq is not None and 0 <= last_seq <= head and head - last_seq <= views.REPLAY_LIMIT:
                    missed = await views.events_after(s, room_id, last_seq)
                else:
                    snap = await views.room_snapshot(s, room)
                local.keep(room, snap)
        if snap is None:
            conn.send({"type": "replay", "events": missed})
            conn.send({"type": "you", **you})
        else:
            conn.send(
                {
                    **snap,
                    "server_time": utcnow().isoformat(),
                    "you": you,
                    "audience": self.audience.count(local),
                }
            )
        conn.go_live(head)

    async def leave(self, conn: Connection) -> None:
        local = self.rooms.get(self._room_of.pop(conn, -1))
        if local is None or conn not in local.conns:  # never joined it (or a later one of the room)
            return
        local.conns.discard(conn)
        self.audience.changed(local)
        if not local.conns:
            local.usable = False
            self.rooms.pop(local.room_id, None)
            for task in (local.audience_task, local.head_task):
                if task:
                    task.cancel()
            await self.broker.unsubscribe(local.channel)

    async def _local(self, room_id: int) -> LocalRoom:
        """This process's room, set up once however many join at the same moment: the others wait
        until it is subscribed and knows its head, then use it (or, if its set-up failed or it
        emptied meanwhile, set up their own)."""
        while True:
            local = self.rooms.get(room_id)
            if local is None:
                break
            if local.ready.is_set():
                return local
            await local.ready.wait()
            if self.rooms.get(room_id) is local and local.ready.is_set() and local.usable:
                return local
        local = LocalRoom(room_id=room_id, channel=f"{self.prefix}room:{room_id}")
        self.rooms[room_id] = local
        try:
            # Subscribe before reading the head, so an event committed in between is not missed.
            await self.broker.subscribe(local.channel, lambda text: self._on_message(local, text))
            async with self.sm() as s:
                room = await s.get(Room, room_id)
                local.last_seq = room.last_seq if room else 0
        except BaseException:
            local.usable = False
            if self.rooms.get(room_id) is local:
                self.rooms.pop(room_id, None)
            with contextlib.suppress(Exception):
                await self.broker.unsubscribe(local.channel)
            raise
        finally:
            local.ready.set()
        if self.watch_head and not self.stopping:
            local.head_task = asyncio.create_task(self._watch_head(local))
        return local

    # --- commands -----------------------------------------------------------------------------

    def submit(self, room_id: int, who: Principal, cmd: Command, reply: Reply) -> None:
        """Queue a command for the room's single worker in this process. Each is committed, then
        acknowledged (`reply`), then broadcast, in the order received."""
        if self.stopping:
            # Not a refusal of the bid (no rejected receipt): an error without a key, so the phone
            # keeps the bid and sends it again, same key, to the process it reconnects to.
            reply(protocol.error("server_shutdown", cmd.type))
            return
        self.workers.submit(room_id, who, cmd, reply)

    def _lot_changed(self, room_id: int) -> None:
        if (local := self.rooms.get(room_id)) is not None:
            self._spawn(self._refresh_you(local))

    async def _publish(self, room_id: int, text: str) -> None:
        """A committed event to every process. It is committed and its sender may already hold the
        receipt, so a broker failure (Redis restarting) must not turn it into a refusal: this process
        delivers it to its own sockets, and the others fill the gap from the log when the next event
        reaches them, as for any lost pub/sub message."""
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_SEC):
                await self.broker.publish(f"{self.prefix}room:{room_id}", text)
        except Exception:  # TimeoutError included
            log.exception(
                "room %s: publish failed; delivering locally, other processes repair from the log", room_id
            )
            if (local := self.rooms.get(room_id)) is not None:
                self._on_message(local, text)

    # --- delivery -------------------------------------------------------------------------------

    def _on_message(self, local: LocalRoom, text: str) -> None:
        if text.startswith(PRESENCE_PREFIX):
            self.audience.on_presence(local, text)
            return
        event = _event_of(text)  # parsed once: its seq, and what `recent` keeps
        seq = event.get("seq") if event else None
        if event is None or not isinstance(seq, int) or seq <= local.last_seq:
            return
        if seq == local.last_seq + 1 and not local.out_of_order:
            self._deliver(local, seq, text, event)
            return
        local.out_of_order[seq] = (text, event)
        self._drain_in_order(local)
        if local.out_of_order and not local.filling:
            local.filling = True
            self._spawn(self._fill_gap(local))

    def _deliver(self, local: LocalRoom, seq: int, text: str, event: dict[str, Any]) -> None:
        local.last_seq = seq
        local.remember(seq, event)
        fan_out(local.conns, seq, text)

    def _drain_in_order(self, local: LocalRoom) -> None:
        while local.last_seq + 1 in local.out_of_order:
            seq = local.last_seq + 1
            self._deliver(local, seq, *local.out_of_order.pop(seq))

    async def _read_back(self, local: LocalRoom) -> int:
        """Deliver, in order, what the log holds after the last seq this process delivered;
        returns how many events the log gave."""
        async with self.sm() as s:
            missing = await views.events_after(s, local.room_id, local.last_seq, limit=views.REPLAY_LIMIT)
        for event in missing:
            seq = event["seq"]
            if seq == local.last_seq + 1:
                local.out_of_order.pop(seq, None)
                self._deliver(local, seq, protocol.dumps(event), event)
        self._drain_in_order(local)
        return len(missing)

    async def _fill_gap(self, local: LocalRoom) -> None:
        """An event is missing (lost or overtaken on the way): read it back from the log."""
        try:
            await asyncio.sleep(
                0.005
            )  # usually the straggler (published by another process) is a hair behind
            while local.out_of_order:
                self._drain_in_order(local)
                if not local.out_of_order:
                    break
                read = await self._read_back(local)
                if local.out_of_order and not read:
                    await asyncio.sleep(0.02)
                for seq in [s for s in local.out_of_order if s <= local.last_seq]:
                    local.out_of_order.pop(seq, None)
        except Exception:  # the database is away: the next message or head check tries again
            log.exception("room %s: gap fill failed", local.room_id)
        finally:
            local.filling = False

    async def _watch_head(self, local: LocalRoom) -> None:
        """A lost message is noticed when the next one arrives (_fill_gap); a lost *last* message
        (the hammer of a lot, then silence) is noticed here: every HEAD_CHECK_SEC this process reads
        the room's head (one small query per room) and, if it is still behind a moment later, reads
        the rest from the log."""
        while True:
            await asyncio.sleep(HEAD_CHECK_SEC)
            try:
                async with self.sm() as s:
                    head = await s.scalar(select(Room.last_seq).where(Room.id == local.room_id))
                if head is None or head <= local.last_seq:
                    continue
                await asyncio.sleep(min(0.2, HEAD_CHECK_SEC))  # published right after its commit: a straggler
                if head > local.last_seq and not local.filling:
                    local.filling = True
                    try:
                        await self._read_back(local)
                    finally:
                        local.filling = False
                    if local.out_of_order:  # arrived meanwhile, beyond what the log gave
                        local.filling = True
                        self._spawn(self._fill_gap(local))
            except Exception:  # the database is away for a moment: try again next time
                log.exception("room %s: head check failed", local.room_id)

    async def _refresh_you(self, local: LocalRoom) -> None:
        """A new lot: tell each connected person whether they may bid on it (one query)."""
        async with self.sm() as s:
            room = await s.get(Room, local.room_id)
            if room is None or room.current_round_id is None:
                return
            approved = await views.approvals(s, room.current_round_id)
            today = utcnow().astimezone(BANGKOK).date()
            for conn in list(local.conns):
                who = conn.principal
                bidder_no = approved.get(who.user_id) if who.user_id is not None else None
                registration = None if bidder_no is None else ("confirmed", bidder_no)
                you = views.standing(who, today, room.officer_id, room.current_round_id, registration)
                conn.send({"type": "you", **you})


async def _cancel(tasks: Any, timeout: float = 2.0) -> None:
    """Cancel and wait for them, bounded (a rollback on a dead connection must not hang shutdown)."""
    tasks = [t for t in tasks if not t.done()]
    for t in tasks:
        t.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


def _forget_one(counter: collections.Counter[Any], key: Any) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


def _event_of(text: str) -> dict[str, Any] | None:
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
