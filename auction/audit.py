"""The audit trail: every state change, who made it, when, and from what to what.

One helper for every package (registrations, deposits, outcomes, the room), so the trail has one
shape. It only adds a row to the caller's session: the change and its record commit together or
not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auction.db import utcnow
from auction.models import AuditLog


def _plain(value: Any) -> Any:
    """JSON-safe detail values: dates as ISO strings, everything else as given."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def record(
    session: AsyncSession,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    **detail: Any,
) -> AuditLog:
    """Append one audit row (actor None = the system). Flushed with the caller's unit of work."""
    row = AuditLog(
        at=utcnow(),
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail={k: _plain(v) for k, v in detail.items()},
    )
    session.add(row)
    return row


async def trail(session: AsyncSession, entity: str, entity_id: int) -> list[AuditLog]:
    """The history of one record, oldest first."""
    rows = await session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.id)
    )
    return list(rows)
