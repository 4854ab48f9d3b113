"""The buyer's next-step pages: /account/registrations/{id} (how, where and by when to place the
deposit, with the office's account and a PromptPay QR) and /account/sales/{id} (a winner's balance,
deadline and how to ask for more time). Views in auction.buyer_guide."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auction import auth, buyer_guide
from auction import registration_api as api
from auction.errors import ApiError
from auction.registration_pages import page, refusal, to_login
from auction.services import parse_id


def _viewer(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        who = await auth.principal(request)
        if who.user_id is None:
            return to_login(request)
        try:
            return await handler(request, who)
        except ApiError as exc:
            return refusal(request, exc)

    return endpoint


async def deposit_page(request: Request, who: auth.Principal) -> Response:
    reg_id = parse_id(request.path_params["reg_id"], "reg_id")
    async with api.read_sm(request)() as s:
        ctx = await buyer_guide.deposit_context(s, who, reg_id)
    return page(request, "deposit.html", **ctx)


async def sale_page(request: Request, who: auth.Principal) -> Response:
    sale_id = parse_id(request.path_params["sale_id"], "sale_id")
    async with api.read_sm(request)() as s:
        ctx = await buyer_guide.sale_context(s, who, sale_id)
    return page(request, "sale.html", **ctx)


routes = [
    Route("/account/registrations/{reg_id}", _viewer(deposit_page)),
    Route("/account/sales/{sale_id}", _viewer(sale_page)),
]
