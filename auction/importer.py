"""Officer-facing import of an announcement (cases, lots, schedule) from CSV.

All or nothing: every row is validated first and every problem is reported with its line number;
only a clean file is written, in one transaction. A lot already on file (same court, red case
number and sale order), in the database or earlier in the same file, is a duplicate.

Columns (header row required; Thai digits accepted in every number; dates as YYYY-MM-DD (CE) or
DD/MM/BBBB (BE), rounds separated by `;`):
court_code, office_code, red_case, black_case, plaintiff, defendant, sale_order, property_type,
deed_type, deed_numbers, condo_name, unit_number, floor, area_rai, area_ngan, area_wah, area_sqm,
address, tambon, district_code, province_code, lat, lon, geo_precision, appraisal_executing,
appraisal_officer, appraisal_committee, appraisal_expert, encumbrance, mortgagee, mortgage_amount,
occupancy, round_dates
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import casenum, nearby
from auction.models import AdminArea, Case, Court, Lot, Office, SaleRound
from auction.services import CONDO_TYPES, PROPERTY_TYPES, NewLot, lot_values
from auction.thai import arabic_digits, parse_float, parse_int

REQUIRED = ("court_code", "office_code", "red_case", "plaintiff", "defendant", "sale_order", "property_type",
            "district_code", "province_code", "round_dates")  # fmt: skip
MAX_ROWS = 50_000
# Text longer than its column: PostgreSQL refuses the whole insert (a 500), SQLite would keep it.
TEXT_COLUMNS = {"black_case": Case.black_number, "plaintiff": Case.plaintiff, "defendant": Case.defendant,
                "sale_order": Lot.sale_order, "deed_type": Lot.deed_type, "deed_numbers": Lot.deed_numbers,
                "condo_name": Lot.condo_name, "unit_number": Lot.unit_number, "floor": Lot.floor,
                "address": Lot.address, "tambon": Lot.tambon, "mortgagee": Lot.mortgagee}  # fmt: skip
TEXT_LIMITS = {col: attr.property.columns[0].type.length for col, attr in TEXT_COLUMNS.items()}


@dataclass
class ImportReport:
    ok: bool
    cases: int = 0
    lots: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("; ".join(f"line {n}: {m}" for n, m in report.errors[:20]))
        self.report = report


def parse_date(text: str) -> dt.date:
    s = arabic_digits(text).strip()
    if "/" in s:
        d, m, y = (int(x) for x in s.split("/"))
        return dt.date(y - 543 if y > 2400 else y, m, d)
    return dt.date.fromisoformat(s)


@dataclass
class _Row:
    line: int
    court_id: int
    office_id: int
    red: casenum.CaseNumber
    black: str | None
    plaintiff: str
    defendant: str
    lot: NewLot


async def import_csv(session: AsyncSession, text: str) -> ImportReport:
    """Validate and load; raises ImportFailed (nothing written) when any row is bad."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed(ImportReport(False, errors=[(1, f"missing columns: {', '.join(missing)}")]))
    courts = {c.code: c.id for c in await session.scalars(select(Court))}
    offices = {o.code: o.id for o in await session.scalars(select(Office))}
    areas = {a.code: a for a in await session.scalars(select(AdminArea))}
    errors: list[tuple[int, str]] = []
    rows: list[_Row] = []
    for i, raw in enumerate(reader):
        line = i + 2  # header is line 1
        if i >= MAX_ROWS:
            errors.append((line, f"more than {MAX_ROWS} rows: split the file"))
            break
        try:
            rows.append(
                _parse_row(line, {k: (v or "").strip() for k, v in raw.items() if k}, courts, offices, areas)
            )
        except ValueError as exc:
            errors.append((line, str(exc)))
    if not rows and not errors:
        errors.append((1, "the file has no rows"))
    await _check_duplicates(session, rows, errors)
    if errors:
        raise ImportFailed(ImportReport(False, errors=sorted(errors)))
    return await _write(session, rows)


def _parse_row(line: int, r: dict[str, str], courts: dict[str, int], offices: dict[str, int],
               areas: dict[str, AdminArea]) -> _Row:  # fmt: skip
    for col in REQUIRED:
        if not r.get(col):
            raise ValueError(f"{col} is empty")
    for col, limit in TEXT_LIMITS.items():
        if limit and len(r.get(col) or "") > limit:
            raise ValueError(f"{col} is longer than {limit} characters")
    if r["court_code"] not in courts:
        raise ValueError(f"unknown court_code {r['court_code']!r}")
    if r["office_code"] not in offices:
        raise ValueError(f"unknown office_code {r['office_code']!r}")
    try:
        red = casenum.parse(r["red_case"])
    except casenum.CaseNumberError as exc:
        raise ValueError(f"red_case: {exc}") from exc
    ptype = arabic_digits(r["property_type"]).zfill(3)
    if ptype not in PROPERTY_TYPES:
        raise ValueError(f"unknown property_type {r['property_type']!r}")
    prov, dist = arabic_digits(r["province_code"]), arabic_digits(r["district_code"])
    if prov not in areas or areas[prov].level != "province":
        raise ValueError(f"unknown province_code {prov!r}")
    if dist not in areas or areas[dist].parent_code != prov:
        raise ValueError(f"district_code {dist!r} is not a district of province {prov}")

    def money(col: str) -> int | None:
        if not r.get(col):
            return None
        v = parse_int(r[col])
        if v is None or v < 0:
            raise ValueError(f"{col} must be a whole number of baht, got {r[col]!r}")
        return v

    def number(col: str) -> float | None:
        if not r.get(col):
            return None
        v = parse_float(r[col])
        if v is None or v < 0:
            raise ValueError(f"{col} must be a number, got {r[col]!r}")
        return v

    appraisals = [money(c) for c in ("appraisal_committee", "appraisal_officer", "appraisal_executing")]
    if not any(appraisals):
        raise ValueError("at least one appraisal (committee, officer or executing) is needed")
    try:
        dates = [parse_date(d) for d in r["round_dates"].split(";") if d.strip()]
    except ValueError as exc:
        raise ValueError(f"round_dates: {exc}") from exc
    if not dates or dates != sorted(dates) or len(set(dates)) != len(dates) or len(dates) > 8:
        raise ValueError("round_dates must be 1 to 8 strictly increasing dates")
    lat, lon = number("lat"), number("lon")
    if (lat is None) != (lon is None) or (
        lat is not None and not (5.5 <= lat <= 20.6 and 97.3 <= (lon or 0) <= 105.7)
    ):
        raise ValueError("lat/lon must both be given and lie in Thailand")
    enc = r.get("encumbrance") or "free"
    occ = r.get("occupancy") or "unknown"
    prec = r.get("geo_precision") or ("district" if lat is None else "exact")
    if enc not in ("free", "mortgage"):
        raise ValueError("encumbrance must be free or mortgage")
    if occ not in ("owner", "tenant", "unknown"):
        raise ValueError("occupancy must be owner, tenant or unknown")
    if prec not in ("exact", "subdistrict", "district"):
        raise ValueError("geo_precision must be exact, subdistrict or district")
    area_sqm = number("area_sqm")
    rai, ngan, wah = money("area_rai"), money("area_ngan"), number("area_wah")
    if ptype in CONDO_TYPES and area_sqm is None:
        raise ValueError("a condominium unit needs area_sqm")
    if ptype not in CONDO_TYPES and area_sqm is None and rai is None and ngan is None and wah is None:
        raise ValueError("land needs its area in rai-ngan-wah (or area_sqm)")
    if ngan is not None and ngan > 3 or wah is not None and wah >= 100:
        raise ValueError("ngan must be 0-3 and wah under 100")
    if lat is None:
        a = areas[dist]
        lat, lon, prec = a.lat, a.lon, "district"
    lot = NewLot(
        sale_order=r["sale_order"], property_type=ptype, province_code=prov, district_code=dist,
        office_id=offices[r["office_code"]], round_dates=dates,
        appraisal_committee=appraisals[0], appraisal_officer=appraisals[1], appraisal_executing=appraisals[2],
        appraisal_expert=money("appraisal_expert"), area_rai=rai, area_ngan=ngan, area_wah=wah, area_sqm=area_sqm,
        deed_type=r.get("deed_type") or None, deed_numbers=r.get("deed_numbers") or None,
        condo_name=r.get("condo_name") or None, unit_number=r.get("unit_number") or None,
        floor=r.get("floor") or None, address=r.get("address") or None, tambon=r.get("tambon") or None,
        lat=lat, lon=lon, geo_precision=prec, encumbrance=enc, mortgagee=r.get("mortgagee") or None,
        mortgage_amount=money("mortgage_amount"), occupancy=occ,
    )  # fmt: skip
    return _Row(line, courts[r["court_code"]], offices[r["office_code"]], red, r.get("black_case") or None,
                r["plaintiff"], r["defendant"], lot)  # fmt: skip


async def _check_duplicates(session: AsyncSession, rows: list[_Row], errors: list[tuple[int, str]]) -> None:
    seen: dict[tuple[int, str, str], int] = {}
    for row in rows:
        key = (row.court_id, row.red.key, row.lot.sale_order)
        if key in seen:
            errors.append(
                (row.line, f"duplicate of line {seen[key]}: {row.red.key} sale order {row.lot.sale_order}")
            )
        else:
            seen[key] = row.line
    reds = {row.red.key for row in rows}
    if not reds:
        return
    existing = await session.execute(
        select(Case.court_id, Case.red_key, Lot.sale_order)
        .join(Lot, Lot.case_id == Case.id)
        .where(Case.red_key.in_(reds))
    )
    on_file = {(c, k, o) for c, k, o in existing.all()}
    for row in rows:
        if (row.court_id, row.red.key, row.lot.sale_order) in on_file:
            errors.append((row.line, f"already on file: {row.red.key} sale order {row.lot.sale_order}"))


async def _write(session: AsyncSession, rows: list[_Row]) -> ImportReport:
    case_ids: dict[tuple[int, str], int] = {}
    existing = await session.execute(
        select(Case.id, Case.court_id, Case.red_key).where(Case.red_key.in_({r.red.key for r in rows}))
    )
    for cid, court_id, key in existing.all():
        case_ids[(court_id, key)] = cid
    new_cases = 0
    written: list[dict[str, Any]] = []
    for row in rows:
        ck = (row.court_id, row.red.key)
        if ck not in case_ids:
            case = Case(
                court_id=row.court_id, office_id=row.office_id, red_prefix=row.red.prefix,
                red_efiled=row.red.efiled, red_number=row.red.number, red_year=row.red.year,
                red_key=row.red.key, black_number=row.black, plaintiff=row.plaintiff, defendant=row.defendant,
            )  # fmt: skip
            session.add(case)
            await session.flush()
            case_ids[ck] = case.id
            new_cases += 1
        values, rounds = lot_values(row.lot, case_ids[ck])
        lot_id = (await session.execute(insert(Lot).values(**values).returning(Lot.id))).scalar_one()
        await session.execute(insert(SaleRound), [{**r, "lot_id": lot_id} for r in rounds])
        written.append({**values, "id": lot_id})
    await nearby.add(session, nearby.points(written))  # Core inserts skip the ORM hook
    return ImportReport(True, cases=new_cases, lots=len(rows))


def template_row(**overrides: Any) -> dict[str, str]:
    """A valid row (for docs and tests)."""
    row = {
        "court_code": "CIV-BKK", "office_code": "LED-10-1", "red_case": "ผบ.1234/2563", "black_case": "ผบ.999/2562",
        "plaintiff": "ธนาคารออมสิน", "defendant": "นายสมชาย ใจดี", "sale_order": "1", "property_type": "002",
        "deed_type": "หนังสือกรรมสิทธิ์ห้องชุด", "deed_numbers": "12345", "condo_name": "ลุมพินี พระราม 9",
        "unit_number": "99/123", "floor": "12", "area_rai": "", "area_ngan": "", "area_wah": "", "area_sqm": "35.5",
        "address": "เลขที่ 99/123", "tambon": "ห้วยขวาง", "district_code": "1017", "province_code": "10",
        "lat": "13.757", "lon": "100.565", "geo_precision": "exact", "appraisal_executing": "",
        "appraisal_officer": "1500000", "appraisal_committee": "1600000", "appraisal_expert": "",
        "encumbrance": "free", "mortgagee": "", "mortgage_amount": "", "occupancy": "unknown",
        "round_dates": "2027-01-12;2027-02-02;2027-02-23;2027-03-16;2027-04-06;2027-04-27",
    }  # fmt: skip
    row.update(overrides)
    return row


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()
