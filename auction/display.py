"""How facts read on a page: numbers with thousands separators, a lot's size in the unit people use
for it (land in rai-ngan-square wah, condos in m² with the unit and floor). Jinja filters,
registered once in auction.web, so every template says it the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def num(value: Any, decimals: int | None = None) -> str:
    """1234567 -> "1,234,567"; 35.5 -> "35.5"; 12.0 -> "12"; None or text is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value) if "." in str(value) else int(str(value))
        except ValueError:
            return str(value)
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


_UNITS = {
    "th": ("ไร่", "งาน", "ตร.วา", "ตร.ม.", "ห้องเลขที่", "ชั้น"),
    "en": ("rai", "ngan", "sq. wah", "m²", "unit", "floor"),
}


def area(lot: Mapping[str, Any], lang: str = "th") -> str:
    """A lot's size as a buyer reads it. Land: "1 ไร่ 2 งาน 35 ตร.วา"; a condo (or any lot without
    rai-ngan-wah): "35.5 ตร.ม. · ห้องเลขที่ 99/123 · ชั้น 12". Never "--"."""
    rai_u, ngan_u, wah_u, sqm_u, unit_u, floor_u = _UNITS.get(lang, _UNITS["th"])
    a = lot.get("area") or {}
    parts: list[str] = []
    if a.get("rai") is not None or a.get("ngan") is not None or a.get("wah") is not None:
        land = [f"{num(v)} {u}" for v, u in ((a.get("rai"), rai_u), (a.get("ngan"), ngan_u),
                                              (a.get("wah"), wah_u)) if v]  # fmt: skip
        parts.append(" ".join(land) or f"0 {wah_u}")
    elif a.get("sqm") is not None:
        parts.append(f"{num(a['sqm'])} {sqm_u}")
    unit, floor = lot.get("unit_number") or a.get("unit_number"), lot.get("floor") or a.get("floor")
    if unit:
        parts.append(f"{unit_u} {unit}")
    if floor:
        parts.append(f"{floor_u} {floor}")
    return " · ".join(parts) or "-"


def lot_name(x: Mapping[str, Any], lang: str = "th") -> str:
    """A lot as a person names it: case number, lot number, type, place. Never an internal id.
    x has red_number, sale_order, property_type_label ({th, en}), and optionally condo_name,
    district and province ({th, en} each) or place (text)."""

    def pick(pair: Any) -> str:
        return (pair.get(lang) or pair.get("th") or "") if isinstance(pair, Mapping) else (pair or "")

    order = ("ลำดับที่" if lang == "th" else "lot") + f" {x.get('sale_order')}"
    kind = pick(x.get("property_type_label"))
    if x.get("condo_name"):
        kind += f" {x['condo_name']}"
    sep = " " if lang == "th" else ", "  # "ห้วยขวาง กรุงเทพมหานคร", "Huai Khwang, Bangkok"
    place = x.get("place") or sep.join(p for p in (pick(x.get("district")), pick(x.get("province"))) if p)
    return " · ".join(p for p in (x.get("red_number") or "", order, kind, pick(place)) if p)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: text that a spreadsheet would read as a formula (=, +, -, @) is kept
    as text, and None is empty. Lot and case text comes from imports: it is untrusted there too."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value
