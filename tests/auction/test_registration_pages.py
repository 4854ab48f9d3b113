"""The pages a newcomer and an officer use, driven like a browser: forms, the CSRF field, redirects."""

import re

from tests.auction import regkit


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]*)"', html)
    assert m, "form without a csrf field"
    return m.group(1)


async def login(client, email: str, password: str = "correct horse battery") -> None:
    client.cookies.clear()
    page = await client.get("/login")
    r = await client.post("/login", data={"csrf": csrf_of(page.text), "email": email, "password": password})
    assert r.status_code == 303, r.text


async def test_newcomer_signs_up_registers_and_sees_the_bidder_number_after_the_officer_confirms(
    db, client
) -> None:
    w = await regkit.build(db)
    r = await client.get(f"/lots/{w.lot}/register")
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/lots/{w.lot}/register"
    page = await client.get("/signup")
    assert page.status_code == 200 and "สมัครสมาชิก" in page.text
    r = await client.post("/signup", data={"csrf": csrf_of(page.text), "email": "new@x.test",
                                           "password": "long enough pw", "next": f"/lots/{w.lot}/register"})  # fmt: skip
    # No session yet: the same answer as for an e-mail that has an account (the mail says which).
    assert r.status_code == 303 and r.headers["location"] == f"/signup/sent?next=%2Flots%2F{w.lot}%2Fregister"
    sent = await client.get(r.headers["location"])
    assert "ตรวจสอบอีเมล" in sent.text and f'href="/login?next=/lots/{w.lot}/register"' in sent.text
    r = await client.post("/login", data={"email": "new@x.test",
                                          "password": "long enough pw", "next": f"/lots/{w.lot}/register"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/lots/{w.lot}/register"

    page = await client.get(f"/lots/{w.lot}/register")
    assert "กรุณากรอกข้อมูลผู้ซื้อก่อน" in page.text
    account = await client.get(f"/account?next=/lots/{w.lot}/register")
    form = regkit.profile_form(regkit.valid_id("110370000000"))
    bad = await client.post(
        "/account/profile", data={**form, "id_no": "1103700000001", "csrf": csrf_of(account.text)}
    )
    assert bad.status_code == 400 and "หลักตรวจสอบไม่ตรง" in bad.text and 'aria-invalid="true"' in bad.text
    r = await client.post("/account/profile", data={**form, "csrf": csrf_of(account.text),
                                                    "next": f"/lots/{w.lot}/register"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/lots/{w.lot}/register"

    page = await client.get(f"/lots/{w.lot}/register")
    assert "฿150,000" in page.text and "฿80,000" in page.text
    r = await client.post(
        f"/lots/{w.lot}/register", data={"csrf": csrf_of(page.text), "round_id": str(w.round1)}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/account#reg-")
    mine = await client.get("/account")
    assert "รอยืนยันหลักประกัน" in mine.text

    await login(client, "o1@x.test")
    queue = await client.get("/officer/registrations")
    assert queue.status_code == 200 and "นายสมหวัง ตั้งใจ" in queue.text
    reg_id = re.search(r'action="/officer/registrations/(\d+)/confirm"', queue.text).group(1)
    r = await client.post(f"/officer/registrations/{reg_id}/confirm",
                          data={"csrf": csrf_of(queue.text), "method": "transfer", "reference": "KTB-1"})  # fmt: skip
    assert r.status_code == 303 and "no=1" in r.headers["location"]
    assert "ออกหมายเลขผู้เข้าสู้ราคา" in (await client.get(r.headers["location"])).text

    await login(client, "new@x.test", "long enough pw")
    mine = await client.get("/account?lang=en")
    assert "Confirmed: bidder number issued" in mine.text
    assert re.search(r'class="paddle"[^>]*>Bidder number <b>1</b>', mine.text)


async def test_a_form_post_without_the_csrf_field_is_refused_and_changes_nothing(db, client) -> None:
    w = await regkit.build(db)
    await login(client, "b1@x.test")
    r = await client.post(f"/lots/{w.lot}/register", data={"round_id": str(w.round1)})
    assert r.status_code == 403 and "csrf" not in r.headers.get("location", "")
    assert "ลงทะเบียนนัดนี้ไว้แล้ว" not in r.text
    assert (await client.get("/api/me/registrations")).json()["items"] == []


async def test_officer_pages_refuse_buyers_and_login_refuses_foreign_redirects(db, client) -> None:
    w = await regkit.build(db)
    page = await client.get("/login?next=//evil.test/x")
    r = await client.post("/login", data={"csrf": csrf_of(page.text), "email": "b1@x.test",
                                          "password": "correct horse battery", "next": "//evil.test/x"})  # fmt: skip
    assert r.headers["location"] == "/account"
    for url in ("/officer/registrations", "/officer/refunds"):
        r = await client.get(url)
        assert r.status_code == 403 and "เฉพาะเจ้าพนักงานบังคับคดี" in r.text
    r = await client.get(f"/lots/{w.lot}/register")
    assert r.status_code == 200 and 'name="round_id"' in r.text
    await login(client, "o1@x.test")
    r = await client.get(f"/lots/{w.lot}/register")
    assert "เจ้าหน้าที่กรมบังคับคดีไม่มีสิทธิเข้าสู้ราคา" in r.text and 'name="round_id"' not in r.text


async def test_walk_in_and_reject_from_the_officer_page(db, client) -> None:
    w = await regkit.build(db)
    await login(client, "b1@x.test")
    page = await client.get(f"/lots/{w.lot}/register")
    await client.post(f"/lots/{w.lot}/register", data={"csrf": csrf_of(page.text)})
    await login(client, "o1@x.test")
    queue = await client.get("/officer/registrations")
    token = csrf_of(queue.text)
    reg_id = re.search(r'action="/officer/registrations/(\d+)/reject"', queue.text).group(1)
    r = await client.post(f"/officer/registrations/{reg_id}/reject", data={"csrf": token, "reason": ""})
    assert r.status_code == 400 and "กรุณาระบุเหตุผล" in r.text
    r = await client.post(
        f"/officer/registrations/{reg_id}/reject", data={"csrf": token, "reason": "สลิปไม่ชัด"}
    )
    assert r.status_code == 303
    r = await client.post("/officer/walk-ins", data={"csrf": token, "round_id": str(w.round1), "name": "นายเดิน มา",
                                                     "id_no": "AA1234567", "method": "cash", "reference": "C-9"})  # fmt: skip
    assert r.status_code == 303 and "no=1" in r.headers["location"]


async def test_refunds_page_lists_and_marks_refunds(db, client) -> None:
    from tests.auction.test_refunds import closed_lot

    w, ids, sale, hammer = await closed_lot(db, client)
    await login(client, "o1@x.test")
    page = await client.get("/officer/refunds")
    assert "นางสาวมานี มีเงิน" in page.text and "1234567890" in page.text and f"sale-{sale}" in page.text
    r = await client.post(
        f"/officer/refunds/{ids['buyer2']}", data={"csrf": csrf_of(page.text), "reference": "TR-1"}
    )
    assert r.status_code == 303
    assert "นางสาวมานี มีเงิน" not in (await client.get("/officer/refunds")).text


async def test_the_officer_records_the_balance_paid_from_the_refunds_page(db, client) -> None:
    from tests.auction.test_refunds import closed_lot

    w, ids, sale, hammer = await closed_lot(db, client)
    await login(client, "o1@x.test")
    page = await client.get("/officer/refunds")
    assert f'action="/officer/sales/{sale}/paid"' in page.text and "รอชำระราคาส่วนที่เหลือ" in page.text
    r = await client.post(f"/officer/sales/{sale}/paid", data={"csrf": csrf_of(page.text), "reference": ""})
    assert r.status_code == 400 and f'action="/officer/sales/{sale}/paid"' in r.text  # refused, form again
    r = await client.post(
        f"/officer/sales/{sale}/paid", data={"csrf": csrf_of(page.text), "reference": "SCB-77"}
    )
    assert r.status_code == 303
    after = (await client.get("/officer/refunds")).text
    assert "ชำระราคาครบแล้ว" in after and f'action="/officer/sales/{sale}/paid"' not in after
