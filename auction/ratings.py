"""Satisfaction: after a service (a registration completed, a sale attended) the buyer rates it
1–5 with an optional comment, once per service; officers see the figures of their office.

- registration: the buyer's own registration once the deposit was confirmed (confirmed and after).
- sale: the same registration once its round was held and the lot closed for them
  (released, refunded, applied or forfeited).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction import audit
from auction.auth import Principal
from auction.db import utcnow
from auction.errors import ApiError, not_found
from auction.models import Case, Lot, Office, Rating, Registration, SaleRound
from auction.services import PROPERTY_TYPES, area_names
from auction.thai import parse_int

SERVICES = ("registration", "sale")
RATEABLE = {
    "registration": ("confirmed", "released", "refunded", "applied", "forfeited"),
    "sale": ("released", "refunded", "applied", "forfeited"),
}
SERVICE_LABELS = {"registration": ("การลงทะเบียนและวางหลักประกัน", "Registration and deposit"),
                  "sale": ("การเข้าร่วมการขายทอดตลาด", "Attending the sale")}  # fmt: skip


async def rate(session: AsyncSession, who: Principal, data: dict[str, Any]) -> Rating:
    if who.user_id is None:
        raise ApiError(401, "login_required", "กรุณาเข้าสู่ระบบ", "Please log in")
    service = str(data.get("service") or "")
    if service not in SERVICES:
        raise ApiError(
            400, "bad_service", "บริการไม่ถูกต้อง", "service must be registration or sale", param="service"
        )
    subject = parse_int(data.get("subject_id") if not isinstance(data.get("subject_id"), bool) else None)
    if subject is None or not 0 < subject < 2**31:
        raise ApiError(400, "malformed_id", "รหัสรายการไม่ถูกต้อง", "Malformed subject_id", param="subject_id")
    raw_score = data.get("score")
    score = (
        parse_int(raw_score) if isinstance(raw_score, str | int) and not isinstance(raw_score, bool) else None
    )
    if score is None or not 1 <= score <= 5:
        raise ApiError(400, "bad_score", "คะแนนต้องเป็น 1 ถึง 5", "score must be 1 to 5", param="score")
    comment = str(data.get("comment") or "").strip()
    if len(comment) > 2000:
        raise ApiError(400, "comment_too_long", "ความคิดเห็นยาวเกิน 2,000 ตัวอักษร", "Comment is over 2,000 characters",
                       param="comment")  # fmt: skip
    reg = await session.get(Registration, subject)
    if reg is None or reg.user_id != who.user_id:
        # Someone else's registration looks the same as none: ids are not a directory.
        raise not_found("รายการลงทะเบียน", "Registration", "registration_not_found")
    if reg.status not in RATEABLE[service]:
        raise ApiError(409, "not_rateable_yet", "ยังให้คะแนนบริการนี้ไม่ได้", f"Nothing to rate yet (registration is {reg.status})",
                       current=reg.status)  # fmt: skip
    rnd = await session.get(SaleRound, reg.round_id)
    assert rnd is not None
    existing = await session.scalar(
        select(Rating.id).where(
            Rating.user_id == who.user_id, Rating.service == service, Rating.subject_id == reg.id
        )
    )
    if existing is not None:
        raise ApiError(409, "already_rated", "ท่านให้คะแนนบริการนี้แล้ว", "You have already rated this service")
    rating = Rating(user_id=who.user_id, office_id=rnd.office_id, service=service, subject_id=reg.id, score=score,
                    comment=comment or None, at=utcnow())  # fmt: skip
    session.add(rating)
    try:
        await session.flush()
    except IntegrityError as exc:  # a double submit that raced the check above
        raise ApiError(
            409, "already_rated", "ท่านให้คะแนนบริการนี้แล้ว", "You have already rated this service"
        ) from exc
    audit.record(session, who.user_id, "rating", rating.id, "rate", None, str(score), service=service,
                 registration_id=reg.id)  # fmt: skip
    return rating


async def rateable(session: AsyncSession, who: Principal) -> list[dict[str, Any]]:
    """The buyer's services that can be rated, with their rating if already given."""
    regs = list(
        await session.execute(
            select(Registration, SaleRound, Lot, Case.red_key)
            .join(SaleRound, SaleRound.id == Registration.round_id)
            .join(Lot, Lot.id == Registration.lot_id)
            .join(Case, Case.id == Lot.case_id)
            .where(Registration.user_id == who.user_id, Registration.status.in_(RATEABLE["registration"]))
            .order_by(SaleRound.sale_date.desc(), Registration.id.desc())
            .limit(200)
        )
    )
    given = {
        (r.service, r.subject_id): r
        for r in await session.scalars(select(Rating).where(Rating.user_id == who.user_id))
    }
    areas = await area_names(
        session, {c for _, _, lot, _ in regs for c in (lot.province_code, lot.district_code)}
    )

    def place(code: str) -> dict[str, str] | None:
        a = areas.get(code)
        return {"th": a.name_th, "en": a.name_en} if a else None

    out = []
    for reg, rnd, lot, red in regs:
        th, en = PROPERTY_TYPES.get(lot.property_type, ("อื่น ๆ", "Other"))
        # Named as a person would (case, lot number, type, place), not by the lot's id.
        named = {"red_number": red, "property_type_label": {"th": th, "en": en}, "condo_name": lot.condo_name,
                 "district": place(lot.district_code), "province": place(lot.province_code)}  # fmt: skip
        for service in SERVICES:
            if reg.status in RATEABLE[service]:
                r = given.get((service, reg.id))
                out.append({
                    "service": service, "label": dict(zip(("th", "en"), SERVICE_LABELS[service], strict=True)),
                    "subject_id": reg.id, "lot_id": reg.lot_id, "sale_order": lot.sale_order, **named,
                    "round_no": rnd.round_no,
                    "sale_date": rnd.sale_date.isoformat(), "score": r.score if r else None,
                    "comment": r.comment if r else None,
                })  # fmt: skip
    return out


async def office_stats(session: AsyncSession, who: Principal) -> list[dict[str, Any]]:
    """Per office and service: number of ratings, mean score and the 1–5 distribution. Officers see
    their own office; admins every office."""
    if not who.is_officer:
        raise ApiError(403, "officer_only", "เฉพาะเจ้าพนักงานบังคับคดี", "Officers only")
    query = (
        select(Rating.office_id, Rating.service, Rating.score, func.count())
        .group_by(Rating.office_id, Rating.service, Rating.score)
        .order_by(Rating.office_id, Rating.service, Rating.score)
    )
    if who.role != "admin":
        query = query.where(Rating.office_id == who.office_id)
    rows = list(await session.execute(query))
    offices = {
        o.id: o for o in await session.scalars(select(Office).where(Office.id.in_({r[0] for r in rows})))
    }
    stats: dict[tuple[int, str], dict[str, Any]] = {}
    for office_id, service, score, n in rows:
        o = offices.get(office_id)
        entry = stats.setdefault((office_id, service), {
            "office": {"id": office_id, "th": o.name_th if o else "", "en": o.name_en if o else ""},
            "service": service, "label": dict(zip(("th", "en"), SERVICE_LABELS.get(service, (service, service)), strict=True)),
            "count": 0, "sum": 0, "distribution": {str(k): 0 for k in range(1, 6)},
        })  # fmt: skip
        entry["count"] += n
        entry["sum"] += score * n
        entry["distribution"][str(score)] = n
    out = []
    for entry in stats.values():
        total = entry.pop("sum")
        entry["mean"] = round(total / entry["count"], 2) if entry["count"] else None
        out.append(entry)
    return out


async def recent_comments(session: AsyncSession, who: Principal, limit: int = 20) -> list[dict[str, Any]]:
    query = select(Rating).where(Rating.comment.is_not(None)).order_by(Rating.at.desc()).limit(limit)
    if who.role != "admin":
        query = query.where(Rating.office_id == who.office_id)
    return [
        {"service": r.service, "score": r.score, "comment": r.comment, "at": r.at.isoformat()}
        for r in await session.scalars(query)
    ]
