"""Journey 5: the live room. An officer's console and two bidders' phones (one in Thai, one in
English); bids from both phones, a floor bid entered by the officer, counting and the hammer; one
phone's network drops mid-lot and it catches up without reloading. Then journey 6: the results."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect

from tests.e2e_browser.conftest import Server
from tests.e2e_browser.kit import check_a11y, shot

DESK = {"viewport": {"width": 1280, "height": 900}}
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
# Every change to a live region, kept in the page (the room must not flood screen readers).
WATCH_LIVE_REGIONS = """
window.__spoken = [];
for (const el of document.querySelectorAll('[aria-live], [role=status], [role=alert], [role=log], [role=timer]')) {
  new MutationObserver(() => { if (el.textContent.trim()) window.__spoken.push(el.textContent.trim()); })
    .observe(el, {subtree: true, childList: true, characterData: true});
}
window.__notReloaded = true;
"""


class Line:
    """The phone's network: its room socket goes through here so a test can cut it (Playwright's
    offline mode leaves open WebSockets alone) and refuse new ones until it comes back."""

    def __init__(self, context: BrowserContext) -> None:
        self.context, self.up, self.open = context, True, []

    def handle(self, ws: WebSocketRoute) -> None:
        if not self.up:
            ws.close()
            return
        self.open.append((ws, ws.connect_to_server()))

    def drop(self) -> None:
        self.up = False
        self.context.set_offline(True)
        for page_side, server_side in self.open:
            server_side.close()
            page_side.close()
        self.open.clear()

    def restore(self) -> None:
        self.up = True
        self.context.set_offline(False)


def log_in(page: Page, email: str, password: str = "demo-password", lang: str = "th") -> None:
    page.goto("/login" + ("?lang=en" if lang == "en" else ""))
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def amount(page: Page, selector: str) -> int:
    return int(re.sub(r"[^\d]", "", page.locator(selector).inner_text()))


def bid(page: Page) -> int:
    """Send the bid box's amount (pre-filled with the minimum); returns it."""
    expect(page.locator("[data-send]")).to_be_enabled()
    value = amount(page, "[data-next-min]")
    expect(page.locator("#bid-amount")).to_have_value(f"{value:,}")
    page.locator("[data-send]").click()
    return value


def test_live_room_bids_floor_bid_count_hammer_and_a_dropped_phone_catches_up(browser, phone, server: Server):
    d = server.data
    room = f"/rooms/{d['office_id']}/{d['today']}"
    officer_ctx = browser.new_context(base_url=server.url, locale="th-TH", timezone_id="Asia/Bangkok", **DESK)
    try:
        officer = officer_ctx.new_page()
        log_in(officer, "officer@demo.test")
        officer.goto(f"/officer/rooms/{d['office_id']}/{d['today']}")
        expect(officer.locator("[data-conn]")).to_have_attribute("data-status", "live")

        a_ctx, b_ctx = phone("th"), phone("en")
        a, b = a_ctx.new_page(), b_ctx.new_page()
        line = Line(b_ctx)
        b.route_web_socket(re.compile(r"/ws/rooms/"), line.handle)
        log_in(a, "buyer@demo.test")
        log_in(b, "buyer2@demo.test", lang="en")
        a.goto(room)
        b.goto(room + "?lang=en")
        for p in (a, b):
            expect(p.locator("[data-conn]")).to_have_attribute("data-status", "live")
            p.evaluate(WATCH_LIVE_REGIONS)
        paddle_a, paddle_b = d["paddles"]["buyer@demo.test"], d["paddles"]["buyer2@demo.test"]
        check_a11y(a, "room before the lot opens")
        check_a11y(officer, "console")

        # The officer opens today's first lot; both phones get it, each with its own bidder number.
        officer.locator(f"[data-queue] li[data-round-id='{d['room_first_round']}'] button").click()
        for p in (a, b):
            expect(p.locator("[data-bid-form]")).to_be_visible()
        expect(a.locator("[data-you]")).to_contain_text(f"ป้ายของคุณ {paddle_a}")
        expect(b.locator("[data-you]")).to_contain_text(f"Your bidder no. {paddle_b}")
        check_a11y(b, "room with a lot open (en)")

        first = bid(a)
        for p in (a, b, officer):
            expect(p.locator("[data-price]")).to_have_text(f"฿{first:,}")
        expect(a.locator("[data-leader]")).to_have_text("คุณเสนอราคาสูงสุด")
        expect(b.locator("[data-leader]")).to_have_text(f"Bidder no. {paddle_a}")

        second = bid(b)
        assert second > first
        for p in (a, b, officer):
            expect(p.locator("[data-price]")).to_have_text(f"฿{second:,}")
        shot(a, "j5-th-1-outbid")
        # Step buttons say how much they add; the room shows the server's clock.
        expect(a.locator("[data-steps] button").first).to_have_text(re.compile(r"^\+฿[\d,]+$"))
        expect(a.locator("[data-clock]")).to_have_text(re.compile(r"^เวลา \d\d:\d\d:\d\d$"))
        expect(b.locator("[data-clock]")).to_have_text(re.compile(r"^Time \d\d:\d\d:\d\d$"))

        # A bid the officer undoes: everyone sees a notice with the reason, and it stays struck through.
        extra = bid(a)
        expect(officer.locator("[data-price]")).to_have_text(f"฿{extra:,}")
        officer.locator("#undo-reason").fill("ผู้เสนอราคากดผิด")
        officer.locator("[data-undo-send]").click()
        for p in (a, b, officer):
            expect(p.locator("[data-price]")).to_have_text(f"฿{second:,}")
            expect(p.locator("[data-undo-notice]")).to_be_visible()
            expect(p.locator("[data-undo-notice]")).to_contain_text("ผู้เสนอราคากดผิด")
            expect(p.locator("[data-ladder] tr.undone s")).to_have_text(f"฿{extra:,}")
        expect(a.locator("[data-undo-notice]")).to_contain_text("ของคุณ")
        expect(b.locator("[data-undo-notice]")).to_contain_text("The officer withdrew")
        shot(a, "j5-th-1b-undo")
        shot(officer, "j5-th-1c-console-undo")

        # A floor bid from the walk-in, paddle typed in Thai digits; the amount is the pre-filled minimum.
        officer.locator("#floor-paddle").fill(str(d["paddles"]["walk_in"]).translate(THAI_DIGITS))
        officer.locator("[data-floor-send]").click()
        expect(a.locator("[data-leader]")).to_have_text(f"ป้ายหมายเลข {d['paddles']['walk_in']}")
        floor = amount(a, "[data-price]")
        assert floor > second
        expect(b.locator("[data-price]")).to_have_text(f"฿{floor:,}")
        shot(officer, "j5-th-2-console")

        # B's network drops; the room goes on without it.
        a.evaluate("window.__spoken.length = 0")
        line.drop()
        expect(b.locator("[data-conn]")).to_have_attribute("data-status", re.compile("offline|reconnecting"))
        final = bid(a)
        expect(officer.locator("[data-price]")).to_have_text(f"฿{final:,}")
        for n in (1, 2, 3):
            officer.locator(f"[data-count-btn='{n}']").click()
            expect(a.locator("[data-count]")).to_have_attribute("data-n", str(n))
        officer.locator("[data-hammer]").click()
        officer.locator("dialog[data-confirm] button[value=yes]").click()
        expect(a.locator("[data-result]")).to_have_text(
            f"ขายได้ ฿{final:,} ป้ายหมายเลข {paddle_a} (ผู้เสนอราคา 3 ราย)"
        )
        expect(b.locator("[data-price]")).to_have_text(
            f"฿{floor:,}"
        )  # still where it was when the line dropped

        # Back online: B catches up from where it stopped, same page, no reload.
        line.restore()
        expect(b.locator("[data-conn]")).to_have_attribute("data-status", "live", timeout=15_000)
        expect(b.locator("[data-result]")).to_have_text(
            f"Sold for ฿{final:,} to bidder no. {paddle_a} (3 bidders)"
        )
        assert b.evaluate("window.__notReloaded") is True
        # Still this bidder's paddle after the deposit was settled, and no "register to bid" on a sold lot.
        expect(b.locator("[data-you]")).to_have_text(f"Your bidder no. {paddle_b}")
        expect(b.locator("[data-why]")).to_be_hidden()
        for p in (a, b, officer):
            expect(p.locator("[data-price]")).to_have_text(f"฿{final:,}")
        d["hammered"] = final  # journey 6 looks for it on the results page
        shot(a, "j5-th-3-sold")
        shot(b, "j5-en-sold")
        check_a11y(a, "room after the hammer")
        check_a11y(b, "room after the hammer (en)")

        # Screen readers: one announcement per moment (bid, count three, hammer), never the ticking clock.
        spoken = a.evaluate("window.__spoken")
        assert len(spoken) <= 4, spoken
        assert any("นับสาม" in s for s in spoken) and not any("นับ 1" in s or "นับ 2" in s for s in spoken), (
            spoken
        )
        a.evaluate("window.__spoken.length = 0")
        a.wait_for_timeout(2500)
        assert a.evaluate("window.__spoken") == []
        for p in (a, b):
            expect(p.locator("[data-count]")).to_have_attribute("aria-hidden", "true")
            expect(p.locator("[data-since]")).to_have_attribute("aria-hidden", "true")
    finally:
        officer_ctx.close()


def test_results_show_the_hammered_lot_as_sold_with_its_bidder_count(browser, phone, server: Server):
    """Journey 6, after the room above (same server): the officers close the day and the public sees it."""
    d = server.data
    first = d["room_first_round"]
    contexts = [browser.new_context(base_url=server.url, locale="th-TH", timezone_id="Asia/Bangkok", **DESK)
                for _ in range(2)]  # fmt: skip
    try:
        officer, second = (c.new_page() for c in contexts)
        log_in(officer, "officer@demo.test")
        day = f"/officer/sale-day?office={d['office_id']}&date={d['today']}"
        officer.goto(day)
        sold = officer.locator(f"#round-{first}")
        expect(sold.locator(".badge")).to_have_text("ขายได้", timeout=2_000)
        # The lots the room did not reach: recorded as not sold, so the day can be closed.
        while (rest := officer.locator("li.card details form")).count():
            form = rest.first
            form.evaluate("f => f.closest('details').open = true")
            form.locator("select[name=outcome]").select_option("no_bidder")
            form.locator("button[type=submit]").click()
            expect(officer.locator("p.notice.ok")).to_be_visible()
        check_a11y(officer, "sale day")
        officer.locator("form[action='/officer/sale-day/submit'] button").click()
        expect(officer.locator("form[action='/officer/sale-day/approve']")).to_be_visible()
        # A second officer approves: one prepares, another publishes.
        log_in(second, "officer2@demo.test")
        second.goto(day)
        second.locator("form[action='/officer/sale-day/approve'] button").click()
        expect(second.locator("a[href^='/results?office=']")).to_be_visible()
    finally:
        for c in contexts:
            c.close()

    page = phone("th").new_page()
    page.goto("/results")
    page.locator("ul.days a").first.click()
    card = page.locator(f"#round-{first}")
    expect(card.locator(".badge")).to_have_text("ขายได้")
    facts = card.locator("dl.facts")
    expect(facts.locator("dt:text-is('จำนวนผู้เข้าสู้ราคา') + dd")).to_have_text("3")
    expect(facts.locator("dt:text-is('ราคาที่ขายได้') + dd b")).to_have_text(f"฿{d['hammered']:,}")
    expect(facts.locator("dt:text-is('ผู้ซื้อได้') + dd")).to_have_text(
        f"หมายเลขผู้เข้าสู้ราคา {d['paddles']['buyer@demo.test']}"
    )
    card.scroll_into_view_if_needed()
    shot(page, "j6-th-results")
    check_a11y(page, "results")


def test_officer_console_on_a_phone_puts_the_queue_first_between_lots(browser, server: Server):
    """After the room above: no lot open, so the officer's next step (open a lot) is at the top."""
    d = server.data
    ctx = browser.new_context(base_url=server.url, locale="th-TH", timezone_id="Asia/Bangkok",
                              viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)  # fmt: skip
    try:
        page = ctx.new_page()
        log_in(page, "officer@demo.test")
        page.goto(f"/officer/rooms/{d['office_id']}/{d['today']}")
        expect(page.locator("[data-conn]")).to_have_attribute("data-status", "live")
        expect(page.locator("[data-queue] li").first).to_be_visible()
        queue_top = page.locator("section.queue").bounding_box()["y"]
        controls_top = page.locator("section.controls").bounding_box()["y"]
        assert queue_top < controls_top < 10_000, (queue_top, controls_top)
        assert queue_top < 844, queue_top  # on the first screen
        shot(page, "j5-th-4-console-phone")
    finally:
        ctx.close()
