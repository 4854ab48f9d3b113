"""A room on a fixed fixture, and WebSocket peers that speak the protocol (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import connect

from auction.app import create_app
from auction.config import Settings
from auction.models import BidderNumber, Registration, Room, SaleRound
from tests import factories as f

DAY = f.TODAY


@dataclass
class Fixture:
    office_id: int
    rounds: list[int]  # round 1 of each lot, all on DAY at LED-10-1
    tokens: dict[str, str] = field(default_factory=dict)
    paddles: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"/ws/rooms/{self.office_id}/{DAY.isoformat()}"


async def approve(
    s: AsyncSession, user_id: int | None, round_id: int, number: int, walk_in: str | None = None
) -> None:
    r = await s.get(SaleRound, round_id)
    assert r is not None
    paddle = await s.scalar(
        select(BidderNumber).where(
            BidderNumber.office_id == r.office_id,
            BidderNumber.sale_date == r.sale_date,
            BidderNumber.number == number,
        )  # fmt: skip
    )
    if paddle is None:
        paddle = BidderNumber(office_id=r.office_id, sale_date=r.sale_date, number=number, user_id=user_id,
                              walk_in_name=walk_in)  # fmt: skip
        s.add(paddle)
        await s.flush()
    s.add(Registration(user_id=user_id, round_id=round_id, lot_id=r.lot_id, channel="floor" if walk_in else "remote",
                       deposit_due=150_000, status="confirmed", bidder_number_id=paddle.id, bidder_no=number))  # fmt: skip
    await s.flush()


async def build(db: async_sessionmaker[AsyncSession], bidders: int = 3, lots: int = 2) -> Fixture:
    """LED-10-1 sells `lots` condos on DAY; `bidders` buyers approved for every lot (paddles 1..n),
    plus an unapproved buyer, a barred buyer, officers of this and another office, two walk-ins checked in
    on the floor (paddles 98 and 99: floor bids take only those)."""
    async with db.begin() as s:
        case = await f.make_case(s)
        rounds = []
        for i in range(lots):
            lot = await f.make_lot(s, case, sale_order=str(i + 1), first_date=DAY)
            r = await s.scalar(select(SaleRound).where(SaleRound.lot_id == lot.id, SaleRound.round_no == 1))
            assert r is not None
            rounds.append(r.id)
        fx = Fixture(office_id=(await f.office(s)).id, rounds=rounds)
        people = [(f"b{i}", "buyer", None) for i in range(1, bidders + 1)] + [
            ("stranger", "buyer", None), ("barred", "buyer", None), ("officer", "officer", "LED-10-1"),
            ("other_officer", "officer", "LED-30"),
        ]  # fmt: skip
        for name, role, office in people:
            user = await f.make_user(s, f"{name}@test.example", role=role, office_code=office)
            fx.user_ids[name] = user.id
            fx.tokens[name] = await f.login_token(s, user)
        for i in range(1, bidders + 1):
            fx.paddles[f"b{i}"] = i
            for rid in rounds:
                await approve(s, fx.user_ids[f"b{i}"], rid, i)
        for rid in rounds:
            await approve(s, fx.user_ids["barred"], rid, 50)
            await approve(s, None, rid, 98, walk_in="ผู้ซื้อหน้าห้อง ๒")
            await approve(s, None, rid, 99, walk_in="ผู้ซื้อหน้าห้อง")
        user = await s.get(f.User, fx.user_ids["barred"])
        assert user is not None
        user.barred_until = DAY.replace(year=DAY.year + 5)
    return fx


async def room_state(
    db: async_sessionmaker[AsyncSession], office_id: int
) -> tuple[int, int | None, int | None]:
    """(last_seq, current price, leading bidder) straight from the database."""
    async with db() as s:
        room = await s.scalar(select(Room).where(Room.office_id == office_id, Room.sale_date == DAY))
        if room is None:
            return 0, None, None
        r = await s.get(SaleRound, room.current_round_id) if room.current_round_id else None
        return room.last_seq, (r.current_price if r else None), (r.current_bidder_no if r else None)


# The event each officer command causes.
CAUSES = {
    "open_lot": "lot_opened", "set_increment": "increment_set", "count": "count", "hammer": "hammer",
    "pass": "passed", "suspend": "suspended", "undo": "bid_undone", "floor_bid": "bid",
}  # fmt: skip


class Peer:
    """One WebSocket client. Keeps every message; `expect` waits for the next one matching."""

    _keys = itertools.count(1)

    def __init__(self, ws: Any, name: str) -> None:
        self.ws, self.name = ws, name
        self.inbox: list[dict[str, Any]] = []  # everything received, in order
        self.unmatched: list[dict[str, Any]] = []  # received but not yet taken by an expect()
        self.last_seq = 0

    async def send(self, **msg: Any) -> None:
        await self.ws.send_text(json.dumps({"v": 1, **msg}))

    async def send_raw(self, text: str) -> None:
        await self.ws.send_text(text)

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        msg = json.loads(await self.ws.receive_text(timeout=timeout))
        self.inbox.append(msg)
        if isinstance(msg.get("seq"), int) and msg.get("type") not in ("receipt", "snapshot"):
            self.last_seq = max(self.last_seq, msg["seq"])
        if msg.get("type") == "snapshot":
            self.last_seq = msg["seq"]
        if msg.get("type") == "replay":
            for e in msg["events"]:
                self.last_seq = max(self.last_seq, e["seq"])
        return msg

    async def expect(self, pred: Callable[[dict[str, Any]], bool] | str, timeout: float = 5.0,
                     fresh: bool = False) -> dict[str, Any]:  # fmt: skip
        """The next message matching; `fresh` looks only at messages not yet received."""
        check = (lambda m: m.get("type") == pred) if isinstance(pred, str) else pred
        for i, msg in enumerate([] if fresh else self.unmatched):
            if check(msg):
                del self.unmatched[i]
                return msg
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(
                    f"{self.name}: no matching message; got {[m.get('type') for m in self.inbox[-10:]]}"
                )
            msg = await self.recv(timeout=left)
            if check(msg):
                return msg
            self.unmatched.append(msg)

    async def join(self, last_seq: int | None = None) -> dict[str, Any]:
        await self.send(type="join", **({} if last_seq is None else {"last_seq": last_seq}))
        return await self.expect(lambda m: m["type"] in ("snapshot", "replay"))

    async def bid(self, amount: Any, key: str | None = None) -> dict[str, Any]:
        key = key or f"{self.name}-{next(self._keys)}"
        await self.send(type="bid", amount=amount, key=key)
        return await self.expect(lambda m: m["type"] == "receipt" and m["key"] == key)

    async def command(self, type_: str, **fields: Any) -> dict[str, Any] | None:
        """An officer command; returns the refusal if one comes back, else the event it caused
        (matched by type: other people's events may arrive in between)."""
        caused = CAUSES.get(type_)
        await self.send(type=type_, **fields)

        def answer(m: dict[str, Any]) -> bool:
            if m["type"] == "error":  # errors go to their sender only: this one is ours
                return True
            if m["type"] == "receipt":
                return m.get("status") != "accepted" and m.get("key") == fields.get("key")
            return m["type"] == caused

        return await self.expect(answer, fresh=True)

    def events(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for m in self.inbox:
            if m["type"] == "replay":
                out.extend(m["events"])
            elif "seq" in m and m["type"] not in ("snapshot", "receipt"):
                out.append(m)
        return out


class Server:
    """The whole app (lifespan running) with a WebSocket-capable in-process transport."""

    def __init__(self, asgi: Any, app: Any) -> None:
        self.asgi, self.app = asgi, app  # the lifespan-wrapped callable, and the Starlette app

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(
            transport=ASGIWebSocketTransport(self.asgi), base_url="http://test", headers=headers
        )

    @contextlib.asynccontextmanager
    async def peer(self, fx: Fixture, name: str | None, join: bool = True) -> AsyncIterator[Peer]:
        async with self.client(fx.tokens.get(name or "")) as c, aconnect_ws(f"http://test{fx.path}", c) as ws:
            p = Peer(ws, name or "spectator")
            if join:
                await p.join()
            yield p


@contextlib.asynccontextmanager
async def server(settings: Settings) -> AsyncIterator[Server]:
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        yield Server(manager.app, app)


# --- real sockets (uvicorn, the websockets client) -----------------------------------------------


class Socket:
    """The websockets client behind Peer's interface."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send_text(self, text: str) -> None:
        await self.ws.send(text)

    async def receive_text(self, timeout: float) -> str:
        return await asyncio.wait_for(self.ws.recv(), timeout)


@contextlib.asynccontextmanager
async def peer(
    port: int, path: str, token: str | None, name: str, last_seq: int | None = None
) -> AsyncIterator[Peer]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with connect(f"ws://127.0.0.1:{port}{path}", additional_headers=headers, ping_interval=None) as ws:
        p = Peer(Socket(ws), name)
        await p.join(last_seq)
        yield p


@contextlib.asynccontextmanager
async def uvicorn_server(settings: Settings) -> AsyncIterator[tuple[Any, int]]:
    """The app under uvicorn in this event loop, as `python -m auction serve` runs it (websockets-sansio,
    no compression), on a free port: real sockets, and the app's state within reach of the test."""
    import uvicorn

    from tests.servers import free_port

    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws="websockets-sansio", ws_per_message_deflate=False,
                            lifespan="on", log_level="warning")  # fmt: skip
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    try:
        while not srv.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield app, port
    finally:
        srv.should_exit = True
        await asyncio.wait_for(task, 10)
