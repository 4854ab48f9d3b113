"""The e-Offering room through real WebSocket connections (in-process ASGI transport)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import select

from auction.models import Bid, RoomEvent
from tests.realtime.roomkit import Peer, build, room_state, server


async def open_lot(officer: Peer, round_id: int, increment: int = 10_000) -> dict:
    event = await officer.command("open_lot", round_id=round_id, increment=increment)
    assert event and event["type"] == "lot_opened", event
    return event


async def test_spectator_joins_and_gets_a_snapshot_with_the_days_queue(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, None, join=False) as p:
        snap = await p.join()
        assert snap["type"] == "snapshot" and snap["v"] == 1 and snap["seq"] == 0
        assert [q["round_id"] for q in snap["queue"]] == fx.rounds
        assert snap["lot"] is None
        assert snap["you"] == {
            "role": "public",
            "user_id": None,
            "bidder_no": None,
            "can_bid": False,
            "reason": "login_required",
        }
        assert snap["room"]["office"]["th"].startswith("สำนักงานบังคับคดี")


async def test_when_bid_placed_then_seen_by_everyone_in_room(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1, \
            srv.peer(fx, "b2") as b2, srv.peer(fx, None) as watcher:  # fmt: skip
        opened = await open_lot(off, fx.rounds[0])
        assert opened["lot"]["start_price"] == 1_600_000 and opened["lot"]["next_min"] == 1_600_000
        you = await b1.expect("you")
        assert you["bidder_no"] == 1 and you["can_bid"] is True, you
        receipt = await b1.bid(1_600_000)
        assert receipt["status"] == "accepted" and receipt["seq"] == 2
        for p in (off, b1, b2, watcher):
            e = await p.expect("bid")
            assert (e["seq"], e["bidder_no"], e["price"], e["next_min"], e["channel"]) == (
                2,
                1,
                1_600_000,
                1_610_000,
                "remote",
            )
        receipt = await b2.bid("๑,๖๑๐,๐๐๐")  # Thai digits with commas are a number too
        assert receipt["status"] == "accepted" and receipt["amount"] == 1_610_000
    assert await room_state(db, fx.office_id) == (3, 1_610_000, 2)


async def test_bid_rejections_change_nothing(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1, \
            srv.peer(fx, "stranger") as stranger, srv.peer(fx, "barred") as barred, \
            srv.peer(fx, None) as public:  # fmt: skip
        early = await b1.bid(1_600_000)
        assert (early["status"], early["code"]) == ("rejected", "lot_not_open")
        await open_lot(off, fx.rounds[0])
        await b1.bid(1_600_000)
        before = await room_state(db, fx.office_id)
        cases = [
            (b1, 1_700_000, "already_highest"),
            (stranger, 1_700_000, "not_approved"),
            (barred, 1_700_000, "bidder_barred"),
            (public, 1_700_000, "login_required"),
            (off, 1_700_000, "led_staff_cannot_bid"),
        ]
        for peer, amount, code in cases:
            r = await peer.bid(amount)
            assert (r["status"], r["code"]) == ("rejected", code), peer.name
            assert r["message"]["th"] and r["message"]["en"]
        async with srv.peer(fx, "b2") as b2:
            low = await b2.bid(1_609_999)
            assert (low["code"], low["min_amount"]) == ("bid_too_low", 1_610_000)
        assert await room_state(db, fx.office_id) == before


async def test_replayed_idempotency_key_repeats_the_receipt_and_changes_nothing(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        first = await b1.bid(1_600_000, key="k-1")
        again = await b1.bid(1_600_000, key="k-1")
        assert (
            again["duplicate"] is True and again["seq"] == first["seq"] and again["bid_id"] == first["bid_id"]
        )
        # A stale key with a different amount is still the same bid: nothing new happens.
        stale = await b1.bid(9_999_999, key="k-1")
        assert stale["duplicate"] is True and stale["amount"] == 1_600_000
    async with db() as s:
        assert len(list(await s.scalars(select(Bid)))) == 1
    assert (await room_state(db, fx.office_id))[0] == 2


async def test_malformed_and_unknown_messages_get_error_events_and_the_room_stays_up(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        before = await room_state(db, fx.office_id)
        for raw, code in [
            ("not json", "bad_message"),
            ("[1,2]", "bad_message"),
            ('{"type": 5}', "bad_message"),
            ('{"type": "dance"}', "unknown_type"),
            ('{"type": "bid", "amount": "lots", "key": "x"}', "bad_message"),
            ('{"type": "bid", "amount": true, "key": "x"}', "bad_message"),
            ('{"type": "bid", "amount": 5}', "bad_message"),
            ('{"type": "bid", "amount": 2000000, "key": "x", "v": 9}', "bad_version"),
            ('{"type": "join"}', "bad_message"),  # joined already
        ]:
            await b1.send_raw(raw)
            err = await b1.expect("error")
            assert err["code"] == code, raw
        assert await room_state(db, fx.office_id) == before
        ok = await b1.bid(1_600_000)
        assert ok["status"] == "accepted"


async def test_buyer_and_other_office_cannot_run_the_room(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "b1") as b1, srv.peer(fx, "other_officer") as other:
        for cmd, fields in [("open_lot", {"round_id": fx.rounds[0]}), ("count", {"n": 1}), ("hammer", {}),
                            ("floor_bid", {"paddle": 1, "amount": 2_000_000, "key": "f"}), ("pass", {}),
                            ("undo", {"reason": "x"}), ("suspend", {"reason_code": "other"}),
                            ("set_increment", {"amount": 1})]:  # fmt: skip
            err = await b1.command(cmd, **fields)
            assert err and err["code"] == "officer_only", cmd
        err = await other.command("open_lot", round_id=fx.rounds[0])
        assert err and err["code"] == "wrong_office"
    assert (await room_state(db, fx.office_id))[0] == 0


async def test_floor_bid_for_a_barred_paddle_is_refused_and_a_replayed_floor_key_changes_nothing(
    db, settings
) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off:
        await open_lot(off, fx.rounds[0])
        before = await room_state(db, fx.office_id)
        barred = await off.command("floor_bid", paddle=50, amount=1_600_000, key="f-barred")
        assert barred and (barred["status"], barred["code"]) == ("rejected", "bidder_barred")
        assert await room_state(db, fx.office_id) == before
        await off.send(type="floor_bid", paddle=99, amount=1_600_000, key="f-1")
        first = await off.expect("receipt")
        assert first["status"] == "accepted" and "duplicate" not in first
        await off.send(type="floor_bid", paddle=99, amount=1_700_000, key="f-1")
        again = await off.expect(lambda m: m["type"] == "receipt" and m.get("duplicate") is True)
        assert (again["bid_id"], again["seq"]) == (first["bid_id"], first["seq"])
        assert again["amount"] == 1_600_000
    async with db() as s:
        assert [b.amount for b in await s.scalars(select(Bid))] == [1_600_000]
    assert await room_state(db, fx.office_id) == (before[0] + 1, 1_600_000, 99)


async def test_floor_and_remote_bids_share_one_stream_with_count_reset_and_undo(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        await b1.bid(1_600_000)
        await off.expect("bid")
        await off.send(type="floor_bid", paddle="๙๙", amount=1_610_000, key="f1")
        receipt = await off.expect("receipt")
        assert receipt["status"] == "accepted"
        floor = await off.expect(lambda m: m["type"] == "bid" and m["bid_id"] == receipt["bid_id"])
        assert floor["channel"] == "floor" and floor["bidder_no"] == 99
        unknown = await off.command("floor_bid", paddle=77, amount=1_700_000, key="f2")
        assert unknown and (unknown["status"], unknown["code"]) == ("rejected", "unknown_paddle")
        assert (await off.command("count", n=2))["code"] == "count_out_of_order"
        assert (await off.command("count", n=1))["n"] == 1
        assert (await off.command("hammer"))["code"] == "count_not_finished"
        # A bid during the count resets it.
        await b1.bid(1_620_000)
        e = await off.expect("bid")
        assert e["count"] == 0
        assert (await off.command("count", n=2))["code"] == "count_out_of_order"
        assert (await off.command("count", n=1))["n"] == 1
        assert (await off.command("undo"))["code"] == "reason_required"
        undone = await off.command("undo", reason="ผู้เสนอราคาขอถอน")
        assert undone and undone["type"] == "bid_undone"
        assert (undone["price"], undone["bidder_no"], undone["next_min"]) == (1_610_000, 99, 1_620_000)
        assert (await off.command("pass"))["code"] == "has_bids"
    assert await room_state(db, fx.office_id) == (7, 1_610_000, 99)


async def test_bids_racing_from_many_clients_give_strictly_increasing_prices(db, settings) -> None:
    fx = await build(db, bidders=8, lots=1)
    async with server(settings) as srv, contextlib.AsyncExitStack() as stack:
        off = await stack.enter_async_context(srv.peer(fx, "officer"))
        peers = [await stack.enter_async_context(srv.peer(fx, f"b{i}")) for i in range(1, 9)]
        await open_lot(off, fx.rounds[0], increment=1_000)

        async def hammer_on(p: Peer) -> list[dict]:
            receipts = []
            for _ in range(6):
                # Everyone aims at the same next price: only one can win each step.
                snap_price = (await room_state(db, fx.office_id))[1]
                amount = 1_600_000 if snap_price is None else snap_price + 1_000
                receipts.append(await p.bid(amount))
            return receipts

        results = await asyncio.gather(*(hammer_on(p) for p in peers))
        accepted = [r for rs in results for r in rs if r["status"] == "accepted"]
        rejected = [r for rs in results for r in rs if r["status"] == "rejected"]
        assert accepted and rejected
        assert {r["code"] for r in rejected} <= {"bid_too_low", "already_highest"}
        last_seq = (await room_state(db, fx.office_id))[0]
        await off.expect(lambda m: m.get("seq") == last_seq, timeout=10)
        stream = [e for e in off.events() if e["type"] == "bid"]
        prices = [e["price"] for e in stream]
        assert prices == sorted(set(prices)) and len(prices) == len(accepted)
        assert [e["seq"] for e in off.events()] == list(range(1, last_seq + 1))  # gap-free
        # No bidder ever outbid themselves.
        assert all(a["bidder_no"] != b["bidder_no"] for a, b in zip(stream, stream[1:], strict=False))


async def test_reconnect_with_last_seq_replays_what_was_missed(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        await b1.bid(1_600_000)
        async with srv.peer(fx, "b2") as b2:
            seen = b2.last_seq
            assert seen == 2
        async with srv.peer(fx, "b3") as b3:  # while b2 is away
            assert (await b3.bid("1,700,000"))["status"] == "accepted"
        await off.command("count", n=1)
        async with srv.peer(fx, "b2", join=False) as back:
            replay = await back.join(last_seq=seen)
            assert replay["type"] == "replay"
            assert [(e["seq"], e["type"]) for e in replay["events"]] == [(3, "bid"), (4, "count")]
            you = await back.expect("you")
            assert you["bidder_no"] == 2 and you["can_bid"]
            r = await back.bid(1_710_000)
            assert r["status"] == "accepted" and r["seq"] == 5
        # Too far behind (or from the future): a fresh snapshot instead.
        async with srv.peer(fx, "b2", join=False) as lost:
            snap = await lost.join(last_seq=10_000)
            assert (
                snap["type"] == "snapshot" and snap["lot"]["price"] == 1_710_000 and snap["lot"]["count"] == 0
            )


async def test_server_restart_mid_lot_resumes_exactly_where_it_was(db, settings) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        await b1.bid(1_600_000)
        await off.command("count", n=1)
        await off.command("count", n=2)
    async with (
        server(settings) as srv2,
        srv2.peer(fx, "b2", join=False) as b2,
        srv2.peer(fx, "officer") as off2,
    ):
        snap = await b2.join()
        lot = snap["lot"]
        assert (snap["seq"], lot["price"], lot["bidder_no"], lot["count"], lot["live_state"]) == (
            4,
            1_600_000,
            1,
            2,
            "open",
        )
        assert snap["you"]["bidder_no"] == 2 and snap["you"]["can_bid"]
        assert (await off2.command("count", n=3))["n"] == 3
        r = await b2.bid(1_610_000)
        assert r["status"] == "accepted" and r["seq"] == 6


async def test_hash_chain_detects_a_later_alteration(db, settings, client) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        await b1.bid(1_600_000)
        async with srv.peer(fx, "b2") as b2:
            await b2.bid(1_610_000)
    url = f"/api/rooms/{fx.office_id}/2026-11-23/verify"
    assert (await client.get(url)).json() == {"ok": True, "events": 3, "first_bad_seq": None}
    async with db.begin() as s:
        e = await s.scalar(select(RoomEvent).where(RoomEvent.seq == 2))
        assert e is not None
        e.payload = {**e.payload, "amount": 1}  # someone edits history
    assert (await client.get(url)).json() == {"ok": False, "events": 2, "first_bad_seq": 2}


async def test_public_event_log_and_errors(db, settings, client) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off:
        await open_lot(off, fx.rounds[0])
    r = await client.get(f"/api/rooms/{fx.office_id}/2026-11-23/events?after=0")
    assert [e["type"] for e in r.json()["events"]] == ["lot_opened"]
    assert (await client.get(f"/api/rooms/{fx.office_id}/2026-11-23/events?after=-1")).json()["error"][
        "code"
    ] == "bad_after"
    assert (await client.get(f"/api/rooms/{fx.office_id}/2026-13-40")).json()["error"][
        "code"
    ] == "malformed_date"
    assert (await client.get(f"/api/rooms/{fx.office_id}/2027-01-01")).status_code == 404
    assert (await client.get("/api/rounds/abc/ladder")).status_code == 400


async def test_a_whole_lot_open_bids_floor_count_hammer_and_deposits_settled(db, settings, client) -> None:
    from auction.models import Lot, Registration, Sale, SaleRound

    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1, \
            srv.peer(fx, "b2") as b2, srv.peer(fx, None) as watcher:  # fmt: skip
        await open_lot(off, fx.rounds[0])
        assert (await b1.bid(1_600_000))["status"] == "accepted"
        assert (await b2.bid(1_650_000))["status"] == "accepted"
        await off.send(type="floor_bid", paddle=99, amount=1_660_000, key="floor-1")
        assert (await off.expect("receipt"))["status"] == "accepted"
        assert (await b2.bid(1_700_000))["status"] == "accepted"
        await off.expect(lambda m: m["type"] == "bid" and m["price"] == 1_700_000)
        for n in (1, 2, 3):
            assert (await off.command("count", n=n))["n"] == n
        hammer = await off.command("hammer")
        assert hammer and hammer["type"] == "hammer"
        assert (hammer["price"], hammer["bidder_no"], hammer["bidder_count"]) == (1_700_000, 2, 3)
        assert [x["amount"] for x in hammer["ladder"]] == [1_600_000, 1_650_000, 1_660_000, 1_700_000]
        for p in (b1, b2, watcher):
            seen = await p.expect("hammer")
            assert (seen["price"], seen["bidder_no"]) == (1_700_000, 2)
        late = await b1.bid(1_800_000)
        assert (late["status"], late["code"]) == ("rejected", "lot_closed")
        assert (await off.command("hammer"))["code"] == "lot_closed"
        # The next lot can open now.
        await open_lot(off, fx.rounds[1])
    async with db() as s:
        rnd = await s.get(SaleRound, fx.rounds[0])
        lot = await s.get(Lot, rnd.lot_id)
        assert (rnd.status, rnd.sold_price, rnd.winner_bidder_no, rnd.bidder_count, lot.status) == (
            "sold",
            1_700_000,
            2,
            3,
            "sold",
        )
        regs = {
            r.bidder_no: r.status
            for r in await s.scalars(select(Registration).where(Registration.round_id == fx.rounds[0]))
        }
        released = "released"
        assert regs == {1: released, 2: "applied", 3: released, 50: released, 98: released, 99: released}
        assert (await s.scalar(select(Sale))).price == 1_700_000
    ladder = (await client.get(f"/api/rounds/{fx.rounds[0]}/ladder")).json()
    assert ladder["closed"] and [b["bidder_no"] for b in ladder["bids"]] == [1, 2, 99, 2]
    assert (await client.get(f"/api/rooms/{fx.office_id}/2026-11-23/verify")).json()["ok"] is True


async def test_a_bidder_rejoining_after_the_hammer_keeps_their_number_and_is_not_told_to_register(
    db, settings
) -> None:
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        assert (await b1.bid(1_600_000))["status"] == "accepted"
        await off.expect(lambda m: m["type"] == "bid" and m["price"] == 1_600_000)
        for n in (1, 2, 3):
            assert (await off.command("count", n=n))["n"] == n
        assert (await off.command("hammer"))["type"] == "hammer"
    async with server(settings) as srv, srv.peer(fx, "b1") as winner, srv.peer(fx, "b2") as loser, \
            srv.peer(fx, "stranger") as stranger:  # fmt: skip
        you = {
            p.name: next(m for m in p.inbox if m["type"] == "snapshot")["you"]
            for p in (winner, loser, stranger)
        }
    assert (you["b1"]["bidder_no"], you["b1"]["can_bid"], you["b1"]["reason"]) == (1, False, "lot_not_open")
    assert (you["b2"]["bidder_no"], you["b2"]["reason"]) == (2, "lot_not_open")
    assert (you["stranger"]["bidder_no"], you["stranger"]["reason"]) == (None, "not_approved")


async def test_pass_and_suspend_close_a_lot_without_a_sale(db, settings) -> None:
    from auction.models import SaleRound

    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1:
        await open_lot(off, fx.rounds[0])
        assert (await off.command("hammer"))["code"] == "no_bids"
        assert (await off.command("count", n=1))["code"] == "no_bids"
        passed = await off.command("pass")
        assert passed and passed["type"] == "passed"
        assert (await b1.bid(1_600_000))["code"] == "lot_closed"
        await open_lot(off, fx.rounds[1])
        await b1.bid(1_600_000)
        await off.expect(lambda m: m["type"] == "bid" and m["round_id"] == fx.rounds[1])
        assert (await off.command("suspend"))["code"] == "bad_message"
        assert (await off.command("suspend", reason_code="bored"))["code"] == "bad_reason_code"
        suspended = await off.command("suspend", reason_code="court_order", reason="ศาลสั่งงดการขาย")
        assert suspended and suspended["type"] == "suspended" and suspended["reason_code"] == "court_order"
    async with db() as s:
        first, second = await s.get(SaleRound, fx.rounds[0]), await s.get(SaleRound, fx.rounds[1])
        assert (first.status, first.live_state, second.status, second.live_state) == (
            "no_bidder",
            "passed",
            "suspended",
            "suspended",
        )


async def test_pipelined_bids_share_transactions_and_a_refused_one_leaves_the_others_intact(
    db, settings
) -> None:
    """Group commit: bids queued behind each other commit together; one refused in the middle of a
    batch changes nothing while the rest stand, in order."""
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, None) as watcher:
        await open_lot(off, fx.rounds[0], increment=1_000)
        amounts = [1_600_000 + 1_000 * i for i in range(30)]
        amounts[10] = 1_000  # too low: refused alone
        for i, amount in enumerate(amounts):
            await off.send(type="floor_bid", paddle=98 + i % 2 if i != 11 else 99, amount=amount, key=f"p{i}")
        receipts = [
            await off.expect(lambda m, i=i: m["type"] == "receipt" and m["key"] == f"p{i}") for i in range(30)
        ]
        assert [r["status"] for r in receipts].count(
            "rejected"
        ) == 2  # the low one, and paddle 99 outbidding itself
        assert receipts[10]["code"] == "bid_too_low" and receipts[11]["code"] == "already_highest"
        accepted = [r for r in receipts if r["status"] == "accepted"]
        assert [r["seq"] for r in accepted] == list(range(2, 2 + len(accepted)))
        last = accepted[-1]["seq"]
        await watcher.expect(lambda m: m.get("seq") == last)
        prices = [e["price"] for e in watcher.events() if e["type"] == "bid"]
        assert prices == [a for i, a in enumerate(amounts) if i not in (10, 11)]
        stats = srv.app.state.hub.committed
        assert stats["transactions"] < stats["commands"]  # some bids did share a commit
    assert await room_state(db, fx.office_id) == (last, amounts[-1], 99)


async def test_a_command_that_fails_inside_a_batch_costs_only_itself_and_no_bid_is_answered_twice(
    db, settings, monkeypatch
) -> None:
    """A server fault on one bid of a group commit: the batch is retried one by one; the bids that
    then commit keep their single accepted receipt, the faulty one is answered `internal`, and the
    ones after it are answered too (not taken)."""
    from realtime import service

    real_apply = service.apply

    async def faulty(session, room, who, cmd, now, *rest):
        if cmd.data.get("key") == "p5":
            raise RuntimeError("disk full")
        return await real_apply(session, room, who, cmd, now, *rest)

    monkeypatch.setattr(service, "apply", faulty)
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off:
        await open_lot(off, fx.rounds[0], increment=1_000)
        for i in range(12):
            await off.send(type="floor_bid", paddle=98 + i % 2, amount=1_600_000 + 1_000 * i, key=f"p{i}")
        receipts = [
            await off.expect(lambda m, i=i: m["type"] == "receipt" and m["key"] == f"p{i}") for i in range(12)
        ]
        await off.send(type="ping", t=1)
        await off.expect("pong")  # everything the worker sent for those bids has arrived by now
        per_key = {
            f"p{i}": [m for m in off.inbox if m["type"] == "receipt" and m["key"] == f"p{i}"]
            for i in range(12)
        }
        assert all(len(v) == 1 for v in per_key.values()), per_key
        assert receipts[5]["code"] == "internal"
        accepted = {r["key"] for r in receipts if r["status"] == "accepted"}
        assert {f"p{i}" for i in range(5)} <= accepted
    async with db() as s:
        assert set(await s.scalars(select(Bid.idem_key))) == accepted


@pytest.mark.parametrize("failure", ["raises", "hangs"])
async def test_a_broker_failure_after_the_commit_never_turns_an_accepted_bid_into_a_refusal(
    db, settings, monkeypatch, failure
) -> None:
    """Redis restarting (an error) or unreachable (no answer) between the commit and the broadcast:
    the bidder keeps their accepted receipt (and gets no second, contradicting one), this process's
    sockets still get the event, and the room's worker goes on."""
    from realtime import rooms

    monkeypatch.setattr(rooms, "PUBLISH_TIMEOUT_SEC", 0.05)
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1, \
            srv.peer(fx, None) as watcher:  # fmt: skip
        await open_lot(off, fx.rounds[0])
        hub = srv.app.state.hub
        real = hub.broker.publish

        async def broken(channel: str, message: str) -> None:
            if failure == "hangs":
                await asyncio.Event().wait()
            raise ConnectionError("redis: connection reset")

        hub.broker.publish = broken
        try:
            receipt = await b1.bid(1_600_000)
            seen = await watcher.expect(lambda m: m["type"] == "bid" and m["seq"] == receipt["seq"])
        finally:
            hub.broker.publish = real
        assert receipt["status"] == "accepted" and seen["amount"] == 1_600_000
        second = await b1.bid(1_610_000)  # the room goes on, through the broker again
        assert second["status"] == "rejected" and second["code"] == "already_highest"
        assert [m for m in b1.inbox if m["type"] == "receipt" and m["key"] == receipt["key"]] == [receipt]
    assert await room_state(db, fx.office_id) == (2, 1_600_000, 1)


async def test_a_lost_last_event_reaches_the_sockets_from_the_log(db, settings, monkeypatch) -> None:
    """Redis pub/sub delivers at most once. A lost event is noticed when the next one arrives; when
    nothing follows (the hammer that ends a lot), the head check reads it from the log."""
    from realtime import rooms

    monkeypatch.setattr(rooms, "HEAD_CHECK_SEC", 0.1)
    fx = await build(db)
    async with server(settings) as srv:
        hub = srv.app.state.hub
        hub.watch_head = True  # on by itself with Redis; here the in-memory broker stands in
        async with srv.peer(fx, "officer") as off, srv.peer(fx, "b1") as b1, srv.peer(fx, None) as watcher:
            await open_lot(off, fx.rounds[0])
            real = hub.broker.publish
            lost: list[str] = []

            async def lose_the_bid(channel: str, message: str) -> None:
                if '"type":"bid"' in message and not lost:
                    lost.append(message)  # gone, as a pub/sub message sent during a reconnect
                    return
                await real(channel, message)

            hub.broker.publish = lose_the_bid
            receipt = await b1.bid(1_600_000)
            assert receipt["status"] == "accepted" and len(lost) == 1
            seen = await watcher.expect(lambda m: m["type"] == "bid", timeout=3)
            assert (seen["seq"], seen["amount"]) == (receipt["seq"], 1_600_000)
            assert [e["seq"] for e in watcher.events()] == [1, 2]
            (local,) = hub.rooms.values()
            assert local.last_seq == 2 and not local.filling and not local.out_of_order


async def test_the_audience_count_still_reaches_this_process_while_the_broker_fails(
    db, settings, monkeypatch
) -> None:
    from realtime import audience

    monkeypatch.setattr(audience, "AUDIENCE_EVERY", 0.05)
    fx = await build(db)
    async with server(settings) as srv, srv.peer(fx, None) as watcher:
        hub = srv.app.state.hub

        async def away(channel: str, message: str) -> None:
            raise ConnectionError("redis: connection refused")

        hub.broker.publish = away
        async with srv.peer(fx, "b1"), srv.peer(fx, "b2"):
            seen = await watcher.expect(lambda m: m["type"] == "audience" and m["count"] == 3, timeout=3)
            assert seen["count"] == 3
