"""Buyer profiles: an individual (Thai ID or passport) or a company (juristic number + a recent
affidavit), contact, address and the bank account deposits are refunded to. No ID-card copies:
numbers are checked, never photocopied. Services take a session and never commit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import audit, identity
from auction.auth import Principal
from auction.db import utcnow
from auction.errors import ApiError
from auction.inputs import label
from auction.models import AdminArea, BuyerProfile
from auction.thai import arabic_digits, ce_year

KINDS = ("individual", "company")
ID_KINDS = ("thai_id", "passport")


def bad(field: str, code: str, th: str, en: str) -> ApiError:
    return ApiError(400, code, th, en, param=field)


def from_identity(field: str, exc: identity.IdentityError) -> ApiError:
    return bad(field, exc.code, exc.th, exc.en)


def parse_date(raw: str | None) -> dt.date | None:
    """A typed date: ISO (the browser's date input) or DD/MM/YYYY with a BE or CE year."""
    s = arabic_digits(raw or "").strip()
    if not s:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return dt.date.fromisoformat(s)
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})", s)
        if m:
            return dt.date(ce_year(int(m.group(3))), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def _text(data: Mapping[str, Any], field: str, max_len: int, required: bool = True) -> str:
    value = str(data.get(field) or "").strip()
    th, en = label(field)  # never the internal key in a message (issue 19)
    if required and not value:
        raise bad(field, "missing_field", f"กรุณากรอก{th}", f"The {en} is required")
    if len(value) > max_len:
        raise bad(
            field,
            "field_too_long",
            f"{th}ยาวเกิน {max_len:,} ตัวอักษร",
            f"The {en} is longer than {max_len:,} characters",
        )
    return value


async def validate(session: AsyncSession, data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Column values for a profile from a form or JSON body, or a 400 naming the field."""
    kind = str(data.get("kind") or "individual")
    if kind not in KINDS:
        raise bad("kind", "bad_kind", "ประเภทผู้ซื้อไม่ถูกต้อง", "kind must be individual or company")
    out: dict[str, Any] = {"kind": kind, "full_name": _text(data, "full_name", 300),
                           "thai_id": None, "passport_no": None, "juristic_no": None,
                           "affidavit_date": None}  # fmt: skip
    try:
        if kind == "individual":
            id_kind = str(data.get("id_kind") or "thai_id")
            if id_kind not in ID_KINDS:
                raise bad(
                    "id_kind", "bad_id_kind", "ประเภทเอกสารไม่ถูกต้อง", "id_kind must be thai_id or passport"
                )
            if id_kind == "thai_id":
                out["thai_id"] = identity.parse_thai_id(str(data.get("id_no") or ""))
            else:
                out["passport_no"] = identity.parse_passport(str(data.get("id_no") or ""))
        else:
            out["juristic_no"] = identity.parse_juristic_no(str(data.get("juristic_no") or ""))
            issued = parse_date(str(data.get("affidavit_date") or ""))
            if issued is None:
                raise bad(
                    "affidavit_date", "bad_date", "วันที่หนังสือรับรองไม่ถูกต้อง", "affidavit_date is not a date"
                )
            problem = identity.affidavit_problem(issued, today)
            if problem:
                raise from_identity("affidavit_date", problem)
            out["affidavit_date"] = issued
    except identity.IdentityError as exc:
        raise from_identity("id_no" if kind == "individual" else "juristic_no", exc) from exc
    try:
        out["phone"] = identity.parse_phone(str(data.get("phone") or ""))
    except identity.IdentityError as exc:
        raise from_identity("phone", exc) from exc
    out["address"] = _text(data, "address", 500)
    province = arabic_digits(str(data.get("province_code") or "")).strip()
    district = arabic_digits(str(data.get("district_code") or "")).strip()
    area = await session.get(AdminArea, district) if re.fullmatch(r"\d{4}", district) else None
    if not re.fullmatch(r"\d{2}", province) or await session.get(AdminArea, province) is None:
        raise bad("province_code", "bad_province", "ไม่พบจังหวัดนี้", "Unknown province")
    if area is None or area.parent_code != province:
        raise bad("district_code", "bad_district", "อำเภอ/เขตไม่อยู่ในจังหวัดที่เลือก",
                  "The district is not in the chosen province")  # fmt: skip
    out["province_code"], out["district_code"] = province, district
    out["tambon"] = _text(data, "tambon", 100)
    out["bank_name"] = _text(data, "bank_name", 100)
    try:
        out["bank_account_no"] = identity.parse_bank_account(str(data.get("bank_account_no") or ""))
    except identity.IdentityError as exc:
        raise from_identity("bank_account_no", exc) from exc
    out["bank_account_name"] = _text(data, "bank_account_name", 200)
    return out


async def save(
    session: AsyncSession, who: Principal, data: Mapping[str, Any], today: dt.date
) -> BuyerProfile:
    if who.user_id is None:
        raise ApiError(401, "login_required", "กรุณาเข้าสู่ระบบ", "Please log in")
    if who.role != "buyer":
        raise ApiError(403, "buyers_only", "เฉพาะผู้ซื้อ", "Only buyers have a buyer profile")
    values = await validate(session, data, today)
    if values["thai_id"]:
        holder = await session.scalar(
            select(BuyerProfile.user_id).where(BuyerProfile.thai_id == values["thai_id"])
        )
        if holder is not None and holder != who.user_id:
            raise bad(
                "id_no", "thai_id_taken", "เลขประจำตัวประชาชนนี้มีบัญชีแล้ว", "This Thai ID already has an account"
            )
    profile = await session.get(BuyerProfile, who.user_id)
    action = "update" if profile else "create"
    if profile is None:
        profile = BuyerProfile(user_id=who.user_id, **values)
        session.add(profile)
    else:
        for key, value in values.items():
            setattr(profile, key, value)
    profile.updated_at = utcnow()
    await session.flush()
    # The trail names which fields changed, never their values (personal data).
    audit.record(session, who.user_id, "buyer_profile", who.user_id, action, None, profile.kind,
                 fields=sorted(values))  # fmt: skip
    return profile


def view(p: BuyerProfile | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "kind": p.kind, "full_name": p.full_name, "thai_id": p.thai_id, "passport_no": p.passport_no,
        "juristic_no": p.juristic_no,
        "affidavit_date": p.affidavit_date.isoformat() if p.affidavit_date else None,
        "phone": p.phone, "address": p.address, "province_code": p.province_code,
        "district_code": p.district_code, "tambon": p.tambon, "bank_name": p.bank_name,
        "bank_account_no": p.bank_account_no, "bank_account_name": p.bank_account_name,
    }  # fmt: skip


def form_values(p: BuyerProfile | None) -> dict[str, Any]:
    """The profile as the account form's field values."""
    v = view(p) or {}
    if p is not None:
        v["id_kind"] = "passport" if p.passport_no else "thai_id"
        v["id_no"] = p.passport_no or p.thai_id or ""
    return v
