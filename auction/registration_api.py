"""JSON API for accounts, buyer profiles, registrations, deposits, refunds and balances.
Thin: parse, authorise, call a service inside one unit of work, answer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auction import accounts, audit, auth, csrf, inputs, passwords, profiles, refunds, registration
from auction.errors import ApiError
from auction.models import BuyerProfile, User
from auction.security import cookie_secure
from auction.services import parse_id

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
TRUE = ("1", "true", "on", "yes")


async def payload(request: Request) -> dict[str, Any]:
    """A JSON object or a form, as a plain dict; anything else is a 400."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        if inputs.SCOPE_JSON in request.scope:  # parsed and bounded by auction.inputs.InputGuard
            data = request.scope[inputs.SCOPE_JSON]
        else:
            data = inputs.parse_json(await request.body())
        if not isinstance(data, dict):
            raise ApiError(400, "bad_json", "ข้อมูลต้องเป็นออบเจกต์", "Body must be a JSON object")
        return flat_fields(data)
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    return {}


def flat_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Every body here is a flat object, read like a form. Where a number or a flag is expected
    (inputs.NUMBER_FIELDS, inputs.FLAG_FIELDS) any scalar is handed on as its text, as a form would
    send it, and the service refuses it with its own code; a text field must be text or null. A
    wrong type reached the services as it was (a 500 or worse); now it is a 400 that names the field
    by its label (issue 19), never its key."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        scalar = not isinstance(value, dict | list)
        if value is None or isinstance(value, str):
            out[key] = value
        elif scalar and (key in inputs.NUMBER_FIELDS or key in inputs.FLAG_FIELDS):
            out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        elif key in inputs.TEXT_FIELDS or key in inputs.NUMBER_FIELDS or key in inputs.FLAG_FIELDS:
            raise inputs.wrong_type(key, value)
        # else: a field no service reads (e.g. a "role" slipped into a signup): ignored, as before
    return out


async def guarded(request: Request) -> dict[str, Any]:
    data = await payload(request)
    csrf.check(request, data.get(csrf.FIELD))
    return data


def flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in TRUE)


def write_sm(request: Request) -> Any:
    return request.app.state.services.write_sessionmaker


def read_sm(request: Request) -> Any:
    return request.app.state.services.sessionmaker


def user_view(user: User | auth.Principal) -> dict[str, Any]:
    uid = user.id if isinstance(user, User) else user.user_id
    verified = user.email_verified_at is not None if isinstance(user, User) else user.email_verified
    return {"id": uid, "email": user.email, "role": user.role, "office_id": user.office_id,
            "display_name": user.display_name, "email_verified": verified}  # fmt: skip


def hash_pool(request: Request) -> auth.HashPool:
    return request.app.state.passwords


def mailer(request: Request) -> Any:
    return request.app.state.mailer


def origin(request: Request) -> str:
    """Where mailed links point: the configured public origin; the request's own only in development."""
    return request.app.state.settings.public_origin or f"{request.url.scheme}://{request.url.netloc}"


def client_addr(request: Request) -> str | None:
    return request.client.host if request.client else None


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        auth.COOKIE, token, max_age=auth.SESSION_DAYS * 86400, httponly=True, samesite="lax",
        secure=cookie_secure(request), path="/",
    )  # fmt: skip


def text_field(data: dict[str, Any], key: str, limit: int = 1000) -> str:
    value = data.get(key)
    return value[:limit] if isinstance(value, str) else ""


def credentials(data: dict[str, Any]) -> tuple[str, str]:
    email = text_field(data, "email").strip().lower()
    password = text_field(data, "password", passwords.MAX_LENGTH + 1)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ApiError(400, "bad_email", "อีเมลไม่ถูกต้อง", "Email is not valid", param="email")
    passwords.check(password, email)
    return email, password


SIGNUP_SENT = {"th": "เราส่งอีเมลไปที่ที่อยู่นี้แล้ว เปิดลิงก์ในอีเมลเพื่อยืนยัน แล้วเข้าสู่ระบบด้วยอีเมลและรหัสผ่านของคุณ",
               "en": "We have sent a message to this address: open its link to confirm it, and log in "
                     "with your e-mail and password."}  # fmt: skip


async def do_signup(request: Request, data: dict[str, Any]) -> None:
    """The same answer, and about the same time, whether or not the e-mail has an account: the new
    address gets a verification link, an existing one's owner a note saying someone tried."""
    email, password = credentials(data)
    name = text_field(data, "display_name").strip()[:200]
    hashed = await hash_pool(request).hash(password)  # always: an existing e-mail costs the same time
    settings, base = request.app.state.settings, origin(request)
    try:
        async with write_sm(request).begin() as s:
            if existing := await s.scalar(select(User.id).where(User.email == email)):
                noted = await accounts.issue_token(s, existing, "notice")
                mail = accounts.already_registered_mail(settings, base, email) if noted else None
            else:
                # Self-service makes buyers only; officers come from the CLI (python -m auction create-officer).
                user = await auth.create_user(s, email, password, role="buyer", display_name=name,
                                              password_hash=hashed)  # fmt: skip
                auth_audit(s, user.id, "signup")
                token = await accounts.issue_token(s, user.id, "verify")
                mail = accounts.verify_mail(settings, base, email, token or "")
    except IntegrityError:  # the same e-mail signed up at the same moment (PostgreSQL): one mail is enough
        mail = None
    if mail is not None:
        mailer(request).send_later(mail)


async def do_login(request: Request, data: dict[str, Any]) -> tuple[User, str]:
    email = text_field(data, "email", 254).strip().lower()
    password = text_field(data, "password", passwords.MAX_LENGTH + 1)
    keys = accounts.throttle_keys(email, client_addr(request))
    async with read_sm(request)() as s:
        await accounts.check_throttle(s, keys)
        user = await auth.user_by_email(s, email) if email else None
    # Off the loop, outside any transaction (SQLite's writer lock is never held across argon2); an
    # unknown e-mail is checked against a dummy hash so that it takes as long as a wrong password.
    ok = await hash_pool(request).verify(user.password_hash if user else None, password)
    if not ok or user is None:
        async with write_sm(request).begin() as s:
            await accounts.record_failure(s, keys)
        raise auth.bad_credentials()
    async with write_sm(request).begin() as s:
        await accounts.clear_account(s, email)
        token = await auth.start_session(s, user.id)
    return user, token


def auth_audit(s: Any, user_id: int, action: str) -> None:
    audit.record(s, user_id, "user", user_id, action, None, "buyer")


async def signup(request: Request) -> JSONResponse:
    data = await guarded(request)
    await do_signup(request, data)
    return JSONResponse({"status": "check_email", "message": SIGNUP_SENT}, status_code=202)


async def login(request: Request) -> JSONResponse:
    data = await guarded(request)
    user, token = await do_login(request, data)
    response = JSONResponse({"user": user_view(user), "token": token, "csrf": csrf.token(request, token)})
    set_session_cookie(request, response, token)
    return response


async def do_logout(request: Request) -> None:
    token = auth.token_of(request)
    if token:
        async with write_sm(request).begin() as s:
            await auth.end_session(s, token)


async def logout(request: Request) -> JSONResponse:
    await guarded(request)
    await do_logout(request)
    response = JSONResponse({"ok": True})
    response.delete_cookie(auth.COOKIE, path="/")
    return response


async def me(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    async with read_sm(request)() as s:
        profile = await s.get(BuyerProfile, who.user_id)
    return JSONResponse({"user": user_view(who), "profile": profiles.view(profile),
                         "csrf": csrf.token(request)})  # fmt: skip


async def save_profile(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    data = await guarded(request)
    async with write_sm(request).begin() as s:
        profile = await profiles.save(s, who, data, registration.today())
        body = profiles.view(profile)
    return JSONResponse({"profile": body})


async def my_registrations(request: Request) -> JSONResponse:
    who = await auth.require_login(request)
    async with read_sm(request)() as s:
        items = await registration.mine(s, who.user_id or 0)
    return JSONResponse({"items": items})


def optional_id(data: dict[str, Any], key: str) -> int | None:
    raw = data.get(key)
    if raw in (None, ""):
        return None
    return parse_id(str(raw), key)


async def do_register(
    request: Request, who: auth.Principal, lot_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    async with write_sm(request).begin() as s:
        reg = await registration.register(
            s, who, lot_id, optional_id(data, "round_id"), setoff=flag(data.get("setoff")),
            proxy_name=data.get("proxy_principal_name"), proxy_id=data.get("proxy_principal_id"),
        )  # fmt: skip
        return registration.view(reg)


async def register(request: Request) -> JSONResponse:
    lot_id = parse_id(request.path_params["lot_id"], "lot_id")
    who = await auth.require_login(request)
    data = await guarded(request)
    return JSONResponse(await do_register(request, who, lot_id, data), status_code=201)


async def registration_detail(request: Request) -> JSONResponse:
    reg_id = parse_id(request.path_params["reg_id"], "reg_id")
    who = await auth.require_login(request)
    async with read_sm(request)() as s:
        return JSONResponse(await registration.one(s, who, reg_id))


async def cancel(request: Request) -> JSONResponse:
    reg_id = parse_id(request.path_params["reg_id"], "reg_id")
    who = await auth.require_login(request)
    await guarded(request)
    async with write_sm(request).begin() as s:
        reg = await registration.cancel(s, who, reg_id)
        return JSONResponse(registration.view(reg))


# --- officers ---------------------------------------------------------------------------------


def query_date(request: Request, key: str = "sale_date") -> dt.date | None:
    raw = request.query_params.get(key)
    if not raw:
        return None
    day = profiles.parse_date(raw)
    if day is None:
        raise ApiError(400, "bad_date", "วันที่ไม่ถูกต้อง", f"{key} is not a date", param=key)
    return day


async def officer_queue(request: Request) -> JSONResponse:
    who = await auth.require_officer(request)
    status = request.query_params.get("status", "pending_deposit")
    async with read_sm(request)() as s:
        items = await registration.queue(s, who, status, query_date(request))
    return JSONResponse({"items": items})


async def officer_action(request: Request, key: str = "reg_id") -> tuple[auth.Principal, int, dict[str, Any]]:
    """Officer first, then the id: a buyer learns nothing about which ids exist."""
    who = await auth.require_officer(request)
    target = parse_id(request.path_params[key], key)
    return who, target, await guarded(request)


def registration_action(service: Any, *fields: str) -> Any:
    """An officer endpoint that moves one registration: its service gets the named body fields."""

    async def endpoint(request: Request) -> JSONResponse:
        who, reg_id, data = await officer_action(request)
        async with write_sm(request).begin() as s:
            reg = await service(s, who, reg_id, *(data.get(f) for f in fields))
            return JSONResponse(registration.view(reg))

    return endpoint


async def walk_in(request: Request) -> JSONResponse:
    who, round_id, data = await officer_action(request, "round_id")
    async with write_sm(request).begin() as s:
        reg = await registration.register_walk_in(
            s, who, round_id, data.get("name"), data.get("id_no"), data.get("method"), data.get("reference"),
            setoff=flag(data.get("setoff")),
        )  # fmt: skip
        return JSONResponse(registration.view(reg), status_code=201)


async def refund_list(request: Request) -> Response:
    who = await auth.require_officer(request)
    async with read_sm(request)() as s:
        rows = await refunds.refund_list(s, who)
    if request.query_params.get("format") == "csv" or request.url.path.endswith(".csv"):
        return Response(
            refunds.to_csv(rows), media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="refunds.csv"'},
        )  # fmt: skip
    return JSONResponse({"items": rows, "total": sum(r["deposit"] for r in rows)})


async def sale_list(request: Request) -> JSONResponse:
    who = await auth.require_officer(request)
    async with read_sm(request)() as s:
        return JSONResponse({"items": await refunds.sales(s, who)})


def sale_action(service: Any, *fields: str) -> Any:
    """An officer endpoint that moves one winner's sale: its service gets the named body fields."""

    async def endpoint(request: Request) -> JSONResponse:
        who, sale_id, data = await officer_action(request, "sale_id")
        async with write_sm(request).begin() as s:
            sale = await service(s, who, sale_id, *(data.get(f) for f in fields))
            rnd = await s.get(refunds.SaleRound, sale.round_id)
            return JSONResponse(refunds.sale_view(sale, rnd))

    return endpoint


async def _extend(s: Any, who: auth.Principal, sale_id: int, due: Any, reason: Any) -> Any:
    return await refunds.extend_balance(s, who, sale_id, profiles.parse_date(due), reason)


routes = [
    Route("/api/auth/signup", signup, methods=["POST"]),
    Route("/api/auth/login", login, methods=["POST"]),
    Route("/api/auth/logout", logout, methods=["POST"]),
    Route("/api/me", me),
    Route("/api/me/profile", save_profile, methods=["PUT", "POST"]),
    Route("/api/me/registrations", my_registrations),
    Route("/api/lots/{lot_id}/registrations", register, methods=["POST"]),
    Route("/api/registrations/{reg_id}", registration_detail),
    Route("/api/registrations/{reg_id}/cancel", cancel, methods=["POST"]),
    Route("/api/officer/registrations", officer_queue),
    Route(
        "/api/officer/registrations/{reg_id}/confirm",
        registration_action(registration.confirm, "method", "reference"),
        methods=["POST"],
    ),
    Route(
        "/api/officer/registrations/{reg_id}/reject",
        registration_action(registration.reject, "reason"),
        methods=["POST"],
    ),
    Route(
        "/api/officer/registrations/{reg_id}/refunded",
        registration_action(refunds.mark_refunded, "reference"),
        methods=["POST"],
    ),
    Route("/api/officer/rounds/{round_id}/walk-ins", walk_in, methods=["POST"]),
    Route("/api/officer/refunds", refund_list),
    Route("/api/officer/refunds.csv", refund_list),
    Route("/api/officer/sales", sale_list),
    Route(
        "/api/officer/sales/{sale_id}/extend", sale_action(_extend, "due_date", "reason"), methods=["POST"]
    ),
    Route(
        "/api/officer/sales/{sale_id}/default",
        sale_action(refunds.mark_defaulted, "reason"),
        methods=["POST"],
    ),
    Route("/api/officer/sales/{sale_id}/paid", sale_action(refunds.mark_paid, "reference"), methods=["POST"]),
]
