"""Per-process room hub: connections, local fan-out, ordering and catch-up.

One writer per socket: each connection has a bounded outbox drained by its own sender task, so the
broadcast loop only does `put_nowait` and one slow phone never stalls the room; a client whose outbox
fills is dropped with a final `closing` message and reconnects with its last seq.

Every event reaches local connections through the broker (memory or Redis) in `seq` order: a room
that sees a gap (a message lost or overtaken across processes) fills it from the database log.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auction.auth import Principal
from auction.db import one_snapshot, utcnow
from auction.errors import ApiError
from auction.models import Room
from auction.thai import BANGKOK
from realtime import direct, protocol, service, views
from realtime.connection import Connection
from realtime.protocol import Command, ProtocolError
from realtime.pubsub import Broker, MemoryBroker, broker_from_url

log = logging.getLogger(__name__)
AUDIENCE_EVERY = 2.0


MAX_BATCH = 64
RECENT_EVENTS = 200  # per room, for reconnects served from memory
SNAPSHOT_TTL = 2.0  # seconds a room's snapshot serves later joiners at the same seq
STOP_DRAIN_SEC = 10.0  # at shutdown, how long queued commands get to commit and be answered
HEAD_CHECK_SEC = 3.0  # with Redis: how often a process compares its rooms with the log's head
PUBLISH_TIMEOUT_SEC = 1.0  # a broker that hangs (Redis unreachable) must not hold the room's worker


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


@dataclass
class LocalRoom:
    """This process's view of one room: its connections and the last seq it delivered."""

    room_id: int
    channel: str
    conns: set[Connection] = field(default_factory=set)
    last_seq: int = 0
    out_of_order: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # seq -> (text, event)
    filling: bool = False
    audience_task: asyncio.Task[None] | None = None
    head_task: asyncio.Task[None] | None = None  # see RoomHub._watch_head
    audience_dirty: bool = False
    peers: dict[str, tuple[int, float]] = field(default_factory=dict)  # other processes' audience
    published: int = -1  # our audience as last told to the other processes
    # Join storms (see RoomHub.join): the latest events as delivered; the lot and officer as of one
    # seq (they change only by events); and the room's part of the snapshot at one seq, kept
    # SNAPSHOT_TTL seconds (changes made outside the room, such as a registration confirmed or a
    # sale-day outcome, reach a joiner's snapshot within that time).
    recent: collections.deque[tuple[int, dict[str, Any]]] = field(
        default_factory=lambda: collections.deque(maxlen=RECENT_EVENTS)
    )
    lead: tuple[int, int | None, int | None] = (-1, None, None)  # (seq, current round, officer)
    snapshot: dict[str, Any] | None = None
    snapshot_at: float = 0.0
    # Set once subscribed and the head is read (RoomHub._local): joiners meanwhile wait for it.
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    usable: bool = True  # False when its set-up failed

    def remember(self, seq: int, event: dict[str, Any]) -> None:
        event.pop("v", None)  # as the log gives it (views.events_after): the version is the envelope's
        self.recent.append((seq, event))

    def recent_after(self, after: int) -> list[dict[str, Any]] | None:
        """Events after `after` up to last_seq from memory, or None when memory does not reach back
        that far (or the client is ahead of this process): then the database answers."""
        if after > self.last_seq or after < 0:
            return None
        if after == self.last_seq:
            return []
        if not self.recent or self.recent[0][0] > after + 1 or self.recent[-1][0] != self.last_seq:
            return None
        return [event for seq, event in self.recent if seq > after]

    def keep(self, room: Room, snap: dict[str, Any] | None) -> None:
        """What a database read found, if it is the state this process has delivered up to."""
        if room.last_seq != self.last_seq:
            return
        self.lead = (room.last_seq, room.current_round_id, room.officer_id)
        if snap is not None:
            self.snapshot, self.snapshot_at = snap, time.monotonic()

    def current_lead(self) -> tuple[int | None, int | None] | None:
        seq, round_id, officer_id = self.lead
        return (round_id, officer_id) if seq == self.last_seq else None

    def cached_snapshot(self) -> dict[str, Any] | None:
        snap = self.snapshot
        if (
            snap is None
            or snap["seq"] != self.last_seq
            or time.monotonic() - self.snapshot_at >= SNAPSHOT_TTL
        ):
            return None
        return snap


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
        self.limits = service.BidLimits(self.settings.bid_confirm_ratio, self.settings.bid_max_ratio)
        self._work: dict[int, _Work] = {}
        self.committed = {"transactions": 0, "commands": 0}  # group commit at work (bench, tests)
        # SQLite has one writer for the whole file: queue our own writers in-process rather than
        # let them spin on the file lock (performance notes: 575 ms p99 -> a few ms).
        self._sqlite_lock = asyncio.Lock() if services.engine.dialect.name == "sqlite" else None
        self.process_id = f"{os.getpid()}-{id(self):x}"
        self.prefix = services.settings.broker_prefix
        self.stopping = False
        # Redis pub/sub delivers at most once (a message sent while a subscriber reconnects is gone);
        # the in-memory broker cannot lose one. So only a shared broker needs the head watch.
        self.watch_head = not isinstance(broker, MemoryBroker)
        self._background: set[asyncio.Task[None]] = set()  # fire-and-forget work, kept referenced

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
        self.stopping = True
        workers = [w.task for w in self._work.values() if w.task is not None and not w.task.done()]
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
        for counter, key in ((self._per_address, address), (self._per_room, room_id)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]

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
        conn.room_id = room_id
        local.conns.add(conn)
        self._audience_changed(local)
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
                {**snap, "server_time": utcnow().isoformat(), "you": you, "audience": self.audience(local)}
            )
        conn.go_live(head)

    async def leave(self, conn: Connection) -> None:
        local = self.rooms.get(conn.room_id or -1)
        if local is None or conn not in local.conns:  # never joined it (or a later one of the room)
            return
        local.conns.discard(conn)
        self._audience_changed(local)
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
        item = _Item(who, cmd, reply)
        if self.stopping:
            # Not a refusal of the bid (no rejected receipt): an error without a key, so the phone
            # keeps the bid and sends it again, same key, to the process it reconnects to.
            item.answer(protocol.error("server_shutdown", cmd.type))
            return
        work = self._work.setdefault(room_id, _Work())
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
        async with self._sqlite_lock if self._sqlite_lock is not None else contextlib.nullcontext():
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
        budget = self.settings.room_db_timeout_sec
        try:
            done, _ = await asyncio.wait({tx}, timeout=budget)
        except asyncio.CancelledError:
            tx.cancel()
            raise
        if done:
            return tx.result()
        log.warning("room %s: the database did not commit %d command(s) in time", room_id, len(batch))
        gave_up.set()
        self._background.add(tx)
        tx.add_done_callback(lambda t: self._late_commit(room_id, t))
        return None

    def _late_commit(self, room_id: int, tx: asyncio.Future[Any]) -> None:
        """A transaction given up on committed after all: its senders were told `db_unavailable` and
        resend with their keys (duplicates: the original receipt); everyone else gets the events."""
        self._background.discard(tx)  # type: ignore[arg-type]
        if tx.cancelled() or tx.exception() is not None:  # _GaveUp included: rolled back
            return
        events = [e for out in tx.result() if not isinstance(out, ProtocolError) for e in out.events]
        if events:
            self._spawn(self._publish_all(room_id, events))

    async def _publish_all(self, room_id: int, events: list[dict[str, Any]]) -> None:
        for event in events:
            await self._publish(room_id, protocol.dumps(event))

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
                await self._publish(room_id, protocol.dumps(event))
            if out.lot_changed and (local := self.rooms.get(room_id)) is not None:
                self._spawn(self._refresh_you(local))
        return False

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
        if text.startswith('{"v":1,"type":"_presence"'):
            self._on_presence(local, text)
            return
        event = _event_of(text)  # parsed once: its seq, and what `recent` keeps
        seq = event.get("seq") if event else None
        if not isinstance(seq, int) or seq <= local.last_seq:
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
        frame = direct.text_frame(text)  # serialised once for every socket of this process
        for conn in list(local.conns):
            conn.deliver(seq, text, frame)

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

    # --- audience -------------------------------------------------------------------------------

    def audience(self, local: LocalRoom) -> int:
        now = time.monotonic()
        peers = sum(n for n, seen in local.peers.values() if now - seen < 30)
        return len(local.conns) + peers

    def _audience_changed(self, local: LocalRoom) -> None:
        local.audience_dirty = True
        self._start_audience(local)

    def _start_audience(self, local: LocalRoom) -> None:
        if not self.stopping and (local.audience_task is None or local.audience_task.done()):
            local.audience_task = asyncio.create_task(self._audience_loop(local))

    async def _audience_loop(self, local: LocalRoom) -> None:
        """At most one audience update per AUDIENCE_EVERY seconds: joins and leaves come in bursts."""
        with contextlib.suppress(asyncio.CancelledError):
            while local.audience_dirty:
                local.audience_dirty = False
                if len(local.conns) != local.published:  # only our own changes go out: no echo loop
                    presence = {"type": "_presence", "pid": self.process_id, "count": len(local.conns)}
                    try:
                        await self.broker.publish(local.channel, protocol.dumps(presence))
                        local.published = presence["count"]
                    except Exception:  # the broker is away: our own count still goes out below
                        log.exception("room %s: presence publish failed", local.room_id)
                text = protocol.dumps({"type": "audience", "count": self.audience(local)})
                frame = direct.text_frame(text)
                for conn in list(local.conns):
                    if not conn.syncing:
                        conn.put(text, frame)
                await asyncio.sleep(AUDIENCE_EVERY)

    def _on_presence(self, local: LocalRoom, text: str) -> None:
        msg = json.loads(text)
        if msg.get("pid") != self.process_id:
            local.peers[msg["pid"]] = (int(msg.get("count", 0)), time.monotonic())
            local.audience_dirty = True
            self._start_audience(local)


async def _cancel(tasks: Any, timeout: float = 2.0) -> None:
    """Cancel and wait for them, bounded (a rollback on a dead connection must not hang shutdown)."""
    tasks = [t for t in tasks if not t.done()]
    for t in tasks:
        t.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


class _GaveUp(Exception):
    """A transaction that outlived its time (room_db_timeout_sec): rolled back, not committed."""


def _event_of(text: str) -> dict[str, Any] | None:
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
