"""Bad parameters: a 4xx with a stable code, a message in Thai and English, and candidates when useful."""

import pytest

from tests.search.fixture import build

BAD = [
    ("/api/search/lots?province=Atlantis", 400, "unknown_province"),
    ("/api/search/lots?district=อ.เมือง", 400, "ambiguous_district"),
    ("/api/search/lots?province=10&district=Chiang Dao", 400, "unknown_district"),
    ("/api/search/lots?lat=13.7&lon=abc", 400, "malformed_coordinates"),
    ("/api/search/lots?lat=95&lon=100", 400, "malformed_coordinates"),
    ("/api/search/lots?lat=13.7", 400, "malformed_coordinates"),
    ("/api/search/lots?near=13.7", 400, "malformed_coordinates"),
    ("/api/search/lots?lat=13.7&lon=100.5&radius=60000", 400, "radius_out_of_range"),
    ("/api/search/lots?lat=13.7&lon=100.5&radius=10", 400, "radius_out_of_range"),
    ("/api/search/lots?radius=1000", 400, "missing_point"),
    ("/api/search/lots?sort=distance", 400, "bad_sort"),
    ("/api/search/lots?sort=cheapest", 400, "bad_sort"),
    ("/api/search/lots?type=boat", 400, "bad_property_type"),
    ("/api/search/lots?price_min=-5", 400, "bad_price"),
    ("/api/search/lots?price_min=9&price_max=1", 400, "bad_range"),
    ("/api/search/lots?area_max=big", 400, "bad_area"),
    ("/api/search/lots?date_from=23/11/2569", 400, "bad_date"),
    ("/api/search/lots?encumbrance=some", 400, "bad_encumbrance"),
    ("/api/search/lots?occupancy=ghost", 400, "bad_occupancy"),
    ("/api/search/lots?office=LED-99", 400, "unknown_office"),
    ("/api/search/lots?province=10&page=99", 404, "page_past_end"),
    ("/api/search/lots?per_page=500", 400, "bad_per_page"),
    ("/api/search/transit", 400, "missing_parameter"),
    ("/api/search/transit?line=Hyperloop", 400, "unknown_line"),
    ("/api/search/transit?line=BTS-GLD&station=Siam", 400, "unknown_station"),
    ("/api/search/transit?line=BTS-GLD&radius=9000", 400, "radius_out_of_range"),
    ("/api/search/transit?line=BTS-GLD&sort=area", 400, "bad_sort"),
    ("/api/search/transit?line=BTS-GLD&page=3", 404, "page_past_end"),
    ("/api/search/cases", 400, "missing_parameter"),
    ("/api/search/cases?q=hello", 400, "malformed_case_number"),
    ("/api/search/cases?q=ผบ.", 400, "malformed_case_number"),
    ("/api/search/cases?prefix=ผบ&number=12&year=1800", 400, "malformed_case_number"),
    ("/api/search/cases/abc", 400, "malformed_id"),
    ("/api/search/cases/999999", 404, "case_not_found"),
    ("/api/search/areas", 400, "missing_parameter"),
]


@pytest.mark.parametrize("url, status, code", BAD)
async def test_bad_parameter_has_a_stable_code(db, client, url: str, status: int, code: str) -> None:
    await build(db)
    r = await client.get(url)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert r.json()["error"]["message"]["th"] and r.json()["error"]["message"]["en"]


async def test_ambiguous_name_offers_candidates_that_work(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/lots", params={"district": "จอมทอง"})
    candidates = r.json()["error"]["candidates"]
    assert {c["code"] for c in candidates} == {"1035", "5002"}
    r = await client.get("/api/search/lots", params={"district": candidates[0]["code"]})
    assert r.status_code == 200


async def test_search_page_shows_the_error_and_its_candidates(db, client) -> None:
    await build(db)
    r = await client.get("/search", params={"district": "อ.เมือง"})
    assert r.status_code == 400 and 'role="alert"' in r.text and "เมืองเชียงใหม่" not in r.text
    assert "district=3027" in r.text  # each candidate links to the same search with its code
