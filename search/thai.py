"""Place names as people type them: `อ.เมือง`, `เขตบางรัก`, `Bang Rak`, `bangruk`. Pure.

Names are compared after normalising (administrative prefixes stripped, case, spaces and
punctuation dropped, Thai digits made Arabic), then exact > prefix > substring > fuzzy.
difflib (standard library) is enough for 77 provinces and 928 districts: a ranked scan of ~1,000
short strings costs well under a millisecond, so rapidfuzz would add a dependency for nothing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from auction.thai import arabic_digits

# Longest first so "อำเภอ" wins over "อ." and "จังหวัด" over "จ.".
_TH_PREFIXES = ("จังหวัด", "อำเภอ", "กิ่งอำเภอ", "ตำบล", "แขวง", "เขต", "จ.", "อ.", "ต.", "กิ่งอ.")
_EN_PREFIXES = ("changwat", "province", "amphoe", "amphur", "amphoe", "khet", "district", "tambon", "khwaeng")
_EN_SUFFIXES = ("province", "district", "subdistrict")
_DROP = re.compile(r"[\s.\-'’,()/_ฯ]+")
# Everyday names the reference data do not carry, by code.
ALIASES = {"10": ("กทม", "Krung Thep", "BKK")}
# Common romanisation variants folded to one spelling before comparing.
_EN_FOLD = (("muang", "mueang"), ("amphur", "amphoe"))

FUZZY_CUTOFF = 0.72


def strip_prefix(text: str) -> str:
    """Drop one leading administrative word (`อ.`, `เขต`, `Khet`, `จังหวัด` ...) and trailing
    `district`/`province`."""
    s = unicodedata.normalize("NFC", arabic_digits(text)).strip()
    for p in sorted(_TH_PREFIXES, key=len, reverse=True):
        if s.startswith(p) and len(s) > len(p):
            s = s[len(p) :].strip()
            break
    low = s.lower()
    for p in _EN_PREFIXES:
        if low.startswith(p + " ") or low.startswith(p + "."):
            s = s[len(p) + 1 :].strip()
            break
    low = s.lower()
    for suffix in _EN_SUFFIXES:
        if low.endswith(" " + suffix):
            s = s[: -len(suffix) - 1].strip()
            break
    return s


def normalise(text: str) -> str:
    """The comparison key: prefix stripped, lower case, no spaces or punctuation."""
    key = _DROP.sub("", strip_prefix(text).lower())
    for old, new in _EN_FOLD:
        key = key.replace(old, new)
    return key


@dataclass(frozen=True)
class Named:
    """Anything with a code and a Thai and English name (province, district, rail line ...)."""

    code: str
    name_th: str
    name_en: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    item: Named
    score: float  # 1 exact, ~0.9 prefix, ~0.8 substring, below 0.75: fuzzy ratio scaled
    how: str  # exact|prefix|substring|fuzzy


class NameIndex:
    """Items with their comparison keys computed once (the reference data never change at run time)."""

    def __init__(self, items: Iterable[Named]) -> None:
        self.items = list(items)
        self._keys = [
            (
                item,
                [
                    k
                    for k in {
                        normalise(n)
                        for n in (item.name_th, item.name_en, *item.aliases, *ALIASES.get(item.code, ()))
                    }
                    if k
                ],
            )
            for item in self.items
        ]

    def subset(self, parent: str) -> NameIndex:
        return NameIndex(i for i in self.items if i.parent == parent)

    def rank(self, query: str, limit: int = 10) -> list[Match]:
        """Best matches first; ties keep the items' order (pass them sorted by code)."""
        q = normalise(query)
        if not q:
            return []
        # The query is the cached side of the matcher; quick_ratio bounds skip most names cheaply.
        sm = difflib.SequenceMatcher(autojunk=False)
        sm.set_seq2(q)
        out: list[Match] = []
        for item, keys in self._keys:
            best: Match | None = None
            for key in keys:
                if key == q:
                    m = Match(item, 1.0, "exact")
                elif key.startswith(q):
                    m = Match(item, 0.9 - 0.05 * (1 - len(q) / len(key)), "prefix")
                elif q in key:
                    m = Match(item, 0.8 - 0.05 * (1 - len(q) / len(key)), "substring")
                else:
                    sm.set_seq1(key)
                    if sm.real_quick_ratio() < FUZZY_CUTOFF or sm.quick_ratio() < FUZZY_CUTOFF:
                        continue
                    ratio = sm.ratio()
                    if ratio < FUZZY_CUTOFF:
                        continue
                    m = Match(item, 0.75 * ratio, "fuzzy")
                if best is None or m.score > best.score:
                    best = m
            if best is not None:
                out.append(best)
        out.sort(key=lambda m: -m.score)
        return out[:limit]

    def resolve(self, query: str) -> tuple[Named | None, list[Match]]:
        """The one item a query means, or None with the candidates when it is unknown or ambiguous.

        A code typed as is (`10`, `1004`) is taken literally. Otherwise the best kind of match
        decides: one exact name wins; else one prefix; else one substring; else a fuzzy match clearly
        ahead of the next. Several of the best kind (`อ.เมือง` across the country) are ambiguous:
        the caller offers them.
        """
        code = arabic_digits(query).strip()
        for item in self.items:
            if item.code == code:
                return item, [Match(item, 1.0, "exact")]
        matches = self.rank(query, limit=len(self.items))
        if not matches:
            return None, []
        top = [m for m in matches if m.how == matches[0].how]
        if len(top) == 1:
            return top[0].item, matches[:10]
        if top[0].how == "fuzzy" and top[0].score - top[1].score >= 0.05:
            return top[0].item, matches[:10]
        return None, top[:10]
