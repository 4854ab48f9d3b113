"""Every page, as the public, a buyer and an officer, in Thai and English: axe-core finds no serious
or critical violation (the journeys check the pages they pass through; this covers the rest)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e_browser.kit import check_a11y
from tests.e2e_browser.test_room import log_in

PUBLIC = [
    "/search",
    "/cases",
    "/search/transit",
    "/lots",
    "/results",
    "/stats",
    "/rooms",
    "/signup",
    "/login",
    "/signup/sent",
    "/forgot",
    "/help",
    "/help/glossary",
]
BUYER = ["/account", "/account/ratings"]
OFFICER = [
    "/account",
    "/officer/registrations",
    "/officer/refunds",
    "/officer/sale-day",
    "/officer/satisfaction",
]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_page_passes_axe_for_the_public_a_buyer_and_an_officer(phone, server, lang):
    d = server.data
    suffix = "?lang=en" if lang == "en" else ""
    page = phone(lang).new_page()
    pages = [
        *PUBLIC,
        f"/lots/{d['lot']}",
        f"/cases/{d['case']['id']}",
        f"/rooms/{d['office_id']}/{d['today']}",
    ]
    for path in pages:
        page.goto(path + suffix)
        expect(page.locator("main h1").first).to_be_visible()
        check_a11y(page, f"{path} ({lang}, public)")
    for who, paths in (("buyer@demo.test", BUYER), ("officer@demo.test", OFFICER)):
        page = phone(lang).new_page()
        log_in(page, who, lang=lang)
        for path in paths:
            page.goto(path + suffix)
            expect(page.locator("main h1").first).to_be_visible()
            check_a11y(page, f"{path} ({lang}, {who})")
    page.goto(f"/officer/rooms/{d['office_id']}/{d['today']}{suffix}")
    expect(page.locator("[data-conn]")).to_have_attribute("data-status", "live")
    check_a11y(page, f"console ({lang})")
