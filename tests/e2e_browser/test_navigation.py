"""Journey 7 (issue 19): a first-time buyer finds the way. The header says who is logged in and
leads a buyer with a bidder number into today's room, and an officer to the console; a lot sold
today says the room is open; error pages are pages; a first visit follows the browser's language;
help and glossary from the lot page; the Thai webfont comes from the site; the lot page prints."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e_browser.conftest import Server
from tests.e2e_browser.kit import check_a11y, offline, shot
from tests.e2e_browser.test_room import log_in


def room_of(server: Server) -> str:
    return f"/rooms/{server.data['office_id']}/{server.data['today']}"


def test_a_buyer_with_a_bidder_number_is_led_into_todays_room(phone, server: Server):
    page = phone("th").new_page()
    page.goto(f"/lots/{server.data['room_lots'][0]}")
    live = page.locator("main .live-lot")
    expect(live).to_contain_text("ห้องประมูลเปิดแล้ว")
    expect(page.locator("header .who")).to_have_count(0)  # not logged in yet
    shot(page, "j7-th-1-lot-sold-today")
    log_in(page, "buyer@demo.test")
    header = page.locator("header.top")
    expect(header.locator(".who")).to_contain_text("ผู้ซื้อ")
    enter = header.get_by_role("link", name="ห้องประมูลเปิดวันนี้ — เข้าห้อง")
    expect(enter).to_have_attribute("href", room_of(server))
    check_a11y(page, "header with today's room")
    shot(page, "j7-th-2-header-room")
    # The account's bidder-number card leads there too.
    page.goto("/account")
    card = page.locator("li.card.reg.status-confirmed").filter(
        has=page.locator(f"a[href='{room_of(server)}']")
    )
    expect(card.first).to_be_visible()
    card.first.scroll_into_view_if_needed()
    shot(page, "j7-th-3-account-room")
    card.first.get_by_role("link", name="ห้องประมูลเปิดวันนี้ — เข้าห้อง").click()
    expect(page).to_have_url(re.compile(re.escape(room_of(server)) + "$"))
    expect(page.locator("[data-conn]")).to_have_attribute("data-status", "live")
    # Log out from the header, on any page.
    page.locator("header .who button").click()
    expect(page.locator("header.top").get_by_role("link", name="เข้าสู่ระบบ")).to_be_visible()
    expect(page.locator("header .who")).to_have_count(0)


def test_the_same_in_english_and_the_officer_console(phone, server: Server):
    page = phone("en").new_page()
    log_in(page, "buyer2@demo.test", lang="en")
    page.goto(f"/lots/{server.data['room_lots'][0]}")
    expect(page.locator("main .live-lot")).to_contain_text("The room is open")
    expect(page.locator("header.top").get_by_role("link", name="Room open today — enter")).to_be_visible()
    shot(page, "j7-en-1-lot-room")
    officer = phone("en").new_page()
    log_in(officer, "officer@demo.test", lang="en")
    header = officer.locator("header.top")
    expect(header.locator(".who")).to_contain_text("Officer")
    console = header.get_by_role("link", name="Run today's room")
    expect(console).to_have_attribute(
        "href", f"/officer/rooms/{server.data['office_id']}/{server.data['today']}"
    )
    shot(officer, "j7-en-2-officer-header")
    check_a11y(officer, "officer header (en)")
    console.click()
    expect(officer.locator("[data-conn]")).to_have_attribute("data-status", "live")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_error_pages_are_pages_in_the_visitors_language(phone, server: Server, lang: str):
    page = phone(lang).new_page()
    q = "?lang=en" if lang == "en" else "?lang=th"
    expected = {
        "/lots/999999": (404, "ไม่พบทรัพย์", "Lot not found"),
        "/nope": (404, "ไม่พบหน้าที่ต้องการ", "Page not found"),
        "/lots/abc": (400, "คำขอไม่ถูกต้อง", "Bad request"),
    }
    for path, (status, th, en) in expected.items():
        response = page.goto(path + q)
        assert response is not None and response.status == status
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("main")).to_contain_text(th if lang == "th" else en)
        expect(page.locator("header.top nav")).to_be_visible()
        check_a11y(page, f"error page {path} ({lang})")
    page.goto("/lots/999999" + q)
    shot(page, f"j7-{lang}-error-404")
    page.locator("main").get_by_role("link", name="ค้นหา" if lang == "th" else "Search").click()
    expect(page).to_have_url(re.compile(r"/search"))


def test_a_first_visit_follows_the_browsers_language_until_switched(phone, server: Server):
    page = phone("en").new_page()  # Accept-Language: en-US
    page.goto("/search")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("header.top").get_by_role("link", name="ภาษาไทย").click()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.goto("/search")  # the switch is remembered
    expect(page.locator("html")).to_have_attribute("lang", "th")
    thai = phone("th").new_page()
    thai.goto("/search")
    expect(thai.locator("html")).to_have_attribute("lang", "th")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_help_and_glossary_from_the_lot_page(phone, server: Server, lang: str):
    page = phone(lang).new_page()
    page.goto(f"/lots/{server.data['lot']}")
    links = page.locator("main .help-links")
    links.get_by_role("link", name="หลักประกัน" if lang == "th" else "deposit").click()
    expect(page).to_have_url(re.compile(r"/help/glossary#deposit$"))
    expect(page.locator("dt#deposit")).to_be_in_viewport()
    expect(page.locator("dt#set-off")).to_contain_text("ใช้ส่วนแทน")
    check_a11y(page, f"glossary ({lang})")
    shot(page, f"j7-{lang}-glossary")
    page.locator("main").get_by_role("link", name="วิธีประมูล" if lang == "th" else "How it works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "วิธีประมูลทรัพย์ขายทอดตลาด" if lang == "th" else "How a court auction works here"
    )
    check_a11y(page, f"help ({lang})")
    shot(page, f"j7-{lang}-help")


def _font_state(page: Page) -> dict:
    return page.evaluate(
        """async () => { await document.fonts.ready;
        const used = [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight);
        const files = performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.woff2'));
        return {used, files, thai: document.fonts.check('16px "Noto Sans Thai"', 'กขค')}; }"""
    )


def test_the_thai_webfont_comes_from_the_site(phone, server: Server):
    ctx = phone("th")
    with offline(ctx, server.url) as outside:
        page = ctx.new_page()
        page.goto(f"/lots/{server.data['lot']}")
        state = _font_state(page)
    assert state["thai"] and any(
        u.startswith("'Noto Sans Thai' 400") or "Noto Sans Thai" in u for u in state["used"]
    )
    assert state["files"] and all(f.startswith(server.url + "/static/fonts/") for f in state["files"])
    assert not [u for u in outside if "font" in u], outside


def test_the_lot_page_prints_facts_without_navigation_or_map(phone, server: Server):
    page = phone("th").new_page()
    page.goto(f"/lots/{server.data['lot']}")
    page.emulate_media(media="print")
    for hidden in ("header.top", "footer.foot", "section.map", "main .button", "main .help-links"):
        for i in range(page.locator(hidden).count()):
            expect(page.locator(hidden).nth(i)).to_be_hidden()
    expect(page.locator("dl.facts")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("หลักประกัน")
    expect(page.locator("table.schedule")).to_be_visible()
    shot(page, "j7-th-print", full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
