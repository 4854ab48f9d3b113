"""Core use cases: building lots and schedules, reading lots and cases. Services take a session
and never commit; the caller owns the unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from auction import casenum, rules
from auction.errors import ApiError, not_found
from auction.models import AdminArea, Case, Court, Lot, LotStation, Office, SaleRound, TransitStation
from auction.privacy import mask_name
from auction.thai import BANGKOK

PROPERTY_TYPES: dict[str, tuple[str, str]] = {
    "001": ("ที่ดินว่างเปล่า", "Vacant land"),
    "002": ("ห้องชุด", "Condominium unit"),
    "003": ("ที่ดินพร้อมสิ่งปลูกสร้าง", "Land with building"),
    "004": ("กรรมสิทธิ์ห้องชุด", "Condominium ownership"),
    "009": ("สิ่งปลูกสร้าง", "Building only"),
}
for _code in ("005", "006", "007", *[f"{n:03d}" for n in range(10, 18)]):
    PROPERTY_TYPES[_code] = ("สิทธิการเช่า", "Leasehold")
CONDO_TYPES = ("002", "004")
ROUND_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "scheduled": ("รอขาย", "Scheduled"),
    "sold": ("ขายได้", "Sold"),
    "no_bidder": ("งดขายไม่มีผู้สู้ราคา", "No bidder"),
    "suspended": ("งดขาย", "Suspended"),
    "withdrawn": ("ถอนการยึด", "Seizure withdrawn"),
    "cancelled": ("ยกเลิก", "Cancelled"),
}


@dataclass(frozen=True)
class Schedule:
    """The rounds of a new announcement, prices stepped as if each earlier round had no bidder."""

    rounds: list[dict[str, Any]]
    deposit: int
    deposit_setoff: int


def plan_schedule(base: int, dates: list[dt.date], office_id: int) -> Schedule:
    if not dates:
        raise ValueError("a schedule needs at least one date")
    if sorted(dates) != dates or len(set(dates)) != len(dates):
        raise ValueError("round dates must be strictly increasing")
    policy = rules.policy_for(dates[0])
    rounds = [
        {
            "round_no": i + 1,
            "sale_date": day,
            "office_id": office_id,
            "start_price": rules.start_price(base, i, policy),
        }
        for i, day in enumerate(dates)
    ]
    return Schedule(rounds, rules.deposit(base, policy), rules.setoff_deposit(base, policy))


def next_round(rounds: list[SaleRound]) -> SaleRound | None:
    for r in sorted(rounds, key=lambda r: r.round_no):
        if r.status == "scheduled":
            return r
    return None


def refresh_lot_summary(lot: Lot, rounds: list[SaleRound]) -> None:
    """Keep the denormalised search columns (next round, its date and price) in step."""
    nxt = next_round(rounds) if lot.status == "on_sale" else None
    lot.next_round_no = nxt.round_no if nxt else None
    lot.next_sale_date = nxt.sale_date if nxt else None
    lot.next_start_price = nxt.start_price if nxt else None


# --- reading ---------------------------------------------------------------------------------


def parse_id(raw: str, what: str = "id") -> int:
    from auction.thai import parse_int

    value = parse_int(raw)
    if value is None or value <= 0 or value > 2**31 - 1:
        raise ApiError(400, "malformed_id", f"รหัส {what} ไม่ถูกต้อง", f"Malformed {what}", param=what)
    return value


async def get_lot(session: AsyncSession, lot_id: int) -> Lot:
    lot = await session.scalar(
        select(Lot)
        .where(Lot.id == lot_id)
        .options(
            selectinload(Lot.rounds),
            selectinload(Lot.case).selectinload(Case.court),
            selectinload(Lot.case).selectinload(Case.office),
        )
    )
    if lot is None:
        raise not_found("ทรัพย์", "Lot", "lot_not_found")
    return lot


async def list_lots(
    session: AsyncSession, page: int, per_page: int, province: str | None = None
) -> tuple[list[Lot], int]:
    query = select(Lot).where(Lot.status == "on_sale")
    if province:
        query = query.where(Lot.province_code == province)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(Lot.next_sale_date, Lot.id).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


async def find_cases(session: AsyncSession, red: str) -> list[Case]:
    try:
        number = casenum.parse(red)
    except casenum.CaseNumberError as exc:
        raise ApiError(
            400,
            "malformed_case_number",
            "หมายเลขคดีไม่ถูกต้อง เช่น ผบ.1234/2563",
            f"Malformed case number, e.g. ผบ.1234/2563 ({exc})",
            param="red",
        ) from exc
    cases = list(
        await session.scalars(
            select(Case)
            .where(Case.red_key == number.key)
            .options(
                selectinload(Case.court),
                selectinload(Case.office),
                selectinload(Case.lots).selectinload(Lot.rounds),
            )
            .order_by(Case.id)
        )
    )
    if not cases:
        raise ApiError(
            404,
            "case_not_found",
            f"ไม่พบคดีหมายเลขแดง {number.key}",
            f"No case with red number {number.key}",
            normalised=number.key,
        )
    return cases


async def area_names(session: AsyncSession, codes: set[str]) -> dict[str, AdminArea]:
    if not codes:
        return {}
    rows = await session.scalars(select(AdminArea).where(AdminArea.code.in_(codes)))
    return {a.code: a for a in rows}


# --- public views ------------------------------------------------------------------------------


def round_view(r: SaleRound) -> dict[str, Any]:
    th, en = ROUND_STATUS_LABELS.get(r.status, (r.status, r.status))
    return {
        "id": r.id,
        "round_no": r.round_no,
        "sale_date": r.sale_date.isoformat(),
        "office_id": r.office_id,
        "status": r.status,
        "status_label": {"th": th, "en": en},
        "reason_code": r.reason_code,
        "start_price": r.start_price,
        "sold_price": r.sold_price,
        "winner_bidder_no": r.winner_bidder_no,
        "bidder_count": r.bidder_count,
    }


def lot_summary(lot: Lot, areas: dict[str, AdminArea] | None = None) -> dict[str, Any]:
    th, en = PROPERTY_TYPES.get(lot.property_type, ("อื่น ๆ", "Other"))
    out: dict[str, Any] = {
        "id": lot.id,
        "case_id": lot.case_id,
        "sale_order": lot.sale_order,
        "property_type": lot.property_type,
        "property_type_label": {"th": th, "en": en},
        "condo_name": lot.condo_name,
        "area": area_view(lot),
        "province_code": lot.province_code,
        "district_code": lot.district_code,
        "tambon": lot.tambon,
        "location": (
            {"lat": lot.lat, "lon": lot.lon, "precision": lot.geo_precision} if lot.lat is not None else None
        ),
        "base_price": lot.base_price,
        "status": lot.status,
        "next_round_no": lot.next_round_no,
        "next_sale_date": lot.next_sale_date.isoformat() if lot.next_sale_date else None,
        "next_start_price": lot.next_start_price,
        "deposit": lot.deposit,
        "encumbrance": lot.encumbrance,
        "occupancy": lot.occupancy,
        "office_id": lot.office_id,
    }
    if areas is not None:
        for key, code in (("province", lot.province_code), ("district", lot.district_code)):
            a = areas.get(code)
            out[key] = {"code": code, "th": a.name_th, "en": a.name_en} if a else {"code": code}
    return out


def area_view(lot: Lot) -> dict[str, Any]:
    if lot.property_type in CONDO_TYPES:
        # The unit and floor say which room it is: a condo's card needs them as much as its size.
        return {"sqm": lot.area_sqm, "unit_number": lot.unit_number, "floor": lot.floor}
    return {"rai": lot.area_rai, "ngan": lot.area_ngan, "wah": lot.area_wah, "sqm": lot.area_sqm}


def case_view(case: Case, officer: bool = False) -> dict[str, Any]:
    def court(c: Court) -> dict[str, Any]:
        return {"id": c.id, "th": c.name_th, "en": c.name_en}

    def office(o: Office) -> dict[str, Any]:
        return {"id": o.id, "th": o.name_th, "en": o.name_en}

    return {
        "id": case.id,
        "red_number": case.red_key,
        "black_number": case.black_number,
        "court": court(case.court),
        "office": office(case.office),
        # Personal data: the public sees initials only (shared/domain.md).
        "plaintiff": case.plaintiff if officer else mask_name(case.plaintiff),
        "defendant": case.defendant if officer else mask_name(case.defendant),
    }


async def cases_with_lots(
    session: AsyncSession, cases: list[Case], officer_of: Callable[[int], bool]
) -> list[dict[str, Any]]:
    """Public views of cases with every lot and each round (lots and rounds loaded by the caller)."""
    areas = await area_names(
        session, {c for case in cases for lot in case.lots for c in (lot.province_code, lot.district_code)}
    )
    out = []
    for case in cases:
        view = case_view(case, officer=officer_of(case.office_id))
        view["lots"] = [
            {**lot_summary(lot, areas), "schedule": [round_view(r) for r in lot.rounds]} for lot in case.lots
        ]
        out.append(view)
    return out


STATIONS_SHOWN = 3


async def lot_stations(
    session: AsyncSession, lot_id: int, limit: int = STATIONS_SHOWN
) -> list[dict[str, Any]]:
    """The lot's nearest stations, nearest first: one per rail line within reach (lot_station,
    measured when the lot was written), so a page reads them without measuring anything."""
    rows = await session.execute(
        select(LotStation.distance_m, LotStation.walk_min, TransitStation)
        .join(TransitStation, TransitStation.id == LotStation.station_id)
        .where(LotStation.lot_id == lot_id)
        .order_by(LotStation.distance_m, LotStation.line_id)
        .limit(limit)
    )
    return [
        {"code": st.code, "th": st.name_th, "en": st.name_en, "distance_m": round(distance),
         "walk_min": walk, "line": {"id": st.line_id, "th": st.line_name_th, "en": st.line_name_en,
                                    "color": st.line_color}}
        for distance, walk, st in rows
    ]  # fmt: skip


def closed_view(lot: Lot) -> dict[str, Any] | None:
    """Why a lot takes no more registrations, for its page: sold (price, date), seizure withdrawn,
    or no rounds left (the last held round's outcome). None while it is on sale."""
    if lot.status == "on_sale":
        return None
    held = [r for r in lot.rounds if r.status in ("sold", "withdrawn", "no_bidder", "suspended")]
    last = max(held, key=lambda r: r.round_no) if held else None
    sold = next((r for r in held if r.status == "sold"), None)
    decisive = sold if lot.status == "sold" and sold else last
    when = None
    if decisive is not None:
        when = decisive.closed_at.astimezone(BANGKOK).date() if decisive.closed_at else decisive.sale_date
    return {
        "status": lot.status,
        "date": when.isoformat() if when else None,
        "round_no": decisive.round_no if decisive else None,
        "last_outcome": decisive.status if decisive else None,
        "sold_price": sold.sold_price if sold and lot.status == "sold" else None,
        "bidder_count": sold.bidder_count if sold and lot.status == "sold" else None,
    }


def lot_detail(lot: Lot, areas: dict[str, AdminArea], officer: bool = False) -> dict[str, Any]:
    out = lot_summary(lot, areas)
    out.update(
        {
            "deed_type": lot.deed_type,
            "deed_numbers": lot.deed_numbers,
            "unit_number": lot.unit_number,
            "floor": lot.floor,
            "address": lot.address,
            "appraisals": {
                "committee": lot.appraisal_committee,
                "officer": lot.appraisal_officer,
                "executing": lot.appraisal_executing,
                "expert": lot.appraisal_expert,
                "base_source": lot.base_price_source,
            },
            "deposit_setoff": lot.deposit_setoff,
            "mortgagee": lot.mortgagee,
            "mortgage_amount": lot.mortgage_amount,
            "photos": lot.photos or [],
            "case": case_view(lot.case, officer),
            "schedule": [round_view(r) for r in lot.rounds],
            "closed": closed_view(lot),
        }
    )
    return out


# --- building new lots (import and demo share this) -------------------------------------------


@dataclass(frozen=True)
class NewLot:
    """Everything an announcement says about one lot; validated by the caller's parser."""

    sale_order: str
    property_type: str
    province_code: str
    district_code: str
    office_id: int
    round_dates: list[dt.date]
    appraisal_executing: int | None = None
    appraisal_officer: int | None = None
    appraisal_committee: int | None = None
    appraisal_expert: int | None = None
    area_rai: int | None = None
    area_ngan: int | None = None
    area_wah: float | None = None
    area_sqm: float | None = None
    deed_type: str | None = None
    deed_numbers: str | None = None
    condo_name: str | None = None
    unit_number: str | None = None
    floor: str | None = None
    address: str | None = None
    tambon: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: str = "district"
    encumbrance: str = "free"
    mortgagee: str | None = None
    mortgage_amount: int | None = None
    occupancy: str = "unknown"
    photos: tuple[str, ...] = ()


def sqm_of_land(rai: int, ngan: int, wah: float) -> float:
    """1 rai = 4 ngan = 400 sq wah; 1 sq wah = 4 m²."""
    return (rai * 400 + ngan * 100 + wah) * 4


def lot_values(new: NewLot, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values for the lot and its rounds (without ids), prices and deposits by the rules."""
    base, source = rules.base_price(new.appraisal_committee, new.appraisal_officer, new.appraisal_executing)
    schedule = plan_schedule(base, new.round_dates, new.office_id)
    sqm = new.area_sqm
    if sqm is None:
        sqm = sqm_of_land(new.area_rai or 0, new.area_ngan or 0, new.area_wah or 0.0)
    first = schedule.rounds[0]
    lot = {
        "case_id": case_id,
        "sale_order": new.sale_order,
        "property_type": new.property_type,
        "deed_type": new.deed_type,
        "deed_numbers": new.deed_numbers,
        "condo_name": new.condo_name,
        "unit_number": new.unit_number,
        "floor": new.floor,
        "area_rai": new.area_rai,
        "area_ngan": new.area_ngan,
        "area_wah": new.area_wah,
        "area_sqm": sqm,
        "address": new.address,
        "tambon": new.tambon,
        "district_code": new.district_code,
        "province_code": new.province_code,
        "lat": new.lat,
        "lon": new.lon,
        "geo_precision": new.geo_precision,
        "appraisal_executing": new.appraisal_executing,
        "appraisal_officer": new.appraisal_officer,
        "appraisal_committee": new.appraisal_committee,
        "appraisal_expert": new.appraisal_expert,
        "base_price": base,
        "base_price_source": source,
        "encumbrance": new.encumbrance,
        "mortgagee": new.mortgagee,
        "mortgage_amount": new.mortgage_amount,
        "occupancy": new.occupancy,
        "photos": list(new.photos),
        "status": "on_sale",
        "next_round_no": 1,
        "next_sale_date": first["sale_date"],
        "next_start_price": first["start_price"],
        "deposit": schedule.deposit,
        "deposit_setoff": schedule.deposit_setoff,
        "office_id": new.office_id,
    }
    return lot, schedule.rounds
