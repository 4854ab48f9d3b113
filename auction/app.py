"""Composition root: Settings, lifespan, create_app(). The only module that imports realtime/ and search/."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from auction import (
    accounts_web,
    buyer_pages,
    help_pages,
    registration_api,
    registration_pages,
    results_api,
    results_pages,
)
from auction import routes as core_routes
from auction.auth import HashPool
from auction.config import Settings
from auction.db import make_engine, sessionmaker, write_sessionmaker
from auction.errors import ApiError, api_error_handler, http_error_handler, server_error_handler
from auction.health import broker_probe
from auction.inputs import InputGuard
from auction.loadshed import ConcurrencyLimit
from auction.mail import Mailer
from auction.navigation import NavMiddleware
from auction.security import SecurityHeaders, check_settings
from auction.stats import StatsCache
from auction.watchdog import LoopWatchdog
from realtime.direct import RawSend

STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass
class Services:
    """Long-lived resources, built in the lifespan and reached through request.app.state."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    write_sessionmaker: async_sessionmaker[AsyncSession]


def all_routes() -> list[BaseRoute]:
    from realtime import routes as realtime_routes
    from search import routes as search_routes

    return [
        *core_routes.routes,
        *registration_api.routes,
        *registration_pages.routes,
        *buyer_pages.routes,
        *accounts_web.routes,
        *results_api.routes,
        *results_pages.routes,
        *help_pages.routes,
        *search_routes.routes,
        *realtime_routes.routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def tune_gc(threshold: tuple[int, int, int] | None) -> None:
    """A serving process holds thousands of long-lived sockets, and each room event touches every
    one of them. With Python's default thresholds the collector ran a full (generation 2) pass
    every few seconds while 2,000 clients watched a room, each pass 140-260 ms with the event loop
    stopped and nothing to collect: that was the room's whole latency tail. Larger thresholds let
    short-lived objects die young, and freezing what startup built (modules, tables, templates)
    keeps it out of every later pass. Figures: docs/benchmarks.md, e-Offering room."""
    if threshold is None:
        return
    gc.set_threshold(*threshold)
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    check_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, echo=settings.echo_sql, timeouts=settings.db_timeouts)
        services = Services(settings, engine, sessionmaker(engine), write_sessionmaker(engine))
        app.state.services = services
        # First, so a stall anywhere after (the rooms' start included) is seen (issue 18).
        watchdog = LoopWatchdog(settings.loop_stall_warn_sec, settings.loop_stall_exit_sec,
                                settings.loop_stall_recent_sec)  # fmt: skip
        watchdog.start()
        app.state.watchdog = watchdog
        app.state.broker_probe = broker_probe(settings)
        app.state.stats_cache = StatsCache()
        app.state.passwords = HashPool(settings.hash_workers, settings.hash_queue)
        app.state.mailer = Mailer(settings)
        from realtime.rooms import RoomHub

        hub = await RoomHub.start(services)
        app.state.hub = hub
        tune_gc(settings.gc_threshold)
        try:
            yield
        finally:
            await hub.stop()
            await app.state.mailer.drain()
            app.state.passwords.close()
            await engine.dispose()
            if app.state.broker_probe is not None:
                await app.state.broker_probe.close()
            await watchdog.stop()

    app = Starlette(
        routes=all_routes(),
        lifespan=lifespan,
        # RawSend first: the room's direct frame writes need the server's own send (realtime/direct.py).
        # InputGuard: bad input is refused before routing, authentication or a query (issue 18).
        # NavMiddleware: the header's who-and-today's-room, resolved before the page (auction/navigation.py).
        middleware=[
            Middleware(RawSend),
            Middleware(SecurityHeaders, tiles=settings.map_tiles, public_origin=settings.public_origin),
            Middleware(InputGuard),
            Middleware(GZipMiddleware, minimum_size=1024),
            Middleware(NavMiddleware),
        ],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_error_handler,
            500: server_error_handler,
        },
    )
    # Outermost: the HTTP excess is refused before any other middleware works for it. WebSockets pass
    # through with the server's own send, so RawSend still finds it (auction/loadshed.py).
    app.add_middleware(ConcurrencyLimit, limit=settings.http_concurrency, queue=settings.http_queue,
                       wait=settings.http_queue_wait_sec, retry_after=settings.http_retry_after_sec,
                       pace=settings.http_shed_pace_sec, lag_target=settings.http_lag_target_ms / 1000)  # fmt: skip
    app.state.settings = settings
    from search.routes import lot_map

    app.state.lot_map = lot_map  # the lot page's map, without the core importing search
    return app
