"""Account safety, JSON and pages: change password, log out everywhere, password reset by mail,
e-mail verification. Same flow as registration_pages: parse, check CSRF, one unit of work, answer.
Mailed links open a page with a button (a POST): mail scanners that fetch links spend nothing."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auction import accounts, auth, csrf, passwords
from auction import registration_api as api
from auction.errors import ApiError
from auction.models import User
from auction.registration_pages import error_text, page, posted, see_other, to_login

RESET_SENT = {
    "th": "หากอีเมลนี้มีบัญชี เราได้ส่งลิงก์ตั้งรหัสผ่านใหม่ไปแล้ว (ใช้ได้ภายใน 1 ชั่วโมง)",
    "en": "If this e-mail has an account, a link to set a new password is on its way (valid for 1 hour).",
}


# --- services shared by the API and the pages ---------------------------------------------------------


async def change_password(request: Request, who: auth.Principal, data: dict[str, Any]) -> str:
    """Current password required; every other session ends; returns this device's new session."""
    current = api.text_field(data, "current_password", passwords.MAX_LENGTH + 1)
    new = api.text_field(data, "new_password", passwords.MAX_LENGTH + 1)
    keys = accounts.throttle_keys(who.email, api.client_addr(request))
    async with api.read_sm(request)() as s:
        await accounts.check_throttle(s, keys)
        stored = await s.get(User, who.user_id)
    pool = api.hash_pool(request)
    if stored is None or not await pool.verify(stored.password_hash, current):
        async with api.write_sm(request).begin() as s:
            await accounts.record_failure(s, keys)
        raise ApiError(400, "wrong_password", "รหัสผ่านปัจจุบันไม่ถูกต้อง", "The current password is wrong",
                       param="current_password")  # fmt: skip
    passwords.check(new, who.email)
    hashed = await pool.hash(new)
    async with api.write_sm(request).begin() as s:
        await auth.set_password(s, stored.id, hashed)
        api.auth_audit(s, stored.id, "change_password")
        token = await auth.start_session(s, stored.id)
    api.mailer(request).send_later(
        accounts.password_changed_mail(request.app.state.settings, api.origin(request), who.email)
    )
    return token


async def logout_everywhere(request: Request, who: auth.Principal) -> None:
    async with api.write_sm(request).begin() as s:
        await auth.end_all_sessions(s, who.user_id or 0)
        api.auth_audit(s, who.user_id or 0, "logout_everywhere")


async def request_reset(request: Request, data: dict[str, Any]) -> None:
    """The same answer whether or not the e-mail has an account."""
    email = api.text_field(data, "email", 254).strip().lower()
    if not api.EMAIL_RE.match(email):
        raise ApiError(400, "bad_email", "อีเมลไม่ถูกต้อง", "Email is not valid", param="email")
    async with api.write_sm(request).begin() as s:
        user = await auth.user_by_email(s, email)
        token = await accounts.issue_token(s, user.id, "reset") if user else None
    if token:
        api.mailer(request).send_later(
            accounts.reset_mail(request.app.state.settings, api.origin(request), email, token)
        )


async def reset_password(request: Request, data: dict[str, Any]) -> None:
    token = api.text_field(data, "token", 200)
    new = api.text_field(data, "password", passwords.MAX_LENGTH + 1)
    async with api.read_sm(request)() as s:
        if not await accounts.peek_token(s, token, "reset"):
            raise accounts.bad_link()
    passwords.check(new)
    hashed = await api.hash_pool(request).hash(new)
    async with api.write_sm(request).begin() as s:
        user_id = await accounts.use_token(s, token, "reset")
        user = await s.get(User, user_id)
        assert user is not None
        passwords.check(new, user.email)  # raises before the commit: the link stays usable
        await auth.set_password(s, user_id, hashed)
        # Whoever holds the link holds the inbox: the address is verified too.
        await accounts.mark_verified(s, user_id)
        await accounts.clear_account(s, user.email)
        api.auth_audit(s, user_id, "reset_password")


async def verify_email(request: Request, data: dict[str, Any]) -> None:
    async with api.write_sm(request).begin() as s:
        user_id = await accounts.use_token(s, api.text_field(data, "token", 200), "verify")
        await accounts.mark_verified(s, user_id)
        api.auth_audit(s, user_id, "verify_email")


async def resend_verification(request: Request, who: auth.Principal) -> None:
    if who.email_verified:
        return
    async with api.write_sm(request).begin() as s:
        token = await accounts.issue_token(s, who.user_id or 0, "verify")
    if token:
        api.mailer(request).send_later(
            accounts.verify_mail(request.app.state.settings, api.origin(request), who.email, token)
        )


# --- JSON ------------------------------------------------------------------------------------------


async def password_api(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    data = await api.guarded(request)
    token = await change_password(request, who, data)
    response = JSONResponse({"ok": True, "token": token, "csrf": csrf.token(request, token)})
    api.set_session_cookie(request, response, token)
    return response


async def logout_everywhere_api(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    await api.guarded(request)
    await logout_everywhere(request, who)
    response = JSONResponse({"ok": True})
    response.delete_cookie(auth.COOKIE, path="/")
    return response


async def reset_request_api(request: Request) -> JSONResponse:
    await request_reset(request, await api.guarded(request))
    return JSONResponse({"status": "check_email", "message": RESET_SENT}, status_code=202)


async def reset_confirm_api(request: Request) -> JSONResponse:
    await reset_password(request, await api.guarded(request))
    return JSONResponse({"ok": True})


async def verify_api(request: Request) -> JSONResponse:
    await verify_email(request, await api.guarded(request))
    return JSONResponse({"ok": True})


async def resend_api(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    await api.guarded(request)
    await resend_verification(request, who)
    return JSONResponse({"status": "check_email"}, status_code=202)


# --- pages -------------------------------------------------------------------------------------------


def logged_in_form(act: Any, done: str) -> Any:
    """An account-page form: on success back to the account page with a notice, else re-shown with the error."""

    async def endpoint(request: Request) -> Response:
        who = await auth.principal(request)
        if who.user_id is None:
            return to_login(request)

        async def ok(data: dict[str, Any]) -> Response:
            return await act(request, who, data, done)

        async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
            from auction.registration_pages import account_context, areas

            ctx = await account_context(request, who)
            return page(request, "account.html", exc.status, **ctx, provinces=await areas(request),
                        security_error=error_text(request, exc), next="")  # fmt: skip

        return await posted(request, ok, failed)

    return endpoint


async def _password_done(request: Request, who: auth.Principal, data: dict[str, Any], done: str) -> Response:
    token = await change_password(request, who, data)
    response = see_other(done)
    api.set_session_cookie(request, response, token)
    return response


async def _everywhere_done(
    request: Request, who: auth.Principal, data: dict[str, Any], done: str
) -> Response:
    await logout_everywhere(request, who)
    response = see_other(done)
    response.delete_cookie(auth.COOKIE, path="/")
    return response


async def _resend_done(request: Request, who: auth.Principal, data: dict[str, Any], done: str) -> Response:
    await resend_verification(request, who)
    return see_other(done)


def token_page(template: str, purpose: str, act: Any, done: str) -> Any:
    """GET shows the form for a mailed link (or says it is spent); POST spends it."""

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            token = request.query_params.get("token", "")
            async with api.read_sm(request)() as s:
                usable = await accounts.peek_token(s, token, purpose)
            return page(request, template, 200 if usable else 400, token=token, usable=usable)

        async def ok(data: dict[str, Any]) -> Response:
            await act(request, data)
            return see_other(done)

        async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
            token = api.text_field(data, "token", 200)
            return page(request, template, exc.status, token=token, usable=exc.code != "bad_token",
                        error=error_text(request, exc))  # fmt: skip

        return await posted(request, ok, failed)

    return endpoint


async def forgot_page(request: Request) -> Response:
    if request.method == "GET":
        return page(request, "forgot.html", form={})

    async def ok(data: dict[str, Any]) -> Response:
        await request_reset(request, data)
        return page(request, "forgot.html", sent=True, form={})

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        return page(request, "forgot.html", exc.status, error=error_text(request, exc), form=data)

    return await posted(request, ok, failed)


routes = [
    Route("/api/me/password", password_api, methods=["POST"]),
    Route("/api/auth/logout-everywhere", logout_everywhere_api, methods=["POST"]),
    Route("/api/auth/password-reset", reset_request_api, methods=["POST"]),
    Route("/api/auth/password-reset/confirm", reset_confirm_api, methods=["POST"]),
    Route("/api/auth/verify", verify_api, methods=["POST"]),
    Route("/api/me/verify-email", resend_api, methods=["POST"]),
    Route("/account/password", logged_in_form(_password_done, "/account?saved=password"), methods=["POST"]),
    Route("/account/logout-everywhere", logged_in_form(_everywhere_done, "/login?ended=1"), methods=["POST"]),
    Route(
        "/account/verify-email", logged_in_form(_resend_done, "/account?saved=verify_sent"), methods=["POST"]
    ),
    Route("/forgot", forgot_page, methods=["GET", "POST"]),
    Route(
        "/reset", token_page("reset.html", "reset", reset_password, "/login?reset=1"), methods=["GET", "POST"]
    ),
    Route(
        "/verify",
        token_page("verify.html", "verify", verify_email, "/account?saved=verified"),
        methods=["GET", "POST"],
    ),
]
