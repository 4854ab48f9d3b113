"""The room pages' templates render what the JS reads (data-* attributes, the module) in both languages.
They are rendered directly with the context the page routes pass, so they are checked even before the
routes exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.requests import Request

from auction import i18n
from auction.web import templates

OFFICE = {"th": "สำนักงานบังคับคดีแพ่งกรุงเทพมหานคร 1", "en": "Bangkok Civil Enforcement Office 1"}


def render(name: str, lang: str) -> str:
    path = "/rooms/1/2026-11-23" if name == "room.html" else "/officer/rooms/1/2026-11-23"
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": f"lang={lang}".encode(),
        "headers": [],
    }
    ctx = i18n.context(Request(scope))
    ctx.update(office_id=1, sale_date="2026-11-23", office=OFFICE, ws_path="/ws/rooms/1/2026-11-23")
    return templates.env.get_template(name).render(ctx)


@pytest.mark.parametrize(
    ("name", "root", "module"), [("room.html", "room", "room.js"), ("console.html", "console", "console.js")]
)
def test_room_pages_carry_the_socket_path_and_load_their_module(name: str, root: str, module: str) -> None:
    html = render(name, "th")
    assert f'id="{root}"' in html
    assert 'data-ws-path="/ws/rooms/1/2026-11-23"' in html
    assert f'<script type="module" src="/static/room/{module}"></script>' in html
    assert '<link rel="stylesheet" href="/static/room/room.css">' in html
    # Thai first: BE date and the Thai office name; one polite and one assertive live region.
    assert "23/11/2569" in html and OFFICE["th"] in html
    assert html.count('aria-live="polite"') == 1 and html.count('aria-live="assertive"') == 1
    # The visual count must not be read out tick by tick.
    assert re.search(r'data-count aria-hidden="true"', html)


@pytest.mark.parametrize("name", ["room.html", "console.html"])
def test_room_pages_switch_to_english(name: str) -> None:
    html = render(name, "en")
    assert '<html lang="en">' in html
    assert "23/11/2026" in html and OFFICE["en"] in html


@pytest.mark.parametrize("name", ["room.html", "console.html"])
def test_every_room_input_has_a_label(name: str) -> None:
    html = render(name, "th")
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    assert ids, "the page has inputs"
    for input_id in ids:
        assert f'for="{input_id}"' in html, input_id


@pytest.mark.parametrize("name", ["room.html", "console.html"])
def test_every_label_the_page_asks_the_js_dictionary_for_exists_in_thai_and_english(name: str) -> None:
    source = render(name, "th")
    dictionary = (Path(__file__).resolve().parents[2] / "static/room/i18n.js").read_text(encoding="utf-8")
    keys = set(re.findall(r'data-t="([a-z0-9_]+)"', source)) | {
        f"col_{c}" for c in re.findall(r'data-col="([a-z]+)"', source)
    }
    assert keys
    for key in keys:
        assert len(re.findall(rf"^\s+{key}: ", dictionary, flags=re.M)) == 2, key
