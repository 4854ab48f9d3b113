"""A fixed sale history for the results and statistics tests, built through the real services
(record_outcome, the two-step publish), with the expected figures worked out by hand below.

Days: D1 = 15/09/2026 (FY2569, September), D2 = 06/10/2026 (FY2570, October), 21 days apart, so
every lot's round 1 is on D1 and round 2 on D2.

| lot | office   | type | base      | round 1 (D1)            | round 2 (D2)                 |
|-----|----------|------|-----------|-------------------------|------------------------------|
| L1  | LED-10-1 | 002  | 1,600,000 | no bidder               | sold 1,500,000, 3 bidders, #7 |
| L2  | LED-10-1 | 002  | 1,000,000 | sold 1,200,000, 2, #4    | (cancelled)                  |
| L3  | LED-10-1 | 002  | 2,000,000 | suspended               | no bidder                    |
| L4  | LED-10-1 | 001  |   500,000 | withdrawn               | (cancelled)                  |
| L5  | LED-50   | 003  | 3,000,000 | no bidder               | no bidder (day NOT published) |
| L6  | LED-50   | 003  |   800,000 | sold 800,000, 1, #2      | (cancelled)                  |

Published: LED-10-1 on D1 and D2, LED-50 on D1. LED-50's D2 is only submitted, so L5's round 2
is nowhere public.

By hand (published rounds only):
- all: offered {L1,L2,L3,L5,L6} = 5; sold {L1,L2,L6} = 3 (60 %); value 3,500,000 against
  appraisal 3,400,000 (ratio 1.0294); rounds to sale (2+1+1)/3 = 1.33; 1 suspended, 1 withdrawn.
- FY2569 (D1): offered {L1,L2,L5,L6} = 4, sold {L2,L6} = 2, value 2,000,000 / 1,800,000.
- FY2570 (D2): offered {L1,L3} = 2, sold {L1} = 1, value 1,500,000 / 1,600,000, round 2.
- LED-10-1: offered 3, sold 2, value 2,700,000 / 2,600,000, rounds (2+1)/2 = 1.5.
- LED-50: offered 2, sold 1, value 800,000 / 800,000.
- type 001: offered 0, withdrawn 1; type 002: offered 3, sold 2; type 003: offered 2, sold 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from auction import saleday
from auction.auth import principal_of
from auction.models import Bid, Registration, Room, SaleRound, User
from auction.outcomes import record_outcome
from tests import factories as f
from tests.realtime.roomkit import approve

D1 = dt.date(2026, 9, 15)
D2 = dt.date(2026, 10, 6)
NOW = dt.datetime(2026, 10, 7, 3, 0, tzinfo=dt.UTC)
WALK_IN_NAMES = ("นายสามารถ ประมูลเก่ง", "นางสี่ ห้าหก", "นายเจ็ด แปดเก้า", "นางสอง สามสี่")


@dataclass
class History:
    lots: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, list[int]] = field(default_factory=dict)
    offices: dict[str, int] = field(default_factory=dict)
    officers: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


async def _round_ids(s, lot_id: int) -> list[int]:
    return list(
        await s.scalars(select(SaleRound.id).where(SaleRound.lot_id == lot_id).order_by(SaleRound.round_no))
    )


async def _sell(s, round_id: int, price: int, winner_no: int, others: list[int], names: list[str]) -> None:
    for no, name in zip([winner_no, *others], names, strict=False):
        await approve(s, None, round_id, no, walk_in=name)
    regs = {
        r.bidder_no: r for r in await s.scalars(select(Registration).where(Registration.round_id == round_id))
    }
    await record_outcome(s, round_id, "sold", actor_id=None, now=NOW, sold_price=price,
                         winner_registration_id=regs[winner_no].id, winner_bidder_no=winner_no,
                         bidder_count=1 + len(others))  # fmt: skip


async def build(db) -> History:
    h = History()
    async with db.begin() as s:
        bkk = await f.make_case(s, red="ผบ.1234/2563")
        cnx = await f.make_case(s, red="พ.55/2565", court_code="PROV-50", office_code="LED-50")
        condo = {"first_date": D1}
        land = {"first_date": D1, "property_type": "003", "province_code": "50", "district_code": "5001",
                "condo_name": None, "area_sqm": None, "area_rai": 1, "area_ngan": 0, "area_wah": 50.0}  # fmt: skip
        specs = {
            "L1": (bkk, {**condo, "appraisal_committee": 1_600_000}),
            "L2": (bkk, {**condo, "appraisal_committee": 1_000_000, "appraisal_officer": 950_000}),
            "L3": (bkk, {**condo, "appraisal_committee": 2_000_000}),
            "L4": (bkk, {**condo, "property_type": "001", "condo_name": None, "appraisal_committee": 500_000,
                         "appraisal_officer": 480_000}),
            "L5": (cnx, {**land, "appraisal_committee": 3_000_000}),
            "L6": (cnx, {**land, "appraisal_committee": 800_000, "appraisal_officer": 750_000}),
        }  # fmt: skip
        for i, (name, (case, kw)) in enumerate(specs.items()):
            lot = await f.make_lot(s, case, sale_order=str(i + 1), **kw)
            h.lots[name] = lot.id
            h.rounds[name] = await _round_ids(s, lot.id)
        for code in ("LED-10-1", "LED-50"):
            h.offices[code] = (await f.office(s, code)).id
        for key, email, code in (("a1", "a1@x.test", "LED-10-1"), ("a2", "a2@x.test", "LED-10-1"),
                                 ("b1", "b1@x.test", "LED-50"), ("b2", "b2@x.test", "LED-50")):  # fmt: skip
            u = await f.make_user(s, email, role="officer", office_code=code)
            h.officers[key] = u.id
            h.tokens[key] = await f.login_token(s, u)

    async def decide(lot: str, rnd: int, outcome: str, **kw) -> None:
        async with db.begin() as s:
            await record_outcome(s, h.rounds[lot][rnd], outcome, actor_id=None, now=NOW, **kw)

    await decide("L1", 0, "no_bidder")
    async with db.begin() as s:
        await _sell(s, h.rounds["L2"][0], 1_200_000, 4, [9], list(WALK_IN_NAMES[1:3]))
    await decide("L3", 0, "suspended", reason_code="plaintiff_request")
    await decide("L4", 0, "withdrawn", reason_code="seizure_withdrawn")
    await decide("L5", 0, "no_bidder")
    async with db.begin() as s:
        await _sell(s, h.rounds["L6"][0], 800_000, 2, [], [WALK_IN_NAMES[3]])
    # L1 round 2 sold in the live room: a public ladder, one bid undone by the officer.
    async with db.begin() as s:
        r2 = h.rounds["L1"][1]
        for no, name in ((7, WALK_IN_NAMES[2]), (3, WALK_IN_NAMES[0]), (5, WALK_IN_NAMES[1])):
            await approve(s, None, r2, no, walk_in=name)
        room = Room(office_id=h.offices["LED-10-1"], sale_date=D2, status="closed")
        s.add(room)
        await s.flush()
        regs = {
            r.bidder_no: r.id
            for r in await s.scalars(select(Registration).where(Registration.round_id == r2))
        }
        ladder = [(3, 1_440_000, False), (7, 1_460_000, False), (5, 1_480_000, False), (3, 1_490_000, True),
                  (7, 1_500_000, False)]  # fmt: skip
        for seq, (no, amount, undone) in enumerate(ladder, start=1):
            s.add(Bid(room_id=room.id, round_id=r2, registration_id=regs[no], bidder_no=no, amount=amount,
                      channel="floor" if no == 5 else "remote", idem_key=f"k{seq}", seq=seq,
                      at=NOW - dt.timedelta(minutes=10 - seq), undone=undone))  # fmt: skip
        await s.flush()
        await record_outcome(s, r2, "sold", actor_id=None, now=NOW, sold_price=1_500_000,
                             winner_registration_id=regs[7], winner_bidder_no=7, bidder_count=3)  # fmt: skip
    await decide("L3", 1, "no_bidder")
    await decide("L5", 1, "no_bidder")

    async with db.begin() as s:
        users = {k: principal_of(await s.get_one(User, v)) for k, v in h.officers.items()}
        for day in (D1, D2):
            await saleday.submit(s, users["a1"], h.offices["LED-10-1"], day, NOW)
            await saleday.approve(s, users["a2"], h.offices["LED-10-1"], day, NOW)
        await saleday.submit(s, users["b1"], h.offices["LED-50"], D1, NOW)
        await saleday.approve(s, users["b2"], h.offices["LED-50"], D1, NOW)
        await saleday.submit(s, users["b1"], h.offices["LED-50"], D2, NOW)
    return h
