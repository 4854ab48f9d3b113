"""Search queries over lots and cases. Take a session, never commit; return plain values.

Location filters are ordinary indexed WHERE clauses. A radius or one station first narrows rows by
bounding boxes on the indexed (lat, lon) pair, fetching only the few columns needed to filter and
sort; distances are measured with numpy (search.transit.nearest_stations, search.geo) and only the
page shown is loaded in full.
A whole rail line reads each lot's nearest station of that line, measured when the lot was written
(table lot_station, auction.nearby): counting and ordering happen in the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, replace
from typing import Any

import geothai
import numpy as np
from sqlalchemy import ColumnElement, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from auction import nearby
from auction.models import AdminArea, Lot, LotStation, Office, TransitStation
from auction.services import CONDO_TYPES, area_names, lot_summary
from search import geo
from search.thai import Named, NameIndex, strip_prefix
from search.transit import Station, TransitIndex, nearest_stations

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
    # A district holds at most a few thousand lots: keep SQLite's planner (no statistics unless
    # ANALYZE ran) on the district index rather than the type/price one, which scans a third of
    # the country. `col || ''` and `col + 0` are the documented way to make a term unindexable.
    # The province too: a district lies in one province, which PostgreSQL's planner does not know,
    # so it ANDed the district's few hundred rows with a bitmap of Bangkok's 40,000 (7 -> 1 ms).
    local = bool(f.districts)
    ptype: Any = Lot.property_type.concat("") if local else Lot.property_type
    price: Any = Lot.next_start_price + 0 if local else Lot.next_start_price
    province: Any = Lot.province_code.concat("") if local else Lot.province_code
    if f.province:
        where.append(province == f.province)
    if f.districts:
        where.append(Lot.district_code.in_(f.districts))
    if f.tambon:
        # In a district, its rows are few: PostgreSQL ANDed them with the trigram index (migration
        # 0005) for nothing (9 -> 13 ms p50 at a million lots).
        tambon: Any = Lot.tambon.concat("") if local else Lot.tambon
        where.append(func.lower(tambon).contains(strip_prefix(f.tambon).lower(), autoescape=True))
    if f.types:
        where.append(ptype.in_(f.types))
    if f.price_min is not None:
        where.append(price >= f.price_min)
    if f.price_max is not None:
        where.append(price <= f.price_max)
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


# Must read exactly as the expression of index ix_lot_cell (migration 0002) for the planner to use it.
CELL = literal_column("CAST(lat * 100 AS INTEGER)")


Span = tuple[int, float, float, float, float]  # cell, lon from, lon to, lat from, lat to


def cell_spans(boxes: list[geo.Box], rounds: bool) -> list[Span]:
    """Index seeks covering every box once: per cell, the merged longitude spans of the boxes that
    touch it, with the latitudes they need. No row can come back twice.

    A row's cell is its latitude x100 truncated (SQLite) or rounded (PostgreSQL, `rounds`): there a
    row may sit one cell above its floor, so each box also asks for the cell past its top."""
    extra = 1 if rounds else 0
    by_cell: dict[int, list[tuple[float, float, float, float]]] = {}
    for b in boxes:
        for cell in range(math.floor(b.min_lat * 100), math.floor(b.max_lat * 100) + 1 + extra):
            by_cell.setdefault(cell, []).append((b.min_lon, b.max_lon, b.min_lat, b.max_lat))
    out: list[Span] = []
    for cell, intervals in sorted(by_cell.items()):
        intervals.sort()
        lo, hi, south, north = intervals[0]
        for a, b2, s2, n2 in intervals[1:]:
            if a <= hi:
                hi, south, north = max(hi, b2), min(south, s2), max(north, n2)
            else:
                out.append((cell, lo, hi, south, north))
                lo, hi, south, north = a, b2, s2, n2
        out.append((cell, lo, hi, south, north))
    return out


def boxes_query(
    dialect: str, where: list[ColumnElement[bool]], boxes: list[geo.Box], cols: tuple[Any, ...]
) -> Any:
    """Light rows inside the boxes, straight from the covering index (lat, lon are in it too)."""
    parts = [
        select(*cols).where(*where, CELL == cell, Lot.lon.between(lo, hi), Lot.lat.between(south, north))
        for cell, lo, hi, south, north in cell_spans(boxes, rounds=dialect != "sqlite")
    ]
    return parts[0] if len(parts) == 1 else union_all(*parts)


async def _in_boxes(
    session: AsyncSession, where: list[ColumnElement[bool]], boxes: list[geo.Box], cols: tuple[Any, ...]
) -> list[Any]:
    query = boxes_query(session.bind.dialect.name, where, boxes, cols)
    return list((await session.execute(query)).all())


_ORDER = {
    "date": (Lot.next_sale_date, Lot.id),
    "price": (Lot.next_start_price, Lot.id),
    "-price": (Lot.next_start_price.desc(), Lot.id),
    "area": (Lot.area_sqm, Lot.id),
    "-area": (Lot.area_sqm.desc(), Lot.id),
}
# Radius searches fetch light rows (id, lat, lon and the column sorted on) and order them with
# numpy; each column fewer is a few ms less at a million lots (~9,000 rows in a central box).
_LIGHT = (Lot.id, Lot.lat, Lot.lon)
_SORTED_ON = {"price": Lot.next_start_price, "-price": Lot.next_start_price, "area": Lot.area_sqm,
              "-area": Lot.area_sqm, "date": Lot.next_sale_date}  # fmt: skip


def _light_rows(rows: list[Any], sort: str) -> np.ndarray:
    """As floats; a lot without a price sorts as 0, without a date last, as the SQL orders do."""
    if sort == "date":
        return np.array([(r[0], r[1], r[2], (r[3] or dt.date.max).toordinal()) for r in rows], dtype=float)
    data = np.array([tuple(r) for r in rows], dtype=float).reshape(-1, 3 if sort == "distance" else 4)
    if sort in ("price", "-price"):
        data[:, 3] = np.nan_to_num(data[:, 3])
    return data


def _primary(sort: str, metres: np.ndarray, data: np.ndarray) -> np.ndarray:
    """The first sort key of each light row (ties are broken by lot id, as in SQL)."""
    return metres if sort == "distance" else -data[:, 3] if sort.startswith("-") else data[:, 3]


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
        # The page's ids first, then those lots: asked for whole rows, PostgreSQL read every lot
        # of a district from the table to sort them (68 ms at a million lots) instead of walking
        # its covering index in date order (migration 0005).
        ids = list(
            await session.scalars(
                select(Lot.id)
                .where(*where)
                .order_by(*_ORDER[sort])
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
        lots = await _load(session, ids)
        return await _with_areas(session, [Hit(lots[i]) for i in ids], total)
    cols = _LIGHT + ((_SORTED_ON[sort],) if sort in _SORTED_ON else ())
    light = await _in_boxes(session, where, [geo.bbox(point.lat, point.lon, point.radius_m)], cols)
    # numpy over the box's rows (thousands at a million lots): a Python loop cost more than the query.
    # Plain tuples: numpy probing SQLAlchemy Rows for an array interface costs more still.
    data = _light_rows(light, sort)
    ids, lats, lons = data[:, 0], data[:, 1], data[:, 2]
    near = nearest_stations([point], lats, lons, point.radius_m)  # one centre: distances to the point
    keep = np.nonzero(near.inside)[0]
    order = keep[np.lexsort((ids[keep], _primary(sort, near.metres, data)[keep]))]
    chosen = order[(page - 1) * per_page : page * per_page]
    lots = await _load(session, [int(ids[i]) for i in chosen])
    hits = [Hit(lots[int(ids[i])], geo.geodesic_m(point.lat, point.lon, lats[i], lons[i])) for i in chosen]
    return await _with_areas(session, hits, len(keep))


async def line_condos(
    session: AsyncSession, stations: list[Station], radius_m: float, f: LotFilters, page: int,
    per_page: int, sort: str = "distance",
) -> Page:  # fmt: skip
    """Condo units within radius_m of a whole line (`stations`: all of its stations), each with its
    nearest station of that line, read from lot_station (auction.nearby: matched and measured with
    the geodesic when the lot was written). radius_m must not exceed nearby.MAX_RADIUS_M.

    Counts per station count each unit once, at its nearest station, so they add up to the total.
    """
    if radius_m > nearby.MAX_RADIUS_M:
        raise ValueError(f"lot_station holds stations up to {nearby.MAX_RADIUS_M} m")
    ls = LotStation
    where: list[ColumnElement[bool]] = [
        ls.line_id == stations[0].line_id,
        ls.status == "on_sale",
        ls.distance_m <= radius_m,
        ls.property_type.in_(f.types or CONDO_TYPES),
    ]
    if f.price_min is not None:
        where.append(ls.next_start_price >= f.price_min)
    if f.price_max is not None:
        where.append(ls.next_start_price <= f.price_max)
    # Filters the row does not carry are checked on the lot itself.
    rest = replace(f, types=(), price_min=None, price_max=None)
    joined = rest != LotFilters()

    def over(query: Any) -> Any:
        if joined:
            query = query.join(Lot, Lot.id == ls.lot_id).where(*conditions(rest))
        return query.where(*where)

    counted = await session.execute(over(select(ls.station_id, func.count())).group_by(ls.station_id))
    per_station = {s.id: 0 for s in stations}
    per_station.update({sid: n for sid, n in counted.all()})
    total = sum(per_station.values())
    price = func.coalesce(ls.next_start_price, 0)  # as a lot without a price sorted before
    order = {"distance": (ls.distance_m, ls.lot_id), "price": (price, ls.lot_id),
             "-price": (price.desc(), ls.lot_id)}[sort]  # fmt: skip
    rows = (
        await session.execute(
            over(select(ls.lot_id, ls.station_id, ls.distance_m))
            .order_by(*order)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    ).all()
    lots = await _load(session, [r.lot_id for r in rows])
    by_id = {s.id: s for s in stations}
    hits = [Hit(lots[r.lot_id], r.distance_m, by_id[r.station_id]) for r in rows]
    return await _with_areas(session, hits, total, per_station=per_station)


async def station_condos(
    session: AsyncSession, station: Station, radius_m: float, f: LotFilters, page: int, per_page: int,
    sort: str = "distance",
) -> Page:  # fmt: skip
    """Condo units within radius_m of one station, whether or not another station of its line is
    nearer (so not from lot_station, which holds only the nearest): a radius search around it."""
    point = Point(station.lat, station.lon, radius_m)
    found = await search_lots(session, replace(f, types=f.types or CONDO_TYPES), page, per_page, sort, point)
    for h in found.hits:
        h.station = station
    found.per_station = {station.id: found.total}
    return found


@functools.cache
def _tambons_en(district_code: str) -> dict[str, str]:
    return {t.name_th: t.name_en for t in geothai.subdistricts(district_code)}


def tambon_name(district_code: str | None, tambon: str | None) -> dict[str, str] | None:
    """A lot's tambon in Thai and English (lots record it in Thai; DOPA's English name via geothai),
    so the English page does not show a Thai word between English ones."""
    if not tambon:
        return None
    th = strip_prefix(tambon)
    return {"th": th, "en": _tambons_en(district_code or "").get(th, th)}


def hit_view(h: Hit, areas: dict[str, AdminArea]) -> dict[str, Any]:
    out = lot_summary(h.lot, areas)
    out["tambon_name"] = tambon_name(h.lot.district_code, h.lot.tambon)
    if h.distance_m is not None:
        out["distance_m"] = round(h.distance_m, 1)
    if h.station is not None:
        out["nearest_station"] = station_view(h.station)
        out["walk_min"] = geo.walk_minutes(h.distance_m or 0.0)
    return out


def station_view(s: Station) -> dict[str, Any]:
    return {"id": s.id, "line_id": s.line_id, "code": s.code, "th": s.name_th, "en": s.name_en,
            "lat": s.lat, "lon": s.lon}  # fmt: skip


# What each of the form's filters is called in LotFilters, for saying which one emptied a search.
RELAXABLE: dict[str, dict[str, Any]] = {
    "province": {"province": None},
    "district": {"districts": ()},
    "tambon": {"tambon": None},
    "type": {"types": ()},
    "price": {"price_min": None, "price_max": None},
    "area": {"area_min": None, "area_max": None},
    "date": {"date_from": None, "date_to": None},
    "office": {"office_id": None},
    "encumbrance": {"encumbrance": None},
    "occupancy": {"occupancy": None},
}


@dataclass
class EmptyHints:
    """Why a search found nothing: how many lots each filter left out on its own, and for a
    tambon, which tambons the area's lots do have (or that none of them records one)."""

    without: dict[str, int]
    tambons: list[tuple[str, int]]
    untagged: int


async def _count(session: AsyncSession, f: LotFilters, point: Point | None) -> int:
    if point is None:
        return await session.scalar(select(func.count(Lot.id)).where(*conditions(f))) or 0
    return (await search_lots(session, f, 1, 1, "distance", point)).total


async def empty_hints(session: AsyncSession, f: LotFilters, point: Point | None) -> EmptyHints:
    """Only for a search that found nothing: one count per filter in use (at most eleven, each an
    indexed count or one radius search)."""
    without = {}
    for name, cleared in RELAXABLE.items():
        relaxed = replace(f, **cleared)
        if relaxed != f:
            without[name] = await _count(session, relaxed, point)
    if point is not None:
        without["point"] = await _count(session, f, None)
    tambons: list[tuple[str, int]] = []
    untagged = 0
    if f.tambon:
        area = conditions(replace(f, tambon=None))
        rows = await session.execute(
            select(Lot.tambon, func.count())
            .where(*area, Lot.tambon.is_not(None), Lot.tambon != "")
            .group_by(Lot.tambon)
            .order_by(func.count().desc(), Lot.tambon)
            .limit(12)
        )
        tambons = [(t, n) for t, n in rows.all()]
        untagged = (
            await session.scalar(select(func.count(Lot.id)).where(*area, func.coalesce(Lot.tambon, "") == ""))
            or 0
        )
    return EmptyHints(without, tambons, untagged)
