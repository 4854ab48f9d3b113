"""API errors: an HTTP status, a stable machine `code`, and the message in Thai and English."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


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


async def api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    retry = exc.extra.get("retry_after")
    headers = {"Retry-After": str(retry)} if retry is not None else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    messages = {
        404: ("not_found", "ไม่พบหน้าที่ต้องการ", "Not found"),
        405: ("method_not_allowed", "ไม่รองรับวิธีเรียกนี้", "Method not allowed"),
    }
    code, th, en = messages.get(exc.status_code, ("http_error", "คำขอไม่ถูกต้อง", str(exc.detail)))
    return JSONResponse(
        {"error": {"code": code, "message": {"th": th, "en": en}}}, status_code=exc.status_code
    )


async def server_error_handler(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "internal", "message": {"th": "ระบบขัดข้อง", "en": "Internal error"}}},
        status_code=500,
    )
