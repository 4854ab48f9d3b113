"""The registration workflow end to end through the API: sign up, profile, register, officer
confirms, bidder number; and every refusal leaves nothing changed."""

from sqlalchemy import func, select

from auction.models import AuditLog, BidderNumber, Registration, SaleRound
from tests import factories as f
from tests.auction import regkit
from tests.auction.regkit import profile_form


async def count(db, model) -> int:
    async with db() as s:
        return await s.scalar(select(func.count()).select_from(model)) or 0


async def test_newcomer_signs_up_registers_and_officer_confirms_with_a_bidder_number(db, client) -> None:
    w = await regkit.build(db)
    r = await client.post("/api/auth/signup", json={"email": "New@Buyer.test", "password": "long enough pw",
                                                   "display_name": "ผู้ซื้อใหม่"})  # fmt: skip
    assert r.status_code == 202
    r = await client.post("/api/auth/login", json={"email": "new@buyer.test", "password": "long enough pw"})
    assert r.status_code == 200 and r.json()["user"]["role"] == "buyer"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
    me = {"authorization": f"Bearer {r.json()['token']}"}

    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=me)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "profile_required")

    r = await client.put("/api/me/profile", json=profile_form("3-1009-00000-00-4"), headers=me)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_thai_id_check_digit"
    good = "1-1037-00000-00-" + regkit.valid_id("110370000000")[-1]
    r = await client.put("/api/me/profile", json=profile_form(good), headers=me)
    assert r.status_code == 200 and r.json()["profile"]["thai_id"] == good.replace("-", "")

    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=me)
    assert r.status_code == 201
    reg = r.json()
    assert (
        reg["status"] == "pending_deposit" and reg["deposit_due"] == 150_000 and reg["round_id"] == w.round1
    )
    assert reg["bidder_no"] is None

    queue = (await client.get("/api/officer/registrations", headers=w.h("officer"))).json()["items"]
    assert [q["id"] for q in queue] == [reg["id"]] and queue[0]["buyer"]["name"] == "นายสมหวัง ตั้งใจ"

    r = await client.post(f"/api/officer/registrations/{reg['id']}/confirm",
                          json={"method": "transfer", "reference": "KTB-778899"}, headers=w.h("officer"))  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "confirmed" and r.json()["bidder_no"] == 1

    mine = (await client.get("/api/me/registrations", headers=me)).json()["items"]
    assert mine[0]["status"] == "confirmed" and mine[0]["bidder_no"] == 1
    assert mine[0]["status_label"]["th"].startswith("ยืนยันแล้ว")
    async with db() as s:
        trail = list(await s.scalars(select(AuditLog).where(AuditLog.entity == "registration")
                                     .order_by(AuditLog.id)))  # fmt: skip
    assert [(a.action, a.from_state, a.to_state) for a in trail] == [
        ("register", None, "pending_deposit"), ("confirm_deposit", "pending_deposit", "confirmed"),
    ]  # fmt: skip
    assert trail[1].actor_id == w.officer and trail[1].detail["bidder_no"] == 1


async def test_setoff_class_and_proxy_are_recorded_with_the_reduced_deposit(db, client) -> None:
    w = await regkit.build(db)
    r = await client.post(f"/api/lots/{w.lot}/registrations", headers=w.h("buyer"), json={
        "round_id": w.round2, "setoff": True, "proxy_principal_name": "บริษัท ก จำกัด",
        "proxy_principal_id": "0105512345678"})  # fmt: skip
    assert r.status_code == 201
    body = r.json()
    assert body["deposit_due"] == 80_000 and body["setoff"] is True and body["round_id"] == w.round2
    assert body["proxy_principal_name"] == "บริษัท ก จำกัด"
    r = await client.post(f"/api/lots/{w.lot}/registrations", headers=w.h("buyer2"),
                          json={"proxy_principal_name": "นาย ก"})  # fmt: skip
    assert r.json()["error"]["code"] == "incomplete_proxy"


async def test_one_paddle_per_person_per_office_and_day_numbers_go_up(db, client) -> None:
    w = await regkit.build(db)
    async with db.begin() as s:
        case = await f.make_case(s, red="ผบ.55/2566")
        lot2 = await f.make_lot(s, case, first_date=w.sale_date)
    ids = []
    for who, lot in (("buyer", w.lot), ("buyer2", w.lot), ("buyer", lot2.id)):
        r = await client.post(f"/api/lots/{lot}/registrations", json={}, headers=w.h(who))
        ids.append(r.json()["id"])
    numbers = []
    for reg_id in ids:
        r = await client.post(f"/api/officer/registrations/{reg_id}/confirm",
                              json={"method": "cash", "reference": f"R{reg_id}"}, headers=w.h("officer"))  # fmt: skip
        numbers.append(r.json()["bidder_no"])
    assert numbers == [1, 2, 1]
    assert await count(db, BidderNumber) == 2


async def test_confirming_twice_is_refused_and_changes_nothing(db, client) -> None:
    w = await regkit.build(db)
    reg = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))).json()
    url = f"/api/officer/registrations/{reg['id']}/confirm"
    assert (
        await client.post(url, json={"method": "card", "reference": "EDC1"}, headers=w.h("officer"))
    ).status_code == 200
    audits = await count(db, AuditLog)
    r = await client.post(url, json={"method": "cash", "reference": "other"}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_confirmed")
    async with db() as s:
        row = await s.get(Registration, reg["id"])
    assert (row.deposit_method, row.deposit_reference) == ("card", "EDC1")
    assert await count(db, AuditLog) == audits and await count(db, BidderNumber) == 1


async def test_duplicate_registration_is_refused_but_a_cancelled_one_may_be_redone(db, client) -> None:
    w = await regkit.build(db)
    url = f"/api/lots/{w.lot}/registrations"
    first = (await client.post(url, json={}, headers=w.h("buyer"))).json()
    r = await client.post(url, json={}, headers=w.h("buyer"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_registered")
    assert r.json()["error"]["registration_id"] == first["id"]
    assert await count(db, Registration) == 1
    r = await client.post(f"/api/registrations/{first['id']}/cancel", headers=w.h("buyer"))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert (await client.post(url, json={}, headers=w.h("buyer"))).status_code == 201


async def test_reject_needs_a_reason_and_the_buyer_sees_it(db, client) -> None:
    w = await regkit.build(db)
    reg = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))).json()
    url = f"/api/officer/registrations/{reg['id']}/reject"
    r = await client.post(url, json={"reason": "  "}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "reason_required")
    r = await client.post(url, json={"reason": "ยอดโอนไม่ครบ"}, headers=w.h("officer"))
    assert r.json()["status"] == "rejected"
    mine = (await client.get(f"/api/registrations/{reg['id']}", headers=w.h("buyer"))).json()
    assert mine["status"] == "rejected" and mine["reject_reason"] == "ยอดโอนไม่ครบ"
    r = await client.post(f"/api/officer/registrations/{reg['id']}/confirm",
                          json={"method": "cash", "reference": "x"}, headers=w.h("officer"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_pending")


async def test_registration_closes_when_the_round_opens_or_its_day_passed(db, client) -> None:
    w = await regkit.build(db)
    pending = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))).json()
    async with db.begin() as s:
        (await s.get(SaleRound, w.round1)).live_state = "open"
    before = await count(db, Registration)
    r = await client.post(
        f"/api/lots/{w.lot}/registrations", json={"round_id": w.round1}, headers=w.h("buyer2")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "registration_closed")
    r = await client.post(f"/api/officer/registrations/{pending['id']}/confirm",
                          json={"method": "cash", "reference": "late"}, headers=w.h("officer"))  # fmt: skip
    assert r.json()["error"]["code"] == "registration_closed"
    assert await count(db, Registration) == before

    past = await regkit.build_past_lot(db)
    r = await client.post(f"/api/lots/{past}/registrations", json={}, headers=w.h("buyer2"))
    # The default round is the first still scheduled; its day has passed.
    assert r.json()["error"]["code"] == "registration_closed"


async def test_malformed_ids_and_unknown_rounds_are_4xx(db, client) -> None:
    w = await regkit.build(db)
    for url, status, code in [
        ("/api/lots/abc/registrations", 400, "malformed_id"),
        ("/api/lots/999999/registrations", 404, "lot_not_found"),
        ("/api/officer/registrations/x/confirm", 400, "malformed_id"),
        ("/api/officer/registrations/424242/confirm", 404, "registration_not_found"),
    ]:
        h = w.h("officer") if "officer" in url else w.h("buyer")
        r = await client.post(url, json={"method": "cash", "reference": "a"}, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), url
    r = await client.post(f"/api/lots/{w.lot}/registrations", json={"round_id": 999999}, headers=w.h("buyer"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "round_not_found")
    r = await client.post(f"/api/lots/{w.lot}/registrations", content=b"[1]",
                          headers={**w.h("buyer"), "content-type": "application/json"})  # fmt: skip
    assert r.json()["error"]["code"] == "bad_json"


async def test_walk_in_gets_a_paddle_from_the_officer_in_one_step(db, client) -> None:
    w = await regkit.build(db)
    r = await client.post(f"/api/officer/rounds/{w.round1}/walk-ins", headers=w.h("officer"), json={
        "name": "นายเดินมา หน้างาน", "id_no": "๕-๑๐๐๑-๐๐๐๐๐-๐๐-" + regkit.valid_id("510010000000")[-1],
        "method": "cheque", "reference": "CHQ-1"})  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["channel"] == "floor" and body["status"] == "confirmed" and body["bidder_no"] == 1
    async with db() as s:
        paddle = await s.scalar(select(BidderNumber))
    assert paddle.walk_in_name == "นายเดินมา หน้างาน" and paddle.user_id is None
    r = await client.post(f"/api/officer/rounds/{w.round1}/walk-ins", headers=w.h("officer"),
                          json={"name": "x", "id_no": "1101700207031", "method": "cash", "reference": "r"})  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_thai_id_check_digit")


async def test_concurrent_requests_keep_one_registration_and_distinct_paddles(db, client) -> None:
    import asyncio

    w = await regkit.build(db)
    url = f"/api/lots/{w.lot}/registrations"
    twice = await asyncio.gather(*(client.post(url, json={}, headers=w.h("buyer")) for _ in range(2)))
    assert sorted(r.status_code for r in twice) == [201, 409]
    other = (await client.post(url, json={}, headers=w.h("buyer2"))).json()
    mine = next(r.json() for r in twice if r.status_code == 201)
    confirms = await asyncio.gather(*(
        client.post(f"/api/officer/registrations/{reg['id']}/confirm", json={"method": "cash", "reference": "R"},
                    headers=w.h("officer"))
        for reg in (mine, other)
    ))  # fmt: skip
    assert [r.status_code for r in confirms] == [200, 200]
    assert sorted(r.json()["bidder_no"] for r in confirms) == [1, 2]
