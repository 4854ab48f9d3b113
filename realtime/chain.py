"""The room's append-only log: every event hash-chained to the one before, so any later change
to a past event is detectable (`verify_chain`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction.models import Room, RoomEvent


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


def append(session: AsyncSession, room: Room, type_: str, round_id: int | None, actor_id: int | None,
            payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:  # fmt: skip
    seq = room.last_seq + 1
    digest = event_hash(room.last_hash, room.id, seq, now, type_, round_id, actor_id, payload)
    session.add(RoomEvent(room_id=room.id, seq=seq, at=now, type=type_, round_id=round_id, actor_id=actor_id,
                          payload=payload, prev_hash=room.last_hash, hash=digest))  # fmt: skip
    room.last_seq, room.last_hash = seq, digest
    return {"type": type_, "seq": seq, "at": now.isoformat(), "round_id": round_id, **payload}
