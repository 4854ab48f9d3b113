"""Reference data: provinces/districts, rail stations, LED offices and courts. Idempotent load."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import nearby
from auction.models import AdminArea, Court, Lot, Office, TransitStation

DATA = Path(__file__).with_name("data")

# Bangkok has several civil enforcement offices; every other province has one provincial office.
BANGKOK_OFFICES = [
    ("LED-10-1", "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 1", "Bangkok Civil Enforcement Office 1"),
    ("LED-10-2", "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 2", "Bangkok Civil Enforcement Office 2"),
    ("LED-10-3", "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 3", "Bangkok Civil Enforcement Office 3"),
    ("LED-10-4", "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 4", "Bangkok Civil Enforcement Office 4"),
    ("LED-10-5", "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 5", "Bangkok Civil Enforcement Office 5"),
    ("LED-10-6", "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 6", "Bangkok Civil Enforcement Office 6"),
]
BANGKOK_COURTS = [
    ("CIV-BKK", "ศาลแพ่ง", "Civil Court"),
    ("CIV-BKK-S", "ศาลแพ่งกรุงเทพใต้", "Southern Bangkok Civil Court"),
    ("CIV-BKK-T", "ศาลแพ่งธนบุรี", "Thonburi Civil Court"),
    ("CIV-BKK-M", "ศาลแพ่งมีนบุรี", "Min Buri Civil Court"),
]


@dataclass(frozen=True)
class Area:
    code: str
    level: str
    parent_code: str | None
    name_th: str
    name_en: str
    lat: float
    lon: float


def read_areas() -> list[Area]:
    with open(DATA / "th_admin.csv", encoding="utf-8", newline="") as f:
        return [
            Area(r["code"], r["level"], r["parent_code"] or None, r["name_th"], r["name_en"],
                 float(r["lat"]), float(r["lon"]))
            for r in csv.DictReader(f)
        ]  # fmt: skip


def read_stations() -> list[dict[str, object]]:
    with open(DATA / "transit_stations.csv", encoding="utf-8", newline="") as f:
        return [
            {
                "line_id": r["line_id"],
                "line_name_th": r["line_name_th"],
                "line_name_en": r["line_name_en"],
                "line_color": r["line_color_hex"],
                "code": r["station_code"],
                "name_th": r["station_name_th"],
                "name_en": r["station_name_en"],
                "lat": float(r["lat"]),
                "lon": float(r["lon"]),
                "seq": int(r["seq"]),
            }
            for r in csv.DictReader(f)
        ]


def offices(areas: list[Area]) -> Iterator[dict[str, str]]:
    for code, th, en in BANGKOK_OFFICES:
        yield {"code": code, "name_th": th, "name_en": en, "province_code": "10"}
    for a in areas:
        if a.level == "province" and a.code != "10":
            yield {
                "code": f"LED-{a.code}",
                "name_th": f"สำนักงานบังคับคดีจังหวัด{a.name_th}",
                "name_en": f"{a.name_en} Provincial Legal Execution Office",
                "province_code": a.code,
            }


def courts(areas: list[Area]) -> Iterator[dict[str, str]]:
    for code, th, en in BANGKOK_COURTS:
        yield {"code": code, "name_th": th, "name_en": en, "province_code": "10"}
    for a in areas:
        if a.level == "province" and a.code != "10":
            yield {
                "code": f"PROV-{a.code}",
                "name_th": f"ศาลจังหวัด{a.name_th}",
                "name_en": f"{a.name_en} Provincial Court",
                "province_code": a.code,
            }


async def load(session: AsyncSession) -> dict[str, int]:
    """Insert reference rows if their table is empty (the data ship with the code)."""
    areas = read_areas()
    counts: dict[str, int] = {}
    plan = [
        (AdminArea, lambda: [a.__dict__ for a in areas]),
        (TransitStation, read_stations),
        (Office, lambda: list(offices(areas))),
        (Court, lambda: list(courts(areas))),
    ]
    for model, rows in plan:
        existing = await session.scalar(select(func.count()).select_from(model))
        if not existing:
            data = rows()
            await session.execute(insert(model), data)
            counts[model.__tablename__] = len(data)
    if "transit_station" in counts and await session.scalar(select(func.count()).select_from(Lot)):
        # Lots on file before their stations (a database restored without reference data).
        await nearby.refresh_all(session)
    return counts
