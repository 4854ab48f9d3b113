"""What the header of every page knows: who is logged in, and today's rooms that concern them.

Resolved once per page request, before the endpoint runs (templates cannot await), and kept in
the request's scope: the session lookup is the one `auth.principal` caches anyway, plus at most
one bounded query for a logged-in visitor. API, WebSocket and static requests skip it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from auction import auth
from auction.models import Registration, SaleRound
from auction.thai import BANGKOK

log = logging.getLogger(__name__)
SCOPE_KEY = "auction.nav"
MAX_LINKS = 3  # a buyer with paddles at more offices on one day is rare; the account lists them all
SKIP = ("/static/", "/api/", "/ws/", "/healthz")


@dataclass(frozen=True)
class Nav:
    who: auth.Principal
    today: str  # Bangkok's date, ISO: the sale calendar's day
    rooms: tuple[int, ...] = field(default=())  # offices where the buyer holds a paddle today
    consoles: tuple[int, ...] = field(default=())  # offices whose console the officer runs today


def _today() -> dt.date:
    from auction.db import utcnow

    return utcnow().astimezone(BANGKOK).date()


async def nav_for(conn: HTTPConnection) -> Nav:
    cached = conn.scope.get(SCOPE_KEY)
    if cached is not None:
        return cached
    who = await auth.principal(conn)
    day = _today()
    nav = Nav(who, day.isoformat())
    if who.user_id is not None:
        async with conn.app.state.services.sessionmaker() as s:
            if who.is_officer:
                query = select(SaleRound.office_id).where(SaleRound.sale_date == day)
                if who.role != "admin":
                    query = query.where(SaleRound.office_id == who.office_id)
                offices = list(
                    await s.scalars(query.distinct().order_by(SaleRound.office_id).limit(MAX_LINKS))
                )
                nav = Nav(who, nav.today, consoles=tuple(offices))
            else:
                offices = list(
                    await s.scalars(
                        select(SaleRound.office_id)
                        .join(Registration, Registration.round_id == SaleRound.id)
                        .where(
                            Registration.user_id == who.user_id,
                            Registration.status == "confirmed",
                            SaleRound.sale_date == day,
                        )
                        .distinct()
                        .order_by(SaleRound.office_id)
                        .limit(MAX_LINKS)
                    )
                )
                nav = Nav(who, nav.today, rooms=tuple(offices))
    conn.scope[SCOPE_KEY] = nav
    return nav


def nav_of(scope: Scope | Any) -> Nav | None:
    return scope.get(SCOPE_KEY)


class NavMiddleware:
    """Fills the header's context for page requests. A failure here must not take the page down:
    the page renders with a plain header and the endpoint reports its own errors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(SKIP):
            try:
                await nav_for(HTTPConnection(scope))
            except Exception:  # noqa: BLE001 - the page itself still answers
                log.exception("header context failed for %s", scope["path"])
        await self.app(scope, receive, send)
