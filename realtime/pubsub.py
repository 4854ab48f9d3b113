"""Fan-out between server processes behind one small interface (after encode/broadcaster's shape).

`memory://` (default): one process, messages handed straight to the local room.
`redis://host:port/db`: redis-py asyncio pub/sub, one subscription per process per room, fanned out
locally; several server processes then share every room. Redis carries only committed events:
the database stays the authority, so a lost pub/sub message is repaired from the log (gap fill).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)
Handler = Callable[[str], None]


class Broker(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def publish(self, channel: str, message: str) -> None: ...
    async def subscribe(self, channel: str, handler: Handler) -> None: ...
    async def unsubscribe(self, channel: str) -> None: ...


class MemoryBroker:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._handlers.clear()

    async def publish(self, channel: str, message: str) -> None:
        handler = self._handlers.get(channel)
        if handler is not None:
            handler(message)

    async def subscribe(self, channel: str, handler: Handler) -> None:
        self._handlers[channel] = handler

    async def unsubscribe(self, channel: str) -> None:
        self._handlers.pop(channel, None)


class RedisBroker:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url, decode_responses=True)
        self._pubsub: Any = self._redis.pubsub(ignore_subscribe_messages=True)
        self._handlers: dict[str, Handler] = {}
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        await self._redis.aclose()

    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(channel, message)

    async def subscribe(self, channel: str, handler: Handler) -> None:
        self._handlers[channel] = handler
        await self._pubsub.subscribe(channel)  # returns once Redis confirmed the subscription
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name="redis-broker-reader")

    async def unsubscribe(self, channel: str) -> None:
        self._handlers.pop(channel, None)
        with contextlib.suppress(Exception):
            await self._pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        while True:
            try:
                msg = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:  # connection trouble: keep going, rooms repair gaps from the database
                log.exception("redis pub/sub read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if msg is None or msg.get("type") != "message":
                continue
            handler = self._handlers.get(msg["channel"])
            if handler is not None:
                try:
                    handler(msg["data"])
                except Exception:
                    log.exception("room handler failed")


def broker_from_url(url: str) -> Broker:
    if url.startswith("redis://") or url.startswith("rediss://"):
        return RedisBroker(url)
    if url in ("", "memory://"):
        return MemoryBroker()
    raise ValueError(f"unknown BROKER_URL scheme: {url}")
