"""Writing the public record (table public_result) when a sale day is published.

One INSERT ... SELECT per publication, so the database copies the rows itself: the second
officer's approval (auction.saleday.approve), the demo generator and the migration that backfills
days published before the table existed all go through `copy_published`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, case, extract, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction.models import Case, Lot, PublicResult, SaleDay, SaleRound
from auction.results import DECIDED, published_day

COLUMNS = (
    "round_id", "lot_id", "office_id", "sale_date", "fiscal_year", "round_no", "status", "reason_code",
    "red_key", "sale_order", "province_code", "property_type", "appraisal", "start_price", "sold_price",
    "bidder_count", "winner_bidder_no", "published_at",
)  # fmt: skip


def fiscal_year_sql(day: Any) -> Any:
    """auction.thai.fiscal_year_be in SQL: October starts the next BE fiscal year."""
    return extract("year", day) + 543 + case((extract("month", day) >= 10, 1), else_=0)


def published_rounds(*where: Any) -> Select[Any]:
    """Decided rounds of published days that are not in the record yet, as public_result rows."""
    return (
        select(
            SaleRound.id,
            SaleRound.lot_id,
            SaleRound.office_id,
            SaleRound.sale_date,
            fiscal_year_sql(SaleRound.sale_date),
            SaleRound.round_no,
            SaleRound.status,
            SaleRound.reason_code,
            Case.red_key,
            Lot.sale_order,
            Lot.province_code,
            Lot.property_type,
            Lot.base_price,
            SaleRound.start_price,
            SaleRound.sold_price,
            SaleRound.bidder_count,
            SaleRound.winner_bidder_no,
            SaleDay.published_at,
        )  # fmt: skip
        .join(Lot, Lot.id == SaleRound.lot_id)
        .join(Case, Case.id == Lot.case_id)
        .join(SaleDay, published_day())
        .outerjoin(PublicResult, PublicResult.round_id == SaleRound.id)
        .where(SaleRound.status.in_(DECIDED), PublicResult.round_id.is_(None), *where)
    )


async def copy_published(session: AsyncSession, *where: Any) -> int:
    """Copy the decided rounds of published days (narrowed by `where`) into the public record.
    Idempotent: rounds already there are skipped. Returns the number of rows written."""
    result = await session.execute(insert(PublicResult).from_select(COLUMNS, published_rounds(*where)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def publish_day(session: AsyncSession, office_id: int, day: dt.date) -> int:
    """The day was just approved: its decided rounds become public."""
    return await copy_published(session, SaleRound.office_id == office_id, SaleRound.sale_date == day)
