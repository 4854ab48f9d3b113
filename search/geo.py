"""Distances: a bounding box for the indexed lat/lon columns, a cheap local distance to filter and
sort, and geopy's geodesic for every distance we show. Pure.

Why two distances: geopy's geodesic (Karney, WGS84) costs ~20-40 µs a call, too slow to run on the
thousands of rows a whole rail line's bounding boxes return. Over a few km the ellipsoid is flat
enough that a local projection with the WGS84 radii of curvature at the mean latitude agrees with
the geodesic to about a millimetre per kilometre (tests/search/test_geo.py checks it), so it is
used to decide "inside the radius" and the order; rows in the thin band where that could differ
are re-measured with the geodesic, as is every distance returned to a caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Shared with auction.nearby, which stores each lot's nearest stations with these when it is written.
from auction.nearby import geodesic_m, walk_minutes  # noqa: F401

# WGS84
_A = 6_378_137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

# Relative error budget of local_distance over the radii we accept (<= 50 km), with a wide margin.
BAND = 1e-4


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def _radii(lat: float) -> tuple[float, float]:
    """Meridional (M) and prime-vertical (N) radii of curvature at a latitude, metres."""
    s = math.sin(math.radians(lat))
    w = math.sqrt(1 - _E2 * s * s)
    return _A * (1 - _E2) / (w**3), _A / w


def bbox(lat: float, lon: float, radius_m: float) -> Box:
    """A box that surely holds every point within radius_m (padded by 1%)."""
    m, n = _radii(lat)
    r = radius_m * 1.01
    dlat = math.degrees(r / m)
    dlon = math.degrees(r / (n * max(math.cos(math.radians(lat)), 1e-6)))
    return Box(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(north-south, east-west) metres per degree at a latitude."""
    m, n = _radii(lat)
    return math.radians(1) * m, math.radians(1) * n * math.cos(math.radians(lat))


def local_distances(lat0: np.ndarray, lon0: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distances between pairs of points, by the ellipsoid's radii of curvature at their mean latitude."""
    mid = np.radians((lat + lat0) / 2)
    s = np.sin(mid)
    w2 = 1 - _E2 * s * s
    n = _A / np.sqrt(w2)
    m = n * (1 - _E2) / w2
    return np.hypot(np.radians(lon - lon0) * n * np.cos(mid), np.radians(lat - lat0) * m)
