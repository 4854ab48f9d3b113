"""The room's routes (docs/protocol.md): the socket's reader (`room_socket`: admission, the rate
limit, parsing, join and ping answered here, every other command handed to the hub), the room's
pages and its public JSON."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from auction import auth
from auction.db import one_snapshot, utcnow
from auction.errors import ApiError
from auction.models import Office, Room, SaleRound
from auction.security import same_origin
from auction.services import parse_id
from auction.thai import BANGKOK
from auction.web import render
from realtime import chain, protocol, service, views
from realtime.connection import Connection
from realtime.protocol import ProtocolError
from realtime.rooms import RoomHub

FLOOD_STRIKES = 20  # rate-limited messages tolerated before the socket is closed
log = logging.getLogger(__name__)


class TokenBucket:
    """Messages per second with a burst allowance; a phone tapping fast is fine, a script is not."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.tokens, self.clock = rate, burst, burst, clock
        self.at = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _room_address(params: dict[str, Any]) -> tuple[int, dt.date]:
    office_id = parse_id(str(params["office_id"]), "office_id")
    try:
        day = dt.date.fromisoformat(str(params["sale_date"]))
    except ValueError as exc:
        raise ApiError(400, "malformed_date", "วันที่ไม่ถูกต้อง (YYYY-MM-DD)", "Malformed date (YYYY-MM-DD)",
                       param="sale_date") from exc  # fmt: skip
    return office_id, day


async def _refuse(ws: WebSocket, code: str, close_code: int) -> None:
    """Accepted only to say why in the protocol (a browser sees no reason for a refused handshake)."""
    with contextlib.suppress(Exception):
        await ws.send_text(protocol.dumps(protocol.closing(code)))
        await ws.close(code=close_code)


async def room_socket(ws: WebSocket) -> None:
    origin = ws.headers.get("origin")
    if origin and not same_origin(ws, origin):
        await ws.close(code=4003, reason="bad_origin")  # cross-site WebSocket hijacking
        return
    hub: RoomHub = ws.app.state.hub
    settings = ws.app.state.settings
    refusal: tuple[str, int] | None = None
    room_id: int | None = None
    try:
        office_id, day = _room_address(ws.path_params)
        room_id = await asyncio.wait_for(hub.room_id_for(office_id, day), settings.room_db_timeout_sec * 2)
    except ApiError:
        refusal = ("room_not_found", 4404)
    except Exception:  # the database is away: say so in the protocol, never an HTTP 500
        log.exception("room lookup failed")
        refusal = ("db_unavailable", 1013)
    if refusal is None and room_id is None:
        refusal = ("room_not_found", 4404)
    address = ws.client.host if ws.client else ""
    if refusal is None and room_id is not None:
        refusal = hub.admit(room_id, address)  # counted from here: released in the finally below
    if refusal is not None or room_id is None:
        with contextlib.suppress(Exception):
            await ws.accept()
            await _refuse(ws, *(refusal or ("room_not_found", 4404)))
        return
    try:
        await ws.accept()
        await _serve_socket(ws, hub, settings, room_id)
    finally:
        hub.release(room_id, address)


async def _serve_socket(ws: WebSocket, hub: RoomHub, settings: Any, room_id: int) -> None:
    try:
        async with asyncio.timeout(settings.room_db_timeout_sec * 2):
            who = await auth.principal(ws)  # a session cookie is looked up in the database
    except Exception:
        log.exception("room %s: session lookup failed", room_id)
        await _refuse(ws, "db_unavailable", 1013)
        return
    conn = Connection.for_socket(ws, who, settings.ws_outbox)
    conn.start()
    bucket = TokenBucket(settings.ws_rate_per_sec, settings.ws_rate_per_sec * 2)
    strikes = 0
    joined = False
    try:
        while not conn.closed:
            try:
                message = await asyncio.wait_for(ws.receive(), timeout=settings.ws_heartbeat_sec * 3)
            except TimeoutError:
                conn.drop("idle", 4000)
                break
            if message["type"] == "websocket.disconnect":
                break
            frame = message.get("text")
            if frame is None:
                frame = message.get("bytes") or b""
            if len(frame) > settings.ws_max_frame:
                conn.send(protocol.error("frame_too_large"))
                conn.drop("frame_too_large", 1009)
                break
            if not bucket.take():
                strikes += 1
                if strikes > FLOOD_STRIKES:
                    conn.drop("flood", 4029)
                    break
                conn.send(protocol.error("rate_limited"))
                continue
            try:
                cmd = protocol.parse(frame, service.COMMANDS)
            except ProtocolError as exc:
                conn.send(protocol.error(exc.code, exc.ref))
                continue
            except Exception:  # a frame the parser did not foresee is still only a bad message
                log.exception("room %s: unparsed frame", room_id)
                conn.send(protocol.error("bad_message"))
                continue
            # join and ping are the socket's own (no handler in the registry); the rest go to the room.
            if cmd.type == "ping":
                conn.send(protocol.pong(cmd.data["t"], utcnow().isoformat()))
                continue
            if cmd.type == "join":
                if joined:
                    conn.send(protocol.error("bad_message", "join"))
                    continue
                try:
                    async with asyncio.timeout(settings.room_db_timeout_sec * 2):
                        if who.user_id is None and cmd.data.get("token"):
                            async with hub.sm() as s:
                                who = conn.principal = await auth.principal_for_token(s, cmd.data["token"])
                        await hub.join(room_id, conn, cmd.data.get("last_seq"))
                except Exception:  # the database is away: the phone reconnects and joins again
                    log.exception("room %s: join failed", room_id)
                    conn.drop("db_unavailable", 1013)
                    break
                joined = True
                continue
            if not joined:
                conn.send(protocol.error("not_joined", cmd.type))
                continue
            hub.submit(room_id, conn.principal, cmd, conn.send)  # the room's worker answers in order
    except WebSocketDisconnect:
        pass
    finally:
        await hub.leave(conn)
        await conn.finish()
        with contextlib.suppress(Exception):
            if not conn.closed:
                await ws.close()


# --- pages -------------------------------------------------------------------------------------


async def _room_page_context(request: Request) -> dict[str, Any]:
    office_id, day = _room_address(request.path_params)
    async with request.app.state.services.sessionmaker() as s:
        office = await s.get(Office, office_id)
    if office is None:
        raise ApiError(404, "office_not_found", "ไม่พบสำนักงาน", "Office not found")
    return {
        "office_id": office_id,
        "sale_date": day.isoformat(),
        "office": {"th": office.name_th, "en": office.name_en},
        "ws_path": f"/ws/rooms/{office_id}/{day.isoformat()}",
    }


async def room_page(request: Request) -> Response:
    return render(request, "room.html", **await _room_page_context(request))


async def console_page(request: Request) -> Response:
    ctx = await _room_page_context(request)
    who = await auth.principal(request)
    if who.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    await auth.require_officer(request, ctx["office_id"])
    return render(request, "console.html", **ctx)


async def rooms_today(request: Request) -> Response:
    """Offices with lots on sale today, each a link to its live room."""
    today = utcnow().astimezone(BANGKOK).date()
    day_param = request.query_params.get("date")
    if day_param:
        try:
            today = dt.date.fromisoformat(day_param)
        except ValueError as exc:
            raise ApiError(400, "malformed_date", "วันที่ไม่ถูกต้อง", "Malformed date", param="date") from exc
    async with request.app.state.services.sessionmaker() as s:
        rows = await s.execute(
            select(Office, func.count(SaleRound.id))
            .join(SaleRound, SaleRound.office_id == Office.id)
            .where(SaleRound.sale_date == today)
            .group_by(Office.id)
            .order_by(Office.code)
        )
        items = [{"office_id": o.id, "office": {"th": o.name_th, "en": o.name_en}, "lots": n,
                  "url": f"/rooms/{o.id}/{today.isoformat()}"} for o, n in rows.all()]  # fmt: skip
    if request.url.path.startswith("/api/"):
        return JSONResponse({"date": today.isoformat(), "items": items})
    return render(request, "rooms.html", rooms=items, day=today.isoformat())


# --- public JSON -----------------------------------------------------------------------------


async def _room(request: Request, s: Any) -> Room:
    office_id, day = _room_address(request.path_params)
    room = await s.scalar(select(Room).where(Room.office_id == office_id, Room.sale_date == day))
    if room is None:
        raise ApiError(404, "room_not_found", "ไม่พบห้องประมูล", "No such room")
    return room


async def api_room(request: Request) -> JSONResponse:
    who = await auth.principal(request)
    async with request.app.state.services.sessionmaker() as s:
        await one_snapshot(s)
        room = await _room(request, s)
        snap = await views.snapshot(s, room, who, utcnow())
    return JSONResponse(snap)


async def api_room_events(request: Request) -> JSONResponse:
    after_raw = request.query_params.get("after", "0")
    # Nine digits at most: a seq is a 32-bit column, and a longer number is a 500 on PostgreSQL.
    after = int(after_raw) if after_raw.isdigit() and len(after_raw) <= 9 else -1
    if after < 0:
        raise ApiError(
            400, "bad_after", "after ต้องเป็นจำนวนเต็มไม่ติดลบ", "after must be a whole number >= 0", param="after"
        )
    async with request.app.state.services.sessionmaker() as s:
        room = await _room(request, s)
        events = await views.events_after(s, room.id, after)
    return JSONResponse({"room_id": room.id, "last_seq": room.last_seq, "events": events})


async def api_room_verify(request: Request) -> JSONResponse:
    async with request.app.state.services.sessionmaker() as s:
        room = await _room(request, s)
        return JSONResponse(await chain.verify_chain(s, room.id))


async def api_ladder(request: Request) -> JSONResponse:
    round_id = parse_id(request.path_params["round_id"], "round_id")
    async with request.app.state.services.sessionmaker() as s:
        out = await views.ladder(s, round_id)
    if out is None:
        raise ApiError(404, "round_not_found", "ไม่พบนัดขาย", "Round not found")
    return JSONResponse(out)


routes: list[BaseRoute] = [
    WebSocketRoute("/ws/rooms/{office_id}/{sale_date}", room_socket),
    Route("/rooms", rooms_today),
    Route("/rooms/{office_id}/{sale_date}", room_page),
    Route("/officer/rooms/{office_id}/{sale_date}", console_page),
    Route("/api/rooms", rooms_today),
    Route("/api/rooms/{office_id}/{sale_date}", api_room),
    Route("/api/rooms/{office_id}/{sale_date}/events", api_room_events),
    Route("/api/rooms/{office_id}/{sale_date}/verify", api_room_verify),
    Route("/api/rounds/{round_id}/ladder", api_ladder),
]
