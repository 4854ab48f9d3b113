"""Room events written once as a frame and sent straight to each socket (realtime/direct.py).

The fast path must be invisible to clients: the same bytes websockets would write, the same order,
nothing overtaking a queued message, and a socket that pushes back goes through its bounded outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from auction.auth import PUBLIC
from realtime.connection import Connection
from realtime.direct import DirectWriter, text_frame
from tests.realtime.roomkit import build, peer, uvicorn_server


def test_the_frame_is_the_bytes_websockets_writes_for_the_same_text() -> None:
    proto = ServerProtocol()
    proto.state = OPEN
    for text in [
        '{"v":1,"type":"bid","seq":7}',
        "ราคา " * 40,
        "x" * 70_000,
    ]:  # short, 16-bit and 64-bit lengths
        proto.send_text(text.encode())
        assert text_frame(text) == b"".join(proto.data_to_send())


class FakeWriter:
    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.open = True

    def ready(self) -> bool:
        return self.open

    def write(self, frame: bytes) -> None:
        self.frames.append(frame)


async def test_a_shared_frame_never_overtakes_what_is_queued_for_the_socket() -> None:
    sent: list[str] = []
    gate = asyncio.Event()

    async def send(text: str) -> None:
        await gate.wait()  # the socket is slow: the sender task holds this message
        sent.append(text)

    writer = FakeWriter()
    conn = Connection(send, lambda code: asyncio.sleep(0), PUBLIC, 8, writer)  # type: ignore[arg-type]
    conn.go_live(0)
    conn.put("receipt")  # a personal message: always through the outbox
    conn.deliver(1, "event-1", b"frame-1")
    conn.deliver(2, "event-2", b"frame-2")
    assert writer.frames == []  # queued behind the receipt, never written ahead of it
    conn.start()
    gate.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert sent == ["receipt", "event-1", "event-2"]
    conn.deliver(3, "event-3", b"frame-3")  # the outbox is empty now: straight to the socket
    assert writer.frames == [b"frame-3"] and sent == ["receipt", "event-1", "event-2"]
    writer.open = False  # the transport pushes back: through the bounded outbox again
    conn.deliver(4, "event-4", b"frame-4")
    await asyncio.sleep(0)
    assert writer.frames == [b"frame-3"] and sent[-1] == "event-4"
    await conn.finish()


async def test_a_shared_frame_never_overtakes_the_message_the_sender_holds_when_the_socket_resumes() -> None:
    """The outbox is empty but the sender task still holds a message, waiting for the transport to
    drain (uvicorn's send waits on `writable`). The transport resumes; before the sender runs again
    an event arrives: it must go behind that message, not straight to the socket."""
    sent: list[str] = []
    gate = asyncio.Event()

    async def send(text: str) -> None:
        await gate.wait()  # paused transport: the sender holds this message
        sent.append(text)

    writer = FakeWriter()
    writer.open = False
    conn = Connection(send, lambda code: asyncio.sleep(0), PUBLIC, 8, writer)  # type: ignore[arg-type]
    conn.go_live(0)
    conn.start()
    conn.deliver(1, "event-1", b"frame-1")  # pushed back: queued, then taken by the sender
    for _ in range(3):
        await asyncio.sleep(0)
    assert conn.queue.empty() and sent == []  # the sender holds event-1
    writer.open = True  # resume_writing(): the transport is writable again
    gate.set()  # ... and the sender is woken, but has not run yet
    conn.deliver(2, "event-2", b"frame-2")
    assert writer.frames == []
    for _ in range(5):
        await asyncio.sleep(0)
    assert sent == ["event-1", "event-2"]
    conn.deliver(3, "event-3", b"frame-3")  # the sender is idle now: straight to the socket
    assert writer.frames == [b"frame-3"]
    await conn.finish()


async def test_a_full_outbox_still_drops_the_socket_when_it_pushes_back() -> None:
    async def never(text: str) -> None:
        await asyncio.Event().wait()

    writer = FakeWriter()
    writer.open = False
    conn = Connection(never, lambda code: asyncio.sleep(0), PUBLIC, 4, writer)  # type: ignore[arg-type]
    conn.go_live(0)
    conn.start()
    for seq in range(1, 10):
        conn.deliver(seq, f"e{seq}", b"f")
    assert conn.closed and writer.frames == []
    conn.deliver(10, "e10", b"f")  # closed: nothing more, by either path
    assert writer.frames == []
    with contextlib.suppress(Exception):
        await conn.finish()


async def test_under_uvicorn_every_socket_gets_the_events_in_order_through_direct_writes(
    db, settings
) -> None:
    fx = await build(db, bidders=3)
    async with uvicorn_server(settings) as (app, port):
        async with contextlib.AsyncExitStack() as stack:
            off = await stack.enter_async_context(peer(port, fx.path, fx.tokens["officer"], "officer"))
            bidders = [await stack.enter_async_context(peer(port, fx.path, fx.tokens[f"b{i}"], f"b{i}"))
                       for i in (1, 2, 3)]  # fmt: skip
            watchers = [await stack.enter_async_context(peer(port, fx.path, None, f"w{i}")) for i in range(5)]
            await off.command("open_lot", round_id=fx.rounds[0], increment=10_000)
            price = 1_600_000
            for n in range(9):
                receipt = await bidders[n % 3].bid(price + n * 10_000)
                assert receipt["status"] == "accepted", receipt
            await off.command("floor_bid", paddle=99, amount=price + 9 * 10_000, key="floor-1")
            everyone = [off, *bidders, *watchers]
            for p in everyone:
                await p.expect(lambda m: m.get("type") == "bid" and m.get("channel") == "floor", timeout=5)
            streams = [[(e["seq"], e["type"], e.get("amount")) for e in p.events()] for p in everyone]
            assert all(s == streams[0] for s in streams)  # one stream, identical on every socket
            seqs = [seq for seq, _, _ in streams[0]]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # gap-free
            amounts = [a for _, kind, a in streams[0] if kind == "bid"]
            assert amounts == [price + n * 10_000 for n in range(10)]
            for b in bidders:  # a bidder's receipt comes before the event of the bid it answers
                order = [(m["type"], m.get("seq")) for m in b.inbox if m["type"] in ("receipt", "bid")]
                for i, (kind, seq) in enumerate(order):
                    if kind == "receipt":
                        assert ("bid", seq) in order[i + 1 :]
            hub: Any = app.state.hub
            conns = [c for room in hub.rooms.values() for c in room.conns]
            assert len(conns) == len(everyone) and all(isinstance(c.writer, DirectWriter) for c in conns)
            assert sum(c.writer.writes for c in conns) >= len(everyone) * 5  # most events went direct


async def test_under_uvicorn_a_socket_that_pushes_back_gets_its_events_through_the_outbox_in_order(
    db, settings
) -> None:
    """asyncio pauses a transport above its high-water mark and uvicorn then clears `writable`: the
    direct path must stand aside, and the events queued meanwhile arrive in order afterwards."""
    fx = await build(db, bidders=2)
    async with uvicorn_server(settings) as (app, port):
        async with contextlib.AsyncExitStack() as stack:
            off = await stack.enter_async_context(peer(port, fx.path, fx.tokens["officer"], "officer"))
            b1 = await stack.enter_async_context(peer(port, fx.path, fx.tokens["b1"], "b1"))
            b2 = await stack.enter_async_context(peer(port, fx.path, fx.tokens["b2"], "b2"))
            slow = await stack.enter_async_context(peer(port, fx.path, None, "slow"))
            await off.command("open_lot", round_id=fx.rounds[0], increment=10_000)
            await slow.expect("lot_opened")
            hub: Any = app.state.hub
            (room,) = hub.rooms.values()
            conn = next(c for c in room.conns if c.principal.user_id is None)
            proto = conn.writer._proto
            proto.pause_writing()  # as asyncio does above the high-water mark
            before = conn.writer.writes
            for n in range(4):
                assert (await (b1, b2)[n % 2].bid(1_600_000 + n * 10_000))["status"] == "accepted"
            await asyncio.sleep(0.05)
            assert conn.writer.writes == before and conn.queue.qsize() >= 1  # waiting in the outbox
            proto.resume_writing()
            for _ in range(4):
                await slow.expect("bid")
            bids = [e for e in slow.events() if e["type"] == "bid"]
            assert [e["amount"] for e in bids] == [1_600_000 + n * 10_000 for n in range(4)]
            assert [e["seq"] for e in bids] == list(range(bids[0]["seq"], bids[0]["seq"] + 4))
            await b1.bid(1_640_000)  # the outbox is empty again: straight to the socket
            await slow.expect("bid")
            assert conn.writer.writes == before + 1
