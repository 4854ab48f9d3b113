"""After the lot closes: the refund list (CSV and JSON), marking refunds paid, extending the
winner's balance due date and handling a default (forfeit + bar)."""

import csv
import datetime as dt
import io

from sqlalchemy import select

from auction import rules
from auction.models import AuditLog, Lot, Registration, SaleRound, User
from auction.outcomes import record_outcome
from auction.registration import today
from tests.auction import regkit


async def closed_lot(db, client, hammer_days_ago: int = 0):
    """Two confirmed buyers; buyer wins at the hammer (auction.outcomes settles the deposits)."""
    w = await regkit.build(db)
    ids = {}
    for who in ("buyer", "buyer2"):
        reg = (await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h(who))).json()
        await client.post(f"/api/officer/registrations/{reg['id']}/confirm",
                          json={"method": "transfer", "reference": f"T-{who}"}, headers=w.h("officer"))  # fmt: skip
        ids[who] = reg["id"]
    hammer = today() - dt.timedelta(days=hammer_days_ago)
    async with db.begin() as s:
        rnd = await s.get(SaleRound, w.round1)
        rnd.sale_date, rnd.live_state = hammer, "hammered"
        result = await record_outcome(
            s, w.round1, "sold", actor_id=w.officer, now=dt.datetime.combine(hammer, dt.time(5), dt.UTC),
            sold_price=1_700_000, winner_registration_id=ids["buyer"], winner_bidder_no=1, bidder_count=2,
        )  # fmt: skip
    return w, ids, result.sale_id, hammer


async def test_refund_list_has_every_released_deposit_with_the_bank_account(db, client) -> None:
    w, ids, _, _ = await closed_lot(db, client)
    body = (await client.get("/api/officer/refunds", headers=w.h("officer"))).json()
    assert [r["registration_id"] for r in body["items"]] == [ids["buyer2"]]
    row = body["items"][0]
    assert row["bank_account_no"] == "1234567890" and row["deposit"] == 150_000 and row["bidder_no"] == 2
    assert row["buyer_name"] == "นางสาวมานี มีเงิน" and body["total"] == 150_000
    r = await client.get("/api/officer/refunds.csv", headers=w.h("officer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert (
        len(rows) == 1
        and rows[0]["bank_account_no"] == "1234567890"
        and rows[0]["buyer_name"] == "นางสาวมานี มีเงิน"
    )
    # The other office's officer sees none of it.
    assert (await client.get("/api/officer/refunds", headers=w.h("other_officer"))).json()["items"] == []


async def test_marking_a_refund_paid_once_and_only_for_released_deposits(db, client) -> None:
    w, ids, _, _ = await closed_lot(db, client)
    url = "/api/officer/registrations/{}/refunded"
    r = await client.post(url.format(ids["buyer2"]), json={}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "missing_reference")
    r = await client.post(url.format(ids["buyer2"]), json={"reference": "REF-1"}, headers=w.h("officer"))
    assert r.json()["status"] == "refunded"
    r = await client.post(url.format(ids["buyer2"]), json={"reference": "REF-2"}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "already_refunded")
    r = await client.post(url.format(ids["buyer"]), json={"reference": "REF-3"}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_released")
    assert (await client.get("/api/officer/refunds", headers=w.h("officer"))).json()["items"] == []
    async with db() as s:
        a = await s.scalar(select(AuditLog).where(AuditLog.action == "refund"))
    assert (a.from_state, a.to_state, a.actor_id, a.detail["reference"]) == (
        "released",
        "refunded",
        w.officer,
        "REF-1",
    )


async def test_balance_extension_needs_a_reason_and_stops_at_ninety_days(db, client) -> None:
    w, ids, sale, hammer = await closed_lot(db, client)
    url = f"/api/officer/sales/{sale}/extend"
    due = hammer + dt.timedelta(days=60)
    r = await client.post(url, json={"due_date": due.isoformat()}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "reason_required")
    r = await client.post(url, json={"due_date": (hammer + dt.timedelta(days=91)).isoformat(), "reason": "loan"},
                          headers=w.h("officer"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (409, "extension_too_long")
    assert r.json()["error"]["latest"] == (hammer + dt.timedelta(days=90)).isoformat()
    r = await client.post(url, json={"due_date": (hammer + dt.timedelta(days=10)).isoformat(), "reason": "x"},
                          headers=w.h("officer"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_an_extension")
    be = f"{due.day:02d}/{due.month:02d}/{due.year + 543}"  # a Thai-typed BE date works as well
    r = await client.post(
        url, json={"due_date": be, "reason": "หนังสือรับรองสินเชื่อธนาคาร"}, headers=w.h("officer")
    )
    assert r.status_code == 200 and r.json()["balance_due_date"] == due.isoformat()
    assert r.json()["extension_reason"] == "หนังสือรับรองสินเชื่อธนาคาร"
    async with db() as s:
        a = await s.scalar(select(AuditLog).where(AuditLog.action == "extend_balance"))
    assert (a.from_state, a.to_state) == ((hammer + dt.timedelta(days=15)).isoformat(), due.isoformat())


async def test_a_defaulting_winner_forfeits_and_is_barred_from_registering(db, client) -> None:
    w, ids, sale, hammer = await closed_lot(db, client, hammer_days_ago=20)
    r = await client.post(f"/api/officer/sales/{sale}/default", json={"reason": "ไม่ชำระราคาส่วนที่เหลือ"},
                          headers=w.h("officer"))  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "defaulted"
    async with db() as s:
        assert (await s.get(Registration, ids["buyer"])).status == "forfeited"
        user = await s.get(User, w.buyer)
        lot = await s.get(Lot, w.lot)
    policy = rules.policy_for(today())
    assert user.barred_until == today() + dt.timedelta(days=policy.default_bar_days)
    # The lot is back on sale at its next round, which buyer2 may register for; the defaulter may not.
    assert (lot.status, lot.next_round_no) == ("on_sale", 2)
    r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h("buyer2"))
    assert r.status_code == 201 and r.json()["round_id"] == w.round2
    r = await client.post(
        f"/api/lots/{w.lot}/registrations", json={"round_id": w.round2}, headers=w.h("buyer")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (403, "bidder_barred")
    r = await client.post(f"/api/officer/sales/{sale}/extend", json={"due_date": "2099-01-01", "reason": "x"},
                          headers=w.h("officer"))  # fmt: skip
    assert (r.status_code, r.json()["error"]["code"]) == (409, "sale_not_awaiting")


async def test_default_before_the_due_date_is_refused(db, client) -> None:
    w, ids, sale, _ = await closed_lot(db, client)
    r = await client.post(f"/api/officer/sales/{sale}/default", json={"reason": "x"}, headers=w.h("officer"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_yet_due")
    async with db() as s:
        assert (await s.get(User, w.buyer)).barred_until is None
