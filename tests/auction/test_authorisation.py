"""Who may do what: every registration/deposit endpoint against every kind of caller. A refusal
has a stable code and changes nothing."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from auction.models import AuditLog, Registration, Sale, SaleRound
from tests import factories as f
from tests.auction import regkit


async def snapshot(db) -> tuple:
    async with db() as s:
        regs = tuple(
            (r.id, r.status, r.bidder_no)
            for r in await s.scalars(select(Registration).order_by(Registration.id))
        )
        audits = await s.scalar(select(func.count()).select_from(AuditLog))
        sales = tuple((x.balance_due_date, x.status) for x in await s.scalars(select(Sale)))
    return regs, audits, sales


async def setting(db, client):
    w = await regkit.build(db)
    async with db.begin() as s:
        admin = await f.make_user(s, "admin@x.test", role="admin", office_code="LED-10-3")
        admin_token = await f.login_token(s, admin)
    reg = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))).json()
    released = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer2"))).json()
    async with db.begin() as s:
        row = await s.get(Registration, released["id"])
        row.status = "released"
        rnd = await s.get(SaleRound, w.round1)
        sale = Sale(round_id=rnd.id, lot_id=w.lot, registration_id=reg["id"], price=2_000_000, deposit_applied=150_000,
                    balance_due_date=rnd.sale_date + dt.timedelta(days=15))  # fmt: skip
        s.add(sale)
        await s.flush()
        sale_id = sale.id
    headers = {
        "public": {}, "buyer": w.h("buyer"), "buyer2": w.h("buyer2"), "officer": w.h("officer"),
        "other_officer": w.h("other_officer"), "admin": {"authorization": f"Bearer {admin_token}"},
    }  # fmt: skip
    return w, reg["id"], released["id"], sale_id, headers


# (method, url template, body, {caller: (status, code)}). A caller not named is not tried.
MATRIX = [
    ("GET", "/api/registrations/{reg}", None, {
        "public": (401, "login_required"), "buyer2": (403, "not_your_registration"),
        "other_officer": (403, "not_your_registration"), "buyer": (200, None), "officer": (200, None)}),
    ("POST", "/api/registrations/{reg}/cancel", {}, {
        "public": (401, "login_required"), "buyer2": (403, "not_your_registration"),
        "officer": (403, "not_your_registration")}),
    ("GET", "/api/officer/registrations", None, {
        "public": (401, "login_required"), "buyer": (403, "officer_only"), "officer": (200, None)}),
    ("POST", "/api/officer/registrations/{reg}/reject", {"reason": "x"}, {
        "public": (401, "login_required"), "buyer": (403, "officer_only"), "buyer2": (403, "officer_only"),
        "other_officer": (403, "wrong_office")}),
    ("POST", "/api/officer/registrations/{reg}/confirm", {"method": "cash", "reference": "R"}, {
        "public": (401, "login_required"), "buyer": (403, "officer_only"),
        "other_officer": (403, "wrong_office")}),
    ("POST", "/api/officer/rounds/{round}/walk-ins", {"name": "ก", "id_no": "AB123456", "method": "cash",
                                                      "reference": "R"}, {
        "public": (401, "login_required"), "buyer": (403, "officer_only"), "other_officer": (403, "wrong_office")}),
    ("GET", "/api/officer/refunds", None, {"public": (401, "login_required"), "buyer": (403, "officer_only")}),
    ("GET", "/api/officer/refunds.csv", None, {"buyer": (403, "officer_only")}),
    ("POST", "/api/officer/registrations/{released}/refunded", {"reference": "T"}, {
        "public": (401, "login_required"), "buyer2": (403, "officer_only"), "other_officer": (403, "wrong_office")}),
    ("GET", "/api/officer/sales", None, {"buyer": (403, "officer_only")}),
    ("POST", "/api/officer/sales/{sale}/extend", {"due_date": "2099-01-01", "reason": "loan"}, {
        "public": (401, "login_required"), "buyer": (403, "officer_only"), "other_officer": (403, "wrong_office")}),
    ("POST", "/api/officer/sales/{sale}/default", {"reason": "unpaid"}, {
        "buyer": (403, "officer_only"), "other_officer": (403, "wrong_office")}),
    ("POST", "/api/officer/sales/{sale}/paid", {"reference": "PAY-1"}, {
        "public": (401, "login_required"), "buyer": (403, "officer_only"), "other_officer": (403, "wrong_office")}),
    ("PUT", "/api/me/profile", regkit.profile_form(), {
        "public": (401, "login_required"), "officer": (403, "buyers_only")}),
    ("POST", "/api/lots/{lot}/registrations", {}, {
        "public": (401, "login_required"), "officer": (403, "led_staff_cannot_bid"),
        "admin": (403, "led_staff_cannot_bid")}),
]  # fmt: skip


@pytest.mark.parametrize("method, template, body, expected", MATRIX, ids=[m[1] for m in MATRIX])
async def test_authorisation_matrix(db, client, method, template, body, expected) -> None:
    w, reg, released, sale, headers = await setting(db, client)
    url = template.format(reg=reg, released=released, sale=sale, round=w.round1, lot=w.lot)
    for caller, (status, code) in expected.items():
        before = await snapshot(db)
        r = await client.request(method, url, json=body, headers=headers[caller])
        assert r.status_code == status, (caller, r.text)
        if code:
            assert r.json()["error"]["code"] == code, caller
            assert await snapshot(db) == before, f"{caller} changed something"


async def test_officers_act_for_their_own_office_and_admins_for_any(db, client) -> None:
    w, reg, released, sale, headers = await setting(db, client)
    r = await client.get("/api/officer/registrations", headers=headers["other_officer"])
    assert r.json()["items"] == []
    r = await client.post(f"/api/officer/registrations/{reg}/confirm", json={"method": "cash", "reference": "A1"},
                          headers=headers["admin"])  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = await client.post(f"/api/officer/registrations/{released}/refunded", json={"reference": "T1"},
                          headers=headers["officer"])  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "refunded"


async def test_signup_only_ever_makes_buyers(db, client) -> None:
    r = await client.post("/api/auth/signup", json={"email": "sneaky@x.test", "password": "long enough",
                                                   "role": "officer", "office_id": 1})  # fmt: skip
    assert r.status_code == 202
    r = await client.post("/api/auth/login", json={"email": "sneaky@x.test", "password": "long enough"})
    assert (
        r.status_code == 200 and r.json()["user"]["role"] == "buyer" and r.json()["user"]["office_id"] is None
    )
