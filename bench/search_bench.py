"""Search speed on demo lots (100,000 by default), on SQLite or PostgreSQL.

A location filter, a red-case lookup, a 1 km radius search and a whole-line condo search (by
distance and by price; and one station's condos), each measured in-process (the query functions on
a session) and through HTTP (a real uvicorn on 127.0.0.1), against a floor in the same run: a plain
indexed SELECT of the same rows (`WHERE id IN (...)` on the page of lots the search returned, or
`WHERE red_key = ?` with the case's lots and rounds for the case lookup). Prints figures and appends
them to docs/benchmarks.md. Never pass/fail on time.

    .venv/bin/python bench/search_bench.py [--lots 100000] [--n 200] [--port 8100] [--db FILE]
    .venv/bin/python bench/search_bench.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test \
        [--lots 1000000] [--keep | --reuse]

--db reuses (or creates) a database file instead of a fresh temporary one: generating 100,000 lots
takes about two minutes. With --database-url (PostgreSQL) a throwaway database is created on that
server (as the test suite does), filled by COPY, vacuumed and analysed, and dropped at the end
unless --keep (which prints its URL); --reuse measures the database the URL names as it is, adding
lots only if it has fewer.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from auction import casenum, demo  # noqa: E402
from auction.__main__ import migrate  # noqa: E402
from auction.db import make_engine, make_null_pool_engine, sessionmaker  # noqa: E402
from auction.models import AdminArea, Case, Lot  # noqa: E402
from search import cases, params, queries  # noqa: E402
from tests.conftest import create_pg_database, drop_pg_database, is_pg  # noqa: E402

PER_PAGE = 20


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def ensure_data(url: str, lots: int) -> float:
    """Migrate and generate unless the database already holds the lots; returns seconds spent."""
    await asyncio.to_thread(migrate, url)
    engine = make_null_pool_engine(url)
    async with sessionmaker(engine).begin() as s:
        have = await s.scalar(select(func.count(Lot.id))) or 0
        t0 = time.perf_counter()
        if have < lots:
            await demo.generate(s, lots - have, seed=2569, today=dt.date(2026, 11, 23))
    if have < lots and is_pg(url):
        # After a bulk load: the planner's statistics, and the visibility map that index-only scans
        # need (autovacuum would get there later; a server in service would have them).
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    await engine.dispose()
    return time.perf_counter() - t0 if have < lots else 0.0


async def workload(sm: Any, ref: queries.Reference, n: int) -> dict[str, list[dict[str, str]]]:
    """n query-string variants per kind, drawn from the data so every one finds something."""
    rng = random.Random(7)
    async with sm() as s:
        districts = list(
            await s.scalars(
                select(AdminArea).where(AdminArea.level == "district", AdminArea.parent_code == "10")
            )
        )
        keys = list(await s.scalars(select(Case.red_key).order_by(Case.id).limit(5000)))
    typed_variants = (
        lambda c: c.key,
        lambda c: f"{c.prefix}{'E' if c.efiled else ''} {c.number}/{c.year % 100:02d}",
        lambda c: f"{c.prefix}{'E' if c.efiled else ''}{c.number}/{c.year}".translate(
            str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
        ),
    )
    location, case, radius = [], [], []
    for i in range(n):
        d = rng.choice(districts)
        name = rng.choice((f"เขต{d.name_th}", d.name_en, d.name_th))
        location.append({"province": "กรุงเทพ", "district": name, "type": rng.choice(("condo", "house")),
                         "price_max": str(rng.choice((3_000_000, 5_000_000, 10_000_000)))})  # fmt: skip
        number = casenum.parse(rng.choice(keys))
        case.append({"q": typed_variants[i % 3](number)})
        st = rng.choice(list(ref.transit.by_id.values()))
        radius.append({"lat": f"{st.lat + rng.uniform(-0.01, 0.01):.6f}",
                       "lon": f"{st.lon + rng.uniform(-0.01, 0.01):.6f}", "radius": "1000"})  # fmt: skip
    lines = [{"line": line_id} for line_id in ref.transit.lines]
    stations = [{"line": s.line_id, "station": s.code} for s in ref.transit.by_id.values()]
    return {
        "location": location,
        "red_case": case,
        "radius_1km": radius,
        "line_condos": [lines[i % len(lines)] for i in range(n)],
        "line_condos_price": [{**lines[i % len(lines)], "sort": "price"} for i in range(n)],
        "station_condos": [rng.choice(stations) for _ in range(n)],
    }


class Q(dict[str, str]):
    """A query string as the routes see it."""


async def run_in_process(sm: Any, ref: queries.Reference, kind: str, q: dict[str, str]) -> list[int]:
    """The search itself, as the route runs it; returns the ids the floor will fetch again."""
    async with sm() as s:
        if kind == "red_case":
            found = await cases.find(s, casenum.parse(q["q"]))
            assert found.match == "exact", q
            return [c.id for c in found.cases]
        if kind.startswith(("line_", "station_")):
            line, _ = ref.transit.line(q["line"])
            assert line is not None
            sort, none = q.get("sort", "distance"), queries.LotFilters()
            if "station" in q:
                station, _ = ref.transit.station(line, q["station"])
                assert station is not None
                page = await queries.station_condos(s, station, 1000, none, 1, PER_PAGE, sort)
            else:
                page = await queries.line_condos(s, line.stations, 1000, none, 1, PER_PAGE, sort)
        else:
            f = params.lot_filters(q, ref)
            point = params.point(q)
            page = await queries.search_lots(s, f, 1, PER_PAGE, "distance" if point else "date", point)
        return [h.lot.id for h in page.hits]


async def floor(sm: Any, kind: str, ids: list[int]) -> None:
    async with sm() as s:
        if kind == "red_case":
            rows = await s.scalars(
                select(Case).where(Case.id.in_(ids)).options(selectinload(Case.lots).selectinload(Lot.rounds))
            )
        else:
            rows = await s.scalars(select(Lot).where(Lot.id.in_(ids)))
        list(rows)


CPU: dict[str, list[float]] = {}


async def measure(fn: Callable[[int], Awaitable[Any]], n: int, cpu_key: str | None = None) -> list[float]:
    """Wall-clock seconds per call; with cpu_key, this process's CPU seconds too (SQLite runs in
    aiosqlite's thread, inside the process): a figure other work on the machine disturbs less."""
    await fn(0)  # warm caches (the reference data, SQLite pages) before timing
    out, cpu = [], []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        await fn(i)
        out.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if cpu_key:
        CPU[cpu_key] = cpu
    return out


HTTP_PATH = {
    "location": "/api/search/lots",
    "red_case": "/api/search/cases",
    "radius_1km": "/api/search/lots",
    "line_condos": "/api/search/transit",
    "line_condos_price": "/api/search/transit",
    "station_condos": "/api/search/transit",
}


def free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def main(args: argparse.Namespace, url: str) -> str:
    gen_s = await ensure_data(url, args.lots)
    engine = make_engine(url)
    sm = sessionmaker(engine)
    async with sm() as s:
        ref = await queries.load_reference(s)
        total_lots = await s.scalar(select(func.count(Lot.id)))
    load = await workload(sm, ref, args.n)
    results: dict[str, dict[str, list[float]]] = {}
    sizes: dict[str, list[int]] = {}
    for kind, qs in load.items():
        ids_seen: list[list[int]] = []

        async def search(
            i: int, kind: str = kind, qs: list[dict[str, str]] = qs, seen: list[list[int]] = ids_seen
        ) -> None:
            seen.append(await run_in_process(sm, ref, kind, qs[i % len(qs)]))

        in_proc = await measure(search, args.n, cpu_key=kind)
        page_ids = ids_seen[1:]

        async def base(i: int, kind: str = kind, ids: list[list[int]] = page_ids) -> None:
            await floor(sm, kind, ids[i % len(ids)])

        results[kind] = {"in_process": in_proc, "floor": await measure(base, args.n)}
        sizes[kind] = [len(x) for x in page_ids]
    await engine.dispose()

    # Through HTTP: a real uvicorn serving the same file.
    assert free(args.port), f"port {args.port} is busy"
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": url,
        "MAP_TILES": "none",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "auction.app:create_app", "--port", str(args.port),
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=30) as client:
            for _ in range(100):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            for kind, qs in load.items():

                async def call(i: int, kind: str = kind, qs: list[dict[str, str]] = qs) -> None:
                    q = {**qs[i % len(qs)], "per_page": str(PER_PAGE)}
                    r = await client.get(HTTP_PATH[kind], params=q)
                    assert r.status_code == 200, r.text

                results[kind]["http"] = await measure(call, args.n)
    finally:
        server.terminate()
        server.wait(timeout=10)

    cpu = os.cpu_count()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    backend = (
        f"PostgreSQL {await server_version(url)} (asyncpg), same machine"
        if is_pg(url)
        else "SQLite file (aiosqlite)"
    )
    made = "data reused" if gen_s == 0 else f"demo data generated in {gen_s:.0f} s"
    lines = [
        f"## Search on {total_lots:,} lots, {backend.split(' (')[0]} ({dt.date.today().isoformat()})",
        "",
        f"Machine: {cpu} cores, {platform.machine()}, Python {platform.python_version()}, {backend}; {made}. "
        f"{args.n} queries per kind, each a different query drawn from the data, sequential, 20 per page. "
        f"Load average (1/5/15 min) at the end: {load} (other work shared the machine; the floor ran in the "
        "same conditions)."
        + (
            " The CPU column is this process only: PostgreSQL's own work is in its server."
            if is_pg(url)
            else ""
        ),
        f"Command: `.venv/bin/python bench/search_bench.py {' '.join(sys.argv[1:])}`"
        + (" (reusing data made by the same generator, seed 2569)" if gen_s == 0 else ""),
        "",
        "In-process = the search functions on a session (name resolution, filters, distances, the page "
        "loaded); HTTP = a real uvicorn on loopback, JSON out; floor = a plain indexed SELECT of the same "
        "rows (`WHERE id IN (page ids)`; for the case lookup the case with its lots and rounds) on the "
        "same engine.",
        "",
        "| search | rows/page | floor p50 / p95 ms | in-process p50 / p95 ms | in-process CPU p50 / p95 ms | "
        "HTTP p50 / p95 ms | in-process / floor (p50) | HTTP / floor (p50) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, r in results.items():
        fl, ip, ht = (statistics.median(r[k]) * 1000 for k in ("floor", "in_process", "http"))
        lines.append(
            f"| {kind} | {statistics.mean(sizes[kind]):.1f} | {fl:.2f} / {pct(r['floor'], 0.95):.2f} | "
            f"{ip:.2f} / {pct(r['in_process'], 0.95):.2f} | "
            f"{statistics.median(CPU[kind]) * 1000:.2f} / {pct(CPU[kind], 0.95):.2f} | "
            f"{ht:.2f} / {pct(r['http'], 0.95):.2f} | "
            f"{ip / fl:.1f}x | {ht / fl:.1f}x |"
        )
    return "\n".join(lines) + "\n"


async def server_version(url: str) -> str:
    engine = make_null_pool_engine(url)
    async with engine.connect() as conn:
        version = await conn.scalar(text("SHOW server_version"))
    await engine.dispose()
    return str(version).split()[0]


async def run(a: argparse.Namespace, sqlite_path: str | None) -> str:
    if sqlite_path:
        return await main(a, f"sqlite+aiosqlite:///{sqlite_path}")
    url = a.database_url if a.reuse else await create_pg_database(a.database_url)
    try:
        return await main(a, url)
    finally:
        if a.keep or a.reuse:
            print(f"kept: --database-url {url} --reuse", file=sys.stderr)
        else:
            await drop_pg_database(url)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lots", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--port", type=int, default=8100)
    ap.add_argument("--db", help="reuse this SQLite file (created and filled if needed)")
    ap.add_argument(
        "--database-url", help="a PostgreSQL server (postgresql+asyncpg://...): a throwaway database on it"
    )
    ap.add_argument(
        "--keep", action="store_true", help="with --database-url: keep the database (prints its URL)"
    )
    ap.add_argument("--reuse", action="store_true", help="with --database-url: use that database as it is")
    ap.add_argument("--no-docs", action="store_true", help="print only; do not append to docs/benchmarks.md")
    a = ap.parse_args()
    if (a.keep or a.reuse) and not a.database_url:
        ap.error("--keep and --reuse go with --database-url")
    if a.database_url and not is_pg(a.database_url):
        ap.error("--database-url must name a PostgreSQL server (SQLite: --db FILE)")
    tmp = None if a.db or a.database_url else tempfile.mkdtemp()
    sqlite = (
        None if a.database_url else os.path.abspath(a.db) if a.db else os.path.join(tmp or "", "search.db")
    )
    try:
        out = asyncio.run(run(a, sqlite))
    finally:
        if tmp:
            shutil.rmtree(tmp)
    print(out)
    if not a.no_docs:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + out)
