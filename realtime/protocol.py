"""The room's wire protocol (docs/protocol.md): its vocabulary in one place.

Owns: the states a lot and a room go through, the shape of every frame in both directions
(TypedDicts), how each client command's fields are parsed (one parse function per command; the
table that ties a command to its parser, its sender, its batching and its handler is
`realtime.service.COMMANDS`), and the builders of every message the server sends to one socket
(receipts, `you`, errors, closing, pong), so that each is shaped in exactly one place.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, NotRequired, Protocol, TypedDict, cast, get_args

from auction.thai import parse_int

VERSION = 1
MAX_KEY = 64
MAX_REASON = 500


class LotState(StrEnum):
    """SaleRound.live_state: where a lot stands in the room."""

    IDLE = "idle"  # not opened yet
    OPEN = "open"
    HAMMERED = "hammered"
    PASSED = "passed"  # no bidder
    SUSPENDED = "suspended"  # งดขาย


ENDED = frozenset({LotState.HAMMERED, LotState.PASSED})  # a command on these is `lot_closed`
CLOSED = frozenset({LotState.HAMMERED, LotState.PASSED, LotState.SUSPENDED})  # its ladder is public


class RoomStatus(StrEnum):
    """Room.status."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


# SaleRound.status (auction's vocabulary) of a lot still waiting for its sale: the only one a room opens.
ROUND_SCHEDULED = "scheduled"


class Channel(StrEnum):
    """How a bid reached the room: a phone, or a paddle raised on the floor and typed by the officer."""

    REMOTE = "remote"
    FLOOR = "floor"


# The client's message types; each has its one entry in realtime.service.COMMANDS.
CommandType = Literal[
    "join",
    "bid",
    "ping",
    "open_lot",
    "set_increment",
    "floor_bid",
    "count",
    "hammer",
    "pass",
    "suspend",
    "undo",
]
CLIENT_TYPES: frozenset[str] = frozenset(get_args(CommandType))
Who = Literal["anyone", "bidder", "officer"]
Role = Literal["public", "buyer", "officer", "admin"]
# Why a lot is suspended (งดขาย), as LED records it (shared/domain.md).
SuspendReason = Literal[
    "plaintiff_request", "court_order", "improper_notice", "party_died", "officer", "other"
]
SUSPEND_REASONS: frozenset[str] = frozenset(get_args(SuspendReason))

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


def message(code: str) -> Text:
    th, en = MESSAGES.get(code, (code, code))
    return {"th": th, "en": en}


class ProtocolError(Exception):
    def __init__(self, code: str, ref: str | None = None, **extra: Any) -> None:
        super().__init__(code)
        self.code, self.ref, self.extra = code, ref, extra


# --- client -> server ---------------------------------------------------------------------------
# What each command's parser returns: the fields of its frame, checked and normalised.


class JoinData(TypedDict):
    last_seq: int | None
    token: str | None


class PingData(TypedDict):
    t: int | float | None


class BidData(TypedDict):
    amount: int
    key: str
    confirm: bool


class FloorBidData(BidData):
    paddle: int


class OpenLotData(TypedDict):
    round_id: int
    increment: int | None


class SetIncrementData(TypedDict):
    amount: int


class CountData(TypedDict):
    n: int


class SuspendData(TypedDict):
    reason_code: SuspendReason
    reason: str | None


class UndoData(TypedDict):
    reason: str


class NoData(TypedDict):
    """hammer, pass: the type is the whole command."""


@dataclass(frozen=True)
class Command:
    type: str  # one of CLIENT_TYPES
    data: Mapping[str, Any]  # what COMMANDS[type].parse returned (the TypedDicts above)


class Spec(Protocol):
    """What the parser needs of a command's entry in the registry (realtime.service.CommandSpec)."""

    @property
    def parse(self) -> Callable[[dict[str, Any]], Mapping[str, Any]]: ...


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


def _req_int(data: dict[str, Any], field: str, *, lo: int = 0, hi: int = 10**12) -> int:
    value = _int(data, field, lo=lo, hi=hi)
    assert value is not None  # required: _int raised otherwise
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


def _req_str(data: dict[str, Any], field: str, *, max_len: int = MAX_REASON) -> str:
    value = _str(data, field, max_len=max_len)
    assert value is not None  # required: _str raised otherwise
    return value


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


def parse_join(data: dict[str, Any]) -> JoinData:
    return {"last_seq": _int(data, "last_seq", required=False, hi=2**31),
            "token": _str(data, "token", required=False, max_len=100)}  # fmt: skip


def parse_ping(data: dict[str, Any]) -> PingData:
    t = data.get("t")
    return {"t": t if isinstance(t, (int, float)) and not isinstance(t, bool) else None}


def parse_bid(data: dict[str, Any]) -> BidData:
    return {"amount": _req_int(data, "amount", lo=1), "key": _req_str(data, "key", max_len=MAX_KEY),
            "confirm": _bool(data, "confirm")}  # fmt: skip


def parse_floor_bid(data: dict[str, Any]) -> FloorBidData:
    paddle = _req_int(data, "paddle", lo=1, hi=10**6)
    return {"paddle": paddle, **parse_bid(data)}


def parse_open_lot(data: dict[str, Any]) -> OpenLotData:
    return {"round_id": _req_int(data, "round_id", lo=1, hi=2**31),
            "increment": _int(data, "increment", required=False, lo=1)}  # fmt: skip


def parse_set_increment(data: dict[str, Any]) -> SetIncrementData:
    return {"amount": _req_int(data, "amount", lo=1)}


def parse_count(data: dict[str, Any]) -> CountData:
    return {"n": _req_int(data, "n", lo=1, hi=3)}


def parse_suspend(data: dict[str, Any]) -> SuspendData:
    code = _req_str(data, "reason_code", max_len=40)
    if code not in SUSPEND_REASONS:
        raise ProtocolError("bad_reason_code", "reason_code")
    return {"reason_code": code, "reason": _str(data, "reason", required=False)}  # type: ignore[typeddict-item]


def parse_undo(data: dict[str, Any]) -> UndoData:
    return {"reason": _req_str(data, "reason")}


def parse_nothing(data: dict[str, Any]) -> NoData:
    return {}


def parse(frame: str | bytes, commands: Mapping[str, Spec]) -> Command:
    """One client frame -> Command, or ProtocolError with a stable code. `commands`: the registry
    (realtime.service.COMMANDS): a type it does not hold is `unknown_type`."""
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
    spec = commands.get(kind)
    if spec is None:
        raise ProtocolError("unknown_type", kind[:40])
    if data.get("v", VERSION) != VERSION:
        raise ProtocolError("bad_version", kind)
    return Command(kind, spec.parse(data))


# --- server -> one socket -----------------------------------------------------------------------


class Text(TypedDict):
    th: str
    en: str


class Error(TypedDict):
    type: Literal["error"]
    code: str
    message: Text
    ref: NotRequired[str]


class Closing(TypedDict):
    type: Literal["closing"]
    code: str
    message: Text


class Pong(TypedDict):
    type: Literal["pong"]
    t: int | float | None
    server_time: str


class You(TypedDict):
    type: NotRequired[Literal["you"]]  # inside a snapshot it is the `you` field, without a type
    role: str
    user_id: int | None
    bidder_no: int | None
    can_bid: bool
    reason: str | None  # why can_bid is false (a refusal code), else None


class Receipt(TypedDict):
    """The answer to every bid and floor bid, carrying its idempotency key."""

    type: Literal["receipt"]
    key: str | None
    status: Literal["accepted", "rejected"]
    # accepted
    seq: NotRequired[int]
    at: NotRequired[str]
    amount: NotRequired[int]
    bid_id: NotRequired[int]
    duplicate: NotRequired[bool]  # the key was used before: the original receipt, nothing changed
    # rejected
    code: NotRequired[str]
    message: NotRequired[Text]
    min_amount: NotRequired[int]
    max_amount: NotRequired[int]
    ratio: NotRequired[float]


def dumps(obj: Mapping[str, Any]) -> str:
    return json.dumps({"v": VERSION, **obj}, ensure_ascii=False, separators=(",", ":"), default=str)


def error(code: str, ref: str | None = None, **extra: Any) -> Error:
    out: dict[str, Any] = {"type": "error", "code": code, "message": message(code)}
    if ref:
        out["ref"] = ref
    out.update(extra)
    return out  # type: ignore[return-value]


def closing(code: str) -> Closing:
    return {"type": "closing", "code": code, "message": message(code)}


def pong(t: int | float | None, server_time: str) -> Pong:
    return {"type": "pong", "t": t, "server_time": server_time}


def you(role: str, user_id: int | None, bidder_no: int | None, reason: str | None) -> You:
    return {
        "role": role,
        "user_id": user_id,
        "bidder_no": bidder_no,
        "can_bid": reason is None,
        "reason": reason,
    }


def accepted(key: str, seq: int, at: str, amount: int, bid_id: int, *, duplicate: bool = False) -> Receipt:
    out: Receipt = {"type": "receipt", "key": key, "status": "accepted"}
    if duplicate:
        out["duplicate"] = True
    out["seq"], out["at"], out["amount"], out["bid_id"] = seq, at, amount, bid_id
    return out


def rejected(key: str | None, exc: ProtocolError) -> Receipt:
    out: dict[str, Any] = {"type": "receipt", "key": key, "status": "rejected", "code": exc.code,
                           "message": message(exc.code), **exc.extra}  # fmt: skip
    return cast(Receipt, out)
