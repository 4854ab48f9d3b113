"""Identity numbers typed by people: Thai national ID (mod-11 check digit), juristic registration
number, passport. Pure; Thai digits, dashes and spaces accepted. Each parser returns the
canonical form or raises IdentityError with a stable code."""

from __future__ import annotations

import datetime as dt
import re

from auction.thai import arabic_digits


class IdentityError(ValueError):
    def __init__(self, code: str, th: str, en: str) -> None:
        super().__init__(en)
        self.code, self.th, self.en = code, th, en


def _digits_only(raw: str) -> str:
    return re.sub(r"[\s\-]", "", arabic_digits(raw or ""))


def thai_id_check_digit(first12: str) -> int:
    """Weights 13..2 over the first 12 digits; check = (11 - sum mod 11) mod 10."""
    total = sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True))
    return (11 - total % 11) % 10


def parse_thai_id(raw: str) -> str:
    s = _digits_only(raw)
    if not re.fullmatch(r"\d{13}", s):
        raise IdentityError("bad_thai_id", "เลขประจำตัวประชาชนต้องมี 13 หลัก", "A Thai ID has 13 digits")
    if s[0] == "0":
        raise IdentityError("bad_thai_id", "เลขประจำตัวประชาชนไม่ขึ้นต้นด้วย 0", "A Thai ID never starts with 0")
    if thai_id_check_digit(s[:12]) != int(s[12]):
        raise IdentityError(
            "bad_thai_id_check_digit",
            "เลขประจำตัวประชาชนไม่ถูกต้อง (หลักตรวจสอบไม่ตรง)",
            "Thai ID check digit does not match",
        )
    return s


def parse_juristic_no(raw: str) -> str:
    s = _digits_only(raw)
    if not re.fullmatch(r"\d{13}", s):
        raise IdentityError(
            "bad_juristic_no", "เลขทะเบียนนิติบุคคลต้องมี 13 หลัก", "A juristic number has 13 digits"
        )
    return s


def parse_passport(raw: str) -> str:
    s = re.sub(r"[\s\-]", "", arabic_digits(raw or "")).upper()
    if not re.fullmatch(r"[A-Z0-9]{6,20}", s):
        raise IdentityError(
            "bad_passport", "เลขหนังสือเดินทางต้องเป็นตัวอักษรหรือตัวเลข 6-20 ตัว",
            "A passport number has 6-20 letters or digits",
        )  # fmt: skip
    return s


def parse_any_id(raw: str) -> tuple[str, str]:
    """A person's or company's number as a proxy principal: (kind, canonical). 13 digits are a Thai
    ID when the check digit fits, else a juristic number; anything else must look like a passport."""
    s = _digits_only(raw)
    if re.fullmatch(r"\d{13}", s):
        try:
            return "thai_id", parse_thai_id(s)
        except IdentityError:
            return "juristic", s
    return "passport", parse_passport(raw)


def affidavit_problem(issued: dt.date, today: dt.date) -> IdentityError | None:
    """A company affidavit must be issued within the last month (same day last month counts)."""
    if issued > today:
        return IdentityError(
            "affidavit_in_future", "วันที่หนังสือรับรองอยู่ในอนาคต", "Affidavit date is in the future"
        )
    month, year = (today.month - 1, today.year) if today.month > 1 else (12, today.year - 1)
    day = min(today.day, _days_in_month(year, month))
    if issued < dt.date(year, month, day):
        return IdentityError(
            "affidavit_expired", "หนังสือรับรองนิติบุคคลต้องออกไม่เกิน 1 เดือน",
            "The company affidavit must be issued within the last month",
        )  # fmt: skip
    return None


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def parse_phone(raw: str) -> str:
    s = re.sub(r"[\s\-()]", "", arabic_digits(raw or ""))
    if s.startswith("+66"):
        s = "0" + s[3:]
    if not re.fullmatch(r"0\d{8,9}", s):
        raise IdentityError("bad_phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "Phone number is not valid")
    return s


def parse_bank_account(raw: str) -> str:
    s = _digits_only(raw)
    if not re.fullmatch(r"\d{10,15}", s):
        raise IdentityError("bad_bank_account", "เลขบัญชีธนาคารต้องเป็นตัวเลข 10-15 หลัก",
                            "A bank account number has 10-15 digits")  # fmt: skip
    return s
