"""A round's outcome and what follows from it (round progression, deposits, the winner's sale).

| outcome   | the round  | the lot                          | later rounds                         |
|-----------|------------|----------------------------------|--------------------------------------|
| sold      | sold       | sold                             | cancelled                            |
| no_bidder | no_bidder  | on sale at its next round, or ended | price steps down (90/80/70 %)     |
| suspended | suspended  | on sale at its next round, or ended | price unchanged (no step)         |
| withdrawn | withdrawn  | withdrawn                        | cancelled                            |

In every outcome the round's confirmed registrations are released (the winner's is applied to the
price) and pending ones cancelled. Never commits: the caller (the live room's hammer, an officer's
close of the day) owns the transaction, so the outcome and its consequences land together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import audit, rules
from auction.errors import ApiError
from auction.models import Lot, Registration, Sale, SaleRound, User
from auction.services import refresh_lot_summary
from auction.thai import BANGKOK

OUTCOMES = ("sold", "no_bidder", "suspended", "withdrawn")


@dataclass(frozen=True)
class OutcomeResult:
    round_id: int
    outcome: str
    lot_status: str
    next_round_id: int | None
    sale_id: int | None


def reprice(base: int, rounds: list[SaleRound]) -> None:
    """Starting prices of the rounds still scheduled, from the outcomes so far: each no-bidder
    round steps the price down once, suspended rounds do not; a scheduled round is priced as the
    announcement does, as if every scheduled round before it ends with no bidder."""
    step = 0
    for r in sorted(rounds, key=lambda r: r.round_no):
        if r.status == "scheduled":
            r.start_price = rules.start_price(base, step, rules.policy_for(r.sale_date))
            step += 1
        elif r.status == "no_bidder":
            step += 1


async def record_outcome(
    session: AsyncSession,
    round_id: int,
    outcome: str,
    *,
    actor_id: int | None,
    now: dt.datetime,
    sold_price: int | None = None,
    winner_registration_id: int | None = None,
    winner_bidder_no: int | None = None,
    bidder_count: int | None = None,
    reason_code: str | None = None,
    reason_text: str | None = None,
) -> OutcomeResult:
    if outcome not in OUTCOMES:
        raise ApiError(400, "bad_outcome", "ผลการขายไม่ถูกต้อง", f"outcome must be one of {', '.join(OUTCOMES)}")
    rnd = await session.scalar(select(SaleRound).where(SaleRound.id == round_id).with_for_update())
    if rnd is None:
        raise ApiError(404, "round_not_found", "ไม่พบนัดขาย", "Round not found")
    if rnd.status != "scheduled":
        raise ApiError(409, "round_already_decided", "นัดนี้มีผลการขายแล้ว", "This round already has an outcome",
                       current=rnd.status)  # fmt: skip
    if outcome == "sold" and (sold_price is None or winner_registration_id is None):
        raise ApiError(
            400, "sold_needs_winner", "ขายได้ต้องระบุราคาและผู้ชนะ", "A sale needs its price and winner"
        )
    if outcome in ("suspended", "withdrawn") and not reason_code:
        raise ApiError(400, "reason_required", "ต้องระบุเหตุผล", "A reason is required")
    lot = await session.scalar(select(Lot).where(Lot.id == rnd.lot_id).with_for_update())
    assert lot is not None
    rounds = list(await session.scalars(select(SaleRound).where(SaleRound.lot_id == lot.id)))
    rounds = [rnd if r.id == rnd.id else r for r in rounds]

    before = rnd.status
    rnd.status, rnd.reason_code, rnd.reason_text = outcome, reason_code, reason_text
    rnd.closed_at = rnd.closed_at or now
    rnd.bidder_count = bidder_count if bidder_count is not None else (0 if outcome == "no_bidder" else None)
    if outcome == "sold":
        rnd.sold_price, rnd.winner_registration_id, rnd.winner_bidder_no = (
            sold_price,
            winner_registration_id,
            winner_bidder_no,
        )
    audit.record(session, actor_id, "sale_round", rnd.id, "outcome", before, outcome, lot_id=lot.id,
                 sold_price=sold_price, bidder_no=winner_bidder_no, reason=reason_code)  # fmt: skip

    later = [r for r in rounds if r.round_no > rnd.round_no and r.status == "scheduled"]
    lot_before = lot.status
    if outcome in ("sold", "withdrawn"):
        lot.status = outcome
        for r in later:
            r.status = "cancelled"
            audit.record(
                session, actor_id, "sale_round", r.id, "cancel", "scheduled", "cancelled", because=outcome
            )
    else:
        reprice(lot.base_price, rounds)
        if not later:
            lot.status = "ended"
    refresh_lot_summary(lot, rounds)
    if lot.status != lot_before:
        audit.record(session, actor_id, "lot", lot.id, "status", lot_before, lot.status, round_id=rnd.id)

    sale_id = await _settle_registrations(
        session, rnd, outcome, actor_id, now, sold_price, winner_registration_id
    )
    await session.flush()
    nxt = next((r for r in sorted(later, key=lambda r: r.round_no) if r.status == "scheduled"), None)
    return OutcomeResult(rnd.id, outcome, lot.status, nxt.id if nxt else None, sale_id)


async def _settle_registrations(session: AsyncSession, rnd: SaleRound, outcome: str, actor_id: int | None,
                                now: dt.datetime, price: int | None, winner_id: int | None) -> int | None:  # fmt: skip
    """Deposits: the winner's applied to the price, everyone else's released for refund."""
    regs = list(
        await session.scalars(
            select(Registration).where(
                Registration.round_id == rnd.id, Registration.status.in_(("confirmed", "pending_deposit"))
            )
        )
    )
    sale_id = None
    for reg in regs:
        before = reg.status
        if outcome == "sold" and reg.id == winner_id:
            reg.status = "applied"
        else:
            reg.status = "released" if reg.status == "confirmed" else "cancelled"
        reg.updated_at = now
        audit.record(
            session, actor_id, "registration", reg.id, "lot_closed", before, reg.status, round_id=rnd.id
        )
    if outcome == "sold":
        winner = next((r for r in regs if r.id == winner_id), None)
        if winner is None:
            raise ApiError(409, "winner_not_registered", "ผู้ชนะไม่มีหลักประกันที่ยืนยันแล้ว",
                           "The winner has no confirmed registration for this round")  # fmt: skip
        hammer_day = now.astimezone(BANGKOK).date()
        sale = Sale(round_id=rnd.id, lot_id=rnd.lot_id, registration_id=winner.id, price=price or 0,
                    deposit_applied=winner.deposit_due,
                    balance_due_date=rules.balance_due(hammer_day, rules.policy_for(hammer_day)), created_at=now)  # fmt: skip
        session.add(sale)
        await session.flush()
        audit.record(session, actor_id, "sale", sale.id, "create", None, "awaiting", price=price,
                     due=sale.balance_due_date)  # fmt: skip
        sale_id = sale.id
    return sale_id


async def relist_after_default(session: AsyncSession, sale: Sale, actor_id: int | None) -> Lot:
    """A winner defaulted: the lot goes back on sale at its next scheduled round (or ends)."""
    lot = await session.scalar(select(Lot).where(Lot.id == sale.lot_id).with_for_update())
    assert lot is not None
    rounds = list(await session.scalars(select(SaleRound).where(SaleRound.lot_id == lot.id)))
    sold_round = next(r for r in rounds if r.id == sale.round_id)
    before = lot.status
    # The rounds cancelled by the sale are live again; prices follow the outcomes so far.
    for r in rounds:
        if r.round_no > sold_round.round_no and r.status == "cancelled":
            r.status = "scheduled"
    lot.status = "on_sale" if any(r.status == "scheduled" for r in rounds) else "ended"
    reprice(lot.base_price, rounds)
    refresh_lot_summary(lot, rounds)
    audit.record(
        session, actor_id, "lot", lot.id, "relist_after_default", before, lot.status, sale_id=sale.id
    )
    await session.flush()
    return lot


async def record_default(
    session: AsyncSession, sale_id: int, *, actor_id: int | None, now: dt.datetime, reason: str | None = None
) -> Sale:
    """The winner did not pay the balance by the due date: the sale is defaulted, the deposit
    forfeited, the buyer barred for the policy period, and the lot goes back on sale at its next
    scheduled round (or ends). The hammered round stays 'sold': a hammer is never rewritten.
    Whether the default is due (past the due date, the officer's office) is the caller's check."""
    sale = await session.scalar(select(Sale).where(Sale.id == sale_id).with_for_update())
    if sale is None:
        raise ApiError(404, "sale_not_found", "ไม่พบรายการขาย", "Sale not found")
    if sale.status != "awaiting":
        raise ApiError(409, "sale_not_awaiting", "รายการนี้ไม่ได้รอชำระราคา", f"Sale is {sale.status}",
                       current=sale.status)  # fmt: skip
    day = now.astimezone(BANGKOK).date()
    sale.status = "defaulted"
    audit.record(session, actor_id, "sale", sale.id, "default", "awaiting", "defaulted", reason=reason)
    reg = await session.get(Registration, sale.registration_id)
    if reg is not None:
        before, reg.status, reg.updated_at = reg.status, "forfeited", now
        audit.record(session, actor_id, "registration", reg.id, "forfeit", before, "forfeited",
                     amount=reg.deposit_due)  # fmt: skip
        user = await session.get(User, reg.user_id) if reg.user_id else None
        if user is not None:
            until = day + dt.timedelta(days=rules.policy_for(day).default_bar_days)
            user.barred_until, user.barred_reason = until, f"sale {sale.id}: {reason or 'default'}"
            audit.record(session, actor_id, "user", user.id, "bar", None, until.isoformat(), sale_id=sale.id)
    await session.flush()
    await relist_after_default(session, sale, actor_id)
    return sale
