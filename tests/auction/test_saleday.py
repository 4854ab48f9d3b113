"""Closing a sale day: outcomes entered by officers, submit refused while a round is undecided,
approval by a second officer of the same office, publication, and who may do what."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from auction.models import AuditLog, Lot, SaleDay, SaleRound
from auction.registration import today
from tests import factories as f
from tests.realtime.roomkit import approve


async def world(db):
    day = today() - dt.timedelta(days=1)
    async with db.begin() as s:
        case = await f.make_case(s)
        lots = [await f.make_lot(s, case, sale_order=str(i + 1), first_date=day) for i in range(2)]
        rounds = [
            await s.scalar(select(SaleRound.id).where(SaleRound.lot_id == lot.id, SaleRound.round_no == 1))
            for lot in lots
        ]
        await approve(s, None, rounds[1], 12, walk_in="นายสิบสอง")
        users = {
            "a1": await f.make_user(s, "a1@x.test", role="officer", office_code="LED-10-1"),
            "a2": await f.make_user(s, "a2@x.test", role="officer", office_code="LED-10-1"),
            "other": await f.make_user(s, "o@x.test", role="officer", office_code="LED-10-2"),
            "buyer": await f.make_user(s, "b@x.test"),
        }
        headers = {k: {"authorization": f"Bearer {await f.login_token(s, u)}"} for k, u in users.items()}
        office = (await f.office(s)).id
    return {"day": day, "lots": [x.id for x in lots], "rounds": rounds, "h": headers, "office": office,
            "ids": {k: u.id for k, u in users.items()}}  # fmt: skip


def day_url(w, action: str = "") -> str:
    return f"/api/officer/sale-days/{w['office']}/{w['day'].isoformat()}" + (f"/{action}" if action else "")


async def test_outcomes_then_two_officers_publish_the_day(db, client) -> None:
    w = await world(db)
    a1, a2 = w["h"]["a1"], w["h"]["a2"]
    r = await client.post(day_url(w, "submit"), headers=a1)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "rounds_undecided")
    assert r.json()["error"]["round_ids"] == w["rounds"]
    r = await client.post(
        f"/api/officer/rounds/{w['rounds'][0]}/outcome", json={"outcome": "no_bidder"}, headers=a1
    )
    assert r.status_code == 200 and r.json()["lot_status"] == "on_sale"
    r = await client.post(f"/api/officer/rounds/{w['rounds'][1]}/outcome",
                          json={"outcome": "sold", "winner_bidder_no": "๑๒", "sold_price": "1,700,000"}, headers=a1)  # fmt: skip
    assert r.status_code == 200 and r.json()["sale_id"] is not None
    summary = (await client.get(day_url(w), headers=a1)).json()
    assert (
        summary["counts"]["no_bidder"] == 1 and summary["counts"]["sold"] == 1 and summary["undecided"] == 0
    )
    assert summary["sold_value"] == 1_700_000
    # Not public until a second officer approves.
    assert (await client.get("/api/results")).json()["total"] == 0
    r = await client.post(day_url(w, "submit"), headers=a1)
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = await client.post(day_url(w, "approve"), headers=a1)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "second_officer_required")
    r = await client.post(day_url(w, "approve"), headers=w["h"]["other"])
    assert (r.status_code, r.json()["error"]["code"]) == (403, "wrong_office")
    assert (await client.get("/api/results")).json()["total"] == 0
    r = await client.post(day_url(w, "approve"), headers=a2)
    assert r.status_code == 200 and r.json()["status"] == "published"
    body = (await client.get("/api/results")).json()
    assert body["total"] == 2
    assert {x["status"]: x["winner_bidder_no"] for x in body["items"]} == {"sold": 12, "no_bidder": None}
    async with db() as s:
        sd = await s.scalar(select(SaleDay))
        trail = list(
            await s.scalars(select(AuditLog).where(AuditLog.entity == "sale_day").order_by(AuditLog.id))
        )
    assert (sd.submitted_by, sd.approved_by) == (w["ids"]["a1"], w["ids"]["a2"])
    assert [(a.action, a.actor_id, a.to_state) for a in trail] == [
        ("submit", w["ids"]["a1"], "submitted"), ("approve", w["ids"]["a2"], "published")]  # fmt: skip
    r = await client.post(day_url(w, "approve"), headers=a2)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "day_not_submitted")
    r = await client.post(day_url(w, "submit"), headers=a1)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "day_already_submitted")


async def test_sent_back_day_can_be_corrected_and_resubmitted(db, client) -> None:
    w = await world(db)
    a1, a2 = w["h"]["a1"], w["h"]["a2"]
    for rid in w["rounds"]:
        r = await client.post(f"/api/officer/rounds/{rid}/outcome",
                              json={"outcome": "suspended", "reason_code": "court_order"}, headers=a1)  # fmt: skip
        assert r.status_code == 200
    assert (await client.post(day_url(w, "submit"), headers=a1)).status_code == 200
    r = await client.post(
        f"/api/officer/rounds/{w['rounds'][0]}/outcome", json={"outcome": "no_bidder"}, headers=a1
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "day_closed")
    r = await client.post(day_url(w, "send-back"), json={}, headers=a2)
    assert (r.status_code, r.json()["error"]["code"]) == (400, "reason_required")
    r = await client.post(day_url(w, "send-back"), json={"reason": "ตรวจเหตุงดขาย"}, headers=a2)
    assert r.status_code == 200 and r.json()["status"] == "open"
    # Resubmitted by the reviewer, so now the first officer is the second pair of eyes.
    assert (await client.post(day_url(w, "submit"), headers=a2)).status_code == 200
    assert (await client.post(day_url(w, "approve"), headers=a1)).json()["status"] == "published"


async def test_who_may_close_a_day(db, client) -> None:
    w = await world(db)
    url = f"/api/officer/rounds/{w['rounds'][0]}/outcome"
    for who, status, code in [(None, 401, "login_required"), ("buyer", 403, "officer_only"),
                              ("other", 403, "wrong_office")]:  # fmt: skip
        headers = w["h"][who] if who else {}
        r = await client.post(url, json={"outcome": "no_bidder"}, headers=headers)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), who
        r = await client.post(day_url(w, "submit"), headers=headers)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), who
        r = await client.get(day_url(w), headers=headers)
        assert r.status_code == status, who
    async with db() as s:
        assert (await s.get(SaleRound, w["rounds"][0])).status == "scheduled"
        assert await s.scalar(select(SaleDay)) is None


async def test_bad_outcome_input_changes_nothing(db, client) -> None:
    w = await world(db)
    a1 = w["h"]["a1"]
    url = f"/api/officer/rounds/{w['rounds'][1]}/outcome"
    cases = [
        ({"outcome": "maybe"}, 400, "bad_outcome"),
        ({"outcome": "suspended"}, 400, "reason_required"),
        ({"outcome": "suspended", "reason_code": "bored"}, 400, "bad_reason_code"),
        ({"outcome": "sold", "winner_bidder_no": 13, "sold_price": 2_000_000}, 400, "winner_not_registered"),
        ({"outcome": "sold", "winner_bidder_no": 12, "sold_price": 10}, 400, "bad_price"),
    ]
    for body, status, code in cases:
        r = await client.post(url, json=body, headers=a1)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
    for bad in ("abc", "0", "99999999999"):
        r = await client.post(f"/api/officer/rounds/{bad}/outcome", json={"outcome": "no_bidder"}, headers=a1)
        assert r.status_code == 400
    r = await client.post("/api/officer/rounds/999999/outcome", json={"outcome": "no_bidder"}, headers=a1)
    assert r.status_code == 404
    r = await client.get(f"/api/officer/sale-days/{w['office']}/not-a-date", headers=a1)
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_date")
    async with db() as s:
        assert (await s.get(SaleRound, w["rounds"][1])).status == "scheduled"
        assert (await s.get(Lot, w["lots"][1])).status == "on_sale"
    # A lot on the block in the live room is the room's to close.
    async with db.begin() as s:
        (await s.get(SaleRound, w["rounds"][1])).live_state = "open"
    r = await client.post(url, json={"outcome": "no_bidder"}, headers=a1)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "round_live")


async def test_a_future_day_cannot_be_submitted(db, client) -> None:
    w = await world(db)
    future = today() + dt.timedelta(days=3)
    r = await client.post(
        f"/api/officer/sale-days/{w['office']}/{future.isoformat()}/submit", headers=w["h"]["a1"]
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "day_not_held")
