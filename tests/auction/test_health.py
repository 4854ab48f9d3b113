"""Issue 18: a stalled event loop is visible (log with the stack, /healthz 503) and ends the process
past its limit or on SIGTERM; /readyz really asks the database and the broker; database timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from auction.app import create_app
from auction.config import DbTimeouts, Settings
from auction.db import make_engine
from auction.health import BrokerProbe
from tests.conftest import is_pg

ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """As tests.conftest.app_client, with `client.app` the app itself (its state reachable)."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def block_the_loop_for(seconds: float) -> None:
    time.sleep(seconds)  # on purpose: the event loop (the app's too) is stopped meanwhile


async def test_healthz_reports_the_loop_lag(db, client) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["ok"] is True and r.json()["loop"]["lag_ms"] >= 0


async def test_a_blocked_loop_is_logged_with_its_stack_and_turns_healthz_red(db, settings, caplog) -> None:
    s = dataclasses.replace(settings, loop_stall_warn_sec=0.3, loop_stall_recent_sec=30)
    async with app_client(s) as c:
        await asyncio.sleep(0.3)
        assert (await c.get("/healthz")).status_code == 200
        with caplog.at_level(logging.ERROR, logger="auction.watchdog"):
            block_the_loop_for(1.0)
            await asyncio.sleep(0.3)
        r = await c.get("/healthz")
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["error"]["code"] == "loop_stalled" and set(body["error"]["message"]) == {"th", "en"}
        assert body["error"]["loop"]["last_stall"]["seconds"] >= 0.5
    stalls = [rec.getMessage() for rec in caplog.records if "stalled" in rec.getMessage()]
    assert stalls and "block_the_loop_for" in stalls[0]  # the culprit's frame is in the log


async def test_a_stall_past_the_hard_limit_exits_the_process(db, settings) -> None:
    s = dataclasses.replace(settings, loop_stall_warn_sec=0.2, loop_stall_exit_sec=0.6)
    exits: list[int] = []
    async with app_client(s) as c:
        c.app.state.watchdog.exit_process = exits.append  # type: ignore[attr-defined]
        block_the_loop_for(1.5)
        await asyncio.sleep(0.2)
    assert exits == [70]


def test_loop_stall_exit_is_on_by_default_when_served(monkeypatch) -> None:
    monkeypatch.delenv("LOOP_STALL_EXIT_SEC", raising=False)
    assert Settings.from_env().loop_stall_exit_sec == 30
    monkeypatch.setenv("LOOP_STALL_EXIT_SEC", "5")
    assert Settings.from_env().loop_stall_exit_sec == 5


STALLED_PROCESS = textwrap.dedent(
    """
    import asyncio, signal, sys
    from auction.watchdog import LoopWatchdog

    # As uvicorn does: SIGTERM only sets a flag that the (stuck) loop would read.
    signal.signal(signal.SIGTERM, lambda *a: None)

    async def main():
        LoopWatchdog(warn_sec=0.2, exit_sec=float(sys.argv[1])).start()
        await asyncio.sleep(0.3)
        print("spinning", flush=True)
        while True:  # the loop never gets control back
            pass

    asyncio.run(main())
    """
)


def _spawn(exit_sec: float) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", STALLED_PROCESS, str(exit_sec)], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert p.stdout is not None and p.stdout.readline().strip() == "spinning"
    return p


def test_a_real_process_stuck_in_a_loop_exits_after_the_limit() -> None:
    start = time.monotonic()
    p = _spawn(1.0)
    try:
        assert p.wait(timeout=20) == 70
    finally:
        p.kill()
    assert time.monotonic() - start < 20
    assert "stalled" in (p.stderr.read() if p.stderr else "")


def test_sigterm_ends_a_process_whose_loop_is_stuck() -> None:
    p = _spawn(0)  # no hard limit: only the SIGTERM can end it
    try:
        time.sleep(0.5)
        assert p.poll() is None
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=10) == 70
    finally:
        p.kill()


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never answers: a hung database or broker."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        held.append(w)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for w in held:
            w.close()
        server.close()


async def test_readyz_asks_the_database_and_the_broker(db, client) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    checks = r.json()["checks"]
    assert checks["database"]["ok"] is True
    if (os.environ.get("BROKER_URL") or "").startswith("redis"):
        assert checks["broker"]["ok"] is True


async def test_readyz_is_503_within_its_timeout_when_the_database_hangs(db, settings) -> None:
    s = dataclasses.replace(settings, ready_timeout_sec=0.5)
    async with silent_server() as port, app_client(s) as c:
        real = c.app.state.services.engine  # type: ignore[attr-defined]
        hung = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x")
        c.app.state.services.engine = hung  # type: ignore[attr-defined]
        try:
            start = time.monotonic()
            r = await c.get("/readyz")
            assert time.monotonic() - start < 3
        finally:
            c.app.state.services.engine = real  # type: ignore[attr-defined]
            await hung.dispose()
    assert r.status_code == 503
    body = r.json()
    assert body["error"]["code"] == "not_ready" and set(body["error"]["message"]) == {"th", "en"}
    assert body["error"]["checks"]["database"]["ok"] is False


async def test_readyz_is_503_when_the_broker_hangs(db, settings) -> None:
    s = dataclasses.replace(settings, ready_timeout_sec=0.5)
    async with silent_server() as port, app_client(s) as c:
        c.app.state.broker_probe = BrokerProbe(f"redis://127.0.0.1:{port}/0", 0.5)  # type: ignore[attr-defined]
        r = await c.get("/readyz")
        await c.app.state.broker_probe.close()  # type: ignore[attr-defined]
        c.app.state.broker_probe = None  # type: ignore[attr-defined]
    assert r.status_code == 503
    assert r.json()["error"]["checks"]["broker"]["ok"] is False
    assert r.json()["error"]["checks"]["database"]["ok"] is True


async def test_a_statement_past_the_timeout_fails_instead_of_hanging(database_url, tmp_path) -> None:
    if is_pg(database_url):
        engine = make_engine(database_url, timeouts=DbTimeouts(statement=0.5, command=5))
        start = time.monotonic()
        with pytest.raises(Exception, match="(?i)cancel|timeout"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT pg_sleep(5)"))
        await engine.dispose()
        assert time.monotonic() - start < 3
        return
    # SQLite: a writer waiting for the single write lock gives up after the busy timeout.
    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    holder = make_engine(url)
    waiter = make_engine(url, timeouts=DbTimeouts(sqlite_busy=0.5))
    async with holder.connect() as c1:
        await c1.execute(text("CREATE TABLE t (x INTEGER)"))
        await c1.commit()
        await c1.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock, uncommitted
        start = time.monotonic()
        with pytest.raises(Exception, match="locked"):
            async with waiter.connect() as c2:
                await c2.execute(text("INSERT INTO t VALUES (2)"))
        assert time.monotonic() - start < 3
        await c1.rollback()
    await holder.dispose()
    await waiter.dispose()


async def test_the_app_engine_carries_the_configured_timeouts(db, settings) -> None:
    async with app_client(settings) as c:
        await _configured(c.app.state.services.engine)  # type: ignore[attr-defined]


async def _configured(engine: Any) -> None:
    assert engine.pool.timeout() == 5.0
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW statement_timeout"))).scalar() == "10s"
    else:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 30000
