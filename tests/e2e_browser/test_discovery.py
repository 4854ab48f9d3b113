"""Journeys 1–3 on a phone: find a lot by province, a case by its red number, condos along a rail line."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e_browser.kit import check_a11y, offline, shot

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def test_search_by_province_opens_a_lot_with_its_pinned_map_schedule_and_deposit(phone, server):
    ctx = phone("th")
    page = ctx.new_page()
    province = server.data["province"]
    with offline(ctx, server.url) as outside:
        page.goto("/search")
        check_a11y(page, "search form")
        page.get_by_label("จังหวัด").fill(province["th"])
        page.get_by_role("button", name="ค้นหา", exact=True).click()
        expect(page.get_by_role("heading", name=re.compile(r"ผลการค้นหา: [1-9]"))).to_be_visible()
        shot(page, "j1-th-1-results")
        check_a11y(page, "search results")
        first = page.locator("ul.cards li.card a").first
        expect(first).to_contain_text(province["th"])
        first.click()
        expect(page).to_have_url(re.compile(r"/lots/\d+$"))
        facts = page.locator("dl.facts")
        expect(facts).to_contain_text(province["th"])
        # The deposit, in baht, next to the starting price.
        expect(facts.locator("dt", has_text="หลักประกัน").first).to_be_visible()
        expect(facts.locator("dt:text-is('หลักประกัน') + dd")).to_have_text(re.compile(r"^฿[1-9][\d,]*$"))
        # The map with the lot's pin (a marker, or a circle for an approximate location) on our own Leaflet.
        map_box = page.locator("section.map .folium-map")
        expect(map_box).to_be_visible()
        expect(map_box.locator(".leaflet-marker-icon, path.leaflet-interactive").first).to_be_visible()
        # The schedule: six rounds with Buddhist-era dates.
        rows = page.locator("table.schedule tbody tr")
        expect(rows).to_have_count(6)
        expect(rows.first.locator("td").nth(1)).to_have_text(re.compile(r"^\d{2}/\d{2}/25\d\d$"))
        shot(page, "j1-th-2-lot", full_page=True)
        page.locator("dt:text-is('ราคาเริ่มต้น')").evaluate("el => el.scrollIntoView()")
        shot(page, "j1-th-3-map")
        check_a11y(page, "lot page")
    assert all(_is_tile(u) for u in outside), f"requests outside the server: {outside}"


def _is_tile(url: str) -> bool:
    """Map tiles are the one optional outside fetch (MAP_TILES); scripts, styles and icons are our own."""
    return re.match(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", url) is not None


def test_red_case_typed_in_thai_digits_without_a_dot_lands_on_the_case_page(phone, server):
    case = server.data["case"]
    typed = f"{case['prefix']}{case['number']}/{case['year']}".translate(THAI_DIGITS)  # e.g. พ๑๖๕๙๓/๒๕๕๙
    assert "." not in typed and not any(c.isascii() and c.isdigit() for c in typed)
    ctx = phone("th")
    page = ctx.new_page()
    with offline(ctx, server.url) as outside:
        page.goto("/search")
        page.get_by_role("link", name="ตามหมายเลขคดีแดง").click()
        check_a11y(page, "case search form")
        page.get_by_label("หมายเลขคดีแดง").fill(typed)
        page.get_by_role("button", name="ค้นหา", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/cases/{case['id']}$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"หมายเลขคดีแดง {case['red_key']}")
        expect(page.locator("section.lot-rounds").first).to_be_visible()
        shot(page, "j2-th-case", full_page=True)
        check_a11y(page, "case page")
    assert all(_is_tile(u) for u in outside), f"requests outside the server: {outside}"


def _transit(page, line: str, station: str, near: str, walk: str, results: str) -> list[int]:
    """Choose a line and a station; returns the distances (m) of the cards, in page order."""
    page.goto("/search/transit" + ("?lang=en" if near == "m" and walk == "walk about" else ""))
    page.locator("#line").select_option(line)
    page.locator("#station").select_option(station)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(results))).to_be_visible()
    cards = page.locator("ul.cards li.card")
    expect(cards.first).to_be_visible()
    lines = cards.locator(f"div.muted:has-text('{walk}')").all_inner_texts()
    assert len(lines) == cards.count() > 1
    distances = []
    for text in lines:
        m = re.search(rf"· ([\d,]+) {near} · {walk} (\d+)", text)
        assert m, text
        distances.append(int(m.group(1).replace(",", "")))
        assert int(m.group(2)) >= 1
    return distances


def test_condos_along_an_mrt_station_are_sorted_by_distance_with_walk_times(phone, server):
    ctx = phone("th")
    page = ctx.new_page()
    with offline(ctx, server.url) as outside:
        distances = _transit(page, server.data["line"], server.data["station"], "ม.", "เดินประมาณ", r": [1-9]")
        assert distances == sorted(distances)
        expect(page.locator("section.map .folium-map path.leaflet-interactive").first).to_be_visible()
        page.get_by_role("heading", level=2).first.evaluate("h => h.scrollIntoView()")
        shot(page, "j3-th-transit")
        check_a11y(page, "transit results")
    assert all(_is_tile(u) for u in outside), f"requests outside the server: {outside}"


def test_the_same_searches_in_english(phone, server):
    ctx = phone("en")
    page = ctx.new_page()
    province = server.data["province"]
    page.goto("/search?lang=en")
    page.get_by_label("Province").fill(province["en"])
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"Results: [1-9]"))).to_be_visible()
    page.locator("ul.cards li.card a").first.click()
    expect(page.locator("dl.facts")).to_contain_text(province["en"])
    expect(page.locator("dl.facts dt:text-is('Deposit') + dd")).to_have_text(re.compile(r"^฿[1-9][\d,]*$"))
    expect(page.get_by_role("heading", name="Sale schedule")).to_be_visible()
    shot(page, "j1-en-lot")
    check_a11y(page, "lot page (en)")
    distances = _transit(page, server.data["line"], server.data["station"], "m", "walk about", r": [1-9]")
    assert distances == sorted(distances)
    check_a11y(page, "transit results (en)")
    case = server.data["case"]
    page.goto("/cases?lang=en")
    page.get_by_label("Red case no.").fill(
        f"{case['prefix']} {case['number']}/{case['year'] % 100}".translate(THAI_DIGITS)
    )
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case['id']}\?lang=en$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(case["red_key"])
