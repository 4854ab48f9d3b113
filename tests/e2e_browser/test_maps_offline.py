"""The map pages with the network cut and no tile server configured (MAP_TILES=none): not one request
leaves the server, and the pins still show on a plain background with a note saying so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e_browser.kit import offline

SERVER_ENV = {"MAP_TILES": "none"}


@pytest.mark.parametrize("page_of", ["lot", "case", "search", "transit"])
def test_map_page_makes_no_request_outside_the_server(phone, server, page_of):
    d = server.data
    url = {
        "lot": f"/lots/{d['lot']}",
        "case": f"/cases/{d['case']['id']}",
        "search": f"/search?province={d['province']['code']}",
        "transit": f"/search/transit?line={d['line']}&station={d['station']}",
    }[page_of]
    ctx = phone("th")
    page = ctx.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    with offline(ctx, server.url) as outside:
        page.goto(url)
        box = page.locator(".folium-map").first
        expect(box.locator(".leaflet-marker-icon, path.leaflet-interactive").first).to_be_visible()
        expect(box.locator(".map-offline-note")).to_be_visible()
        page.wait_for_load_state("networkidle")
    assert outside == [], outside
    assert any("/static/vendor/leaflet/leaflet.js" in u for u in seen)  # the map's code came from us
