"""Red/black case numbers (หมายเลขคดีแดง/ดำ), normalised once on the way in.

People type `ผบ.1234/2563`, `ผบ1234/2563`, `ผบ 1234/63`, `ผบ.๑๒๓๔/๒๕๖๓`, `ผบE814/2569`,
`ผบ. E 750/2565`; all become CaseNumber(prefix, efiled, number, year_be) with one canonical key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auction.thai import arabic_digits

# Prefixes seen on LED sales; any run of Thai letters is accepted (courts use many more).
KNOWN_PREFIXES = ("ผบ", "พ", "ล", "อ", "ม", "ผ", "พบ", "ย", "ฟ", "ฟย", "บ")

_FULL = re.compile(
    r"""^\s*
    (?P<prefix>[\u0E01-\u0E2E\u0E30-\u0E4C]{1,4})?   # Thai letters and vowels, e.g. ผบ
    \s*\.?\s*
    (?P<e>[EeＥ])?                                  # e-filed marker
    \s*\.?\s*
    (?P<number>\d{1,6})
    \s*/\s*
    (?P<year>\d{2}|\d{4})
    \s*$""",
    re.VERBOSE,
)
_PARTIAL = re.compile(
    r"""^\s*
    (?P<prefix>[\u0E01-\u0E2E\u0E30-\u0E4C]{1,4})?
    \s*\.?\s*
    (?P<e>[EeＥ])?
    \s*\.?\s*
    (?P<number>\d{1,6})?
    \s*(?:/\s*(?P<year>\d{1,4}))?
    \s*$""",
    re.VERBOSE,
)


class CaseNumberError(ValueError):
    pass


@dataclass(frozen=True)
class CaseNumber:
    prefix: str
    efiled: bool
    number: int
    year: int  # Buddhist era, four digits

    @property
    def key(self) -> str:
        return f"{self.prefix}{'E' if self.efiled else ''}.{self.number}/{self.year}"

    def __str__(self) -> str:
        return self.key


def normalise_year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        return 2500 + year  # '63' -> 2563: LED cases are all BE 25xx
    if 2400 <= year <= 2700:
        return year
    if 1900 <= year <= 2200:
        return year + 543  # a CE year typed by mistake
    raise CaseNumberError(f"year {raw} is not a Buddhist-era year")


def parse(text: str) -> CaseNumber:
    """Parse a full case number; raise CaseNumberError on anything else."""
    if not isinstance(text, str) or len(text) > 60:
        raise CaseNumberError("case number must be text of at most 60 characters")
    m = _FULL.match(arabic_digits(text))
    if not m:
        raise CaseNumberError(f"not a case number: {text!r}")
    prefix = m["prefix"] or ""
    if not prefix:
        raise CaseNumberError("case number needs its prefix (e.g. ผบ)")
    number = int(m["number"])
    if number <= 0:
        raise CaseNumberError("case number must be positive")
    return CaseNumber(prefix, bool(m["e"]), number, normalise_year(m["year"]))


@dataclass(frozen=True)
class PartialCaseNumber:
    prefix: str | None
    efiled: bool | None
    number: int | None
    year: int | None  # BE when four or two digits were typed


def parse_partial(text: str) -> PartialCaseNumber | None:
    """What a buyer typed so far (`ผบ 12`, `1234/63`, `ผบ.`); None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    m = _PARTIAL.match(arabic_digits(text))
    if not m or not any(m.group(g) for g in ("prefix", "number")):
        return None
    year: int | None = None
    if m["year"] and len(m["year"]) in (2, 4):
        try:
            year = normalise_year(m["year"])
        except CaseNumberError:
            return None
    return PartialCaseNumber(
        prefix=m["prefix"] or None,
        efiled=True if m["e"] else None,
        number=int(m["number"]) if m["number"] else None,
        year=year,
    )


def from_parts(prefix: str, number: str | int, year: str | int, efiled: bool = False) -> CaseNumber:
    """Number and year typed in separate fields."""
    return parse(f"{prefix}{'E' if efiled else ''}.{arabic_digits(str(number))}/{arabic_digits(str(year))}")
