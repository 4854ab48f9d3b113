"""OpenAPI 3 description of the search API, served at /api/openapi.json (docs/api.md is its prose).

Written as data rather than parsed from docstrings: Starlette's SchemaGenerator needs PyYAML and
describes no parameters; the error codes listed here are the stable contract clients rely on.
"""

from __future__ import annotations

from typing import Any


def _q(name: str, desc: str, typ: str = "string", required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": desc,
            "schema": {"type": typ, **extra}}  # fmt: skip


def _errors(status: int, *codes: str) -> dict[str, Any]:
    return {
        "description": "Error codes: " + ", ".join(codes),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"},
                                         "example": {"error": {"code": codes[0], "message": {"th": "…", "en": "…"}}}}},
    }  # fmt: skip


def _ok(desc: str) -> dict[str, Any]:
    return {"description": desc, "content": {"application/json": {"schema": {"type": "object"}}}}


PAGING = [
    _q("page", "Page number from 1 (Thai digits accepted)", "integer", minimum=1),
    _q("per_page", "Items per page, 1-100 (default 20)", "integer", minimum=1, maximum=100),
]
FILTERS = [
    _q("type", "LED property codes (002) or groups condo|land|house|building|leasehold, comma-separated"),
    _q("price_min", "Next round's starting price, baht, at least", "integer"),
    _q("price_max", "Next round's starting price, baht, at most", "integer"),
    _q("area_min", "Area in m², at least", "number"),
    _q("area_max", "Area in m², at most", "number"),
]
PAGING_ERRORS = ("bad_page", "bad_per_page")
FILTER_ERRORS = ("bad_property_type", "bad_price", "bad_area", "bad_range")

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "LED online auctions: search API",
        "version": "1",
        "description": "Find property at court-ordered sales by location, by red case number, and condos along "
        "the rail lines. Errors are JSON {error: {code, message: {th, en}, param?, candidates?}} with "
        "a stable code.",
    },
    "paths": {
        "/api/search/lots": {
            "get": {
                "summary": "Lots on sale by location, near a point, and filters",
                "description": "Names are matched with prefixes (อ./อำเภอ/เขต/จ./จังหวัด, Khet, Amphoe) "
                "stripped, case and spaces ignored, prefixes and typos tolerated. With a point only lots "
                "within the radius (geodesic) are returned, nearest first by default.",
                "parameters": [
                    _q("province", "Province code (10) or name in Thai or English (กรุงเทพ, Bangkok)"),
                    _q(
                        "district",
                        "District/khet code (1004) or name (เขตบางรัก, Bang Rak, อ.เมือง + province)",
                    ),
                    _q("tambon", "Subdistrict text (matched within the lot's tambon)"),
                    *FILTERS,
                    _q(
                        "date_from",
                        "Next sale date on or after (YYYY-MM-DD; a BE year is converted)",
                        format="date",
                    ),
                    _q("date_to", "Next sale date on or before", format="date"),
                    _q("office", "LED office code (LED-10-1) or id"),
                    _q("encumbrance", "free | mortgage", enum=["free", "mortgage"]),
                    _q("occupancy", "owner | tenant | unknown", enum=["owner", "tenant", "unknown"]),
                    _q("lat", "Latitude of the point (decimal degrees)", "number"),
                    _q("lon", "Longitude of the point", "number"),
                    _q("near", "lat,lon in one parameter (a tapped map point)"),
                    _q("radius", "Metres around the point, 100-50000 (default 2000)", "number"),
                    _q("sort", "date | price | -price | area | -area | distance (needs a point)"),
                    *PAGING,
                ],
                "responses": {
                    "200": _ok(
                        "items (lot summaries; distance_m with a point), total, page, per_page, "
                        "query (as understood), corrections (names read as other than typed: "
                        "param, typed, code, th, en), share_url"
                    ),
                    "400": _errors(
                        400,
                        "unknown_province",
                        "ambiguous_province",
                        "unknown_district",
                        "ambiguous_district",
                        "unknown_office",
                        *FILTER_ERRORS,
                        "bad_date",
                        "bad_encumbrance",
                        "bad_occupancy",
                        "malformed_coordinates",
                        "missing_point",
                        "radius_out_of_range",
                        "bad_sort",
                        *PAGING_ERRORS,
                    ),
                    "404": _errors(404, "page_past_end"),
                },
            }  # fmt: skip
        },
        "/api/search/areas": {
            "get": {
                "summary": "Province and district names matching what was typed (suggestions)",
                "parameters": [
                    _q("q", "What was typed", required=True),
                    _q("province", "Narrow districts to this province"),
                ],  # fmt: skip
                "responses": {
                    "200": _ok("provinces and districts: code, th, en, how (exact|prefix|substring|fuzzy)"),
                    "400": _errors(400, "missing_parameter", "unknown_province", "ambiguous_province"),
                },
            }
        },
        "/api/search/cases": {
            "get": {
                "summary": "Cases by red case number in any spelling, partial numbers, near misses",
                "description": "ผบ.1234/2563, ผบ1234/2563, ผบ 1234/63, ผบ.๑๒๓๔/๒๕๖๓ find the same case; "
                "ผบE814/2569 is e-filed. A partial number (ผบ 12, 1234/63) lists candidates "
                "(match=partial). No match: match=none, a message and suggestions (near misses).",
                "parameters": [
                    _q("q", "The red case number as typed"),
                    _q("prefix", "Prefix when typed in separate fields (ผบ)"),
                    _q("number", "Running number (separate fields)"),
                    _q("year", "Year, BE, two or four digits (separate fields)"),
                    _q("efiled", "1 when the case is e-filed (separate fields)"),
                ],
                "responses": {
                    "200": _ok(
                        "match (exact|partial|none), normalised, items (cases with lots and each "
                        "round's status), total, suggestions, message (when none)"
                    ),
                    "400": _errors(400, "missing_parameter", "malformed_case_number"),
                },
            }
        },
        "/api/search/cases/{case_id}": {
            "get": {
                "summary": "One case with all its lots and each round's status",
                "parameters": [
                    {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": _ok("case: red_number, court, office, masked parties, lots with schedule"),
                    "400": _errors(400, "malformed_id"),
                    "404": _errors(404, "case_not_found"),
                },
            }
        },
        "/api/search/transit/lines": {
            "get": {
                "summary": "Rail lines and their stations",
                "responses": {
                    "200": _ok("lines: id, th, en, color, stations (id, code, th, en, lat, lon, seq)")
                },
            }
        },
        "/api/search/transit": {
            "get": {
                "summary": "Condo units within walking distance of a rail line or station",
                "description": "Each unit comes with its nearest station on the line, the straight-line "
                "(geodesic) distance_m and walk_min, an estimate (x1.25 route factor at 80 m/min). "
                "per_station counts every unit once, at its nearest station; with a station, its "
                "entry's count is every unit within the radius and nearest_count those nearest to it "
                "(its figure in the whole line's answer).",
                "parameters": [
                    _q(
                        "line",
                        "Line id (BTS-SUK, BTS-SIL, BTS-GLD, MRT-BL, MRT-PP, MRT-YL, MRT-PK, "
                        "MRT-PK-MT, ARL, SRT-DR, SRT-LR) or its name",
                        required=True,
                    ),
                    _q("station", "Station code (E4), id or name on that line"),
                    _q(
                        "radius",
                        "Metres from the stations, 100-5000 (default 1000; the page offers 500/1000/2000)",
                        "number",
                    ),
                    _q("sort", "distance | price | -price"),
                    *FILTERS,
                    *PAGING,
                ],
                "responses": {
                    "200": _ok(
                        "line, station, radius_m, items (with nearest_station, distance_m, "
                        "walk_min), per_station, total, page, per_page, share_url"
                    ),
                    "400": _errors(
                        400,
                        "missing_parameter",
                        "unknown_line",
                        "unknown_station",
                        "radius_out_of_range",
                        "bad_sort",
                        *FILTER_ERRORS,
                        *PAGING_ERRORS,
                    ),
                    "404": _errors(404, "page_past_end"),
                },
            }  # fmt: skip
        },
    },
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {
                                "type": "object",
                                "properties": {"th": {"type": "string"}, "en": {"type": "string"}},
                            },
                            "param": {"type": "string"},
                            "candidates": {"type": "array", "items": {"type": "object"}},
                        },
                    }
                },
            }  # fmt: skip
        }
    },
}
