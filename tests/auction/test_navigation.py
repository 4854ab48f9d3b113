"""Issue 19, finding the way: links to the live room, who is logged in, HTML error pages for
browsers, the browser's language on a first visit, help and glossary, the webfont, print."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.routing import Route

from auction import registration
from auction.app import create_app
from auction.auth import principal_of
from auction.errors import ApiError
from auction.i18n import browser_lang
from tests.auction import regkit

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ROOT = Path(__file__).resolve().parents[2]


async def confirmed_today(db) -> regkit.World:
    """A lot sold today at LED-10-1 with buyer b1 holding a bidder number for it."""
    w = await regkit.build(db, first_in_days=0)
    async with db.begin() as s:
        b1, o1 = await regkit.user(db, w.buyer), await regkit.user(db, w.officer)
        reg = await registration.register(s, principal_of(b1), w.lot, w.round1)
        await registration.confirm(s, principal_of(o1), reg.id, "cash", "R-1")
    return w


async def office_of(client, w: regkit.World) -> int:
    r = await client.get(f"/api/lots/{w.lot}")
    return r.json()["office_id"]


# --- 1. the live room is reachable ---------------------------------------------------------------


async def test_navigation_links_to_the_rooms_for_everyone(db, client) -> None:
    r = await client.get("/search", headers=HTML)
    nav = re.search(r'<nav aria-label="เมนูหลัก">(.*?)</nav>', r.text, re.S)
    assert nav and 'href="/rooms"' in nav.group(1) and 'href="/help"' in nav.group(1)
    assert 'href="/login?next=/search"' in r.text  # the public is offered a log-in, coming back after


async def test_a_buyer_with_a_bidder_number_today_is_shown_the_way_into_the_room(db, client) -> None:
    w = await confirmed_today(db)
    office = await office_of(client, w)
    room = f"/rooms/{office}/{w.sale_date.isoformat()}"
    for path in ("/search", f"/lots/{w.lot}", "/account"):
        r = await client.get(path, headers={**HTML, **w.h("buyer")})
        assert r.status_code == 200, path
        header = r.text.split("</header>")[0]
        assert f'href="{room}"' in header, f"header of {path} has no room link"
    lot = await client.get(f"/lots/{w.lot}", headers={**HTML, **w.h("buyer")})
    main = lot.text.split('<main id="main">')[1]
    assert f'href="{room}"' in main and "ห้องประมูลเปิดแล้ว" in main
    account = await client.get("/account", headers={**HTML, **w.h("buyer")})
    card = account.text.split('class="card reg')[1]
    assert f'href="{room}"' in card
    # Without a bidder number for today: no header link, but the lot still says its room is open.
    other = await client.get(f"/lots/{w.lot}?lang=en", headers={**HTML, **w.h("buyer2")})
    assert f'href="{room}"' not in other.text.split("</header>")[0]
    assert f'href="{room}"' in other.text.split('<main id="main">')[1] and "The room is open" in other.text


async def test_a_lot_sold_another_day_shows_no_room_link(db, client) -> None:
    w = await regkit.build(db, first_in_days=7)
    r = await client.get(f"/lots/{w.lot}", headers=HTML)
    assert "/rooms/" not in r.text.split('<main id="main">')[1]


async def test_an_officer_sees_the_console_of_their_office_today_only(db, client) -> None:
    w = await confirmed_today(db)
    office = await office_of(client, w)
    console = f"/officer/rooms/{office}/{w.sale_date.isoformat()}"
    mine = await client.get("/search", headers={**HTML, **w.h("officer")})
    assert f'href="{console}"' in mine.text.split("</header>")[0]
    lot = await client.get(f"/lots/{w.lot}", headers={**HTML, **w.h("officer")})
    assert f'href="{console}"' in lot.text.split('<main id="main">')[1]
    other = await client.get("/search", headers={**HTML, **w.h("other_officer")})
    assert "/officer/rooms/" not in other.text


async def test_the_header_costs_at_most_one_query_per_page(db, client) -> None:
    w = await confirmed_today(db)
    engine = Engine  # every engine: the app builds its own in the lifespan
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    async def statements(headers: dict[str, str]) -> int:
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert (await client.get("/help", headers=headers)).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    public = await statements(HTML)
    buyer = await statements({**HTML, **w.h("buyer")})
    officer = await statements({**HTML, **w.h("officer")})
    # The help page reads nothing itself: the session lookup and one header query, no more.
    assert public == 0
    assert buyer <= 2 and officer <= 2, (buyer, officer)


# --- 2. who is logged in ---------------------------------------------------------------------------


async def test_the_header_shows_who_is_logged_in_with_log_out(db, client) -> None:
    w = await regkit.build(db)
    r = await client.get("/search", headers={**HTML, **w.h("buyer")})
    header = r.text.split("</header>")[0]
    assert "b1@x.test" in header and "ผู้ซื้อ" in header
    assert 'action="/logout"' in header and 'name="csrf"' in header
    r = await client.get("/search?lang=en", headers={**HTML, **w.h("officer")})
    header = r.text.split("</header>")[0]
    assert "o1@x.test" in header and "Officer" in header
    r = await client.get("/search", headers=HTML)
    assert 'action="/logout"' not in r.text


async def test_a_display_name_is_escaped_in_the_header(db, client) -> None:
    w = await regkit.build(db)
    async with db.begin() as s:
        u = await s.get(regkit.User, w.buyer)
        u.display_name = "<script>x</script>"
    r = await client.get("/search", headers={**HTML, **w.h("buyer")})
    assert "<script>x</script>" not in r.text and "&lt;script&gt;x&lt;/script&gt;" in r.text


# --- 3. error pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "th", "en"),
    [
        ("/lots/999999", 404, "ไม่พบทรัพย์", "Lot not found"),
        ("/nope", 404, "ไม่พบหน้าที่ต้องการ", "Page not found"),
        ("/lots/abc", 400, "คำขอไม่ถูกต้อง", "Bad request"),
    ],
)
async def test_a_browser_gets_an_error_page_in_the_site_layout(db, client, path, status, th, en) -> None:
    r = await client.get(path, headers=HTML)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert '<html lang="th">' in r.text and th in r.text and 'class="top"' in r.text
    assert 'href="/search"' in r.text.split('<main id="main">')[1]
    r = await client.get(path + "?lang=en", headers=HTML)
    assert r.status_code == status and '<html lang="en">' in r.text and en in r.text


async def test_api_and_json_clients_keep_the_json_error(db, client) -> None:
    r = await client.get("/api/lots/999999", headers=HTML)
    assert r.status_code == 404 and r.json()["error"]["code"] == "lot_not_found"
    for accept in ({"accept": "application/json"}, {}):
        r = await client.get("/lots/999999", headers=accept)
        assert r.status_code == 404 and r.json()["error"]["code"] == "lot_not_found"
    r = await client.get("/nope")
    assert r.json()["error"]["code"] == "not_found"


async def test_method_not_allowed_and_forbidden_pages(db, client) -> None:
    w = await regkit.build(db)
    r = await client.post("/help", headers=HTML)
    assert r.status_code == 405 and "text/html" in r.headers["content-type"] and "ไม่รองรับ" in r.text
    r = await client.get(f"/officer/rooms/1/{w.sale_date.isoformat()}", headers={**HTML, **w.h("buyer")})
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert "เฉพาะเจ้าพนักงานบังคับคดี" in r.text and "ไม่มีสิทธิ" in r.text


@contextlib.asynccontextmanager
async def app_with(settings, *routes: Route):
    app = create_app(settings)
    app.router.routes[0:0] = list(routes)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def test_busy_and_crashed_pages_are_html_and_say_to_try_again(db, settings) -> None:
    async def busy(request):
        raise ApiError(503, "busy", "ระบบมีผู้ใช้มาก", "Busy")

    async def slow_down(request):
        raise ApiError(429, "rate_limited", "ส่งคำขอถี่เกินไป", "Too many requests")

    async def crash(request):
        raise RuntimeError("boom <b>")

    async with app_with(settings, Route("/t/busy", busy), Route("/t/429", slow_down), Route("/t/crash", crash),
                        Route("/api/t/crash", crash)) as c:  # fmt: skip
        r = await c.get("/t/busy", headers=HTML)
        assert r.status_code == 503 and "ลองใหม่" in r.text and "text/html" in r.headers["content-type"]
        r = await c.get("/t/429?lang=en", headers=HTML)
        assert r.status_code == 429 and "Too many requests" in r.text and "try again" in r.text
        c.cookies.clear()  # the ?lang=en above is remembered
        r = await c.get("/t/crash", headers=HTML)
        assert r.status_code == 500 and "ระบบขัดข้อง" in r.text and "boom" not in r.text
        assert 'class="top"' in r.text
        r = await c.get("/api/t/crash", headers=HTML)
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal"


# --- 4. the browser's language ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-US,en;q=0.9", "en"),
        ("th-TH,th;q=0.9,en;q=0.8", "th"),
        ("en;q=0.5, th;q=0.8", "th"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "en"),
        ("fr-FR", None),
        ("", None),
        ("en;q=0", None),
        ("x" * 5000, None),
    ],
)
def test_browser_language(header: str, lang: str | None) -> None:
    assert browser_lang(header) == lang


async def test_a_first_visit_follows_the_browser_until_the_visitor_switches(db, client) -> None:
    en = {**HTML, "accept-language": "en-GB,en;q=0.9"}
    r = await client.get("/help", headers=en)
    assert '<html lang="en">' in r.text and "accept-language" in r.headers.get("vary", "").lower()
    r = await client.get("/help?lang=th", headers=en)  # the switch
    assert '<html lang="th">' in r.text
    r = await client.get("/help", headers=en)  # remembered in the cookie
    assert '<html lang="th">' in r.text
    client.cookies.clear()
    r = await client.get("/help", headers=HTML)
    assert '<html lang="th">' in r.text


# --- 5. help and glossary -----------------------------------------------------------------------


async def test_help_and_glossary_in_thai_and_english(db, client) -> None:
    r = await client.get("/help", headers=HTML)
    assert r.status_code == 200
    for word in ("นัด", "หลักประกัน", "ห้องประมูล", "15 วัน", "ทุบไม้"):
        assert word in r.text, word
    assert 'href="/help/glossary"' in r.text
    g = await client.get("/help/glossary", headers=HTML)
    for term in ("หลักประกัน", "ใช้ส่วนแทน", "ติดจำนอง", "นัด", "ราคาประเมิน", "หมายเลขคดีแดง", "ป้าย"):
        assert f'id="{term}"' in g.text or term in g.text, term
    assert 'id="deposit"' in g.text and 'id="set-off"' in g.text and 'id="mortgage"' in g.text
    e = await client.get("/help/glossary?lang=en", headers=HTML)
    assert "Set-off" in e.text and "subject to mortgage" in e.text and '<html lang="en">' in e.text


async def test_the_lot_page_and_the_footer_link_to_help(db, client) -> None:
    w = await regkit.build(db)
    r = await client.get(f"/lots/{w.lot}", headers=HTML)
    main = r.text.split('<main id="main">')[1].split("</main>")[0]
    assert 'href="/help/glossary#deposit"' in main and 'href="/help"' in main
    footer = r.text.split('<footer class="foot">')[1]
    assert 'href="/help"' in footer and 'href="/help/glossary"' in footer


# --- 6. the webfont, 7. print ---------------------------------------------------------------------


async def test_the_thai_webfont_is_served_from_the_site(db, client) -> None:
    r = await client.get("/search", headers=HTML)
    assert '<link rel="stylesheet" href="/static/fonts/fonts.css">' in r.text
    css = (await client.get("/static/fonts/fonts.css")).text
    faces = re.findall(r"@font-face\s*{(.*?)}", css, re.S)
    assert len(faces) == 4 and all("font-display: swap" in f for f in faces)
    assert "http" not in css and "U+0E01-0E5B" in css
    for url in re.findall(r"url\(([^)]+)\)", css):
        assert url.endswith(".woff2")
        font = await client.get("/static/fonts/" + url.removeprefix("./"))
        assert font.status_code == 200 and font.content[:4] == b"wOF2"
    readme = (ROOT / "static" / "fonts" / "README.md").read_text(encoding="utf-8")
    assert "@fontsource/noto-sans-thai" in readme and "OFL" in readme


async def test_the_lot_page_prints_without_navigation_or_map(db, client) -> None:
    w = await regkit.build(db)
    r = await client.get(f"/lots/{w.lot}", headers=HTML)
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in r.text
    css = (await client.get("/static/css/print.css")).text
    for hidden in ("header.top", "footer.foot", ".map", ".button"):
        assert hidden in css.split("display: none")[0] or hidden in css, hidden
    assert "display: none" in css


async def test_the_room_page_does_not_link_to_itself(db, client) -> None:
    w = await confirmed_today(db)
    office = await office_of(client, w)
    room = f"/rooms/{office}/{w.sale_date.isoformat()}"
    r = await client.get(room, headers={**HTML, **w.h("buyer")})
    assert r.status_code == 200 and f'class="live" href="{room}"' not in r.text
    r = await client.get("/rooms", headers={**HTML, **w.h("buyer")})
    assert f'class="live" href="{room}"' in r.text and 'href="/help#room"' in r.text


async def test_todays_rooms_mark_the_buyers_and_link_the_officers_console(db, client) -> None:
    w = await confirmed_today(db)
    office = await office_of(client, w)
    day = w.sale_date.isoformat()
    mine = await client.get("/rooms", headers={**HTML, **w.h("buyer")})
    assert "ท่านมีหมายเลขผู้เข้าสู้ราคา" in mine.text.split('<main id="main">')[1]
    other = await client.get("/rooms", headers={**HTML, **w.h("buyer2")})
    assert "ท่านมีหมายเลขผู้เข้าสู้ราคา" not in other.text
    officer = await client.get("/rooms", headers={**HTML, **w.h("officer")})
    assert f'<a href="/officer/rooms/{office}/{day}">' in officer.text.split('<main id="main">')[1]


async def test_the_navigation_says_where_the_visitor_is(db, client) -> None:
    r = await client.get("/help/glossary", headers=HTML)
    nav = r.text.split('<nav aria-label="เมนูหลัก">')[1].split("</nav>")[0]
    assert nav.count('aria-current="page"') == 1 and '<a href="/help" aria-current="page">' in nav
