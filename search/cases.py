"""Finding a case by its red number: exact in any spelling, candidates for a partial number, and
near misses (a digit mistyped, swapped, missing or extra; a neighbouring year) when nothing matches.
Parsing is auction.casenum's; this module only turns what it understood into indexed lookups."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from auction import casenum
from auction.models import Case, Lot

MAX_CANDIDATES = 20
MAX_NUMBER = 999_999  # casenum accepts up to six digits


@dataclass
class CaseSearch:
    match: str  # exact | partial | none
    normalised: str | None
    cases: list[Case] = field(default_factory=list)
    total: int = 0
    suggestions: list[Case] = field(default_factory=list)


def _with_lots() -> list[object]:
    return [
        selectinload(Case.court),
        selectinload(Case.office),
        selectinload(Case.lots).selectinload(Lot.rounds),
    ]


def number_ranges(typed: int) -> list[tuple[int, int]]:
    """Running numbers that start with the digits typed: 12 -> 12, 120-129, 1200-1299, ...
    Each is a range scan on the (red_number, red_year) index. No running number starts with 0
    (they are positive), so 0 has none: it once looped forever here (0 * 10 stays 0)."""
    out: list[tuple[int, int]] = []
    if typed <= 0:
        return out
    lo, hi = typed, typed
    # Bounded by the digits a running number can have, whatever was typed.
    for _ in range(len(str(MAX_NUMBER))):
        if lo > MAX_NUMBER:
            break
        out.append((lo, min(hi, MAX_NUMBER)))
        lo, hi = lo * 10, hi * 10 + 9
    return out


def near_numbers(n: int) -> set[int]:
    """Numbers one keystroke away: a digit changed, two neighbours swapped, one dropped or added."""
    s = str(n)
    out: set[str] = set()
    for i in range(len(s)):
        out.add(s[:i] + s[i + 1 :])
        for d in "0123456789":
            out.add(s[:i] + d + s[i + 1 :])
        if i + 1 < len(s):
            out.add(s[:i] + s[i + 1] + s[i] + s[i + 2 :])
    for i in range(len(s) + 1):
        for d in "0123456789":
            out.add(s[:i] + d + s[i:])
    return {int(x) for x in out if x and not x.startswith("0") and int(x) <= MAX_NUMBER} - {n}


async def find(session: AsyncSession, number: casenum.CaseNumber) -> CaseSearch:
    cases = list(
        await session.scalars(
            select(Case).where(Case.red_key == number.key).options(*_with_lots()).order_by(Case.id)
        )
    )
    if cases:
        return CaseSearch("exact", number.key, cases, len(cases))
    return CaseSearch("none", number.key, suggestions=await near_misses(session, number))


async def near_misses(session: AsyncSession, number: casenum.CaseNumber) -> list[Case]:
    """Same number with another prefix/year or the e-filing mark, or a one-keystroke number slip."""
    same_number = and_(
        Case.red_number == number.number, Case.red_year.between(number.year - 1, number.year + 1)
    )
    slipped = and_(
        Case.red_number.in_(sorted(near_numbers(number.number))),
        Case.red_year == number.year,
        Case.red_prefix == number.prefix,
    )
    rows = list(
        await session.scalars(
            select(Case).where(or_(same_number, slipped)).options(*_with_lots()).limit(MAX_CANDIDATES * 5)
        )
    )

    def closeness(c: Case) -> tuple[int, int, int, int]:
        return (
            c.red_number != number.number,
            c.red_prefix != number.prefix,
            abs(c.red_year - number.year),
            c.id,
        )

    return sorted(rows, key=closeness)[:MAX_CANDIDATES]


async def find_partial(session: AsyncSession, partial: casenum.PartialCaseNumber) -> CaseSearch:
    where: list[ColumnElement[bool]] = []
    if partial.prefix:
        where.append(Case.red_prefix == partial.prefix)
    if partial.efiled is not None:
        where.append(Case.red_efiled == partial.efiled)
    if partial.year is not None:
        where.append(Case.red_year == partial.year)
    if partial.number is not None:
        ranges = number_ranges(partial.number)
        if not ranges:
            return CaseSearch("none", None)
        where.append(or_(*(Case.red_number.between(lo, hi) for lo, hi in ranges)))
    total = await session.scalar(select(func.count(Case.id)).where(*where)) or 0
    # Exactly the number typed first, then shorter numbers (closer to what was typed), newest year.
    rows = await session.scalars(
        select(Case)
        .where(*where)
        .options(*_with_lots())
        .order_by(
            (Case.red_number != (partial.number or 0)),
            Case.red_number,
            Case.red_year.desc(),
            Case.id,
        )
        .limit(MAX_CANDIDATES)
    )
    cases = list(rows)
    return CaseSearch("partial" if cases else "none", None, cases, total)


async def by_id(session: AsyncSession, case_id: int) -> Case | None:
    return await session.scalar(select(Case).where(Case.id == case_id).options(*_with_lots()))
