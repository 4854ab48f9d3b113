"""An undone bid stays on the record that joiners see, struck through, with the officer's reason."""

from __future__ import annotations

from tests.realtime.roomkit import build, server


async def test_a_joiner_after_an_undo_sees_the_undone_bid_flagged_with_its_reason(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1, \
            srv.peer(fx, "b2") as b2:  # fmt: skip
        opened = await off.command("open_lot", round_id=fx.rounds[0], increment=10_000)
        assert opened and opened["type"] == "lot_opened"
        assert (await b1.bid(1_600_000))["status"] == "accepted"
        assert (await b2.bid(1_610_000))["status"] == "accepted"
        undone = await off.command("undo", reason="ผู้เสนอราคาขอถอน")
        assert undone and undone["type"] == "bid_undone"
        async with srv.peer(fx, None, join=False) as late:
            snap = await late.join()
    bids = snap["lot"]["bids"]
    assert [(b["amount"], b.get("undone", False)) for b in bids] == [(1_600_000, False), (1_610_000, True)]
    assert bids[1]["undo_reason"] == "ผู้เสนอราคาขอถอน"
    # The standing price is the bid that was not undone.
    assert (snap["lot"]["price"], snap["lot"]["bidder_no"]) == (1_600_000, 1)
