"""PostgreSQL's own search indexes (migration 0005): present, and chosen for the queries they were
added for. The results themselves are asserted on both back ends by the other search tests
(tambon text in test_location, radius and stations in test_location and test_transit)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import func, select, text

from auction import demo
from auction.models import Lot
from search import geo, queries
from search.queries import LotFilters
from tests.conftest import is_pg
from tests.search.fixture import build

pytestmark = pytest.mark.skipif(
    not is_pg(os.environ.get("DATABASE_URL") or ""),
    reason="PostgreSQL only: runs in the suite's PostgreSQL pass",
)


async def explain(s, query, bitmaps: bool = True) -> str:
    """The plan for a query on these few rows, with the table scan a tiny table would prefer off
    (and bitmap scans, to see whether a plain index scan would need the table)."""
    await s.execute(text("SET LOCAL enable_seqscan = off"))
    if not bitmaps:
        await s.execute(text("SET LOCAL enable_bitmapscan = off"))
    compiled = query.compile(s.bind, compile_kwargs={"literal_binds": True})
    return "\n".join((await s.execute(text(f"EXPLAIN {compiled}"))).scalars())


async def test_the_indexes_are_there(db) -> None:
    async with db() as s:
        defs = dict(
            (
                await s.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'lot'"))
            ).all()
        )
    assert defs["ix_lot_cell"].endswith("next_sale_date, area_sqm, id)")
    assert "INCLUDE (province_code, property_type, next_start_price" in defs["ix_lot_district_status_date"]
    assert "gin (lower((tambon)::text) gin_trgm_ops)" in defs["ix_lot_tambon_trgm"]


async def test_tambon_text_anywhere_in_the_country_uses_the_trigram_index(db) -> None:
    w = await build(db)
    async with db.begin() as s:  # a country's worth of other lots, most of them on sale
        await demo.generate(s, 1500, seed=5, today=dt.date(2026, 11, 23))
    async with db.begin() as s:
        # The demo gives every lot a tambon (issue 19): fresh rows sit in the GIN index's pending
        # list, which the planner prices as a scan of it, until (auto)vacuum merges them.
        await s.execute(text("SELECT gin_clean_pending_list('ix_lot_tambon_trgm')"))
        await s.execute(text("ANALYZE lot"))
    f = LotFilters(tambon="สีลม")
    async with db() as s:
        plan = await explain(s, select(func.count(Lot.id)).where(*queries.conditions(f)))
        assert "ix_lot_tambon_trgm" in plan
        found = await queries.search_lots(s, f, 1, 20)
    assert w.ids["house"] in [h.lot.id for h in found.hits]
    assert all("สีลม" in (h.lot.tambon or "") for h in found.hits)


async def test_in_a_district_the_tambon_is_only_a_filter(db) -> None:
    await build(db)
    f = LotFilters(districts=("1004",), tambon="สีลม")
    async with db() as s:
        plan = await explain(s, select(func.count(Lot.id)).where(*queries.conditions(f)))
    assert "ix_lot_tambon_trgm" not in plan and "ix_lot_district_status_date" in plan


async def test_the_radius_prefilter_reads_the_cell_index_alone(db) -> None:
    w = await build(db)
    g3 = w.stations["G3"]
    query = queries.boxes_query(
        "postgresql", queries.conditions(LotFilters()), [geo.bbox(g3.lat, g3.lon, 1000)], queries._LIGHT
    )
    async with db() as s:
        plan = await explain(s, query, bitmaps=False)
    assert "Index Only Scan using ix_lot_cell" in plan and "Seq Scan" not in plan
