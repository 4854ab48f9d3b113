"""Browser-facing defences (issue 18): security headers with a per-response CSP nonce, the public
origin that absolute URLs and origin checks use, and the settings a non-development server refuses
to start without. docs/security.md explains each choice."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auction.config import DEV_SECRET_KEY, Settings

MIN_SECRET_LEN = 32
HSTS = "max-age=31536000; includeSubDomains"
# "near me" on /search asks for the position; nothing else on the site needs a device feature.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


class UnsafeSettings(RuntimeError):
    """Raised at start-up: the server must not run like this outside development."""


def check_settings(settings: Settings) -> None:
    """Refuse to start outside development with a guessable SECRET_KEY (anyone could forge CSRF
    tokens) or without PUBLIC_ORIGIN (share links and origin checks would trust the Host header)."""
    if settings.environment == "development":
        return
    problems = []
    if settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key) < MIN_SECRET_LEN:
        problems.append(f"SECRET_KEY is the development value or shorter than {MIN_SECRET_LEN} characters")
    if not settings.public_origin:
        problems.append("PUBLIC_ORIGIN is not set (e.g. https://auction.example.go.th)")
    if problems:
        raise UnsafeSettings(
            f"refusing to start with ENVIRONMENT={settings.environment}: " + "; ".join(problems)
            + " (ENVIRONMENT=development for a local demo)"
        )  # fmt: skip


def public_origin(conn: HTTPConnection) -> str:
    """The origin for absolute URLs and for Origin checks: the configured one, never the Host header
    when one is configured (a forged Host would otherwise land in share links)."""
    configured = conn.app.state.settings.public_origin
    if configured:
        return str(configured)
    return f"{conn.url.scheme}://{conn.url.netloc}"


def same_origin(conn: HTTPConnection, origin: str) -> bool:
    """An Origin header against this site's origin (the scheme of ws:// counts as http://)."""
    mine = urlsplit(public_origin(conn))
    theirs = urlsplit(origin)
    scheme = {"ws": "http", "wss": "https"}
    return (scheme.get(theirs.scheme, theirs.scheme), theirs.netloc.lower()) == (
        scheme.get(mine.scheme, mine.scheme), mine.netloc.lower()
    )  # fmt: skip


def cookie_secure(conn: HTTPConnection) -> bool:
    """Secure when the request came over https: uvicorn sets the scheme from TLS, or from
    X-Forwarded-Proto only for TRUSTED_PROXIES (auction serve); SECURE_COOKIES=1 forces it."""
    return bool(conn.app.state.settings.secure_cookies) or conn.url.scheme in ("https", "wss")


def tile_source(tiles_url: str | None) -> str | None:
    """The CSP source of a tile server: 'https://{s}.tile.example.org/{z}/...' -> 'https://*.tile.example.org'."""
    if not tiles_url or tiles_url == "none":
        return None
    parts = urlsplit(tiles_url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or "{" in host:
        raise ValueError(f"MAP_TILES must be an http(s) URL template or 'none', got {tiles_url!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(nonce: str, tiles: str | None) -> str:
    img = "img-src 'self' data:" + (f" {tiles}" if tiles else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            img,
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def nonce_of(conn: HTTPConnection) -> str:
    """This response's CSP nonce, for inline <script nonce> and <style nonce> ('' outside the middleware)."""
    return str(conn.scope.get("state", {}).get("csp_nonce", ""))


class SecurityHeaders:
    """Pure ASGI (sockets pass untouched): a fresh nonce per HTTP request, the headers on every response."""

    def __init__(self, app: ASGIApp, tiles: str | None = None, public_origin: str = "") -> None:
        self.app = app
        self.tiles = tile_source(tiles)
        self.public_origin = public_origin

    def _location(self, location: str, scope: Scope) -> str:
        """Starlette's trailing-slash redirect (and any URL built from the request) names the Host
        header's origin: answer with the public origin, or a path, never a host the client chose."""
        host = Headers(scope=scope).get("host", "")
        own = f"{scope.get('scheme', 'http')}://{host}"
        if host and (location == own or location.startswith(own + "/") or location.startswith(own + "?")):
            return self.public_origin + (location[len(own) :] or "/")
        return location

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        tls = scope.get("scheme") == "https"
        csp = content_security_policy(nonce, self.tiles)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "location" in headers:
                    headers["location"] = self._location(headers["location"], scope)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for old browsers
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if tls:  # over plain http the header is ignored, and a dev box must not pin itself to TLS
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
