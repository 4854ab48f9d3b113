"""A small fixed world for the search tests: lots at known distances from real Gold Line stations,
in named districts, with known prices, and cases whose red numbers are one keystroke apart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geopy.distance import geodesic
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auction.models import SaleRound, TransitStation
from auction.services import refresh_lot_summary
from tests import factories as f

TODAY = f.TODAY


def offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    p = geodesic(meters=metres).destination((lat, lon), bearing)
    return p.latitude, p.longitude


@dataclass
class World:
    ids: dict[str, int]
    stations: dict[str, TransitStation]


async def station(s: AsyncSession, line: str, code: str) -> TransitStation:
    st = await s.scalar(
        select(TransitStation).where(TransitStation.line_id == line, TransitStation.code == code)
    )
    assert st is not None
    return st


async def build(db: async_sessionmaker[AsyncSession]) -> World:
    ids: dict[str, int] = {}
    async with db.begin() as s:
        g1, g2, g3 = [await station(s, "BTS-GLD", c) for c in ("G1", "G2", "G3")]
        main = await f.make_case(s, "ผบ.1234/2563")
        near = await f.make_case(s, "ผบ.1235/2563", defendant="นางสาวมาลี ศรีสุข")
        other = await f.make_case(s, "พ.1243/2563", court_code="CIV-BKK-S")
        efiled = await f.make_case(s, "ผบE.750/2565", court_code="CIV-BKK-T")
        cm = await f.make_case(s, "ผบ.88/2566", court_code="PROV-50", office_code="LED-50")

        def condo(name: str, at: tuple[float, float], price: int) -> dict:
            return {
                "property_type": "002",
                "district_code": "1018",
                "condo_name": name,
                "lat": at[0],
                "lon": at[1],
                "appraisal_committee": price,
                "appraisal_officer": price,
                "area_sqm": 30.0,
            }

        # Condos along the Gold Line, distances to their nearest station by construction.
        a = await f.make_lot(s, efiled, "1", **condo("A", offset(g3.lat, g3.lon, 150, 0), 2_000_000))
        b = await f.make_lot(s, near, "1", **condo("B", offset(g3.lat, g3.lon, 600, 0), 1_000_000))
        c = await f.make_lot(s, other, "1", **condo("C", offset(g3.lat, g3.lon, 1400, 0), 3_000_000))
        d = await f.make_lot(s, efiled, "2", **condo("D", offset(g1.lat, g1.lon, 300, 180), 1_500_000))
        e = await f.make_lot(s, other, "2", **condo("E", offset(g3.lat, g3.lon, 3000, 90), 900_000))
        # Land 200 m east of Khlong San station: near the point, but never a condo.
        land_at = offset(g3.lat, g3.lon, 200, 90)
        land = await f.make_lot(
            s, main, "1", property_type="001", district_code="1018", condo_name=None, area_sqm=None,
            area_rai=0, area_ngan=1, area_wah=0.0, lat=land_at[0], lon=land_at[1], geo_precision="subdistrict",
            appraisal_committee=4_000_000, encumbrance="mortgage", mortgagee="ธนาคารออมสิน",
            mortgage_amount=500_000, occupancy="tenant", tambon="คลองต้นไทร",
        )  # fmt: skip
        # Bang Rak: a house whose first round had no bidder, so it now starts at 90%.
        house = await f.make_lot(
            s, main, "2", property_type="003", district_code="1004", condo_name=None, area_sqm=None,
            area_rai=0, area_ngan=0, area_wah=50.0, lat=13.728, lon=100.5232, geo_precision="district",
            appraisal_committee=5_000_000, first_date=TODAY - dt.timedelta(days=7), occupancy="owner",
            tambon="แขวงสีลม",
        )  # fmt: skip
        rounds = list(await s.scalars(select(SaleRound).where(SaleRound.lot_id == house.id)))
        rounds[0].status, rounds[0].bidder_count = "no_bidder", 0
        refresh_lot_summary(house, rounds)
        chiang_mai = await f.make_lot(
            s, cm, "1", property_type="003", province_code="50", district_code="5001", condo_name=None,
            area_sqm=None, area_rai=1, area_ngan=0, area_wah=0.0, lat=18.7885, lon=98.9942,
            geo_precision="district", appraisal_committee=2_500_000, first_date=TODAY + dt.timedelta(days=30),
            office_id=(await f.office(s, "LED-50")).id,
        )  # fmt: skip
        # Sold: never a search result.
        sold = await f.make_lot(s, near, "2", **condo("Sold", offset(g3.lat, g3.lon, 100, 0), 1_000_000))
        sold.status = "sold"
        refresh_lot_summary(sold, [])
        for key, obj in {"A": a, "B": b, "C": c, "D": d, "E": e, "land": land, "house": house,
                         "chiang_mai": chiang_mai, "sold": sold, "case_main": main, "case_near": near,
                         "case_other": other, "case_efiled": efiled, "case_cm": cm}.items():  # fmt: skip
            ids[key] = obj.id
        stations = {"G1": g1, "G2": g2, "G3": g3}
    return World(ids, stations)


def names(items: list[dict]) -> list[str]:
    """Condo name, else the fixture key, for readable expectations."""
    return [x["condo_name"] or x["property_type"] for x in items]
