"""Location search: names, filters that combine, a point with a radius, paging."""

from tests.search.fixture import build, names


async def ids_of(client, **params) -> list[int]:
    r = await client.get("/api/search/lots", params=params)
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["items"]]


async def test_district_by_thai_prefix_or_english_name_finds_the_same_lots(db, client) -> None:
    w = await build(db)
    for typed in ("เขตบางรัก", "บางรัก", "Bang Rak", "khet bangrak", "1004"):
        assert await ids_of(client, district=typed) == [w.ids["house"]], typed
    r = await client.get("/api/search/lots", params={"province": "จ.เชียงใหม่", "district": "อ.เมือง"})
    assert [x["id"] for x in r.json()["items"]] == [w.ids["chiang_mai"]]
    assert r.json()["query"]["district"] == {"code": "5001", "th": "เมืองเชียงใหม่", "en": "Mueang Chiang Mai"}


async def test_province_filter_lists_on_sale_lots_by_next_sale_date_with_total(db, client) -> None:
    w = await build(db)
    r = await client.get("/api/search/lots", params={"province": "Bangkok", "per_page": 3})
    body = r.json()
    # The sold lot is never listed: five condos, the land and the house are on sale in Bangkok.
    assert body["total"] == 7 and len(body["items"]) == 3
    assert body["items"][0]["id"] != w.ids["sold"]
    r = await client.get("/api/search/lots", params={"province": "Bangkok", "per_page": 3, "page": "๓"})
    assert r.status_code == 200 and len(r.json()["items"]) == 1


async def test_subdistrict_matches_the_tambon_text(db, client) -> None:
    w = await build(db)
    assert await ids_of(client, tambon="สีลม") == [w.ids["house"]]
    assert await ids_of(client, tambon="ต.คลองต้นไทร") == [w.ids["land"]]


async def test_price_filter_uses_the_next_rounds_starting_price(db, client) -> None:
    w = await build(db)
    # The house was appraised at 5,000,000 but round 1 had no bidder: round 2 starts at 4,500,000.
    assert await ids_of(client, price_min="4,400,000", price_max="4600000") == [w.ids["house"]]
    assert await ids_of(client, price_min=4_900_000, price_max=5_100_000) == []


async def test_filters_combine(db, client) -> None:
    w = await build(db)
    assert await ids_of(client, type="land", encumbrance="mortgage", occupancy="tenant") == [w.ids["land"]]
    assert await ids_of(client, type="land", encumbrance="free") == []
    assert await ids_of(client, type="house", office="LED-50") == [w.ids["chiang_mai"]]
    assert await ids_of(client, type="003", area_max=200) == [w.ids["house"]]  # 50 sq wah = 200 m²
    r = await client.get("/api/search/lots", params={"type": "condo", "sort": "price"})
    assert names(r.json()["items"]) == ["E", "B", "D", "A", "C"]
    # The house's next round is round 2, on 7/12/2026; a BE year in an ISO date is understood.
    assert await ids_of(client, date_from="2569-12-01", province="10") == [w.ids["house"]]
    assert await ids_of(client, date_from="2026-12-01") == [w.ids["house"], w.ids["chiang_mai"]]
    assert await ids_of(client, date_from="2026-12-01", date_to="2026-12-10") == [w.ids["house"]]


async def test_radius_search_is_nearest_first_with_geodesic_distances(db, client) -> None:
    w = await build(db)
    g3 = w.stations["G3"]
    r = await client.get("/api/search/lots", params={"lat": g3.lat, "lon": g3.lon, "radius": 1000})
    body = r.json()
    assert [x["id"] for x in body["items"]] == [w.ids["A"], w.ids["land"], w.ids["B"]]
    assert [x["distance_m"] for x in body["items"]] == [150.0, 200.0, 600.0]
    assert body["total"] == 3 and body["query"]["near"]["radius_m"] == 1000
    # A tapped map point in one parameter, Thai digits, and a wider radius.
    r = await client.get("/api/search/lots", params={"near": f"{g3.lat},{g3.lon}", "radius": "๒๐๐๐"})
    # C is 1,400 m away, D 1,392 m (300 m south of G1), the Bang Rak house 1,706 m.
    assert names(r.json()["items"]) == ["A", "001", "B", "D", "C", "003"]
    assert [round(x["distance_m"]) for x in r.json()["items"]][3:] == [1392, 1400, 1706]
    # Any other sort still keeps only the lots inside the radius.
    r = await client.get(
        "/api/search/lots", params={"lat": g3.lat, "lon": g3.lon, "radius": 1000, "sort": "-price"}
    )
    assert names(r.json()["items"]) == ["001", "A", "B"]


async def test_each_result_shows_its_geocoding_precision(db, client) -> None:
    w = await build(db)
    r = await client.get("/api/search/lots", params={"district": "1004"})
    assert r.json()["items"][0]["location"] == {"lat": 13.728, "lon": 100.5232, "precision": "district"}
    assert w.ids["house"] == r.json()["items"][0]["id"]


async def test_share_url_carries_the_query(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/lots", params={"district": "เขตบางรัก", "type": "house", "lang": "en"})
    assert (
        r.json()["share_url"]
        == "/search?district=%E0%B9%80%E0%B8%82%E0%B8%95%E0%B8%9A%E0%B8%B2%E0%B8%87%E0%B8%A3%E0%B8%B1%E0%B8%81&type=house"
    )
    page = await client.get(r.json()["share_url"])
    assert page.status_code == 200 and "บางรัก" in page.text


async def test_radius_and_line_results_equal_a_brute_force_geodesic_scan(db, client) -> None:
    """Points scattered across cell boundaries: the index path must lose and invent nothing."""
    import random

    from geopy.distance import geodesic

    from tests import factories as f
    from tests.search.fixture import offset

    rng = random.Random(3)
    centre = (13.7350, 100.5300)  # right on a 0.01° cell boundary
    points = {}
    async with db.begin() as s:
        case = await f.make_case(s, "ผบ.1/2560")
        for i in range(80):
            lat, lon = offset(*centre, rng.uniform(0, 1600), rng.uniform(0, 360))
            lot = await f.make_lot(s, case, str(i + 1), lat=round(lat, 6), lon=round(lon, 6))
            points[lot.id] = (round(lat, 6), round(lon, 6))
    expected = sorted(
        (geodesic(centre, p).meters, i) for i, p in points.items() if geodesic(centre, p).meters <= 1000
    )
    r = await client.get("/api/search/lots", params={"lat": centre[0], "lon": centre[1], "radius": 1000,
                                                     "per_page": 100})  # fmt: skip
    assert [x["id"] for x in r.json()["items"]] == [i for _, i in expected]
    assert r.json()["total"] == len(expected) > 10
