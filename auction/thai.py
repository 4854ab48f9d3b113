"""Thai text helpers: Thai digits, Buddhist-era dates, baht formatting. Pure."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
BE_OFFSET = 543

MONTHS_TH = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def arabic_digits(text: str) -> str:
    """'๑๒๓๔' -> '1234'; every other character is kept."""
    return text.translate(_THAI_DIGITS)


_INT_RE = re.compile(r"^[+-]?\d+$")
MAX_INT = 2**63 - 1  # the database's BIGINT


def parse_int(text: str | int | None) -> int | None:
    """An integer typed by a person: Thai or Arabic digits, spaces and thousands commas allowed.
    Returns None when it is not a whole number."""
    if text is None:
        return None
    if isinstance(text, int):
        return text if -MAX_INT <= text <= MAX_INT else None
    s = arabic_digits(text).strip().replace(",", "").replace(" ", "").replace("฿", "")
    # Beyond 64 bits is no amount, id or page (and the database refuses it: a 500); a string of
    # thousands of digits would also hit Python's int-conversion limit (a ValueError).
    if not _INT_RE.match(s) or len(s.lstrip("+-")) > 19:
        return None
    value = int(s)
    return value if -MAX_INT <= value <= MAX_INT else None


def parse_float(text: str | None) -> float | None:
    if text is None:
        return None
    s = arabic_digits(text).strip().replace(",", "").replace(" ", "")
    if len(s) > 40:  # no coordinate, area or radius is typed with more
        return None
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def be_year(ce_year: int) -> int:
    return ce_year + BE_OFFSET


def ce_year(year: int) -> int:
    """A typed year to CE: BE four-digit (2563), BE two-digit (63), or CE (2020)."""
    if year < 100:
        return 2500 + year - BE_OFFSET
    return year - BE_OFFSET if year > 2400 else year


def format_date(day: dt.date | dt.datetime | str | None, lang: str = "th") -> str:
    """DD/MM/BBBB (BE) in Thai, DD/MM/YYYY (CE) in English. ISO strings are accepted."""
    if not day:
        return ""
    if isinstance(day, str):
        day = dt.datetime.fromisoformat(day) if "T" in day else dt.date.fromisoformat(day)
    if isinstance(day, dt.datetime):
        day = day.astimezone(BANGKOK).date()
    year = be_year(day.year) if lang == "th" else day.year
    return f"{day.day:02d}/{day.month:02d}/{year}"


def format_datetime(moment: dt.datetime | str | None, lang: str = "th") -> str:
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    local = moment.astimezone(BANGKOK)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def format_baht(amount: int | float | None) -> str:
    """฿1,234,567 (no decimals unless present)."""
    if amount is None:
        return ""
    if isinstance(amount, float) and not amount.is_integer():
        return f"฿{amount:,.2f}"
    return f"฿{int(amount):,}"


def fiscal_year_be(day: dt.date) -> int:
    """Thai government fiscal year (October–September), in BE: 1 Oct 2023 starts FY2567."""
    return be_year(day.year + (1 if day.month >= 10 else 0))
