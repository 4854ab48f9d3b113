"""After a lot closes: refunding released deposits and the winner's balance due date.

Release itself (non-winners -> released, the winner -> applied, the Sale row) is auction.outcomes'
job; this module is what officers do next. Services take a session and never commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import audit, outcomes, registration, rules
from auction.auth import Principal
from auction.db import utcnow
from auction.display import csv_cell
from auction.errors import ApiError, not_found
from auction.models import Registration, Sale, SaleRound
from auction.thai import BANGKOK

CSV_COLUMNS = (
    "registration_id", "sale_date", "lot_id", "round_no", "bidder_no", "buyer_name", "email",
    "deposit", "method", "reference", "bank_name", "bank_account_no", "bank_account_name",
)  # fmt: skip


async def refund_list(session: AsyncSession, officer: Principal) -> list[dict[str, Any]]:
    """Deposits to pay back: every released registration of the officer's office."""
    rows = await registration.queue(session, officer, status="released", limit=5000)
    return [
        {
            "registration_id": r["id"], "sale_date": r["round"]["sale_date"], "lot_id": r["lot_id"],
            "round_no": r["round"]["round_no"], "bidder_no": r["bidder_no"], "buyer_name": r["buyer"]["name"],
            "email": r["buyer"]["email"], "deposit": r["deposit_due"], "method": r["deposit_method"],
            "reference": r["deposit_reference"], "bank_name": r["buyer"].get("bank_name"),
            "bank_account_no": r["buyer"].get("bank_account_no"),
            "bank_account_name": r["buyer"].get("bank_account_name"),
        }
        for r in rows
    ]  # fmt: skip


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    # A BOM so spreadsheet programs read the Thai names as UTF-8.
    buf.write("\ufeff")
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()


def _reference(raw: str | None, th: str, en: str) -> str:
    reference = (raw or "").strip()
    if not reference or len(reference) > 100:
        raise ApiError(400, "missing_reference", th, en, param="reference")
    return reference


async def mark_refunded(
    session: AsyncSession, officer: Principal, reg_id: int, reference: str | None
) -> Registration:
    reg, rnd = await registration.registration_for_update(session, reg_id)
    registration.require_office(officer, rnd.office_id)
    reference = _reference(reference, "กรุณาระบุเลขอ้างอิงการโอนคืน", "Give the refund transfer reference")
    if reg.status == "refunded":
        raise ApiError(409, "already_refunded", "คืนหลักประกันรายการนี้แล้ว", "This deposit is already refunded")
    if reg.status != "released":
        raise ApiError(409, "not_released", "หลักประกันรายการนี้ยังไม่ถูกปลด", f"Registration is {reg.status}",
                       current=reg.status)  # fmt: skip
    reg.status, reg.updated_at = "refunded", utcnow()
    await session.flush()
    audit.record(session, officer.user_id, "registration", reg.id, "refund", "released", "refunded",
                 reference=reference, amount=reg.deposit_due)  # fmt: skip
    return reg


# --- the winner's balance -------------------------------------------------------------------------


def hammer_day(rnd: SaleRound) -> dt.date:
    return rnd.closed_at.astimezone(BANGKOK).date() if rnd.closed_at else rnd.sale_date


async def _sale_for_update(session: AsyncSession, officer: Principal, sale_id: int) -> tuple[Sale, SaleRound]:
    sale = await session.scalar(select(Sale).where(Sale.id == sale_id).with_for_update())
    if sale is None:
        raise not_found("รายการขาย", "Sale", "sale_not_found")
    rnd = await session.get(SaleRound, sale.round_id)
    assert rnd is not None
    registration.require_office(officer, rnd.office_id)
    if sale.status != "awaiting":
        raise ApiError(409, "sale_not_awaiting", "รายการนี้ไม่ได้รอชำระราคา", f"Sale is {sale.status}",
                       current=sale.status)  # fmt: skip
    return sale, rnd


def _reason(raw: str | None) -> str:
    reason = (raw or "").strip()
    if not reason:
        raise ApiError(400, "reason_required", "กรุณาระบุเหตุผล", "A reason is required", param="reason")
    return reason[:2000]


async def extend_balance(
    session: AsyncSession, officer: Principal, sale_id: int, new_due: dt.date | None, reason: str | None
) -> Sale:
    """Push the balance due date out (e.g. a bank-loan letter), never beyond the policy maximum
    counted from the hammer, and never earlier than it already is."""
    sale, rnd = await _sale_for_update(session, officer, sale_id)
    reason = _reason(reason)
    if new_due is None:
        raise ApiError(400, "bad_date", "วันที่ไม่ถูกต้อง", "due_date must be a date", param="due_date")
    hammer = hammer_day(rnd)
    policy = rules.policy_for(hammer)
    latest = rules.balance_due(hammer, policy, policy.balance_days_max - policy.balance_days)
    if new_due > latest:
        raise ApiError(409, "extension_too_long", f"ขยายได้ไม่เกิน {policy.balance_days_max} วันนับจากวันขาย",
                       f"At most {policy.balance_days_max} days after the hammer", latest=latest.isoformat())  # fmt: skip
    if new_due <= sale.balance_due_date:
        raise ApiError(409, "not_an_extension", "วันครบกำหนดใหม่ต้องหลังวันเดิม",
                       "The new due date must be after the current one",
                       current=sale.balance_due_date.isoformat())  # fmt: skip
    before = sale.balance_due_date
    sale.balance_due_date, sale.extension_reason = new_due, reason
    await session.flush()
    audit.record(session, officer.user_id, "sale", sale.id, "extend_balance", before.isoformat(),
                 new_due.isoformat(), reason=reason)  # fmt: skip
    return sale


async def mark_defaulted(
    session: AsyncSession, officer: Principal, sale_id: int, reason: str | None, day: dt.date | None = None
) -> Sale:
    """The winner did not pay: checks it is overdue and the officer's, then auction.outcomes
    forfeits the deposit, bars the buyer and puts the lot back on sale."""
    day = day or registration.today()
    sale, rnd = await _sale_for_update(session, officer, sale_id)
    reason = _reason(reason)
    if day <= sale.balance_due_date:
        raise ApiError(409, "not_yet_due", "ยังไม่ถึงกำหนดชำระราคา", "The balance is not overdue yet",
                       due=sale.balance_due_date.isoformat())  # fmt: skip
    return await outcomes.record_default(
        session, sale.id, actor_id=officer.user_id, now=utcnow(), reason=reason
    )


async def mark_paid(session: AsyncSession, officer: Principal, sale_id: int, reference: str | None) -> Sale:
    """The winner paid the balance (late payment accepted while the sale still awaits it): the sale
    is complete, and can no longer be extended or defaulted. Public results show it as paid."""
    sale, _ = await _sale_for_update(session, officer, sale_id)
    reference = _reference(
        reference, "กรุณาระบุเลขอ้างอิงการชำระราคาส่วนที่เหลือ", "Give the balance payment reference"
    )
    sale.status = "paid"
    await session.flush()
    audit.record(session, officer.user_id, "sale", sale.id, "paid", "awaiting", "paid", reference=reference,
                 amount=sale.price - sale.deposit_applied)  # fmt: skip
    return sale


async def sales(session: AsyncSession, officer: Principal) -> list[dict[str, Any]]:
    """Winners' balances of the officer's office, still awaiting payment first."""
    if not officer.is_officer:
        raise ApiError(403, "officer_only", "เฉพาะเจ้าพนักงานบังคับคดี", "Officers only")
    query = select(Sale, SaleRound).join(SaleRound, SaleRound.id == Sale.round_id)
    if officer.role != "admin":
        query = query.where(SaleRound.office_id == officer.office_id)
    rows = await session.execute(query.order_by(Sale.status, Sale.balance_due_date).limit(500))
    return [sale_view(sale, rnd) for sale, rnd in rows]


def sale_view(sale: Sale, rnd: SaleRound) -> dict[str, Any]:
    hammer = hammer_day(rnd)
    policy = rules.policy_for(hammer)
    return {
        "id": sale.id, "lot_id": sale.lot_id, "round_id": sale.round_id, "registration_id": sale.registration_id,
        "price": sale.price, "deposit_applied": sale.deposit_applied, "balance": sale.price - sale.deposit_applied,
        "hammer_date": hammer.isoformat(), "balance_due_date": sale.balance_due_date.isoformat(),
        "latest_due_date": (hammer + dt.timedelta(days=policy.balance_days_max)).isoformat(),
        "extension_reason": sale.extension_reason, "status": sale.status,
    }  # fmt: skip
