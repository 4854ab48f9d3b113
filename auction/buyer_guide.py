"""What a buyer is told after acting: how, where and by when to place the deposit of a
pre-registration, and, for a winner, the balance to pay after the hammer. Read-only views for the
registration's buyer (and the officers of its office); pages in auction.buyer_pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import auth, payment, refunds, registration, rules
from auction.errors import not_found
from auction.models import AuditLog, BuyerProfile, Case, Lot, Office, Registration, Sale, SaleRound
from auction.services import PROPERTY_TYPES, area_names


async def lot_label(session: AsyncSession, lot: Lot) -> dict[str, Any]:
    """What display.lot_name needs: case number, lot number, type and place."""
    case = await session.get(Case, lot.case_id)
    areas = await area_names(session, {lot.province_code, lot.district_code})
    th, en = PROPERTY_TYPES.get(lot.property_type, ("อื่น ๆ", "Other"))

    def area(code: str) -> dict[str, str] | None:
        a = areas.get(code)
        return {"th": a.name_th, "en": a.name_en} if a else None

    return {"id": lot.id, "red_number": case.red_key if case else "", "sale_order": lot.sale_order,
            "property_type_label": {"th": th, "en": en}, "condo_name": lot.condo_name,
            "district": area(lot.district_code), "province": area(lot.province_code)}  # fmt: skip


async def _office(session: AsyncSession, office_id: int) -> tuple[Office, payment.OfficePayment]:
    office = await session.get(Office, office_id)
    assert office is not None
    return office, payment.office_payment(office.code, office.name_th, office.name_en)


async def deposit_context(session: AsyncSession, who: auth.Principal, reg_id: int) -> dict[str, Any]:
    reg, rnd, lot = await registration.visible(session, who, reg_id)
    office, pay = await _office(session, rnd.office_id)
    profile = await session.get(BuyerProfile, reg.user_id) if reg.user_id else None
    ref = payment.deposit_reference(reg.id)
    transfer_by = payment.transfer_deadline(rnd.sale_date, pay)
    # Registered too late for a transfer to be seen in time: only the office on the day remains.
    transfer_open = transfer_by >= registration.today()
    qr = None
    if reg.status == "pending_deposit" and transfer_open:
        qr = payment.qr_svg(
            payment.promptpay_bill_payload(pay.biller_id, reg.deposit_due, ref),
            f"PromptPay QR {ref} {reg.deposit_due:,} THB",
        )
    sale = await session.scalar(select(Sale.id).where(Sale.registration_id == reg.id))
    return {
        "reg": registration.view(reg, rnd, lot), "lot": await lot_label(session, lot),
        "office": {"th": office.name_th, "en": office.name_en}, "pay": pay, "ref": ref, "qr": qr,
        "sale_date": rnd.sale_date, "transfer_by": transfer_by, "transfer_open": transfer_open,
        "buyer_kind": profile.kind if profile else "individual", "sale_id": sale,
        "policy": rules.policy_for(rnd.sale_date),
    }  # fmt: skip


async def sale_context(
    session: AsyncSession, who: auth.Principal, sale_id: int, day: dt.date | None = None
) -> dict[str, Any]:
    sale = await session.get(Sale, sale_id)
    if sale is None:
        raise not_found("รายการขาย", "Sale", "sale_not_found")
    reg = await session.get(Registration, sale.registration_id)
    rnd = await session.get(SaleRound, sale.round_id)
    lot = await session.get(Lot, sale.lot_id)
    assert reg is not None and rnd is not None and lot is not None
    registration.check_may_see(who, reg, rnd)
    office, pay = await _office(session, rnd.office_id)
    view = refunds.sale_view(sale, rnd)
    policy = rules.policy_for(refunds.hammer_day(rnd))
    # What officers recorded on this sale (payment, extensions), newest last; bounded by the few
    # actions a sale can have.
    events = list(
        await session.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "sale", AuditLog.entity_id == sale.id)
            .order_by(AuditLog.at, AuditLog.id)
            .limit(50)
        )
    )
    paid = next((e for e in reversed(events) if e.action == "paid"), None)
    ref = payment.balance_reference(sale.id)
    qr = None
    if sale.status == "awaiting" and view["balance"] > 0:
        qr = payment.qr_svg(
            payment.promptpay_bill_payload(pay.biller_id, view["balance"], ref),
            f"PromptPay QR {ref} {view['balance']:,} THB",
        )
    today = day or registration.today()
    due = sale.balance_due_date
    return {
        "sale": view, "lot": await lot_label(session, lot), "round_no": rnd.round_no,
        "bidder_no": reg.bidder_no, "office": {"th": office.name_th, "en": office.name_en}, "pay": pay,
        "ref": ref, "qr": qr, "days_left": (due - today).days, "policy": policy,
        "paid": {"at": paid.at, "reference": (paid.detail or {}).get("reference"),
                 "amount": (paid.detail or {}).get("amount")} if paid else None,
        "extended": [e for e in events if e.action == "extend_balance"],
    }  # fmt: skip


async def annotate(session: AsyncSession, items: list[dict[str, Any]]) -> None:
    """The account's registration cards get what a buyer needs next: the lot named as a person
    would, the deposit reference and transfer deadline, and the sale page of a win."""
    if not items:
        return
    lot_ids = {x["lot_id"] for x in items}
    lots = {lot.id: lot for lot in await session.scalars(select(Lot).where(Lot.id.in_(lot_ids)))}
    reds = dict((await session.execute(select(Case.id, Case.red_key).where(
        Case.id.in_({lot.case_id for lot in lots.values()})))).all())  # fmt: skip
    areas = await area_names(
        session, {c for lot in lots.values() for c in (lot.province_code, lot.district_code)}
    )
    offices = {o.id: o for o in await session.scalars(select(Office).where(
        Office.id.in_({x["round"]["office_id"] for x in items})))}  # fmt: skip
    sales = dict((await session.execute(select(Sale.registration_id, Sale.id).where(
        Sale.registration_id.in_([x["id"] for x in items])))).all())  # fmt: skip
    for x in items:
        lot = lots[x["lot_id"]]
        th, en = PROPERTY_TYPES.get(lot.property_type, ("อื่น ๆ", "Other"))
        x["lot_label"] = {
            "id": lot.id, "red_number": reds.get(lot.case_id, ""), "sale_order": lot.sale_order,
            "property_type_label": {"th": th, "en": en}, "condo_name": lot.condo_name,
            **{k: {"th": a.name_th, "en": a.name_en} for k, a in
               (("district", areas.get(lot.district_code)), ("province", areas.get(lot.province_code))) if a},
        }  # fmt: skip
        office = offices[x["round"]["office_id"]]
        pay = payment.office_payment(office.code, office.name_th, office.name_en)
        x["ref"] = payment.deposit_reference(x["id"])
        x["transfer_by"] = payment.transfer_deadline(dt.date.fromisoformat(x["round"]["sale_date"]), pay)
        if x["transfer_by"] < registration.today():
            x["transfer_by"] = None  # too late to transfer: the card says to pay at the office
        x["transfer_cutoff"] = pay.transfer_cutoff
        x["sale_id"] = sales.get(x["id"])


async def my_sale_id(session: AsyncSession, lot_id: int, user_id: int | None) -> int | None:
    """The sale of this lot won by this person, if any: the lot page leads its winner on."""
    if user_id is None:
        return None
    return await session.scalar(
        select(Sale.id)
        .join(Registration, Registration.id == Sale.registration_id)
        .where(Sale.lot_id == lot_id, Registration.user_id == user_id)
        .order_by(Sale.id.desc())
        .limit(1)
    )


async def my_sales_of_rounds(
    session: AsyncSession, round_ids: list[int], user_id: int | None
) -> dict[int, int]:
    """Of these rounds (a page of results), the ones this person won: round id -> sale id."""
    if user_id is None or not round_ids:
        return {}
    rows = await session.execute(
        select(Sale.round_id, Sale.id)
        .join(Registration, Registration.id == Sale.registration_id)
        .where(Sale.round_id.in_(round_ids), Registration.user_id == user_id)
    )
    return dict(rows.all())
