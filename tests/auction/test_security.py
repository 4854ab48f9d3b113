"""Issue 18, the browser-facing defences: security headers with a CSP every page passes (inline code only
with the response's nonce), tiles off by default, start-up refusals, Secure cookies, the public origin."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from auction import auth, csrf
from auction.config import DEV_SECRET_KEY, ROOT, Settings
from auction.security import UnsafeSettings, check_settings, tile_source
from tests import factories as f
from tests.conftest import app_client
from tests.search.fixture import build as build_search_world

GOOD_KEY = "k" * 40
PUBLIC = [
    "/search", "/search?district=เขตบางรัก", "/search?district=Bang Rak&lang=en", "/search/transit",
    "/search/transit?line=BTS-GLD", "/cases", "/cases?q=1234", "/lots", "/results", "/stats", "/login",
    "/signup", "/rooms",
]  # fmt: skip
BUYER = ["/account", "/account/ratings"]
OFFICER = ["/officer/registrations", "/officer/refunds", "/officer/sale-day", "/officer/satisfaction"]


async def world(db) -> dict:
    """The search world (lots, cases, stations) plus a buyer and an officer with sessions."""
    w = await build_search_world(db)
    async with db.begin() as s:
        buyer = await f.make_user(s, "b1@x.test")
        officer = await f.make_user(s, "o1@x.test", role="officer", office_code="LED-10-1")
        return {"lot": w.ids["house"], "buyer": await f.login_token(s, buyer),
                "officer": await f.login_token(s, officer)}  # fmt: skip


class _Inline(HTMLParser):
    """Inline scripts and styles with their nonce, and inline event handlers (which no nonce can allow)."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[tuple[str, str | None]] = []
        self.handlers: list[str] = []
        self.style_attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "style" or (tag == "script" and "src" not in a):
            self.inline.append((tag, a.get("nonce")))
        self.handlers += [f"<{tag} {k}>" for k in a if k.startswith("on")]
        if "style" in a:
            self.style_attrs.append(f"<{tag} style={a['style']!r}>")


def assert_page_passes_csp(r, path: str) -> None:
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert re.search(rf"script-src 'self' 'nonce-{re.escape(nonce)}'(;|$)", csp), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    scan = _Inline()
    scan.feed(r.text)
    assert scan.handlers == [], (path, scan.handlers)
    assert scan.style_attrs == [], (path, scan.style_attrs)
    assert [n for _, n in scan.inline if n != nonce] == [], (path, scan.inline)


async def test_every_page_has_the_headers_and_its_inline_code_carries_the_nonce(db, client) -> None:
    w = await world(db)
    paths = [*PUBLIC, f"/lots/{w['lot']}"]
    buyer = [*BUYER, f"/lots/{w['lot']}/register"]
    seen_nonces = set()
    for who, extra in (("anon", []), ("buyer", buyer), ("officer", OFFICER)):
        client.cookies.clear()
        if who != "anon":
            client.cookies.set(auth.COOKIE, w[who])
        for path in paths + extra:
            r = await client.get(path)
            assert r.status_code == 200, (who, path, r.status_code)
            assert r.headers["content-type"].startswith("text/html")
            assert_page_passes_csp(r, path)
            seen_nonces.add(re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]).group(1))
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["referrer-policy"] == "same-origin"
            assert "geolocation=(self)" in r.headers["permissions-policy"]
            assert "strict-transport-security" not in r.headers  # plain http: no HSTS
    assert len(seen_nonces) == len(paths) * 3 + len(buyer) + len(OFFICER)  # a fresh nonce every response


async def test_json_static_and_error_responses_carry_the_headers_too(db, client) -> None:
    for path in ("/api/lots", "/static/css/site.css", "/nowhere", "/api/search/lots?page=x"):
        r = await client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path


async def test_hsts_only_when_the_request_came_over_tls(settings, db) -> None:
    async with app_client(settings) as c:
        r = await c.get("https://test/search")
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "secure" in r.headers.get("set-cookie", "secure").lower()


async def test_maps_fetch_nothing_from_another_host_by_default(db, client, monkeypatch) -> None:
    monkeypatch.delenv("MAP_TILES", raising=False)
    assert Settings.from_env().map_tiles == "none"
    assert Settings().map_tiles == "none"
    await build_search_world(db)
    r = await client.get("/search", params={"district": "เขตบางรัก"})
    assert "folium-map" in r.text and "tileLayer" not in r.text and "openstreetmap" not in r.text
    assert "img-src 'self' data:;" in r.headers["content-security-policy"]


async def test_a_named_tile_server_is_allowed_for_images_and_credited(settings, db) -> None:
    await build_search_world(db)
    osm = dataclasses.replace(settings, map_tiles="https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    async with app_client(osm) as c:
        r = await c.get("/search", params={"district": "เขตบางรัก"})
        assert (
            "img-src 'self' data: https://*.tile.openstreetmap.org;" in r.headers["content-security-policy"]
        )
        assert "tileLayer" in r.text and "openstreetmap.org/copyright" in r.text
    other = dataclasses.replace(settings, map_tiles="https://tiles.example.org/{z}/{x}/{y}.png")
    async with app_client(other) as c:
        r = await c.get("/search", params={"district": "เขตบางรัก"})
        assert "img-src 'self' data: https://tiles.example.org;" in r.headers["content-security-policy"]
        assert '"attribution": "tiles.example.org"' in r.text
    with pytest.raises(ValueError):
        tile_source("javascript:alert(1)")


def test_outside_development_a_guessable_secret_or_no_public_origin_refuses_to_start() -> None:
    prod = Settings(environment="production", secret_key=GOOD_KEY, public_origin="https://auction.example")
    check_settings(prod)
    for bad in (dataclasses.replace(prod, secret_key=DEV_SECRET_KEY), dataclasses.replace(prod, secret_key="short"),
                dataclasses.replace(prod, public_origin="")):  # fmt: skip
        with pytest.raises(UnsafeSettings):
            check_settings(bad)
    check_settings(Settings())  # development: the demo runs as it is


def test_the_environment_defaults_to_production_and_is_validated(monkeypatch) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    assert Settings.from_env().environment == "production"
    monkeypatch.setenv("ENVIRONMENT", "staging")
    with pytest.raises(ValueError):
        Settings.from_env()
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("PUBLIC_ORIGIN", "https://auction.example/path")
    with pytest.raises(ValueError):
        Settings.from_env()


def test_serve_refuses_the_development_secret_in_production(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "ENVIRONMENT": "production", "PUBLIC_ORIGIN": "https://auction.example",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}  # fmt: skip
    p = subprocess.run([sys.executable, "-m", "auction", "serve", "--port", "1"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 2 and "SECRET_KEY" in p.stderr, p.stderr
    from auction.app import create_app

    with pytest.raises(UnsafeSettings):  # `uvicorn --factory auction.app:create_app` refuses as well
        create_app(Settings(environment="production", public_origin="https://auction.example"))


async def test_session_cookie_is_secure_over_https_only(settings, db) -> None:
    body = {"email": "new@x.test", "password": "a long enough passphrase 2569"}
    async with app_client(settings) as c:
        r = await c.post("http://test/api/auth/signup", json=body)
        assert r.status_code == 202, r.text  # sign-up starts no session (docs/security.md, log-in)
        r = await c.post("http://test/api/auth/login", json=body)
        assert r.status_code == 200, r.text
        assert "secure" not in r.headers["set-cookie"].lower()
    async with app_client(settings) as c:
        r = await c.post("https://test/api/auth/login", json=body, headers={"origin": "https://test"})
        assert r.status_code == 200, r.text
        assert "; secure" in r.headers["set-cookie"].lower()


async def test_share_links_and_origin_checks_use_the_public_origin_not_the_host_header(settings, db) -> None:
    w = await world(db)
    public = dataclasses.replace(settings, public_origin="https://auction.example")
    async with app_client(public) as c:
        r = await c.get("/search", params={"district": "เขตบางรัก"}, headers={"host": "evil.example"})
        assert 'value="https://auction.example/search?district=' in r.text and "evil.example" not in r.text
        c.cookies.set(auth.COOKIE, w["buyer"])
        good = {csrf.HEADER: csrf.token_for_session(public.secret_key, w["buyer"])}
        r = await c.post("/api/auth/logout", headers={"origin": "http://test", **good})  # Host's, not ours
        assert r.status_code == 403 and r.json()["error"]["message"]["en"] == "Cross-site request refused"
        r = await c.post("/api/auth/logout", headers={"origin": "https://auction.example", **good})
        assert r.status_code == 200, r.text
    async with app_client(settings) as c:
        r = await c.get("/search", params={"district": "เขตบางรัก"})
        assert 'value="http://test/search?district=' in r.text  # development: the request's own origin


async def test_the_room_socket_checks_origin_against_the_public_origin(settings, db) -> None:
    from httpx_ws import WebSocketDisconnect, WebSocketUpgradeError, aconnect_ws

    from tests.realtime.roomkit import build as build_room
    from tests.realtime.roomkit import server

    fx = await build_room(db)
    public = dataclasses.replace(settings, public_origin="https://auction.example")
    async with server(public) as srv, srv.client() as c:
        with pytest.raises((WebSocketUpgradeError, WebSocketDisconnect)):  # the Host's origin is not ours
            async with aconnect_ws(f"http://test{fx.path}", c, headers={"origin": "http://test"}) as ws:
                await ws.receive_text()
        async with aconnect_ws(
            f"http://test{fx.path}", c, headers={"origin": "https://auction.example"}
        ) as ws:
            await ws.send_text('{"type": "ping"}')
            assert "type" in await ws.receive_text()


async def test_redirects_never_name_the_host_header(settings, db) -> None:
    # Starlette's trailing-slash redirect builds an absolute URL from the Host header.
    async with app_client(settings) as c:
        r = await c.get("/search/?lang=en", headers={"host": "evil.example"})
        assert r.status_code == 307 and r.headers["location"] == "/search?lang=en"
        r = await c.get("/", headers={"host": "evil.example"})
        assert r.headers["location"] == "/search"
    public = dataclasses.replace(settings, public_origin="https://auction.example")
    async with app_client(public) as c:
        r = await c.get("/lots/", headers={"host": "evil.example"})
        assert r.headers["location"] == "https://auction.example/lots"


async def test_only_a_trusted_proxy_may_say_the_request_came_over_https(database_url, db) -> None:
    # uvicorn alone believes X-Forwarded-Proto from 127.0.0.1: a local process could claim TLS.
    import asyncio
    import os

    import httpx

    from tests.servers import free_port, wait_port

    async def headers_with(trusted: str) -> httpx.Headers:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "ENVIRONMENT": "development",
               "TRUSTED_PROXIES": trusted, "PYTHONPATH": str(ROOT)}  # fmt: skip
        proc = subprocess.Popen([sys.executable, "-m", "auction", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            await wait_port(port)
            async with httpx.AsyncClient() as c:
                r = await c.get(
                    f"http://127.0.0.1:{port}/search?lang=en", headers={"x-forwarded-proto": "https"}
                )
                return r.headers
        finally:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 10)

    plain = await headers_with("")
    assert "strict-transport-security" not in plain and "secure" not in plain["set-cookie"].lower()
    proxied = await headers_with("127.0.0.1")
    assert "strict-transport-security" in proxied and "; secure" in proxied["set-cookie"].lower()
