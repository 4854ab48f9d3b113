"""Accounts, sessions and roles: argon2 password hashes, server-side sessions that survive restarts.

A session is a random token in an HttpOnly cookie; only its SHA-256 is stored, so a database leak
does not hand out live sessions. Roles: public (no session), buyer, officer (of one office), admin.
A session ends after SESSION_DAYS, after Settings.session_idle_minutes without a request, and when
its user's session_version moves on (log out everywhere, password change or reset).
Password hashing runs in HashPool, off the event loop (docs/security.md, log-in and accounts).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from auction import rules
from auction.db import utcnow
from auction.errors import ApiError
from auction.models import User, UserSession

COOKIE = "sid"
SESSION_DAYS = 30
# A session's last_seen_at is written at most this often: idle expiry without a write per request.
TOUCH_EVERY = dt.timedelta(seconds=60)
_hasher = PasswordHasher()
log = logging.getLogger("auction.auth")
T = TypeVar("T")


@dataclass(frozen=True)
class Principal:
    """Who is asking. `user_id` None means the public."""

    user_id: int | None = None
    role: str = "public"  # public|buyer|officer|admin
    office_id: int | None = None
    is_led_staff: bool = False
    barred_until: dt.date | None = None
    email: str = ""
    display_name: str = ""
    email_verified: bool = False

    @property
    def is_officer(self) -> bool:
        return self.role in ("officer", "admin")

    def may_run_office(self, office_id: int) -> bool:
        return self.role == "admin" or (self.role == "officer" and self.office_id == office_id)


PUBLIC = Principal()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    """Verified when the account does not exist, so that a log-in for an unknown e-mail costs the
    same argon2 work as a wrong password (no timing oracle for "is this e-mail registered?")."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify_or_dummy(stored: str | None, password: str) -> bool:
    return verify_password(stored or _dummy_hash(), password)  # in the pool's thread, even the first dummy


class HashPool:
    """argon2 off the event loop (each hash or check is ~100 ms of CPU; argon2-cffi releases the
    GIL, so threads run it in parallel with the loop). Bounded twice: `workers` threads, and at most
    `queue` more calls waiting; beyond that the caller is told 503 at once instead of queueing
    behind a burst of log-ins while the room's pings wait."""

    def __init__(self, workers: int = 2, queue: int = 16) -> None:
        self._executor = ThreadPoolExecutor(max(1, workers), thread_name_prefix="argon2")
        self._limit = max(1, workers) + max(0, queue)
        self.in_flight = 0

    def _release(self) -> None:
        self.in_flight -= 1

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.in_flight >= self._limit:
            raise ApiError(503, "busy", "ระบบมีผู้ใช้งานมาก กรุณาลองใหม่อีกครั้งในอีกสักครู่",
                           "The service is busy; please try again in a moment", retry_after=2)  # fmt: skip
        loop = asyncio.get_running_loop()
        self.in_flight += 1
        future = self._executor.submit(fn, *args)

        def done(_f: Any) -> None:
            # The slot is freed when the thread finishes, even if the request was cancelled meanwhile.
            try:
                loop.call_soon_threadsafe(self._release)
            except RuntimeError:  # the loop is gone (shutdown)
                pass

        future.add_done_callback(done)
        return await asyncio.wrap_future(future)

    async def hash(self, password: str) -> str:
        return await self.run(hash_password, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        ok = await self.run(_verify_or_dummy, stored, password)
        return ok and stored is not None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        role=user.role,
        office_id=user.office_id,
        is_led_staff=user.is_led_staff or user.role in ("officer", "admin"),
        barred_until=user.barred_until,
        email=user.email,
        display_name=user.display_name,
        email_verified=user.email_verified_at is not None,
    )


def person_of(who: Principal | User | None) -> rules.Person:
    """What the eligibility rules (rules.eligibility_problem) look at, from an account or a principal."""
    if isinstance(who, User):
        who = principal_of(who)
    if who is None:
        who = Principal()
    return rules.Person(who.role, who.is_led_staff, who.barred_until, who.user_id)


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    role: str = "buyer",
    office_id: int | None = None,
    display_name: str = "",
    is_led_staff: bool = False,
    password_hash: str | None = None,
) -> User:
    """`password_hash` when the caller hashed it already (in HashPool, off the loop)."""
    email = email.strip().lower()
    if await session.scalar(select(User.id).where(User.email == email)):
        raise ApiError(409, "email_taken", "อีเมลนี้ลงทะเบียนแล้ว", "This email is already registered")
    user = User(
        email=email,
        password_hash=password_hash or hash_password(password),
        role=role,
        office_id=office_id,
        display_name=display_name,
        is_led_staff=is_led_staff or role in ("officer", "admin"),
    )
    session.add(user)
    await session.flush()
    return user


BAD_CREDENTIALS = ("bad_credentials", "อีเมลหรือรหัสผ่านไม่ถูกต้อง", "Wrong email or password")


def bad_credentials() -> ApiError:
    return ApiError(401, *BAD_CREDENTIALS)


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def start_session(session: AsyncSession, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    version = await session.scalar(select(User.session_version).where(User.id == user_id))
    session.add(
        UserSession(
            token_hash=_digest(token), user_id=user_id, created_at=now, last_seen_at=now,
            expires_at=now + dt.timedelta(days=SESSION_DAYS), version=version or 0,
        )
    )  # fmt: skip
    await session.flush()
    return token


async def end_all_sessions(session: AsyncSession, user_id: int) -> None:
    """Every session of the user ends, on every device: the version check refuses them from the
    next request on, and their rows go."""
    await session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


async def set_password(session: AsyncSession, user_id: int, password_hash: str) -> None:
    """A new password ends every session (the caller may start a fresh one for this device)."""
    await session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
    await end_all_sessions(session, user_id)


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


async def session_for_token(
    session: AsyncSession, token: str | None, idle: dt.timedelta | None = None
) -> tuple[User, UserSession] | None:
    """The live session of this token: not expired, not idle longer than `idle`, of the user's
    current session version."""
    if not token or len(token) > 100:
        return None
    row = await session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _digest(token))
    )
    found = row.first()
    if found is None:
        return None
    user, us = found
    now = utcnow()
    if us.expires_at <= now or us.version != user.session_version:
        return None
    if idle is not None and (us.last_seen_at or us.created_at) + idle <= now:
        return None
    return user, us


async def principal_for_token(
    session: AsyncSession, token: str | None, idle: dt.timedelta | None = None
) -> Principal:
    found = await session_for_token(session, token, idle)
    return PUBLIC if found is None else principal_of(found[0])


async def _touch(conn: HTTPConnection, token_hash: str) -> None:
    """Best effort: a failed refresh costs the session a minute of idle time, never the request."""
    try:
        async with conn.app.state.services.write_sessionmaker.begin() as s:
            await s.execute(
                update(UserSession).where(UserSession.token_hash == token_hash).values(last_seen_at=utcnow())
            )
    except Exception:
        log.exception("could not refresh a session's last_seen_at")


def token_of(conn: HTTPConnection) -> str | None:
    """The session token from the cookie, or a bearer token (API clients, bench harness)."""
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return conn.cookies.get(COOKIE)


async def principal(conn: HTTPConnection) -> Principal:
    """Resolve the caller once per request, cached in the request's own scope: `request.state`
    can be one dict shared by every request (asgi-lifespan hands the lifespan state over as is)."""
    cached = conn.scope.get("auction.principal")
    if cached is not None:
        return cached
    sm = conn.app.state.services.sessionmaker
    idle = dt.timedelta(minutes=conn.app.state.settings.session_idle_minutes)
    async with sm() as session:
        found = await session_for_token(session, token_of(conn), idle)
    who = PUBLIC if found is None else principal_of(found[0])
    if found is not None and utcnow() - (found[1].last_seen_at or found[1].created_at) >= TOUCH_EVERY:
        await _touch(conn, found[1].token_hash)
    conn.scope["auction.principal"] = who
    return who


async def require_login(conn: HTTPConnection) -> Principal:
    who = await principal(conn)
    if who.user_id is None:
        raise ApiError(401, "login_required", "กรุณาเข้าสู่ระบบ", "Please log in")
    return who


async def require_officer(conn: HTTPConnection, office_id: int | None = None) -> Principal:
    who = await require_login(conn)
    if not who.is_officer:
        raise ApiError(403, "officer_only", "เฉพาะเจ้าพนักงานบังคับคดี", "Officers only")
    if office_id is not None and not who.may_run_office(office_id):
        raise ApiError(403, "wrong_office", "ไม่ใช่เจ้าหน้าที่ของสำนักงานนี้", "Not an officer of this office")
    return who
