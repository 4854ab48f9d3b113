"""Mobile pages for buyers and officers: sign-up, log-in, account, pre-registration, the officer's
deposit queue, refunds and balances. HTML forms post here; each handler calls the same services
as the JSON API inside one unit of work, then redirects (303) or re-renders the form with the error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from auction import auth, buyer_guide, csrf, profiles, refunds, registration
from auction import registration_api as api
from auction.errors import ApiError
from auction.i18n import lang_of
from auction.models import AdminArea, BuyerProfile, Lot, SaleRound
from auction.services import get_lot, lot_summary, parse_id, round_view
from auction.web import render

Handler = Callable[[dict[str, Any]], Awaitable[Response]]


def safe_next(raw: str | None, default: str = "/account") -> str:
    """Only local paths: never bounce a fresh login to another site."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return default


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/login?next={quote(target)}")


def error_text(request: Request, exc: ApiError) -> str:
    return exc.th if lang_of(request) == "th" else exc.en


def page(request: Request, name: str, status_code: int = 200, **ctx: Any) -> Response:
    who: auth.Principal = request.scope.get("auction.principal") or auth.PUBLIC
    return render(request, name, status_code=status_code, csrf=csrf.token(request), who=who, **ctx)


def refusal(request: Request, exc: ApiError) -> Response:
    return page(request, "message.html", exc.status, message=error_text(request, exc), code=exc.code)


async def posted(
    request: Request, ok: Handler, failed: Callable[[ApiError, dict[str, Any]], Awaitable[Response]]
) -> Response:
    data: dict[str, Any] = {}
    try:
        data = await api.payload(request)
        csrf.check(request, data.get(csrf.FIELD))
        return await ok(data)
    except ApiError as exc:
        return await failed(exc, data)


# --- sign-up, log-in, log-out -------------------------------------------------------------------


def credentials_page(
    template: str, act: Callable[[Request, dict[str, Any]], Awaitable[tuple[Any, str]]]
) -> Any:
    """Sign-up and log-in: the same form flow, ending in a session cookie and a local redirect."""

    async def endpoint(request: Request) -> Response:
        async def ok(data: dict[str, Any]) -> Response:
            _, token = await act(request, data)
            response = see_other(safe_next(data.get("next")))
            api.set_session_cookie(request, response, token)
            return response

        async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
            data.pop("password", None)
            return page(request, template, exc.status, error=error_text(request, exc), form=data)

        if request.method == "GET":
            q = request.query_params
            notice = "reset" if q.get("reset") else "ended" if q.get("ended") else None
            return page(request, template, form={"next": q.get("next", "")}, notice=notice)
        return await posted(request, ok, failed)

    return endpoint


async def signup_page(request: Request) -> Response:
    """Whether or not the e-mail already has an account, the same page follows (and no session):
    the mail tells the owner which it was."""

    async def ok(data: dict[str, Any]) -> Response:
        await api.do_signup(request, data)
        return see_other(
            "/signup/sent"
            + (f"?{urlencode({'next': nxt})}" if (nxt := safe_next(data.get("next"), "")) else "")
        )

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        data.pop("password", None)
        return page(request, "signup.html", exc.status, error=error_text(request, exc), form=data)

    if request.method == "GET":
        return page(request, "signup.html", form={"next": request.query_params.get("next", "")})
    return await posted(request, ok, failed)


async def signup_sent_page(request: Request) -> Response:
    return page(request, "signup_sent.html", next=safe_next(request.query_params.get("next"), ""))


async def logout_page(request: Request) -> Response:
    async def ok(data: dict[str, Any]) -> Response:
        await api.do_logout(request)
        response = see_other("/lots")
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        return refusal(request, exc)

    if request.method == "GET":
        await auth.principal(request)
        return page(request, "logout.html")
    return await posted(request, ok, failed)


# --- the buyer's account ------------------------------------------------------------------------


async def areas(request: Request) -> list[dict[str, Any]]:
    """Provinces with their districts, for the address selects."""
    async with api.read_sm(request)() as s:
        rows = list(await s.scalars(select(AdminArea).order_by(AdminArea.code)))
    provinces = {a.code: {"code": a.code, "th": a.name_th, "en": a.name_en, "districts": []}
                 for a in rows if a.level == "province"}  # fmt: skip
    for a in rows:
        if a.level != "province" and a.parent_code in provinces:
            provinces[a.parent_code]["districts"].append({"code": a.code, "th": a.name_th, "en": a.name_en})
    return sorted(provinces.values(), key=lambda p: p["th"])


async def account_context(request: Request, who: auth.Principal) -> dict[str, Any]:
    async with api.read_sm(request)() as s:
        profile = await s.get(BuyerProfile, who.user_id)
        items = await registration.mine(s, who.user_id or 0)
        await buyer_guide.annotate(s, items)
    return {"profile": profile, "form": profiles.form_values(profile), "items": items}


async def account_page(request: Request) -> Response:
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)
    ctx = await account_context(request, who)
    return page(request, "account.html", **ctx, provinces=await areas(request),
                saved=request.query_params.get("saved"), next=safe_next(request.query_params.get("next"), ""))  # fmt: skip


async def profile_post(request: Request) -> Response:
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)

    async def ok(data: dict[str, Any]) -> Response:
        async with api.write_sm(request).begin() as s:
            await profiles.save(s, who, data, registration.today())
        nxt = safe_next(data.get("next"), "")
        return see_other(nxt or "/account?saved=1")

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        ctx = await account_context(request, who)
        ctx["form"] = data
        return page(request, "account.html", exc.status, **ctx, provinces=await areas(request),
                    error=error_text(request, exc), error_field=exc.extra.get("param"),
                    next=safe_next(data.get("next"), ""))  # fmt: skip

    return await posted(request, ok, failed)


async def cancel_post(request: Request) -> Response:
    reg_id = parse_id(request.path_params["reg_id"], "reg_id")
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)

    async def ok(data: dict[str, Any]) -> Response:
        async with api.write_sm(request).begin() as s:
            await registration.cancel(s, who, reg_id)
        return see_other(f"/account#reg-{reg_id}")

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        return refusal(request, exc)

    return await posted(request, ok, failed)


# --- pre-registration for a lot -------------------------------------------------------------------


async def register_context(request: Request, who: auth.Principal, lot_id: int) -> dict[str, Any]:
    day = registration.today()
    async with api.read_sm(request)() as s:
        lot: Lot = await get_lot(s, lot_id)
        has_profile = who.user_id is not None and await s.get(BuyerProfile, who.user_id) is not None
        open_rounds = [r for r in lot.rounds if not registration.round_is_open(r, day)]
        problem = None
        if open_rounds:
            problem = await registration.check_can_bid(
                s, who, open_rounds[0], day=day, need_registration=False
            )
    return {
        "lot": lot_summary(lot), "case": lot.case, "has_profile": has_profile, "problem": problem,
        "problem_text": error_text(request, registration.eligibility_error(problem)) if problem else None,
        "rounds": [
            {**round_view(r), "deposit": registration.deposit_due(lot, r, False),
             "deposit_setoff": registration.deposit_due(lot, r, True)}
            for r in open_rounds
        ],
    }  # fmt: skip


async def register_page(request: Request) -> Response:
    lot_id = parse_id(request.path_params["lot_id"], "lot_id")
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)

    async def ok(data: dict[str, Any]) -> Response:
        reg = await api.do_register(request, who, lot_id, data)
        return see_other(f"/account#reg-{reg['id']}")

    async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
        try:
            ctx = await register_context(request, who, lot_id)
        except ApiError as inner:
            return refusal(request, inner)
        return page(request, "register.html", exc.status, **ctx, form=data, error=error_text(request, exc))

    if request.method == "GET":
        try:
            ctx = await register_context(request, who, lot_id)
        except ApiError as exc:
            return refusal(request, exc)
        return page(request, "register.html", **ctx, form={})
    return await posted(request, ok, failed)


# --- officers -------------------------------------------------------------------------------------


async def officer_or_refusal(request: Request) -> auth.Principal | Response:
    who = await auth.principal(request)
    if who.user_id is None:
        return to_login(request)
    if not who.is_officer:
        return refusal(request, ApiError(403, "officer_only", "เฉพาะเจ้าพนักงานบังคับคดี", "Officers only"))
    return who


async def upcoming_rounds(request: Request, who: auth.Principal) -> list[dict[str, Any]]:
    """Rounds of the officer's office still taking registrations, for the walk-in form."""
    day = registration.today()
    query = (
        select(SaleRound, Lot.sale_order, Lot.case_id)
        .join(Lot, Lot.id == SaleRound.lot_id)
        .where(SaleRound.status == "scheduled", SaleRound.live_state == "idle", SaleRound.sale_date >= day)
        .order_by(SaleRound.sale_date, SaleRound.id)
        .limit(100)
    )
    if who.role != "admin":
        query = query.where(SaleRound.office_id == who.office_id)
    async with api.read_sm(request)() as s:
        rows = await s.execute(query)
        return [{"id": r.id, "lot_id": r.lot_id, "round_no": r.round_no, "sale_date": r.sale_date,
                 "sale_order": order} for r, order, _ in rows]  # fmt: skip


async def queue_page(request: Request, error: ApiError | None = None) -> Response:
    who = await officer_or_refusal(request)
    if isinstance(who, Response):
        return who
    status = request.query_params.get("status", "pending_deposit")
    try:
        async with api.read_sm(request)() as s:
            items = await registration.queue(s, who, status, api.query_date(request))
    except ApiError as exc:
        return refusal(request, exc)
    return page(
        request, "officer_registrations.html", error.status if error else 200, items=items, status=status,
        statuses=registration.STATUS_LABELS, methods=registration.DEPOSIT_METHODS,
        rounds=await upcoming_rounds(request, who), error=error_text(request, error) if error else None,
        done=request.query_params.get("done"), bidder_no=request.query_params.get("no"),
    )  # fmt: skip


def officer_post(back: str, act: Callable[[Request, auth.Principal, int, dict[str, Any]], Awaitable[str]],
                 key: str | None = "reg_id", show: Callable[..., Awaitable[Response]] = queue_page) -> Any:  # fmt: skip
    """An officer's form post: do it, then back to the list with a note; on refusal the list again
    with the reason."""

    async def endpoint(request: Request) -> Response:
        who = await officer_or_refusal(request)
        if isinstance(who, Response):
            return who
        target = parse_id(request.path_params[key], key) if key else 0

        async def ok(data: dict[str, Any]) -> Response:
            note = await act(request, who, target, data)
            return see_other(f"{back}?{note}")

        async def failed(exc: ApiError, data: dict[str, Any]) -> Response:
            return await show(request, exc)

        return await posted(request, ok, failed)

    return endpoint


async def do_confirm(request: Request, who: auth.Principal, reg_id: int, data: dict[str, Any]) -> str:
    async with api.write_sm(request).begin() as s:
        reg = await registration.confirm(s, who, reg_id, data.get("method"), data.get("reference"))
        return urlencode({"done": "confirmed", "no": reg.bidder_no})


async def do_reject(request: Request, who: auth.Principal, reg_id: int, data: dict[str, Any]) -> str:
    async with api.write_sm(request).begin() as s:
        await registration.reject(s, who, reg_id, data.get("reason"))
    return "done=rejected"


async def do_walk_in(request: Request, who: auth.Principal, _: int, data: dict[str, Any]) -> str:
    round_id = parse_id(str(data.get("round_id") or ""), "round_id")
    async with api.write_sm(request).begin() as s:
        reg = await registration.register_walk_in(
            s, who, round_id, data.get("name"), data.get("id_no"), data.get("method"), data.get("reference"),
            setoff=api.flag(data.get("setoff")),
        )  # fmt: skip
        return urlencode({"done": "confirmed", "no": reg.bidder_no})


async def refunds_page(request: Request, error: ApiError | None = None) -> Response:
    who = await officer_or_refusal(request)
    if isinstance(who, Response):
        return who
    async with api.read_sm(request)() as s:
        rows = await refunds.refund_list(s, who)
        sales = await refunds.sales(s, who)
    return page(request, "officer_refunds.html", error.status if error else 200, rows=rows, sales=sales,
                total=sum(r["deposit"] for r in rows), error=error_text(request, error) if error else None,
                done=request.query_params.get("done"))  # fmt: skip


async def do_refunded(request: Request, who: auth.Principal, reg_id: int, data: dict[str, Any]) -> str:
    async with api.write_sm(request).begin() as s:
        await refunds.mark_refunded(s, who, reg_id, data.get("reference"))
    return "done=refunded"


async def do_extend(request: Request, who: auth.Principal, sale_id: int, data: dict[str, Any]) -> str:
    async with api.write_sm(request).begin() as s:
        await refunds.extend_balance(
            s, who, sale_id, profiles.parse_date(data.get("due_date")), data.get("reason")
        )
    return "done=extended"


async def do_default(request: Request, who: auth.Principal, sale_id: int, data: dict[str, Any]) -> str:
    async with api.write_sm(request).begin() as s:
        await refunds.mark_defaulted(s, who, sale_id, data.get("reason"))
    return "done=defaulted"


async def do_paid(request: Request, who: auth.Principal, sale_id: int, data: dict[str, Any]) -> str:
    async with api.write_sm(request).begin() as s:
        await refunds.mark_paid(s, who, sale_id, data.get("reference"))
    return "done=paid"


routes = [
    Route("/signup", signup_page, methods=["GET", "POST"]),
    Route("/signup/sent", signup_sent_page),
    Route("/login", credentials_page("login.html", api.do_login), methods=["GET", "POST"]),
    Route("/logout", logout_page, methods=["GET", "POST"]),
    Route("/account", account_page),
    Route("/account/profile", profile_post, methods=["POST"]),
    Route("/account/registrations/{reg_id}/cancel", cancel_post, methods=["POST"]),
    Route("/lots/{lot_id}/register", register_page, methods=["GET", "POST"]),
    Route("/officer/registrations", queue_page),
    Route("/officer/registrations/{reg_id}/confirm", officer_post("/officer/registrations", do_confirm),
          methods=["POST"]),
    Route("/officer/registrations/{reg_id}/reject", officer_post("/officer/registrations", do_reject),
          methods=["POST"]),
    Route("/officer/walk-ins", officer_post("/officer/registrations", do_walk_in, key=None), methods=["POST"]),
    Route("/officer/refunds", refunds_page),
    Route("/officer/refunds/{reg_id}", officer_post("/officer/refunds", do_refunded, show=refunds_page),
          methods=["POST"]),
    Route("/officer/sales/{sale_id}/extend",
          officer_post("/officer/refunds", do_extend, key="sale_id", show=refunds_page), methods=["POST"]),
    Route("/officer/sales/{sale_id}/default",
          officer_post("/officer/refunds", do_default, key="sale_id", show=refunds_page), methods=["POST"]),
    Route("/officer/sales/{sale_id}/paid",
          officer_post("/officer/refunds", do_paid, key="sale_id", show=refunds_page), methods=["POST"]),
]  # fmt: skip
