"""JSON/CSV API for results, statistics, closing sale days and ratings. Thin: parse, authorise,
call a service inside one unit of work, answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auction import auth, ratings, results, saleday, stats
from auction.db import utcnow
from auction.errors import ApiError
from auction.i18n import lang_of
from auction.profiles import parse_date
from auction.registration_api import guarded, read_sm, write_sm
from auction.routes import page_past_end, paging
from auction.services import parse_id

DOWNLOAD_CAP = 50_000  # rows in one download; narrow the filters for more
DOWNLOAD_PAGE = 2_000


def day_param(request: Request) -> dt.date:
    day = parse_date(request.path_params["day"])
    if day is None:
        raise ApiError(400, "bad_date", "วันที่ไม่ถูกต้อง", "The sale date is not a date", param="day")
    return day


def office_param(request: Request) -> int:
    return parse_id(request.path_params["office_id"], "office_id")


# --- public results --------------------------------------------------------------------------------


async def api_results(request: Request) -> JSONResponse:
    f = results.parse_filters(request.query_params)
    page, per_page = paging(request)
    async with read_sm(request)() as s:
        items, total = await results.search(s, f, page, per_page)
    page_past_end(page, per_page, total)
    return JSONResponse({"items": items, "page": page, "per_page": per_page, "total": total})


async def all_results(request: Request) -> list[dict[str, Any]]:
    f = results.parse_filters(request.query_params)
    async with read_sm(request)() as s:
        return await results.search_all(s, f, DOWNLOAD_CAP, DOWNLOAD_PAGE)


def attachment(body: str, name: str, media_type: str) -> Response:
    return Response(
        body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


async def api_results_csv(request: Request) -> Response:
    items = await all_results(request)
    return attachment(results.to_csv(items, lang_of(request)), "results.csv", "text/csv; charset=utf-8")


async def api_results_download(request: Request) -> Response:
    items = await all_results(request)
    body = json.dumps({"items": items, "total": len(items)}, ensure_ascii=False)
    return attachment(body, "results.json", "application/json")


# --- statistics ------------------------------------------------------------------------------------


async def stats_data(request: Request) -> dict[str, Any]:
    group = stats.parse_group(request.query_params.get("group"))
    fy = stats.parse_fy(request.query_params.get("fy"))
    f = results.parse_filters(request.query_params)

    async def make() -> dict[str, Any]:
        rows = await stats.compute(s, group, f, fy)
        total = await stats.totals(s, f, fy)
        return {"group": group, "fy": fy, "rows": rows, "totals": total}

    async with read_sm(request)() as s:
        return await request.app.state.stats_cache.get(s, (group, fy, f), make)  # type: ignore[no-any-return]


async def api_stats(request: Request) -> JSONResponse:
    return JSONResponse(await stats_data(request))


async def api_stats_csv(request: Request) -> Response:
    data = await stats_data(request)
    return attachment(stats.to_csv(data["rows"], lang_of(request)), f"stats-{data['group']}.csv",
                      "text/csv; charset=utf-8")  # fmt: skip


# --- closing a sale day (officers) -----------------------------------------------------------------


async def api_day(request: Request) -> JSONResponse:
    who = await auth.require_officer(request)
    office_id, day = office_param(request), day_param(request)
    async with read_sm(request)() as s:
        return JSONResponse(await saleday.summary(s, who, office_id, day))


def day_action(act: str) -> Any:
    async def endpoint(request: Request) -> JSONResponse:
        who = await auth.require_officer(request)
        office_id, day = office_param(request), day_param(request)
        data = await guarded(request)
        async with write_sm(request).begin() as s:
            if act == "submit":
                sd = await saleday.submit(s, who, office_id, day, utcnow())
            elif act == "approve":
                sd = await saleday.approve(s, who, office_id, day, utcnow())
            else:
                sd = await saleday.send_back(s, who, office_id, day, data.get("reason"))
            return JSONResponse(saleday.day_view(sd))

    return endpoint


async def api_outcome(request: Request) -> JSONResponse:
    who = await auth.require_officer(request)
    round_id = parse_id(request.path_params["round_id"], "round_id")
    data = await guarded(request)
    async with write_sm(request).begin() as s:
        out = await saleday.officer_outcome(s, who, round_id, data, utcnow())
    return JSONResponse({"round_id": out.round_id, "outcome": out.outcome, "lot_status": out.lot_status,
                         "next_round_id": out.next_round_id, "sale_id": out.sale_id})  # fmt: skip


# --- ratings -----------------------------------------------------------------------------------------


async def api_rate(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    data = await guarded(request)
    async with write_sm(request).begin() as s:
        r = await ratings.rate(s, who, data)
        body = {
            "id": r.id,
            "service": r.service,
            "subject_id": r.subject_id,
            "score": r.score,
            "comment": r.comment,
        }
    return JSONResponse(body, status_code=201)


async def api_my_ratings(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    async with read_sm(request)() as s:
        return JSONResponse({"items": await ratings.rateable(s, who)})


async def api_office_ratings(request: Request) -> JSONResponse:
    who = await auth.require_officer(request)
    async with read_sm(request)() as s:
        return JSONResponse(
            {"items": await ratings.office_stats(s, who), "comments": await ratings.recent_comments(s, who)}
        )


routes = [
    Route("/api/results", api_results),
    Route("/api/results.csv", api_results_csv),
    Route("/api/results.json", api_results_download),
    Route("/api/stats", api_stats),
    Route("/api/stats.csv", api_stats_csv),
    Route("/api/officer/sale-days/{office_id}/{day}", api_day),
    Route("/api/officer/sale-days/{office_id}/{day}/submit", day_action("submit"), methods=["POST"]),
    Route("/api/officer/sale-days/{office_id}/{day}/approve", day_action("approve"), methods=["POST"]),
    Route("/api/officer/sale-days/{office_id}/{day}/send-back", day_action("send_back"), methods=["POST"]),
    Route("/api/officer/rounds/{round_id}/outcome", api_outcome, methods=["POST"]),
    Route("/api/ratings", api_rate, methods=["POST"]),
    Route("/api/ratings/mine", api_my_ratings),
    Route("/api/officer/ratings", api_office_ratings),
]
