"""Round progression: each outcome at each round, deposits settled, the winner's sale."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from auction.errors import ApiError
from auction.models import Lot, Registration, Sale, SaleRound
from auction.outcomes import record_outcome, relist_after_default
from tests import factories as f
from tests.realtime.roomkit import approve

NOW = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)  # 12:00 in Bangkok
BASE = 1_600_000


async def lot_with_rounds(db) -> tuple[int, list[int]]:
    async with db.begin() as s:
        lot = await f.make_lot(s, await f.make_case(s))
        ids = list(
            await s.scalars(
                select(SaleRound.id).where(SaleRound.lot_id == lot.id).order_by(SaleRound.round_no)
            )
        )
        return lot.id, ids


async def decide(db, round_id: int, outcome: str, **kw) -> None:
    async with db.begin() as s:
        await record_outcome(s, round_id, outcome, actor_id=None, now=NOW, **kw)


async def state(db, lot_id: int) -> tuple[str, list[tuple[str, int]], int | None, int | None]:
    async with db() as s:
        lot = await s.get(Lot, lot_id)
        rounds = list(
            await s.scalars(select(SaleRound).where(SaleRound.lot_id == lot_id).order_by(SaleRound.round_no))
        )
        assert lot is not None
        return (
            lot.status,
            [(r.status, r.start_price) for r in rounds],
            lot.next_round_no,
            lot.next_start_price,
        )


@pytest.mark.parametrize(
    ("history", "statuses", "prices", "lot_status", "next_round"),
    [
        # No bidder: 100 -> 90 -> 80 -> 70 % of the base, then 70 % stays.
        (["no_bidder"], ["no_bidder"] + ["scheduled"] * 5, [100, 90, 80, 70, 70, 70], "on_sale", 2),
        (["no_bidder", "no_bidder"], ["no_bidder"] * 2 + ["scheduled"] * 4, [100, 90, 80, 70, 70, 70], "on_sale", 3),
        # Suspended rounds do not step the price.
        (["suspended"], ["suspended"] + ["scheduled"] * 5, [100, 100, 90, 80, 70, 70], "on_sale", 2),
        (["no_bidder", "suspended", "no_bidder"], ["no_bidder", "suspended", "no_bidder"] + ["scheduled"] * 3,
         [100, 90, 90, 80, 70, 70], "on_sale", 4),
        # Sold and withdrawn end the lot; later rounds are cancelled.
        (["sold"], ["sold"] + ["cancelled"] * 5, [100, 90, 80, 70, 70, 70], "sold", None),
        (["no_bidder", "sold"], ["no_bidder", "sold"] + ["cancelled"] * 4, [100, 90, 80, 70, 70, 70], "sold", None),
        (["withdrawn"], ["withdrawn"] + ["cancelled"] * 5, [100, 90, 80, 70, 70, 70], "withdrawn", None),
        (["suspended", "withdrawn"], ["suspended", "withdrawn"] + ["cancelled"] * 4, [100, 100, 90, 80, 70, 70], "withdrawn", None),
        # Every round without a bidder: the lot ends.
        (["no_bidder"] * 6, ["no_bidder"] * 6, [100, 90, 80, 70, 70, 70], "ended", None),
        (["suspended"] * 6, ["suspended"] * 6, [100, 100, 100, 100, 100, 100], "ended", None),
    ],
)  # fmt: skip
async def test_round_progression_table(db, history, statuses, prices, lot_status, next_round) -> None:
    lot_id, rounds = await lot_with_rounds(db)
    for i, outcome in enumerate(history):
        kw: dict = {}
        if outcome == "sold":
            async with db.begin() as s:
                await approve(s, None, rounds[i], 7, walk_in="ผู้ซื้อ")
                reg = await s.scalar(select(Registration).where(Registration.round_id == rounds[i]))
                kw = {
                    "sold_price": 2_000_000,
                    "winner_registration_id": reg.id,
                    "winner_bidder_no": 7,
                    "bidder_count": 1,
                }
        if outcome in ("suspended", "withdrawn"):
            kw = {"reason_code": "plaintiff_request"}
        await decide(db, rounds[i], outcome, **kw)
    status, rows, next_no, next_price = await state(db, lot_id)
    assert status == lot_status
    assert [r[0] for r in rows] == statuses
    assert [r[1] * 100 // BASE for r in rows] == prices
    assert next_no == next_round
    assert next_price == (rows[next_round - 1][1] if next_round else None)


async def test_deposits_are_settled_and_the_winner_gets_a_15_day_sale(db) -> None:
    lot_id, rounds = await lot_with_rounds(db)
    async with db.begin() as s:
        for n in (1, 2, 3):
            await approve(s, None, rounds[0], n, walk_in=f"ผู้ซื้อ {n}")
        s.add(
            Registration(
                user_id=None, round_id=rounds[0], lot_id=lot_id, deposit_due=150_000, status="pending_deposit"
            )
        )
        regs = {
            r.bidder_no: r.id
            for r in await s.scalars(select(Registration).where(Registration.round_id == rounds[0]))
        }
    await decide(
        db,
        rounds[0],
        "sold",
        sold_price=1_700_000,
        winner_registration_id=regs[2],
        winner_bidder_no=2,
        bidder_count=3,
    )
    async with db() as s:
        got = {
            r.bidder_no: r.status
            for r in await s.scalars(select(Registration).where(Registration.round_id == rounds[0]))
        }
        assert got == {1: "released", 2: "applied", 3: "released", None: "cancelled"}
        sale = await s.scalar(select(Sale))
        assert sale is not None and (sale.price, sale.deposit_applied) == (1_700_000, 150_000)
        assert sale.balance_due_date == dt.date(2026, 12, 8)
    with pytest.raises(ApiError) as again:
        await decide(db, rounds[0], "no_bidder")
    assert again.value.code == "round_already_decided"


async def test_refusals(db) -> None:
    _, rounds = await lot_with_rounds(db)
    for outcome, kw, code in [("bought", {}, "bad_outcome"), ("sold", {}, "sold_needs_winner"),
                              ("suspended", {}, "reason_required"),
                              ("sold", {"sold_price": 1, "winner_registration_id": 999_999}, "winner_not_registered")]:  # fmt: skip
        with pytest.raises(ApiError) as err:
            await decide(db, rounds[0], outcome, **kw)
        assert err.value.code == code
    with pytest.raises(ApiError):
        await decide(db, 999_999, "no_bidder")


async def test_a_default_puts_the_lot_back_on_sale_at_its_next_round(db) -> None:
    lot_id, rounds = await lot_with_rounds(db)
    await decide(db, rounds[0], "no_bidder")
    async with db.begin() as s:
        await approve(s, None, rounds[1], 5, walk_in="ผู้ซื้อ")
        reg = await s.scalar(select(Registration).where(Registration.round_id == rounds[1]))
    await decide(
        db, rounds[1], "sold", sold_price=1_500_000, winner_registration_id=reg.id, winner_bidder_no=5
    )
    async with db.begin() as s:
        sale = await s.scalar(select(Sale))
        await relist_after_default(s, sale, actor_id=None)
    status, rows, next_no, next_price = await state(db, lot_id)
    assert status == "on_sale" and next_no == 3
    assert [r[0] for r in rows] == ["no_bidder", "sold", "scheduled", "scheduled", "scheduled", "scheduled"]
    # The sold round had a bidder, so it does not step the price: 90 % after the one no-bidder round.
    assert next_price == BASE * 90 // 100
