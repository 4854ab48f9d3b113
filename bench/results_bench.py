"""Public results and statistics over a demo history (SQLite file): results pages with each filter,
and statistics aggregated in SQL against the obvious alternative, loading the published rounds
and aggregating them in Python, in the same run. Prints figures and appends them to
docs/benchmarks.md.

    .venv/bin/python bench/results_bench.py [--lots 20000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from auction import demo, results, stats  # noqa: E402
from auction.__main__ import migrate  # noqa: E402
from auction.db import make_engine, sessionmaker  # noqa: E402
from auction.models import Case, Lot, SaleDay, SaleRound  # noqa: E402
from auction.results import Filters, published_day  # noqa: E402


async def python_stats(s: Any) -> dict[int, dict[str, int]]:
    """Baseline: every published decided round into Python, then the same per-office figures."""
    rows = await s.execute(
        select(SaleRound.office_id, SaleRound.lot_id, SaleRound.status, SaleRound.sold_price, Lot.base_price)
        .join(Lot, Lot.id == SaleRound.lot_id)
        .join(SaleDay, published_day())
        .where(SaleRound.status.in_(("sold", "no_bidder", "suspended", "withdrawn")))
    )
    offered: dict[int, set[int]] = defaultdict(set)
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"sold": 0, "value": 0, "appraisal": 0})
    for office, lot, status, price, base in rows:
        if status in ("sold", "no_bidder"):
            offered[office].add(lot)
        if status == "sold":
            out[office]["sold"] += 1
            out[office]["value"] += price or 0
            out[office]["appraisal"] += base
    for office, lots in offered.items():
        out[office]["offered"] = len(lots)
    return out


async def timed(label: str, repeat: int, fn: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    await fn()  # warm the page cache and statement cache
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"label": label, "p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1]}


async def main(lots: int, repeat: int) -> list[dict[str, Any]]:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sm = sessionmaker(engine)
    t0 = time.perf_counter()
    async with sm.begin() as s:
        await demo.generate(s, lots, today=dt.date(2026, 11, 23))
    print(f"seeded {lots} lots in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    async with sm() as s:
        rounds = await s.scalar(select(func.count()).select_from(SaleRound))
        some = (await s.execute(
            select(SaleRound.office_id, SaleRound.sale_date, Case.red_key).join(Lot, Lot.id == SaleRound.lot_id)
            .join(Case, Case.id == Lot.case_id).where(SaleRound.status == "sold").limit(1)
        )).one()  # fmt: skip
    office_id, day, red = some
    out = []
    async with sm() as s:
        cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("stats by office, Python aggregation (baseline)", lambda: python_stats(s)),
            ("stats by office, SQL aggregation", lambda: stats.compute(s, "office", Filters())),
            ("stats by fiscal year, SQL", lambda: stats.compute(s, "fy", Filters())),
            ("stats by month, one province, SQL", lambda: stats.compute(s, "month", Filters(province="10"))),
            ("results page 1, no filter (20 rows + total)", lambda: results.search(s, Filters())),
            ("results, office + date", lambda: results.search(s, Filters(office_id=office_id, sale_date=day))),
            ("results, red case number", lambda: results.search(s, Filters(red_key=red))),
            ("results, province + type, sold", lambda: results.search(
                s, Filters(province="10", property_type="002", outcome="sold"))),
        ]  # fmt: skip
        for label, fn in cases:
            out.append(await timed(label, repeat, fn))
    await engine.dispose()
    base = out[0]["p50"]
    for row in out:
        row["ratio"] = row["p50"] / base
    print(f"{lots} lots, {rounds} rounds", file=sys.stderr)
    return out


def report(rows: list[dict[str, Any]], lots: int, repeat: int, command: str) -> str:
    lines = [
        f"## Results and statistics ({dt.date.today().isoformat()})",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, SQLite (WAL) file, "
        f"services called in-process; demo history of {lots:,} lots (6 rounds each, past days published); "
        f"median and p95 of {repeat} runs after one warm-up.",
        f"Command: `{command}`",
        "",
        "| query | p50 ms | p95 ms | vs Python aggregation |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['label']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['ratio']:.2f}x |" for r in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(main(args.lots, args.repeat))
    text = report(
        rows, args.lots, args.repeat, ".venv/bin/python bench/results_bench.py " + " ".join(sys.argv[1:])
    )
    print(text)
    if not args.no_append:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + text)
