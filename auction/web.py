"""Page rendering shared by every package: one Jinja environment over each package's templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from auction import csrf, display, i18n, navigation
from auction.security import cookie_secure, nonce_of

ROOT = Path(__file__).resolve().parent.parent
_loader = jinja2.ChoiceLoader(
    [jinja2.FileSystemLoader(str(ROOT / pkg / "templates")) for pkg in ("auction", "search", "realtime")]
)
templates = Jinja2Templates(env=jinja2.Environment(loader=_loader, autoescape=True))
templates.env.filters["num"] = display.num  # thousands separators on every count and amount
templates.env.filters["area"] = display.area
templates.env.filters["lot_name"] = display.lot_name  # a lot named as a person would, never by id


def header_context(request: Request) -> dict[str, Any]:
    """The header's part (auction.navigation filled it before the endpoint ran)."""
    nav = navigation.nav_of(request.scope)
    who = nav.who if nav else request.scope.get("auction.principal")
    return {
        "nav": nav,
        "header_who": who,
        # The header's log-out form: the token is an HMAC of the session cookie, nothing is stored.
        "header_csrf": csrf.token(request) if who is not None and who.user_id is not None else "",
    }


def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    response = templates.TemplateResponse(
        request,
        name,
        {**i18n.context(request), **header_context(request), "csp_nonce": nonce_of(request), **ctx},
        status_code=status_code,
    )
    lang = request.query_params.get("lang")
    if lang in i18n.LANGS:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", secure=cookie_secure(request))
    elif request.cookies.get("lang") not in i18n.LANGS:
        response.headers.append("vary", "Accept-Language")  # a first visit follows the browser
    return response
