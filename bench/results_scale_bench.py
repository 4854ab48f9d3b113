"""Results and statistics at LED scale (default 100,000 lots = 600,000 rounds, the demo set with its
past days published). Two tables, both from the same run and the same database:

1. the public record (table public_result, auction.public_record) against the queries it replaced,
   a join of every round to its lot, case and sale day (kept below as the baseline), called
   in-process on one session;
2. the public endpoints through the whole app (httpx in-process) against GET /api/lots (the plain
   listing, same page size).

Prints figures and appends them to docs/benchmarks.md.

    .venv/bin/python bench/results_scale_bench.py [--lots 100000] [--repeat 10] [--database-url URL]

Without --database-url it builds a fresh SQLite file; with a PostgreSQL URL it creates (and drops)
a scratch database on that server.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from sqlalchemy import case, extract, func, select  # noqa: E402

from auction import demo, results, stats  # noqa: E402
from auction.__main__ import migrate  # noqa: E402
from auction.app import create_app  # noqa: E402
from auction.config import Settings  # noqa: E402
from auction.db import make_null_pool_engine, sessionmaker  # noqa: E402
from auction.models import Case, Lot, PublicResult, Sale, SaleDay, SaleRound  # noqa: E402
from auction.results import DECIDED, Filters, published_day  # noqa: E402
from tests.conftest import create_pg_database, drop_pg_database, is_pg  # noqa: E402

# --- the baseline: what the services ran before the public record ---------------------------------


def joined() -> Any:
    return (
        select(SaleRound, Lot, Case.red_key, Sale.status)
        .join(Lot, Lot.id == SaleRound.lot_id)
        .join(Case, Case.id == Lot.case_id)
        .join(SaleDay, published_day())
        .outerjoin(Sale, Sale.round_id == SaleRound.id)
        .where(SaleRound.status.in_(DECIDED))
    )


async def joined_search(s: Any, *where: Any) -> int:
    query = joined().where(*where)
    total = await s.scalar(select(func.count()).select_from(query.subquery()))
    rows = await s.execute(
        query.order_by(
            SaleRound.sale_date.desc(), SaleRound.office_id, Case.red_key, Lot.sale_order, SaleRound.id
        ).limit(20)
    )
    return len(list(rows)) + (total or 0)


async def joined_stats(s: Any, key: Any) -> int:
    held, sold = SaleRound.status.in_(("sold", "no_bidder")), SaleRound.status == "sold"
    rows = await s.execute(
        select(
            key.label("k"),
            func.count(func.distinct(case((held, SaleRound.lot_id)))),
            func.count(func.distinct(case((sold, SaleRound.lot_id)))),
            func.sum(case((sold, SaleRound.sold_price), else_=0)),
            func.sum(case((sold, Lot.base_price), else_=0)),
            func.sum(case((sold, SaleRound.round_no), else_=0)),
        )
        .select_from(SaleRound)
        .join(Lot, Lot.id == SaleRound.lot_id)
        .join(SaleDay, published_day())
        .where(SaleRound.status.in_(DECIDED))
        .group_by(key)
    )
    return len(list(rows))


FY_OLD = (
    extract("year", SaleRound.sale_date)
    + 543
    + case((extract("month", SaleRound.sale_date) >= 10, 1), else_=0)
)


# --- harness ---------------------------------------------------------------------------------------


async def timed(fn: Callable[[], Awaitable[Any]], n: int) -> tuple[float, float, float]:
    """(p50, p95, first): the first call warms the page cache, statement cache, templates and, for
    statistics, the answer cache (kept until the next publication)."""
    t0 = time.perf_counter()
    await fn()
    first = (time.perf_counter() - t0) * 1000
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))], first


async def seed(url: str, lots: int) -> dict[str, Any]:
    engine = make_null_pool_engine(url)
    t0 = time.perf_counter()
    async with sessionmaker(engine).begin() as s:
        await demo.generate(s, lots, seed=2569, today=dt.date(2026, 11, 23))
    seconds = time.perf_counter() - t0
    async with sessionmaker(engine)() as s:
        office_id, day = (
            await s.execute(
                select(PublicResult.office_id, PublicResult.sale_date)
                .group_by(PublicResult.office_id, PublicResult.sale_date)
                .order_by(func.count().desc())
                .limit(1)
            )
        ).one()
        red = await s.scalar(select(PublicResult.red_key).where(PublicResult.status == "sold").limit(1))
        counts = {
            "rounds": await s.scalar(select(func.count()).select_from(SaleRound)),
            "public": await s.scalar(select(func.count()).select_from(PublicResult)),
            "days": await s.scalar(select(func.count()).select_from(SaleDay)),
        }
    await engine.dispose()
    return {"office": office_id, "day": day, "red": red, "seconds": seconds, **counts}


async def main(lots: int, repeat: int, database_url: str | None) -> str:
    tmp = None
    if database_url and is_pg(database_url):
        url, backend = await create_pg_database(database_url), "PostgreSQL"
    else:
        tmp = tempfile.mkdtemp()
        url, backend = f"sqlite+aiosqlite:///{tmp}/bench.db", "SQLite (WAL) file"
    try:
        await asyncio.to_thread(migrate, url)
        w = await seed(url, lots)
        office, day, red = w["office"], w["day"], w["red"]
        fy = day.year + 543 + (1 if day.month >= 10 else 0)
        mid = max(1, w["public"] // 40)
        engine = make_null_pool_engine(url)
        pairs: list[tuple[str, Callable[[Any], Awaitable[Any]], Callable[[Any], Awaitable[Any]]]] = [
            ("results page 1 + total, no filter", lambda s: joined_search(s), lambda s: results.search(s, Filters())),
            ("results, one office + day", lambda s: joined_search(s, SaleRound.office_id == office, SaleRound.sale_date == day),
             lambda s: results.search(s, Filters(office_id=office, sale_date=day))),
            ("results, province 10 + type 002", lambda s: joined_search(s, Lot.province_code == "10", Lot.property_type == "002"),
             lambda s: results.search(s, Filters(province="10", property_type="002"))),
            ("stats by fiscal year", lambda s: joined_stats(s, FY_OLD), lambda s: stats.compute(s, "fy", Filters())),
            ("stats by office", lambda s: joined_stats(s, SaleRound.office_id), lambda s: stats.compute(s, "office", Filters())),
            ("stats by property type", lambda s: joined_stats(s, Lot.property_type), lambda s: stats.compute(s, "type", Filters())),
        ]  # fmt: skip
        service_rows = []
        async with sessionmaker(engine)() as s:
            for name, old, new in pairs:
                before = await timed(lambda old=old: old(s), repeat)
                after = await timed(lambda new=new: new(s), repeat)
                service_rows.append((name, before, after))
        await engine.dispose()

        paths = [
            ("GET /api/lots, page 1 of 20 (baseline)", "/api/lots"),
            ("/api/results, page 1", "/api/results"),
            (f"/api/results, page {mid} (halfway)", f"/api/results?page={mid}"),
            (
                "/api/results, one office + day",
                f"/api/results?office={office}&date={day.isoformat()}&per_page=100",
            ),
            ("/api/results, red case number", f"/api/results?red={red}"),
            ("/api/results, province 10 + type 002", "/api/results?province=10&type=002"),
            (
                "/api/results.csv, one FY of one province",
                f"/api/results.csv?province=10&from={day.year}-01-01",
            ),
            ("/api/stats?group=fy", "/api/stats?group=fy"),
            ("/api/stats?group=month", "/api/stats?group=month"),
            ("/api/stats?group=office", "/api/stats?group=office"),
            (f"/api/stats?group=province&fy={fy}", f"/api/stats?group=province&fy={fy}"),
            ("/results (page)", "/results"),
            ("/stats (page with charts)", "/stats"),
        ]
        app = create_app(Settings(database_url=url, secret_key="bench"))
        http_rows = []
        async with LifespanManager(app) as m:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app), base_url="http://b") as c:

                async def get(path: str) -> None:
                    r = await c.get(path)
                    assert r.status_code == 200, (path, r.status_code, r.text[:200])

                for name, path in paths:
                    http_rows.append((name, await timed(lambda path=path: get(path), repeat)))
    finally:
        if is_pg(url):
            await drop_pg_database(url)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    flag = f" --database-url {database_url}" if database_url else ""
    out = [
        f"\n## Results and statistics at scale: the public record ({dt.date.today().isoformat()})\n",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {backend}; "
        f"demo set of {lots:,} lots = {w['rounds']:,} rounds, {w['days']:,} published sale days, "
        f"{w['public']:,} rows in public_result (generated in {w['seconds']:.0f} s); median and p95 of {repeat} "
        "runs after one warm-up, sequential.",
        f"Command: `.venv/bin/python bench/results_scale_bench.py --lots {lots} --repeat {repeat}{flag}`\n",
        "Services on one session: the join over every round (before) vs the public record (after).\n",
        "| query | before p50 ms | after p50 ms | after p95 ms | speed-up |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {n} | {b[0]:.1f} | {a[0]:.1f} | {a[1]:.1f} | {b[0] / a[0]:.0f}x |" for n, b, a in service_rows
    ]
    base = http_rows[0][1][0]
    out += ["", "The public endpoints through the app (httpx in-process), against the plain lot listing; "
            "first = the first request (statistics: before their answer is cached).\n",
            "| request | first ms | p50 ms | p95 ms | p50 vs baseline |", "|---|---|---|---|---|"]  # fmt: skip
    out += [f"| {n} | {t[2]:.1f} | {t[0]:.1f} | {t[1]:.1f} | {t[0] / base:.1f}x |" for n, t in http_rows]
    text = "\n".join(out) + "\n"
    print(text)
    return text


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--lots", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--database-url", default=None)
    p.add_argument("--no-append", action="store_true", help="print only")
    args = p.parse_args()
    text = asyncio.run(main(args.lots, args.repeat, args.database_url))
    if not args.no_append:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write(text)
