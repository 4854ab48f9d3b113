"""Accounts, sessions and roles: argon2 password hashes, server-side sessions that survive restarts.

A session is a random token in an HttpOnly cookie; only its SHA-256 is stored, so a database leak
does not hand out live sessions. Roles: public (no session), buyer, officer (of one office), admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from auction import rules
from auction.db import utcnow
from auction.errors import ApiError
from auction.models import User, UserSession

COOKIE = "sid"
SESSION_DAYS = 30
_hasher = PasswordHasher()


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
) -> User:
    email = email.strip().lower()
    if await session.scalar(select(User.id).where(User.email == email)):
        raise ApiError(409, "email_taken", "อีเมลนี้ลงทะเบียนแล้ว", "This email is already registered")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        office_id=office_id,
        display_name=display_name,
        is_led_staff=is_led_staff or role in ("officer", "admin"),
    )
    session.add(user)
    await session.flush()
    return user


async def login(session: AsyncSession, email: str, password: str) -> tuple[User, str]:
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not verify_password(user.password_hash, password):
        raise ApiError(401, "bad_credentials", "อีเมลหรือรหัสผ่านไม่ถูกต้อง", "Wrong email or password")
    return user, await start_session(session, user.id)


async def start_session(session: AsyncSession, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=_digest(token), user_id=user_id, created_at=now,
            expires_at=now + dt.timedelta(days=SESSION_DAYS),
        )
    )  # fmt: skip
    await session.flush()
    return token


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


async def principal_for_token(session: AsyncSession, token: str | None) -> Principal:
    if not token or len(token) > 100:
        return PUBLIC
    row = await session.execute(
        select(User, UserSession.expires_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _digest(token))
    )
    found = row.first()
    if found is None or found[1] <= utcnow():
        return PUBLIC
    return principal_of(found[0])


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
    async with sm() as session:
        who = await principal_for_token(session, token_of(conn))
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
