"""Rail lines and stations held in memory (196 rows), and the nearest-station lookup. Pure.

numpy (already required by folium) measures the condos in a station's box at once: a Python loop
over them cost more than the database did. A whole line's nearest stations are not measured here
but when each lot is written (auction.nearby, table lot_station).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from auction import nearby
from search import geo
from search.thai import Named, NameIndex

RADII_M = (500, 1000, 2000)  # offered on the page; the API accepts any value in RADIUS_RANGE_M
DEFAULT_RADIUS_M = 1000
RADIUS_RANGE_M = (100, int(nearby.MAX_RADIUS_M))  # lot_station holds every line's stations that far out


@dataclass(frozen=True)
class Station:
    id: int
    line_id: str
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    seq: int


@dataclass
class Line:
    id: str
    name_th: str
    name_en: str
    color: str
    stations: list[Station] = field(default_factory=list)


@dataclass(frozen=True)
class Nearest:
    """For each point: inside the radius or not, the index of its nearest station, and the distance
    in metres (local ellipsoidal approximation, see search.geo; geodesic at the radius's edge)."""

    inside: np.ndarray  # bool
    station: np.ndarray  # int, index into the stations passed in
    metres: np.ndarray  # float


class Place(Protocol):
    lat: float
    lon: float


def nearest_stations(
    stations: Sequence[Place], lats: np.ndarray, lons: np.ndarray, radius_m: float
) -> Nearest:
    """Vectorised over points and stations: the thousands of lots in a box in a few milliseconds.
    With one "station" (any place: a tapped point), the distances to it and who is inside.

    The station is chosen with each station's own flat frame (exact enough to rank stations a few
    km away); the distance to the chosen one is then measured with the mean-latitude frame, which
    agrees with the geodesic to ~1 mm/km, and points in the thin band around the radius ask geopy.
    """
    s_lat = np.array([s.lat for s in stations])[:, None]
    s_lon = np.array([s.lon for s in stations])[:, None]
    ky = np.array([geo.metres_per_degree(s.lat)[0] for s in stations])[:, None]
    kx = np.array([geo.metres_per_degree(s.lat)[1] for s in stations])[:, None]
    d2 = ((lats[None, :] - s_lat) * ky) ** 2 + ((lons[None, :] - s_lon) * kx) ** 2
    best = np.argmin(d2, axis=0) if len(stations) else np.zeros(len(lats), dtype=int)
    b_lat, b_lon = s_lat[best, 0], s_lon[best, 0]
    metres = geo.local_distances(b_lat, b_lon, lats, lons)
    inside = metres <= radius_m * (1 - geo.BAND)
    for i in np.nonzero((metres > radius_m * (1 - geo.BAND)) & (metres <= radius_m * (1 + geo.BAND)))[0]:
        inside[i] = geo.geodesic_m(b_lat[i], b_lon[i], lats[i], lons[i]) <= radius_m
    return Nearest(inside, best, metres)


class TransitIndex:
    def __init__(self, stations: Iterable[Station], lines: dict[str, Line]) -> None:
        self.lines = lines
        self.by_id = {s.id: s for s in stations}
        self.names = NameIndex(Named(line.id, line.name_th, line.name_en) for line in lines.values())

    @classmethod
    def build(cls, rows: Iterable[object]) -> TransitIndex:
        """From TransitStation rows (or anything with the same attributes)."""
        lines: dict[str, Line] = {}
        stations = []
        for r in rows:
            s = Station(
                r.id,
                r.line_id,
                r.code,
                r.name_th,
                r.name_en,
                r.lat,
                r.lon,
                r.seq,  # type: ignore[attr-defined]
            )
            stations.append(s)
            line = lines.setdefault(
                s.line_id,
                Line(s.line_id, r.line_name_th, r.line_name_en, r.line_color),  # type: ignore[attr-defined]
            )
            line.stations.append(s)
        for line in lines.values():
            line.stations.sort(key=lambda s: s.seq)
        return cls(stations, dict(sorted(lines.items())))

    def line(self, query: str) -> tuple[Line | None, list[Named]]:
        """A line by id (`BTS-SUK`) or by name (`สายสีม่วง`, `Purple`); candidates when unclear."""
        q = query.strip().upper()
        if q in self.lines:
            return self.lines[q], []
        found, matches = self.names.resolve(query)
        if found is not None:
            return self.lines[found.code], []
        return None, [m.item for m in matches]

    def station(self, line: Line, query: str) -> tuple[Station | None, list[Station]]:
        """A station of a line by code (`E4`), id, or name in Thai or English."""
        q = query.strip()
        for s in line.stations:
            if s.code.upper() == q.upper() or str(s.id) == q:
                return s, []
        index = NameIndex(Named(str(s.id), s.name_th, s.name_en) for s in line.stations)
        found, matches = index.resolve(q)
        if found is not None:
            return self.by_id[int(found.code)], []
        return None, [self.by_id[int(m.item.code)] for m in matches]
