"""Condos along a rail line: nearest station, distance, walk time, counts per station."""

from tests.search.fixture import build, names


async def test_whole_line_lists_condos_within_a_kilometre_nearest_first(db, client) -> None:
    w = await build(db)
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD"})
    body = r.json()
    assert r.status_code == 200 and body["radius_m"] == 1000
    # Land near G3 is not a condo; C is 1.4 km out; E is 3 km out; the sold unit is not on sale.
    assert names(body["items"]) == ["A", "D", "B"]
    assert [x["nearest_station"]["code"] for x in body["items"]] == ["G3", "G1", "G3"]
    assert [x["distance_m"] for x in body["items"]] == [150.0, 300.0, 600.0]
    assert [x["walk_min"] for x in body["items"]] == [3, 5, 10]
    assert [(s["code"], s["count"]) for s in body["per_station"]] == [("G1", 1), ("G2", 0), ("G3", 2)]
    assert body["total"] == 3 and w.ids["A"] == body["items"][0]["id"]


async def test_radius_choices_and_price_sort(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD", "radius": 2000, "sort": "price"})
    assert names(r.json()["items"]) == ["B", "D", "A", "C"]
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD", "radius": 500})
    assert names(r.json()["items"]) == ["A", "D"]


async def test_one_station_by_code_or_name(db, client) -> None:
    await build(db)
    for station in ("G3", "คลองสาน", "Khlong San"):
        r = await client.get("/api/search/transit", params={"line": "สายสีทอง", "station": station})
        assert r.status_code == 200, (station, r.text)
        assert names(r.json()["items"]) == ["A", "B"], station
        assert r.json()["station"]["code"] == "G3"


async def test_line_found_by_english_name(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/transit", params={"line": "BTS Gold Line", "per_page": 1, "page": 2})
    assert r.status_code == 200 and names(r.json()["items"]) == ["D"] and r.json()["total"] == 3


async def test_lines_list_has_every_line_with_real_stations(db, client) -> None:
    r = await client.get("/api/search/transit/lines")
    lines = {x["id"]: x for x in r.json()["lines"]}
    assert set(lines) == {"ARL", "BTS-GLD", "BTS-SIL", "BTS-SUK", "MRT-BL", "MRT-PK", "MRT-PK-MT",
                          "MRT-PP", "MRT-YL", "SRT-DR", "SRT-LR"}  # fmt: skip
    assert sum(len(x["stations"]) for x in lines.values()) == 196
    assert [s["code"] for s in lines["BTS-GLD"]["stations"]] == ["G1", "G2", "G3"]
