"""Small fixed fixtures built through the real services (no hand-made rows that could drift)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import auth, casenum
from auction.models import Case, Court, Lot, Office, SaleRound, User
from auction.services import NewLot, lot_values

TODAY = dt.date(2026, 11, 23)


async def office(s: AsyncSession, code: str = "LED-10-1") -> Office:
    o = await s.scalar(select(Office).where(Office.code == code))
    assert o is not None
    return o


async def court(s: AsyncSession, code: str = "CIV-BKK") -> Court:
    c = await s.scalar(select(Court).where(Court.code == code))
    assert c is not None
    return c


async def make_case(s: AsyncSession, red: str = "ผบ.1234/2563", court_code: str = "CIV-BKK",
                    office_code: str = "LED-10-1", plaintiff: str = "ธนาคารออมสิน",
                    defendant: str = "นายสมชาย ใจดี") -> Case:  # fmt: skip
    number = casenum.parse(red)
    c = Case(
        court_id=(await court(s, court_code)).id, office_id=(await office(s, office_code)).id,
        red_prefix=number.prefix, red_efiled=number.efiled, red_number=number.number, red_year=number.year,
        red_key=number.key, black_number="ผบ.99/2562", plaintiff=plaintiff, defendant=defendant,
    )  # fmt: skip
    s.add(c)
    await s.flush()
    return c


async def make_lot(s: AsyncSession, case: Case, sale_order: str = "1", first_date: dt.date = TODAY,
                   rounds: int = 6, **overrides: Any) -> Lot:  # fmt: skip
    fields: dict[str, Any] = {
        "sale_order": sale_order, "property_type": "002", "province_code": "10", "district_code": "1017",
        "office_id": case.office_id, "round_dates": [first_date + dt.timedelta(days=21 * i) for i in range(rounds)],
        "appraisal_officer": 1_500_000, "appraisal_committee": 1_600_000, "area_sqm": 35.5,
        "condo_name": "ลุมพินี พระราม 9", "lat": 13.757, "lon": 100.565, "geo_precision": "exact",
    }  # fmt: skip
    fields.update(overrides)
    values, round_rows = lot_values(NewLot(**fields), case.id)
    lot = Lot(**values)
    s.add(lot)
    await s.flush()
    for r in round_rows:
        s.add(SaleRound(lot_id=lot.id, **r))
    await s.flush()
    return lot


async def make_user(s: AsyncSession, email: str, role: str = "buyer", office_code: str | None = None,
                    password: str = "correct horse battery") -> User:  # fmt: skip
    office_id = (await office(s, office_code)).id if office_code else None
    return await auth.create_user(s, email, password, role=role, office_id=office_id, display_name=email)


async def login_token(s: AsyncSession, user: User) -> str:
    return await auth.start_session(s, user.id)
