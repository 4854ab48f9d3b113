"""After pre-registering a buyer is told how, where and by when to pay the deposit; after winning,
what is owed, by when, and how to ask for more time (issue 19)."""

import datetime as dt
import re

import pytest

from auction import payment
from auction.registration import today
from tests.auction import regkit, winkit
from tests.auction.test_registration_pages import login


def tlv(payload: str) -> dict[str, str]:
    out, i = {}, 0
    while i < len(payload):
        tag, size = payload[i : i + 2], int(payload[i + 2 : i + 4])
        out[tag] = payload[i + 4 : i + 4 + size]
        i += 4 + size
    return out


def test_promptpay_bill_payment_payload_carries_biller_amount_reference_and_a_valid_crc() -> None:
    assert payment.crc16("123456789") == "29B1"  # the CRC-16/CCITT-FALSE check value
    p = payment.promptpay_bill_payload("099400010000101", 150_000, "D00000042")
    top = tlv(p)
    assert top["00"] == "01" and top["01"] == "12" and top["53"] == "764" and top["58"] == "TH"
    assert top["54"] == "150000.00"
    assert tlv(top["30"]) == {"00": "A000000677010112", "01": "099400010000101", "02": "D00000042"}
    assert p[-8:-4] == "6304" and payment.crc16(p[:-4]) == p[-4:]
    with pytest.raises(ValueError):
        payment.promptpay_bill_payload("12345", 1, "D1")
    with pytest.raises(ValueError):
        payment.promptpay_bill_payload("099400010000101", 1, "lower-case")


def test_a_transfer_is_due_the_working_day_before_the_sale() -> None:
    office = payment.office_payment("LED-10-1", "สำนักงาน", "Office")
    assert office.demo and "ตัวอย่าง" in office.account_name["th"]
    monday = dt.date(2026, 12, 7)
    assert payment.transfer_deadline(monday, office) == dt.date(2026, 12, 4)  # the Friday before
    assert payment.transfer_deadline(dt.date(2026, 12, 9), office) == dt.date(2026, 12, 8)


async def test_after_pre_registering_the_buyer_sees_how_where_and_by_when_to_pay(db, client) -> None:
    w = await regkit.build(db)
    reg_id = await winkit.registered(db, w, confirm=False)
    ref = f"D{reg_id:08d}"
    await login(client, "b1@x.test")
    account = (await client.get("/account?lang=th")).text
    assert ref in account and "฿150,000" in account and f'href="/account/registrations/{reg_id}"' in account
    assert "ผบ.1234/2563 · ลำดับที่ 1 · ห้องชุด ลุมพินี พระราม 9 · ห้วยขวาง กรุงเทพมหานคร" in account
    page = (await client.get(f"/account/registrations/{reg_id}")).text
    assert "วิธีวางหลักประกัน" in page and ref in page and "฿150,000" in page
    assert "000-0-10001-0" in page and "ข้อมูลตัวอย่าง" in page  # the office's (demo) account, labelled
    assert re.search(r'<svg role="img"[^>]*class="qr"', page) and f"PromptPay QR {ref}" in page
    sale_day = w.sale_date
    assert f"{sale_day.day:02d}/{sale_day.month:02d}/{sale_day.year + 543}" in page and "09:30" in page
    assert "บัตรประจำตัวประชาชนตัวจริง" in page and "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 1" in page
    en = (await client.get(f"/account/registrations/{reg_id}?lang=en")).text
    assert "How to place your deposit" in en and "What to bring" in en and "Demo account" in en
    assert "Your original Thai ID card" in en


async def test_only_the_buyer_and_the_office_see_a_registration_s_payment_page(db, client) -> None:
    w = await regkit.build(db)
    reg_id = await winkit.registered(db, w, confirm=False)
    r = await client.get(f"/account/registrations/{reg_id}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    await login(client, "b2@x.test")
    assert (await client.get(f"/account/registrations/{reg_id}")).status_code == 403
    assert (await client.get("/account/registrations/999999")).status_code == 404
    assert (await client.get("/account/registrations/abc")).status_code == 400
    await login(client, "o1@x.test")
    assert (await client.get(f"/account/registrations/{reg_id}")).status_code == 200
    await login(client, "o2@x.test")  # another office
    assert (await client.get(f"/account/registrations/{reg_id}")).status_code == 403


async def sale_id_of(client) -> int:
    account = (await client.get("/account")).text
    m = re.search(r'href="/account/sales/(\d+)"', account)
    assert m, "the account links the win to its sale page"
    return int(m.group(1))


async def test_the_winner_sees_price_deposit_balance_deadline_and_how_to_ask_for_more_time(
    db, client
) -> None:
    w = await regkit.build(db)
    await winkit.won(db, w, price=1_700_000)
    await login(client, "b1@x.test")
    sale_id = await sale_id_of(client)
    page = (await client.get(f"/account/sales/{sale_id}?lang=th")).text
    due = today() + dt.timedelta(days=15)
    assert "฿1,700,000" in page and "฿150,000" in page and "฿1,550,000" in page
    assert f"{due.day:02d}/{due.month:02d}/{due.year + 543}" in page and "อีก 15 วัน" in page
    assert "ขอขยายระยะเวลาชำระ" in page and "90 วัน" in page and f"S{sale_id:08d}" in page
    en = (await client.get(f"/account/sales/{sale_id}?lang=en")).text
    assert "Balance due" in en and "Asking for more time" in en and "bank's letter" in en
    lot_page = (await client.get(f"/lots/{w.lot}")).text
    assert f'href="/account/sales/{sale_id}"' in lot_page  # the sold banner leads the winner here
    await login(client, "b2@x.test")
    assert (await client.get(f"/account/sales/{sale_id}")).status_code == 403
    assert f'href="/account/sales/{sale_id}"' not in (await client.get(f"/lots/{w.lot}")).text


async def test_the_officer_s_recorded_payment_shows_on_the_winner_s_page(db, client) -> None:
    w = await regkit.build(db)
    await winkit.won(db, w, price=1_700_000)
    await login(client, "b1@x.test")
    sale_id = await sale_id_of(client)
    r = await client.post(f"/api/officer/sales/{sale_id}/paid", json={"reference": "KTB-BAL-77"},
                          headers=w.h("officer"))  # fmt: skip
    assert r.status_code == 200, r.text
    page = (await client.get(f"/account/sales/{sale_id}?lang=en")).text
    assert "Balance paid" in page and "KTB-BAL-77" in page and "฿1,550,000" in page
    assert "PromptPay QR" not in page and "Balance due" not in page  # nothing left to pay


async def test_the_officer_s_queue_and_the_api_show_the_buyer_s_payment_reference(db, client) -> None:
    w = await regkit.build(db)
    reg_id = await winkit.registered(db, w, confirm=False)
    ref = f"D{reg_id:08d}"
    mine = (await client.get("/api/me/registrations", headers=w.h("buyer"))).json()["items"]
    assert mine[0]["pay_reference"] == ref
    await login(client, "o1@x.test")
    assert ref in (await client.get("/officer/registrations")).text


async def test_registering_on_the_sale_day_says_to_pay_at_the_office_not_to_transfer(db, client) -> None:
    w = await regkit.build(db, first_in_days=0)
    reg_id = await winkit.registered(db, w, confirm=False)
    await login(client, "b1@x.test")
    page = (await client.get(f"/account/registrations/{reg_id}?lang=en")).text
    assert (
        "Too late to transfer" in page
        and 'class="qr"' not in page
        and "At the office on the sale day" in page
    )
    assert "too late to transfer" in (await client.get("/account?lang=en")).text
