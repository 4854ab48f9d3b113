"""Issue 18 in a real browser: every page works under its Content-Security-Policy (the phone fixture fails
the test on any violation, here and in every other journey), and lots imported with hostile text in
every field run nothing and inject nothing, on the pages and in the map's tooltips and popups."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from auction.importer import template_row, to_csv
from tests.e2e_browser.conftest import ROOT
from tests.e2e_browser.kit import watch_csp
from tests.e2e_browser.test_pages_a11y import BUYER, OFFICER, PUBLIC
from tests.e2e_browser.test_room import log_in

PAYLOADS = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "${alert(4)}`;alert(5);`",
]
FIELDS = ("black_case", "plaintiff", "defendant", "deed_type", "deed_numbers", "condo_name", "unit_number",
          "floor", "address", "tambon", "mortgagee")  # fmt: skip
# A floor is at most 20 characters (the importer refuses longer): the same attacks, shorter.
SHORT = ["</script><b>x</b>", "<img src=x>", '"><svg onload=x>', "${x}`;x;`"]
RED = "ผบ.98765/2563"
INJECTED = "img[src='x'], svg[onload], a[href^='javascript']"
# A script element of the payload's own (ours only carry it JSON-escaped inside a string).
INJECTED_SCRIPTS = "() => [...document.scripts].filter(s => s.textContent.trim().startsWith('alert(')).length"


@pytest.fixture(scope="module")
def hostile(server) -> str:
    """Imports the hostile lots into this module's server database with the officers' own import command."""
    csv = server.log.parent / "hostile.csv"
    rows = [
        template_row(
            sale_order=str(i + 1), red_case=RED, **{f: SHORT[i] if f == "floor" else p for f in FIELDS}
        )
        for i, p in enumerate(PAYLOADS)
    ]
    csv.write_text(to_csv(rows), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{server.log.parent / 'auction.db'}"}
    out = subprocess.run([sys.executable, "-m", "auction", "import", str(csv)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    return RED


def test_every_page_runs_under_its_csp_with_maps_and_the_room_working(phone, server):
    d = server.data
    page = phone("th").new_page()
    public = [*PUBLIC, f"/lots/{d['lot']}", f"/cases/{d['case']['id']}", f"/rooms/{d['office_id']}/{d['today']}",
              f"/search?province={d['province']['code']}", f"/search/transit?line={d['line']}&station={d['station']}"]  # fmt: skip
    for path in public:
        r = page.goto(path)
        assert r is not None and r.status == 200, path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "'nonce-" in csp and "unsafe-inline" not in csp, path
        expect(page.locator("main h1").first).to_be_visible()
        if page.locator(".folium-map").count():  # folium's inline script ran: Leaflet took the box
            expect(page.locator(".folium-map.leaflet-container").first).to_be_visible()
        if path.startswith(("/lots/", "/cases/", "/search?", "/search/transit?")):  # and drew the pins
            pins = page.locator(".folium-map .leaflet-marker-icon, .folium-map path.leaflet-interactive")
            expect(pins.first).to_be_visible()
    for who, paths in (("buyer@demo.test", BUYER), ("officer@demo.test", OFFICER)):
        page = phone("th").new_page()
        log_in(page, who)
        for path in paths:
            r = page.goto(path)
            assert r is not None and r.status == 200, path
            expect(page.locator("main h1").first).to_be_visible()
    page.goto(f"/officer/rooms/{d['office_id']}/{d['today']}")
    expect(page.locator("[data-conn]")).to_have_attribute("data-status", "live")  # the socket is allowed
    page.goto("/officer/registrations")
    page.locator("#status-filter").select_option(index=1)  # the filter still submits on change
    expect(page).to_have_url(re.compile(r"status="))


def test_hostile_lot_text_runs_nothing_and_injects_nothing(phone, server, hostile):
    ctx = phone("en")
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    page.goto(f"/cases?q={hostile}")
    expect(page).to_have_url(re.compile(r"/cases/\d+"))
    lots = sorted(
        set(page.locator("a[href^='/lots/']").evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    )
    lots = sorted({u.split("?")[0] for u in lots if re.fullmatch(r"/lots/\d+(\?lang=en)?", u)})
    assert len(lots) == len(PAYLOADS), lots
    case_url = page.url
    visits = [case_url, *lots, "/search?district=เขตห้วยขวาง", "/search?district=Huai Khwang&lang=en",
              "/search/transit?line=MRT-BL"]  # fmt: skip
    for url in visits:
        page.goto(url)
        expect(page.locator("main h1").first).to_be_visible()
        pins = page.locator(".folium-map .leaflet-marker-icon, .folium-map path.leaflet-interactive")
        for i in range(min(pins.count(), 6)):  # open every tooltip and popup: Leaflet innerHTMLs their text
            pin = pins.nth(i)
            if pin.is_visible():
                pin.hover(force=True)
                pin.click(force=True)
        page.wait_for_timeout(200)
        assert page.locator(INJECTED).count() == 0, url
        assert page.evaluate(INJECTED_SCRIPTS) == 0, url
    page.goto(lots[1])
    pin = page.locator(".folium-map .leaflet-marker-icon").first
    pin.hover(force=True)
    expect(page.locator(".leaflet-tooltip")).to_contain_text("<img src=x onerror=alert(2)>")  # shown as text
    assert dialogs == [], dialogs


def test_the_csp_blocks_an_injected_inline_script_and_the_probe_reports_it(browser, server):
    # Guards the guard: without this, a probe that never fires would pass every journey.
    ctx = browser.new_context(base_url=server.url)
    violations: list[str] = []
    watch_csp(ctx, violations)
    page = ctx.new_page()
    page.goto("/search")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                  " document.body.appendChild(s); }")  # fmt: skip
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in v for v in violations), violations
    ctx.close()
