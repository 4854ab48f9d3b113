"""Account safety services: log-in throttling, one-time mailed links (password reset, e-mail
verification) and the mails themselves. Take a session, never commit (docs/security.md, log-in and accounts)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from auction.config import Settings
from auction.db import utcnow
from auction.errors import ApiError
from auction.mail import message
from auction.models import AuthToken, LoginThrottle, User

# --- throttling ----------------------------------------------------------------------------------

# Failures allowed before any delay: a person mistyping gets a few free tries; an address gets more,
# because an office or a mobile carrier puts many buyers behind one.
FREE = {"acct": 5, "addr": 20}
MAX_DELAY = 15 * 60  # seconds: growing delays, never a permanent lock-out anyone could cause
FORGET_AFTER = dt.timedelta(hours=1)  # a quiet hour and the count starts again
MAX_KEY = 300


def throttle_keys(email: str, addr: str | None) -> list[str]:
    keys = [f"acct:{email.strip().lower()}"[:MAX_KEY]]
    if addr:
        keys.append(f"addr:{addr}"[:MAX_KEY])
    return keys


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after the `failures`-th failure in a row: 0 while free, then 1, 2, 4, ... 900."""
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 20), MAX_DELAY)


async def retry_after(session: AsyncSession, keys: list[str], now: dt.datetime) -> int:
    """Seconds until these keys may try again (0: now)."""
    until = await session.scalar(
        select(func.max(LoginThrottle.blocked_until)).where(LoginThrottle.key.in_(keys))
    )
    return 0 if until is None or until <= now else max(1, int((until - now).total_seconds() + 0.999))


def too_many(seconds: int) -> ApiError:
    return ApiError(
        429, "too_many_attempts",
        f"ลองเข้าสู่ระบบผิดหลายครั้ง กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        f"Too many failed attempts; try again in {seconds} seconds", retry_after=seconds,
    )  # fmt: skip


async def check_throttle(session: AsyncSession, keys: list[str]) -> None:
    seconds = await retry_after(session, keys, utcnow())
    if seconds:
        raise too_many(seconds)


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


async def record_failure(session: AsyncSession, keys: list[str]) -> None:
    now = utcnow()
    await session.execute(
        _insert(session)(LoginThrottle)
        .values([{"key": k, "failures": 0, "last_failure_at": now} for k in keys])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    # Locked in key order: two failures of the same account and address never wait on each other in a cycle.
    rows = await session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key).with_for_update()
    )
    for row in rows:
        failures = 1 if now - row.last_failure_at > FORGET_AFTER else row.failures + 1
        wait = delay_after(failures, FREE[row.key.split(":", 1)[0]])
        row.failures, row.last_failure_at = failures, now
        row.blocked_until = now + dt.timedelta(seconds=wait) if wait else None
    await session.flush()


async def clear_account(session: AsyncSession, email: str) -> None:
    """A successful log-in forgets the account's failures (not the address's: one good account
    must not reset a guesser's count)."""
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == throttle_keys(email, None)[0])
        .values(failures=0, blocked_until=None)
    )


# --- one-time links --------------------------------------------------------------------------------

# "notice" tokens are never mailed nor spent: they only count the "someone tried to sign up with
# your address" notes, so that sign-ups cannot be used to flood an owner's inbox.
TTL = {"reset": dt.timedelta(hours=1), "verify": dt.timedelta(days=3), "notice": dt.timedelta(hours=1)}
PER_HOUR = 5  # links of one purpose mailed to one account in an hour: no mail-bombing through us


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, user_id: int, purpose: str) -> str | None:
    """A fresh link token, or None when this account already got PER_HOUR of them."""
    now = utcnow()
    recent = await session.scalar(
        select(func.count())
        .select_from(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.purpose == purpose,
               AuthToken.created_at > now - dt.timedelta(hours=1))
    )  # fmt: skip
    if (recent or 0) >= PER_HOUR:
        return None
    token = secrets.token_urlsafe(32)
    session.add(AuthToken(token_hash=_digest(token), user_id=user_id, purpose=purpose, created_at=now,
                          expires_at=now + TTL[purpose]))  # fmt: skip
    await session.flush()
    return token


def bad_link() -> ApiError:
    return ApiError(400, "bad_token", "ลิงก์นี้ใช้ไม่ได้แล้ว (หมดอายุหรือใช้ไปแล้ว) กรุณาขอลิงก์ใหม่",
                    "This link no longer works (expired or already used); please ask for a new one")  # fmt: skip


async def use_token(session: AsyncSession, token: str, purpose: str) -> int:
    """Spend a token: one statement, so two clicks at once cannot both succeed. Returns the user id."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise bad_link()
    now = utcnow()
    user_id = await session.scalar(
        update(AuthToken)
        .where(AuthToken.token_hash == _digest(token), AuthToken.purpose == purpose,
               AuthToken.used_at.is_(None), AuthToken.expires_at > now)
        .values(used_at=now)
        .returning(AuthToken.user_id)
    )  # fmt: skip
    if user_id is None:
        raise bad_link()
    return user_id


async def peek_token(session: AsyncSession, token: str, purpose: str) -> bool:
    """Whether the link still works (to show its form or say it is spent), without spending it."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return False
    found = await session.scalar(
        select(AuthToken.user_id).where(AuthToken.token_hash == _digest(token), AuthToken.purpose == purpose,
                                        AuthToken.used_at.is_(None), AuthToken.expires_at > utcnow())
    )  # fmt: skip
    return found is not None


async def mark_verified(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id, User.email_verified_at.is_(None))
        .values(email_verified_at=utcnow())
    )


# --- the mails ------------------------------------------------------------------------------------


def link(origin: str, path: str, token: str) -> str:
    return f"{origin}{path}?token={token}"


def verify_mail(settings: Settings, origin: str, to: str, token: str) -> EmailMessage:
    url = link(origin, "/verify", token)
    return message(settings, to, "ยืนยันอีเมล / Confirm your e-mail · LED Online Auctions", (
        f"กรุณายืนยันอีเมลของคุณโดยเปิดลิงก์นี้ (ใช้ได้ภายใน 3 วัน):\n{url}\n\n"
        "หากคุณไม่ได้สมัครสมาชิก ไม่ต้องทำอะไร\n\n"
        f"Please confirm your e-mail address by opening this link (valid for 3 days):\n{url}\n\n"
        "If you did not sign up, ignore this message.\n"
    ))  # fmt: skip


def already_registered_mail(settings: Settings, origin: str, to: str) -> EmailMessage:
    return message(settings, to, "มีผู้พยายามสมัครด้วยอีเมลของคุณ / A sign-up with your e-mail", (
        "มีผู้พยายามสมัครสมาชิกด้วยอีเมลนี้ แต่อีเมลนี้มีบัญชีอยู่แล้ว\n"
        f"หากเป็นคุณ เข้าสู่ระบบได้ที่ {origin}/login หรือหากลืมรหัสผ่าน ตั้งใหม่ได้ที่ {origin}/forgot\n"
        "หากไม่ใช่คุณ ไม่ต้องทำอะไร บัญชีของคุณไม่มีการเปลี่ยนแปลง\n\n"
        "Someone tried to sign up with this e-mail address, which already has an account.\n"
        f"If it was you, log in at {origin}/login, or set a new password at {origin}/forgot.\n"
        "If it was not you, do nothing: your account has not changed.\n"
    ))  # fmt: skip


def reset_mail(settings: Settings, origin: str, to: str, token: str) -> EmailMessage:
    url = link(origin, "/reset", token)
    return message(settings, to, "ตั้งรหัสผ่านใหม่ / Reset your password · LED Online Auctions", (
        f"เปิดลิงก์นี้เพื่อตั้งรหัสผ่านใหม่ (ใช้ได้ครั้งเดียว ภายใน 1 ชั่วโมง):\n{url}\n\n"
        "หากคุณไม่ได้ขอ ไม่ต้องทำอะไร รหัสผ่านเดิมยังใช้ได้\n\n"
        f"Open this link to set a new password (works once, within 1 hour):\n{url}\n\n"
        "If you did not ask for this, do nothing: your password has not changed.\n"
    ))  # fmt: skip


def password_changed_mail(settings: Settings, origin: str, to: str) -> EmailMessage:
    return message(settings, to, "รหัสผ่านถูกเปลี่ยนแล้ว / Your password was changed", (
        "รหัสผ่านของบัญชีนี้ถูกเปลี่ยน และทุกอุปกรณ์ถูกออกจากระบบแล้ว\n"
        f"หากไม่ใช่คุณ ตั้งรหัสผ่านใหม่ทันทีที่ {origin}/forgot\n\n"
        "The password of this account was changed and every device was logged out.\n"
        f"If it was not you, set a new password now at {origin}/forgot\n"
    ))  # fmt: skip
