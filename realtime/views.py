"""Reading a room: snapshots, the lot in progress, a person's standing (`you`, decided in
`standing` only), missed events, ladders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction import rules
from auction.auth import Principal
from auction.models import Bid, Case, Lot, Office, Registration, Room, RoomEvent, SaleRound
from auction.services import PROPERTY_TYPES
from auction.thai import BANGKOK
from realtime import protocol
from realtime.chain import event_message
from realtime.protocol import LotState

REPLAY_LIMIT = 500


def person_problem(
    who: Principal, barred_until: dt.date | None, today: dt.date, conducting: int | None
) -> str | None:
    if who.user_id is None:
        return "login_required"
    person = rules.Person(
        who.role, who.is_led_staff, barred_until if barred_until else who.barred_until, who.user_id
    )
    return rules.eligibility_problem(person, today, conducting)


async def find_room(session: AsyncSession, office_id: int, sale_date: dt.date) -> Room | None:
    return await session.scalar(select(Room).where(Room.office_id == office_id, Room.sale_date == sale_date))


async def get_or_create_room(session: AsyncSession, office_id: int, sale_date: dt.date) -> Room | None:
    """The room, made if it does not exist yet; None when there is no such office. Safe however
    many processes make it at once: the insert yields to whichever came first (the unique key), and
    on SQLite the caller's transaction holds the write lock from its start (write_sessionmaker), so
    no reader is left to upgrade into a lock another writer holds."""
    room = await find_room(session, office_id, sale_date)
    if room is not None:
        return room
    if await session.get(Office, office_id) is None:
        return None
    assert session.bind is not None  # the app's sessions are always bound to its engine
    dialect = session.bind.dialect.name
    if dialect in ("sqlite", "postgresql"):
        make = sqlite_insert if dialect == "sqlite" else pg_insert
        await session.execute(
            make(Room)
            .values(office_id=office_id, sale_date=sale_date)
            .on_conflict_do_nothing(index_elements=["office_id", "sale_date"])
        )
    else:  # pragma: no cover - the two databases the project runs on are above
        try:
            async with session.begin_nested():
                session.add(Room(office_id=office_id, sale_date=sale_date))
        except IntegrityError:
            pass
    return await find_room(session, office_id, sale_date)


async def standing_bids(session: AsyncSession, round_id: int) -> list[Bid]:
    return list(
        await session.scalars(
            select(Bid).where(Bid.round_id == round_id, Bid.undone.is_(False)).order_by(Bid.seq)
        )
    )


async def all_bids(session: AsyncSession, round_id: int) -> list[Bid]:
    """Standing and undone bids: a joiner sees an undone bid struck through, as those present saw it."""
    return list(await session.scalars(select(Bid).where(Bid.round_id == round_id).order_by(Bid.seq)))


def bid_view(b: Bid) -> dict[str, Any]:
    out = {"bid_id": b.id, "bidder_no": b.bidder_no, "amount": b.amount, "channel": b.channel,
           "at": b.at.isoformat(), "seq": b.seq}  # fmt: skip
    if b.undone:
        out["undone"] = True
        out["undo_reason"] = b.undo_reason
    return out


def live_lot(r: SaleRound) -> rules.LiveLot:
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
        "bidder_no": r.current_bidder_no, "count": r.count, "bidder_count": r.bidder_count,
        "next_min": rules.min_next_bid(live_lot(r)) if r.live_state == LotState.OPEN else None,
        "bids": [bid_view(b) for b in bids],
    }  # fmt: skip


async def round_lot_case(session: AsyncSession, round_id: int) -> tuple[SaleRound, Lot, Case] | None:
    row = (
        await session.execute(
            select(SaleRound, Lot, Case)
            .join(Lot, Lot.id == SaleRound.lot_id)
            .join(Case, Case.id == Lot.case_id)
            .where(SaleRound.id == round_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


# A bidder who rejoins after the hammer: the deposit is settled but the paddle was theirs (not "register").
SETTLED = ("applied", "released", "refunded", "forfeited")


def standing(
    who: Principal,
    today: dt.date,
    officer_id: int | None,
    current_round_id: int | None,
    registration: tuple[str, int | None] | None,
) -> protocol.You:
    """Whether `who` may bid on the current lot, and with which bidder number: the one rule for a
    joiner's snapshot and for everyone when a lot opens. `registration`: (status, bidder number) of
    their confirmed or settled registration for the current round, if any. Advice for the page: the
    bid path checks everything again in its own transaction."""
    reason = person_problem(who, None, today, officer_id)
    bidder_no: int | None = None
    if current_round_id is not None and who.user_id is not None and reason is None:
        if registration is None:
            reason = "not_approved"
        else:
            status, bidder_no = registration
            if status != "confirmed":
                reason = "lot_not_open"  # the lot closed and settled the deposit; still this bidder's number
    elif current_round_id is None and reason is None:
        reason = "lot_not_open"
    return protocol.you(who.role, who.user_id, bidder_no, reason)


async def you(
    session: AsyncSession,
    current_round_id: int | None,
    officer_id: int | None,
    who: Principal,
    today: dt.date,
) -> protocol.You:
    """The joiner's standing for the current lot (one query)."""
    registration = None
    if current_round_id is not None and person_problem(who, None, today, officer_id) is None:
        reg = await session.scalar(
            select(Registration).where(
                Registration.round_id == current_round_id,
                Registration.user_id == who.user_id,
                Registration.status.in_(("confirmed", *SETTLED)),
            )
        )
        registration = None if reg is None else (reg.status, reg.bidder_no)
    return standing(who, today, officer_id, current_round_id, registration)


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
    """Everything a joiner needs: the room at `room.last_seq`, plus their own standing."""
    snap = await room_snapshot(session, room)
    today = now.astimezone(BANGKOK).date()
    return {
        **snap,
        "server_time": now.isoformat(),
        "you": await you(session, room.current_round_id, room.officer_id, who, today),
    }


async def room_snapshot(session: AsyncSession, room: Room) -> dict[str, Any]:
    """The part of a snapshot that is the same for everyone (the room as of `room.last_seq`)."""
    office = await session.get(Office, room.office_id)
    lot: dict[str, Any] | None = None
    if room.current_round_id is not None:
        rlc = await round_lot_case(session, room.current_round_id)
        if rlc is not None:
            lot = lot_view(*rlc, await all_bids(session, room.current_round_id))
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
        "room": {
            "id": room.id,
            "office_id": room.office_id,
            "sale_date": room.sale_date.isoformat(),
            "status": room.status,
            "office": {"th": office.name_th, "en": office.name_en} if office else None,
        },  # fmt: skip
        "lot": lot,
        "queue": queue,
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


async def ladder(session: AsyncSession, round_id: int) -> dict[str, Any] | None:
    """The public bid ladder of a closed round (bidder numbers, amounts, server times)."""
    r = await session.get(SaleRound, round_id)
    if r is None:
        return None
    closed = r.live_state in protocol.CLOSED or r.status != protocol.ROUND_SCHEDULED
    bids = await standing_bids(session, round_id) if closed else []
    count = await session.scalar(select(func.count()).select_from(Bid).where(Bid.round_id == round_id))
    return {"round_id": r.id, "closed": closed, "status": r.status, "sold_price": r.sold_price,
            "winner_bidder_no": r.winner_bidder_no, "bids_total": count,
            "bids": [bid_view(b) for b in bids]}  # fmt: skip
