"""Journey 4: a newcomer signs up on a phone and pre-registers for a lot; an officer confirms the
deposit in a second browser; the buyer's account then shows the bidder number."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from auction.identity import thai_id_check_digit
from tests.e2e_browser.conftest import Server
from tests.e2e_browser.kit import check_a11y, shot

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
DESK = {"viewport": {"width": 1280, "height": 800}}


def thai_id(first12: str) -> str:
    return first12 + str(thai_id_check_digit(first12))


def sign_up_and_pre_register(page: Page, server: Server, email: str, id_no: str, en: bool) -> str:
    """From the lot page to "waiting for deposit"; returns the registration card's id."""
    lot = server.data["register_lot"]
    page.goto(f"/lots/{lot}" + ("?lang=en" if en else ""))
    page.get_by_role("link", name="Pre-register" if en else "ลงทะเบียนล่วงหน้า").click()
    expect(page).to_have_url(
        re.compile(r"/login\?")
    )  # not logged in yet: to the log-in page, coming back after
    check_a11y(page, "login")
    page.locator("main").get_by_role("link", name="Sign up" if en else "สมัครสมาชิก").click()
    page.locator("#email").fill(email)
    page.locator("#password").fill("a long enough password")
    page.locator("#display_name").fill("Somwang" if en else "สมหวัง")
    check_a11y(page, "signup")
    shot(page, f"j4-{'en' if en else 'th'}-1-signup")
    page.locator("main form button[type=submit]").click()
    # Sign-up starts no session (the same answer whether or not the e-mail had an account): the
    # page says a mail is on its way and offers the log-in, which comes back to the lot.
    expect(page).to_have_url(re.compile(r"/signup/sent"))
    check_a11y(page, "signup sent")
    page.locator("main a.button").click()
    page.locator("#email").fill(email)
    page.locator("#password").fill("a long enough password")
    page.locator("main form button[type=submit]").click()
    # Back at the lot's registration: a profile is needed first (once).
    expect(page).to_have_url(re.compile(rf"/lots/{lot}/register"))
    page.locator("main a.button").click()
    form = page.locator("#profile-form")
    form.locator("#full_name").fill("Somwang Tangjai" if en else "นายสมหวัง ตั้งใจ")
    form.locator("#id_no").fill(id_no)
    form.locator("#phone").fill("๐๘๑-๒๓๔-๕๖๗๘")
    form.locator("#address").fill("99/1 ถนนรัชดาภิเษก")
    form.locator("#province_code").select_option("10")
    form.locator("#district_code").select_option("1017")
    form.locator("#tambon").fill("ห้วยขวาง")
    form.locator("#bank_name").fill("ธนาคารกรุงไทย")
    form.locator("#bank_account_no").fill("123-4-56789-0")
    form.locator("#bank_account_name").fill("สมหวัง ตั้งใจ")
    check_a11y(page, "account with profile form")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/lots/{lot}/register"))
    expect(page.locator("input[name=round_id]").first).to_be_checked()
    check_a11y(page, "register")
    shot(page, f"j4-{'en' if en else 'th'}-2-register")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account#reg-\d+$"))
    card_id = page.url.rsplit("#", 1)[1]
    card = page.locator(f"#{card_id}")
    expect(card.locator(".badge")).to_have_text("Awaiting deposit confirmation" if en else "รอยืนยันหลักประกัน")
    expect(card.locator(".paddle")).to_have_count(0)
    card.scroll_into_view_if_needed()
    shot(page, f"j4-{'en' if en else 'th'}-3-waiting")
    check_a11y(page, "account with a pending registration")
    return card_id


def officer_confirms(page: Page, email: str, en: bool) -> int:
    page.goto("/login" + ("?lang=en" if en else ""))
    page.locator("#email").fill("officer@demo.test")
    page.locator("#password").fill("demo-password")
    page.locator("main form button[type=submit]").click()
    page.goto("/officer/registrations" + ("?lang=en" if en else ""))
    check_a11y(page, "officer deposit queue")
    card = page.locator("ul.cards li.card", has_text=email)
    expect(card).to_have_count(1)
    card.get_by_label("Payment method" if en else "วิธีวางหลักประกัน").select_option("cash")
    card.get_by_label("Receipt / reference" if en else "เลขที่ใบเสร็จ/อ้างอิง").fill("RC-2569-0042")
    card.get_by_role("button", name="Confirm deposit" if en else "ยืนยันหลักประกัน").click()
    notice = page.locator("p.notice.ok")
    expect(notice).to_be_visible()
    shot(page, f"j4-{'en' if en else 'th'}-4-officer")
    check_a11y(page, "officer queue after confirming")
    return int(notice.locator("b").inner_text())


def test_sign_up_pre_register_officer_confirms_and_buyer_sees_the_bidder_number(browser, phone, server):
    buyer = phone("th").new_page()
    card_id = sign_up_and_pre_register(
        buyer, server, "newcomer@e2e.test", thai_id("110170020712").translate(THAI_DIGITS), en=False
    )
    officer_ctx = browser.new_context(base_url=server.url, locale="th-TH", timezone_id="Asia/Bangkok", **DESK)
    try:
        paddle = officer_confirms(officer_ctx.new_page(), "newcomer@e2e.test", en=False)
    finally:
        officer_ctx.close()
    buyer.reload()
    card = buyer.locator(f"#{card_id}")
    expect(card.locator(".badge")).to_have_text("ยืนยันแล้ว ได้หมายเลขผู้เข้าสู้ราคา")
    expect(card.locator(".paddle b")).to_have_text(str(paddle))
    card.scroll_into_view_if_needed()
    shot(buyer, "j4-th-5-bidder-number")
    check_a11y(buyer, "account with the bidder number")


def test_the_same_in_english(browser, phone, server):
    buyer = phone("en").new_page()
    card_id = sign_up_and_pre_register(buyer, server, "visitor@e2e.test", thai_id("350990012399"), en=True)
    officer_ctx = browser.new_context(base_url=server.url, locale="en-US", timezone_id="Asia/Bangkok", **DESK)
    try:
        paddle = officer_confirms(officer_ctx.new_page(), "visitor@e2e.test", en=True)
    finally:
        officer_ctx.close()
    buyer.reload()
    expect(buyer.locator(f"#{card_id} .paddle b")).to_have_text(str(paddle))
