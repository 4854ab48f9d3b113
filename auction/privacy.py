"""Personal data on public pages: a person's name becomes initials; a juristic person's stays.

A case's party text often names several parties ('นายสมชาย ใจดี และบริษัท เอ จำกัด', 'A, B กับพวก'),
so each party is judged on its own (judging the whole string once showed a person in full beside a
company). A party is a juristic person only by its legal form: a prefix and/or suffix such as
บริษัท ... จำกัด, ห้างหุ้นส่วนจำกัด, ธนาคาร<name>, Co., Ltd. A word merely contained in a name
(นายธนาคาร ใจดี) proves nothing, and whatever is not clearly a juristic person is masked (issue 18).
"""

from __future__ import annotations

import re

_TITLES = ("นางสาว", "นาง", "นาย", "น.ส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "ดร.", "คุณ",
           "mr.", "mrs.", "ms.", "miss", "dr.", "mr", "mrs", "ms")  # fmt: skip
# Thai leading vowels are written before the consonant they follow in speech: skip them.
_LEADING_VOWELS = "เแโใไ"

_TH_LIMITED = r"จำกัด(?:\s*\(\s*มหาชน\s*\))?"
_EN_SUFFIX = (
    r"(?:co\.?,?\s*ltd\.?|company\s+limited|public\s+company\s+limited|limited(?:\s+partnership)?"
    r"|ltd\.?|plc\.?|pcl\.?|inc\.?|corporation|corp\.?|llc)"
)
# A legal form recognised on its own: the whole party must read as one of these.
_JURISTIC_FORMS = [
    re.compile(rf"^บริษัท\s*\S.*{_TH_LIMITED}$"),  # บริษัท ... จำกัด (มหาชน)
    re.compile(r"^(?:บจก\.|บมจ\.|หจก\.)\s*\S"),  # the abbreviated forms
    re.compile(r"^ห้างหุ้นส่วน(?:จำกัด|สามัญ(?:นิติบุคคล)?)\s*\S.*$"),
    re.compile(rf"^สหกรณ์\S.*{_TH_LIMITED}$"),
    re.compile(
        r"^(?:นิติบุคคลอาคารชุด|นิติบุคคลหมู่บ้านจัดสรร|มูลนิธิ|สมาคม|กระทรวง|การเคหะแห่งชาติ"
        r"|การไฟฟ้า|การประปา|เทศบาล|องค์การบริหารส่วน|บรรษัท|กองทุน)\s*\S"
    ),  # fmt: skip
    re.compile(rf"^.+\S\s*,?\s+{_EN_SUFFIX}$", re.IGNORECASE),  # Somchai Trading Co., Ltd.
    re.compile(r"^(?:bank\s+of|the\s+government\s+savings\s+bank)\s+\S", re.IGNORECASE),
    # '… Bank' with at least two words before it (Siam Commercial Bank); 'John Bank' may be a person.
    re.compile(r"^\S+\s+\S+(?:\s+\S+)*\s+bank$", re.IGNORECASE),
]
# Prefixes that are also the start of ordinary words or given names (ธนาคาร, กรม...): a juristic
# person only when the name follows without a space and the party is one word or ends in a legal
# suffix ('ธนาคารออมสิน', 'ธนาคารกรุงไทย จำกัด (มหาชน)'; never 'ธนาคาร ใจดี' or 'กรมพล ใจดี').
_WEAK_PREFIX = re.compile(r"^(?:ธนาคาร|กรม|สำนักงาน|การ)\S")
_BARE_SUFFIX = re.compile(rf"^(?:{_EN_SUFFIX}|\(\s*มหาชน\s*\))$", re.IGNORECASE)
_LEGAL_SUFFIX = re.compile(rf"(?:{_TH_LIMITED}|\s{_EN_SUFFIX})$", re.IGNORECASE)
# Between parties. 'และ' / 'กับ' only as words (with a space before, or before a title), never
# inside a name such as ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร; 'โดย' introduces a representative.
_SEPARATOR = re.compile(
    r"(\s*[,;]\s*|\s+และ/หรือ\s*|\s+และ\s*|และ(?=นาย|นาง|น\.ส\.|บริษัท)|\s+and\s+|\s*&\s*"
    r"|\s+กับพวก(?:รวม\s*\d+\s*คน)?|\s+กับ\s*|\s+โดย\s*|\s+by\s+)",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"(\s*ที่\s*\d+\s*$)")  # 'นายสมชาย ใจดี ที่ 1': the party's number is kept


def _has_title(party: str) -> bool:
    low = party.lower()
    return any(low.startswith(t) for t in _TITLES)


def is_juristic(party: str) -> bool:
    """One party, by its legal form only; a person's title makes it a person whatever follows."""
    text = re.sub(r"\s+", " ", party.strip())
    if not text or _has_title(text):
        return False
    if any(form.match(text) for form in _JURISTIC_FORMS):
        return True
    return bool(_WEAK_PREFIX.match(text)) and (" " not in text or bool(_LEGAL_SUFFIX.search(text)))


def _initial(word: str) -> str:
    for ch in word:
        if ch.isalpha() and ch not in _LEADING_VOWELS:
            return ch + "."
    return ""


def _mask_person(party: str) -> str:
    words = party.split()
    if words:
        low = words[0].lower()
        for title in sorted(_TITLES, key=len, reverse=True):
            if low.startswith(title):
                rest = words[0][len(title) :]
                words = ([rest] if rest else []) + words[1:]
                break
    return " ".join(i for i in (_initial(w) for w in words) if i)


def _opens_company(part: str) -> bool:
    return part.startswith(("บริษัท", "ห้างหุ้นส่วน", "สหกรณ์")) and not _LEGAL_SUFFIX.search(part)


def parties(name: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_party): separators are kept so the masked text reads the same.
    A company name that itself holds a separator ('บริษัท เอ และ บี จำกัด') is joined back up to
    its legal suffix."""
    pieces = _SEPARATOR.split(name.strip())
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(pieces):  # ends: i grows on every pass
        piece = pieces[i]
        if i % 2 == 1:
            out.append((piece, False))
            i += 1
            continue
        j = i
        if _opens_company(piece.strip()):
            # Look ahead for the piece that closes it; without one, the parts stay apart (masked).
            # Never across a person ('บริษัท เอ, นายสมชาย ใจดี, บริษัท บี จำกัด' is three parties).
            for k in range(i + 2, len(pieces), 2):
                if _has_title(pieces[k].strip()):
                    break
                if _LEGAL_SUFFIX.search(pieces[k].strip()):
                    j = k
                    break
        # 'Somchai Trading Co., Ltd.': the comma there is part of the legal form, not a separator.
        while j + 2 < len(pieces) and _BARE_SUFFIX.match(pieces[j + 2].strip()):
            j += 2
        out.append(("".join(pieces[i : j + 1]), True))
        i = j + 1
    return out


def mask_name(name: str | None) -> str:
    """'นายสมชาย ใจดี' -> 'ส. ใ.'; each party of 'A และ B', 'A, B', 'A กับพวก' on its own."""
    if not name:
        return ""
    out: list[str] = []
    for piece, is_party in parties(name):
        if not is_party or not piece.strip():
            out.append(piece)
            continue
        ordinal = _ORDINAL.search(piece)
        core = piece[: ordinal.start()] if ordinal else piece
        masked = core if is_juristic(core) else _mask_person(core)
        out.append(masked + (ordinal.group(1) if ordinal else ""))
    return "".join(out)
