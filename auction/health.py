"""/healthz (is this process's event loop alive?) and /readyz (can it serve: database, broker?).

/healthz touches nothing outside the process: a supervisor restarts the worker when it fails. It
reports the event loop's lag and turns 503 during and shortly after a stall (auction.watchdog).
/readyz really asks the database (SELECT 1) and, when one is configured, the broker (Redis PING),
each within Settings.ready_timeout_sec: a load balancer stops sending work while it is 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from auction.config import Settings


def _error(code: str, th: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": {"th": th, "en": en}, **extra}}


async def healthz(request: Request) -> JSONResponse:
    dog = getattr(request.app.state, "watchdog", None)
    if dog is None:
        return JSONResponse({"ok": True})
    ok, loop = dog.health()
    if ok:
        return JSONResponse({"ok": True, "loop": loop})
    body = _error(
        "loop_stalled", "ระบบหยุดตอบสนองชั่วขณะเมื่อไม่นานนี้", "The event loop stalled recently", loop=loop
    )
    return JSONResponse({"ok": False, **body}, status_code=503)


class BrokerProbe:
    """Its own small Redis client: a readiness check must not share (or wait behind) the room's."""

    def __init__(self, url: str, timeout: float) -> None:
        import redis.asyncio as redis

        self.client: Any = redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.aclose()


def broker_probe(settings: Settings) -> BrokerProbe | None:
    return (
        BrokerProbe(settings.broker_url, settings.ready_timeout_sec)
        if settings.broker_url.startswith("redis")
        else None
    )


async def _timed(check: Any, timeout: float) -> tuple[bool, float, str | None]:
    start = time.monotonic()
    try:
        await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        return False, time.monotonic() - start, f"no answer within {timeout:g} s"
    except Exception as exc:  # any failure is "not ready"; the reason goes in the body
        return False, time.monotonic() - start, type(exc).__name__
    return True, time.monotonic() - start, None


async def readyz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    timeout = settings.ready_timeout_sec
    engine = request.app.state.services.engine

    async def database() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    checks: dict[str, Any] = {"database": database}
    probe: BrokerProbe | None = getattr(request.app.state, "broker_probe", None)
    if probe is not None:
        checks["broker"] = probe.ping
    results = dict(
        zip(checks, await asyncio.gather(*(_timed(c, timeout) for c in checks.values())), strict=True)
    )
    report = {
        name: {"ok": ok, "ms": round(sec * 1000, 1), **({"reason": why} if why else {})}
        for name, (ok, sec, why) in results.items()
    }
    if all(ok for ok, _, _ in results.values()):
        return JSONResponse({"ok": True, "checks": report})
    failing = [name for name, (ok, _, _) in results.items() if not ok]
    th = {"database": "ฐานข้อมูล", "broker": "ระบบกระจายข้อความ"}
    body = _error("not_ready", f"ระบบยังไม่พร้อม: {', '.join(th[n] for n in failing)} ไม่ตอบสนอง",
                  f"Not ready: {', '.join(failing)} not answering", checks=report)  # fmt: skip
    return JSONResponse({"ok": False, **body}, status_code=503)
