"""Load shedding: a bound on concurrent HTTP work per process; the excess is refused with 503
before any work is done for it.

Without it, every request a crowd sends is accepted and queues for the database pool: 300
connections on /api/search/lots left 11 % unanswered after 10 s, the answered ones at p99 9.6 s,
and a new room join waited 8.5 s behind them for a pooled connection. Admitting a few at a time
keeps the pool free for the room and the answered searches fast; the refused wait for their 503
without costing the loop anything (the pace, below) and are told `Retry-After`
(docs/security.md, load, figures in docs/benchmarks.md).

uvicorn's own `--limit-concurrency` is not used: it counts WebSocket connections too, so a busy
room would be refused along with the search crowd.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections import deque

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
    """At most `allowed` requests in progress (`limit` at most; the lag watch lowers it while the
    loop is late); up to `queue` more may wait `wait` seconds for a slot, first come first served."""

    def __init__(self, limit: int, queue: int, wait: float) -> None:
        self.limit = self.allowed = limit
        self.queue, self.wait = queue, wait
        self.active = 0
        self.shed = 0  # refused since start (read by tests and the benchmark's report)
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def enter(self) -> bool:
        if self.active < self.allowed and not self._waiters:
            self.active += 1
            return True
        if len(self._waiters) >= self.queue:
            self.shed += 1
            return False
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(slot)
        try:
            await asyncio.wait_for(slot, self.wait)
        except TimeoutError:
            if slot.done() and not slot.cancelled():
                return True  # granted as the wait ran out: the slot is ours
            self.shed += 1
            return False
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():
                self.leave()  # granted, but nobody is left to use it
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(slot)
        return True

    def leave(self) -> None:
        self.active -= 1
        self.wake()

    def wake(self) -> None:
        """Hand free slots to the oldest waiters (the slot is counted as theirs at once)."""
        while self._waiters and self.active < self.allowed:
            slot = self._waiters.popleft()
            if not slot.done():
                slot.set_result(None)
                self.active += 1


class LagWatch:
    """How late the event loop runs a timer, and the default lane's limit that follows from it.

    A concurrency limit alone does not bound the loop's load: what a request costs on the loop
    depends on the request and on how much CPU the machine gives the process (measured on a shared
    2-core host: the same limit kept room pings fast one minute and 700 ms late the next). The
    loop's lateness is the room's latency itself, so it is the signal: while a 50 ms timer fires
    more than `target` late (smoothed), the lane's allowance halves (down to one request, so search
    never stops entirely); while it is on time, it grows back by one per tick up to the limit."""

    TICK = 0.05
    IDLE_STOP = 10.0  # no HTTP request for this long: the watch ends, the next request restarts it

    def __init__(self, lane: Lane, target: float) -> None:
        self.lane, self.target = lane, target
        self.lag = 0.0
        self.last_request = 0.0
        self.task: asyncio.Task[None] | None = None

    def touch(self) -> None:
        loop = asyncio.get_running_loop()
        self.last_request = loop.time()
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while loop.time() - self.last_request < self.IDLE_STOP:
            t0 = loop.time()
            await asyncio.sleep(self.TICK)
            self.observe(loop.time() - t0 - self.TICK)
        self.lane.allowed = self.lane.limit
        self.lag = 0.0

    def observe(self, lag: float) -> None:
        self.lag = 0.7 * self.lag + 0.3 * max(0.0, lag)
        lane = self.lane
        if self.lag > self.target:
            lane.allowed = max(1, lane.allowed // 2)
        elif self.lag < self.target / 2 and lane.allowed < lane.limit:
            lane.allowed += 1
            lane.wake()

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


# Refusals held for their pace at once, at most: past it they are answered immediately (a held
# refusal costs a timer and its connection's buffers, nothing on the loop while it waits).
HELD_MAX = 2000


class ConcurrencyLimit:
    """Pure ASGI middleware (a BaseHTTPMiddleware would add a task and a copy per request).

    `pace`: a refusal is answered after this many seconds rather than at once. A crowd that retries
    the moment it is refused (scripts, reloading phones) otherwise turns shedding into a 503 storm:
    measured with 300 such connections, the loop spent its time answering thousands of 503s a
    second and the room's pings waited over 2 s (docs/benchmarks.md). Held, each connection costs at
    most one refusal per `pace`, and the loop stays free for the sockets and the work admitted."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        queue: int = 0,
        wait: float = 0.5,
        retry_after: int = 1,
        pace: float = 0.0,
        lag_target: float = 0.0,
    ) -> None:
        self.app = app
        self.enabled = limit > 0
        self.lanes = {
            "default": Lane(max(1, limit), queue, wait),
            "room": Lane(max(1, limit), queue, wait),
        }
        self.retry_after = str(retry_after)
        self.pace = pace
        self.held = 0
        self.watch = LagWatch(self.lanes["default"], lag_target) if lag_target > 0 else None

    def lane_for(self, path: str) -> Lane | None:
        if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
            return None
        if path.startswith(ROOM_PREFIXES):
            return self.lanes["room"]
        return self.lanes["default"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # WebSockets and the lifespan pass untouched: a room's sockets are long-lived and bounded
        # by the room's own limits, never by the HTTP crowd.
        if scope["type"] == "lifespan" and self.watch is not None:
            try:
                await self.app(scope, receive, send)
            finally:
                self.watch.stop()
            return
        lane = self.lane_for(scope["path"]) if self.enabled and scope["type"] == "http" else None
        if lane is None:
            await self.app(scope, receive, send)
            return
        if self.watch is not None:
            self.watch.touch()
        if not await lane.enter():
            await self._refuse(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            lane.leave()

    async def _refuse(self, send: Send) -> None:
        if self.pace > 0 and self.held < HELD_MAX:
            self.held += 1
            try:
                # Spread over 0.5-1.5 x pace: a crowd refused together would otherwise come back
                # together, and a few hundred refusals in one loop pass stall every socket for it.
                await asyncio.sleep(self.pace * (0.5 + random.random()))
            finally:
                self.held -= 1
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
