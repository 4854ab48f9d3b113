"""Pre-registration and deposits: a buyer registers for a lot's round, an officer confirms the
deposit and a bidder number (paddle) is issued. Eligibility lives in ONE place, check_can_bid(),
which the live room calls too. Services take a session and never commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction import audit, identity, payment, rules
from auction.auth import Principal, person_of
from auction.db import utcnow
from auction.errors import ApiError, not_found
from auction.models import BidderNumber, BuyerProfile, Lot, Registration, Room, SaleRound, User
from auction.thai import BANGKOK

LIVE = ("pending_deposit", "confirmed")  # a person has at most one of these per round
DEPOSIT_METHODS = ("cash", "cheque", "card", "transfer")
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending_deposit": ("รอยืนยันหลักประกัน", "Awaiting deposit confirmation"),
    "confirmed": ("ยืนยันแล้ว ได้หมายเลขผู้เข้าสู้ราคา", "Confirmed: bidder number issued"),
    "rejected": ("ไม่อนุมัติ", "Rejected"),
    "cancelled": ("ยกเลิกแล้ว", "Cancelled"),
    "released": ("คืนหลักประกัน (รอโอนคืน)", "Deposit released (refund pending)"),
    "refunded": ("คืนหลักประกันแล้ว", "Deposit refunded"),
    "applied": ("ชนะการประมูล หลักประกันนำไปชำระราคา", "Winner: deposit applied to the price"),
    "forfeited": ("ริบหลักประกัน", "Deposit forfeited"),
}
# Eligibility codes from check_can_bid(): HTTP status and the message shown to the person.
ELIGIBILITY: dict[str, tuple[int, str, str]] = {
    "login_required": (401, "กรุณาเข้าสู่ระบบ", "Please log in"),
    "led_staff_cannot_bid": (403, "เจ้าหน้าที่กรมบังคับคดีไม่มีสิทธิเข้าสู้ราคา", "LED staff may not register or bid"),
    "conducting_officer_cannot_bid": (
        403, "เจ้าพนักงานผู้ดำเนินการขายไม่มีสิทธิเข้าสู้ราคา", "The conducting officer may not bid",
    ),
    "bidder_barred": (403, "ถูกระงับสิทธิเข้าสู้ราคาเนื่องจากผิดนัดชำระราคา", "Barred from bidding after defaulting on a balance"),
    "not_registered": (403, "ยังไม่ได้รับหมายเลขผู้เข้าสู้ราคาสำหรับทรัพย์นี้", "No confirmed registration for this lot"),
}  # fmt: skip


def today(now: dt.datetime | None = None) -> dt.date:
    """The sale calendar's date: Bangkok's, not the server's."""
    return (now or utcnow()).astimezone(BANGKOK).date()


def round_is_open(r: SaleRound, day: dt.date) -> bool:
    """Registration closes once the round opens: the room opened it, its day passed, or it ended."""
    return r.live_state != "idle" or r.sale_date < day or r.status != "scheduled"


async def conducting_officer_id(session: AsyncSession, rnd: SaleRound) -> int | None:
    return await session.scalar(
        select(Room.officer_id).where(Room.office_id == rnd.office_id, Room.sale_date == rnd.sale_date)
    )


async def confirmed_registration(
    session: AsyncSession, user_id: int | None, round_id: int
) -> Registration | None:
    if user_id is None:
        return None
    return await session.scalar(
        select(Registration).where(
            Registration.user_id == user_id,
            Registration.round_id == round_id,
            Registration.status == "confirmed",
        )
    )


async def check_can_bid(
    session: AsyncSession,
    who: Principal | User | None,
    rnd: SaleRound,
    *,
    day: dt.date | None = None,
    need_registration: bool = True,
) -> str | None:
    """Why this person may not take part in this round, or None. The one eligibility check:
    registration (need_registration=False) and the live room (a confirmed registration needed)
    both call it. Codes are the keys of ELIGIBILITY."""
    person = person_of(who)
    problem = rules.eligibility_problem(person, day or today(), await conducting_officer_id(session, rnd))
    if problem:
        return problem
    if need_registration and await confirmed_registration(session, person.user_id, rnd.id) is None:
        return "not_registered"
    return None


def eligibility_error(code: str) -> ApiError:
    status, th, en = ELIGIBILITY.get(code, (403, "ไม่มีสิทธิ", "Not eligible"))
    return ApiError(status, code, th, en)


def closed_error() -> ApiError:
    return ApiError(409, "registration_closed", "ปิดรับลงทะเบียนแล้ว (เริ่มการขายนัดนี้แล้ว)",
                    "Registration is closed: this round has opened")  # fmt: skip


def deposit_due(lot: Lot, rnd: SaleRound, setoff: bool) -> int:
    policy = rules.policy_for(rnd.sale_date)
    return rules.setoff_deposit(lot.base_price, policy) if setoff else rules.deposit(lot.base_price, policy)


async def _round_for_update(session: AsyncSession, round_id: int) -> SaleRound:
    # Row lock on PostgreSQL serialises registrations per round; SQLite's BEGIN IMMEDIATE already does.
    rnd = await session.scalar(select(SaleRound).where(SaleRound.id == round_id).with_for_update())
    if rnd is None:
        raise not_found("นัดขาย", "Round", "round_not_found")
    return rnd


async def pick_round(session: AsyncSession, lot_id: int, round_id: int | None) -> tuple[Lot, SaleRound]:
    lot = await session.get(Lot, lot_id)
    if lot is None:
        raise not_found("ทรัพย์", "Lot", "lot_not_found")
    if round_id is None:
        round_id = await session.scalar(
            select(SaleRound.id)
            .where(SaleRound.lot_id == lot_id, SaleRound.status == "scheduled")
            .order_by(SaleRound.round_no)
            .limit(1)
        )
        if round_id is None:
            raise closed_error()
    rnd = await _round_for_update(session, round_id)
    if rnd.lot_id != lot_id:
        raise not_found("นัดขาย", "Round", "round_not_found")
    return lot, rnd


def _proxy(name: str | None, id_no: str | None) -> tuple[str | None, str | None]:
    name, id_no = (name or "").strip(), (id_no or "").strip()
    if not name and not id_no:
        return None, None
    if not name or not id_no:
        raise ApiError(400, "incomplete_proxy", "กรุณาระบุชื่อและเลขประจำตัวของผู้มอบอำนาจ",
                       "A proxy must name the principal and their ID number", param="proxy")  # fmt: skip
    if len(name) > 300:
        raise ApiError(400, "field_too_long", "ชื่อผู้มอบอำนาจยาวเกินไป", "Principal name too long", param="proxy")
    try:
        return name, identity.parse_any_id(id_no)[1]
    except identity.IdentityError as exc:
        raise ApiError(400, exc.code, exc.th, exc.en, param="proxy_principal_id") from exc


async def register(
    session: AsyncSession,
    who: Principal,
    lot_id: int,
    round_id: int | None = None,
    *,
    setoff: bool = False,
    proxy_name: str | None = None,
    proxy_id: str | None = None,
    day: dt.date | None = None,
) -> Registration:
    day = day or today()
    lot, rnd = await pick_round(session, lot_id, round_id)
    problem = await check_can_bid(session, who, rnd, day=day, need_registration=False)
    if problem:
        raise eligibility_error(problem)
    if round_is_open(rnd, day):
        raise closed_error()
    profile = await session.get(BuyerProfile, who.user_id)
    if profile is None:
        raise ApiError(409, "profile_required", "กรุณากรอกข้อมูลผู้ซื้อก่อนลงทะเบียน",
                       "Complete your buyer profile before registering")  # fmt: skip
    if profile.kind == "company" and profile.affidavit_date is not None:
        stale = identity.affidavit_problem(profile.affidavit_date, day)
        if stale:
            raise ApiError(409, stale.code, stale.th, stale.en)
    existing = await session.scalar(
        select(Registration.id).where(
            Registration.user_id == who.user_id,
            Registration.round_id == rnd.id,
            Registration.status.in_(LIVE),
        )
    )
    if existing is not None:
        raise ApiError(409, "already_registered", "ลงทะเบียนนัดนี้ไว้แล้ว", "Already registered for this round",
                       registration_id=existing)  # fmt: skip
    name, principal_id = _proxy(proxy_name, proxy_id)
    now = utcnow()
    reg = Registration(
        user_id=who.user_id, round_id=rnd.id, lot_id=lot.id, channel="remote", setoff=setoff,
        proxy_principal_name=name, proxy_principal_id=principal_id,
        deposit_due=deposit_due(lot, rnd, setoff), status="pending_deposit", created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(reg)
    await session.flush()
    audit.record(session, who.user_id, "registration", reg.id, "register", None, reg.status,
                 round_id=rnd.id, setoff=setoff, proxy=name is not None, deposit_due=reg.deposit_due)  # fmt: skip
    return reg


async def registration_for_update(session: AsyncSession, reg_id: int) -> tuple[Registration, SaleRound]:
    """The registration, row-locked on PostgreSQL, with its round (whose office decides who may act)."""
    reg = await session.scalar(select(Registration).where(Registration.id == reg_id).with_for_update())
    if reg is None:
        raise not_found("การลงทะเบียน", "Registration", "registration_not_found")
    rnd = await session.get(SaleRound, reg.round_id)
    assert rnd is not None
    return reg, rnd


def require_office(officer: Principal, office_id: int) -> None:
    if not officer.is_officer:
        raise ApiError(403, "officer_only", "เฉพาะเจ้าพนักงานบังคับคดี", "Officers only")
    if not officer.may_run_office(office_id):
        raise ApiError(403, "wrong_office", "ไม่ใช่เจ้าหน้าที่ของสำนักงานนี้", "Not an officer of this office")


def _deposit_fields(method: str | None, reference: str | None) -> tuple[str, str]:
    method = (method or "").strip()
    reference = (reference or "").strip()
    if method not in DEPOSIT_METHODS:
        raise ApiError(400, "bad_deposit_method", "วิธีวางหลักประกันไม่ถูกต้อง",
                       f"method must be one of {', '.join(DEPOSIT_METHODS)}", param="method")  # fmt: skip
    if not reference or len(reference) > 100:
        raise ApiError(400, "missing_reference", "กรุณาระบุเลขที่ใบเสร็จหรือเลขอ้างอิง",
                       "Give the receipt or transfer reference (at most 100 characters)", param="reference")  # fmt: skip
    return method, reference


async def issue_paddle(
    session: AsyncSession,
    office_id: int,
    sale_date: dt.date,
    user_id: int | None,
    walk_in_name: str | None = None,
) -> BidderNumber:
    """The person's paddle for this office and sale day: reused across their lots, else the next
    free number. Two officers confirming at once on PostgreSQL can race for a number: the unique
    constraint catches it and the savepoint lets us take the next one."""
    for _ in range(5):
        if user_id is not None:
            mine = await session.scalar(
                select(BidderNumber).where(
                    BidderNumber.office_id == office_id, BidderNumber.sale_date == sale_date,
                    BidderNumber.user_id == user_id,
                )
            )  # fmt: skip
            if mine is not None:
                return mine
        top = await session.scalar(
            select(func.max(BidderNumber.number)).where(
                BidderNumber.office_id == office_id, BidderNumber.sale_date == sale_date
            )
        )
        paddle = BidderNumber(office_id=office_id, sale_date=sale_date, number=(top or 0) + 1,
                              user_id=user_id, walk_in_name=walk_in_name)  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(paddle)
                await session.flush()
            return paddle
        except IntegrityError:
            continue
    raise ApiError(409, "paddle_busy", "ระบบกำลังออกหมายเลข กรุณาลองใหม่", "Bidder numbers are busy, try again")


async def _confirm(session: AsyncSession, officer: Principal, reg: Registration, rnd: SaleRound,
                   method: str, reference: str, walk_in_name: str | None = None) -> None:  # fmt: skip
    paddle = await issue_paddle(session, rnd.office_id, rnd.sale_date, reg.user_id, walk_in_name)
    before = reg.status
    reg.status, reg.deposit_method, reg.deposit_reference = "confirmed", method, reference
    reg.bidder_number_id, reg.bidder_no = paddle.id, paddle.number
    reg.confirmed_by, reg.updated_at = officer.user_id, utcnow()
    await session.flush()
    audit.record(session, officer.user_id, "registration", reg.id, "confirm_deposit", before, reg.status,
                 method=method, reference=reference, bidder_no=paddle.number)  # fmt: skip


async def confirm(
    session: AsyncSession, officer: Principal, reg_id: int, method: str | None, reference: str | None,
    day: dt.date | None = None,
) -> Registration:  # fmt: skip
    day = day or today()
    reg, rnd = await registration_for_update(session, reg_id)
    require_office(officer, rnd.office_id)
    if reg.status == "confirmed":
        raise ApiError(409, "already_confirmed", "ยืนยันหลักประกันรายการนี้แล้ว", "This deposit is already confirmed",
                       bidder_no=reg.bidder_no)  # fmt: skip
    if reg.status != "pending_deposit":
        raise ApiError(
            409, "not_pending", "รายการนี้ไม่ได้รอยืนยัน", f"Registration is {reg.status}", current=reg.status
        )
    if round_is_open(rnd, day):
        raise closed_error()
    method, reference = _deposit_fields(method, reference)
    if reg.user_id is not None:
        buyer = await session.get(User, reg.user_id)
        problem = await check_can_bid(session, buyer, rnd, day=day, need_registration=False)
        if problem:
            raise eligibility_error(problem)
    await _confirm(session, officer, reg, rnd, method, reference)
    return reg


async def reject(session: AsyncSession, officer: Principal, reg_id: int, reason: str | None) -> Registration:
    reg, rnd = await registration_for_update(session, reg_id)
    require_office(officer, rnd.office_id)
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(400, "reason_required", "กรุณาระบุเหตุผล", "A reason is required", param="reason")
    if reg.status != "pending_deposit":
        raise ApiError(
            409, "not_pending", "รายการนี้ไม่ได้รอยืนยัน", f"Registration is {reg.status}", current=reg.status
        )
    reg.status, reg.reject_reason, reg.updated_at = "rejected", reason[:2000], utcnow()
    await session.flush()
    audit.record(session, officer.user_id, "registration", reg.id, "reject", "pending_deposit", "rejected",
                 reason=reason[:2000])  # fmt: skip
    return reg


async def cancel(
    session: AsyncSession, who: Principal, reg_id: int, day: dt.date | None = None
) -> Registration:
    reg, rnd = await registration_for_update(session, reg_id)
    if reg.user_id != who.user_id:
        raise not_yours()
    if reg.status != "pending_deposit":
        # Once money is confirmed the officer handles it; the buyer cannot silently walk away.
        raise ApiError(409, "cannot_cancel", "ยกเลิกได้เฉพาะรายการที่ยังไม่ยืนยันหลักประกัน",
                       "Only a registration awaiting its deposit can be cancelled", current=reg.status)  # fmt: skip
    if round_is_open(rnd, day or today()):
        raise closed_error()
    reg.status, reg.updated_at = "cancelled", utcnow()
    await session.flush()
    audit.record(session, who.user_id, "registration", reg.id, "cancel", "pending_deposit", "cancelled")
    return reg


def not_yours() -> ApiError:
    return ApiError(403, "not_your_registration", "ไม่ใช่การลงทะเบียนของท่าน", "This is not your registration")


async def register_walk_in(
    session: AsyncSession, officer: Principal, round_id: int, name: str | None, id_no: str | None,
    method: str | None, reference: str | None, *, setoff: bool = False, day: dt.date | None = None,
) -> Registration:  # fmt: skip
    """A floor bidder without an account: the officer checks their ID in person (no copy kept),
    takes the deposit and hands out a paddle in one step."""
    day = day or today()
    rnd = await _round_for_update(session, round_id)
    require_office(officer, rnd.office_id)
    if round_is_open(rnd, day):
        raise closed_error()
    name = (name or "").strip()
    if not name or len(name) > 300:
        raise ApiError(
            400, "missing_field", "กรุณาระบุชื่อผู้เข้าสู้ราคา", "The walk-in's name is required", param="name"
        )
    try:
        # A walk-in is a person: thirteen digits must be a valid Thai ID, not a company number.
        kind, number = identity.parse_any_id(id_no or "")
        if kind == "juristic":
            kind, number = "thai_id", identity.parse_thai_id(number)
    except identity.IdentityError as exc:
        raise ApiError(400, exc.code, exc.th, exc.en, param="id_no") from exc
    method, reference = _deposit_fields(method, reference)
    # Someone with an account is still bound by its bar: find them by their Thai ID.
    account = None
    if kind == "thai_id":
        account = await session.scalar(
            select(User)
            .join(BuyerProfile, BuyerProfile.user_id == User.id)
            .where(BuyerProfile.thai_id == number)
        )
    problem = rules.eligibility_problem(person_of(account) if account else rules.Person("buyer", False, None), day,
                                        await conducting_officer_id(session, rnd))  # fmt: skip
    if problem:
        raise eligibility_error(problem)
    lot = await session.get(Lot, rnd.lot_id)
    assert lot is not None
    now = utcnow()
    reg = Registration(user_id=None, round_id=rnd.id, lot_id=rnd.lot_id, channel="floor", setoff=setoff,
                       deposit_due=deposit_due(lot, rnd, setoff), status="pending_deposit",
                       created_at=now, updated_at=now)  # fmt: skip
    session.add(reg)
    await session.flush()
    audit.record(session, officer.user_id, "registration", reg.id, "register_walk_in", None, reg.status,
                 round_id=rnd.id, id_kind=kind, id_last4=number[-4:], account_id=account.id if account else None)  # fmt: skip
    await _confirm(session, officer, reg, rnd, method, reference, walk_in_name=name)
    return reg


# --- reading -----------------------------------------------------------------------------------


def label(status: str) -> dict[str, str]:
    th, en = STATUS_LABELS.get(status, (status, status))
    return {"th": th, "en": en}


def view(reg: Registration, rnd: SaleRound | None = None, lot: Lot | None = None,
         buyer: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {
        "id": reg.id, "lot_id": reg.lot_id, "round_id": reg.round_id, "channel": reg.channel,
        "setoff": reg.setoff, "proxy_principal_name": reg.proxy_principal_name,
        "deposit_due": reg.deposit_due, "deposit_method": reg.deposit_method,
        "deposit_reference": reg.deposit_reference, "status": reg.status, "status_label": label(reg.status),
        "reject_reason": reg.reject_reason, "bidder_no": reg.bidder_no,
        "created_at": reg.created_at.isoformat(), "updated_at": reg.updated_at.isoformat(),
        # What the buyer writes on the transfer (and the QR carries), so an officer can match the slip.
        "pay_reference": payment.deposit_reference(reg.id),
    }  # fmt: skip
    if rnd is not None:
        out["round"] = {"round_no": rnd.round_no, "sale_date": rnd.sale_date.isoformat(),
                        "office_id": rnd.office_id, "status": rnd.status, "live_state": rnd.live_state}  # fmt: skip
    if lot is not None:
        out["lot"] = {"id": lot.id, "sale_order": lot.sale_order, "property_type": lot.property_type,
                      "condo_name": lot.condo_name, "case_id": lot.case_id}  # fmt: skip
    if buyer is not None:
        out["buyer"] = buyer
    return out


async def mine(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Registration, SaleRound, Lot)
        .join(SaleRound, SaleRound.id == Registration.round_id)
        .join(Lot, Lot.id == Registration.lot_id)
        .where(Registration.user_id == user_id)
        .order_by(SaleRound.sale_date.desc(), Registration.id.desc())
    )
    return [view(reg, rnd, lot) for reg, rnd, lot in rows]


def check_may_see(who: Principal, reg: Registration, rnd: SaleRound) -> None:
    """A registration is seen by its buyer and the officers of its office; nobody else."""
    if reg.user_id != who.user_id and not who.may_run_office(rnd.office_id):
        raise not_yours()


async def visible(session: AsyncSession, who: Principal, reg_id: int) -> tuple[Registration, SaleRound, Lot]:
    """The registration, its round and lot, for someone who may see it (404 / 403 otherwise)."""
    reg = await session.get(Registration, reg_id)
    if reg is None:
        raise not_found("การลงทะเบียน", "Registration", "registration_not_found")
    rnd = await session.get(SaleRound, reg.round_id)
    lot = await session.get(Lot, reg.lot_id)
    assert rnd is not None and lot is not None
    check_may_see(who, reg, rnd)
    return reg, rnd, lot


async def one(session: AsyncSession, who: Principal, reg_id: int) -> dict[str, Any]:
    """A registration for its buyer or an officer of its office; nobody else."""
    return view(*await visible(session, who, reg_id))


async def queue(
    session: AsyncSession, officer: Principal, status: str = "pending_deposit", sale_date: dt.date | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:  # fmt: skip
    """The officer's office's registrations in one status, soonest sale first, with who they are."""
    if not officer.is_officer:
        raise ApiError(403, "officer_only", "เฉพาะเจ้าพนักงานบังคับคดี", "Officers only")
    if status not in STATUS_LABELS:
        raise ApiError(400, "bad_status", "สถานะไม่ถูกต้อง", "Unknown status", param="status")
    query = (
        select(
            Registration,
            SaleRound,
            Lot,
            BuyerProfile,
            User.email,
            BidderNumber.walk_in_name,
            User.email_verified_at,
        )
        .join(SaleRound, SaleRound.id == Registration.round_id)
        .join(Lot, Lot.id == Registration.lot_id)
        .outerjoin(BuyerProfile, BuyerProfile.user_id == Registration.user_id)
        .outerjoin(User, User.id == Registration.user_id)
        .outerjoin(BidderNumber, BidderNumber.id == Registration.bidder_number_id)
        .where(Registration.status == status)
        .order_by(SaleRound.sale_date, Registration.id)
        .limit(limit)
    )
    if officer.role != "admin":
        query = query.where(SaleRound.office_id == officer.office_id)
    if sale_date is not None:
        query = query.where(SaleRound.sale_date == sale_date)
    out = []
    for reg, rnd, lot, profile, email, walk_in, verified_at in await session.execute(query):
        buyer = {"name": profile.full_name if profile else (walk_in or ""), "email": email,
                 "kind": profile.kind if profile else "walk_in",
                 "email_verified": None if email is None else verified_at is not None}  # fmt: skip
        if profile is not None:
            buyer.update({"bank_name": profile.bank_name, "bank_account_no": profile.bank_account_no,
                          "bank_account_name": profile.bank_account_name, "phone": profile.phone})  # fmt: skip
        out.append(view(reg, rnd, lot, buyer))
    return out
