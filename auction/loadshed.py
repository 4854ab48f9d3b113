"""Load shedding: a bound on concurrent HTTP work per process, the excess refused with 503 at once.

Without it, every request a crowd sends is accepted and queues for the database pool and the event
loop: 300 connections on /api/search/lots gave p99 ~8 s, requests unanswered after 10 s, and a room
join that timed out, because each queued request still costs the loop parsing, a task and its
share of every scheduling pass. Refusing at the door keeps the work in progress small enough that
the loop stays responsive for the room's sockets, and a client told `Retry-After` comes back later
instead of holding a connection open (docs/security-load.md, figures in docs/benchmarks.md).

uvicorn's own `--limit-concurrency` is not used: it counts WebSocket connections too, so a busy
room would be refused along with the search crowd.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Receive, Scope, Send

# Never limited: health checks must answer when the process is busy (that is when they matter), and
# static files are small reads of files the pages need to render at all.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
EXEMPT_PREFIXES = ("/static/",)
# The room's own HTTP (its pages, snapshot, event replay, ladder) gets a lane of its own: a search
# burst never takes its slots, and a burst on it never takes the search lane's.
ROOM_PREFIXES = ("/rooms", "/officer/rooms", "/api/rooms", "/api/rounds/")

BODY = json.dumps(
    {
        "error": {
            "code": "overloaded",
            "message": {
                "th": "ระบบมีผู้ใช้งานจำนวนมาก กรุณาลองใหม่อีกครั้งในอีกสักครู่",
                "en": "The service is busy; please try again in a moment",
            },
        }
    },
    ensure_ascii=False,
).encode()


class Lane:
    """At most `limit` requests in progress; up to `queue` more may wait `wait` seconds for a slot."""

    def __init__(self, limit: int, queue: int, wait: float) -> None:
        self.limit, self.queue, self.wait = limit, queue, wait
        self.active = 0
        self.waiting = 0
        self.shed = 0  # refused since start (read by tests and the benchmark's report)
        self._free = asyncio.Semaphore(limit)

    async def enter(self) -> bool:
        if not self._free.locked():
            await self._free.acquire()  # a free slot: returns without suspending
        elif self.waiting >= self.queue:
            self.shed += 1
            return False
        else:
            self.waiting += 1
            try:
                await asyncio.wait_for(self._free.acquire(), self.wait)
            except TimeoutError:
                self.shed += 1
                return False
            finally:
                self.waiting -= 1
        self.active += 1
        return True

    def leave(self) -> None:
        self.active -= 1
        self._free.release()


class ConcurrencyLimit:
    """Pure ASGI middleware (a BaseHTTPMiddleware would add a task and a copy per request)."""

    def __init__(
        self, app: ASGIApp, limit: int, queue: int = 0, wait: float = 0.5, retry_after: int = 1
    ) -> None:
        self.app = app
        self.enabled = limit > 0
        self.lanes = {
            "default": Lane(max(1, limit), queue, wait),
            "room": Lane(max(1, limit), queue, wait),
        }
        self.retry_after = str(retry_after)

    def lane_for(self, path: str) -> Lane | None:
        if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
            return None
        if path.startswith(ROOM_PREFIXES):
            return self.lanes["room"]
        return self.lanes["default"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # WebSockets and the lifespan pass untouched: a room's sockets are long-lived and bounded
        # by the room's own limits, never by the HTTP crowd.
        lane = self.lane_for(scope["path"]) if self.enabled and scope["type"] == "http" else None
        if lane is None:
            await self.app(scope, receive, send)
            return
        if not await lane.enter():
            await self._refuse(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            lane.leave()

    async def _refuse(self, send: Send) -> None:
        # The request body is never read: the server discards it with the connection's next cycle.
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(BODY)).encode()),
                    (b"retry-after", self.retry_after.encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": BODY})
