"""How a buyer pays an office: the deposit after pre-registering and, for a winner, the balance.

The office's account, venue and times are configuration (auction/data/office_payment.json, DEMO
values, shown as such on every page that uses them). The PromptPay QR is the Thai QR Code standard's
bill payment (EMVCo merchant-presented, tag 30): the amount and our reference travel with the
transfer, so the officer can match a slip to a registration. Pure functions; no I/O but the file.
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import segno

CONFIG = Path(__file__).with_name("data") / "office_payment.json"
BILL_PAYMENT_AID = "A000000677010112"  # Thai QR Code standard: PromptPay bill payment
THB = "764"


@dataclass(frozen=True)
class OfficePayment:
    bank: dict[str, str]
    account_no: str
    account_name: dict[str, str]
    biller_id: str
    payable_to: dict[str, str]
    address: dict[str, str]
    sale_room: dict[str, str]
    phone: str
    sale_start: str
    counter_opens: str
    transfer_cutoff: str
    transfer_days_before: int
    demo: bool


@cache
def _config() -> dict[str, Any]:
    return json.loads(CONFIG.read_text(encoding="utf-8"))


def office_payment(code: str, name_th: str, name_en: str) -> OfficePayment:
    cfg = _config()
    raw = {**cfg["default"], **cfg.get("offices", {}).get(code, {})}

    def pair(key: str) -> dict[str, str]:
        return {"th": raw[f"{key}_th"].format(office=name_th), "en": raw[f"{key}_en"].format(office=name_en)}

    return OfficePayment(
        bank=pair("bank"), account_no=raw["account_no"], account_name=pair("account_name"),
        biller_id=raw["biller_id"], payable_to=pair("payable_to"), address=pair("address"),
        sale_room=pair("sale_room"), phone=raw["phone"], sale_start=raw["sale_start"],
        counter_opens=raw["counter_opens"], transfer_cutoff=raw["transfer_cutoff"],
        transfer_days_before=int(raw["transfer_days_before"]), demo=bool(cfg.get("demo")),
    )  # fmt: skip


def deposit_reference(registration_id: int) -> str:
    """What the buyer writes on a transfer or cheque and the QR carries: D + the registration id."""
    return f"D{registration_id:08d}"


def balance_reference(sale_id: int) -> str:
    return f"S{sale_id:08d}"


def transfer_deadline(sale_date: dt.date, office: OfficePayment) -> dt.date:
    """The last day a transfer is accepted: working days before the sale, so an officer can see it
    and confirm the deposit before the round opens (weekends skipped; holidays are not known here)."""
    day, left = sale_date, office.transfer_days_before
    while left > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMV field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as the EMV QR standard asks, in 4 hex digits."""
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


_REF = re.compile(r"^[A-Z0-9]{1,20}$")


def promptpay_bill_payload(biller_id: str, amount: int | float, ref1: str, ref2: str | None = None) -> str:
    """EMVCo payload of a PromptPay bill payment for a fixed amount with our reference(s)."""
    if not re.fullmatch(r"\d{15}", biller_id):
        raise ValueError("a biller id is 15 digits (tax id + 2-digit suffix)")
    for ref in (ref1, ref2):
        if ref is not None and not _REF.match(ref):
            raise ValueError("references are 1-20 upper-case letters or digits")
    if amount <= 0:
        raise ValueError("the amount must be positive")
    merchant = _tlv("00", BILL_PAYMENT_AID) + _tlv("01", biller_id) + _tlv("02", ref1)
    if ref2:
        merchant += _tlv("03", ref2)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")  # dynamic: this QR is for one payment of one amount
        + _tlv("30", merchant)
        + _tlv("53", THB)
        + _tlv("54", f"{amount:.2f}")
        + _tlv("58", "TH")
        + "6304"
    )
    return body + crc16(body)


def qr_svg(payload: str, title: str) -> str:
    """Inline SVG (no image request, nothing from outside), labelled for screen readers."""
    svg = segno.make(payload, error="m").svg_inline(scale=5, border=4, title=title, svgclass="qr")
    return svg.replace("<svg ", '<svg role="img" ', 1)
