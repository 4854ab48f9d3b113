"""Public statistics over published results, grouped by fiscal year (October–September, BE),
month, office, province or property type.

Definitions (docs/results.md):
- offered: distinct lots put up for bidding in the group (a round that was held: sold or no bidder);
  suspended and withdrawn rounds were not offered and are counted on their own.
- sold: distinct lots hammered in the group; sell-through = sold / offered.
- value sold, and the appraisal (base price) of the lots sold; ratio = value / appraisal.
- average rounds to sale: the mean round number (นัดที่) at which the sold lots were hammered.
Aggregated in SQL over the public record (auction.public_record, one narrow indexed table), so it
stays one query per view however many rounds there are.
"""

from __future__ import annotations

import copy
import csv
import io
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from sqlalchemy import case, extract, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction.display import csv_cell
from auction.errors import ApiError
from auction.models import AdminArea, Office
from auction.models import PublicResult as R
from auction.results import Filters, apply
from auction.services import PROPERTY_TYPES
from auction.thai import MONTHS_TH, parse_int

GROUPS = ("fy", "month", "office", "province", "type")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_group(raw: str | None) -> str:
    group = raw or "fy"
    if group not in GROUPS:
        raise ApiError(400, "bad_group", "การจัดกลุ่มไม่ถูกต้อง", f"group must be one of {', '.join(GROUPS)}",
                       param="group")  # fmt: skip
    return group


def parse_fy(raw: str | None) -> int | None:
    if not raw:
        return None
    fy = parse_int(raw)
    if fy is None or not 2400 < fy < 2700:
        raise ApiError(400, "bad_fy", "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569", "fy must be a BE year such as 2569",
                       param="fy")  # fmt: skip
    return fy


def _key_expr(group: str) -> Any:
    if group == "fy":
        return R.fiscal_year
    if group == "month":
        return extract("year", R.sale_date) * 100 + extract("month", R.sale_date)
    if group == "office":
        return R.office_id
    if group == "all":
        return literal(0)
    if group == "province":
        return R.province_code
    return R.property_type


async def compute(
    session: AsyncSession, group: str, f: Filters, fy: int | None = None
) -> list[dict[str, Any]]:
    key = _key_expr(group).label("k")
    held = R.status.in_(("sold", "no_bidder"))
    sold = R.status == "sold"
    query = (
        select(
            key,
            func.count(func.distinct(case((held, R.lot_id)))).label("offered"),
            func.count(func.distinct(case((sold, R.lot_id)))).label("sold"),
            func.sum(case((held, 1), else_=0)).label("rounds_held"),
            func.sum(case((R.status == "suspended", 1), else_=0)).label("suspended"),
            func.sum(case((R.status == "withdrawn", 1), else_=0)).label("withdrawn"),
            func.coalesce(func.sum(case((sold, R.sold_price), else_=0)), 0).label("value_sold"),
            func.coalesce(func.sum(case((sold, R.appraisal), else_=0)), 0).label("appraisal_sold"),
            func.sum(case((sold, R.round_no), else_=0)).label("round_no_sum"),
            func.sum(case((sold, 1), else_=0)).label("sold_rounds"),
            func.sum(case((sold, R.bidder_count), else_=0)).label("bidders_sum"),
        )
        .select_from(R)
        .group_by(key)
        .order_by(key)
    )
    query = apply(query, f)
    if fy is not None:
        query = query.where(R.fiscal_year == fy)
    rows = list(await session.execute(query))
    labels = await _labels(session, group, [r.k for r in rows])
    out = []
    for r in rows:
        # PostgreSQL sums come back as Decimal: whole numbers here, so make them ints first.
        offered, sold_n, value, appraisal, held_n, rounds_sum, sold_rounds, bidders = (
            int(x or 0) for x in (r.offered, r.sold, r.value_sold, r.appraisal_sold, r.rounds_held,
                                  r.round_no_sum, r.sold_rounds, r.bidders_sum)
        )  # fmt: skip
        k = _plain_key(group, r.k)
        out.append({
            "key": k,
            "label": labels.get(k, {"th": str(k), "en": str(k)}),
            "offered": offered,
            "sold": sold_n,
            "sell_through": round(sold_n / offered, 4) if offered else None,
            "rounds_held": held_n,
            "suspended": int(r.suspended or 0),
            "withdrawn": int(r.withdrawn or 0),
            "value_sold": value,
            "appraisal_sold": appraisal,
            "ratio_to_appraisal": round(value / appraisal, 4) if appraisal else None,
            "avg_rounds_to_sale": round(rounds_sum / sold_rounds, 2) if sold_rounds else None,
            "avg_bidders_when_sold": round(bidders / sold_rounds, 2) if sold_rounds else None,
        })  # fmt: skip
    return out


def _plain_key(group: str, k: Any) -> Any:
    if group == "month":
        k = int(k)
        return f"{k // 100:04d}-{k % 100:02d}"
    if group in ("fy", "office", "all"):
        return int(k)
    return k


async def _labels(session: AsyncSession, group: str, keys: list[Any]) -> dict[Any, dict[str, str]]:
    if group == "all":
        return {0: {"th": "รวม", "en": "Total"}}
    if group == "fy":
        return {int(k): {"th": f"ปีงบประมาณ {int(k)}", "en": f"FY {int(k)} BE"} for k in keys}
    if group == "month":
        out = {}
        for k in keys:
            year, month = divmod(int(k), 100)
            out[f"{year:04d}-{month:02d}"] = {
                "th": f"{MONTHS_TH[month - 1]} {str(year + 543)[2:]}",
                "en": f"{MONTHS_EN[month - 1]} {year}",
            }
        return out
    if group == "type":
        return {
            k: {"th": PROPERTY_TYPES[k][0], "en": PROPERTY_TYPES[k][1]} for k in keys if k in PROPERTY_TYPES
        }
    if group == "office":
        rows = await session.scalars(select(Office).where(Office.id.in_([int(k) for k in keys])))
        return {o.id: {"th": o.name_th, "en": o.name_en} for o in rows}
    rows = await session.scalars(select(AdminArea).where(AdminArea.code.in_(keys)))
    return {a.code: {"th": a.name_th, "en": a.name_en} for a in rows}


async def totals(session: AsyncSession, f: Filters, fy: int | None = None) -> dict[str, Any]:
    """The same measures over everything the filters select (a lot offered in two months counts
    once here, though once in each month's row)."""
    rows = await compute(session, "all", f, fy)
    if rows:
        return rows[0]
    empty = {"offered": 0, "sold": 0, "rounds_held": 0, "suspended": 0, "withdrawn": 0, "value_sold": 0,
             "appraisal_sold": 0}  # fmt: skip
    return {**empty, "key": 0, "label": {"th": "รวม", "en": "Total"}, "sell_through": None,
            "ratio_to_appraisal": None, "avg_rounds_to_sale": None, "avg_bidders_when_sold": None}  # fmt: skip


CSV_COLUMNS = (
    "key", "label", "offered", "sold", "sell_through", "rounds_held", "suspended", "withdrawn", "value_sold",
    "appraisal_sold", "ratio_to_appraisal", "avg_rounds_to_sale", "avg_bidders_when_sold",
)  # fmt: skip


def to_csv(rows: list[dict[str, Any]], lang: str = "th") -> str:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([csv_cell(r["label"][lang] if c == "label" else r[c]) for c in CSV_COLUMNS])
    return buf.getvalue()


class StatsCache:
    """Statistics change only when a sale day is published, and the public record only grows
    (rows are inserted at approval, never updated or deleted), so its row count is a version:
    answers are kept per query until it moves. One count (an index count, well under a
    millisecond) instead of an aggregate over every published round (hundreds of ms at 100,000
    lots). Held per process in the app's lifespan; each process checks the version itself."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.version: int | None = None
        self.data: OrderedDict[Hashable, Any] = OrderedDict()

    async def get(self, session: AsyncSession, key: Hashable, make: Callable[[], Awaitable[Any]]) -> Any:
        version = await session.scalar(select(func.count()).select_from(R))
        if version != self.version:
            self.data.clear()
            self.version = version
        if key not in self.data:
            self.data[key] = await make()
            if len(self.data) > self.size:
                self.data.popitem(last=False)
        self.data.move_to_end(key)
        return copy.deepcopy(self.data[key])  # callers may decorate what they get
