"""Room events written once, sent to every socket as the same bytes.

A room event is the same text for every connection, and with compression off (it is off: see
auction/__main__.py) the WebSocket frame that carries it is the same bytes too. Through ASGI each
socket would encode the text, build and serialise its own frame and hop through a sender task; here
the frame is serialised once per event and written straight to each socket's transport when nothing
else is pending for that socket. Performance notes: the per-client Python work around fan-out is the
cost, not the fan-out itself (docs/benchmarks.md has the before/after).

This needs uvicorn's `websockets-sansio` protocol, which `python -m auction serve` runs. Anything else
(another ASGI server, the in-process test transport) gets no direct writer and every message goes
through the connection's sender task as before: same bytes on the wire, same order.

Correctness: a direct write happens only while the socket is open, its outbox is empty, its sender
task holds no message (one taken while the transport was paused is written only when that task runs
again, after `writable` is set) and its transport is not pushing back (uvicorn clears `writable` above
the transport's high-water mark), so it can never overtake a queued message, and a slow reader falls
back to the bounded outbox, which drops it when full.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN

SCOPE_KEY = "auction.raw_send"

try:  # the server `python -m auction serve` runs
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - uvicorn is a dependency; keep the fallback honest anyway
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


def text_frame(text: str) -> bytes:
    """The server-to-client frame for `text` (unmasked, no extensions), as websockets writes it."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


class RawSend:
    """Pure ASGI middleware: keeps the server's own `send` in the WebSocket scope, before any
    middleware wraps it, so the room can find the socket's transport."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)


class DirectWriter:
    """Writes pre-serialised frames to one uvicorn websockets-sansio connection."""

    __slots__ = ("_proto", "writes")

    def __init__(self, proto: Any) -> None:
        self._proto = proto
        self.writes = 0

    def ready(self) -> bool:
        p = self._proto
        return (
            p.writable.is_set()
            and not p.close_sent
            and not p.disconnected
            and p.conn.state is OPEN
            and not p.conn.expect_continuation_frame
            and not p.conn.extensions
            and not p.transport.is_closing()
        )

    def write(self, frame: bytes) -> None:
        self._proto.transport.write(frame)
        self.writes += 1


def writer_for(scope: Scope) -> DirectWriter | None:
    """A direct writer when the socket is served by uvicorn's websockets-sansio protocol."""
    send = scope.get(SCOPE_KEY)
    proto = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(proto, WebSocketsSansIOProtocol):
        return None
    return DirectWriter(proto)
