"""Mobile pages and their maps: Thai with an English switch, shareable URLs, and nothing fetched
from another host except the optional map tiles."""

import dataclasses
import json
import re

from tests.conftest import app_client
from tests.search.fixture import build

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def external_assets(html: str) -> list[str]:
    """Scripts, styles and links that point at another host (our own pages are relative)."""
    return [
        u for u in ASSET.findall(html) if re.match(r"^(https?:)?//", u) and not u.startswith("http://test/")
    ]


async def test_home_goes_to_search(client) -> None:
    r = await client.get("/?lang=en")
    assert r.status_code == 302 and r.headers["location"] == "/search?lang=en"


async def test_search_page_in_thai_and_english_with_results_map_and_share_link(db, client) -> None:
    w = await build(db)
    r = await client.get("/search", params={"district": "เขตบางรัก"})
    assert r.status_code == 200 and "ค้นหาทรัพย์ขายทอดตลาด" in r.text
    assert f'href="/lots/{w.ids["house"]}"' in r.text
    assert 'class="folium-map"' in r.text and "/static/vendor/leaflet/leaflet.js" in r.text
    assert "กึ่งกลางอำเภอ (โดยประมาณ)" in r.text  # the pin's precision, in words
    assert 'value="http://test/search?district=' in r.text
    assert '.on("click"' in r.text and 'searchParams.set("near"' in r.text  # tap the map to search there
    r = await client.get("/search", params={"district": "Bang Rak", "lang": "en"})
    assert "Find property at auction" in r.text and "district centre (approx.)" in r.text


async def test_search_form_as_a_browser_sends_it_finds_by_district_without_a_point(db, client) -> None:
    # The form always submits its radius select and empty point fields; only the API refuses a bare radius.
    w = await build(db)
    form = {
        "province": "",
        "district": "เขตบางรัก",
        "tambon": "",
        "lat": "",
        "lon": "",
        "radius": "2000",
        "sort": "date",
    }
    r = await client.get("/search", params=form)
    assert r.status_code == 200 and f'href="/lots/{w.ids["house"]}"' in r.text
    assert 'role="alert"' not in r.text
    r = await client.get("/api/search/lots", params={"district": "เขตบางรัก", "radius": "2000"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "missing_point"


async def test_pages_reference_no_external_script_or_style(db, client) -> None:
    w = await build(db)
    g3 = w.stations["G3"]
    pages = [
        "/search",
        f"/search?lat={g3.lat}&lon={g3.lon}&radius=1000",
        "/search/transit?line=BTS-GLD",
        f"/cases/{w.ids['case_main']}",
        f"/lots/{w.ids['A']}",
    ]
    for url in pages:
        r = await client.get(url)
        assert r.status_code == 200, url
        assert external_assets(r.text) == [], url
        assert (
            "cdn" not in r.text.lower()
            and "jquery" not in r.text.lower()
            and "bootstrap" not in r.text.lower()
        )


async def test_map_without_tiles_is_fully_offline_with_pins_and_a_note(db, settings) -> None:
    w = await build(db)
    async with app_client(dataclasses.replace(settings, map_tiles="none")) as client:
        r = await client.get("/search/transit", params={"line": "BTS-GLD"})
        assert r.status_code == 200
        assert re.findall(r"https?://(?!test/)[^\s\"'<>]+", r.text) == []
        assert "L.tileLayer" not in r.text
        assert r.text.count("L.marker(") == 3  # A, D, B: exact points
        assert "L.polyline(" in r.text  # the line drawn from its stations
        assert json.dumps("แผนที่พื้นหลังไม่พร้อมใช้งาน: แสดงเฉพาะหมุด") in r.text
        r = await client.get(f"/lots/{w.ids['land']}")
        assert "L.circleMarker(" in r.text and "L.marker(" not in r.text  # approximate pin, as a circle


async def test_map_with_tiles_drops_them_when_they_fail(db, settings) -> None:
    w = await build(db)
    # Tiles are off by default (issue 19): this names a tile server.
    tiles = dataclasses.replace(settings, map_tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    async with app_client(tiles) as client:
        r = await client.get(f"/lots/{w.ids['A']}")
    assert "L.tileLayer(" in r.text and 'on("tileerror"' in r.text and "removeLayer(tiles)" in r.text
    assert "ตำแหน่งจริง" in r.text


async def test_vendored_leaflet_is_served(client) -> None:
    r = await client.get("/static/vendor/leaflet/leaflet.js")
    assert r.status_code == 200 and "Leaflet 1.9.4" in r.text[:200]
    for asset in ("leaflet.css", "images/marker-icon.png", "images/marker-shadow.png"):
        assert (await client.get(f"/static/vendor/leaflet/{asset}")).status_code == 200


async def test_transit_page_lists_counts_per_station_and_keeps_the_query(db, client) -> None:
    await build(db)
    r = await client.get("/search/transit", params={"line": "BTS-GLD", "radius": "500", "lang": "en"})
    assert r.status_code == 200 and "2 items" in r.text
    assert "G3 Khlong San</a></td><td>1</td>" in r.text
    assert "walk about 3 min" in r.text
    assert 'value="http://test/search/transit?line=BTS-GLD&amp;radius=500"' in r.text


async def test_openapi_documents_every_search_endpoint_and_error_code(client) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/search/lots", "/api/search/areas", "/api/search/cases",
                                  "/api/search/cases/{case_id}", "/api/search/transit",
                                  "/api/search/transit/lines"}  # fmt: skip
    lots_400 = spec["paths"]["/api/search/lots"]["get"]["responses"]["400"]["description"]
    for code in ("unknown_province", "radius_out_of_range", "malformed_coordinates"):
        assert code in lots_400
    assert "page_past_end" in spec["paths"]["/api/search/lots"]["get"]["responses"]["404"]["description"]
