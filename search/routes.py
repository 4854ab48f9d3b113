"""Search endpoints: JSON API (documented at /api/openapi.json and docs/api.md) and mobile pages.

Every page's query lives in its URL, so a search can be shared as a link (over LINE, say).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from auction import auth, casenum, services
from auction.errors import ApiError, not_found
from auction.i18n import lang_of
from auction.routes import page_past_end, paging
from auction.security import nonce_of, public_origin
from auction.web import render
from search import cases, maps, openapi, params, queries, views
from search.queries import Reference


def _sm(request: Request) -> Any:
    return request.app.state.services.sessionmaker


async def reference(request: Request) -> Reference:
    """Loaded on first use and kept for the app's life: reference tables change only by migration."""
    ref = getattr(request.app.state, "search_reference", None)
    if ref is None:
        async with _sm(request)() as s:
            ref = await queries.load_reference(s)
        request.app.state.search_reference = ref
    return ref


def share_url(path: str, request: Request, drop: tuple[str, ...] = ("lang",)) -> str:
    q = [(k, v) for k, v in request.query_params.multi_items() if v and k not in drop]
    return path + (f"?{urlencode(q)}" if q else "")


def _render(request: Request, name: str, error: ApiError | None = None, **ctx: Any) -> Response:
    """A search page: links that change one parameter keep the rest of the query (and the language)."""

    def replace_param(key: str, value: object) -> str:
        q = [(k, v) for k, v in request.query_params.multi_items() if v and k not in (key, "page")]
        q.append((key, str(value)))
        return f"{request.url.path}?{urlencode(q)}"

    def drop_params(*keys: str) -> str:
        q = [(k, v) for k, v in request.query_params.multi_items() if v and k not in (*keys, "page")]
        return f"{request.url.path}?{urlencode(q)}"

    base_url = public_origin(request)  # never the Host header when PUBLIC_ORIGIN is configured
    return render(request, name, status_code=error.status if error else 200, error=error,
                  replace_param=replace_param, drop_params=drop_params, base_url=base_url, **ctx)  # fmt: skip


# --- location, near a point, filters ------------------------------------------------------------


async def _lots(request: Request, from_form: bool = False) -> dict[str, Any]:
    return (await _lots_with_filters(request, from_form))[0]


async def _lots_with_filters(
    request: Request, from_form: bool = False
) -> tuple[dict[str, Any], queries.LotFilters, queries.Point | None]:
    ref = await reference(request)
    q = request.query_params
    if from_form and not any(q.get(k) for k in ("lat", "lon", "near")):
        # The page's form always sends its radius select; without a point it means nothing there
        # (the API still refuses a bare radius: missing_point).
        q = QueryParams([(k, v) for k, v in q.multi_items() if k != "radius"])
    filters = views.tambon_in_thai(params.lot_filters(q, ref), ref)
    point = params.point(q)
    sort = params.sort(q, "distance" if point else "date")
    if sort == "distance" and point is None:
        raise ApiError(400, "bad_sort", "เรียงตามระยะทางได้เมื่อระบุตำแหน่ง (lat, lon)",
                       "sort=distance needs a point (lat, lon)", param="sort")  # fmt: skip
    page, per_page = paging(request)
    async with _sm(request)() as s:
        result = await queries.search_lots(s, filters, page, per_page, sort, point)
    page_past_end(page, per_page, result.total)
    found = {
        "query": views.filters_view(filters, point, sort, ref),
        "corrections": views.corrections(q, filters, ref),
        "items": [queries.hit_view(h, result.areas) for h in result.hits],
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "share_url": share_url("/search", request),
    }
    return found, filters, point


async def api_search_lots(request: Request) -> JSONResponse:
    """Lots on sale by location, near a point, and filters (paged, with a total) (see search/openapi.py)."""
    return JSONResponse(await _lots(request))


async def api_areas(request: Request) -> JSONResponse:
    """Province and district names matching what was typed (for suggestions) (see search/openapi.py)."""
    ref = await reference(request)
    text = request.query_params.get("q", "").strip()
    if not text:
        raise ApiError(400, "missing_parameter", "กรุณาพิมพ์ชื่อที่ต้องการค้นหา", "Give q", param="q")
    province = request.query_params.get("province")
    code = params.resolve_province(ref, province) if province else None
    districts = ref.districts.subset(code) if code else ref.districts
    return JSONResponse(
        {
            "provinces": [] if code else views.matches(ref.provinces.rank(text, 5)),
            "districts": views.matches(districts.rank(text, 10)),
        }
    )


# --- red case number ----------------------------------------------------------------------------


async def _case_search(request: Request) -> cases.CaseSearch:
    q = request.query_params
    text = (q.get("q") or q.get("red") or "").strip()
    if not text and q.get("number"):
        try:
            number = casenum.from_parts(q.get("prefix", ""), q.get("number", ""), q.get("year", ""),
                                        efiled=q.get("efiled") in ("1", "true", "on"))  # fmt: skip
        except casenum.CaseNumberError as exc:
            raise views.bad_case_number(str(exc)) from exc
        text = number.key
    if not text:
        raise ApiError(
            400, "missing_parameter", "กรุณาระบุหมายเลขคดีแดง", "Give a red case number (q)", param="q"
        )
    async with _sm(request)() as s:
        try:
            return await cases.find(s, casenum.parse(text))
        except casenum.CaseNumberError:
            partial = casenum.parse_partial(text)
            if partial is None or partial.number is None:
                raise views.bad_case_number(text) from None
            return await cases.find_partial(s, partial)


async def api_search_cases(request: Request) -> JSONResponse:
    """Cases by red case number, in any spelling, partial, or with near misses (see search/openapi.py)."""
    found = await _case_search(request)
    who = await auth.principal(request)
    async with _sm(request)() as s:
        out = await views.case_search_view(s, found, who)
    return JSONResponse(out)


async def api_case(request: Request) -> JSONResponse:
    """One case with all its lots and each round's status (see search/openapi.py)."""
    return JSONResponse(await _case(request))


async def _case(request: Request) -> dict[str, Any]:
    case_id = services.parse_id(request.path_params["case_id"], "case_id")
    who = await auth.principal(request)
    async with _sm(request)() as s:
        case = await cases.by_id(s, case_id)
        if case is None:
            raise not_found("คดี", "Case", "case_not_found")
        return (await services.cases_with_lots(s, [case], who.may_run_office))[0]


# --- condos along a rail line -------------------------------------------------------------------


async def api_transit_lines(request: Request) -> JSONResponse:
    """Rail lines and their stations (ids, codes, Thai/English names, coordinates, order) (see search/openapi.py)."""
    ref = await reference(request)
    return JSONResponse({"lines": [views.line_view(line) for line in ref.transit.lines.values()]})


async def _transit(request: Request) -> dict[str, Any]:
    ref = await reference(request)
    q = request.query_params
    line_q = (q.get("line") or "").strip()
    if not line_q:
        raise ApiError(400, "missing_parameter", "กรุณาเลือกสายรถไฟฟ้า", "Give a rail line (line)", param="line")
    line, candidates = ref.transit.line(line_q)
    if line is None:
        raise ApiError(400, "unknown_line", f"ไม่รู้จักสายรถไฟฟ้า “{line_q}”", f"Unknown rail line “{line_q}”",
                       param="line", candidates=[{"id": c.code, "th": c.name_th, "en": c.name_en}
                                                 for c in candidates])  # fmt: skip
    stations = line.stations
    station, nearest_here = None, None
    if station_q := (q.get("station") or "").strip():
        station, near = ref.transit.station(line, station_q)
        if station is None:
            raise ApiError(400, "unknown_station", f"ไม่พบสถานี “{station_q}” บน{line.name_th}",
                           f"No station “{station_q}” on the {line.name_en}", param="station",
                           candidates=[queries.station_view(s) for s in near])  # fmt: skip
        stations = [station]
    radius = params.transit_radius(q)
    sort = params.sort(q, "distance", ("distance", "price", "-price"))
    filters = params.lot_filters(q, ref)
    page, per_page = paging(request)
    async with _sm(request)() as s:
        if station is None:
            result = await queries.line_condos(s, stations, radius, filters, page, per_page, sort)
        else:
            result = await queries.station_condos(s, station, radius, filters, page, per_page, sort)
            # The whole line's table counts a unit at its nearest station only: say how many of
            # this station's units that is, so the two figures can be told apart.
            nearest_here = (await queries.line_condos(s, line.stations, radius, filters, 1, 1)).per_station
    page_past_end(page, per_page, result.total)
    counts = result.per_station or {}
    return {
        "line": {"id": line.id, "th": line.name_th, "en": line.name_en, "color": line.color},
        "station": queries.station_view(station) if station else None,
        "radius_m": radius,
        "sort": sort,
        "items": [queries.hit_view(h, result.areas) for h in result.hits],
        "per_station": [
            {**queries.station_view(s), "count": counts.get(s.id, 0)}
            | ({"nearest_count": (nearest_here or {}).get(s.id, 0)} if station else {})
            for s in stations
        ],
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "share_url": share_url("/search/transit", request),
    }


async def api_transit(request: Request) -> JSONResponse:
    """Condo units within walking distance of a rail line (or one of its stations) (see search/openapi.py)."""
    return JSONResponse(await _transit(request))


# --- pages ----------------------------------------------------------------------------------------


def _tiles(request: Request) -> str | None:
    url = getattr(request.app.state.settings, "map_tiles", "none")
    return None if url in ("", "none") else url


def _map(request: Request, pins: list[maps.Pin], **kw: Any) -> maps.MapParts | None:
    if not pins and not kw.get("lines") and not kw.get("tap_to_search"):
        return None
    lang = lang_of(request)
    message = "แผนที่พื้นหลังไม่พร้อมใช้งาน: แสดงเฉพาะหมุด" if lang == "th" else "Base map unavailable: pins only"
    attribution = getattr(request.app.state.settings, "map_attribution", "")
    return maps.build(pins, _tiles(request), message, nonce=nonce_of(request), attribution=attribution, **kw)


async def page_search(request: Request) -> Response:
    ref = await reference(request)
    form = views.search_form(request.query_params)
    result, error, hints = None, None, None
    if views.has_query(request.query_params):
        try:
            result, filters, point = await _lots_with_filters(request, from_form=True)
        except ApiError as exc:
            error = exc
        else:
            if result["total"] == 0:
                # Say which filter emptied the list (and what a tambon search could match) rather
                # than show an empty list with no reason.
                async with _sm(request)() as s:
                    hints = await queries.empty_hints(s, filters, point)
    lang = lang_of(request)
    pins = views.pins(result["items"], lang) if result else []
    near = result["query"]["near"] if result else None
    centre = (near["lat"], near["lon"]) if near else None
    parts = _map(request, pins, centre=centre, circle_m=near and near["radius_m"], tap_to_search=True)
    return _render(request, "search.html", error, form=form, result=result, map=parts, hints=hints, filter_labels=views.FILTER_LABELS,
                   summary=views.summary(result["query"], lang) if result else [],
                   provinces=ref.provinces.items, type_labels=views.type_labels(lang), sorts=views.SORT_LABELS,
                   offices=ref.offices)  # fmt: skip


async def page_transit(request: Request) -> Response:
    ref = await reference(request)
    result, error = None, None
    if request.query_params.get("line"):
        try:
            result = await _transit(request)
        except ApiError as exc:
            error = exc
    lang = lang_of(request)
    parts = None
    if result:
        line = ref.transit.lines[result["line"]["id"]]
        chosen = result["station"]
        parts = _map(request, views.pins(result["items"], lang), lines=[views.polyline(line, lang)],
                     centre=(chosen["lat"], chosen["lon"]) if chosen else None,
                     circle_m=result["radius_m"] if chosen else None)  # fmt: skip
    return _render(request, "transit.html", error, lines=list(ref.transit.lines.values()), result=result,
                   map=parts, radii=views.RADII, q=request.query_params)  # fmt: skip


async def page_cases(request: Request) -> Response:
    result, error = None, None
    if views.has_case_query(request.query_params):
        try:
            found = await _case_search(request)
            if found.match == "exact" and len(found.cases) == 1:
                lang = request.query_params.get("lang")
                suffix = f"?lang={lang}" if lang in ("th", "en") else ""
                return RedirectResponse(f"/cases/{found.cases[0].id}{suffix}", status_code=302)
            who = await auth.principal(request)
            async with _sm(request)() as s:
                result = await views.case_search_view(s, found, who)
        except ApiError as exc:
            error = exc
    return _render(request, "cases.html", error, result=result, q=request.query_params)


async def page_case(request: Request) -> Response:
    case = await _case(request)
    lang = lang_of(request)
    pins = views.pins(case["lots"], lang)
    return _render(request, "case.html", case=case, map=_map(request, pins))


async def lot_map(request: Request, lot: dict[str, Any]) -> maps.MapParts | None:
    """The lot page's map (wired in by auction.app so the core does not import search)."""
    return _map(request, views.pins([lot], lang_of(request), link=False))


async def api_openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi.SPEC)


routes: list[BaseRoute] = [
    Route("/api/search/lots", api_search_lots),
    Route("/api/search/areas", api_areas),
    Route("/api/search/cases", api_search_cases),
    Route("/api/search/cases/{case_id}", api_case),
    Route("/api/search/transit", api_transit),
    Route("/api/search/transit/lines", api_transit_lines),
    Route("/api/openapi.json", api_openapi),
    Route("/search", page_search),
    Route("/search/transit", page_transit),
    Route("/cases", page_cases),
    Route("/cases/{case_id}", page_case),
]
