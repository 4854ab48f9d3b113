"""Closing an office's sale day: every lot of the day gets an outcome, one officer submits the
summary, a second officer of the same office approves it, and only then do the day's results go
public. Each step is recorded in the audit log. Services take a session and never commit.

Public results show published days only: an outcome is final at the hammer, but the day's record
(suspension reasons, bidder counts, corrections before submission) is the office's until a
second officer has checked it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import audit, outcomes, public_record
from auction.auth import Principal
from auction.errors import ApiError, not_found
from auction.models import Bid, Case, Lot, Registration, SaleDay, SaleRound
from auction.registration import require_office
from auction.results import DECIDED, REASONS, reason_label
from auction.services import ROUND_STATUS_LABELS
from auction.thai import BANGKOK, parse_int


async def get_day(session: AsyncSession, office_id: int, day: dt.date, lock: bool = False) -> SaleDay | None:
    query = select(SaleDay).where(SaleDay.office_id == office_id, SaleDay.sale_date == day)
    return await session.scalar(query.with_for_update() if lock else query)


async def summary(session: AsyncSession, officer: Principal, office_id: int, day: dt.date) -> dict[str, Any]:
    """What the officer reviews before submitting: every round of the day and its outcome."""
    require_office(officer, office_id)
    rows = await session.execute(
        select(SaleRound, Lot, Case.red_key)
        .join(Lot, Lot.id == SaleRound.lot_id)
        .join(Case, Case.id == Lot.case_id)
        .where(SaleRound.office_id == office_id, SaleRound.sale_date == day, SaleRound.status != "cancelled")
        .order_by(Case.red_key, Lot.sale_order, SaleRound.id)
    )
    items = []
    counts = {k: 0 for k in ("scheduled", *DECIDED)}
    sold_value = sold_appraisal = 0
    for r, lot, red in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "sold":
            sold_value += r.sold_price or 0
            sold_appraisal += lot.base_price
        th, en = ROUND_STATUS_LABELS.get(r.status, (r.status, r.status))
        items.append({
            "round_id": r.id, "lot_id": lot.id, "red_number": red, "sale_order": lot.sale_order,
            "round_no": r.round_no, "status": r.status, "status_label": {"th": th, "en": en},
            "live_state": r.live_state, "appraisal": lot.base_price, "start_price": r.start_price,
            "sold_price": r.sold_price, "winner_bidder_no": r.winner_bidder_no, "bidder_count": r.bidder_count,
            "reason_code": r.reason_code, "reason_label": reason_label(r.reason_code), "reason_text": r.reason_text,
        })  # fmt: skip
    sd = await get_day(session, office_id, day)
    return {
        "office_id": office_id,
        "sale_date": day.isoformat(),
        "status": sd.status if sd else "open",
        "submitted_by": sd.submitted_by if sd else None,
        "submitted_at": sd.submitted_at.isoformat() if sd and sd.submitted_at else None,
        "approved_by": sd.approved_by if sd else None,
        "published_at": sd.published_at.isoformat() if sd and sd.published_at else None,
        "counts": counts,
        "undecided": counts["scheduled"],
        "sold_value": sold_value,
        "sold_appraisal": sold_appraisal,
        "items": items,
    }


def _day_error(status: int, code: str, th: str, en: str, **extra: Any) -> ApiError:
    return ApiError(status, code, th, en, **extra)


async def submit(
    session: AsyncSession, officer: Principal, office_id: int, day: dt.date, now: dt.datetime
) -> SaleDay:
    """First step: refused while any round of the day has no outcome, or before the day is held."""
    require_office(officer, office_id)
    if day > now.astimezone(BANGKOK).date():
        raise _day_error(409, "day_not_held", "ยังไม่ถึงวันขาย", "This sale day has not been held yet")
    undecided = list(
        await session.scalars(
            select(SaleRound.id).where(
                SaleRound.office_id == office_id, SaleRound.sale_date == day, SaleRound.status == "scheduled"
            )
        )
    )
    if undecided:
        raise _day_error(409, "rounds_undecided", f"ยังมี {len(undecided)} รายการที่ยังไม่บันทึกผลการขาย",
                         f"{len(undecided)} round(s) still have no outcome", round_ids=undecided[:50])  # fmt: skip
    held = await session.scalar(
        select(func.count()).where(
            SaleRound.office_id == office_id, SaleRound.sale_date == day, SaleRound.status.in_(DECIDED)
        )
    )
    if not held:
        raise not_found("นัดขายของวันนี้", "Sale rounds on this day", "no_rounds_that_day")
    sd = await get_day(session, office_id, day, lock=True)
    if sd is None:
        sd = SaleDay(office_id=office_id, sale_date=day, status="open")
        session.add(sd)
        await session.flush()
    if sd.status != "open":
        raise _day_error(409, "day_already_submitted", "วันขายนี้ส่งตรวจแล้ว", f"This sale day is {sd.status}",
                         current=sd.status)  # fmt: skip
    sd.status, sd.submitted_by, sd.submitted_at = "submitted", officer.user_id, now
    sd.approved_by, sd.published_at = None, None
    audit.record(session, officer.user_id, "sale_day", sd.id, "submit", "open", "submitted",
                 office_id=office_id, sale_date=day, rounds=held)  # fmt: skip
    await session.flush()
    return sd


async def _submitted(session: AsyncSession, officer: Principal, office_id: int, day: dt.date) -> SaleDay:
    require_office(officer, office_id)
    sd = await get_day(session, office_id, day, lock=True)
    if sd is None or sd.status != "submitted":
        raise _day_error(409, "day_not_submitted", "วันขายนี้ยังไม่ได้ส่งตรวจ", "This sale day is not awaiting approval",
                         current=sd.status if sd else "open")  # fmt: skip
    return sd


async def approve(
    session: AsyncSession, officer: Principal, office_id: int, day: dt.date, now: dt.datetime
) -> SaleDay:
    """Second step: a different officer of the office approves, and the day's results go public."""
    sd = await _submitted(session, officer, office_id, day)
    if sd.submitted_by == officer.user_id:
        raise _day_error(403, "second_officer_required", "ต้องให้เจ้าพนักงานอีกคนหนึ่งเป็นผู้อนุมัติ",
                         "Another officer of the office must approve")  # fmt: skip
    sd.status, sd.approved_by, sd.published_at = "published", officer.user_id, now
    await session.flush()
    rows = await public_record.publish_day(session, office_id, day)
    audit.record(session, officer.user_id, "sale_day", sd.id, "approve", "submitted", "published",
                 office_id=office_id, sale_date=day, submitted_by=sd.submitted_by, rounds=rows)  # fmt: skip
    await session.flush()
    return sd


async def send_back(
    session: AsyncSession, officer: Principal, office_id: int, day: dt.date, reason: str | None
) -> SaleDay:
    """The reviewer returns the summary for correction (e.g. a wrong suspension reason)."""
    sd = await _submitted(session, officer, office_id, day)
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ApiError(400, "reason_required", "กรุณาระบุเหตุผล", "A reason is required", param="reason")
    sd.status, sd.submitted_by, sd.submitted_at = "open", None, None
    audit.record(session, officer.user_id, "sale_day", sd.id, "send_back", "submitted", "open", reason=reason)
    await session.flush()
    return sd


def day_view(sd: SaleDay) -> dict[str, Any]:
    return {
        "office_id": sd.office_id, "sale_date": sd.sale_date.isoformat(), "status": sd.status,
        "submitted_by": sd.submitted_by, "approved_by": sd.approved_by,
        "published_at": sd.published_at.isoformat() if sd.published_at else None,
    }  # fmt: skip


# --- outcomes entered by the officer (rounds not run in the live room) ---------------------------


async def officer_outcome(
    session: AsyncSession, officer: Principal, round_id: int, data: dict[str, Any], now: dt.datetime
) -> outcomes.OutcomeResult:
    """Record a round's outcome from the sale-day screen: no bidder, suspended or withdrawn with a
    reason, or a floor sale by bidder number. Refused while the room has the lot on the block and
    once the day has been submitted."""
    rnd = await session.get(SaleRound, round_id)
    if rnd is None:
        raise not_found("นัดขาย", "Round", "round_not_found")
    require_office(officer, rnd.office_id)
    if rnd.live_state == "open":
        raise ApiError(409, "round_live", "ทรัพย์นี้กำลังประมูลอยู่ในห้อง", "This lot is on the block in the room")
    sd = await get_day(session, rnd.office_id, rnd.sale_date)
    if sd is not None and sd.status != "open":
        raise ApiError(409, "day_closed", "วันขายนี้ปิดแล้ว", f"This sale day is {sd.status}", current=sd.status)
    outcome = str(data.get("outcome") or "")
    reason_code = str(data.get("reason_code") or "").strip() or None
    if reason_code is not None and reason_code not in REASONS:
        raise ApiError(400, "bad_reason_code", "รหัสเหตุผลไม่ถูกต้อง", "Unknown reason code", param="reason_code",
                       allowed=list(REASONS))  # fmt: skip
    if outcome == "withdrawn":
        reason_code = reason_code or "seizure_withdrawn"
    kwargs: dict[str, Any] = {"reason_code": reason_code, "reason_text": (str(data.get("reason_text") or "").strip()[:2000] or None)}  # fmt: skip
    if outcome == "sold":
        bidder_no = parse_int(data.get("winner_bidder_no"))
        price = parse_int(data.get("sold_price"))
        if price is None or price < rnd.start_price:
            raise ApiError(400, "bad_price", "ราคาขายต้องไม่ต่ำกว่าราคาเริ่มต้น", "The price must be at least the starting price",
                           param="sold_price", min_amount=rnd.start_price)  # fmt: skip
        winner = await session.scalar(
            select(Registration).where(
                Registration.round_id == rnd.id, Registration.bidder_no == bidder_no,
                Registration.status == "confirmed",
            )
        )  # fmt: skip
        if bidder_no is None or winner is None:
            raise ApiError(400, "winner_not_registered", "ไม่พบผู้เข้าสู้ราคาหมายเลขนี้ที่วางหลักประกันแล้ว",
                           "No confirmed bidder with that number for this round", param="winner_bidder_no")  # fmt: skip
        count = parse_int(data.get("bidder_count"))
        if count is None:
            count = await session.scalar(
                select(func.count(func.distinct(Bid.bidder_no))).where(Bid.round_id == rnd.id, Bid.undone.is_(False))
            )  # fmt: skip
        kwargs.update(sold_price=price, winner_registration_id=winner.id, winner_bidder_no=bidder_no,
                      bidder_count=max(count or 0, 1))  # fmt: skip
    elif outcome == "no_bidder":
        kwargs["bidder_count"] = 0
    return await outcomes.record_outcome(
        session, rnd.id, outcome, actor_id=officer.user_id, now=now, **kwargs
    )
