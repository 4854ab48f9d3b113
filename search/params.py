"""Query-string parameters of the search API and pages, validated into search values.

Every bad parameter is an ApiError with a stable code (docs/api.md lists them); Thai digits are
accepted in every number; names are resolved against the reference data with typo tolerance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from auction.errors import ApiError
from auction.inputs import label
from auction.services import CONDO_TYPES, PROPERTY_TYPES
from auction.thai import arabic_digits, parse_float, parse_int
from search.queries import SORTS, LotFilters, Point, Reference
from search.thai import Match
from search.transit import DEFAULT_RADIUS_M, RADIUS_RANGE_M

TYPE_GROUPS = {
    "condo": CONDO_TYPES,
    "land": ("001",),
    "house": ("003",),
    "building": ("009",),
    "leasehold": tuple(c for c, (_, en) in PROPERTY_TYPES.items() if en == "Leasehold"),
}
NEAR_RADIUS_M = (100, 50_000)
DEFAULT_NEAR_RADIUS_M = 2000
ENCUMBRANCES = ("free", "mortgage")
OCCUPANCIES = ("owner", "tenant", "unknown")
MAX_NUMBER = 10**12  # a price (baht) or an area (m²) beyond this is no lot: and stays in BIGINT


def _get(q: Mapping[str, str], name: str) -> str | None:
    value = q.get(name)
    return value.strip() if value and value.strip() else None


def _candidates(matches: list[Match]) -> list[dict[str, Any]]:
    return [{"code": m.item.code, "th": m.item.name_th, "en": m.item.name_en} for m in matches]


def resolve_province(ref: Reference, text: str) -> str:
    found, matches = ref.provinces.resolve(text)
    if found is not None:
        return found.code
    if matches:
        raise ApiError(400, "ambiguous_province", f"ชื่อจังหวัด “{text}” ตรงกับหลายจังหวัด โปรดเลือก",
                       f"Province “{text}” matches several: choose one", param="province",
                       candidates=_candidates(matches))  # fmt: skip
    raise ApiError(400, "unknown_province", f"ไม่รู้จักจังหวัด “{text}”", f"Unknown province “{text}”",
                   param="province", candidates=[])  # fmt: skip


def resolve_district(ref: Reference, text: str, province: str | None) -> str:
    index = ref.districts.subset(province) if province else ref.districts
    found, matches = index.resolve(text)
    if found is not None:
        return found.code
    if matches:
        raise ApiError(400, "ambiguous_district", f"ชื่ออำเภอ/เขต “{text}” ตรงกับหลายแห่ง โปรดเลือกหรือระบุจังหวัด",
                       f"District “{text}” matches several: choose one or give the province",
                       param="district", candidates=_candidates(matches))  # fmt: skip
    raise ApiError(400, "unknown_district", f"ไม่รู้จักอำเภอ/เขต “{text}”", f"Unknown district “{text}”",
                   param="district", candidates=[])  # fmt: skip


def _number(q: Mapping[str, str], name: str, code: str, whole: bool) -> Any:
    raw = _get(q, name)
    if raw is None:
        return None
    value = parse_int(raw) if whole else parse_float(raw)
    if value is None or value < 0 or value > MAX_NUMBER:
        kind_th, kind_en = ("จำนวนเต็ม", "a whole number") if whole else ("ตัวเลข", "a number")
        th, en = label(name)
        raise ApiError(400, code, f"{th} ต้องเป็น{kind_th}ไม่ติดลบ (ไม่เกิน {MAX_NUMBER:,})",
                       f"The {en} must be {kind_en} from 0 to {MAX_NUMBER:,}", param=name)  # fmt: skip
    return value


def _date(q: Mapping[str, str], name: str) -> dt.date | None:
    raw = _get(q, name)
    if raw is None:
        return None
    try:
        day = dt.date.fromisoformat(arabic_digits(raw))
    except ValueError:
        th, en = label(name)
        raise ApiError(400, "bad_date", f"{th} ต้องอยู่ในรูป YYYY-MM-DD (ค.ศ.)",
                       f"The {en} must be a date YYYY-MM-DD", param=name) from None  # fmt: skip
    if day.year > 2400:  # a Buddhist-era year typed into an ISO date
        day = day.replace(year=day.year - 543)
    return day


def _range(lo: Any, hi: Any, name: str) -> None:
    if lo is not None and hi is not None and lo > hi:
        th, en = label(name)
        raise ApiError(400, "bad_range", f"ค่าต่ำสุดของ{th}มากกว่าค่าสูงสุด", f"The minimum {en} is above the maximum",
                       param=name)  # fmt: skip


def _choice(q: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    raw = _get(q, name)
    if raw is None:
        return None
    if raw not in allowed:
        th, en = label(name)
        raise ApiError(400, f"bad_{name}", f"{th} ต้องเป็นหนึ่งใน {', '.join(allowed)}",
                       f"The {en} must be one of {', '.join(allowed)}", param=name)  # fmt: skip
    return raw


def types(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    out: list[str] = []
    for part in raw.split(","):
        p = arabic_digits(part.strip().lower())
        if not p:
            continue
        if p in TYPE_GROUPS:
            out.extend(TYPE_GROUPS[p])
        elif p.zfill(3) in PROPERTY_TYPES:
            out.append(p.zfill(3))
        else:
            raise ApiError(400, "bad_property_type", f"ไม่รู้จักประเภททรัพย์ “{part}”",
                           f"Unknown property type “{part}” (LED code such as 002, or one of "
                           f"{', '.join(TYPE_GROUPS)})", param="type")  # fmt: skip
    return tuple(dict.fromkeys(out))


def lot_filters(q: Mapping[str, str], ref: Reference) -> LotFilters:
    province = _get(q, "province")
    province_code = resolve_province(ref, province) if province else None
    district = _get(q, "district")
    districts = (resolve_district(ref, district, province_code),) if district else ()
    office_id = None
    if office := _get(q, "office"):
        o = ref.offices.get(office.upper()) or next(
            (o for o in ref.offices.values() if str(o.id) == arabic_digits(office)), None
        )
        if o is None:
            raise ApiError(400, "unknown_office", f"ไม่รู้จักสำนักงาน “{office}”", f"Unknown office “{office}”",
                           param="office")  # fmt: skip
        office_id = o.id
    f = LotFilters(
        province=province_code,
        districts=districts,
        tambon=_get(q, "tambon"),
        types=types(_get(q, "type")),
        price_min=_number(q, "price_min", "bad_price", True),
        price_max=_number(q, "price_max", "bad_price", True),
        area_min=_number(q, "area_min", "bad_area", False),
        area_max=_number(q, "area_max", "bad_area", False),
        date_from=_date(q, "date_from"),
        date_to=_date(q, "date_to"),
        office_id=office_id,
        encumbrance=_choice(q, "encumbrance", ENCUMBRANCES),
        occupancy=_choice(q, "occupancy", OCCUPANCIES),
    )
    _range(f.price_min, f.price_max, "price")
    _range(f.area_min, f.area_max, "area")
    _range(f.date_from, f.date_to, "date")
    return f


def radius(q: Mapping[str, str], default: int, bounds: tuple[int, int]) -> float:
    raw = _get(q, "radius")
    value = parse_float(raw) if raw is not None else float(default)
    if value is None or not bounds[0] <= value <= bounds[1]:
        raise ApiError(400, "radius_out_of_range", f"รัศมีต้องอยู่ระหว่าง {bounds[0]:,} ถึง {bounds[1]:,} เมตร",
                       f"radius must be between {bounds[0]:,} and {bounds[1]:,} metres", param="radius",
                       min=bounds[0], max=bounds[1])  # fmt: skip
    return value


def point(q: Mapping[str, str]) -> Point | None:
    """lat+lon (or `near=lat,lon` from a map tap) with a radius; None when no point was given."""
    lat_raw, lon_raw = _get(q, "lat"), _get(q, "lon")
    if near := _get(q, "near"):
        parts = near.split(",")
        if len(parts) != 2:
            raise _bad_coordinates()
        lat_raw, lon_raw = parts[0].strip(), parts[1].strip()
    if lat_raw is None and lon_raw is None:
        if _get(q, "radius") is not None:
            raise ApiError(400, "missing_point", "ระบุรัศมีแล้วแต่ไม่ได้ระบุตำแหน่ง (lat, lon)",
                           "radius given without a point (lat, lon)", param="lat")  # fmt: skip
        return None
    lat = parse_float(lat_raw) if lat_raw is not None else None
    lon = parse_float(lon_raw) if lon_raw is not None else None
    if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise _bad_coordinates()
    return Point(lat, lon, radius(q, DEFAULT_NEAR_RADIUS_M, NEAR_RADIUS_M))


def _bad_coordinates() -> ApiError:
    return ApiError(400, "malformed_coordinates", "พิกัดไม่ถูกต้อง: lat -90..90 และ lon -180..180 เป็นองศาทศนิยม",
                    "Malformed coordinates: lat -90..90 and lon -180..180 in decimal degrees",
                    param="lat")  # fmt: skip


def sort(q: Mapping[str, str], default: str, allowed: tuple[str, ...] = SORTS) -> str:
    value = _get(q, "sort") or default
    if value not in allowed:
        raise ApiError(400, "bad_sort", f"การเรียงต้องเป็นหนึ่งใน {', '.join(allowed)}",
                       f"sort must be one of {', '.join(allowed)}", param="sort")  # fmt: skip
    return value


def transit_radius(q: Mapping[str, str]) -> float:
    return radius(q, DEFAULT_RADIUS_M, RADIUS_RANGE_M)
