"""What the database holds, as one value: a refused request must leave it exactly as it was."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from auction.db import Base
from auction.models import REFERENCE_TABLES

# A refused log-in is counted on purpose: the per-address throttle must see malformed tries too.
BOOKKEEPING = frozenset({"login_throttle"})


async def fingerprint(engine: AsyncEngine) -> str:
    digest = hashlib.sha256()
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in REFERENCE_TABLES or table.name in BOOKKEEPING:
                continue
            rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
            digest.update(f"{table.name}:{[tuple(r) for r in rows]!r}".encode())
    return digest.hexdigest()
