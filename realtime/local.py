"""This process's view of one room (`LocalRoom`): its connections, the last seq it delivered, and
the join cache that serves a join storm from memory (the latest events as delivered, the room's part
of a snapshot at one seq for SNAPSHOT_TTL seconds). Plain state: the hub (realtime/rooms.py) fills
and reads it."""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from typing import Any

from auction.models import Room
from realtime.connection import Connection

RECENT_EVENTS = 200  # per room, for reconnects served from memory
SNAPSHOT_TTL = 2.0  # seconds a room's snapshot serves later joiners at the same seq


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
