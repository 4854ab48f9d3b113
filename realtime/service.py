"""The room's authority: every command is one database transaction that checks the rules against
the committed state, appends the hash-chained event(s) and moves the room's sequence on.

Correctness lives here and in the database, not in memory: the room row is locked
(`SELECT ... FOR UPDATE` on PostgreSQL; `BEGIN IMMEDIATE`, the single writer, on SQLite), so two
processes behind a load balancer can never both accept conflicting bids. Functions here never
publish; the caller publishes only what this returns, after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction import rules
from auction.auth import Principal
from auction.models import Bid, Case, Lot, Office, Registration, Room, RoomEvent, SaleRound, User
from auction.services import PROPERTY_TYPES
from auction.thai import BANGKOK
from realtime.protocol import Command, ProtocolError

REPLAY_LIMIT = 500


@dataclass
class Result:
    """What a command produced: committed events to broadcast, and the reply to its sender."""

    events: list[dict[str, Any]] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    lot_changed: bool = False


# --- the hash chain ------------------------------------------------------------------------------


def event_hash(prev_hash: str, room_id: int, seq: int, at: dt.datetime, type_: str, round_id: int | None,
               actor_id: int | None, payload: dict[str, Any]) -> str:  # fmt: skip
    body = json.dumps(
        {"room_id": room_id, "seq": seq, "at": at.astimezone(dt.UTC).isoformat(), "type": type_,
         "round_id": round_id, "actor_id": actor_id, "payload": payload},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )  # fmt: skip
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def event_message(e: RoomEvent) -> dict[str, Any]:
    return {"type": e.type, "seq": e.seq, "at": e.at.isoformat(), "round_id": e.round_id, **e.payload}


async def verify_chain(session: AsyncSession, room_id: int) -> dict[str, Any]:
    """Recompute every hash; report the first event that no longer matches."""
    prev = "0" * 64
    count = 0
    rows = await session.stream_scalars(
        select(RoomEvent).where(RoomEvent.room_id == room_id).order_by(RoomEvent.seq)
    )
    async for e in rows:
        count += 1
        expected = event_hash(prev, e.room_id, e.seq, e.at, e.type, e.round_id, e.actor_id, e.payload)
        if e.prev_hash != prev or e.hash != expected or e.seq != count:
            return {"ok": False, "events": count, "first_bad_seq": e.seq}
        prev = e.hash
    room = await session.get(Room, room_id)
    ok = room is not None and room.last_hash == prev and room.last_seq == count
    return {"ok": ok, "events": count, "first_bad_seq": None if ok else count}


def _append(session: AsyncSession, room: Room, type_: str, round_id: int | None, actor_id: int | None,
            payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:  # fmt: skip
    seq = room.last_seq + 1
    digest = event_hash(room.last_hash, room.id, seq, now, type_, round_id, actor_id, payload)
    session.add(RoomEvent(room_id=room.id, seq=seq, at=now, type=type_, round_id=round_id, actor_id=actor_id,
                          payload=payload, prev_hash=room.last_hash, hash=digest))  # fmt: skip
    room.last_seq, room.last_hash = seq, digest
    return {"type": type_, "seq": seq, "at": now.isoformat(), "round_id": round_id, **payload}


# --- reading ---------------------------------------------------------------------------------------


async def get_or_create_room(session: AsyncSession, office_id: int, sale_date: dt.date) -> Room | None:
    room = await session.scalar(select(Room).where(Room.office_id == office_id, Room.sale_date == sale_date))
    if room is not None:
        return room
    if await session.get(Office, office_id) is None:
        return None
    try:
        async with session.begin_nested():
            room = Room(office_id=office_id, sale_date=sale_date)
            session.add(room)
    except IntegrityError:  # another process created it first
        room = await session.scalar(
            select(Room).where(Room.office_id == office_id, Room.sale_date == sale_date)
        )
    return room


async def standing_bids(session: AsyncSession, round_id: int) -> list[Bid]:
    return list(
        await session.scalars(
            select(Bid).where(Bid.round_id == round_id, Bid.undone.is_(False)).order_by(Bid.seq)
        )
    )


def bid_view(b: Bid) -> dict[str, Any]:
    return {"bid_id": b.id, "bidder_no": b.bidder_no, "amount": b.amount, "channel": b.channel,
            "at": b.at.isoformat(), "seq": b.seq}  # fmt: skip


def _live(r: SaleRound) -> rules.LiveLot:
    return rules.LiveLot(r.live_state, r.start_price, r.increment or 0, r.current_price, r.current_bidder_no)


def lot_view(r: SaleRound, lot: Lot, case: Case, bids: list[Bid]) -> dict[str, Any]:
    th, en = PROPERTY_TYPES.get(lot.property_type, ("ทรัพย์", "Property"))
    name = lot.condo_name or ""
    return {
        "round_id": r.id, "lot_id": lot.id, "round_no": r.round_no, "sale_order": lot.sale_order,
        "red_case": case.red_key, "property_type": lot.property_type, "property_type_label": {"th": th, "en": en},
        "title": {"th": f"{th} {name}".strip(), "en": f"{en} {name}".strip()},
        "appraisal": lot.base_price, "start_price": r.start_price, "deposit": lot.deposit,
        "increment": r.increment, "live_state": r.live_state, "price": r.current_price,
        "bidder_no": r.current_bidder_no, "count": r.count,
        "next_min": rules.min_next_bid(_live(r)) if r.live_state == "open" else None,
        "bids": [bid_view(b) for b in bids],
    }  # fmt: skip


async def _round_lot_case(session: AsyncSession, round_id: int) -> tuple[SaleRound, Lot, Case] | None:
    row = (
        await session.execute(
            select(SaleRound, Lot, Case)
            .join(Lot, Lot.id == SaleRound.lot_id)
            .join(Case, Case.id == Lot.case_id)
            .where(SaleRound.id == round_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def you(session: AsyncSession, room: Room, who: Principal, today: dt.date) -> dict[str, Any]:
    """The joiner's standing for the current lot: bidder number and whether they may bid."""
    out: dict[str, Any] = {"role": who.role, "user_id": who.user_id, "bidder_no": None, "can_bid": False}
    reason = _person_problem(who, None, today, room.officer_id)
    if room.current_round_id is not None and who.user_id is not None and reason is None:
        reg = await session.scalar(
            select(Registration).where(
                Registration.round_id == room.current_round_id,
                Registration.user_id == who.user_id,
                Registration.status == "confirmed",
            )
        )
        if reg is None:
            reason = "not_approved"
        else:
            out["bidder_no"] = reg.bidder_no
    elif room.current_round_id is None and reason is None:
        reason = "lot_not_open"
    out["can_bid"] = reason is None
    out["reason"] = reason
    return out


async def approvals(session: AsyncSession, round_id: int) -> dict[int, int]:
    """user_id -> bidder number of everyone approved for a round (one query per lot opened)."""
    rows = await session.execute(
        select(Registration.user_id, Registration.bidder_no).where(
            Registration.round_id == round_id,
            Registration.status == "confirmed",
            Registration.user_id.is_not(None),
        )
    )
    return {uid: no for uid, no in rows.all() if uid is not None and no is not None}


async def snapshot(session: AsyncSession, room: Room, who: Principal, now: dt.datetime) -> dict[str, Any]:
    office = await session.get(Office, room.office_id)
    lot: dict[str, Any] | None = None
    if room.current_round_id is not None:
        rlc = await _round_lot_case(session, room.current_round_id)
        if rlc is not None:
            lot = lot_view(*rlc, await standing_bids(session, room.current_round_id))
    queue_rows = await session.execute(
        select(SaleRound, Lot.sale_order, Lot.property_type, Case.red_key, Lot.id)
        .join(Lot, Lot.id == SaleRound.lot_id)
        .join(Case, Case.id == Lot.case_id)
        .where(SaleRound.office_id == room.office_id, SaleRound.sale_date == room.sale_date)
        .order_by(Case.red_key, Lot.sale_order, SaleRound.id)
    )
    queue = [
        {
            "round_id": r.id,
            "lot_id": lot_id,
            "sale_order": order,
            "red_case": red,
            "property_type": ptype,
            "start_price": r.start_price,
            "status": r.status,
            "live_state": r.live_state,
        }  # fmt: skip
        for r, order, ptype, red, lot_id in queue_rows.all()
    ]
    return {
        "type": "snapshot",
        "seq": room.last_seq,
        "server_time": now.isoformat(),
        "room": {
            "id": room.id,
            "office_id": room.office_id,
            "sale_date": room.sale_date.isoformat(),
            "status": room.status,
            "office": {"th": office.name_th, "en": office.name_en} if office else None,
        },  # fmt: skip
        "lot": lot,
        "queue": queue,
        "you": await you(session, room, who, now.astimezone(BANGKOK).date()),
    }


async def events_after(
    session: AsyncSession, room_id: int, after: int, limit: int = REPLAY_LIMIT
) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(RoomEvent)
        .where(RoomEvent.room_id == room_id, RoomEvent.seq > after)
        .order_by(RoomEvent.seq)
        .limit(limit)
    )
    return [event_message(e) for e in rows]


# --- commands -----------------------------------------------------------------------------------


def _person_problem(
    who: Principal, barred_until: dt.date | None, today: dt.date, conducting: int | None
) -> str | None:
    if who.user_id is None:
        return "login_required"
    person = rules.Person(
        who.role, who.is_led_staff, barred_until if barred_until else who.barred_until, who.user_id
    )
    return rules.eligibility_problem(person, today, conducting)


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


async def _officer_live_round(session: AsyncSession, room: Room, who: Principal) -> SaleRound:
    """The preamble of every officer command on the lot in progress."""
    _require_officer(room, who)
    r = await _current_round(session, room)
    _open_round(r)
    return r


def _open_round(r: SaleRound) -> None:
    if r.live_state in ("hammered", "passed"):
        raise ProtocolError("lot_closed")
    if r.live_state != "open":
        raise ProtocolError("lot_not_open")


# Bids may share one transaction (group commit): their handlers check everything before they
# change anything, so a refused bid leaves the batch untouched. Other commands run alone.
BATCHABLE = frozenset({"bid", "floor_bid"})


async def lock_room(session: AsyncSession, room_id: int) -> Room:
    room = await session.scalar(select(Room).where(Room.id == room_id).with_for_update())
    if room is None:
        raise ProtocolError("room_not_found")
    return room


async def apply(session: AsyncSession, room: Room, who: Principal, cmd: Command, now: dt.datetime) -> Result:
    """Run one command inside the caller's write transaction, on the locked room.
    Raises ProtocolError to refuse (nothing changed)."""
    if cmd.type in BATCHABLE:
        # Nothing is flushed between bids of a batch: rows changed in memory (the round, the
        # room) are written once at commit; the bid itself is inserted directly.
        with session.no_autoflush:
            return await _HANDLERS[cmd.type](session, room, who, cmd.data, now)
    return await _HANDLERS[cmd.type](session, room, who, cmd.data, now)


async def execute(
    session: AsyncSession, room_id: int, who: Principal, cmd: Command, now: dt.datetime
) -> Result:
    """One command in its own transaction (the caller's)."""
    return await apply(session, await lock_room(session, room_id), who, cmd, now)


async def _bid(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
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
    problem = rules.eligibility_problem(
        rules.Person(user.role, user.is_led_staff, user.barred_until, user.id), today, room.officer_id
    )
    if problem:
        raise ProtocolError(problem)
    if reg is None:
        raise ProtocolError("not_approved")
    return await _place(session, room, r, reg, data["amount"], data["key"], "remote", who.user_id, now, prior)


async def _floor_bid(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
    reg = await session.scalar(
        select(Registration).where(
            Registration.round_id == r.id,
            Registration.bidder_no == data["paddle"],
            Registration.status == "confirmed",
        )
    )
    if reg is None:
        raise ProtocolError("unknown_paddle")
    if reg.user_id is not None:
        user = await session.get(User, reg.user_id)
        if user is not None and (user.is_led_staff or user.role != "buyer"):
            raise ProtocolError("led_staff_cannot_bid")
        if (
            user is not None
            and user.barred_until is not None
            and now.astimezone(BANGKOK).date() <= user.barred_until
        ):
            raise ProtocolError("bidder_barred")
    return await _place(session, room, r, reg, data["amount"], data["key"], "floor", who.user_id, now)


async def _place(session: AsyncSession, room: Room, r: SaleRound, reg: Registration, amount: int, key: str,
                 channel: str, actor_id: int | None, now: dt.datetime, prior: Bid | None = None) -> Result:  # fmt: skip
    if prior is None:
        prior = await session.scalar(
            select(Bid).where(Bid.round_id == r.id, Bid.registration_id == reg.id, Bid.idem_key == key)
        )
    if prior is not None:  # a replayed key: repeat the original receipt, change nothing
        return Result(reply={"type": "receipt", "key": key, "status": "accepted", "duplicate": True,
                             "seq": prior.seq, "at": prior.at.isoformat(), "amount": prior.amount,
                             "bid_id": prior.id})  # fmt: skip
    verdict = rules.evaluate_bid(_live(r), reg.bidder_no or 0, amount)
    if isinstance(verdict, rules.BidRejected):
        extra = {} if verdict.min_amount is None else {"min_amount": verdict.min_amount}
        raise ProtocolError(verdict.code, **extra)
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
    event = _append(session, room, "bid", r.id, actor_id, {
        "bid_id": bid_id, "bidder_no": bidder_no, "amount": amount, "channel": channel, "price": amount,
        "next_min": amount + (r.increment or 0), "count": 0,
    }, now)  # fmt: skip
    receipt = {"type": "receipt", "key": key, "status": "accepted", "seq": seq, "at": now.isoformat(),
               "amount": amount, "bid_id": bid_id}  # fmt: skip
    return Result(events=[event], reply=receipt)


async def _open_lot(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    _require_officer(room, who)
    r = await session.scalar(select(SaleRound).where(SaleRound.id == data["round_id"]).with_for_update())
    if r is None or r.office_id != room.office_id or r.sale_date != room.sale_date:
        raise ProtocolError("round_not_in_room")
    if r.status != "scheduled" or r.live_state != "idle":
        raise ProtocolError("round_not_scheduled")
    if room.current_round_id is not None and room.current_round_id != r.id:
        current = await session.get(SaleRound, room.current_round_id)
        if current is not None and current.live_state == "open":
            raise ProtocolError("another_lot_open")
    increment = data.get("increment") or rules.default_increment(r.start_price, rules.policy_for(r.sale_date))
    r.live_state, r.increment, r.count, r.opened_at = "open", increment, 0, now
    r.current_price = r.current_bid_id = r.current_bidder_no = None
    r.version += 1
    room.current_round_id, room.officer_id, room.status = r.id, who.user_id, "open"
    rlc = await _round_lot_case(session, r.id)
    assert rlc is not None
    event = _append(session, room, "lot_opened", r.id, who.user_id, {"lot": lot_view(*rlc, [])}, now)
    return Result(events=[event], reply=None, lot_changed=True)


async def _set_increment(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
    amount = data["amount"]
    if amount > max(r.start_price, 1):
        raise ProtocolError("bad_increment")
    r.increment = amount
    r.version += 1
    next_min = rules.min_next_bid(_live(r))
    return Result(events=[_append(session, room, "increment_set", r.id, who.user_id,
                                  {"increment": amount, "next_min": next_min}, now)])  # fmt: skip


async def _count(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
    if r.current_price is None:
        raise ProtocolError("no_bids")
    if data["n"] != r.count + 1:
        raise ProtocolError("count_out_of_order")
    r.count = data["n"]
    r.version += 1
    return Result(events=[_append(session, room, "count", r.id, who.user_id, {"n": r.count}, now)])


async def _close(session: AsyncSession, room: Room, who: Principal, r: SaleRound, outcome: str, now: dt.datetime,
                 **kwargs: Any) -> None:  # fmt: skip
    from auction.outcomes import record_outcome

    r.closed_at = now
    r.version += 1
    await session.flush()
    await record_outcome(session, r.id, outcome, actor_id=who.user_id, now=now, **kwargs)


async def _hammer(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
    if r.current_price is None or r.current_bid_id is None:
        raise ProtocolError("no_bids")
    if r.count < 3:
        raise ProtocolError("count_not_finished")
    bids = await standing_bids(session, r.id)
    winner = next(b for b in bids if b.id == r.current_bid_id)
    bidder_count = len({b.bidder_no for b in bids})
    r.live_state = "hammered"
    await _close(session, room, who, r, "sold", now, sold_price=r.current_price,
                 winner_registration_id=winner.registration_id, winner_bidder_no=winner.bidder_no,
                 bidder_count=bidder_count)  # fmt: skip
    ladder = [
        {"bidder_no": b.bidder_no, "amount": b.amount, "at": b.at.isoformat(), "channel": b.channel}
        for b in bids
    ]
    event = _append(session, room, "hammer", r.id, who.user_id, {
        "price": r.current_price, "bidder_no": winner.bidder_no, "bidder_count": bidder_count, "ladder": ladder,
    }, now)  # fmt: skip
    return Result(events=[event])


async def _pass(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
    if r.current_price is not None:
        raise ProtocolError("has_bids")
    r.live_state = "passed"
    await _close(session, room, who, r, "no_bidder", now, bidder_count=0)
    return Result(events=[_append(session, room, "passed", r.id, who.user_id, {}, now)])


async def _suspend(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
    r.live_state = "suspended"
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
    return Result(events=[_append(session, room, "suspended", r.id, who.user_id, payload, now)])


async def _undo(
    session: AsyncSession, room: Room, who: Principal, data: dict[str, Any], now: dt.datetime
) -> Result:
    r = await _officer_live_round(session, room, who)
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
               "next_min": rules.min_next_bid(_live(r))}  # fmt: skip
    return Result(events=[_append(session, room, "bid_undone", r.id, who.user_id, payload, now)])


_HANDLERS = {
    "bid": _bid,
    "floor_bid": _floor_bid,
    "open_lot": _open_lot,
    "set_increment": _set_increment,
    "count": _count,
    "hammer": _hammer,
    "pass": _pass,
    "suspend": _suspend,
    "undo": _undo,
}


async def ladder(session: AsyncSession, round_id: int) -> dict[str, Any] | None:
    """The public bid ladder of a closed round (bidder numbers, amounts, server times)."""
    r = await session.get(SaleRound, round_id)
    if r is None:
        return None
    closed = r.live_state in ("hammered", "passed", "suspended") or r.status != "scheduled"
    bids = await standing_bids(session, round_id) if closed else []
    count = await session.scalar(select(func.count()).select_from(Bid).where(Bid.round_id == round_id))
    return {"round_id": r.id, "closed": closed, "status": r.status, "sold_price": r.sold_price,
            "winner_bidder_no": r.winner_bidder_no, "bids_total": count,
            "bids": [bid_view(b) for b in bids]}  # fmt: skip
