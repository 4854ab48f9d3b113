"""The room's wire protocol (docs/protocol.md): parsing client frames into commands, and the
messages the server sends. Pure: no I/O, no clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from auction.thai import parse_int

VERSION = 1
MAX_KEY = 64
MAX_REASON = 500

# Why a lot is suspended (งดขาย), as LED records it (shared/domain.md).
SUSPEND_REASONS = frozenset(
    {"plaintiff_request", "court_order", "improper_notice", "party_died", "officer", "other"}
)
OFFICER_TYPES = frozenset(
    {"open_lot", "set_increment", "floor_bid", "count", "hammer", "pass", "suspend", "undo"}
)
CLIENT_TYPES = frozenset({"join", "bid", "ping"}) | OFFICER_TYPES

MESSAGES: dict[str, tuple[str, str]] = {
    "bid_too_low": ("ราคาเสนอต่ำกว่าขั้นต่ำ", "Bid below the minimum"),
    "already_highest": ("ท่านเป็นผู้เสนอราคาสูงสุดอยู่แล้ว", "You already hold the highest bid"),
    "lot_not_open": ("ยังไม่เปิดประมูลรายการนี้", "This lot is not open for bidding"),
    "lot_closed": ("ปิดการประมูลรายการนี้แล้ว", "Bidding on this lot has closed"),
    "not_approved": ("ท่านยังไม่ได้รับอนุมัติให้เสนอราคารายการนี้ (ต้องวางหลักประกัน)",
                     "You are not approved to bid on this lot (deposit required)"),
    "bidder_barred": ("ท่านถูกระงับสิทธิการเสนอราคา", "You are barred from bidding"),
    "led_staff_cannot_bid": ("เจ้าหน้าที่กรมบังคับคดีเสนอราคาไม่ได้", "LED staff cannot bid"),
    "conducting_officer_cannot_bid": ("เจ้าพนักงานผู้ดำเนินการขายเสนอราคาไม่ได้", "The conducting officer cannot bid"),
    "login_required": ("กรุณาเข้าสู่ระบบ", "Please log in"),
    "officer_only": ("เฉพาะเจ้าพนักงานบังคับคดี", "Officers only"),
    "wrong_office": ("ไม่ใช่เจ้าหน้าที่ของสำนักงานนี้", "Not an officer of this office"),
    "bad_message": ("รูปแบบข้อความไม่ถูกต้อง", "Malformed message"),
    "unknown_type": ("ไม่รู้จักประเภทข้อความ", "Unknown message type"),
    "bad_version": ("เวอร์ชันโปรโตคอลไม่รองรับ", "Unsupported protocol version"),
    "not_joined": ("ต้องส่ง join ก่อน", "Send join first"),
    "frame_too_large": ("ข้อความยาวเกินกำหนด", "Frame too large"),
    "rate_limited": ("ส่งข้อความถี่เกินไป", "Too many messages"),
    "round_not_in_room": ("รายการนี้ไม่ได้ขายในห้องนี้", "This lot is not sold in this room"),
    "round_not_scheduled": ("รายการนี้ไม่อยู่ในสถานะรอขาย", "This lot is not scheduled for sale"),
    "another_lot_open": ("มีรายการอื่นเปิดประมูลอยู่", "Another lot is open"),
    "count_out_of_order": ("นับไม่ตามลำดับ 1-2-3", "Count must go 1, 2, 3"),
    "count_not_finished": ("ต้องนับครบ 3 ก่อนเคาะไม้", "Count to three before the hammer"),
    "has_bids": ("มีผู้เสนอราคาแล้ว ใช้การเคาะไม้แทน", "There are bids: hammer instead"),
    "no_bids": ("ยังไม่มีผู้เสนอราคา", "No bids yet"),
    "nothing_to_undo": ("ไม่มีราคาให้ยกเลิก", "No bid to undo"),
    "reason_required": ("ต้องระบุเหตุผล", "A reason is required"),
    "bad_increment": ("ขั้นเพิ่มราคาไม่ถูกต้อง", "Invalid increment"),
    "bad_reason_code": ("เหตุงดขายไม่ถูกต้อง", "Unknown suspension reason"),
    "internal": ("ระบบขัดข้อง ไม่มีการบันทึก กรุณาส่งใหม่", "Server error: nothing was recorded, send again"),
    "unknown_paddle": ("ไม่พบหมายเลขผู้เสนอราคาที่อนุมัติสำหรับรายการนี้", "No approved paddle with that number for this lot"),
    "too_slow": ("การเชื่อมต่อช้าเกินไป กรุณาเชื่อมต่อใหม่", "Connection too slow: reconnect to catch up"),
    "idle": ("ไม่มีการตอบสนอง", "Connection idle"),
    "flood": ("ส่งข้อความถี่เกินไป", "Flooding"),
    "server_shutdown": ("ระบบกำลังปิดปรับปรุง", "Server shutting down"),
    "bad_origin": ("ไม่อนุญาตการเชื่อมต่อจากเว็บไซต์อื่น", "Cross-site connection refused"),
    "room_not_found": ("ไม่พบห้องประมูล", "No such room"),
    "db_unavailable": ("ระบบฐานข้อมูลไม่ตอบสนอง ไม่มีการบันทึก กำลังส่งใหม่", "The database did not answer: nothing was recorded, sending again"),
    "too_many_connections": ("เชื่อมต่อจากที่อยู่นี้มากเกินไป", "Too many connections from this address"),
    "room_full": ("ห้องประมูลเต็ม กรุณาลองใหม่ภายหลัง", "The room is full: try again later"),
    "not_on_floor": ("หมายเลขนี้ลงทะเบียนเสนอราคาออนไลน์ ไม่ได้อยู่ในห้องประมูล", "This paddle is registered to bid online, not on the floor"),
    "bid_too_high": ("ราคาเสนอสูงเกินกว่าที่ระบบรับได้", "Bid too far above the current price"),
    "confirm_required": ("ราคาเสนอสูงกว่าราคาปัจจุบันมาก กรุณายืนยัน", "Bid far above the current price: confirm it"),
}  # fmt: skip


def message(code: str) -> dict[str, str]:
    th, en = MESSAGES.get(code, (code, code))
    return {"th": th, "en": en}


class ProtocolError(Exception):
    def __init__(self, code: str, ref: str | None = None, **extra: Any) -> None:
        super().__init__(code)
        self.code, self.ref, self.extra = code, ref, extra


@dataclass(frozen=True)
class Command:
    type: str
    data: dict[str, Any]


def _int(
    data: dict[str, Any], field: str, *, required: bool = True, lo: int = 0, hi: int = 10**12
) -> int | None:
    raw = data.get(field)
    if raw is None:
        if required:
            raise ProtocolError("bad_message", field)
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or (isinstance(raw, str) and len(raw) > 40):
        raise ProtocolError("bad_message", field)
    value = parse_int(raw)
    if value is None or not lo <= value <= hi:
        raise ProtocolError("bad_message", field)
    return value


def _str(data: dict[str, Any], field: str, *, required: bool = True, max_len: int = MAX_REASON) -> str | None:
    raw = data.get(field)
    if raw is None or raw == "":
        if required:
            raise ProtocolError("reason_required" if field == "reason" else "bad_message", field)
        return None
    # NUL: PostgreSQL refuses it in text, so it would fail the command as a server error.
    if not isinstance(raw, str) or len(raw) > max_len or "\x00" in raw or not _encodable(raw):
        raise ProtocolError("bad_message", field)
    return raw.strip()


def _encodable(text: str) -> bool:
    """JSON may carry lone surrogates (\\ud800) that no UTF-8 frame can: echoed back (a bid's key,
    an unknown type) they would break the socket's writer, not the message."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python accepts them, browsers do not


def _bool(data: dict[str, Any], field: str) -> bool:
    raw = data.get(field, False)
    if not isinstance(raw, bool):
        raise ProtocolError("bad_message", field)
    return raw


def parse(frame: str | bytes) -> Command:
    """One client frame -> Command, or ProtocolError with a stable code."""
    try:
        # RecursionError: a frame nested a thousand deep (it fits in 4 KiB) must stay a bad message.
        data = json.loads(frame, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError("bad_message") from exc
    if not isinstance(data, dict):
        raise ProtocolError("bad_message")
    kind = data.get("type")
    if not isinstance(kind, str) or not _encodable(kind):
        raise ProtocolError("bad_message", "type")
    if kind not in CLIENT_TYPES:
        raise ProtocolError("unknown_type", kind[:40])
    if data.get("v", VERSION) != VERSION:
        raise ProtocolError("bad_version", kind)
    out: dict[str, Any] = {}
    if kind == "join":
        out["last_seq"] = _int(data, "last_seq", required=False, hi=2**31)
        out["token"] = _str(data, "token", required=False, max_len=100)
    elif kind == "bid":
        out["amount"] = _int(data, "amount", lo=1)
        out["key"] = _str(data, "key", max_len=MAX_KEY)
        out["confirm"] = _bool(data, "confirm")
    elif kind == "ping":
        t = data.get("t")
        out["t"] = t if isinstance(t, (int, float)) and not isinstance(t, bool) else None
    elif kind == "open_lot":
        out["round_id"] = _int(data, "round_id", lo=1, hi=2**31)
        out["increment"] = _int(data, "increment", required=False, lo=1)
    elif kind == "set_increment":
        out["amount"] = _int(data, "amount", lo=1)
    elif kind == "floor_bid":
        out["paddle"] = _int(data, "paddle", lo=1, hi=10**6)
        out["amount"] = _int(data, "amount", lo=1)
        out["key"] = _str(data, "key", max_len=MAX_KEY)
        out["confirm"] = _bool(data, "confirm")
    elif kind == "count":
        n = _int(data, "n", lo=1, hi=3)
        out["n"] = n
    elif kind == "suspend":
        out["reason_code"] = _str(data, "reason_code", max_len=40)
        if out["reason_code"] not in SUSPEND_REASONS:
            raise ProtocolError("bad_reason_code", "reason_code")
        out["reason"] = _str(data, "reason", required=False)
    elif kind == "undo":
        out["reason"] = _str(data, "reason")
    return Command(kind, out)


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps({"v": VERSION, **obj}, ensure_ascii=False, separators=(",", ":"), default=str)


def error(code: str, ref: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "error", "code": code, "message": message(code)}
    if ref:
        out["ref"] = ref
    out.update(extra)
    return out
