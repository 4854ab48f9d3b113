"""Buyers rate a service they used (1–5, a comment), once; officers see their office's figures."""

from __future__ import annotations

from sqlalchemy import select

from auction.models import Rating, Registration, SaleRound
from tests import factories as f
from tests.realtime.roomkit import approve


async def world(db):
    async with db.begin() as s:
        case = await f.make_case(s)
        lot = await f.make_lot(s, case)
        r1 = await s.scalar(select(SaleRound.id).where(SaleRound.lot_id == lot.id, SaleRound.round_no == 1))
        other_case = await f.make_case(s, red="ผบ.9/2564", office_code="LED-10-2")
        lot2 = await f.make_lot(s, other_case)
        r2 = await s.scalar(select(SaleRound.id).where(SaleRound.lot_id == lot2.id, SaleRound.round_no == 1))
        buyer = await f.make_user(s, "b@x.test")
        stranger = await f.make_user(s, "s@x.test")
        officer = await f.make_user(s, "o@x.test", role="officer", office_code="LED-10-1")
        officer2 = await f.make_user(s, "o2@x.test", role="officer", office_code="LED-10-2")
        await approve(s, buyer.id, r1, 3)
        await approve(s, buyer.id, r2, 4)
        regs = [r.id for r in await s.scalars(select(Registration).order_by(Registration.id))]
        pending = Registration(
            user_id=buyer.id, round_id=r1, lot_id=lot.id, deposit_due=1, status="pending_deposit"
        )
        s.add(pending)
        await s.flush()
        tokens = {k: await f.login_token(s, u) for k, u in
                  (("buyer", buyer), ("stranger", stranger), ("officer", officer), ("officer2", officer2))}  # fmt: skip
    h = {k: {"authorization": f"Bearer {t}"} for k, t in tokens.items()}
    return regs, pending.id, h


async def test_buyer_rates_a_confirmed_registration_once_and_the_sale_after_it(db, client) -> None:
    (reg, reg_other_office), pending, h = await world(db)
    r = await client.post("/api/ratings", json={"service": "registration", "subject_id": reg, "score": "๕",
                                                "comment": "เจ้าหน้าที่ตรวจหลักประกันรวดเร็ว"}, headers=h["buyer"])  # fmt: skip
    assert r.status_code == 201 and r.json()["score"] == 5
    r = await client.post("/api/ratings", json={"service": "registration", "subject_id": reg, "score": 1},
                          headers=h["buyer"])  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_rated")
    # The sale is not over for this registration yet.
    r = await client.post(
        "/api/ratings", json={"service": "sale", "subject_id": reg, "score": 4}, headers=h["buyer"]
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_rateable_yet")
    async with db.begin() as s:
        (await s.get(Registration, reg)).status = "released"
    r = await client.post(
        "/api/ratings", json={"service": "sale", "subject_id": reg, "score": 2}, headers=h["buyer"]
    )
    assert r.status_code == 201
    r = await client.post("/api/ratings", json={"service": "registration", "subject_id": reg_other_office,
                                                "score": 3}, headers=h["buyer"])  # fmt: skip
    assert r.status_code == 201
    mine = (await client.get("/api/ratings/mine", headers=h["buyer"])).json()["items"]
    assert {(x["service"], x["subject_id"]): x["score"] for x in mine} == {
        ("registration", reg): 5, ("sale", reg): 2, ("registration", reg_other_office): 3}  # fmt: skip
    # Officers see their own office only.
    body = (await client.get("/api/officer/ratings", headers=h["officer"])).json()
    got = {x["service"]: (x["count"], x["mean"], x["distribution"]["5"]) for x in body["items"]}
    assert got == {"registration": (1, 5.0, 1), "sale": (1, 2.0, 0)}
    assert [c["comment"] for c in body["comments"]] == ["เจ้าหน้าที่ตรวจหลักประกันรวดเร็ว"]
    body2 = (await client.get("/api/officer/ratings", headers=h["officer2"])).json()
    assert [(x["service"], x["count"], x["mean"]) for x in body2["items"]] == [("registration", 1, 3.0)]
    assert body2["comments"] == []


async def test_rating_refusals_change_nothing(db, client) -> None:
    (reg, _), pending, h = await world(db)
    cases = [
        ({}, "stranger", {"service": "registration", "subject_id": reg, "score": 5}, 404, "registration_not_found"),
        ({}, "buyer", {"service": "registration", "subject_id": pending, "score": 5}, 409, "not_rateable_yet"),
        ({}, "buyer", {"service": "meal", "subject_id": reg, "score": 5}, 400, "bad_service"),
        ({}, "buyer", {"service": "registration", "subject_id": "x", "score": 5}, 400, "malformed_id"),
        ({}, "buyer", {"service": "registration", "subject_id": reg, "score": 6}, 400, "bad_score"),
        ({}, "buyer", {"service": "registration", "subject_id": reg, "score": True}, 400, "bad_score"),
        ({}, "buyer", {"service": "registration", "subject_id": reg, "score": 5, "comment": "x" * 2001}, 400,
         "comment_too_long"),
        ({}, None, {"service": "registration", "subject_id": reg, "score": 5}, 401, "login_required"),
    ]  # fmt: skip
    for _, who, body, status, code in cases:
        r = await client.post("/api/ratings", json=body, headers=h[who] if who else {})
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
    r = await client.get("/api/officer/ratings", headers=h["buyer"])
    assert (r.status_code, r.json()["error"]["code"]) == (403, "officer_only")
    async with db() as s:
        assert await s.scalar(select(Rating)) is None
