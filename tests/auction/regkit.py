"""Shared set-up for the registration tests: a lot with rounds ahead, buyers with profiles,
officers of two offices, all made through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from auction import profiles
from auction.auth import principal_of
from auction.identity import thai_id_check_digit
from auction.models import SaleRound, User
from auction.registration import today
from tests import factories as f


def valid_id(first12: str) -> str:
    return first12 + str(thai_id_check_digit(first12))


GOOD_ID = "1101700207030"
OTHER_ID = valid_id("350990012345")


def profile_form(id_no: str = GOOD_ID, **over: Any) -> dict[str, Any]:
    form = {
        "kind": "individual", "full_name": "นายสมหวัง ตั้งใจ", "id_kind": "thai_id", "id_no": id_no,
        "phone": "081-234-5678", "address": "99/1 ถนนรัชดาภิเษก", "province_code": "10",
        "district_code": "1017", "tambon": "ห้วยขวาง", "bank_name": "ธนาคารกรุงไทย",
        "bank_account_no": "123-4-56789-0", "bank_account_name": "สมหวัง ตั้งใจ",
    }  # fmt: skip
    form.update(over)
    return form


@dataclass
class World:
    lot: int
    round1: int
    round2: int
    buyer: int
    buyer2: int
    officer: int
    other_officer: int
    buyer_token: str
    buyer2_token: str
    officer_token: str
    other_officer_token: str
    sale_date: dt.date

    def h(self, who: str) -> dict[str, str]:
        token = getattr(self, f"{who}_token")
        return {"authorization": f"Bearer {token}"}


async def build(db: Any, first_in_days: int = 14) -> World:
    first = today() + dt.timedelta(days=first_in_days)
    async with db.begin() as s:
        case = await f.make_case(s)
        lot = await f.make_lot(s, case, first_date=first)
        ids = list(
            await s.scalars(
                select(SaleRound.id).where(SaleRound.lot_id == lot.id).order_by(SaleRound.round_no)
            )
        )
        b1 = await f.make_user(s, "b1@x.test")
        b2 = await f.make_user(s, "b2@x.test")
        o1 = await f.make_user(s, "o1@x.test", role="officer", office_code="LED-10-1")
        o2 = await f.make_user(s, "o2@x.test", role="officer", office_code="LED-10-2")
        await profiles.save(s, principal_of(b1), profile_form(), today())
        await profiles.save(s, principal_of(b2), profile_form(OTHER_ID, full_name="นางสาวมานี มีเงิน"), today())
        tokens = [await f.login_token(s, u) for u in (b1, b2, o1, o2)]
    return World(lot.id, ids[0], ids[1], b1.id, b2.id, o1.id, o2.id, *tokens, first)


async def user(db: Any, user_id: int) -> User:
    async with db() as s:
        u = await s.get(User, user_id)
        assert u is not None
        return u


async def build_past_lot(db: Any) -> int:
    """A lot whose first round was last week and is still marked scheduled (nobody closed it)."""
    async with db.begin() as s:
        case = await f.make_case(s, red="ผบ.77/2567")
        lot = await f.make_lot(s, case, first_date=today() - dt.timedelta(days=7))
        return lot.id
