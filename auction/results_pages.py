"""Pages for results, statistics, closing the sale day and ratings. Forms post here and call the
same services as the JSON API inside one unit of work, then redirect (303) with a note, or show
the page again with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auction import auth, buyer_guide, charts, ratings, results, saleday
from auction.db import utcnow
from auction.errors import ApiError
from auction.i18n import lang_of
from auction.models import AdminArea, Office
from auction.profiles import parse_date
from auction.registration import today
from auction.registration_api import read_sm, write_sm
from auction.registration_pages import (
    error_text,
    officer_or_refusal,
    page,
    posted,
    refusal,
    see_other,
    to_login,
)
from auction.results_api import stats_data
from auction.routes import paging
from auction.services import PROPERTY_TYPES, parse_id
from auction.thai import fiscal_year_be

PERCENT = "{:.0%}".format


async def choices(request: Request) -> dict[str, Any]:
    """Offices, provinces and property types for the filter selects."""
    async with read_sm(request)() as s:
        offices = list(await s.scalars(select(Office).order_by(Office.province_code, Office.code)))
        provinces = list(
            await s.scalars(
                select(AdminArea).where(AdminArea.level == "province").order_by(AdminArea.name_th)
            )
        )
    types = {
        code: pair for code, pair in PROPERTY_TYPES.items() if code in ("001", "002", "003", "004", "009")
    }
    types["005"] = PROPERTY_TYPES["005"]
    return {"offices": offices, "provinces": provinces, "types": types}


def query_without(request: Request, *drop: str) -> str:
    return urlencode({k: v for k, v in request.query_params.items() if k not in drop and v})


# --- public results and statistics -------------------------------------------------------------------


async def results_page(request: Request) -> Response:
    try:
        f = results.parse_filters(request.query_params)
        pg, per_page = paging(request)
    except ApiError as exc:
        return page(request, "results.html", exc.status, error=error_text(request, exc), items=[], total=0, my_sales={},
                    page=1, per_page=20, days=[], q={}, base="", dl="", **await choices(request))  # fmt: skip
    async with read_sm(request)() as s:
        items, total = await results.search(s, f, pg, per_page)
        days = await results.published_days(s, 12) if not request.query_params else []
        who = await auth.principal(request)
        my_sales = await buyer_guide.my_sales_of_rounds(s, [x["round_id"] for x in items], who.user_id)
    return page(request, "results.html", items=items, total=total, page=pg, per_page=per_page, days=days,
                my_sales=my_sales,
                q=dict(request.query_params), base=query_without(request, "page"),
                dl=query_without(request, "page", "per_page", "lang"), **await choices(request))  # fmt: skip


async def stats_page(request: Request) -> Response:
    lang = lang_of(request)
    try:
        data = await stats_data(request)
    except ApiError as exc:
        return page(request, "stats.html", exc.status, error=error_text(request, exc), data=None, q={},
                    dl="", fys=[], **await choices(request))  # fmt: skip
    rows = data["rows"]
    labels = [r["label"][lang] for r in rows]
    th = lang == "th"
    volume = [
        ("นำออกขาย" if th else "Offered", [r["offered"] for r in rows]),
        ("ขายได้" if th else "Sold", [r["sold"] for r in rows]),
    ]
    value = [
        ("ราคาประเมิน" if th else "Appraisal", [r["appraisal_sold"] / 1e6 for r in rows]),
        ("ราคาที่ขายได้" if th else "Sold for", [r["value_sold"] / 1e6 for r in rows]),
    ]
    million = "(ล้านบาท)" if th else "(฿ million)"
    # Time runs left to right in columns; categories (up to 80 offices) read better as rows.
    draw = charts.columns if data["group"] in ("fy", "month") else charts.hbars
    figures = {
        "volume": draw("จำนวนทรัพย์ที่นำออกขายและขายได้" if th else "Lots offered and sold", labels, volume),
        "value": draw(f"{'มูลค่าที่ขายได้เทียบราคาประเมิน' if th else 'Value sold vs appraisal'} {million}", labels,
                      value, fmt=lambda v: f"{v:,.0f}" if v >= 10 else f"{v:,.1f}"),
        "through": charts.bars("อัตราการขายได้" if th else "Sell-through rate", labels,
                               [r["sell_through"] for r in rows], max_value=1),
        "ratio": charts.bars("ราคาขายต่อราคาประเมิน" if th else "Price to appraisal", labels,
                             [r["ratio_to_appraisal"] for r in rows], max_value=1.5),
    }  # fmt: skip
    this_fy = fiscal_year_be(today())
    # Rows count distinct lots per group, the headline distinct lots overall: say by how many the
    # rows exceed it rather than leave a reader to find two figures that do not add up.
    repeated = sum(r["offered"] for r in rows) - data["totals"]["offered"]
    return page(request, "stats.html", data=data, figures=figures, q=dict(request.query_params), repeated=repeated,
                dl=query_without(request, "lang"), fys=list(range(this_fy, this_fy - 6, -1)), percent=PERCENT,
                **await choices(request))  # fmt: skip


# --- closing the sale day (officers) -------------------------------------------------------------------


def _day_of(request: Request) -> dt.date:
    raw = request.query_params.get("date") or request.path_params.get("day")
    if not raw:
        return today()
    day = parse_date(raw)
    if day is None:
        raise ApiError(400, "bad_date", "วันที่ไม่ถูกต้อง", "Not a date", param="date")
    return day


async def sale_day_page(request: Request, error: ApiError | None = None) -> Response:
    who = await officer_or_refusal(request)
    if isinstance(who, Response):
        return who
    try:
        day = _day_of(request)
        office_id = parse_id(request.query_params.get("office") or str(who.office_id or ""), "office")
        async with read_sm(request)() as s:
            summary = await saleday.summary(s, who, office_id, day)
    except ApiError as exc:
        return refusal(request, exc)
    return page(request, "officer_sale_day.html", error.status if error else 200, s=summary, day=day,
                office_id=office_id, reasons=saleday.REASONS, error=error_text(request, error) if error else None,
                done=request.query_params.get("done"), me=who.user_id)  # fmt: skip


def day_post(action: str) -> Any:
    async def endpoint(request: Request) -> Response:
        who = await officer_or_refusal(request)
        if isinstance(who, Response):
            return who

        async def ok(data: dict[str, Any]) -> Response:
            office_id = parse_id(str(data.get("office") or ""), "office")
            day = parse_date(str(data.get("date") or ""))
            if day is None:
                raise ApiError(400, "bad_date", "วันที่ไม่ถูกต้อง", "Not a date", param="date")
            async with write_sm(request).begin() as s:
                if action == "outcome":
                    await saleday.officer_outcome(s, who, parse_id(str(data.get("round_id") or ""), "round_id"),
                                                  data, utcnow())  # fmt: skip
                elif action == "submit":
                    await saleday.submit(s, who, office_id, day, utcnow())
                elif action == "approve":
                    await saleday.approve(s, who, office_id, day, utcnow())
                else:
                    await saleday.send_back(s, who, office_id, day, data.get("reason"))
            return see_other("/officer/sale-day?" + urlencode({"office": office_id, "date": day.isoformat(),
                                                               "done": action}))  # fmt: skip

        async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
            request.scope["query_string"] = urlencode(
                {"office": data.get("office", ""), "date": data.get("date", "")}
            ).encode()
            return await sale_day_page(request, exc)

        return await posted(request, ok, failed)

    return endpoint


# --- ratings -----------------------------------------------------------------------------------------


async def my_ratings_page(request: Request, error: ApiError | None = None) -> Response:
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)
    async with read_sm(request)() as s:
        items = await ratings.rateable(s, who)
    return page(request, "account_ratings.html", error.status if error else 200, items=items,
                error=error_text(request, error) if error else None, done=request.query_params.get("done"))  # fmt: skip


async def rate_post(request: Request) -> Response:
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)

    async def ok(data: dict[str, Any]) -> Response:
        async with write_sm(request).begin() as s:
            await ratings.rate(s, who, data)
        return see_other("/account/ratings?done=1")

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        return await my_ratings_page(request, exc)

    return await posted(request, ok, failed)


async def satisfaction_page(request: Request) -> Response:
    who = await officer_or_refusal(request)
    if isinstance(who, Response):
        return who
    async with read_sm(request)() as s:
        items = await ratings.office_stats(s, who)
        comments = await ratings.recent_comments(s, who)
    lang = lang_of(request)
    chart = charts.bars(
        "คะแนนความพึงพอใจเฉลี่ย (เต็ม 5)" if lang == "th" else "Mean satisfaction (out of 5)",
        [f"{x['office'][lang]} · {x['label'][lang]}" for x in items], [x["mean"] for x in items],
        fmt=lambda v: f"{v:.2f}", max_value=5,
    )  # fmt: skip
    return page(request, "officer_satisfaction.html", items=items, comments=comments, chart=chart)


routes = [
    Route("/results", results_page),
    Route("/stats", stats_page),
    Route("/officer/sale-day", sale_day_page),
    Route("/officer/sale-day/outcome", day_post("outcome"), methods=["POST"]),
    Route("/officer/sale-day/submit", day_post("submit"), methods=["POST"]),
    Route("/officer/sale-day/approve", day_post("approve"), methods=["POST"]),
    Route("/officer/sale-day/send-back", day_post("send_back"), methods=["POST"]),
    Route("/account/ratings", my_ratings_page),
    Route("/account/ratings/rate", rate_post, methods=["POST"]),
    Route("/officer/satisfaction", satisfaction_page),
]
