"""CSRF protection for cookie sessions.

The session cookie is SameSite=Lax (no cross-site POSTs carry it in current browsers) and, as a
second layer that does not depend on the browser, every unsafe request that rides on the cookie
must carry a per-session token: an HMAC of the session token under the app's secret, sent as the
`csrf` form field or an `X-CSRF-Token` header. Nothing extra is stored. A request that states a
foreign Origin is refused outright. Bearer-token requests are exempt: a browser never attaches
an Authorization header by itself.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request

from auction.auth import COOKIE
from auction.errors import ApiError
from auction.security import same_origin

HEADER = "x-csrf-token"
FIELD = "csrf"


def token_for_session(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()[:40]


def token(request: Request, session_token: str | None = None) -> str:
    """The token to embed in this session's forms ('' when there is no session yet)."""
    sid = session_token or request.cookies.get(COOKIE)
    return token_for_session(request.app.state.settings.secret_key, sid) if sid else ""


def _refuse(en: str) -> ApiError:
    return ApiError(403, "csrf_failed", "คำขอไม่ผ่านการตรวจสอบความปลอดภัย กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง", en)


def check(request: Request, submitted: str | None = None) -> None:
    """Refuse a cross-site unsafe request. `submitted` is the form field, if the body was a form."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    origin = request.headers.get("origin")
    if origin and not same_origin(request, origin):
        raise _refuse("Cross-site request refused")
    sid = request.cookies.get(COOKIE)
    if not sid:
        return
    given = submitted or request.headers.get(HEADER) or ""
    if not hmac.compare_digest(given, token(request)):
        raise _refuse("Missing or wrong CSRF token")
