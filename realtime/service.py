"""The room's authority: every command is one database transaction that checks the rules against
the committed state, appends the hash-chained event(s) and moves the room's sequence on.

Correctness lives here and in the database, not in memory: the room row is locked
(`SELECT ... FOR UPDATE` on PostgreSQL; `BEGIN IMMEDIATE`, the single writer, on SQLite), so two
processes behind a load balancer can never both accept conflicting bids. Functions here never
publish; the caller publishes only what this returns, after the commit.

Owns COMMANDS, the one registry of the client's commands: for each, its parser, who may send it,
whether it shares a transaction with its neighbours, whether it is answered by a receipt, and its
handler here. A new command is one entry there, its parse function (realtime/protocol.py), its
handler and its line in docs/protocol.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from auction import rules
from auction.auth import Principal, person_of
from auction.models import Bid, Registration, Room, SaleRound, User
from auction.thai import BANGKOK
from realtime import protocol
from realtime.chain import append
from realtime.protocol import (
    ROUND_SCHEDULED,
    BidData,
    Channel,
    Command,
    CountData,
    FloorBidData,
    LotState,
    NoData,
    OpenLotData,
    ProtocolError,
    RoomStatus,
    SetIncrementData,
    SuspendData,
    UndoData,
    Who,
)
from realtime.views import live_lot, lot_view, round_lot_case, standing_bids


@dataclass
class Result:
    """What a command produced: committed events to broadcast, and the reply to its sender."""

    events: list[dict[str, Any]] = field(default_factory=list)
    reply: protocol.Receipt | None = None
    lot_changed: bool = False


def _require_officer(room: Room, who: Principal) -> None:
    if not who.is_officer:
        raise ProtocolError("officer_only")
    if not who.may_run_office(room.office_id):
        raise ProtocolError("wrong_office")


async def _current_round(session: AsyncSession, room: Room) -> SaleRound:
    """The live round, locked once per transaction (a batch of bids reuses the locked row)."""
    if room.current_round_id is None:
        raise ProtocolError("lot_not_open")
    key = f"locked_round:{room.current_round_id}"
    r = session.info.get(key)
    if r is None:
        r = await session.scalar(
            select(SaleRound).where(SaleRound.id == room.current_round_id).with_for_update()
        )
        if r is None:
            raise ProtocolError("lot_not_open")
        session.info[key] = r
    return r


async def _live_round(session: AsyncSession, room: Room) -> SaleRound:
    """The preamble of every officer command on the lot in progress (the officer is checked first,
    by `apply`)."""
    r = await _current_round(session, room)
    _open_round(r)
    return r


def _open_round(r: SaleRound) -> None:
    if r.live_state in protocol.ENDED:
        raise ProtocolError("lot_closed")
    if r.live_state != LotState.OPEN:
        raise ProtocolError("lot_not_open")


@dataclass(frozen=True)
class BidLimits:
    """How far above the price a bid may go (settings bid_confirm_ratio, bid_max_ratio): one slip of
    a finger (a digit too many) must not freeze a lot at a price nobody will pay until an undo."""

    confirm_ratio: float = 2.0  # above this many times the price: only with confirm=true
    max_ratio: float = 10.0  # above this: refused outright


def check_jump(r: SaleRound, amount: int, confirm: bool, limits: BidLimits | None) -> None:
    """Measured against the price standing, or the starting price before the first bid."""
    limits = limits or BidLimits()
    base = r.current_price if r.current_price is not None else r.start_price
    if base <= 0:
        return
    if amount > base * limits.max_ratio:
        raise ProtocolError("bid_too_high", max_amount=int(base * limits.max_ratio))
    if amount > base * limits.confirm_ratio and not confirm:
        raise ProtocolError("confirm_required", amount=amount, ratio=round(amount / base, 1))


async def lock_room(session: AsyncSession, room_id: int) -> Room:
    room = await session.scalar(select(Room).where(Room.id == room_id).with_for_update())
    if room is None:
        raise ProtocolError("room_not_found")
    return room


async def apply(session: AsyncSession, room: Room, who: Principal, cmd: Command, now: dt.datetime,
                limits: BidLimits | None = None) -> Result:  # fmt: skip
    """Run one command inside the caller's write transaction, on the locked room.
    Raises ProtocolError to refuse (nothing changed)."""
    spec = COMMANDS.get(cmd.type)
    if spec is None or spec.handler is None:  # join and ping never reach a room's worker
        raise ProtocolError("unknown_type", cmd.type)
    if spec.who == "officer":  # before anything about the lot
        _require_officer(room, who)
    if spec.batches:
        # Nothing is flushed between bids of a batch: rows changed in memory (the round, the
        # room) are written once at commit; the bid itself is inserted directly.
        with session.no_autoflush:
            return await spec.handler(session, room, who, cmd.data, now, limits)
    return await spec.handler(session, room, who, cmd.data, now, limits)


async def execute(
    session: AsyncSession, room_id: int, who: Principal, cmd: Command, now: dt.datetime
) -> Result:
    """One command in its own transaction (the caller's)."""
    return await apply(session, await lock_room(session, room_id), who, cmd, now)


async def _bid(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: BidData,
    now: dt.datetime,
    limits: BidLimits | None = None,
) -> Result:
    today = now.astimezone(BANGKOK).date()
    r = await _current_round(session, room)
    _open_round(r)  # a closed lot says so before anything about the bidder
    if who.user_id is None:
        raise ProtocolError("login_required")
    # One round trip on the hot path: the bidder's confirmed registration, their account as it is
    # now (a bar imposed after they joined counts at once) and any bid already sent with this key.
    row = (
        await session.execute(
            select(User, Registration, Bid)
            .outerjoin(
                Registration,
                (Registration.user_id == User.id)
                & (Registration.round_id == r.id)
                & (Registration.status == "confirmed"),
            )
            .outerjoin(
                Bid,
                (Bid.registration_id == Registration.id)
                & (Bid.round_id == r.id)
                & (Bid.idem_key == data["key"]),
            )
            .where(User.id == who.user_id)
        )  # fmt: skip
    ).first()
    if row is None:
        raise ProtocolError("login_required")
    user, reg, prior = row
    # The same rule function registration uses (auction.registration.check_can_bid wraps it).
    problem = rules.eligibility_problem(person_of(user), today, room.officer_id)
    if problem:
        raise ProtocolError(problem)
    if reg is None:
        raise ProtocolError("not_approved")
    return await _place(session, room, r, reg, data["amount"], data["key"], Channel.REMOTE, who.user_id, now, prior,
                        confirm=bool(data.get("confirm")), limits=limits)  # fmt: skip


async def _floor_bid(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: FloorBidData,
    now: dt.datetime,
    limits: BidLimits | None = None,
) -> Result:
    r = await _live_round(session, room)
    # One round trip, as for a remote bid: the paddle's confirmed registration, its account (a walk-in
    # paddle may have none) and any bid already sent with this key.
    row = (
        await session.execute(
            select(Registration, User, Bid)
            .outerjoin(User, User.id == Registration.user_id)
            .outerjoin(
                Bid,
                (Bid.registration_id == Registration.id)
                & (Bid.round_id == r.id)
                & (Bid.idem_key == data["key"]),
            )
            .where(
                Registration.round_id == r.id,
                Registration.bidder_no == data["paddle"],
                Registration.status == "confirmed",
            )
        )  # fmt: skip
    ).first()
    if row is None:
        raise ProtocolError("unknown_paddle")
    reg, user, prior = row
    if user is not None:
        # The same rule function as a remote bid and registration: staff never, the barred not yet.
        problem = rules.eligibility_problem(person_of(user), now.astimezone(BANGKOK).date(), room.officer_id)
        if problem:
            raise ProtocolError(problem)
    if reg.channel != Channel.FLOOR:
        # A paddle registered to bid online belongs to someone who is not in the room: the officer
        # must not bid in their name. Only a bidder checked in on the floor raises a paddle.
        raise ProtocolError("not_on_floor")
    return await _place(session, room, r, reg, data["amount"], data["key"], Channel.FLOOR, who.user_id, now, prior,
                        confirm=bool(data.get("confirm")), limits=limits)  # fmt: skip


async def _place(session: AsyncSession, room: Room, r: SaleRound, reg: Registration, amount: int, key: str,
                 channel: Channel, actor_id: int | None, now: dt.datetime, prior: Bid | None, *,
                 confirm: bool = False, limits: BidLimits | None = None) -> Result:  # fmt: skip
    """`prior`: the bid already sent with this key, as the caller's one query found it (or None)."""
    if prior is not None:  # a replayed key: repeat the original receipt, change nothing
        return Result(reply=protocol.accepted(key, prior.seq, prior.at.isoformat(), prior.amount, prior.id,
                                              duplicate=True))  # fmt: skip
    verdict = rules.evaluate_bid(live_lot(r), reg.bidder_no or 0, amount)
    if isinstance(verdict, rules.BidRejected):
        extra: dict[str, Any] = {} if verdict.min_amount is None else {"min_amount": verdict.min_amount}
        raise ProtocolError(verdict.code, **extra)
    check_jump(r, amount, confirm, limits)
    seq = room.last_seq + 1
    bidder_no = reg.bidder_no or 0
    bid_id = (
        await session.execute(
            insert(Bid)
            .values(
                room_id=room.id,
                round_id=r.id,
                registration_id=reg.id,
                bidder_no=bidder_no,
                amount=amount,
                channel=channel,
                idem_key=key,
                seq=seq,
                at=now,
                undone=False,
            )
            .returning(Bid.id)
        )  # fmt: skip
    ).scalar_one()
    r.current_price, r.current_bid_id, r.current_bidder_no, r.count = amount, bid_id, bidder_no, 0
    r.version += 1
    event = append(session, room, "bid", r.id, actor_id, {
        "bid_id": bid_id, "bidder_no": bidder_no, "amount": amount, "channel": channel, "price": amount,
        "next_min": amount + (r.increment or 0), "count": 0,
    }, now)  # fmt: skip
    return Result(events=[event], reply=protocol.accepted(key, seq, now.isoformat(), amount, bid_id))


async def _open_lot(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: OpenLotData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await session.scalar(select(SaleRound).where(SaleRound.id == data["round_id"]).with_for_update())
    if r is None or r.office_id != room.office_id or r.sale_date != room.sale_date:
        raise ProtocolError("round_not_in_room")
    if r.status != ROUND_SCHEDULED or r.live_state != LotState.IDLE:
        raise ProtocolError("round_not_scheduled")
    if room.current_round_id is not None and room.current_round_id != r.id:
        current = await session.get(SaleRound, room.current_round_id)
        if current is not None and current.live_state == LotState.OPEN:
            raise ProtocolError("another_lot_open")
    increment = data.get("increment") or rules.default_increment(r.start_price, rules.policy_for(r.sale_date))
    r.live_state, r.increment, r.count, r.opened_at = LotState.OPEN, increment, 0, now
    r.current_price = r.current_bid_id = r.current_bidder_no = None
    r.version += 1
    room.current_round_id, room.officer_id, room.status = r.id, who.user_id, RoomStatus.OPEN
    rlc = await round_lot_case(session, r.id)
    assert rlc is not None
    event = append(session, room, "lot_opened", r.id, who.user_id, {"lot": lot_view(*rlc, [])}, now)
    return Result(events=[event], reply=None, lot_changed=True)


async def _set_increment(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: SetIncrementData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await _live_round(session, room)
    amount = data["amount"]
    if amount > max(r.start_price, 1):
        raise ProtocolError("bad_increment")
    r.increment = amount
    r.version += 1
    next_min = rules.min_next_bid(live_lot(r))
    return Result(events=[append(session, room, "increment_set", r.id, who.user_id,
                                  {"increment": amount, "next_min": next_min}, now)])  # fmt: skip


async def _count(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: CountData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await _live_round(session, room)
    if r.current_price is None:
        raise ProtocolError("no_bids")
    if data["n"] != r.count + 1:
        raise ProtocolError("count_out_of_order")
    r.count = data["n"]
    r.version += 1
    return Result(events=[append(session, room, "count", r.id, who.user_id, {"n": r.count}, now)])


async def _close(session: AsyncSession, room: Room, who: Principal, r: SaleRound, outcome: str, now: dt.datetime,
                 **kwargs: Any) -> None:  # fmt: skip
    from auction.outcomes import record_outcome

    r.closed_at = now
    r.version += 1
    await session.flush()
    await record_outcome(session, r.id, outcome, actor_id=who.user_id, now=now, **kwargs)


async def _hammer(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: NoData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await _live_round(session, room)
    if r.current_price is None or r.current_bid_id is None:
        raise ProtocolError("no_bids")
    if r.count < 3:
        raise ProtocolError("count_not_finished")
    bids = await standing_bids(session, r.id)
    winner = next(b for b in bids if b.id == r.current_bid_id)
    bidder_count = len({b.bidder_no for b in bids})
    r.live_state = LotState.HAMMERED
    await _close(session, room, who, r, "sold", now, sold_price=r.current_price,
                 winner_registration_id=winner.registration_id, winner_bidder_no=winner.bidder_no,
                 bidder_count=bidder_count)  # fmt: skip
    ladder = [
        {"bidder_no": b.bidder_no, "amount": b.amount, "at": b.at.isoformat(), "channel": b.channel}
        for b in bids
    ]
    event = append(session, room, "hammer", r.id, who.user_id, {
        "price": r.current_price, "bidder_no": winner.bidder_no, "bidder_count": bidder_count, "ladder": ladder,
    }, now)  # fmt: skip
    return Result(events=[event])


async def _pass(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: NoData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await _live_round(session, room)
    if r.current_price is not None:
        raise ProtocolError("has_bids")
    r.live_state = LotState.PASSED
    await _close(session, room, who, r, "no_bidder", now, bidder_count=0)
    return Result(events=[append(session, room, "passed", r.id, who.user_id, {}, now)])


async def _suspend(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: SuspendData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await _live_round(session, room)
    r.live_state = LotState.SUSPENDED
    await _close(
        session,
        room,
        who,
        r,
        "suspended",
        now,
        reason_code=data["reason_code"],
        reason_text=data.get("reason"),
    )
    payload = {"reason_code": data["reason_code"], "reason": data.get("reason")}
    return Result(events=[append(session, room, "suspended", r.id, who.user_id, payload, now)])


async def _undo(
    session: AsyncSession,
    room: Room,
    who: Principal,
    data: UndoData,
    now: dt.datetime,
    limits: BidLimits | None,
) -> Result:
    r = await _live_round(session, room)
    bids = await standing_bids(session, r.id)
    if not bids:
        raise ProtocolError("nothing_to_undo")
    last = bids[-1]
    last.undone, last.undo_reason = True, data["reason"]
    prev = bids[-2] if len(bids) > 1 else None
    r.current_price = prev.amount if prev else None
    r.current_bid_id = prev.id if prev else None
    r.current_bidder_no = prev.bidder_no if prev else None
    r.count = 0
    r.version += 1
    payload = {"bid_id": last.id, "reason": data["reason"], "price": r.current_price, "bidder_no": r.current_bidder_no,
               "next_min": rules.min_next_bid(live_lot(r)), "count": 0}  # fmt: skip
    return Result(events=[append(session, room, "bid_undone", r.id, who.user_id, payload, now)])


Handler = Callable[[AsyncSession, Room, Principal, Any, dt.datetime, BidLimits | None], Awaitable[Result]]


@dataclass(frozen=True)
class CommandSpec:
    """One client command: everything the room needs to know about it."""

    parse: Callable[[dict[str, Any]], Mapping[str, Any]]  # its fields, checked (realtime/protocol.py)
    who: Who  # "officer": refused officer_only/wrong_office before its handler runs
    handler: Handler | None = None  # None: answered by the socket itself (realtime/routes.py)
    # Bids may share one transaction (group commit): their handlers check everything before they
    # change anything, so a refused bid leaves the batch untouched. Other commands run alone.
    batches: bool = False
    receipt: bool = False  # answered by a receipt with its key (a refusal too), else by an error


COMMANDS: dict[str, CommandSpec] = {
    "join": CommandSpec(protocol.parse_join, "anyone"),
    "ping": CommandSpec(protocol.parse_ping, "anyone"),
    "bid": CommandSpec(protocol.parse_bid, "bidder", _bid, batches=True, receipt=True),
    "floor_bid": CommandSpec(protocol.parse_floor_bid, "officer", _floor_bid, batches=True, receipt=True),
    "open_lot": CommandSpec(protocol.parse_open_lot, "officer", _open_lot),
    "set_increment": CommandSpec(protocol.parse_set_increment, "officer", _set_increment),
    "count": CommandSpec(protocol.parse_count, "officer", _count),
    "hammer": CommandSpec(protocol.parse_nothing, "officer", _hammer),
    "pass": CommandSpec(protocol.parse_nothing, "officer", _pass),
    "suspend": CommandSpec(protocol.parse_suspend, "officer", _suspend),
    "undo": CommandSpec(protocol.parse_undo, "officer", _undo),
}
assert COMMANDS.keys() == protocol.CLIENT_TYPES, "every message type of the protocol has its entry"


def batches(cmd: Command) -> bool:
    spec = COMMANDS.get(cmd.type)
    return spec is not None and spec.batches


def refusal(cmd: Command, exc: ProtocolError) -> protocol.Receipt | protocol.Error:
    """A bid is answered by a receipt carrying its key (so the client can retry exactly that bid);
    anything else by an error event."""
    spec = COMMANDS.get(cmd.type)
    if spec is not None and spec.receipt:
        return protocol.rejected(cmd.data.get("key"), exc)
    return protocol.error(exc.code, cmd.type, **exc.extra)
