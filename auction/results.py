"""Public sale results: decided rounds of published sale days, with appraisal, prices, the number
of bidders, the winner's bidder number (never a name) and the public bid ladder.

Kept for ever and open to anyone (LED keeps ~6 months and shows no bidder counts)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import casenum
from auction.display import csv_cell
from auction.errors import ApiError
from auction.models import AdminArea, Bid, Office, PublicResult, Sale, SaleDay, SaleRound
from auction.outcomes import OUTCOMES
from auction.profiles import parse_date
from auction.services import PROPERTY_TYPES, ROUND_STATUS_LABELS
from auction.thai import parse_int

DECIDED = OUTCOMES  # a decided round has one of the outcomes auction.outcomes records
# Suspension and withdrawal reasons offered to officers; the room may record others (shown as given).
REASONS: dict[str, tuple[str, str]] = {
    "plaintiff_request": ("โจทก์ขอให้งดการขาย", "Plaintiff asked to suspend"),
    "court_order": ("ศาลมีคำสั่งงดการขาย", "Court order"),
    "improper_notice": ("แจ้งวันขายไม่ชอบ", "Improper notice of sale"),
    "party_died": ("คู่ความถึงแก่กรรม", "A party died"),
    "officer": ("เจ้าพนักงานเห็นควรงดการขาย", "Officer's decision"),
    "seizure_withdrawn": ("ถอนการยึด", "Seizure withdrawn"),
    "other": ("อื่น ๆ", "Other"),
}


@dataclass(frozen=True)
class Filters:
    office_id: int | None = None
    sale_date: dt.date | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    red_key: str | None = None
    province: str | None = None
    property_type: str | None = None
    outcome: str | None = None


def _bad(param: str, th: str, en: str) -> ApiError:
    return ApiError(400, f"bad_{param}", th, en, param=param)


def _date(params: Mapping[str, str], key: str) -> dt.date | None:
    raw = params.get(key)
    if not raw:
        return None
    day = parse_date(raw)
    if day is None:
        raise _bad(key, "วันที่ไม่ถูกต้อง เช่น 23/11/2569", f"{key} is not a date (e.g. 2026-11-23)")
    return day


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Query-string filters; every malformed value is a 400 naming the parameter."""
    office_id = None
    if params.get("office"):
        office_id = parse_int(params["office"])
        if office_id is None or not 0 < office_id < 2**31:
            raise _bad("office", "รหัสสำนักงานไม่ถูกต้อง", "office must be an office id")
    red_key = None
    if params.get("red"):
        try:
            red_key = casenum.parse(params["red"]).key
        except casenum.CaseNumberError as exc:
            raise ApiError(400, "malformed_case_number", "หมายเลขคดีไม่ถูกต้อง เช่น ผบ.1234/2563",
                           f"Malformed case number, e.g. ผบ.1234/2563 ({exc})", param="red") from exc  # fmt: skip
    province = params.get("province") or None
    if province is not None and not (len(province) == 2 and province.isdigit()):
        raise _bad("province", "รหัสจังหวัดไม่ถูกต้อง (2 หลัก)", "province must be a 2-digit province code")
    ptype = params.get("type") or None
    if ptype is not None and ptype not in PROPERTY_TYPES:
        raise _bad("type", "ประเภททรัพย์ไม่ถูกต้อง", "type must be an LED property type code such as 002")
    outcome = params.get("outcome") or None
    if outcome is not None and outcome not in DECIDED:
        raise _bad("outcome", "ผลการขายไม่ถูกต้อง", f"outcome must be one of {', '.join(DECIDED)}")
    return Filters(office_id, _date(params, "date"), _date(params, "from"), _date(params, "to"), red_key,
                   province, ptype, outcome)  # fmt: skip


def published_day() -> Any:
    """The join condition from a round to its sale day, published ones only (the public record is
    copied through it; bench/results_bench.py's baseline uses it too)."""
    return and_(
        SaleDay.office_id == SaleRound.office_id,
        SaleDay.sale_date == SaleRound.sale_date,
        SaleDay.status == "published",
    )


def apply(query: Select[Any], f: Filters) -> Select[Any]:
    """The filters as conditions on the public record (auction.public_record)."""
    conditions = []
    if f.office_id is not None:
        conditions.append(PublicResult.office_id == f.office_id)
    if f.sale_date is not None:
        conditions.append(PublicResult.sale_date == f.sale_date)
    if f.date_from is not None:
        conditions.append(PublicResult.sale_date >= f.date_from)
    if f.date_to is not None:
        conditions.append(PublicResult.sale_date <= f.date_to)
    if f.red_key is not None:
        conditions.append(PublicResult.red_key == f.red_key)
    if f.province is not None:
        conditions.append(PublicResult.province_code == f.province)
    if f.property_type is not None:
        conditions.append(PublicResult.property_type == f.property_type)
    if f.outcome is not None:
        conditions.append(PublicResult.status == f.outcome)
    return query.where(*conditions) if conditions else query


async def search(
    session: AsyncSession, f: Filters, page: int = 1, per_page: int = 20
) -> tuple[list[dict[str, Any]], int]:
    """Published rounds, newest day first: one indexed table, so a page is a short index walk and
    the total a count over narrow rows (docs/benchmarks.md, "Results and statistics")."""
    total = await session.scalar(apply(select(func.count()).select_from(PublicResult), f)) or 0
    rows = list(
        await session.scalars(
            _ordered(apply(select(PublicResult), f)).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return await views(session, rows), total


async def search_all(session: AsyncSession, f: Filters, cap: int, chunk: int) -> list[dict[str, Any]]:
    """Everything the filters select (up to `cap` rows) for a download: one ordered query, sorted
    once, then the ladders and names fetched `chunk` rows at a time (offset paging would sort the
    whole selection again for every chunk)."""
    rows = list(await session.scalars(_ordered(apply(select(PublicResult), f)).limit(cap)))
    out: list[dict[str, Any]] = []
    for i in range(0, len(rows), chunk):
        out.extend(await views(session, rows[i : i + chunk]))
    return out


def _ordered(query: Select[Any]) -> Select[Any]:
    return query.order_by(PublicResult.sale_date.desc(), PublicResult.office_id, PublicResult.red_key,
                          PublicResult.sale_order, PublicResult.round_id)  # fmt: skip


async def views(session: AsyncSession, rows: list[PublicResult]) -> list[dict[str, Any]]:
    """Rows as public records, with names of offices and areas, each round's bid ladder and the
    winner's payment status (the one thing that still changes after publication)."""
    round_ids = [r.round_id for r in rows]
    ladders: dict[int, list[dict[str, Any]]] = defaultdict(list)
    sales: dict[int, str] = {}
    if round_ids:
        bids = await session.scalars(
            select(Bid)
            .where(Bid.round_id.in_(round_ids), Bid.undone.is_(False))
            .order_by(Bid.round_id, Bid.seq)
        )
        for b in bids:
            ladders[b.round_id].append(
                {"bidder_no": b.bidder_no, "amount": b.amount, "at": b.at.isoformat(), "channel": b.channel}
            )
        sold = [r.round_id for r in rows if r.status == "sold"]
        if sold:
            sales = dict(
                (
                    await session.execute(select(Sale.round_id, Sale.status).where(Sale.round_id.in_(sold)))
                ).all()
            )  # type: ignore[arg-type]
    office_ids = {r.office_id for r in rows}
    offices = {o.id: o for o in await session.scalars(select(Office).where(Office.id.in_(office_ids)))}
    codes = {r.province_code for r in rows}
    areas = {a.code: a for a in await session.scalars(select(AdminArea).where(AdminArea.code.in_(codes)))}
    return [view(r, sales.get(r.round_id), offices, areas, ladders[r.round_id]) for r in rows]


def view(r: PublicResult, sale_status: str | None, offices: Mapping[int, Office],
         areas: Mapping[str, AdminArea], ladder: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    th, en = ROUND_STATUS_LABELS.get(r.status, (r.status, r.status))
    pth, pen = PROPERTY_TYPES.get(r.property_type, ("อื่น ๆ", "Other"))
    office = offices.get(r.office_id)
    area = areas.get(r.province_code)
    return {
        "round_id": r.round_id,
        "lot_id": r.lot_id,
        "red_number": r.red_key,
        "sale_order": r.sale_order,
        "sale_date": r.sale_date.isoformat(),
        "round_no": r.round_no,
        "office": {"id": r.office_id, "th": office.name_th if office else "", "en": office.name_en if office else ""},
        "province": {"code": r.province_code, "th": area.name_th if area else "", "en": area.name_en if area else ""},
        "property_type": r.property_type,
        "property_type_label": {"th": pth, "en": pen},
        "status": r.status,
        "status_label": {"th": th, "en": en},
        "reason_code": r.reason_code,
        "reason_label": reason_label(r.reason_code),
        "appraisal": r.appraisal,
        "start_price": r.start_price,
        "sold_price": r.sold_price,
        "ratio_to_appraisal": round(r.sold_price / r.appraisal, 4) if r.sold_price and r.appraisal else None,
        "bidder_count": r.bidder_count,
        "winner_bidder_no": r.winner_bidder_no,
        "sale_status": sale_status,  # awaiting|paid|defaulted for sold rounds
        "bids": ladder,
    }  # fmt: skip


def reason_label(code: str | None) -> dict[str, str] | None:
    if code is None:
        return None
    th, en = REASONS.get(code, (code, code))
    return {"th": th, "en": en}


CSV_COLUMNS = (
    "sale_date", "office", "red_number", "sale_order", "lot_id", "round_no", "province", "property_type",
    "status", "reason_code", "appraisal", "start_price", "sold_price", "ratio_to_appraisal", "bidder_count",
    "winner_bidder_no", "sale_status", "bids",
)  # fmt: skip


def to_csv(items: list[dict[str, Any]], lang: str = "th") -> str:
    buf = io.StringIO()
    buf.write("\ufeff")  # spreadsheet programs read the Thai names as UTF-8
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for x in items:
        writer.writerow([csv_cell(v) for v in [
            x["sale_date"], x["office"][lang], x["red_number"], x["sale_order"], x["lot_id"], x["round_no"],
            x["province"][lang], x["property_type"], x["status"], x["reason_code"] or "", x["appraisal"],
            x["start_price"], x["sold_price"] if x["sold_price"] is not None else "",
            x["ratio_to_appraisal"] if x["ratio_to_appraisal"] is not None else "",
            x["bidder_count"] if x["bidder_count"] is not None else "", x["winner_bidder_no"] or "",
            x["sale_status"] or "", " ".join(f"{b['bidder_no']}:{b['amount']}" for b in x["bids"]),
        ]])  # fmt: skip
    return buf.getvalue()


async def published_days(session: AsyncSession, limit: int = 30) -> list[dict[str, Any]]:
    """The latest published sale days, for the results page's index."""
    rows = await session.execute(
        select(SaleDay, Office)
        .join(Office, Office.id == SaleDay.office_id)
        .where(SaleDay.status == "published")
        .order_by(SaleDay.sale_date.desc(), Office.code)
        .limit(limit)
    )
    return [
        {
            "office_id": o.id,
            "office": {"th": o.name_th, "en": o.name_en},
            "sale_date": sd.sale_date.isoformat(),
        }
        for sd, o in rows
    ]
