"""Issue 18, stored XSS: a lot imported with hostile text in every text field must not run script on any
page that shows it (map pins, JSON inside scripts, attributes, plain text)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from auction.importer import TEXT_LIMITS, ImportFailed, import_csv, template_row, to_csv
from search.maps import Pin, build
from tests.search.fixture import station

# Each payload calls xss(); none of it may end up where a browser would run it.
PAYLOADS = [
    "</script><script>xss(1)</script>",
    "<img src=x onerror=xss(2)>",
    '"><svg onload=xss(3)>',
    "${xss(4)}`;xss(5);`",
    "';xss(6);'",
    "<a href=javascript:xss(7)>x</a>",
]
SHORT = "<svg onload=xss(8)>"
TEXT_FIELDS = ("black_case", "plaintiff", "defendant", "deed_type", "deed_numbers", "condo_name",
               "unit_number", "floor", "address", "tambon", "mortgagee")  # fmt: skip
# A JS string literal, double- or single-quoted (what tojson and our own scripts write).
JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            v = value or ""
            if name.startswith("on") and "xss" in v:
                self.problems.append(f"<{tag} {name}={v!r}>")
            if name in ("href", "src", "action", "formaction") and v.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={v!r}>")
        if tag in ("svg", "iframe", "object", "embed") or (tag == "img" and dict(attrs).get("src") == "x"):
            self.problems.append(f"injected <{tag}>")
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def executable_payloads(html: str, depth: int = 0) -> list[str]:
    """Where hostile text would run: an injected element or handler, or xss() outside a string literal
    in a script; strings in scripts are decoded and checked as HTML too (Leaflet innerHTMLs them)."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    problems = list(scan.problems)
    for script in scan.scripts:
        if "xss" in JS_STRING.sub('""', script):
            problems.append(f"xss() in script code: {script[:200]!r}")
        if depth < 2:
            for literal in JS_STRING.findall(script):
                if "xss" not in literal:
                    continue
                try:
                    text = json.loads(literal) if literal.startswith('"') else literal[1:-1]
                except ValueError:
                    text = literal[1:-1]
                problems += executable_payloads(str(text), depth + 1)
    return problems


def test_the_scanner_sees_folium_style_injection() -> None:
    # Guards the test itself: what folium's Tooltip wrote before the fix is reported.
    assert executable_payloads("<script>m.bindTooltip(`<div><img src=x onerror=xss(2)></div>`);</script>")
    assert executable_payloads("<script>var a = 1;</script><script>xss(1)</script>")
    assert executable_payloads('<div title=""><svg onload=xss(3)>')
    # A string Leaflet will innerHTML is safe only when its markup is escaped, not merely JSON-escaped.
    assert executable_payloads('<script>m.bindPopup("\\u003cimg src=x onerror=xss(2)\\u003e");</script>')
    assert not executable_payloads(
        '<script>m.bindPopup("\\u0026lt;img src=x onerror=xss(2)\\u0026gt;");</script>'
    )


def test_map_pins_and_lines_escape_their_text() -> None:
    for payload in PAYLOADS:
        pins = [Pin(13.7, 100.5, "exact", payload, "/lots/1", payload), Pin(13.8, 100.6, "district", payload)]
        parts = build(pins, None, "offline", tap_to_search=True)
        assert executable_payloads(str(parts.head) + str(parts.html)) == [], payload


async def _import_hostile(db) -> dict[str, int]:
    async with db() as s:
        g3 = await station(s, "BTS-GLD", "G3")
    rows = []
    for i, payload in enumerate(PAYLOADS):
        # A payload longer than its column (floor: 20) is refused by the import; a short one stands in.
        fields = {
            name: payload if len(payload) <= (TEXT_LIMITS[name] or 999) else SHORT for name in TEXT_FIELDS
        }
        rows.append(template_row(sale_order=str(i + 1), red_case="ผบ.4321/2563", district_code="1018",
                                 lat=str(g3.lat + 0.001), lon=str(g3.lon), **fields))  # fmt: skip
    rows.append(template_row(sale_order="99", red_case="ผบ.4321/2563", district_code="1018", lat="", lon="",
                             geo_precision="", property_type="003", condo_name=PAYLOADS[1]))  # fmt: skip
    async with db.begin() as s:
        report = await import_csv(s, to_csv(rows))
    assert report.lots == len(PAYLOADS) + 1
    async with db() as s:
        from sqlalchemy import select

        from auction.models import Case, Lot

        case_id = await s.scalar(select(Case.id))
        lot_ids = list(await s.scalars(select(Lot.id).order_by(Lot.sale_order)))
    return {"case": case_id, "first": lot_ids[0], "last": lot_ids[-1]}


async def test_hostile_lot_text_never_runs_on_any_page(db, client) -> None:
    ids = await _import_hostile(db)
    pages = [
        f"/lots/{ids['first']}", f"/lots/{ids['last']}", f"/lots/{ids['first']}?lang=en", "/lots",
        "/search?district=เขตคลองสาน", "/search?district=Khlong San&lang=en", "/search?province=10",
        "/search/transit?line=BTS-GLD", "/search/transit?line=BTS-GLD&station=G3&lang=en",
        f"/cases/{ids['case']}", "/cases?q=ผบ 4321/63", "/cases?q=4321", "/results", "/stats",
    ]  # fmt: skip
    for path in pages:
        r = await client.get(path)
        assert r.status_code in (200, 302), (path, r.status_code)
        if r.status_code == 302:
            r = await client.get(r.headers["location"])
        assert executable_payloads(r.text) == [], path
    r = await client.get("/search", params={"district": "เขตคลองสาน"})
    assert "folium-map" in r.text and "xss" in r.text  # the map and the hostile names are on the page


async def test_text_longer_than_its_column_is_refused_by_line_not_a_server_error(db) -> None:
    # On PostgreSQL the insert failed as a whole (value too long for varchar): a 500 for the officer.
    rows = [
        template_row(),
        template_row(sale_order="2", floor="1" * 21),
        template_row(sale_order="3", condo_name="x" * 201),
    ]
    with pytest.raises(ImportFailed) as err:
        async with db.begin() as s:
            await import_csv(s, to_csv(rows))
    assert err.value.report.errors == [(3, "floor is longer than 20 characters"),
                                       (4, "condo_name is longer than 200 characters")]  # fmt: skip
