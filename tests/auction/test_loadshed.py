"""Load shedding (auction/loadshed.py): HTTP work beyond the limit is refused with 503 at once,
and the room's sockets, health checks and static files never wait behind the crowd."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auction.config import Settings
from auction.loadshed import ConcurrencyLimit, LagWatch, Lane
from tests.realtime.roomkit import DAY, Server, build, server


class Slow:
    """A route that holds its slot until released: the saturating load, without timing guesses."""

    def __init__(self) -> None:
        self.inside = 0
        self.release = asyncio.Event()

    async def handle(self, request: Request) -> JSONResponse:
        self.inside += 1
        await self.release.wait()
        return JSONResponse({"ok": True})

    async def until_inside(self, n: int) -> None:
        for _ in range(500):
            if self.inside >= n:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"only {self.inside} of {n} slow requests got in")


@contextlib.asynccontextmanager
async def saturated(srv: Server, limit: int, path: str = "/test/slow") -> AsyncIterator[Slow]:
    """`limit` requests in progress on `path` (the whole lane), released on exit."""
    slow = Slow()
    srv.app.router.routes.insert(0, Route(path, slow.handle))
    async with srv.client() as c:
        tasks = [asyncio.create_task(c.get(path)) for _ in range(limit)]
        try:
            await slow.until_inside(limit)
            yield slow
        finally:
            slow.release.set()
            answers = await asyncio.gather(*tasks)
    assert [r.status_code for r in answers] == [200] * limit


def limited(settings: Settings, limit: int = 3, **kw: object) -> Settings:
    kw.setdefault("http_shed_pace_sec", 0.0)
    kw.setdefault("http_queue", 0)
    return dataclasses.replace(settings, http_concurrency=limit, **kw)


async def test_requests_beyond_the_limit_get_503_with_retry_after_and_the_error_body(db, settings) -> None:
    fx = await build(db)
    async with server(limited(settings, http_retry_after_sec=2)) as srv, saturated(srv, 3) as slow:
        async with srv.client() as c:
            t0 = time.perf_counter()
            r = await c.get("/api/search/lots", params={"province": "กรุงเทพ"})
            assert time.perf_counter() - t0 < 0.5  # refused at the door, not after a wait
        assert r.status_code == 503
        assert r.headers["retry-after"] == "2"
        err = r.json()["error"]
        assert err["code"] == "overloaded"
        assert err["message"]["th"] and err["message"]["en"]
        assert slow.inside == 3  # the refused request never reached a route
    # Once the slots are free, the same request is served.
    async with server(limited(settings)) as srv, srv.client() as c:
        r = await c.get("/api/search/lots", params={"province": "กรุงเทพ"})
        assert r.status_code == 200, r.text
    assert fx.office_id


async def test_a_refusal_is_answered_after_its_pace_so_a_retrying_crowd_cannot_storm(db, settings) -> None:
    await build(db)
    async with server(limited(settings, http_shed_pace_sec=0.3)) as srv, saturated(srv, 3):
        async with srv.client() as c:
            t0 = time.perf_counter()
            answers = await asyncio.gather(*(c.get("/api/search/lots") for _ in range(5)))
            took = time.perf_counter() - t0
            assert (await c.get("/healthz")).status_code == 200  # never held
    assert [r.status_code for r in answers] == [503] * 5
    assert 0.25 < took < 2.0  # held side by side, not one after another


async def test_room_socket_joins_and_pings_while_http_is_saturated(db, settings) -> None:
    fx = await build(db)
    async with server(limited(settings)) as srv, saturated(srv, 3):
        async with srv.client() as c:
            assert (await c.get("/api/search/lots")).status_code == 503
        async with srv.peer(fx, "b1") as b1:  # join (with its snapshot) inside the peer
            await b1.send(type="ping", t=7)
            pong = await b1.expect("pong", timeout=2)
            assert pong["t"] == 7


async def test_health_static_and_the_rooms_http_are_not_shed_by_a_search_crowd(db, settings) -> None:
    fx = await build(db)
    async with server(limited(settings)) as srv, srv.peer(fx, "b1"), saturated(srv, 3):
        async with srv.client() as c:
            assert (await c.get("/healthz")).status_code == 200
            assert (await c.get("/static/css/search.css")).status_code == 200
            r = await c.get(f"/api/rooms/{fx.office_id}/{DAY.isoformat()}")
            assert r.status_code == 200, r.text
            r = await c.get(f"/rooms/{fx.office_id}/{DAY.isoformat()}")
            assert r.status_code == 200
            assert (await c.get("/api/search/lots")).status_code == 503


async def test_a_burst_on_the_rooms_http_never_takes_the_search_lane(db, settings) -> None:
    await build(db)
    async with server(limited(settings)) as srv, saturated(srv, 3, path="/api/rooms/test-slow"):
        async with srv.client() as c:
            assert (await c.get("/api/rooms/test-slow")).status_code == 503
            assert (await c.get("/api/search/lots")).status_code == 200


async def test_a_zero_limit_turns_shedding_off(db, settings) -> None:
    await build(db)
    async with server(limited(settings, 0)) as srv, saturated(srv, 20):
        async with srv.client() as c:
            assert (await c.get("/api/search/lots")).status_code == 200


async def test_a_bounded_queue_waits_for_a_slot_then_sheds_after_its_wait() -> None:
    lane = Lane(limit=1, queue=1, wait=0.2)
    assert await lane.enter()
    waiter = asyncio.create_task(lane.enter())
    await asyncio.sleep(0.05)
    assert lane.waiting == 1
    assert not await lane.enter()  # the queue is full: refused at once
    lane.leave()
    assert await waiter  # the slot freed went to the one waiting
    t0 = time.perf_counter()
    assert not await lane.enter()  # waits its 0.2 s, then is refused
    assert 0.15 < time.perf_counter() - t0 < 1.0
    assert (lane.active, lane.waiting, lane.shed) == (1, 0, 2)
    lane.leave()
    assert lane.active == 0 and await lane.enter()


async def test_settings_read_the_limits_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HTTP_CONCURRENCY", "9")
    monkeypatch.setenv("HTTP_QUEUE", "4")
    monkeypatch.setenv("HTTP_RETRY_AFTER_SEC", "3")
    monkeypatch.setenv("HTTP_SHED_PACE_SEC", "0.25")
    s = Settings.from_env()
    assert (s.http_concurrency, s.http_queue, s.http_retry_after_sec, s.http_shed_pace_sec) == (9, 4, 3, 0.25)


def test_the_lag_watch_halves_the_allowance_while_the_loop_is_late_and_grows_it_back() -> None:
    lane = Lane(limit=8, queue=0, wait=0.1)
    watch = LagWatch(lane, target=0.02)
    for _ in range(4):
        watch.observe(0.2)
    assert lane.allowed == 1  # never 0: one search always runs
    for _ in range(40):
        watch.observe(0.0)
    assert lane.allowed == 8


async def test_a_slot_given_back_by_the_lag_watch_goes_to_a_waiter() -> None:
    lane = Lane(limit=2, queue=1, wait=2.0)
    lane.allowed = 1
    assert await lane.enter()
    waiter = asyncio.create_task(lane.enter())
    await asyncio.sleep(0.01)
    assert lane.waiting == 1
    lane.allowed = 2
    lane.wake()
    assert await asyncio.wait_for(waiter, 1) and lane.active == 2


async def test_a_blocked_loop_lowers_the_search_lane_so_the_next_requests_are_shed(db, settings) -> None:
    fx = await build(db)
    slow_settings = limited(settings, 6, http_lag_target_ms=20.0)
    async with server(slow_settings) as srv, srv.peer(fx, "b1") as b1:

        async def block(request: Request) -> JSONResponse:
            time.sleep(0.4)  # noqa: ASYNC251 - the point: a request that stops the loop
            return JSONResponse({})

        srv.app.router.routes.insert(0, Route("/test/block", block))
        async with srv.client() as c:
            assert (await c.get("/api/search/lots")).status_code == 200  # the watch starts
            await asyncio.sleep(0.2)
            assert (await c.get("/test/block")).status_code == 200
            await asyncio.sleep(0.01)
            mw = find_limit(srv.app)
            assert mw.watch is not None and mw.watch.lag > 0.02
            allowed = mw.lanes["default"].allowed
            assert allowed < 6
            mw.watch.stop()  # hold the allowance where the block left it, for what follows
            await asyncio.sleep(0)
        async with saturated(srv, allowed):
            async with srv.client() as c:
                assert (await c.get("/api/search/lots")).status_code == 503
            await b1.send(type="ping", t=1)
            assert (await b1.expect("pong", timeout=2))["t"] == 1


def find_limit(app: object) -> ConcurrencyLimit:
    node = app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(node, ConcurrencyLimit):
        node = node.app
    return node
