"""The audience count: how many people are in a room, across processes, sent to every live socket at
most once per AUDIENCE_EVERY seconds (joins and leaves come in bursts). Each process publishes its
own count as a `_presence` message on the room's channel and adds up the others' (docs/protocol.md,
`audience`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from realtime import protocol
from realtime.connection import announce
from realtime.local import LocalRoom
from realtime.pubsub import Broker

log = logging.getLogger(__name__)
AUDIENCE_EVERY = 2.0
PRESENCE_PREFIX = '{"v":1,"type":"_presence"'  # how a presence message starts on the channel


class Audience:
    """One per process (the hub's)."""

    def __init__(self, broker: Broker, process_id: str) -> None:
        self.broker, self.process_id = broker, process_id
        self.stopping = False  # no loop starts during shutdown

    def count(self, local: LocalRoom) -> int:
        now = time.monotonic()
        peers = sum(n for n, seen in local.peers.values() if now - seen < 30)
        return len(local.conns) + peers

    def changed(self, local: LocalRoom) -> None:
        local.audience_dirty = True
        self._start(local)

    def _start(self, local: LocalRoom) -> None:
        if not self.stopping and (local.audience_task is None or local.audience_task.done()):
            local.audience_task = asyncio.create_task(self._loop(local))

    async def _loop(self, local: LocalRoom) -> None:
        """At most one audience update per AUDIENCE_EVERY seconds: joins and leaves come in bursts."""
        with contextlib.suppress(asyncio.CancelledError):
            while local.audience_dirty:
                local.audience_dirty = False
                if len(local.conns) != local.published:  # only our own changes go out: no echo loop
                    count = len(local.conns)
                    presence = {"type": "_presence", "pid": self.process_id, "count": count}
                    try:
                        await self.broker.publish(local.channel, protocol.dumps(presence))
                        local.published = count
                    except Exception:  # the broker is away: our own count still goes out below
                        log.exception("room %s: presence publish failed", local.room_id)
                announce(local.conns, protocol.dumps({"type": "audience", "count": self.count(local)}))
                await asyncio.sleep(AUDIENCE_EVERY)

    def on_presence(self, local: LocalRoom, text: str) -> None:
        msg = json.loads(text)
        if msg.get("pid") != self.process_id:
            local.peers[msg["pid"]] = (int(msg.get("count", 0)), time.monotonic())
            local.audience_dirty = True
            self._start(local)
