"""The public record (public_result) is written at the second officer's approval, from the rounds
as decided, once per round; what may still change after publication (the winner's payment) is
read live. History: tests/auction/resultskit.py."""

from __future__ import annotations

from sqlalchemy import func, select

from auction import public_record, saleday
from auction.auth import principal_of
from auction.models import PublicResult, Sale, User
from tests.auction import resultskit
from tests.auction.resultskit import D1, D2, NOW


async def test_approval_copies_the_days_decided_rounds_as_they_were_hammered(db) -> None:
    h = await resultskit.build(db)
    async with db() as s:
        rows = {r.round_id: r for r in await s.scalars(select(PublicResult))}
    # Published: LED-10-1 on D1 (4 rounds) and D2 (L1 sold, L3 no bidder), LED-50 on D1 (2 rounds).
    assert len(rows) == 8 and h.rounds["L5"][1] not in rows
    l1 = rows[h.rounds["L1"][1]]
    assert (l1.status, l1.sold_price, l1.bidder_count, l1.winner_bidder_no) == ("sold", 1_500_000, 3, 7)
    assert (l1.red_key, l1.appraisal, l1.round_no, l1.sale_date, l1.fiscal_year) == (
        "ผบ.1234/2563", 1_600_000, 2, D2, 2570,
    )  # fmt: skip
    l3 = rows[h.rounds["L3"][0]]
    assert (l3.status, l3.reason_code, l3.fiscal_year) == ("suspended", "plaintiff_request", 2569)
    l6 = rows[h.rounds["L6"][0]]
    assert (l6.province_code, l6.property_type, l6.office_id) == ("50", "003", h.offices["LED-50"])


async def test_the_second_approval_of_a_day_publishes_it_and_copying_again_adds_nothing(db, client) -> None:
    h = await resultskit.build(db)
    async with db.begin() as s:
        b2 = principal_of(await s.get_one(User, h.officers["b2"]))
        await saleday.approve(s, b2, h.offices["LED-50"], D2, NOW)
    async with db.begin() as s:
        assert await public_record.copy_published(s) == 0
        assert await s.scalar(select(func.count()).select_from(PublicResult)) == 9
    body = (
        await client.get("/api/results", params={"office": h.offices["LED-50"], "date": D2.isoformat()})
    ).json()
    assert [x["round_id"] for x in body["items"]] == [h.rounds["L5"][1]] and body["total"] == 1


async def test_results_show_the_winners_payment_as_it_is_now(db, client) -> None:
    h = await resultskit.build(db)
    params = {"office": h.offices["LED-10-1"], "date": D1.isoformat(), "outcome": "sold"}
    item = (await client.get("/api/results", params=params)).json()["items"][0]
    assert (item["round_id"], item["sale_status"]) == (h.rounds["L2"][0], "awaiting")
    async with db.begin() as s:
        sale = await s.scalar(select(Sale).where(Sale.round_id == h.rounds["L2"][0]))
        sale.status = "paid"
    item = (await client.get("/api/results", params=params)).json()["items"][0]
    assert item["sale_status"] == "paid" and item["sold_price"] == 1_200_000


async def test_statistics_are_cached_until_another_day_is_published(db, client) -> None:
    h = await resultskit.build(db)
    first = (await client.get("/api/stats", params={"group": "office"})).json()
    again = (await client.get("/api/stats", params={"group": "office"})).json()
    assert first == again and first["totals"]["rounds_held"] == 6
    # The record only grows, so an answer stands until its row count moves: a row changed behind
    # the service's back (never done by the app) is not seen yet, which shows the answer was kept.
    async with db.begin() as s:
        row = await s.get_one(PublicResult, h.rounds["L2"][0])
        row.sold_price = 1_300_000
    kept = (await client.get("/api/stats", params={"group": "office"})).json()
    assert kept["totals"]["value_sold"] == first["totals"]["value_sold"] == 3_500_000
    # LED-50's second day is approved: L5's round 2 (no bidder) joins the figures at once.
    async with db.begin() as s:
        b2 = principal_of(await s.get_one(User, h.officers["b2"]))
        await saleday.approve(s, b2, h.offices["LED-50"], D2, NOW)
    after = (await client.get("/api/stats", params={"group": "office"})).json()
    assert after["totals"]["rounds_held"] == 7 and after["totals"]["offered"] == 5
    assert after["totals"]["value_sold"] == 3_600_000
    led50 = {r["key"]: r for r in after["rows"]}[h.offices["LED-50"]]
    assert led50["rounds_held"] == 3
