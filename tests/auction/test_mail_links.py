"""Issue 19: password reset and e-mail verification, through a real SMTP server in-process
(aiosmtpd): links are single-use, expire, are stored hashed; verification shows on the account
page and to the officer; without SMTP the message lands in the outbox folder."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import email
import email.policy
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from auction import accounts, auth
from auction.models import AuthToken
from tests.conftest import app_client
from tests.servers import free_port

PW = "long enough pw"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    async def wait(self, n: int, timeout: float = 10.0) -> list[email.message.EmailMessage]:
        for _ in range(int(timeout / 0.02)):
            if len(self.messages) >= n:
                return self.messages
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.messages)} messages, expected {n}")


def body_of(msg: email.message.EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def token_in(msg: email.message.EmailMessage, path: str) -> str:
    m = re.search(rf"https://auction\.example{path}\?token=([\w-]+)", body_of(msg))
    assert m, body_of(msg)
    return m.group(1)


@contextlib.asynccontextmanager
async def with_smtp(settings) -> AsyncIterator[tuple[Inbox, object]]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        smtp = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none",
                                   mail_from="no-reply@auction.example", public_origin="https://auction.example")  # fmt: skip
        async with app_client(smtp) as client:
            yield inbox, client
    finally:
        await asyncio.to_thread(controller.stop)


async def test_signup_mails_a_verification_link_and_an_existing_owner_a_note(db, settings) -> None:
    async with with_smtp(settings) as (inbox, client):
        r1 = await client.post("/api/auth/signup", json={"email": "new@x.test", "password": PW})
        r2 = await client.post("/api/auth/signup", json={"email": "new@x.test", "password": "another pw 99"})
        assert (r1.status_code, r1.json()) == (r2.status_code, r2.json())
        first, second = await inbox.wait(2)
        assert first["To"] == second["To"] == "new@x.test"
        assert "/verify?token=" in body_of(first)
        assert "/verify" not in body_of(second) and "/forgot" in body_of(second)  # the owner is told, no link
        token = token_in(first, "/verify")

        r = await client.post("/api/auth/login", json={"email": "new@x.test", "password": PW})
        me = {"authorization": f"Bearer {r.json()['token']}"}
        assert r.json()["user"]["email_verified"] is False  # unverified accounts may log in and browse
        page = await client.get(f"/verify?token={token}")  # a mail scanner's GET spends nothing
        assert page.status_code == 200 and 'action="/verify"' in page.text
        client.cookies.clear()
        r = await client.post("/verify", data={"token": token})
        assert r.status_code == 303 and r.headers["location"] == "/account?saved=verified"
        assert (await client.get("/api/me", headers=me)).json()["user"]["email_verified"] is True
        again = await client.post("/api/auth/verify", json={"token": token})
        assert (again.status_code, again.json()["error"]["code"]) == (400, "bad_token")
        assert (await client.get(f"/verify?token={token}")).status_code == 400


async def test_password_reset_is_single_use_expires_and_ends_every_session(db, settings, monkeypatch) -> None:
    async with with_smtp(settings) as (inbox, client):
        await client.post("/api/auth/signup", json={"email": "a@x.test", "password": PW})
        await inbox.wait(1)
        old_session = (
            await client.post("/api/auth/login", json={"email": "a@x.test", "password": PW})
        ).json()
        client.cookies.clear()
        unknown = await client.post("/api/auth/password-reset", json={"email": "nobody@x.test"})
        known = await client.post("/api/auth/password-reset", json={"email": "A@x.test"})
        assert (unknown.status_code, unknown.json()) == (
            known.status_code,
            known.json(),
        ) and known.status_code == 202
        msgs = await inbox.wait(2)
        await asyncio.sleep(0.2)
        assert len(msgs) == 2 and msgs[1]["To"] == "a@x.test"  # nothing went to the unknown address
        token = token_in(msgs[1], "/reset")
        async with db() as s:
            stored = list(await s.scalars(select(AuthToken.token_hash)))
        assert token not in stored and len(stored) == 2  # hashed at rest (the verify link and this one)

        r = await client.post(
            "/api/auth/password-reset/confirm", json={"token": token, "password": "12345678"}
        )
        assert (r.status_code, r.json()["error"]["code"]) == (400, "trivial_password")
        page = await client.get(f"/reset?token={token}")  # the refusal did not spend the link
        assert page.status_code == 200 and 'name="password"' in page.text
        r = await client.post("/reset", data={"token": token, "password": "a new one 2569"})
        assert r.status_code == 303 and r.headers["location"] == "/login?reset=1"
        again = await client.post(
            "/api/auth/password-reset/confirm", json={"token": token, "password": "x new 2569 x"}
        )
        assert (again.status_code, again.json()["error"]["code"]) == (400, "bad_token")

        me = await client.get("/api/me", headers={"authorization": f"Bearer {old_session['token']}"})
        assert me.status_code == 401  # the reset ended the old session
        old = await client.post("/api/auth/login", json={"email": "a@x.test", "password": PW})
        new = await client.post("/api/auth/login", json={"email": "a@x.test", "password": "a new one 2569"})
        assert (old.status_code, new.status_code) == (401, 200)
        assert new.json()["user"]["email_verified"] is True  # the reset link proved the inbox

        client.cookies.clear()
        await client.post("/api/auth/password-reset", json={"email": "a@x.test"})
        late = token_in((await inbox.wait(3))[2], "/reset")
        real = accounts.utcnow
        monkeypatch.setattr(
            accounts, "utcnow", lambda: real() + accounts.TTL["reset"] + dt.timedelta(seconds=1)
        )
        r = await client.post(
            "/api/auth/password-reset/confirm", json={"token": late, "password": "x new 2569 x"}
        )
        assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_token")


async def test_mails_per_account_are_bounded(db, settings) -> None:
    async with with_smtp(settings) as (inbox, client):
        await client.post("/api/auth/signup", json={"email": "a@x.test", "password": PW})
        for _ in range(accounts.PER_HOUR + 3):
            r = await client.post("/api/auth/password-reset", json={"email": "a@x.test"})
            assert r.status_code == 202
        await inbox.wait(1 + accounts.PER_HOUR)
        await asyncio.sleep(0.3)
        assert len(inbox.messages) == 1 + accounts.PER_HOUR
        # Sign-ups with the taken address cannot flood its owner with "someone tried" notes either.
        for _ in range(accounts.PER_HOUR + 2):
            r = await client.post("/api/auth/signup", json={"email": "a@x.test", "password": PW})
            assert r.status_code == 202
        await inbox.wait(1 + 2 * accounts.PER_HOUR)
        await asyncio.sleep(0.3)
        assert len(inbox.messages) == 1 + 2 * accounts.PER_HOUR


async def test_without_smtp_mail_goes_to_the_outbox_and_the_account_page_shows_status(
    db, client, settings
) -> None:
    r = await client.post("/api/auth/signup", json={"email": "a@x.test", "password": PW})
    assert r.status_code == 202
    outbox = Path(settings.mail_outbox)

    def written() -> list[bytes]:
        return [p.read_bytes() for p in outbox.glob("*.eml")] if outbox.exists() else []

    for _ in range(200):
        if found := await asyncio.to_thread(written):
            break
        await asyncio.sleep(0.02)
    (raw,) = found
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    token = re.search(r"/verify\?token=([\w-]+)", body_of(msg)).group(1)  # type: ignore[union-attr]
    await client.post("/login", data={"email": "a@x.test", "password": PW})
    page = await client.get("/account?lang=en")
    assert "E-mail not confirmed yet" in page.text and 'action="/account/verify-email"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await client.post("/verify", data={"token": token, "csrf": csrf})
    assert r.status_code == 303
    page = await client.get("/account?lang=th")
    assert 'id="email-status" class="notice ok"' in page.text and "ยืนยันอีเมลแล้ว" in page.text


@pytest.mark.parametrize("lang", ["th", "en"])
async def test_forgot_page_answers_the_same_for_any_address(db, client, lang: str) -> None:
    await client.post("/api/auth/signup", json={"email": "a@x.test", "password": PW})
    q = "?lang=en" if lang == "en" else ""
    a = await client.post(f"/forgot{q}", data={"email": "a@x.test"})
    b = await client.post(f"/forgot{q}", data={"email": "zz@x.test"})
    assert a.status_code == b.status_code == 200 and a.text == b.text
    assert ("ลิงก์ตั้งรหัสผ่านใหม่" if lang == "th" else "a link to set a new password") in a.text


async def test_the_officer_sees_an_unverified_email_in_the_deposit_queue(db, client) -> None:
    from sqlalchemy import update

    from auction.models import User
    from tests.auction import regkit

    w = await regkit.build(db)
    async with db.begin() as s:
        await s.execute(update(User).where(User.id == w.buyer2).values(email_verified_at=auth.utcnow()))
    for who in ("buyer", "buyer2"):
        r = await client.post(f"/api/lots/{w.lot}/registrations", json={}, headers=w.h(who))
        assert r.status_code == 201, r.text
    items = (await client.get("/api/officer/registrations", headers=w.h("officer"))).json()["items"]
    assert {i["buyer"]["email"]: i["buyer"]["email_verified"] for i in items} == {
        "b1@x.test": False,
        "b2@x.test": True,
    }
    page = await client.get("/officer/registrations?lang=en", headers=w.h("officer"))
    assert page.text.count("e-mail not verified") == 1
