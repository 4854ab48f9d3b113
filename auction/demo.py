"""A realistic demo data set: Thai provinces and districts with real coordinates, condos clustered
along the real rail lines, land and houses over the country, each lot in a real tambon of its
district, prices drawn by property type and province (see the medians below), red-case numbers in
real formats, six-round schedules with past rounds already decided and their sale days published (so results
and statistics have a history to show). Deterministic for a given seed.

Bulk inserts go through SQLAlchemy Core executemany in batches: 100,000 lots (and 600,000 rounds)
load in well under a few minutes on SQLite.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import geothai
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auction import nearby, public_record, rules
from auction.auth import hash_password
from auction.db import bulk_insert
from auction.models import (
    AdminArea,
    BuyerProfile,
    Case,
    Court,
    Lot,
    Office,
    Registration,
    SaleDay,
    SaleRound,
    TransitStation,
    User,
)
from auction.services import NewLot, lot_values

BATCH = 2000
METRO = ("10", "11", "12", "13")  # Bangkok, Samut Prakan, Nonthaburi, Pathum Thani
PREFIXES = [("ผบ", False, 70), ("พ", False, 18), ("ผบ", True, 6), ("ล", False, 3), ("ม", False, 3)]
FIRST_NAMES = ["สมชาย", "สมหญิง", "วิชัย", "สุดา", "ประเสริฐ", "มาลี", "อนันต์", "วันเพ็ญ", "ธนพล", "กมล"]
LAST_NAMES = ["ใจดี", "ศรีสุข", "มั่นคง", "ทองดี", "แก้วมณี", "บุญมา", "พัฒนา", "สุขสวัสดิ์", "เจริญผล"]
BANKS = [
    "ธนาคารกรุงไทย จำกัด (มหาชน)", "ธนาคารออมสิน", "ธนาคารอาคารสงเคราะห์",
    "ธนาคารกสิกรไทย จำกัด (มหาชน)", "ธนาคารไทยพาณิชย์ จำกัด (มหาชน)", "บริษัท บริหารสินทรัพย์ กรุงเทพพาณิชย์ จำกัด (มหาชน)",
]  # fmt: skip
CONDO_WORDS = ["ลุมพินี", "ศุภาลัย", "เดอะ", "ไอดีโอ", "แชปเตอร์", "พลัม", "ดีคอนโด", "เมโทร", "ซิตี้", "พาร์ค"]
DEMO_PASSWORD = "demo-password"

# Prices. LED announcements are mostly modest homes: a Bangkok condo unit typically 1-5 M baht,
# a provincial house about a million, provincial land a few hundred thousand; a few large plots
# and buildings reach tens of millions and very few pass 100 M. So each price is a log-normal draw
# (medians below, spread SIGMA) of the area times a price per unit of area that depends on the
# province, and a thin tail (TAIL_SHARE of lots, TAIL_FACTOR dearer) stands for prime sites. The
# figures are round illustrations in the range of published LED appraisals, not market data.
# Most units sold at auction are 25-40 m²; none under the smallest studio (a floor, not a clamp,
# which piled a tenth of the units onto exactly 20 m²).
CONDO_SQM_MIN, CONDO_SQM_MEDIAN, CONDO_SQM_SIGMA = 18.0, 32.0, 0.6
CONDO_BAHT_PER_SQM = {"10": 60_000, "11": 38_000, "12": 42_000, "13": 34_000}  # by province
LAND_WAH_MEDIAN = {"001": 160.0, "003": 45.0, "009": 30.0, "005": 60.0}  # square wah (4 m²)
LAND_WAH_MEDIAN_BANGKOK = {"001": 70.0, "003": 35.0, "009": 25.0, "005": 40.0}
# Land, baht per square wah: the metro, then provinces with large towns or resorts, else rural.
LAND_BAHT_PER_WAH = {
    "10": 55_000, "11": 22_000, "12": 24_000, "13": 16_000, "83": 20_000, "20": 12_000,
    "21": 8_000, "77": 8_000, "50": 8_000, "90": 6_000, "40": 5_000, "30": 5_000, "34": 4_000,
    "41": 4_000, "65": 4_000, "84": 5_000, "73": 7_000, "74": 7_000, "14": 6_000, "24": 6_000,
}  # fmt: skip
LAND_BAHT_PER_WAH_DEFAULT = 2_500
BUILDING_MEDIAN = {"metro": 1_400_000, "province": 800_000}  # the house or shophouse on the land
SIGMA = {"area": 0.8, "unit_price": 0.45, "building": 0.5}
TAIL_SHARE, TAIL_FACTOR = 0.01, 8.0


@dataclass(frozen=True)
class DemoResult:
    lots: int
    cases: int
    rounds: int


def _jitter(lat: float, lon: float, rng: random.Random, km: float) -> tuple[float, float]:
    r = km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return lat + r * math.cos(a) / 111.0, lon + r * math.sin(a) / (111.0 * math.cos(math.radians(lat)))


def _nearest(points: list[tuple[float, float, AdminArea]], lat: float, lon: float) -> AdminArea:
    """points: (lat, lon, area), read off the ORM objects once (their attributes cost per access)."""
    return min(points, key=lambda p: (p[0] - lat) ** 2 + ((p[1] - lon) * 0.97) ** 2)[2]


@functools.cache
def tambons(district_code: str) -> tuple[str, ...]:
    """The district's tambon (แขวง in Bangkok) names, from DOPA's list as packaged by geothai: the
    reference data stop at districts, and a lot without a tambon matched no tambon search."""
    return tuple(t.name_th for t in geothai.subdistricts(district_code)) or ("",)


def _name(rng: random.Random) -> str:
    title = rng.choice(["นาย", "นาง", "นางสาว"])
    return f"{title}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


async def generate(
    session: AsyncSession, lots: int, seed: int = 2569, today: dt.date | None = None
) -> DemoResult:
    """Append `lots` lots (and their cases and schedules). Reference data must be loaded."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    areas = list(await session.scalars(select(AdminArea)))
    if not areas:
        raise RuntimeError("reference data missing: run `python -m auction migrate` first")
    provinces = [a for a in areas if a.level == "province"]
    districts_by_prov: dict[str, list[AdminArea]] = defaultdict(list)
    for a in areas:
        if a.level == "district":
            districts_by_prov[a.parent_code or ""].append(a)
    metro_districts = [(d.lat, d.lon, d) for p in METRO for d in districts_by_prov[p]]
    stations = list(await session.scalars(select(TransitStation)))
    offices = list(await session.scalars(select(Office)))
    courts = list(await session.scalars(select(Court)))
    offices_by_prov: dict[str, list[Office]] = defaultdict(list)
    for o in offices:
        offices_by_prov[o.province_code].append(o)
    courts_by_prov: dict[str, list[Court]] = defaultdict(list)
    for c in courts:
        courts_by_prov[c.province_code].append(c)
    # Weight provinces roughly by how often they appear in LED sales: the metro dominates.
    weights = [25 if p.code == "10" else 8 if p.code in METRO else 1 for p in provinces]

    start_case = (await session.scalar(select(func.max(Case.id)))) or 0
    start_lot = (await session.scalar(select(func.max(Lot.id)))) or 0
    used_keys: set[tuple[int, str]] = set(
        (cid, key) for cid, key in (await session.execute(select(Case.court_id, Case.red_key))).all()
    )
    case_rows: list[dict[str, Any]] = []
    lot_rows: list[dict[str, Any]] = []
    round_rows: list[dict[str, Any]] = []
    held_days: set[tuple[int, dt.date]] = set()
    case_id, lot_id, made = start_case, start_lot, 0
    while made < lots:
        condo = rng.random() < 0.38
        if condo:
            st = rng.choice(stations)
            lat, lon = _jitter(st.lat, st.lon, rng, rng.choice([0.6, 1.2, 2.5]))
            district = _nearest(metro_districts, lat, lon)
            province_code = district.parent_code or "10"
            precision = "exact"
        else:
            prov = rng.choices(provinces, weights)[0]
            district = rng.choice(districts_by_prov[prov.code])
            province_code = prov.code
            if rng.random() < 0.7:
                lat, lon = _jitter(district.lat, district.lon, rng, 4.0)
                precision = "subdistrict"
            else:
                lat, lon, precision = district.lat, district.lon, "district"
        office = rng.choice(offices_by_prov[province_code])
        court = rng.choice(courts_by_prov[province_code])
        prefix, efiled, _ = rng.choices(PREFIXES, [p[2] for p in PREFIXES])[0]
        while True:
            number, year = rng.randint(1, 25000), rng.randint(2556, 2568)
            key = f"{prefix}{'E' if efiled else ''}.{number}/{year}"
            if (court.id, key) not in used_keys:
                used_keys.add((court.id, key))
                break
        case_id += 1
        case_rows.append(
            {
                "id": case_id, "court_id": court.id, "office_id": office.id, "red_prefix": prefix,
                "red_efiled": efiled, "red_number": number, "red_year": year, "red_key": key,
                "black_number": f"{prefix}{'E' if efiled else ''}.{rng.randint(1, 30000)}/{year - rng.randint(0, 2)}",
                "plaintiff": rng.choice(BANKS), "defendant": _name(rng),
                "created_at": dt.datetime.now(dt.UTC),
            }
        )  # fmt: skip
        n_lots = 1 if condo else rng.choices([1, 2, 3], [70, 20, 10])[0]
        first = today + dt.timedelta(days=rng.randint(-100, 90))
        dates = [first + dt.timedelta(days=21 * i) for i in range(6)]
        for k in range(min(n_lots, lots - made)):
            new = _new_lot(
                rng, condo, k, n_lots, lat, lon, precision, district, province_code, office.id, dates
            )
            lot_id += 1
            values, rounds = lot_values(new, case_id)
            values["id"] = lot_id
            _decide_past(rng, values, rounds, today)
            lot_rows.append(values)
            for r in rounds:
                r["lot_id"] = lot_id
                round_rows.append(r)
                if r["status"] not in ("scheduled", "cancelled"):
                    held_days.add((office.id, r["sale_date"]))
            made += 1
            if not condo:
                lat, lon = _jitter(lat, lon, rng, 0.3)
        if len(lot_rows) >= BATCH:
            await _flush(session, case_rows, lot_rows, round_rows)
    await _flush(session, case_rows, lot_rows, round_rows)
    await session.execute(
        update(Lot).where(Lot.id > start_lot, Lot.status != "on_sale").values(next_round_no=None)
    )
    await _publish_past_days(session, held_days)
    return DemoResult(lots=made, cases=case_id - start_case, rounds=made * 6)


def _new_lot(
    rng: random.Random, condo: bool, k: int, n: int, lat: float, lon: float, precision: str,
    district: AdminArea, province_code: str, office_id: int, dates: list[dt.date],
) -> NewLot:  # fmt: skip
    order = f"{rng.randint(1, 40)}" + (f"-{k + 1}" if n > 1 else "")
    common: dict[str, Any] = {
        "sale_order": order, "province_code": province_code, "district_code": district.code,
        "office_id": office_id, "round_dates": dates, "lat": round(lat, 6), "lon": round(lon, 6),
        "geo_precision": precision, "tambon": rng.choice(tambons(district.code)),
        "occupancy": rng.choices(["owner", "tenant", "unknown"], [50, 15, 35])[0],
    }  # fmt: skip
    if rng.random() < 0.12:
        common.update(
            encumbrance="mortgage", mortgagee=rng.choice(BANKS), mortgage_amount=rng.randint(2, 60) * 50_000
        )
    if condo:
        sqm = round(
            min(
                250.0,
                CONDO_SQM_MIN
                + rng.lognormvariate(math.log(CONDO_SQM_MEDIAN - CONDO_SQM_MIN), CONDO_SQM_SIGMA),
            ),
            2,
        )
        price = condo_price(rng, province_code, sqm)
        ptype = rng.choices(["002", "004"], [85, 15])[0]
        return NewLot(
            property_type=ptype, area_sqm=sqm, condo_name=f"{rng.choice(CONDO_WORDS)} {district.name_th}",
            unit_number=f"{rng.randint(1, 40)}/{rng.randint(100, 999)}", floor=str(rng.randint(2, 40)),
            deed_type="หนังสือกรรมสิทธิ์ห้องชุด", deed_numbers=str(rng.randint(1000, 99999)),
            appraisal_committee=price if rng.random() < 0.6 else None,
            appraisal_officer=int(price * rng.uniform(0.9, 1.05) / 1000) * 1000,
            address=f"เลขที่ {rng.randint(1, 999)}/{rng.randint(1, 500)}", **common,
        )  # fmt: skip
    ptype = rng.choices(["001", "003", "009", "005"], [35, 58, 4, 3])[0]
    medians = LAND_WAH_MEDIAN_BANGKOK if province_code == "10" else LAND_WAH_MEDIAN
    total_wah = min(40_000.0, max(10.0, rng.lognormvariate(math.log(medians[ptype]), SIGMA["area"])))
    rai, rest = divmod(total_wah, 400)
    ngan, wah = divmod(rest, 100)
    rai, ngan, wah = int(rai), int(ngan), min(99.9, round(wah, 1))
    price = land_price(rng, ptype, province_code, rai * 400 + ngan * 100 + wah)
    return NewLot(
        property_type=ptype, area_rai=rai, area_ngan=ngan, area_wah=wah,
        deed_type=rng.choice(["โฉนดเลขที่", "โฉนดเลขที่", "น.ส.3ก", "ตามสำเนาโฉนด"]),
        deed_numbers=str(rng.randint(100, 250_000)),
        appraisal_committee=price if rng.random() < 0.5 else None,
        appraisal_officer=int(price * rng.uniform(0.85, 1.1) / 1000) * 1000,
        appraisal_executing=int(price * rng.uniform(0.8, 1.1) / 1000) * 1000,
        address=f"เลขที่ {rng.randint(1, 999)} หมู่ {rng.randint(1, 15)}", **common,
    )  # fmt: skip


def _tail(rng: random.Random) -> float:
    return TAIL_FACTOR if rng.random() < TAIL_SHARE else 1.0


def condo_price(rng: random.Random, province_code: str, sqm: float) -> int:
    """A unit's appraisal: its area at the province's price per m², spread log-normally."""
    per_sqm = CONDO_BAHT_PER_SQM.get(province_code, CONDO_BAHT_PER_SQM["13"])
    per_sqm *= rng.lognormvariate(0.0, SIGMA["unit_price"]) * _tail(rng)
    return max(150_000, int(sqm * per_sqm / 1000) * 1000)


def land_price(rng: random.Random, ptype: str, province_code: str, square_wah: float) -> int:
    """Land at the province's price per square wah, plus the building on it (003) or the building
    alone (009); a leasehold (005) sells the right for a fraction of the land."""
    per_wah = LAND_BAHT_PER_WAH.get(province_code, LAND_BAHT_PER_WAH_DEFAULT)
    land = square_wah * per_wah * rng.lognormvariate(0.0, SIGMA["unit_price"])
    building = BUILDING_MEDIAN["metro" if province_code in METRO else "province"]
    building *= rng.lognormvariate(0.0, SIGMA["building"])
    value = {"001": land, "003": land + building, "009": building, "005": 0.3 * land}[ptype]
    return max(50_000, int(value * _tail(rng) / 1000) * 1000)


def _decide_past(
    rng: random.Random, lot: dict[str, Any], rounds: list[dict[str, Any]], today: dt.date
) -> None:
    """Rounds already held get outcomes; prices step down only after a no-bidder round."""
    policy = rules.policy_for(rounds[0]["sale_date"])
    step = 0
    for r in rounds:
        r["start_price"] = rules.start_price(lot["base_price"], step, policy)
        r.setdefault("status", "scheduled")
        if lot["status"] != "on_sale":
            r["status"] = "cancelled"
            continue
        if r["sale_date"] >= today:
            step += 1  # priced as announced: as if each round before it ends with no bidder
            continue
        roll = rng.random()
        if roll < 0.08:
            r["status"] = "sold"
            r["sold_price"] = r["start_price"] + rng.randint(0, 20) * (
                2000 if r["start_price"] < 1_000_000 else 10_000
            )
            r["bidder_count"] = rng.randint(1, 6)
            r["winner_bidder_no"] = rng.randint(1, 60)
            lot["status"] = "sold"
        elif roll < 0.10:
            r["status"], r["reason_code"] = "withdrawn", "seizure_withdrawn"
            lot["status"] = "withdrawn"
        elif roll < 0.22:
            r["status"] = "suspended"
            r["reason_code"] = rng.choice(["plaintiff_request", "court_order", "improper_notice", "officer"])
        else:
            r["status"], r["bidder_count"] = "no_bidder", 0
            step += 1
    nxt = next((r for r in rounds if r["status"] == "scheduled"), None)
    if lot["status"] == "on_sale" and nxt is None:
        lot["status"] = "ended"
    live = lot["status"] == "on_sale" and nxt is not None
    lot["next_round_no"] = nxt["round_no"] if live and nxt else None
    lot["next_sale_date"] = nxt["sale_date"] if live and nxt else None
    lot["next_start_price"] = nxt["start_price"] if live and nxt else None


async def _publish_past_days(session: AsyncSession, days: set[tuple[int, dt.date]]) -> None:
    """Every past day with decided rounds counts as closed and published (the history LED would
    have had), so public results and statistics have something to show; days already present keep
    their state."""
    if not days:
        return
    first = min(d for _, d in days)
    existing = set(
        (
            await session.execute(
                select(SaleDay.office_id, SaleDay.sale_date).where(SaleDay.sale_date >= first)
            )
        ).all()
    )
    at = dt.datetime.now(dt.UTC)
    rows = [
        {"office_id": o, "sale_date": d, "status": "published", "submitted_at": at, "published_at": at}
        for o, d in sorted(days - existing)
    ]
    for i in range(0, len(rows), BATCH):
        await session.execute(insert(SaleDay), rows[i : i + BATCH])
    await public_record.copy_published(session)


async def _flush(session: AsyncSession, cases: list[Any], lots: list[Any], rounds: list[Any]) -> None:
    # Plain tables, not the ORM classes: bulk rows need none of the ORM's per-row bookkeeping
    # (and on PostgreSQL they go by COPY).
    await bulk_insert(session, Case.__table__, cases)
    await bulk_insert(session, Lot.__table__, lots)
    await nearby.add(session, nearby.points(lots))  # these inserts skip the ORM hook
    # Rows differ in which optional keys they carry; give every row the same keys.
    keys = {k for r in rounds for k in r}
    await bulk_insert(session, SaleRound.__table__, [{k: r.get(k) for k in keys} for r in rounds])
    cases.clear()
    lots.clear()
    rounds.clear()


def _thai_id(first12: str) -> str:
    """A Thai national ID with its mod-11 check digit (demo identities only)."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


async def _demo_buyers_ready(session: AsyncSession, rounds: list[SaleRound], emails: list[str]) -> None:
    """The demo buyers have a profile and a confirmed deposit (a paddle) for today's lots but the
    last, so the room can be tried at once and the registration flow on that last lot."""
    from auction.registration import issue_paddle

    for n, email in enumerate(emails):
        user = await session.scalar(select(User).where(User.email == email))
        if user is None or await session.get(BuyerProfile, user.id) is not None:
            continue
        session.add(BuyerProfile(
            user_id=user.id, kind="individual", full_name=user.display_name, thai_id=_thai_id(f"11017000{n:04d}"),
            phone="0812345678", address="99/9 ถนนพระราม 9", province_code="10", district_code="1017",
            tambon="ห้วยขวาง", bank_name="ธนาคารออมสิน", bank_account_no=f"02000000{n:04d}",
            bank_account_name=user.display_name,
        ))  # fmt: skip
        for r in rounds:
            lot = await session.get(Lot, r.lot_id)
            assert lot is not None
            paddle = await issue_paddle(session, r.office_id, r.sale_date, user.id)
            session.add(Registration(user_id=user.id, round_id=r.id, lot_id=r.lot_id, deposit_due=lot.deposit,
                                     deposit_method="transfer", deposit_reference=f"DEMO-{r.id}-{n}",
                                     status="confirmed", bidder_number_id=paddle.id, bidder_no=paddle.number))  # fmt: skip
    await session.flush()


async def demo_accounts(session: AsyncSession, today: dt.date) -> list[tuple[str, str]]:
    """Officers for the first Bangkok office and two buyers, plus a sale day today for the room."""
    office = await session.scalar(select(Office).where(Office.code == "LED-10-1"))
    assert office is not None
    accounts = [
        ("officer@demo.test", "officer", office.id, "เจ้าพนักงาน สมศักดิ์"),
        ("officer2@demo.test", "officer", office.id, "เจ้าพนักงาน วิไล"),
        ("buyer@demo.test", "buyer", None, "ผู้ซื้อ ตัวอย่าง"),
        ("buyer2@demo.test", "buyer", None, "ผู้ซื้อ สอง"),
    ]
    made = []
    hashed = hash_password(DEMO_PASSWORD)
    for email, role, office_id, name in accounts:
        if await session.scalar(select(User.id).where(User.email == email)) is None:
            session.add(
                User(email=email, password_hash=hashed, role=role, office_id=office_id, display_name=name,
                     is_led_staff=role != "buyer")
            )  # fmt: skip
            made.append((email, role))
    # Bring a few of this office's scheduled lots to today so the live room has a queue.
    candidates = list(
        await session.scalars(
            select(SaleRound)
            .join(Lot, Lot.id == SaleRound.lot_id)
            .where(
                Lot.office_id == office.id, Lot.status == "on_sale", SaleRound.round_no == Lot.next_round_no
            )
            .order_by(Lot.id)
            .limit(6)
        )
    )
    for r in candidates:
        r.sale_date = today
        await session.execute(update(Lot).where(Lot.id == r.lot_id).values(next_sale_date=today))
    await session.flush()
    await _demo_buyers_ready(
        session, candidates[:-1], emails=[e for e, role, *_ in accounts if role == "buyer"]
    )
    # The office's published history: prepared by one demo officer, approved by the other.
    ids = [
        await session.scalar(select(User.id).where(User.email == e))
        for e in ("officer@demo.test", "officer2@demo.test")
    ]
    await session.execute(
        update(SaleDay)
        .where(SaleDay.office_id == office.id, SaleDay.status == "published", SaleDay.submitted_by.is_(None))
        .values(submitted_by=ids[0], approved_by=ids[1])
    )
    return made
