"""The whole round-progression table: every outcome at every one of six rounds (the rounds before
it had no bidder), checked against prices worked out from the policy table by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from auction.models import Lot, Registration, SaleRound
from auction.outcomes import record_outcome
from tests import factories as f
from tests.realtime.roomkit import approve

from .test_default import HAMMER

BASE = 1_600_000
PCT = [100, 90, 80, 70, 70, 70]  # round 1..6 after 0..5 no-bidder rounds (shared/domain.md)


def expected(outcome: str, k: int) -> tuple[list[str], list[int], str, int | None]:
    statuses, prices = [], []
    for j in range(6):
        if j < k:
            statuses.append("no_bidder")
            prices.append(PCT[j])
        elif j == k:
            statuses.append(outcome)
            prices.append(PCT[k])
        elif outcome in ("sold", "withdrawn"):
            statuses.append("cancelled")
            prices.append(PCT[j])  # the announcement's price, untouched
        else:
            statuses.append("scheduled")
            prices.append(PCT[j] if outcome == "no_bidder" else PCT[j - 1])  # suspended: no step
    if outcome in ("sold", "withdrawn"):
        return statuses, prices, outcome, None
    return statuses, prices, ("on_sale" if k < 5 else "ended"), (k + 2 if k < 5 else None)


@pytest.mark.parametrize("k", range(6))
@pytest.mark.parametrize("outcome", ["sold", "no_bidder", "suspended", "withdrawn"])
async def test_outcome_at_each_round(db, outcome: str, k: int) -> None:
    async with db.begin() as s:
        lot = await f.make_lot(s, await f.make_case(s))
        ids = list(
            await s.scalars(
                select(SaleRound.id).where(SaleRound.lot_id == lot.id).order_by(SaleRound.round_no)
            )
        )
        lot_id = lot.id
    for rid in ids[:k]:
        async with db.begin() as s:
            await record_outcome(s, rid, "no_bidder", actor_id=None, now=HAMMER)
    kw: dict = {}
    async with db.begin() as s:
        if outcome == "sold":
            await approve(s, None, ids[k], 8, walk_in="ผู้ซื้อ")
            reg = await s.scalar(select(Registration).where(Registration.round_id == ids[k]))
            kw = {
                "sold_price": 2_000_000,
                "winner_registration_id": reg.id,
                "winner_bidder_no": 8,
                "bidder_count": 1,
            }
        elif outcome in ("suspended", "withdrawn"):
            kw = {"reason_code": "court_order"}
        await record_outcome(s, ids[k], outcome, actor_id=None, now=HAMMER, **kw)
    statuses, pcts, lot_status, next_round = expected(outcome, k)
    async with db() as s:
        lot = await s.get(Lot, lot_id)
        rounds = list(
            await s.scalars(select(SaleRound).where(SaleRound.lot_id == lot_id).order_by(SaleRound.round_no))
        )
    assert [r.status for r in rounds] == statuses
    assert [r.start_price for r in rounds] == [BASE * p // 100 for p in pcts]
    assert (lot.status, lot.next_round_no) == (lot_status, next_round)
    assert lot.next_start_price == (rounds[next_round - 1].start_price if next_round else None)
