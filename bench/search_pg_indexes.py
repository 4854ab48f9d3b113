"""Which PostgreSQL-only indexes help search: measured before any is added (issue #7).

On a database filled by bench/search_bench.py (--keep), times the queries the search runs, each
with and without a candidate index, in the same run (the planner picks; each plan is shown):

1. Radius: the prefilter of a 1 km search, i.e. the light rows inside the circle's bounding box.
   The cell index (migration 0002) is covering on SQLite, where the lot id is the rowid, but not on
   PostgreSQL, which must visit the table for each row's id. Candidates: the same cell index with
   the id in it; GiST and SP-GiST indexes on point(lon, lat) (built in; this server has no
   PostGIS) carrying the same columns, asked for the same box. The rows must agree.
2. Location: a district with type and price (the location search), whose count visits every lot
   of the district in the table. Candidate: the district index with the filtered columns included.
3. Text: the only substring match the search makes in the database is the tambon filter
   (`lower(tambon) LIKE '%…%'`, search.queries.conditions); province and district names are
   resolved in memory and case numbers are normalised to keys. Candidate: a pg_trgm GIN index on
   lower(tambon). The demo leaves tambon empty, so this script first gives every lot its district's
   Thai name as tambon (the seat tambon usually carries it): ~900 distinct values where the country
   has ~7,400, so matches here are broader than real ones (which favours a sequential scan).

    .venv/bin/python bench/search_pg_indexes.py --database-url postgresql+asyncpg://…/t_… [--n 200]

Candidate indexes are dropped at the end, and the tambon text is put back to NULL unless --keep-tambon.
Prints a Markdown section (and appends it to docs/benchmarks.md unless --no-docs).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, literal_column, select, text  # noqa: E402

from auction.db import make_engine, sessionmaker  # noqa: E402
from auction.models import AdminArea, Lot  # noqa: E402
from search import geo, queries  # noqa: E402
from search.queries import LotFilters, Point  # noqa: E402

TRGM = "CREATE INDEX IF NOT EXISTS bench_lot_tambon_trgm ON lot USING gin (lower(tambon) gin_trgm_ops)"
POINT = "point(lon, lat)"
LIGHT = "id, lat, lon, status, property_type, next_start_price, next_sale_date, area_sqm"
RADIUS = {
    "cell index with the id in it, one seek per 0.01° cell": "CREATE INDEX IF NOT EXISTS bench_lot_cell_id ON lot "
    "((CAST(lat * 100 AS INTEGER)), lon, lat, status, property_type, next_start_price, next_sale_date, area_sqm, id)",
    "GiST on point(lon, lat), one box": f"CREATE INDEX IF NOT EXISTS bench_lot_point_gist ON lot USING gist ({POINT}) "
    f"INCLUDE ({LIGHT})",
    "SP-GiST on point(lon, lat), one box": "CREATE INDEX IF NOT EXISTS bench_lot_point_spgist ON lot USING spgist "
    f"({POINT}) INCLUDE ({LIGHT})",
}
DISTRICT = (
    "CREATE INDEX IF NOT EXISTS bench_lot_district_cover ON lot (district_code, status, next_sale_date, id) "
    "INCLUDE (province_code, property_type, next_start_price, area_sqm, office_id, encumbrance, occupancy)"
)
DROP = (
    "bench_lot_tambon_trgm",
    "bench_lot_cell_id",
    "bench_lot_point_gist",
    "bench_lot_point_spgist",
    "bench_lot_district_cover",
)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def timed(fn: Callable[[int], Awaitable[Any]], n: int) -> tuple[list[float], Any]:
    first = await fn(0)  # warm
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        await fn(i)
        out.append(time.perf_counter() - t0)
    return out, first


async def ddl(engine: Any, *statements: str) -> float:
    t0 = time.perf_counter()
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for st in statements:
            await conn.execute(text(st))
    return time.perf_counter() - t0


async def plan(sm: Any, query: Any) -> str:
    """The access path PostgreSQL chose (index or scan names from EXPLAIN)."""
    async with sm() as s:
        compiled = query.compile(s.bind, compile_kwargs={"literal_binds": True})
        rows = (await s.execute(text(f"EXPLAIN {compiled}"))).scalars().all()
    found = []
    for line in rows:
        for word in ("Index Only Scan", "Bitmap Index Scan", "Index Scan", "Seq Scan"):
            if word in line:
                after = " using " if " using " in line else " on "
                name = line.split(after)[1].split()[0] if after in line else ""
                found.append(f"{word} {name}".strip())
                break
    return ", ".join(dict.fromkeys(found))


async def tambon_part(engine: Any, sm: Any, n: int, rng: random.Random) -> list[str]:
    async with sm() as s:
        missing = await s.scalar(select(func.count()).select_from(Lot).where(Lot.tambon.is_(None)))
        total = await s.scalar(select(func.count()).select_from(Lot))
        names = list(await s.execute(select(AdminArea.code, AdminArea.parent_code, AdminArea.name_th)
                                     .where(AdminArea.level == "district")))  # fmt: skip
    if missing:
        await ddl(engine, "UPDATE lot SET tambon = a.name_th FROM admin_area a "
                          "WHERE a.code = lot.district_code AND lot.tambon IS NULL", "VACUUM ANALYZE lot")  # fmt: skip
    picks = [rng.choice(names) for _ in range(n)]

    def cases() -> list[tuple[str, Callable[[int], LotFilters]]]:
        def frag(name: str) -> str:  # what a phone user types: the name, or its first few letters
            return name if len(name) < 6 else name[: max(3, len(name) // 2)]

        return [
            ("tambon only (whole country)", lambda i: LotFilters(tambon=frag(picks[i][2]))),
            ("province + tambon", lambda i: LotFilters(province=picks[i][1], tambon=frag(picks[i][2]))),
            ("district + tambon", lambda i: LotFilters(districts=(picks[i][0],), tambon=frag(picks[i][2]))),
        ]

    async def run(f: Callable[[int], LotFilters]) -> tuple[list[float], Any]:
        async def one(i: int) -> Any:
            async with sm() as s:
                page = await queries.search_lots(s, f(i % n), 1, 20)
            return page.total, [h.lot.id for h in page.hits]

        return await timed(one, n)

    def where(f: LotFilters) -> Any:
        return select(func.count(Lot.id)).where(*queries.conditions(f))

    before = {name: (await run(f), await plan(sm, where(f(0)))) for name, f in cases()}
    build_s = await ddl(engine, "CREATE EXTENSION IF NOT EXISTS pg_trgm", TRGM, "ANALYZE lot")
    after = {name: (await run(f), await plan(sm, where(f(0)))) for name, f in cases()}
    lines = [
        f"Tambon text: {total:,} lots, each given its district's Thai name as tambon for this run. "
        f"GIN trigram index on lower(tambon) built in {build_s:.1f} s.",
        "",
        "| query (search_lots, page 1 + total) | without: p50 / p95 ms, plan | with pg_trgm GIN: p50 / p95 ms, plan | same results |",
        "|---|---|---|---|",
    ]
    for name, _ in cases():
        (b, bfirst), bplan = before[name]
        (a, afirst), aplan = after[name]
        lines.append(
            f"| {name} | {statistics.median(b) * 1000:.2f} / {pct(b, 0.95):.2f}, {bplan} | "
            f"{statistics.median(a) * 1000:.2f} / {pct(a, 0.95):.2f}, {aplan} | {'yes' if afirst == bfirst else 'NO'} |"
        )
    return lines


async def radius_part(engine: Any, sm: Any, n: int, rng: random.Random) -> list[str]:
    async with sm() as s:
        ref = await queries.load_reference(s)
    stations = list(ref.transit.by_id.values())
    points = []
    for _ in range(n):
        st = rng.choice(stations)
        points.append(Point(st.lat + rng.uniform(-0.01, 0.01), st.lon + rng.uniform(-0.01, 0.01), 1000))
    where = queries.conditions(LotFilters())
    light = (Lot.id, Lot.lat, Lot.lon, Lot.next_start_price, Lot.next_sale_date, Lot.area_sqm)

    def cell_query(p: Point) -> Any:
        return queries.boxes_query("postgresql", where, [geo.bbox(p.lat, p.lon, p.radius_m)], light)

    def box_query(p: Point) -> Any:
        b = geo.bbox(p.lat, p.lon, p.radius_m)
        inside = literal_column(POINT).op("<@")(
            literal_column(f"box(point({b.min_lon}, {b.min_lat}), point({b.max_lon}, {b.max_lat}))")
        )
        return select(*light).where(*where, inside)

    def fetch(make: Callable[[Point], Any]) -> Callable[[int], Awaitable[Any]]:
        async def one(i: int) -> Any:
            async with sm() as s:
                rows = (await s.execute(make(points[i % n]))).all()
            return sorted(r.id for r in rows)

        return one

    async def full(i: int) -> Any:
        async with sm() as s:
            page = await queries.search_lots(s, LotFilters(), 1, 20, "distance", points[i % n])
        return page.total

    sizes = [len(await fetch(cell_query)(i)) for i in range(min(n, 50))]
    cell_t, cell_first = await timed(fetch(cell_query), n)
    full_t, _ = await timed(full, n)
    rows = [("cell index (migration 0002), one seek per 0.01° cell", cell_t, full_t,
             await plan(sm, cell_query(points[0])), True, None)]  # fmt: skip
    for name, create in RADIUS.items():
        build_s = await ddl(engine, create, "VACUUM ANALYZE lot")
        make = cell_query if "cell" in name else box_query
        t, first = await timed(fetch(make), n)
        whole = (await timed(full, n))[0] if "cell" in name else None
        rows.append((name, t, whole, await plan(sm, make(points[0])), first == cell_first, build_s))
        await ddl(engine, f"DROP INDEX IF EXISTS {create.split('EXISTS ')[1].split()[0]}")
    lines = [
        f"Radius 1 km: {n} points near stations, {statistics.mean(sizes):.0f} rows in the box on average "
        "(the first 50 points).",
        "",
        "| prefilter (the box's light rows) | p50 / p95 ms | whole search (page of 20): p50 / p95 ms | plan "
        "| same rows | index built in |",
        "|---|---|---|---|---|---|",
    ]
    for name, t, whole, p, same, build in rows:
        w = f"{statistics.median(whole) * 1000:.2f} / {pct(whole, 0.95):.2f}" if whole else "—"
        lines.append(f"| {name} | {statistics.median(t) * 1000:.2f} / {pct(t, 0.95):.2f} | {w} | {p} | "
                     f"{'yes' if same else 'NO'} | {f'{build:.1f} s' if build else 'exists'} |")  # fmt: skip
    return lines


async def district_part(engine: Any, sm: Any, n: int, rng: random.Random) -> list[str]:
    async with sm() as s:
        bangkok = list(await s.scalars(select(AdminArea.code).where(AdminArea.parent_code == "10")))
    picks = [(rng.choice(bangkok), rng.choice((("002", "004"), ("003",))), rng.choice((3, 5, 10)) * 1_000_000)
             for _ in range(n)]  # fmt: skip

    def f(i: int) -> LotFilters:
        d, types, price = picks[i % n]
        return LotFilters(province="10", districts=(d,), types=types, price_max=price)

    async def one(i: int) -> Any:
        async with sm() as s:
            page = await queries.search_lots(s, f(i), 1, 20)
        return page.total, [h.lot.id for h in page.hits]

    def count(i: int) -> Any:
        return select(func.count(Lot.id)).where(*queries.conditions(f(i)))

    before, bfirst = await timed(one, n)
    bplan = await plan(sm, count(0))
    build_s = await ddl(engine, DISTRICT, "VACUUM ANALYZE lot")
    after, afirst = await timed(one, n)
    aplan = await plan(sm, count(0))
    await ddl(engine, "DROP INDEX IF EXISTS bench_lot_district_cover")
    return [
        f"Location: a Bangkok district with a type and a top price (search_lots: the total and page 1 by date), "
        f"{n} queries.",
        "",
        "| index | p50 / p95 ms | plan of the count | same results | index built in |",
        "|---|---|---|---|---|",
        f"| district index (migration 0002) | {statistics.median(before) * 1000:.2f} / {pct(before, 0.95):.2f} | "
        f"{bplan} | yes | exists |",
        f"| district index with the filtered columns included | {statistics.median(after) * 1000:.2f} / "
        f"{pct(after, 0.95):.2f} | {aplan} | {'yes' if afirst == bfirst else 'NO'} | {build_s:.1f} s |",
    ]


async def main(a: argparse.Namespace) -> str:
    engine = make_engine(a.database_url)
    sm = sessionmaker(engine)
    rng = random.Random(11)
    try:
        async with sm() as s:
            total = await s.scalar(select(func.count()).select_from(Lot))
            version = await s.scalar(text("SHOW server_version"))
            avail = set(await s.scalars(text("SELECT name FROM pg_available_extensions")))
        radius = await radius_part(engine, sm, a.n, rng)
        district = await district_part(engine, sm, a.n, rng)
        tambon = await tambon_part(engine, sm, a.n, rng)
    finally:
        await ddl(engine, *(f"DROP INDEX IF EXISTS {name}" for name in DROP))
        if not a.keep_tambon:
            await ddl(engine, "UPDATE lot SET tambon = NULL WHERE tambon IS NOT NULL", "VACUUM ANALYZE lot")
        await engine.dispose()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    head = [
        f"### PostgreSQL-only search indexes, measured at {total:,} lots ({dt.date.today().isoformat()})",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, PostgreSQL "
        f"{str(version).split()[0]} on the same machine; PostGIS {'available' if 'postgis' in avail else 'not available'}. "
        f"{a.n} queries per row, sequential. Load average (1/5/15 min) at the end: {load}.",
        f"Command: `.venv/bin/python bench/search_pg_indexes.py --database-url <the database search_bench.py kept> --n {a.n}`",
        "",
    ]
    return "\n".join([*head, *radius, "", *district, "", *tambon]) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--database-url", required=True, help="a PostgreSQL database filled by search_bench.py --keep"
    )
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--keep-tambon", action="store_true", help="leave the tambon text in place")
    ap.add_argument("--no-docs", action="store_true")
    a = ap.parse_args()
    out = asyncio.run(main(a))
    print(out)
    if not a.no_docs:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + out)
