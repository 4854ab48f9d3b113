"""lot_station: every lot's nearest station of each line within 5 km, written with the lot (ORM,
import, demo, migration 0004), measured again when the lot moves, and its copies of status, type
and price kept equal to the lot's by the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

from geopy.distance import geodesic
from sqlalchemy import select, update

from auction import demo, nearby
from auction.__main__ import _load_reference
from auction.db import make_null_pool_engine, sessionmaker
from auction.importer import import_csv, template_row, to_csv
from auction.models import Lot, LotStation, SaleRound, TransitStation
from auction.outcomes import record_outcome
from tests.auction.test_public_record_migration import alembic
from tests.conftest import create_pg_database, drop_pg_database, is_pg
from tests.search.fixture import build, names, offset

LOTS = ("A", "B", "C", "D", "E", "land", "house", "chiang_mai", "sold")
LATER = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)


async def table(s) -> dict[int, dict[str, tuple[int, float, int]]]:
    """lot id -> line -> (station id, metres to the mm, walk minutes)."""
    out: dict[int, dict[str, tuple[int, float, int]]] = {}
    for r in await s.scalars(select(LotStation)):
        out.setdefault(r.lot_id, {})[r.line_id] = (r.station_id, round(r.distance_m, 3), r.walk_min)
    return out


async def brute_force(s, lot_ids: list[int] | None = None) -> dict[int, dict[str, tuple[int, float, int]]]:
    """The definition, the slow way: geodesic to every station, the least per line, within 5 km."""
    stations = list(await s.scalars(select(TransitStation)))
    query = select(Lot).where(Lot.lat.is_not(None))
    lots = list(await s.scalars(query if lot_ids is None else query.where(Lot.id.in_(lot_ids))))
    out: dict[int, dict[str, tuple[int, float, int]]] = {}
    for lot in lots:
        best: dict[str, tuple[float, int]] = {}
        for st in stations:
            d = geodesic((st.lat, st.lon), (lot.lat, lot.lon)).meters
            if d <= 5000 and (st.line_id not in best or d < best[st.line_id][0]):
                best[st.line_id] = (d, st.id)
        if best:
            out[lot.id] = {
                line: (sid, round(d, 3), nearby.walk_minutes(d)) for line, (d, sid) in best.items()
            }
    return out


async def codes(s) -> dict[int, str]:
    return {st.id: st.code for st in await s.scalars(select(TransitStation))}


async def test_lots_made_through_the_orm_get_their_nearest_station_of_each_line(db) -> None:
    w = await build(db)
    async with db() as s:
        got, code = await table(s), await codes(s)
        assert got == await brute_force(s)
    key = {w.ids[k]: k for k in LOTS}
    gold = {key[lot]: (code[sid], m, walk) for lot, lines in got.items() for line, (sid, m, walk) in lines.items()
            if line == "BTS-GLD"}  # fmt: skip
    # Built at these distances from their station (fixture.offset); E is 3 km east of G3 but nearer G2.
    assert gold == {
        "A": ("G3", 150.0, 3), "B": ("G3", 600.0, 10), "C": ("G3", 1400.0, 22), "D": ("G1", 300.0, 5),
        "E": ("G2", 2877.73, 45), "land": ("G3", 200.0, 4), "house": ("G2", 1539.885, 25), "sold": ("G3", 100.0, 2),
    }  # fmt: skip
    # A lot can be near several lines: each line's own nearest station.
    assert {line: code[sid] for line, (sid, _, _) in got[w.ids["D"]].items()} == {
        "BTS-GLD": "G1", "BTS-SIL": "S7", "BTS-SUK": "CEN", "MRT-BL": "BL28"
    }  # fmt: skip
    assert w.ids["chiang_mai"] not in got  # no station within 5 km


async def test_whole_line_at_5_km_in_distance_and_price_order(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD", "radius": 5000})
    body = r.json()
    assert names(body["items"]) == ["A", "D", "B", "C", "E"]
    assert [x["distance_m"] for x in body["items"]] == [150.0, 300.0, 600.0, 1400.0, 2877.7]
    assert [(s["code"], s["count"]) for s in body["per_station"]] == [("G1", 1), ("G2", 1), ("G3", 3)]
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD", "radius": 5000, "sort": "-price"})
    assert names(r.json()["items"]) == ["C", "A", "D", "B", "E"]


async def test_price_order_follows_the_current_rounds_price(db, client) -> None:
    """Three rounds without a bidder bring A from 2.0M to 1.4M (70 %), below D's 1.5M."""
    w = await build(db)
    async with db() as s:
        rounds = list(
            await s.scalars(
                select(SaleRound.id).where(SaleRound.lot_id == w.ids["A"]).order_by(SaleRound.round_no)
            )
        )
    for rid in rounds[:3]:
        async with db.begin() as s:
            await record_outcome(s, rid, "no_bidder", actor_id=None, now=LATER)
    async with db() as s:
        row = await s.get(LotStation, (w.ids["A"], "BTS-GLD"))
        assert (
            row is not None
            and row.next_start_price == 1_400_000 == (await s.get(Lot, w.ids["A"])).next_start_price
        )
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD", "radius": 2000, "sort": "price"})
    assert names(r.json()["items"]) == ["B", "A", "D", "C"]
    assert [x["next_start_price"] for x in r.json()["items"]] == [1_000_000, 1_400_000, 1_500_000, 3_000_000]


async def test_status_written_by_plain_sql_is_copied_by_the_trigger(db, client) -> None:
    w = await build(db)
    async with db.begin() as s:
        await s.execute(
            update(Lot).where(Lot.id == w.ids["B"]).values(status="withdrawn", next_start_price=None)
        )
    async with db() as s:
        row = await s.get(LotStation, (w.ids["B"], "BTS-GLD"))
        assert row is not None and (row.status, row.next_start_price) == ("withdrawn", None)
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD"})
    assert names(r.json()["items"]) == ["A", "D"]


async def test_a_lot_that_moves_is_measured_again(db, client) -> None:
    w = await build(db)
    async with db.begin() as s:
        a = await s.get(Lot, w.ids["A"])
        assert a is not None
        a.lat, a.lon = offset(w.stations["G1"].lat, w.stations["G1"].lon, 450, 90)
    async with db() as s:
        got, code = await table(s), await codes(s)
        assert got == await brute_force(s)
        assert (code[got[w.ids["A"]]["BTS-GLD"][0]], got[w.ids["A"]]["BTS-GLD"][1]) == ("G1", 450.0)
    r = await client.get("/api/search/transit", params={"line": "BTS-GLD"})
    assert names(r.json()["items"]) == ["D", "A", "B"]
    assert [(s["code"], s["count"]) for s in r.json()["per_station"]] == [("G1", 2), ("G2", 0), ("G3", 1)]


async def test_imported_lots_get_their_rows(db) -> None:
    rows = [template_row(), template_row(sale_order="2", lat="13.7465", lon="100.5348")]  # Ratchadamri, Siam
    async with db.begin() as s:
        await import_csv(s, to_csv(rows))
    async with db() as s:
        got, code = await table(s), await codes(s)
        assert len(got) == 2 and got == await brute_force(s)
        lots = {x.sale_order: x.id for x in await s.scalars(select(Lot))}
        assert code[got[lots["1"]]["MRT-BL"][0]] == "BL20"  # Phra Ram 9, under 100 m from 13.757, 100.565
        assert code[got[lots["2"]]["BTS-SUK"][0]] == "CEN"


async def test_demo_lots_get_their_rows(db) -> None:
    async with db.begin() as s:
        await demo.generate(s, 120, seed=11, today=dt.date(2026, 11, 23))
    async with db() as s:
        got = await table(s)
        assert len(got) > 40 and got == await brute_force(s)
        # The copies are the lot's own, sold and ended lots included.
        pairs = await s.execute(
            select(LotStation.status, Lot.status, LotStation.next_start_price, Lot.next_start_price).join(
                Lot, Lot.id == LotStation.lot_id
            )
        )
        assert all(a == b and c == d for a, b, c, d in pairs.all())


async def test_migration_0004_fills_the_table_as_the_write_paths_do(tmp_path) -> None:
    configured = os.environ.get("DATABASE_URL") or ""
    url = (
        await create_pg_database(configured) if is_pg(configured) else f"sqlite+aiosqlite:///{tmp_path}/m.db"
    )
    try:
        await asyncio.to_thread(alembic, url, "upgrade", "head")
        await _load_reference(url)
        engine = make_null_pool_engine(url)
        w = await build(sessionmaker(engine))
        async with sessionmaker(engine)() as s:
            written = await table(s)
        await engine.dispose()
        assert len(written) == 8

        await asyncio.to_thread(alembic, url, "downgrade", "0003")
        await asyncio.to_thread(alembic, url, "upgrade", "head")
        engine = make_null_pool_engine(url)
        sm = sessionmaker(engine)
        async with sm() as s:
            assert await table(s) == written
        # The trigger came back with the table.
        async with sm.begin() as s:
            await s.execute(update(Lot).where(Lot.id == w.ids["C"]).values(status="sold"))
        async with sm() as s:
            assert (await s.get(LotStation, (w.ids["C"], "BTS-GLD"))).status == "sold"
        await engine.dispose()
    finally:
        if is_pg(url):
            await drop_pg_database(url)
