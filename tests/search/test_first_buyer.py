"""Issue 19, a first-time buyer on the search pages: a corrected name is said aloud, a search that
finds nothing says which filter emptied it, "near me" says when the location is unavailable, and the
rail page explains (and agrees on) its per-station counts and zooms to the chosen station."""

from __future__ import annotations

import re

from tests.search.fixture import build


async def test_a_corrected_province_is_named_with_what_was_typed(db, client) -> None:
    await build(db)
    api = (await client.get("/api/search/lots", params={"province": "chaing mai"})).json()
    assert api["corrections"] == [
        {"param": "province", "typed": "chaing mai", "code": "50", "th": "เชียงใหม่", "en": "Chiang Mai"}
    ]
    th = (await client.get("/search", params={"province": "chaing mai"})).text
    assert "แสดงผลสำหรับ <b>เชียงใหม่</b> (คุณพิมพ์ “chaing mai”)" in th
    en = (await client.get("/search", params={"province": "Nonthabri", "lang": "en"})).text
    assert "Showing results for <b>Nonthaburi</b> (you typed “Nonthabri”)" in en


async def test_exact_names_codes_aliases_and_name_starts_are_not_corrections(db, client) -> None:
    await build(db)
    for q in ({"province": "เชียงใหม่"}, {"province": "50"}, {"province": "กทม"}, {"province": "กรุงเทพ"},
              {"district": "เขตบางรัก"}, {"district": "Bang Rak"}):  # fmt: skip
        assert (await client.get("/api/search/lots", params=q)).json()["corrections"] == [], q
    page = (await client.get("/search", params={"province": "กรุงเทพ"})).text
    assert "แสดงผลสำหรับ" not in page


async def test_a_misspelt_district_is_named_too(db, client) -> None:
    await build(db)
    api = (await client.get("/api/search/lots", params={"district": "Bang Ruk"})).json()
    assert [(c["param"], c["en"]) for c in api["corrections"]] == [("district", "Bang Rak")]


async def test_a_tambon_with_no_lot_lists_the_tambons_that_have_lots(db, client) -> None:
    w = await build(db)
    html = (await client.get("/search", params={"district": "เขตบางรัก", "tambon": "สุริยวงศ์"})).text
    assert "ผลการค้นหา: 0" in html
    assert "ไม่มีทรัพย์ในตำบล/แขวง “สุริยวงศ์”" in html
    assert re.search(r'<a href="/search\?district=[^"]*tambon=[^"]*">แขวงสีลม \(1\)</a>', html)
    # Dropping the tambon is offered, with what it would find.
    assert re.search(r'<a href="/search\?district=[^"]*">ไม่ใช้เงื่อนไขตำบล/แขวง: 1 รายการ</a>', html)
    found = (await client.get("/search", params={"district": "เขตบางรัก", "tambon": "สีลม"})).text
    assert f'href="/lots/{w.ids["house"]}"' in found and "empty-hints" not in found


async def test_a_tambon_search_where_no_lot_records_its_tambon_says_so(db, client) -> None:
    await build(db)
    th = (await client.get("/search", params={"province": "เชียงใหม่", "tambon": "ช้างเผือก"})).text
    assert "ทรัพย์ 1 รายการในพื้นที่นี้ไม่ได้ระบุตำบล/แขวงไว้" in th
    en = (
        await client.get("/search", params={"province": "Chiang Mai", "tambon": "Chang Phueak", "lang": "en"})
    ).text
    assert "None of the 1 lots in this area records its subdistrict" in en


async def test_an_empty_search_says_which_filter_emptied_it(db, client) -> None:
    await build(db)
    html = (await client.get("/search", params={"province": "เชียงใหม่", "type": "condo", "lang": "en"})).text
    assert "No lot on sale matches every condition." in html
    assert re.search(r'<a href="/search\?province=[^"]*">Without the property type: 1 lots</a>', html)
    assert "Without the province" in html  # condos elsewhere


async def test_near_me_says_when_the_location_is_denied_or_unavailable(db, client) -> None:
    html = (await client.get("/search")).text
    assert 'id="near-me-status"' in html and 'role="status"' in html
    # The error callback and the no-geolocation branch both speak, and offer the map instead.
    assert "function (err)" in html and "PERMISSION_DENIED" in html
    assert "แตะบนแผนที่" in html
    assert "not available" in (await client.get("/search", params={"lang": "en"})).text


async def test_a_tambon_typed_in_english_finds_the_lots_recorded_in_thai(db, client) -> None:
    w = await build(db)
    api = (await client.get("/api/search/lots", params={"district": "Bang Rak", "tambon": "Si Lom"})).json()
    assert [x["id"] for x in api["items"]] == [w.ids["house"]] and api["query"]["tambon"] == "สีลม"


def fit_bounds(html: str) -> tuple[float, float, float, float]:
    m = re.search(r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", html)
    assert m, "the map fits its bounds"
    return tuple(float(x) for x in m.groups())  # type: ignore[return-value]


async def test_a_stations_page_agrees_with_the_lines_table_and_says_why_it_can_show_more(db, client) -> None:
    await build(db)
    line = (await client.get("/api/search/transit", params={"line": "BTS-GLD", "radius": "1000"})).json()
    table = {s["code"]: s["count"] for s in line["per_station"]}
    for code in ("G1", "G2", "G3"):
        one = (await client.get("/api/search/transit",
                                params={"line": "BTS-GLD", "station": code, "radius": "1000"})).json()  # fmt: skip
        (entry,) = one["per_station"]
        assert entry["nearest_count"] == table[code] and entry["count"] == one["total"] >= table[code]
    # G2 sits between G1 and G3: units within 1 km of it are nearer one of them.
    g2 = (
        await client.get("/api/search/transit", params={"line": "BTS-GLD", "station": "G2", "radius": "1000"})
    ).json()
    assert g2["total"] > g2["per_station"][0]["nearest_count"]
    html = (await client.get("/search/transit", params={"line": "BTS-GLD", "station": "G2", "radius": "1000",
                                                        "lang": "en"})).text  # fmt: skip
    assert re.search(r"\d+ units are within 1,000 m of [^;]+; \d+ of them are nearest to this station", html)
    assert "are nearer another station of the line" in html
    whole = (await client.get("/search/transit", params={"line": "BTS-GLD", "lang": "en"})).text
    assert "Each unit is counted once, at its nearest station of the line" in whole


async def test_the_map_zooms_to_the_chosen_station_not_the_whole_line(db, client) -> None:
    w = await build(db)
    g3 = w.stations["G3"]
    whole = fit_bounds(
        (await client.get("/search/transit", params={"line": "BTS-GLD", "radius": "500"})).text
    )
    one = fit_bounds(
        (
            await client.get("/search/transit", params={"line": "BTS-GLD", "station": "G3", "radius": "500"})
        ).text
    )
    # The station's 500 m circle is in view (about 0.0045° each way), and not much more.
    assert one[0] <= g3.lat - 0.0044 and one[2] >= g3.lat + 0.0044
    assert one[1] <= g3.lon - 0.0045 and one[3] >= g3.lon + 0.0045
    assert (one[2] - one[0]) < 0.02 and (one[3] - one[1]) < 0.02
    g1 = w.stations["G1"]
    inside = lambda b, p: b[0] <= p.lat <= b[2] and b[1] <= p.lon <= b[3]  # noqa: E731
    assert inside(whole, g1) and inside(whole, g3)
    assert not inside(one, g1), "a station's map no longer fits the whole line"


async def test_results_say_what_was_searched_and_name_the_tambon_in_the_pages_language(db, client) -> None:
    await build(db)
    th = (
        await client.get("/search", params={"district": "Bang Ruk", "tambon": "Si Lom", "type": "house"})
    ).text
    assert "ค้นหา: อ./เขต บางรัก · ต./แขวง สีลม · ที่ดินพร้อมสิ่งปลูกสร้าง" in th
    en = (await client.get("/search", params={"district": "เขตบางรัก", "lang": "en"})).text
    assert "Searched: Bang Rak" in en and '<span class="muted">Si Lom Bang Rak Bangkok</span>' in en


async def test_an_empty_search_shows_no_pager_and_no_map_of_nowhere(db, client) -> None:
    await build(db)
    html = (await client.get("/search", params={"province": "เชียงใหม่", "type": "condo"})).text
    assert "empty-hints" in html and 'class="pager"' not in html and 'class="folium-map"' not in html


async def test_the_case_page_marks_the_round_a_buyer_can_bid_in_next(db, client) -> None:
    w = await build(db)
    html = (await client.get(f"/cases/{w.ids['case_main']}")).text
    # One row per lot: the land's round 1; the Bang Rak house's round 2 (round 1 had no bidder).
    rows = re.findall(r'<tr class="next-round" aria-current="true"><td>(\d)</td>', html)
    assert rows == ["1", "2"], rows
    assert html.count("<b>นัดถัดไป</b>") == 2
    assert "แขวงสีลม" in html
    en = (await client.get(f"/cases/{w.ids['case_main']}", params={"lang": "en"})).text
    assert "<b>Next sale</b>" in en and f'href="/lots/{w.ids["house"]}?lang=en"' in en
