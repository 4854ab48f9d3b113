"""Migration 0003 backfills the public record from the days published before it existed, on the
back end the suite runs on (SQLite file, or a scratch PostgreSQL database)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from auction.__main__ import _load_reference
from auction.db import make_null_pool_engine, sessionmaker
from auction.models import PublicResult, SaleDay, SaleRound
from auction.outcomes import record_outcome
from tests import factories as f
from tests.conftest import create_pg_database, drop_pg_database, is_pg

ROOT = Path(__file__).resolve().parents[2]
SEPT, OCT = dt.date(2026, 9, 15), dt.date(2026, 10, 6)
NOW = dt.datetime(2026, 10, 7, 3, 0, tzinfo=dt.UTC)


def alembic(url: str, step: str, revision: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logger"] = False
    getattr(command, step)(cfg, revision)


def upgrade(url: str, revision: str) -> None:
    alembic(url, "upgrade", revision)


async def test_upgrade_copies_rounds_of_days_published_before_the_table_existed(tmp_path) -> None:
    configured = os.environ.get("DATABASE_URL") or ""
    url = (
        await create_pg_database(configured) if is_pg(configured) else f"sqlite+aiosqlite:///{tmp_path}/m.db"
    )
    try:
        # Lots are written by today's code (which also fills tables added after 0003), then the
        # schema goes back to the revision before the public record and up again.
        await asyncio.to_thread(upgrade, url, "head")
        await _load_reference(url)
        engine = make_null_pool_engine(url)
        sm = sessionmaker(engine)
        async with sm.begin() as s:
            lot = await f.make_lot(s, await f.make_case(s), first_date=SEPT)
            rounds = list(
                await s.scalars(
                    select(SaleRound).where(SaleRound.lot_id == lot.id).order_by(SaleRound.round_no)
                )
            )
            ids, office_id = [r.id for r in rounds], lot.office_id
        for rid in ids[:2]:
            async with sm.begin() as s:
                await record_outcome(s, rid, "no_bidder", actor_id=None, now=NOW)
        async with sm.begin() as s:
            s.add(SaleDay(office_id=office_id, sale_date=SEPT, status="published", published_at=NOW))
            s.add(SaleDay(office_id=office_id, sale_date=OCT, status="submitted"))
        await engine.dispose()

        await asyncio.to_thread(alembic, url, "downgrade", "0002")
        await asyncio.to_thread(upgrade, url, "head")
        engine = make_null_pool_engine(url)
        async with sessionmaker(engine)() as s:
            rows = list(await s.scalars(select(PublicResult)))
        await engine.dispose()
        # Only the published September day; the fiscal year computed in SQL on this back end.
        assert [(r.round_id, r.status, r.sale_date, r.fiscal_year, r.red_key) for r in rows] == [
            (ids[0], "no_bidder", SEPT, 2569, "ผบ.1234/2563")
        ]
        assert rows[0].published_at == NOW and rows[0].appraisal == 1_600_000
    finally:
        if is_pg(url):
            await drop_pg_database(url)
