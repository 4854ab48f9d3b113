"""Rail lines and stations held in memory (196 rows), and the nearest-station lookup. Pure.

Condos are matched to stations through a grid of cells about one radius wide, so each unit is
compared with the few stations in its 3x3 neighbourhood rather than with every station on a line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from search.geo import LocalFrame, bbox, within
from search.thai import Named, NameIndex

RADII_M = (500, 1000, 2000)  # offered on the page; the API accepts any value in RADIUS_RANGE_M
DEFAULT_RADIUS_M = 1000
RADIUS_RANGE_M = (100, 5000)


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
class Near:
    """A point's nearest station within the radius (approximate metres; see search.geo)."""

    station: Station
    approx_m: float


class StationGrid:
    """Stations bucketed into cells at least `radius_m` wide."""

    def __init__(self, stations: Iterable[Station], radius_m: float) -> None:
        self.stations = list(stations)
        self.radius_m = radius_m
        lat0 = sum(s.lat for s in self.stations) / max(len(self.stations), 1)
        box = bbox(lat0, 100.0, radius_m)
        self.dlat = max(box.max_lat - box.min_lat, 1e-6) / 2
        self.dlon = max(box.max_lon - box.min_lon, 1e-6) / 2
        self.cells: dict[tuple[int, int], list[tuple[Station, LocalFrame]]] = defaultdict(list)
        for s in self.stations:
            self.cells[self._cell(s.lat, s.lon)].append((s, LocalFrame(s.lat, s.lon)))

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.dlat), math.floor(lon / self.dlon)

    def nearest(self, lat: float, lon: float) -> Near | None:
        ci, cj = self._cell(lat, lon)
        best: Near | None = None
        for i in (ci - 1, ci, ci + 1):
            for j in (cj - 1, cj, cj + 1):
                for station, frame in self.cells.get((i, j), ()):
                    d = frame.distance(lat, lon)
                    if best is None or d < best.approx_m:
                        best = Near(station, d)
        if best is None or not within(
            best.approx_m, lat, lon, best.station.lat, best.station.lon, self.radius_m
        ):
            return None
        return best


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
