import datetime as dt

from auction import audit
from tests import factories as f


async def test_audit_record_keeps_who_what_and_from_to_in_order(db) -> None:
    async with db.begin() as s:
        officer = await f.make_user(s, "o@x.test", role="officer", office_code="LED-10-1")
        audit.record(s, None, "registration", 7, "create", None, "pending_deposit", channel="remote")
        audit.record(s, officer.id, "registration", 7, "confirm", "pending_deposit", "confirmed",
                     day=dt.date(2026, 11, 23))  # fmt: skip
        audit.record(s, officer.id, "registration", 8, "reject", "pending_deposit", "rejected")
    async with db() as s:
        rows = await audit.trail(s, "registration", 7)
    assert [(r.action, r.from_state, r.to_state) for r in rows] == [
        ("create", None, "pending_deposit"),
        ("confirm", "pending_deposit", "confirmed"),
    ]
    assert rows[0].actor_id is None and rows[1].actor_id == officer.id
    assert rows[1].detail == {"day": "2026-11-23"} and rows[1].at.tzinfo is not None
