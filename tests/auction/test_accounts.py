"""Accounts and sessions: sign-up, log-in, log-out, sessions surviving a restart, and CSRF
protection on cookie sessions."""

from tests.conftest import app_client


async def signup(client, email: str = "a@x.test", password: str = "long enough pw"):
    """Sign up (which starts no session: the answer must not say whether the e-mail was new), then log in."""
    r = await client.post("/api/auth/signup", json={"email": email, "password": password})
    assert r.status_code == 202 and not r.cookies.get("sid"), r.text
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_login_with_the_right_password_only(db, client) -> None:
    assert (await signup(client)).status_code == 200
    client.cookies.clear()
    r = await client.post("/api/auth/login", json={"email": " A@X.test ", "password": "wrong password"})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_credentials")
    r = await client.post("/api/auth/login", json={"email": "a@x.test", "password": "long enough pw"})
    assert r.status_code == 200 and r.cookies.get("sid")


async def test_signup_refusals(db, client) -> None:
    await signup(client)
    client.cookies.clear()
    for body, code in (
        ({"email": "not-an-email", "password": "long enough pw"}, "bad_email"),
        ({"email": "b@x.test", "password": "short"}, "weak_password"),
    ):
        r = await client.post("/api/auth/signup", json=body)
        assert r.status_code in (400, 409) and r.json()["error"]["code"] == code


async def test_a_session_survives_a_restart_and_logout_ends_it(db, settings) -> None:
    async with app_client(settings) as c:
        r = await signup(c)
        sid, token = r.cookies["sid"], r.json()["csrf"]
    async with app_client(settings) as c:  # a new process: nothing in memory
        c.cookies.set("sid", sid)
        me = await c.get("/api/me")
        assert me.status_code == 200 and me.json()["user"]["email"] == "a@x.test"
        assert (await c.post("/api/auth/logout", headers={"x-csrf-token": token})).status_code == 200
        c.cookies.set("sid", sid)
        assert (await c.get("/api/me")).status_code == 401


async def test_cookie_requests_need_the_csrf_token_and_a_same_origin(db, client) -> None:
    r = await signup(client)
    token = r.json()["csrf"]
    form = {"kind": "individual"}
    r = await client.post("/api/me/profile", json=form)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "csrf_failed")
    r = await client.post("/api/me/profile", json=form, headers={"x-csrf-token": "0" * 40})
    assert r.json()["error"]["code"] == "csrf_failed"
    r = await client.post(
        "/api/me/profile", json=form, headers={"x-csrf-token": token, "origin": "https://evil.test"}
    )
    assert r.json()["error"]["code"] == "csrf_failed"
    # With the token the request goes through to validation (and fails there, on the missing name).
    r = await client.post(
        "/api/me/profile", json=form, headers={"x-csrf-token": token, "origin": "http://test"}
    )
    assert r.json()["error"]["code"] == "missing_field"
    # The token also works as a form field.
    r = await client.post("/api/me/profile", data={"csrf": token, "kind": "individual"})
    assert r.json()["error"]["code"] == "missing_field"


async def test_officers_are_created_by_the_cli_and_can_log_in(db, client, database_url) -> None:
    import asyncio
    import os
    import sys

    async def cli(*args: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "auction", "create-officer", *args,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return await proc.wait()

    assert await cli("off@x.test", "--password", "officer pw 1", "--office", "LED-10-2") == 0
    assert await cli("off@x.test", "--password", "officer pw 1", "--office", "LED-10-2") == 1  # taken
    assert (
        await cli("off2@x.test", "--password", "officer pw 1", "--office", "LED-99-9") == 1
    )  # no such office
    r = await client.post("/api/auth/login", json={"email": "off@x.test", "password": "officer pw 1"})
    assert r.status_code == 200 and r.json()["user"]["role"] == "officer" and r.json()["user"]["office_id"]
