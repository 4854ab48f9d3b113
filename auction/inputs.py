"""One validation layer in front of every HTTP endpoint (issue 18): what no handler should have to
defend against on its own is refused here, before routing, authentication or a database query, as a
400/413 with the stable JSON error. docs/security.md, bad input lists the limits and why.

- the path and every query parameter: no NUL byte (PostgreSQL refuses it in text: a 500), at most
  MAX_QUERY_VALUE characters (a LIKE pattern or a fuzzy name match costs what it is long);
- a JSON body: at most MAX_BODY bytes, nesting at most MAX_DEPTH (counted on the bytes before parsing:
  Python's parser recurses and dies of a RecursionError on deep input), integers within 64 bits,
  no NaN/Infinity, numbers of at most MAX_NUMBER_CHARS characters, strings of at most MAX_FIELD
  characters without NUL;
- a form body: the same size, field length and NUL rules.
The parsed JSON is left in the scope, so the handler does not parse it again (auction.registration_api).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from auction.errors import ApiError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_QUERY_VALUE = 256  # characters of one query parameter (a case number is 60, a name far less)
# A page to return to after login is itself a URL, whose search query (Thai names, percent-encoded
# nine characters each) can outgrow the general limit.
LONG_QUERY_VALUES = {"next": 2048}
MAX_FIELD = 4000  # characters of one JSON or form field (a reason or a comment)
MAX_BODY = 64 * 1024  # bytes of a JSON or form body: every body here is a handful of short fields
MAX_DEPTH = 8  # every body here is a flat object; a little room for future nesting
MAX_NUMBER_CHARS = 40  # a JSON number's characters: more is not a price, an id or a score
MAX_INT = 2**63 - 1  # the database's BIGINT
SCOPE_JSON = "auction.json"

# Human labels for parameters and fields, so no message shows an internal name (issue 19).
LABELS: dict[str, tuple[str, str]] = {
    "q": ("คำค้นหา", "search text"),
    "red": ("หมายเลขคดีแดง", "red case number"),
    "prefix": ("อักษรนำหน้าคดี", "case prefix"),
    "number": ("เลขคดี", "case number"),
    "year": ("ปีคดี", "case year"),
    "province": ("จังหวัด", "province"),
    "district": ("อำเภอ/เขต", "district"),
    "tambon": ("ตำบล/แขวง", "subdistrict"),
    "office": ("สำนักงาน", "office"),
    "type": ("ประเภททรัพย์", "property type"),
    "price_min": ("ราคาต่ำสุด", "minimum price"),
    "price_max": ("ราคาสูงสุด", "maximum price"),
    "price": ("ราคา", "price"),
    "area_min": ("เนื้อที่ต่ำสุด", "minimum area"),
    "area_max": ("เนื้อที่สูงสุด", "maximum area"),
    "area": ("เนื้อที่", "area"),
    "date_from": ("ตั้งแต่วันที่", "from date"),
    "date_to": ("ถึงวันที่", "to date"),
    "date": ("วันที่", "date"),
    "encumbrance": ("ภาระผูกพัน", "encumbrance"),
    "occupancy": ("ผู้ครอบครอง", "occupancy"),
    "sort": ("การเรียงลำดับ", "sort order"),
    "lat": ("ละติจูด", "latitude"),
    "lon": ("ลองจิจูด", "longitude"),
    "near": ("ตำแหน่ง", "location"),
    "radius": ("รัศมี", "radius"),
    "line": ("สายรถไฟฟ้า", "rail line"),
    "station": ("สถานี", "station"),
    "page": ("หน้า", "page"),
    "per_page": ("จำนวนต่อหน้า", "results per page"),
    "email": ("อีเมล", "e-mail"),
    "password": ("รหัสผ่าน", "password"),
    "display_name": ("ชื่อที่แสดง", "display name"),
    "name": ("ชื่อ", "name"),
    "id_no": ("เลขประจำตัว", "identity number"),
    "reason": ("เหตุผล", "reason"),
    "reference": ("เลขอ้างอิง", "reference"),
    "method": ("วิธีชำระ", "payment method"),
    "comment": ("ความเห็น", "comment"),
    "score": ("คะแนน", "score"),
    "round_id": ("นัดขาย", "sale round"),
    "full_name": ("ชื่อ-นามสกุล", "full name"),
    "address": ("ที่อยู่", "address"),
    "phone": ("เบอร์โทรศัพท์", "phone number"),
    "kind": ("ประเภทผู้ซื้อ", "buyer type"),
    "id_kind": ("ประเภทบัตร", "identity document type"),
    "juristic_no": ("เลขทะเบียนนิติบุคคล", "company registration number"),
    "affidavit_date": ("วันที่หนังสือรับรอง", "affidavit date"),
    "province_code": ("จังหวัด", "province"),
    "district_code": ("อำเภอ/เขต", "district"),
    "bank_name": ("ธนาคาร", "bank"),
    "bank_account_no": ("เลขที่บัญชี", "bank account number"),
    "bank_account_name": ("ชื่อบัญชี", "bank account name"),
    "due_date": ("วันครบกำหนด", "due date"),
    "proxy_principal_name": ("ชื่อผู้มอบอำนาจ", "principal's name"),
    "proxy_principal_id": ("เลขประจำตัวผู้มอบอำนาจ", "principal's identity number"),
    "setoff": ("ขอหักส่วนได้ใช้แทน", "set-off"),
    "service": ("บริการ", "service"),
    "subject_id": ("หัวข้อที่ประเมิน", "rated item"),
    "outcome": ("ผลการขาย", "outcome"),
    "reason_code": ("เหตุผล", "reason"),
    "reason_text": ("รายละเอียดเหตุผล", "reason details"),
    "winner_bidder_no": ("หมายเลขผู้ประมูล", "bidder number"),
    "sold_price": ("ราคาที่ขายได้", "sale price"),
    "bidder_count": ("จำนวนผู้เข้าประมูล", "number of bidders"),
    "next": ("หน้าถัดไป", "next page"),
    "csrf": ("รหัสป้องกันการปลอมคำขอ", "form token"),
}
# Fields read as text by some service; a field nobody reads is dropped unless it is text.
TEXT_FIELDS = frozenset(LABELS) - {"page", "per_page"}


# JSON fields that may be sent as numbers or flags; every other field of a body is text.
NUMBER_FIELDS = frozenset({"round_id", "subject_id", "score", "sold_price", "winner_bidder_no",
                           "bidder_count", "office", "lot_id", "sale_id", "reg_id"})  # fmt: skip
FLAG_FIELDS = frozenset({"setoff", "efiled"})


def label(name: str) -> tuple[str, str]:
    """(Thai, English) for a parameter; an unknown one is called by its position, never its key."""
    return LABELS.get(name, ("ข้อมูลที่ส่งมา", "a field"))


def _refuse(status: int, code: str, th: str, en: str, name: str | None = None) -> ApiError:
    extra = {"param": name} if name is not None else {}
    return ApiError(status, code, th, en, **extra)


def too_long(name: str, limit: int) -> ApiError:
    th, en = label(name)
    return _refuse(400, "text_too_long", f"{th} ยาวเกิน {limit:,} ตัวอักษร",
                   f"{en.capitalize()} is longer than {limit:,} characters", name)  # fmt: skip


def nul_byte(name: str | None) -> ApiError:
    th, en = label(name or "")
    return _refuse(400, "bad_text", f"{th} มีอักขระควบคุม (NUL) ที่ไม่อนุญาต",
                   f"{en.capitalize()} contains a NUL character, which is not allowed", name)  # fmt: skip


def number_too_large(name: str | None) -> ApiError:
    th, en = label(name or "")
    return _refuse(400, "number_too_large", f"{th} เป็นตัวเลขที่ใหญ่หรือยาวเกินไป",
                   f"{en.capitalize()} is a number too large or too long", name)  # fmt: skip


def wrong_type(name: str, value: Any) -> ApiError:
    th, en = label(name)
    if name in NUMBER_FIELDS:
        want_th, want_en = "ตัวเลขจำนวนเต็ม", "a whole number"
    elif name in FLAG_FIELDS:
        want_th, want_en = "ค่าจริง/เท็จ", "true or false"
    else:
        want_th, want_en = "ข้อความ", "text"
    return _refuse(
        400, "bad_field_type", f"{th} ต้องเป็น{want_th}", f"{en.capitalize()} must be {want_en}", name
    )


def check_text(name: str, value: str, limit: int) -> None:
    if "\x00" in value:
        raise nul_byte(name)
    if len(value) > limit:
        raise too_long(name, limit)


def check_query(scope: Scope) -> None:
    if "\x00" in scope.get("path", ""):
        raise nul_byte(None)
    raw = scope.get("query_string", b"")
    if not raw:
        return
    # The same parse as Starlette's QueryParams, so what is checked is what handlers see.
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or len(name) > 64:
            raise nul_byte(None) if "\x00" in name else too_long("", 64)
        check_text(name, value, LONG_QUERY_VALUES.get(name, MAX_QUERY_VALUE))


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """Nesting depth, counted on the bytes: strings removed, then only brackets kept (cheap, and
    it never recurses, unlike the parser it protects)."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for b in brackets:
        if b in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _bad_json(en: str = "Body is not valid JSON") -> ApiError:
    return ApiError(400, "bad_json", "ข้อมูลไม่ใช่ JSON ที่ถูกต้อง", en)


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise number_too_large(None)
    value = int(text)
    if abs(value) > MAX_INT:
        raise number_too_large(None)
    return value


def _float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise number_too_large(None)
    return value


def _constant(text: str) -> Any:
    raise _bad_json(f"{text} is not allowed in JSON")


def _check_values(value: Any, name: str | None) -> None:
    if isinstance(value, str):
        check_text(name or "", value, MAX_FIELD)
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text("", k, 64)
            _check_values(v, k if name is None else name)
    elif isinstance(value, list):
        for v in value:
            _check_values(v, name)


def parse_json(body: bytes) -> Any:
    if json_depth(body) > MAX_DEPTH:
        raise ApiError(400, "json_too_deep", f"ข้อมูล JSON ซ้อนกันเกิน {MAX_DEPTH} ชั้น",
                       f"JSON nested deeper than {MAX_DEPTH} levels")  # fmt: skip
    try:
        data = json.loads(body, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except ApiError:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise _bad_json() from exc
    _check_values(data, None)
    return data


def check_form(body: bytes) -> None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_form", "ข้อมูลฟอร์มไม่ถูกต้อง", "Form data is not UTF-8") from exc
    for name, value in parse_qsl(text, keep_blank_values=True):
        check_text(name, value, MAX_FIELD)


async def _error(send: Send, exc: ApiError) -> None:
    body = json.dumps(exc.body(), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": exc.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class InputGuard:
    """Pure ASGI (not BaseHTTPMiddleware): it must read the body once and hand it on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            check_query(scope)
        except ApiError as exc:
            if scope["type"] == "websocket":  # no HTTP answer before the handshake: refuse it
                await send({"type": "websocket.close", "code": 1008})
                return
            await _error(send, exc)
            return
        if scope["type"] == "websocket" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        ctype = dict(scope.get("headers") or []).get(b"content-type", b"").decode("latin-1").lower()
        kind = (
            "json" if ctype.startswith("application/json")
            else "form" if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
            else None
        )  # fmt: skip
        if kind is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:  # ends: the client's body ends, or MAX_BODY is passed
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                await _error(send, ApiError(413, "body_too_large", f"ข้อมูลที่ส่งมาเกิน {MAX_BODY // 1024} KB",
                                            f"Body larger than {MAX_BODY // 1024} KB"))  # fmt: skip
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            if kind == "json":
                scope[SCOPE_JSON] = parse_json(body) if body.strip() else None
            elif ctype.startswith("multipart/"):
                if b"\x00" in body:  # no uploads exist: a NUL is never a legitimate form value
                    raise nul_byte(None)
            else:
                check_form(body)
        except ApiError as exc:
            await _error(send, exc)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
