"""Shaping search results for the API and the pages (plain dicts, Thai and English side by side)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import geothai
from sqlalchemy.ext.asyncio import AsyncSession

from auction import auth, services
from auction.errors import ApiError
from auction.i18n import t
from auction.thai import arabic_digits
from search import cases, maps
from search.queries import LotFilters, Point, Reference
from search.thai import Match, normalise
from search.transit import RADII_M, Line

RADII = RADII_M
LOCATION_KEYS = ("province", "district", "tambon", "type", "price_min", "price_max", "area_min", "area_max",
                 "date_from", "date_to", "office", "encumbrance", "occupancy", "lat", "lon", "near",
                 "radius", "sort")  # fmt: skip


SORT_LABELS = (
    ("date", "วันขายใกล้ที่สุด", "Soonest sale"),
    ("price", "ราคาต่ำไปสูง", "Price, low to high"),
    ("-price", "ราคาสูงไปต่ำ", "Price, high to low"),
    ("area", "เนื้อที่น้อยไปมาก", "Area, small to large"),
    ("-area", "เนื้อที่มากไปน้อย", "Area, large to small"),
    ("distance", "ใกล้ที่สุด (เมื่อระบุตำแหน่ง)", "Nearest (with a point)"),
)
# A filter that emptied a search, as the page names it, and the query parameters that set it.
FILTER_LABELS = {
    "province": ("จังหวัด", "province", ("province",)),
    "district": ("อำเภอ/เขต", "district", ("district",)),
    "tambon": ("ตำบล/แขวง", "subdistrict", ("tambon",)),
    "type": ("ประเภททรัพย์", "property type", ("type",)),
    "price": ("ราคา", "price", ("price_min", "price_max")),
    "area": ("เนื้อที่", "area", ("area_min", "area_max")),
    "date": ("วันขาย", "sale date", ("date_from", "date_to")),
    "office": ("สำนักงาน", "office", ("office",)),
    "encumbrance": ("ภาระผูกพัน", "encumbrance", ("encumbrance",)),
    "occupancy": ("การครอบครอง", "occupancy", ("occupancy",)),
    "point": ("ตำแหน่งและรัศมี", "point and radius", ("lat", "lon", "near", "radius", "sort")),
}
TYPE_LABELS = {
    "condo": ("ห้องชุด / คอนโด", "Condominium"),
    "land": ("ที่ดินว่างเปล่า", "Vacant land"),
    "house": ("ที่ดินพร้อมสิ่งปลูกสร้าง", "Land with building"),
    "building": ("สิ่งปลูกสร้าง", "Building only"),
    "leasehold": ("สิทธิการเช่า", "Leasehold"),
}


def type_labels(lang: str) -> list[tuple[str, str]]:
    return [(k, th if lang == "th" else en) for k, (th, en) in TYPE_LABELS.items()]


def has_query(q: Mapping[str, str]) -> bool:
    return any(q.get(k) for k in LOCATION_KEYS)


def has_case_query(q: Mapping[str, str]) -> bool:
    return any(q.get(k) for k in ("q", "red", "number"))


def search_form(q: Mapping[str, str]) -> dict[str, str]:
    return {k: q.get(k, "") for k in (*LOCATION_KEYS, "per_page")}


def bad_case_number(detail: str) -> ApiError:
    return ApiError(400, "malformed_case_number", "หมายเลขคดีไม่ถูกต้อง เช่น ผบ.1234/2563 หรือ ผบ 1234/63",
                    f"Malformed case number, e.g. ผบ.1234/2563 or ผบ 1234/63 ({detail})",
                    param="q")  # fmt: skip


def matches(ms: list[Match]) -> list[dict[str, Any]]:
    return [{"code": m.item.code, "th": m.item.name_th, "en": m.item.name_en, "how": m.how} for m in ms]


def _area(ref: Reference, code: str) -> dict[str, str]:
    a = ref.areas.get(code)
    return {"code": code, "th": a.name_th, "en": a.name_en} if a else {"code": code}


def filters_view(f: LotFilters, point: Point | None, sort: str, ref: Reference) -> dict[str, Any]:
    """What the search understood, names resolved, so a person can see how their words were read."""
    return {
        "province": _area(ref, f.province) if f.province else None,
        "district": _area(ref, f.districts[0]) if f.districts else None,
        "tambon": f.tambon,
        "types": list(f.types),
        "price": [f.price_min, f.price_max],
        "area_sqm": [f.area_min, f.area_max],
        "next_sale": [d.isoformat() if d else None for d in (f.date_from, f.date_to)],
        "office_id": f.office_id,
        "encumbrance": f.encumbrance,
        "occupancy": f.occupancy,
        "near": {"lat": point.lat, "lon": point.lon, "radius_m": point.radius_m} if point else None,
        "sort": sort,
    }


def summary(query: dict[str, Any], lang: str) -> list[str]:
    """What was searched, in words, above the results: the form is folded away once there are
    results, and a first-time buyer should not have to open it to know what the list is."""
    th = lang == "th"
    out = []
    for key, (p_th, p_en) in (("province", ("จ.", "")), ("district", ("อ./เขต ", ""))):
        if area := query.get(key):
            out.append(f"{p_th}{area['th']}" if th else f"{p_en}{area.get('en', area['code'])}")
    if query.get("tambon"):
        out.append(f"ต./แขวง {query['tambon']}" if th else f"subdistrict {query['tambon']}")
    names = {
        services.PROPERTY_TYPES[c][0 if th else 1]
        for c in query.get("types", ())
        if c in services.PROPERTY_TYPES
    }
    out.extend(sorted(names))
    if near := query.get("near"):
        radius = f"{near['radius_m']:,.0f}"
        out.append(f"ภายใน {radius} ม. จากจุดที่เลือก" if th else f"within {radius} m of the chosen point")
    return out


def corrections(q: Mapping[str, str], f: LotFilters, ref: Reference) -> list[dict[str, str]]:
    """Names read as something other than what was typed (a typo fixed, a fragment found inside a
    name), so the page can say "showing results for Nonthaburi (you typed Nonthabri)". Exact names,
    codes, aliases and the starts of names (what a suggestion list completes) are not corrections."""
    out = []
    district = f.districts[0] if f.districts else None
    for param, code in (("province", f.province), ("district", district)):
        typed = (q.get(param) or "").strip()
        item = ref.areas.get(code or "")
        if not typed or item is None or arabic_digits(typed) == code:
            continue
        index = ref.provinces if param == "province" else ref.districts
        if param == "district" and f.province:
            index = index.subset(f.province)
        how = next((m.how for m in index.rank(typed, len(index.items)) if m.item.code == code), "fuzzy")
        if how in ("fuzzy", "substring"):
            out.append({"param": param, "typed": typed, "code": code, "th": item.name_th, "en": item.name_en})
    return out


def tambon_in_thai(f: LotFilters, ref: Reference) -> LotFilters:
    """Lots record their tambon in Thai: an English name (`Si Lom`) typed on the English page is
    read as the Thai name of that tambon in the district or province searched (DOPA's list, via
    geothai), so the English page can search by tambon too."""
    if not f.tambon or not f.tambon.isascii():
        return f
    if f.districts:
        codes: list[str] = list(f.districts)
    elif f.province:
        codes = [a.code for a in ref.areas.values() if a.parent_code == f.province]
    else:
        return f
    key = normalise(f.tambon)
    for code in codes:
        for sub in geothai.subdistricts(code):
            if normalise(sub.name_en) == key:
                return replace(f, tambon=sub.name_th)
    return f


def line_view(line: Line) -> dict[str, Any]:
    return {
        "id": line.id, "th": line.name_th, "en": line.name_en, "color": line.color,
        "stations": [{"id": s.id, "code": s.code, "th": s.name_th, "en": s.name_en, "lat": s.lat,
                      "lon": s.lon, "seq": s.seq} for s in line.stations],
    }  # fmt: skip


def polyline(line: Line, lang: str) -> maps.Polyline:
    return maps.Polyline(
        [(s.lat, s.lon) for s in line.stations], line.color, line.name_th if lang == "th" else line.name_en
    )


def pins(items: list[dict[str, Any]], lang: str, link: bool = True) -> list[maps.Pin]:
    out = []
    for item in items:
        loc = item.get("location")
        if not loc:
            continue
        label = item["property_type_label"][lang]
        if item.get("condo_name"):
            label += f" · {item['condo_name']}"
        if item.get("next_start_price"):
            label += f" · ฿{item['next_start_price']:,}"
        out.append(
            maps.Pin(
                loc["lat"],
                loc["lon"],
                loc["precision"],
                label,
                f"/lots/{item['id']}" if link else None,
                t(f"precision_{loc['precision']}", lang),
            )  # fmt: skip
        )
    return out


async def case_search_view(
    session: AsyncSession, found: cases.CaseSearch, who: auth.Principal
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "match": found.match,
        "normalised": found.normalised,
        "items": await services.cases_with_lots(session, found.cases, who.may_run_office),
        "total": found.total,
        "suggestions": [
            {"id": c.id, "red_number": c.red_key, "court": {"th": c.court.name_th, "en": c.court.name_en},
             "lots": len(c.lots)}
            for c in found.suggestions
        ],
    }  # fmt: skip
    if found.match == "none":
        key = found.normalised or ""
        out["message"] = {
            "th": f"ไม่พบคดีหมายเลขแดง {key}".strip() + (" หมายเลขที่ใกล้เคียง:" if found.suggestions else ""),
            "en": f"No case with red number {key}".strip() + (". Did you mean:" if found.suggestions else ""),
        }
    return out
