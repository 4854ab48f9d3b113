"""The tier's fixed data set, built with the project's own services: `python -m tests.e2e_browser.seed URL`.

Runs in its own process (the tests drive a browser and must not share an event loop with it) and
prints a JSON manifest of what the journeys look for, so no test hard-codes a generated id.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys

from sqlalchemy import func, select

from auction import demo, registration
from auction.__main__ import migrate
from auction.auth import principal_of
from auction.db import make_null_pool_engine, sessionmaker
from auction.models import AdminArea, Case, Lot, Office, Registration, SaleRound, TransitStation, User

SEED = 8  # fixed: the same lots, cases and condos on every run
LOTS = 200
ROOM_BIDDERS = ("buyer@demo.test", "buyer2@demo.test")


async def build(url: str) -> dict:
    today = registration.today()  # Bangkok's date: the room's sale day
    engine = make_null_pool_engine(url)
    async with sessionmaker(engine).begin() as s:
        await demo.generate(s, LOTS, seed=SEED, today=today)
        await demo.demo_accounts(s, today)
        office = await s.scalar(select(Office).where(Office.code == "LED-10-1"))
        officer = await s.scalar(select(User).where(User.email == "officer@demo.test"))
        assert office is not None and officer is not None
        # The room: today's rounds at LED-10-1. demo_accounts confirmed both demo buyers for the
        # first of them; a walk-in with a paddle makes the officer's floor bids possible.
        room_rounds = list(
            await s.scalars(
                select(SaleRound)
                .where(SaleRound.office_id == office.id, SaleRound.sale_date == today)
                .order_by(SaleRound.lot_id)
            )
        )
        first = room_rounds[0]
        paddles: dict[str, int] = {}
        for email in ROOM_BIDDERS:
            paddles[email] = await s.scalar(
                select(Registration.bidder_no)
                .join(User, User.id == Registration.user_id)
                .where(User.email == email, Registration.round_id == first.id, Registration.status == "confirmed")
            )  # fmt: skip
            assert paddles[email], f"demo buyer {email} is not confirmed for today's first lot"
        walk_in = await registration.register_walk_in(
            s, principal_of(officer), first.id, "นายประมูล หน้าห้อง", "AA1234567", "cash", "W-1", day=today
        )
        paddles["walk_in"] = walk_in.bidder_no or 0
        # Journey 1: a province with a pinned lot still on sale, away from Bangkok.
        lot = await s.scalar(
            select(Lot)
            .where(Lot.province_code != "10", Lot.status == "on_sale", Lot.next_sale_date > today,
                   Lot.lat.is_not(None))
            .order_by(Lot.id)
        )  # fmt: skip
        assert lot is not None
        province = await s.scalar(
            select(AdminArea).where(AdminArea.level == "province", AdminArea.code == lot.province_code)
        )
        # Journey 2: a case with several digits in its number.
        case = await s.scalar(
            select(Case).where(Case.red_number >= 1000, Case.red_efiled.is_(False)).order_by(Case.id)
        )
        # Journey 3: the line and station with the most condos nearby.
        stations = list(await s.scalars(select(TransitStation)))
        condos = list(  # on sale: a sold unit is never a search result
            await s.execute(
                select(Lot.lat, Lot.lon).where(Lot.condo_name.is_not(None), Lot.status == "on_sale")
            )
        )

        def near(st: TransitStation) -> int:  # condos well inside the page's default 1,000 m walk
            return sum(1 for la, lo in condos if math.hypot((la - st.lat) * 111_000,
                                                            (lo - st.lon) * 108_000) < 700)  # fmt: skip

        best = max((st for st in stations if st.line_id.startswith("MRT")), key=near)
        # Journey 4: a lot with a round ahead at the officer's office.
        ahead = await s.scalar(
            select(Lot).where(Lot.office_id == office.id, Lot.status == "on_sale", Lot.next_sale_date > today)
            .order_by(Lot.id)
        )  # fmt: skip
        assert province is not None and case is not None and ahead is not None
        return {
            "today": today.isoformat(),
            "office_id": office.id,
            "room_lots": [r.lot_id for r in room_rounds],
            "room_first_round": first.id,
            "paddles": paddles,
            "province": {"code": province.code, "th": province.name_th, "en": province.name_en},
            "lot": lot.id,
            "case": {
                "id": case.id,
                "red_key": case.red_key,
                "prefix": case.red_prefix,
                "number": case.red_number,
                "year": case.red_year,
            },  # fmt: skip
            "line": best.line_id,
            "station": best.code,
            "register_lot": ahead.id,
            "lots_total": await s.scalar(select(func.count()).select_from(Lot)),
        }


if __name__ == "__main__":
    url = sys.argv[1]
    migrate(url)
    print("MANIFEST " + json.dumps(asyncio.run(build(url)), ensure_ascii=False), flush=True)
