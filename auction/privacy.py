"""Personal data on public pages: a person's name becomes initials; a juristic person's stays."""

from __future__ import annotations

import re

_JURISTIC = ("บริษัท", "ธนาคาร", "จำกัด", "ห้างหุ้นส่วน", "สหกรณ์", "มูลนิธิ", "กรม", "สำนักงาน",
             "bank", "co.", "company", "limited", "ltd", "plc", "corporation")  # fmt: skip
_TITLES = ("นาย", "นางสาว", "นาง", "น.ส.", "ด.ช.", "ด.ญ.", "mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms")
# Thai leading vowels are written before the consonant they follow in speech: skip them.
_LEADING_VOWELS = "เแโใไ"


def is_juristic(name: str) -> bool:
    low = name.lower()
    return any(word in low for word in _JURISTIC)


def _initial(word: str) -> str:
    for ch in word:
        if ch.isalpha() and ch not in _LEADING_VOWELS:
            return ch + "."
    return ""


def mask_name(name: str | None) -> str:
    """'นายสมชาย ใจดี' -> 'ส. ใ.'; several parties ('A กับพวก', 'A, B') are masked each."""
    if not name:
        return ""
    if is_juristic(name):
        return name
    parts = re.split(r"(\s*,\s*|\s+กับพวก|\s+และ\s+)", name.strip())
    out: list[str] = []
    for part in parts:
        if not part or re.fullmatch(r"\s*,\s*|\s+กับพวก|\s+และ\s+", part):
            out.append(part)
            continue
        if is_juristic(part):
            out.append(part)
            continue
        words = part.split()
        if words:
            low = words[0].lower()
            for title in sorted(_TITLES, key=len, reverse=True):
                if low.startswith(title):
                    rest = words[0][len(title) :]
                    words = ([rest] if rest else []) + words[1:]
                    break
        out.append(" ".join(i for i in (_initial(w) for w in words) if i))
    return "".join(out)
