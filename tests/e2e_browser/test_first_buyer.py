"""Issue 19 on a phone, as a first-time buyer: a tambon search that finds nothing says why and what
would match, a misspelt province is named with what was typed, "near me" without a location says so
and offers the map, a station's page agrees with the line's table and zooms to the station, and the
statistics' table ends with the headline's own totals. Screenshots: docs/screenshots/h19-*.png."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import expect

from tests.e2e_browser.kit import check_a11y, shot

SERVER_ENV = {"MAP_TILES": "none"}  # the screenshots show the pins on the plain background


def _api(server, path: str) -> dict:
    with urllib.request.urlopen(server.url + path, timeout=10) as r:
        return json.loads(r.read())


def test_a_tambon_with_no_lot_lists_the_tambons_that_have_lots(phone, server):
    province = server.data["province"]
    page = phone("th").new_page()
    page.goto("/search")
    page.get_by_label("จังหวัด").fill(province["th"])
    page.get_by_label("ตำบล / แขวง").fill("ไม่มีตำบลนี้")
    page.get_by_role("button", name="ค้นหา", exact=True).click()
    expect(page.get_by_role("heading", name="ผลการค้นหา: 0 รายการ")).to_be_visible()
    hints = page.locator(".empty-hints")
    expect(hints).to_contain_text("ไม่มีทรัพย์ในตำบล/แขวง “ไม่มีตำบลนี้”")
    expect(hints.get_by_role("link", name=re.compile(r"ไม่ใช้เงื่อนไขตำบล\/แขวง: [1-9]"))).to_be_visible()
    hints.evaluate("h => h.scrollIntoView()")
    shot(page, "h19-tambon-hints")
    check_a11y(page, "empty search with hints")
    chip = hints.locator("ul.chips a").first
    tambon = re.sub(r" \(\d+\)$", "", chip.inner_text())
    chip.click()
    expect(page.get_by_role("heading", name=re.compile(r"ผลการค้นหา: [1-9]"))).to_be_visible()
    expect(page.locator("ul.cards li.card").first).to_contain_text(tambon)
    shot(page, "h19-tambon-results")


def test_a_misspelt_province_is_named_with_what_was_typed(phone, server):
    page = phone("en").new_page()
    page.goto("/search?lang=en")
    page.get_by_label("Province").fill("Nonthabri")
    page.get_by_role("button", name="Search", exact=True).click()
    note = page.locator("p.correction")
    expect(note).to_have_text("Showing results for Nonthaburi (you typed “Nonthabri”)")
    shot(page, "h19-correction-en")
    check_a11y(page, "corrected search (en)")
    th = phone("th").new_page()
    th.goto("/search?province=" + urllib.request.quote("นนทบรี"))
    expect(th.locator("p.correction")).to_have_text("แสดงผลสำหรับ นนทบุรี (คุณพิมพ์ “นนทบรี”)")


def test_near_me_without_permission_says_so_and_offers_the_map(phone, server):
    ctx = phone("th")  # no geolocation permission granted: the browser refuses
    page = ctx.new_page()
    page.goto("/search")
    page.get_by_role("button", name="ใกล้ฉัน").click()
    status = page.locator("#near-me-status")
    expect(status).to_contain_text("ไม่ได้รับอนุญาตให้ใช้ตำแหน่งของคุณ")
    expect(status).to_contain_text("แตะบนแผนที่")
    expect(page.locator(".folium-map")).to_be_in_viewport()
    shot(page, "h19-near-me-denied")
    check_a11y(page, "near me denied")
    # With permission, the same button searches around the phone, nearest first.
    allowed = phone("th")
    allowed.grant_permissions(["geolocation"])
    allowed.set_geolocation({"latitude": 13.7466, "longitude": 100.5393})  # Siam
    page = allowed.new_page()
    page.goto("/search")
    page.get_by_role("button", name="ใกล้ฉัน").click()
    expect(page).to_have_url(re.compile(r"lat=13\.7466.*sort=distance"))
    expect(page.get_by_role("heading", name=re.compile(r"ผลการค้นหา: \d"))).to_be_visible()


def test_a_station_page_agrees_with_the_line_and_its_map_zooms_to_the_station(phone, server):
    line, station = server.data["line"], server.data["station"]
    whole = _api(server, f"/api/search/transit?line={line}")
    in_table = next(s["count"] for s in whole["per_station"] if s["code"] == station)
    page = phone("th").new_page()
    page.goto("/search/transit")
    page.locator("#line").select_option(line)
    page.locator("#station").select_option(station)
    page.locator("form button[type=submit]").click()
    note = page.locator("#station-counts")
    expect(note).to_contain_text(f"ในจำนวนนี้ {in_table:,} รายการอยู่ใกล้สถานีนี้ที่สุด")
    zoom = page.evaluate(
        "() => { const k = Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k)); return window[k].getZoom(); }"
    )
    assert zoom >= 14, f"the map shows the whole line (zoom {zoom}), not the station"
    note.evaluate("n => n.scrollIntoView()")
    shot(page, "h19-station")
    check_a11y(page, "station page")
    page.locator("section.map").evaluate("m => m.scrollIntoView()")
    shot(page, "h19-station-map")


def test_the_statistics_table_ends_with_the_headlines_totals(phone, server):
    page = phone("th").new_page()
    page.goto("/stats")
    tile = page.locator("ul.tiles li", has_text="นำออกขาย").locator("b")
    total = page.locator("table tfoot th:text-is('รวม') + td")
    expect(total).to_have_text(tile.inner_text())
    rows = [int(x.replace(",", "")) for x in page.locator("table tbody tr td:nth-child(2)").all_inner_texts()]
    headline = int(tile.inner_text().replace(",", ""))
    if sum(rows) > headline:
        expect(page.locator("#stats-repeated")).to_contain_text(f"ทรัพย์ {sum(rows) - headline:,} รายการ")
    page.locator("table").evaluate("t => t.scrollIntoView()")
    shot(page, "h19-stats-table")
    check_a11y(page, "statistics")


def test_bangkok_condo_prices_look_like_bangkok_condos(phone, server):
    found = _api(server, "/api/search/lots?province=10&type=condo&per_page=100")
    prices = sorted(x["next_start_price"] for x in found["items"])
    assert prices and prices[-1] < 100_000_000 and 500_000 <= prices[len(prices) // 2] <= 5_000_000
    page = phone("th").new_page()
    page.goto("/search?province=10&type=condo&sort=price")
    expect(page.get_by_role("heading", name=re.compile(r"ผลการค้นหา: [1-9]"))).to_be_visible()
    page.locator("ul.cards").evaluate("u => u.scrollIntoView()")
    shot(page, "h19-bangkok-condos")
