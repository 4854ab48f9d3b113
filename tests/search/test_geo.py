import random

import numpy as np
from geopy.distance import geodesic

from search import geo
from search.transit import Station, nearest_stations


def test_local_distance_agrees_with_geodesic_within_the_band() -> None:
    rng = random.Random(7)
    for _ in range(500):
        lat, lon = rng.uniform(5.5, 20.5), rng.uniform(97.5, 105.5)  # Thailand
        dist, bearing = rng.uniform(1, 50_000), rng.uniform(0, 360)
        p = geodesic(meters=dist).destination((lat, lon), bearing)
        (approx,) = geo.local_distances(
            np.array([lat]), np.array([lon]), np.array([p.latitude]), np.array([p.longitude])
        )
        assert abs(approx - dist) <= dist * geo.BAND


def test_bbox_holds_every_point_of_the_circle() -> None:
    lat, lon = 13.73, 100.53
    box = geo.bbox(lat, lon, 1000)
    for bearing in range(0, 360, 5):
        p = geodesic(meters=1000).destination((lat, lon), bearing)
        assert box.min_lat <= p.latitude <= box.max_lat and box.min_lon <= p.longitude <= box.max_lon


def test_walk_minutes_round_up_with_detour() -> None:
    assert geo.walk_minutes(0) == 1
    assert geo.walk_minutes(640) == 10  # 640 m x 1.25 / 80 m per min
    assert geo.walk_minutes(641) == 11


def test_nearest_station_for_many_points_and_none_beyond_the_radius() -> None:
    a = Station(1, "X", "A", "ก", "A", 13.70, 100.50, 1)
    b = Station(2, "X", "B", "ข", "B", 13.71, 100.50, 2)
    near_b = geodesic(meters=400).destination((b.lat, b.lon), 0)
    near_a = geodesic(meters=999.9).destination((a.lat, a.lon), 200)
    edge = geodesic(meters=1000.05).destination((a.lat, a.lon), 200)
    far = geodesic(meters=1200).destination((b.lat, b.lon), 0)
    pts = [near_b, near_a, edge, far]
    got = nearest_stations(
        [a, b], np.array([p.latitude for p in pts]), np.array([p.longitude for p in pts]), 1000
    )
    assert got.inside.tolist() == [True, True, False, False]
    assert got.station.tolist()[:2] == [1, 0]
    assert abs(got.metres[0] - 400) < 0.01 and abs(got.metres[1] - 999.9) < 0.01
