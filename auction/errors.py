"""API errors: an HTTP status, a stable machine `code`, and the message in Thai and English."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, th: str, en: str, **extra: Any) -> None:
        super().__init__(f"{code}: {en}")
        self.status, self.code, self.th, self.en, self.extra = status, code, th, en, extra

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": {"th": self.th, "en": self.en}, **self.extra}}


def not_found(what_th: str, what_en: str, code: str = "not_found") -> ApiError:
    return ApiError(404, code, f"ไม่พบ{what_th}", f"{what_en} not found")


def bad_param(name: str, th: str, en: str, code: str = "bad_parameter") -> ApiError:
    return ApiError(400, code, th, en, param=name)


def wants_html(request: Request) -> bool:
    """A page request from a browser: not the API, and an Accept that names HTML. API clients,
    `fetch()` (Accept: */*) and anything asking for JSON keep the JSON body."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept or "application/xhtml+xml" in accept


def error_page(
    request: Request, status: int, code: str, th: str, en: str, headers: dict[str, str] | None = None
) -> Response:
    """The error in the site's layout, in the visitor's language. Rendering must not fail in turn:
    a broken template or header falls back to a bare page with the same status."""
    try:
        from auction.web import render

        page = render(
            request, "error.html", status_code=status, status=status, code=code, detail={"th": th, "en": en}
        )
        page.headers.update(headers or {})
        return page
    except Exception:  # noqa: BLE001 - this is the last handler; a second failure must still answer
        log.exception("error page failed to render")
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1><p><a href='/'>/</a></p>",
                            status_code=status)  # fmt: skip


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    retry = exc.extra.get("retry_after")
    headers = {"Retry-After": str(retry)} if retry is not None else None
    if wants_html(request):
        return error_page(request, exc.status, exc.code, exc.th, exc.en, headers=headers)
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    messages = {
        404: ("not_found", "ไม่พบหน้าที่ต้องการ", "Page not found"),
        405: ("method_not_allowed", "ไม่รองรับวิธีเรียกนี้", "Method not allowed"),
    }
    code, th, en = messages.get(exc.status_code, ("http_error", "คำขอไม่ถูกต้อง", str(exc.detail)))
    if wants_html(request):
        return error_page(request, exc.status_code, code, th, en, getattr(exc, "headers", None))
    return JSONResponse(
        {"error": {"code": code, "message": {"th": th, "en": en}}},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def server_error_handler(request: Request, exc: Exception) -> Response:
    th, en = "ระบบขัดข้อง", "Internal error"
    if wants_html(request):
        return error_page(request, 500, "internal", th, en)
    return JSONResponse({"error": {"code": "internal", "message": {"th": th, "en": en}}}, status_code=500)
