"""Eligibility in one place: check_can_bid() decides for registration and for the live room."""

import datetime as dt

from sqlalchemy import func, select

from auction import registration
from auction.auth import Principal
from auction.models import BuyerProfile, Registration, Room, SaleRound, User
from tests import factories as f
from tests.auction import regkit


async def test_check_can_bid_covers_staff_bars_the_conducting_officer_and_registration(db) -> None:
    w = await regkit.build(db)
    day = registration.today()
    async with db.begin() as s:
        rnd = await s.get(SaleRound, w.round1)
        buyer = await s.get(User, w.buyer)
        officer = await s.get(User, w.officer)
        staff = await f.make_user(s, "staff@x.test")
        staff.is_led_staff = True
        check = registration.check_can_bid
        assert await check(s, None, rnd) == "login_required"
        assert await check(s, officer, rnd, need_registration=False) == "led_staff_cannot_bid"
        assert await check(s, staff, rnd, need_registration=False) == "led_staff_cannot_bid"
        assert await check(s, buyer, rnd, need_registration=False) is None
        assert await check(s, buyer, rnd) == "not_registered"
        # Whoever conducts the room is refused by id, even if their account looks like a buyer's.
        s.add(Room(office_id=rnd.office_id, sale_date=rnd.sale_date, officer_id=buyer.id))
        await s.flush()
        assert await check(s, buyer, rnd, need_registration=False) == "conducting_officer_cannot_bid"
        buyer2 = await s.get(User, w.buyer2)
        buyer2.barred_until = day
        assert await check(s, buyer2, rnd, day=day, need_registration=False) == "bidder_barred"
        assert await check(s, buyer2, rnd, day=day + dt.timedelta(days=1), need_registration=False) is None
        # A Principal (what routes hold) is judged the same as the User row.
        p = Principal(user_id=w.buyer2, role="buyer", barred_until=day)
        assert await check(s, p, rnd, day=day, need_registration=False) == "bidder_barred"


async def test_confirmed_registration_is_what_lets_a_buyer_bid(db, client) -> None:
    w = await regkit.build(db)
    reg = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))).json()
    await client.post(f"/api/officer/registrations/{reg['id']}/confirm",
                      json={"method": "cash", "reference": "R1"}, headers=w.h("officer"))  # fmt: skip
    async with db() as s:
        rnd = await s.get(SaleRound, w.round1)
        assert await registration.check_can_bid(s, await s.get(User, w.buyer), rnd) is None
        assert await registration.check_can_bid(s, await s.get(User, w.buyer2), rnd) == "not_registered"
        mine = await registration.confirmed_registration(s, w.buyer, w.round1)
        assert mine is not None and mine.bidder_no == 1


async def test_staff_officers_and_barred_buyers_cannot_register_and_nothing_is_written(db, client) -> None:
    w = await regkit.build(db)
    async with db.begin() as s:
        (await s.get(User, w.buyer2)).barred_until = registration.today() + dt.timedelta(days=30)
    url = f"/api/lots/{w.lot}/registrations"
    for who, status, code in (("officer", 403, "led_staff_cannot_bid"), ("other_officer", 403, "led_staff_cannot_bid"),
                              ("buyer2", 403, "bidder_barred")):  # fmt: skip
        r = await client.post(url, json={}, headers=w.h(who))
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), who
    r = await client.post(url, json={})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "login_required")
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(Registration)) == 0


async def test_a_buyer_barred_after_pre_registering_cannot_be_confirmed(db, client) -> None:
    w = await regkit.build(db)
    reg = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))).json()
    async with db.begin() as s:
        (await s.get(User, w.buyer)).barred_until = registration.today() + dt.timedelta(days=1)
    r = await client.post(f"/api/officer/registrations/{reg['id']}/confirm",
                          json={"method": "cash", "reference": "R"}, headers=w.h("officer"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (403, "bidder_barred")
    async with db() as s:
        assert (await s.get(Registration, reg["id"])).status == "pending_deposit"


async def test_a_barred_account_holder_cannot_walk_in_either(db, client) -> None:
    w = await regkit.build(db)
    async with db.begin() as s:
        (await s.get(User, w.buyer)).barred_until = registration.today() + dt.timedelta(days=1)
    r = await client.post(f"/api/officer/rounds/{w.round1}/walk-ins", headers=w.h("officer"), json={
        "name": "นายสมหวัง ตั้งใจ", "id_no": regkit.GOOD_ID, "method": "cash", "reference": "R"})  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (403, "bidder_barred")


async def test_company_with_a_stale_affidavit_cannot_register(db, client) -> None:
    w = await regkit.build(db)
    form = regkit.profile_form(kind="company", full_name="บริษัท ทดสอบ จำกัด", juristic_no="0105512345678",
                               affidavit_date=(registration.today() - dt.timedelta(days=3)).isoformat())  # fmt: skip
    r = await client.put("/api/me/profile", json=form, headers=w.h("buyer2"))
    assert r.status_code == 200 and r.json()["profile"]["kind"] == "company"
    stale = {**form, "affidavit_date": (registration.today() - dt.timedelta(days=40)).isoformat()}
    r = await client.put("/api/me/profile", json=stale, headers=w.h("buyer2"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "affidavit_expired")
    async with db.begin() as s:
        (await s.get(BuyerProfile, w.buyer2)).affidavit_date = registration.today() - dt.timedelta(days=40)
    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer2"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "affidavit_expired")
