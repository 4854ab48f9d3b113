"""Search queries over lots and cases. Take a session, never commit; return plain values.

Location filters are ordinary indexed WHERE clauses. A radius or a rail line first narrows rows by
bounding boxes on the indexed (lat, lon) pair, fetching only the few columns needed to filter and
sort; distances are measured in Python (search.geo) and only the page shown is loaded in full.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from auction.models import AdminArea, Lot, Office, TransitStation
from auction.services import CONDO_TYPES, area_names, lot_summary
from search import geo
from search.thai import Named, NameIndex, strip_prefix
from search.transit import Station, StationGrid, TransitIndex

SORTS = ("date", "price", "-price", "area", "-area", "distance")


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class LotFilters:
    """Every filter is optional and they combine with AND; prices are the next round's start price."""

    province: str | None = None
    districts: tuple[str, ...] = ()
    tambon: str | None = None
    types: tuple[str, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    area_min: float | None = None
    area_max: float | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    office_id: int | None = None
    encumbrance: str | None = None
    occupancy: str | None = None


@dataclass
class Reference:
    """Read-only reference data for name resolution, loaded once per app."""

    provinces: NameIndex
    districts: NameIndex
    areas: dict[str, AdminArea]
    offices: dict[str, Office]
    transit: TransitIndex


async def load_reference(session: AsyncSession) -> Reference:
    areas = list(await session.scalars(select(AdminArea).order_by(AdminArea.code)))
    provinces = NameIndex(Named(a.code, a.name_th, a.name_en) for a in areas if a.level == "province")
    districts = NameIndex(
        Named(a.code, a.name_th, a.name_en, a.parent_code) for a in areas if a.level == "district"
    )
    offices = {o.code: o for o in await session.scalars(select(Office).order_by(Office.id))}
    stations = await session.scalars(select(TransitStation).order_by(TransitStation.id))
    return Reference(provinces, districts, {a.code: a for a in areas}, offices, TransitIndex.build(stations))


def conditions(f: LotFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Lot.status == "on_sale"]
    if f.province:
        where.append(Lot.province_code == f.province)
    if f.districts:
        where.append(Lot.district_code.in_(f.districts))
    if f.tambon:
        where.append(func.lower(Lot.tambon).contains(strip_prefix(f.tambon).lower(), autoescape=True))
    if f.types:
        where.append(Lot.property_type.in_(f.types))
    if f.price_min is not None:
        where.append(Lot.next_start_price >= f.price_min)
    if f.price_max is not None:
        where.append(Lot.next_start_price <= f.price_max)
    if f.area_min is not None:
        where.append(Lot.area_sqm >= f.area_min)
    if f.area_max is not None:
        where.append(Lot.area_sqm <= f.area_max)
    if f.date_from is not None:
        where.append(Lot.next_sale_date >= f.date_from)
    if f.date_to is not None:
        where.append(Lot.next_sale_date <= f.date_to)
    if f.office_id is not None:
        where.append(Lot.office_id == f.office_id)
    if f.encumbrance:
        where.append(Lot.encumbrance == f.encumbrance)
    if f.occupancy:
        where.append(Lot.occupancy == f.occupancy)
    return where


def _box_clause(box: geo.Box) -> ColumnElement[bool]:
    return and_(Lot.lat.between(box.min_lat, box.max_lat), Lot.lon.between(box.min_lon, box.max_lon))


_ORDER = {
    "date": (Lot.next_sale_date, Lot.id),
    "price": (Lot.next_start_price, Lot.id),
    "-price": (Lot.next_start_price.desc(), Lot.id),
    "area": (Lot.area_sqm, Lot.id),
    "-area": (Lot.area_sqm.desc(), Lot.id),
}
# The same orders on the light rows (id, lat, lon, price, date, area) fetched for radius searches.
_FAR = dt.date.max


def _row_key(sort: str, row: Any, distance: float) -> tuple[Any, ...]:
    if sort == "distance":
        return (distance, row.id)
    if sort in ("price", "-price"):
        price = row.next_start_price or 0
        return (price if sort == "price" else -price, row.id)
    if sort in ("area", "-area"):
        return (row.area_sqm if sort == "area" else -row.area_sqm, row.id)
    return (row.next_sale_date or _FAR, row.id)


_LIGHT = (Lot.id, Lot.lat, Lot.lon, Lot.next_start_price, Lot.next_sale_date, Lot.area_sqm)


@dataclass
class Hit:
    lot: Lot
    distance_m: float | None = None
    station: Station | None = None


@dataclass
class Page:
    hits: list[Hit]
    total: int
    areas: dict[str, AdminArea]
    per_station: dict[int, int] | None = None


async def _load(session: AsyncSession, ids: list[int]) -> dict[int, Lot]:
    if not ids:
        return {}
    rows = await session.scalars(select(Lot).where(Lot.id.in_(ids)))
    return {lot.id: lot for lot in rows}


async def _with_areas(session: AsyncSession, hits: list[Hit], total: int, **kw: Any) -> Page:
    codes = {c for h in hits for c in (h.lot.province_code, h.lot.district_code)}
    return Page(hits, total, await area_names(session, codes), **kw)


async def search_lots(
    session: AsyncSession, f: LotFilters, page: int, per_page: int, sort: str = "date",
    point: Point | None = None,
) -> Page:  # fmt: skip
    """Filtered lots, one page of them and the total; with a point, only those within its radius."""
    where = conditions(f)
    if point is None:
        total = await session.scalar(select(func.count(Lot.id)).where(*where)) or 0
        rows = await session.scalars(
            select(Lot).where(*where).order_by(*_ORDER[sort]).offset((page - 1) * per_page).limit(per_page)
        )
        return await _with_areas(session, [Hit(lot) for lot in rows], total)
    frame = geo.LocalFrame(point.lat, point.lon)
    box = geo.bbox(point.lat, point.lon, point.radius_m)
    light = (await session.execute(select(*_LIGHT).where(*where, _box_clause(box)))).all()
    inside = []
    for row in light:
        d = frame.distance(row.lat, row.lon)
        if geo.within(d, point.lat, point.lon, row.lat, row.lon, point.radius_m):
            inside.append((_row_key(sort, row, d), row))
    inside.sort(key=lambda x: x[0])
    chosen = [row for _, row in inside[(page - 1) * per_page : page * per_page]]
    lots = await _load(session, [r.id for r in chosen])
    hits = [Hit(lots[r.id], geo.geodesic_m(point.lat, point.lon, r.lat, r.lon)) for r in chosen]
    return await _with_areas(session, hits, len(inside))


async def line_condos(
    session: AsyncSession, stations: list[Station], radius_m: float, f: LotFilters, page: int,
    per_page: int, sort: str = "distance",
) -> Page:  # fmt: skip
    """Condo units within radius_m of any of `stations`, each with its nearest one of them.

    Counts per station count each unit once, at its nearest station, so they add up to the total.
    """
    grid = StationGrid(stations, radius_m)
    boxes = [_box_clause(geo.bbox(s.lat, s.lon, radius_m)) for s in stations]
    where = [*conditions(f), Lot.property_type.in_(f.types or CONDO_TYPES), or_(*boxes)]
    light = (await session.execute(select(*_LIGHT).where(*where))).all()
    inside = []
    per_station: Counter[int] = Counter()
    for row in light:
        near = grid.nearest(row.lat, row.lon)
        if near is None:
            continue
        per_station[near.station.id] += 1
        inside.append((_row_key(sort, row, near.approx_m), row, near.station))
    inside.sort(key=lambda x: x[0])
    chosen = inside[(page - 1) * per_page : page * per_page]
    lots = await _load(session, [r.id for _, r, _ in chosen])
    hits = [Hit(lots[r.id], geo.geodesic_m(st.lat, st.lon, r.lat, r.lon), st) for _, r, st in chosen]
    counts = {s.id: per_station.get(s.id, 0) for s in stations}
    return await _with_areas(session, hits, len(inside), per_station=counts)


def hit_view(h: Hit, areas: dict[str, AdminArea]) -> dict[str, Any]:
    out = lot_summary(h.lot, areas)
    if h.distance_m is not None:
        out["distance_m"] = round(h.distance_m, 1)
    if h.station is not None:
        out["nearest_station"] = station_view(h.station)
        out["walk_min"] = geo.walk_minutes(h.distance_m or 0.0)
    return out


def station_view(s: Station) -> dict[str, Any]:
    return {"id": s.id, "line_id": s.line_id, "code": s.code, "th": s.name_th, "en": s.name_en,
            "lat": s.lat, "lon": s.lon}  # fmt: skip


async def lot_with_rounds(session: AsyncSession, lot_ids: list[int]) -> list[Lot]:
    rows = await session.scalars(select(Lot).where(Lot.id.in_(lot_ids)).options(selectinload(Lot.rounds)))
    return list(rows)
