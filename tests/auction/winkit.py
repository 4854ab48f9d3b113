"""A buyer of regkit's world who pre-registered, had the deposit confirmed and won round 1."""

from __future__ import annotations

from typing import Any

from auction import registration
from auction.auth import principal_of
from auction.db import utcnow
from auction.models import Registration
from auction.outcomes import record_outcome
from tests.auction import regkit


async def registered(db: Any, w: regkit.World, confirm: bool = True) -> int:
    buyer = await regkit.user(db, w.buyer)
    officer = await regkit.user(db, w.officer)
    async with db.begin() as s:
        reg = await registration.register(s, principal_of(buyer), w.lot, w.round1)
        if confirm:
            await registration.confirm(s, principal_of(officer), reg.id, "transfer", "KTB-1")
        return reg.id


async def won(db: Any, w: regkit.World, price: int = 1_700_000) -> int:
    """Returns the registration id; the Sale is made by record_outcome."""
    reg_id = await registered(db, w)
    async with db.begin() as s:
        reg = await s.get(Registration, reg_id)
        assert reg is not None
        await record_outcome(s, w.round1, "sold", actor_id=w.officer, now=utcnow(), sold_price=price,
                             winner_registration_id=reg.id, winner_bidder_no=reg.bidder_no, bidder_count=3)  # fmt: skip
    return reg_id
