"""The whole default path through the API: two buyers register and are confirmed, the lot is
hammered to one of them, the balance is not paid by the due date, the officer marks the default;
the deposit is forfeited, the buyer barred, the lot back on sale at its next round, where a
different buyer can register and the defaulter cannot."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from auction.audit import trail
from auction.models import Registration, SaleRound
from auction.outcomes import record_outcome
from auction.registration import today
from tests.auction import regkit

PRICE = 1_700_000


async def hammered_and_overdue(db, client):
    """Registered and confirmed through the API for round 1 (two weeks ahead); then the schedule is
    moved back so round 1 was held 20 days ago (its balance due 5 days ago) and round 2 is tomorrow."""
    w = await regkit.build(db)
    regs = {}
    for who in ("buyer", "buyer2"):
        r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h(who))
        assert r.status_code == 201, r.text
        c = await client.post(f"/api/officer/registrations/{r.json()['id']}/confirm",
                              json={"method": "transfer", "reference": f"T-{who}"}, headers=w.h("officer"))  # fmt: skip
        assert c.status_code == 200, c.text
        regs[who] = r.json()["id"]
    shift = (w.sale_date - today()).days + 20
    async with db.begin() as s:
        for rnd in await s.scalars(select(SaleRound).where(SaleRound.lot_id == w.lot)):
            rnd.sale_date -= dt.timedelta(days=shift)
    held = today() - dt.timedelta(days=20)
    async with db.begin() as s:
        winner = await s.get(Registration, regs["buyer"])
        out = await record_outcome(s, w.round1, "sold", actor_id=w.officer, sold_price=PRICE,
                                   now=dt.datetime.combine(held, dt.time(3, 0), dt.UTC),
                                   winner_registration_id=winner.id, winner_bidder_no=winner.bidder_no,
                                   bidder_count=2)  # fmt: skip
    return w, regs, out.sale_id


async def test_default_through_the_api_forfeits_bars_and_puts_the_lot_back_on_sale(db, client) -> None:
    w, regs, sale_id = await hammered_and_overdue(db, client)
    lot = (await client.get(f"/api/lots/{w.lot}")).json()
    assert lot["status"] == "sold" and [r["status"] for r in lot["schedule"]][:2] == ["sold", "cancelled"]

    # Another office's officer may not; the buyer may not; the lot's officer may.
    r = await client.post(f"/api/officer/sales/{sale_id}/default", json={"reason": "x"}, headers=w.h("buyer"))
    assert r.status_code == 403
    async with db() as s:
        assert (await s.get(Registration, regs["buyer"])).status == "applied"
    r = await client.post(f"/api/officer/sales/{sale_id}/default", json={"reason": "x"},
                          headers=w.h("other_officer"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (403, "wrong_office")
    r = await client.post(f"/api/officer/sales/{sale_id}/default", json={"reason": "ไม่ชำระราคาส่วนที่เหลือ"},
                          headers=w.h("officer"))  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "defaulted"

    lot = (await client.get(f"/api/lots/{w.lot}")).json()
    assert lot["status"] == "on_sale" and lot["next_round_no"] == 2
    assert lot["next_sale_date"] == (today() + dt.timedelta(days=1)).isoformat()
    # A sale that fell through is not a no-bidder round: round 2 keeps its own starting price.
    schedule = lot["schedule"]
    assert [r["status"] for r in schedule] == ["sold", *["scheduled"] * 5]
    assert lot["next_start_price"] == schedule[1]["start_price"]

    async with db() as s:
        assert (await s.get(Registration, regs["buyer"])).status == "forfeited"
        assert (await s.get(Registration, regs["buyer2"])).status == "released"
        assert [a.action for a in await trail(s, "sale", sale_id)] == ["create", "default"]

    # The defaulter is barred from the re-auction; someone else registers for round 2.
    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "bidder_barred")
    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer2"))
    assert r.status_code == 201, r.text
    async with db() as s:
        reg = await s.scalar(select(Registration).where(Registration.id == r.json()["id"]))
        assert reg.round_id == w.round2

    # Marking it again is refused and changes nothing.
    r = await client.post(
        f"/api/officer/sales/{sale_id}/default", json={"reason": "x"}, headers=w.h("officer")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "sale_not_awaiting")


async def test_a_paid_balance_completes_the_sale_and_it_can_no_longer_be_defaulted(db, client) -> None:
    w, regs, sale_id = await hammered_and_overdue(db, client)  # overdue: a late payment is still taken
    r = await client.post(
        f"/api/officer/sales/{sale_id}/paid", json={"reference": "  "}, headers=w.h("officer")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "missing_reference")
    assert r.json()["error"]["message"]["th"] and r.json()["error"]["message"]["en"]
    async with db() as s:
        assert [a.action for a in await trail(s, "sale", sale_id)] == ["create"]  # refused: nothing changed

    r = await client.post(
        f"/api/officer/sales/{sale_id}/paid", json={"reference": "KTB-๑๒๓"}, headers=w.h("officer")
    )
    assert r.status_code == 200 and r.json()["status"] == "paid", r.text
    async with db() as s:
        assert (
            await s.get(Registration, regs["buyer"])
        ).status == "applied"  # the deposit went into the price
        entries = await trail(s, "sale", sale_id)
        assert [a.action for a in entries] == ["create", "paid"]
        assert entries[-1].detail["reference"] == "KTB-๑๒๓"
        assert entries[-1].detail["amount"] == PRICE - r.json()["deposit_applied"]
    listed = (await client.get("/api/officer/sales", headers=w.h("officer"))).json()["items"]
    assert [x["status"] for x in listed if x["id"] == sale_id] == ["paid"]

    # Complete: no default, no extension, not paid twice; the lot stays sold.
    for path, body in [("default", {"reason": "x"}), ("extend", {"due_date": "2099-01-01", "reason": "x"}),
                       ("paid", {"reference": "again"})]:  # fmt: skip
        r = await client.post(f"/api/officer/sales/{sale_id}/{path}", json=body, headers=w.h("officer"))
        assert (r.status_code, r.json()["error"]["code"]) == (409, "sale_not_awaiting"), path
    assert (await client.get(f"/api/lots/{w.lot}")).json()["status"] == "sold"
    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer"))
    assert r.json()["error"]["code"] != "bidder_barred"
