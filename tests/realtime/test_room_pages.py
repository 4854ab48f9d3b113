"""The room's two pages served by the app: who may open which, and that they load their modules."""

from __future__ import annotations

from tests.realtime import roomkit as rk

DAY = rk.DAY.isoformat()


def bearer(fx: rk.Fixture, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {fx.tokens[who]}"}


async def test_anyone_may_watch_the_bidders_room(db, client) -> None:
    fx = await rk.build(db, bidders=1, lots=1)
    r = await client.get(f"/rooms/{fx.office_id}/{DAY}")
    assert r.status_code == 200
    assert f'data-ws-path="/ws/rooms/{fx.office_id}/{DAY}"' in r.text
    assert '<script type="module" src="/static/room/room.js"></script>' in r.text
    en = await client.get(f"/rooms/{fx.office_id}/{DAY}?lang=en")
    assert '<html lang="en">' in en.text


async def test_only_officers_of_the_office_get_the_console(db, client) -> None:
    fx = await rk.build(db, bidders=1, lots=1)
    url = f"/officer/rooms/{fx.office_id}/{DAY}"
    anonymous = await client.get(url)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/login?next=")
    assert (await client.get(url, headers=bearer(fx, "b1"))).status_code == 403
    assert (await client.get(url, headers=bearer(fx, "other_officer"))).status_code == 403
    ok = await client.get(url, headers=bearer(fx, "officer"))
    assert ok.status_code == 200
    assert '<script type="module" src="/static/room/console.js"></script>' in ok.text


async def test_room_modules_are_served_as_javascript(client) -> None:
    for name in (
        "room.js",
        "console.js",
        "state.js",
        "socket.js",
        "rules.js",
        "i18n.js",
        "dom.js",
        "panels.js",
    ):
        r = await client.get(f"/static/room/{name}")
        assert r.status_code == 200, name
        assert "javascript" in r.headers["content-type"], name
    assert (await client.get("/static/room/room.css")).status_code == 200


async def test_malformed_room_address_is_a_client_error(client) -> None:
    assert (await client.get("/rooms/1/2026-13-40")).status_code == 400
    assert (await client.get("/rooms/abc/2026-11-23")).status_code in (400, 404)
