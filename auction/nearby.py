"""Each lot's nearest station of every rail line within reach (table lot_station), measured once
when the lot is written instead of on every search.

A whole-line condo search used to read every condo in the line's station boxes and match each to
its nearest station with numpy at query time: ~8,000 rows for BTS Sukhumvit at 100,000 lots. Here
the match is made when a lot is written, with geopy's geodesic (Karney, WGS84), and the search
reads one index range (search.queries.line_condos).

One row per lot per line whose nearest station is within MAX_RADIUS_M: the nearest station *of
that line*, since a lot can be near several lines. MAX_RADIUS_M is the largest radius the transit
search accepts (the page offers 500 m, 1 km and 2 km; the API takes up to 5 km), so every accepted
search is answered from the table.

Who keeps it filled:
- a Lot added or moved (lat/lon changed) through the ORM: the after_flush hook below (tests'
  factories, any edit form);
- bulk Core inserts that bypass the ORM: the demo generator and the importer (`add`);
- migration 0004 for lots written before the table existed (`refresh_all`), and reference data
  loading stations after lots exist (`refresh_all`).
A plain SQL UPDATE of lat/lon must call `refresh_sync` (through `run_sync`). The lot's status, type and next start price are
copied into the row so the search needs no join for its usual filters; database triggers
(migration 0004) keep those copies equal to the lot whatever writes it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from geopy import units
from geopy.distance import geodesic
from sqlalchemy import Connection, delete, event, insert, select
from sqlalchemy.orm import Session, UOWTransaction

from auction.db import bulk_insert
from auction.models import Lot, LotStation, TransitStation

MAX_RADIUS_M = 5000.0
WALK_M_PER_MIN = 80.0  # ~4.8 km/h, a common planning figure for pedestrians
WALK_DETOUR = 1.25  # streets are not straight lines: a typical urban route factor
# The prefilter measures on a sphere, which differs from the ellipsoid by under 0.7 % at these
# latitudes: a station 1 % farther than the apparently nearest one may still be the nearest, so
# every such candidate is measured with the geodesic. Usually there is one.
_MARGIN = 0.01
_EARTH_M = 6_371_008.8
_BATCH = 5000


# One measurer for every call: geopy's geodesic() builds its ellipsoid model on construction, a
# third of the cost of a call; measure() gives the same kilometres either way.
_GEODESIC = geodesic()


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """geopy's geodesic (Karney, WGS84) in metres, exactly `geodesic(a, b).meters`."""
    return units.meters(kilometers=_GEODESIC.measure((lat1, lon1), (lat2, lon2)))


def walk_minutes(distance_m: float) -> int:
    """Estimated walk from a straight-line distance: detour factor at walking pace, rounded up."""
    return max(1, math.ceil(distance_m * WALK_DETOUR / WALK_M_PER_MIN))


@dataclass(frozen=True)
class Point:
    """What a row needs from its lot: where it is, and the columns the search filters on."""

    id: int
    lat: float | None
    lon: float | None
    status: str
    property_type: str
    next_start_price: int | None


LOT_COLUMNS = (Lot.id, Lot.lat, Lot.lon, Lot.status, Lot.property_type, Lot.next_start_price)


def rows_for(lots: Sequence[Point], stations: Iterable[Any]) -> list[dict[str, Any]]:
    """lot_station rows for these lots against stations (anything with id, line_id, lat, lon)."""
    by_line: dict[str, list[Any]] = defaultdict(list)
    for s in stations:
        by_line[s.line_id].append(s)
    placed = [p for p in lots if p.lat is not None and p.lon is not None]
    out: list[dict[str, Any]] = []
    for start in range(0, len(placed), _BATCH):
        batch = placed[start : start + _BATCH]
        lat = np.array([p.lat for p in batch], dtype=float)
        lon = np.array([p.lon for p in batch], dtype=float)
        for line_id, line in sorted(by_line.items()):
            s_lat = np.array([s.lat for s in line])[:, None]
            s_lon = np.array([s.lon for s in line])[:, None]
            dy = np.radians(lat[None, :] - s_lat)
            dx = np.radians(lon[None, :] - s_lon) * np.cos(np.radians(s_lat))
            approx = _EARTH_M * np.hypot(dx, dy)  # stations x lots
            least = approx.min(axis=0)
            for i in np.nonzero(least <= MAX_RADIUS_M * (1 + _MARGIN))[0]:
                p = batch[i]
                near = np.nonzero(approx[:, i] <= least[i] * (1 + _MARGIN) + 1.0)[0]
                # Station first, as every distance shown is measured (search.geo.geodesic_m).
                metres, k = min((geodesic_m(line[k].lat, line[k].lon, p.lat, p.lon), k) for k in near)
                if metres <= MAX_RADIUS_M:
                    out.append(
                        {"lot_id": p.id, "line_id": line_id, "station_id": line[k].id, "distance_m": metres,
                         "walk_min": walk_minutes(metres), "status": p.status, "property_type": p.property_type,
                         "next_start_price": p.next_start_price}
                    )  # fmt: skip
    return out


def points(rows: Iterable[Any]) -> list[Point]:
    """From Lot objects, lot_values() dicts (with their id) or rows of LOT_COLUMNS."""
    out = []
    for r in rows:
        get = r.get if isinstance(r, dict) else lambda k, r=r: getattr(r, k)
        out.append(Point(get("id"), get("lat"), get("lon"), get("status"), get("property_type"),
                         get("next_start_price")))  # fmt: skip
    return out


# --- writing: one set of functions on a plain Connection, so the ORM hook (inside a flush), the
# async services (through run_sync) and the migration (Alembic's connection) share them. ----------


_STATION_COLUMNS = (TransitStation.id, TransitStation.line_id, TransitStation.lat, TransitStation.lon)


def _stations(conn: Connection) -> list[Any]:
    return list(conn.execute(select(*_STATION_COLUMNS)).all())


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        conn.execute(insert(LotStation), rows[start : start + _BATCH])


def add_sync(conn: Connection, lots: Sequence[Point]) -> int:
    """Rows for lots that have none yet (just inserted)."""
    rows = rows_for(lots, _stations(conn))
    _insert(conn, rows)
    return len(rows)


def refresh_sync(conn: Connection, lot_ids: Sequence[int]) -> int:
    """Measure these lots again from their stored coordinates (after a move)."""
    total = 0
    stations = _stations(conn)
    for start in range(0, len(lot_ids), _BATCH):
        ids = list(lot_ids[start : start + _BATCH])
        conn.execute(delete(LotStation).where(LotStation.lot_id.in_(ids)))
        lots = points(conn.execute(select(*LOT_COLUMNS).where(Lot.id.in_(ids))).all())
        rows = rows_for(lots, stations)
        _insert(conn, rows)
        total += len(rows)
    return total


def refresh_all_sync(conn: Connection) -> int:
    """Every lot, from scratch (migration 0004; stations loaded after lots)."""
    conn.execute(delete(LotStation))
    stations = _stations(conn)
    if not stations:
        return 0
    total, last = 0, 0
    while True:
        lots = points(
            conn.execute(select(*LOT_COLUMNS).where(Lot.id > last).order_by(Lot.id).limit(_BATCH * 4)).all()
        )
        if not lots:
            return total
        rows = rows_for(lots, stations)
        _insert(conn, rows)
        total += len(rows)
        last = lots[-1].id


async def add(session: Any, lots: Sequence[Point]) -> int:
    """Rows for lots just inserted in bulk (COPY on PostgreSQL: a million lots make 1.5M rows)."""
    if not lots:
        return 0
    stations = (await session.execute(select(*_STATION_COLUMNS))).all()
    rows = rows_for(lots, stations)
    await bulk_insert(session, LotStation.__table__, rows)
    return len(rows)


async def refresh_all(session: Any) -> int:
    conn = await session.connection()
    return await conn.run_sync(refresh_all_sync)


# --- the ORM hook ---------------------------------------------------------------------------------


def _moved(lot: Lot) -> bool:
    state = lot.__dict__.get("_sa_instance_state")
    return state is not None and any(state.attrs[k].history.has_changes() for k in ("lat", "lon"))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    """Lots inserted or moved in this flush get their rows (re)computed in the same transaction.
    The session still lists what it flushed and each attribute's history at this point."""
    new = [o for o in session.new if isinstance(o, Lot)]
    moved = [o.id for o in session.dirty if isinstance(o, Lot) and _moved(o)]
    if not new and not moved:
        return
    conn = session.connection()
    if new:
        add_sync(conn, points(new))
    if moved:
        refresh_sync(conn, moved)
