"""A winner's default: deposit forfeited, buyer barred, the lot back on sale (or ended)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from auction import rules
from auction.audit import trail
from auction.errors import ApiError
from auction.models import Lot, Registration, Sale, SaleRound, User
from auction.outcomes import record_default, record_outcome
from tests import factories as f
from tests.realtime.roomkit import approve

HAMMER = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 on 20/12/2026 in Bangkok
BASE = 1_600_000


async def sold_at(db, round_index: int, rounds: int = 6) -> tuple[int, int, int]:
    """A lot whose earlier rounds had no bidder and whose round `round_index` (0-based) is sold
    to a registered buyer. Returns (lot id, sale id, buyer id)."""
    async with db.begin() as s:
        lot = await f.make_lot(s, await f.make_case(s), rounds=rounds)
        buyer = await f.make_user(s, "winner@x.test")
        ids = list(
            await s.scalars(
                select(SaleRound.id).where(SaleRound.lot_id == lot.id).order_by(SaleRound.round_no)
            )
        )
        lot_id, buyer_id = lot.id, buyer.id
    for rid in ids[:round_index]:
        async with db.begin() as s:
            await record_outcome(s, rid, "no_bidder", actor_id=None, now=HAMMER)
    async with db.begin() as s:
        await approve(s, buyer_id, ids[round_index], 4)
        reg = await s.scalar(select(Registration).where(Registration.round_id == ids[round_index]))
        out = await record_outcome(s, ids[round_index], "sold", actor_id=None, now=HAMMER, sold_price=1_450_000,
                                   winner_registration_id=reg.id, winner_bidder_no=4, bidder_count=2)  # fmt: skip
        assert out.sale_id is not None
        return lot_id, out.sale_id, buyer_id


async def test_default_forfeits_bars_and_puts_the_lot_back_on_its_next_round(db) -> None:
    lot_id, sale_id, buyer_id = await sold_at(db, 1)
    async with db.begin() as s:
        await record_default(s, sale_id, actor_id=None, now=LATER, reason="ไม่ชำระราคา")
    async with db() as s:
        sale = await s.get(Sale, sale_id)
        reg = await s.get(Registration, sale.registration_id)
        user = await s.get(User, buyer_id)
        lot = await s.get(Lot, lot_id)
        rounds = list(
            await s.scalars(select(SaleRound).where(SaleRound.lot_id == lot_id).order_by(SaleRound.round_no))
        )
        assert sale.status == "defaulted" and reg.status == "forfeited"
        bar = rules.policy_for(dt.date(2026, 12, 20)).default_bar_days
        assert user.barred_until == dt.date(2026, 12, 20) + dt.timedelta(days=bar)
        # The hammer stays on record; the cancelled rounds are live again.
        assert [r.status for r in rounds] == ["no_bidder", "sold"] + ["scheduled"] * 4
        assert (lot.status, lot.next_round_no) == ("on_sale", 3)
        # One no-bidder round so far: round 3 starts at 90 %, as round 2 did.
        assert lot.next_start_price == BASE * 90 // 100 == rounds[2].start_price
        actions = [(a.action, a.to_state) for a in await trail(s, "sale", sale_id)]
        assert actions == [("create", "awaiting"), ("default", "defaulted")]
        assert [a.action for a in await trail(s, "user", buyer_id)] == ["bar"]
        assert (await trail(s, "lot", lot_id))[-1].to_state == "on_sale"


async def test_default_on_the_last_round_ends_the_lot(db) -> None:
    lot_id, sale_id, _ = await sold_at(db, 1, rounds=2)
    async with db.begin() as s:
        await record_default(s, sale_id, actor_id=None, now=LATER)
    async with db() as s:
        lot = await s.get(Lot, lot_id)
        assert (lot.status, lot.next_round_no, lot.next_sale_date) == ("ended", None, None)


async def test_a_sale_defaults_only_once(db) -> None:
    _, sale_id, _ = await sold_at(db, 0)
    async with db.begin() as s:
        await record_default(s, sale_id, actor_id=None, now=LATER)
    with pytest.raises(ApiError) as err:
        async with db.begin() as s:
            await record_default(s, sale_id, actor_id=None, now=LATER)
    assert err.value.code == "sale_not_awaiting"
    with pytest.raises(ApiError) as err:
        async with db.begin() as s:
            await record_default(s, 999_999, actor_id=None, now=LATER)
    assert err.value.code == "sale_not_found"
