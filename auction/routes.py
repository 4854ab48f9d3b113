"""Thin endpoints for the core: lots and cases (JSON API and mobile pages)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from auction import auth, buyer_guide, health, services
from auction.errors import ApiError
from auction.thai import parse_int
from auction.web import render

MAX_PER_PAGE = 100
MAX_PAGE = 100_000


def paging(request: Request, default_per_page: int = 20) -> tuple[int, int]:
    """page/per_page from the query string; Thai digits accepted; bad values are a 400."""
    page = parse_int(request.query_params.get("page", "1"))
    per_page = parse_int(request.query_params.get("per_page", str(default_per_page)))
    # A page beyond MAX_PAGE is past any result, and its OFFSET would overflow on PostgreSQL (a 500).
    if page is None or not 1 <= page <= MAX_PAGE:
        raise ApiError(400, "bad_page", "หมายเลขหน้าไม่ถูกต้อง", "page must be a whole number >= 1", param="page")
    if per_page is None or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(
            400, "bad_per_page", f"จำนวนต่อหน้าต้องอยู่ระหว่าง 1 ถึง {MAX_PER_PAGE}",
            f"per_page must be between 1 and {MAX_PER_PAGE}", param="per_page",
        )  # fmt: skip
    return page, per_page


def page_past_end(page: int, per_page: int, total: int) -> None:
    if page > 1 and (page - 1) * per_page >= total:
        raise ApiError(
            404, "page_past_end", "เกินหน้าสุดท้ายของผลลัพธ์", "page is past the end of the results",
            param="page", total=total,
        )  # fmt: skip


def _sm(request: Request) -> Any:
    return request.app.state.services.sessionmaker


async def api_lots(request: Request) -> JSONResponse:
    page, per_page = paging(request)
    province = request.query_params.get("province") or None
    async with _sm(request)() as s:
        lots, total = await services.list_lots(s, page, per_page, province)
        areas = await services.area_names(
            s, {c for lot in lots for c in (lot.province_code, lot.district_code)}
        )
    page_past_end(page, per_page, total)
    return JSONResponse(
        {
            "items": [services.lot_summary(lot, areas) for lot in lots],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )


async def _lot_detail(request: Request) -> dict[str, Any]:
    lot_id = services.parse_id(request.path_params["lot_id"], "lot_id")
    who = await auth.principal(request)
    async with _sm(request)() as s:
        lot = await services.get_lot(s, lot_id)
        areas = await services.area_names(s, {lot.province_code, lot.district_code})
        stations = await services.lot_stations(s, lot.id)
    return {
        **services.lot_detail(lot, areas, officer=who.may_run_office(lot.office_id)),
        "stations": stations,
    }


async def api_lot(request: Request) -> JSONResponse:
    return JSONResponse(await _lot_detail(request))


async def _cases(request: Request) -> list[dict[str, Any]]:
    red = request.query_params.get("red")
    if not red:
        raise ApiError(400, "missing_parameter", "กรุณาระบุหมายเลขคดีแดง", "Give a red case number", param="red")
    who = await auth.principal(request)
    async with _sm(request)() as s:
        cases = await services.find_cases(s, red)
        return await services.cases_with_lots(s, cases, who.may_run_office)


async def api_cases(request: Request) -> JSONResponse:
    cases = await _cases(request)
    return JSONResponse({"normalised": cases[0]["red_number"], "items": cases})


async def page_home(request: Request) -> Response:
    return RedirectResponse(
        "/search" + (f"?{request.url.query}" if request.url.query else ""), status_code=302
    )


async def page_lots(request: Request) -> Response:
    page, per_page = paging(request)
    async with _sm(request)() as s:
        lots, total = await services.list_lots(s, page, per_page)
        areas = await services.area_names(
            s, {c for lot in lots for c in (lot.province_code, lot.district_code)}
        )
    return render(
        request, "lots.html", lots=[services.lot_summary(x, areas) for x in lots], total=total, page=page,
        per_page=per_page,
    )  # fmt: skip


async def page_lot(request: Request) -> Response:
    lot = await _lot_detail(request)
    if lot["closed"] and lot["status"] == "sold":
        who = await auth.principal(request)
        async with _sm(request)() as s:
            lot["my_sale_id"] = await buyer_guide.my_sale_id(s, lot["id"], who.user_id)
    make_map = getattr(request.app.state, "lot_map", None)  # set by auction.app (search.routes)
    parts = await make_map(request, lot) if make_map else None
    return render(request, "lot.html", lot=lot, map_head=parts and parts.head, map_html=parts and parts.html)


routes = [
    Route("/", page_home),
    Route("/healthz", health.healthz),
    Route("/readyz", health.readyz),
    Route("/api/lots", api_lots),
    Route("/api/lots/{lot_id}", api_lot),
    Route("/api/cases", api_cases),
    Route("/lots", page_lots),
    Route("/lots/{lot_id}", page_lot),
]
