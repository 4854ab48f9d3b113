"""A connection and its writer: one socket's principal, its bounded outbox drained by its own
sender task (one writer per socket), and the seq it has been sent up to.

The room only hands messages over (`deliver`, `fan_out`, `announce`), so one slow phone never
stalls it; a socket whose outbox fills is dropped with a final `closing` and reconnects with its
last seq. Room events shared by every socket are serialised into a frame once and may skip the
outbox when it is empty (the direct path, realtime/direct.py): same bytes, same order. That path is
this module's business only. A connection knows nothing of rooms or of the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.websockets import WebSocket

from auction.auth import Principal
from realtime import protocol
from realtime.direct import text_frame, writer_for


class Writer(Protocol):
    """Writes a serialised frame straight to the socket's transport (realtime.direct.DirectWriter)."""

    def ready(self) -> bool: ...
    def write(self, frame: bytes) -> None: ...


@dataclass(frozen=True)
class _Close:
    """Queued after the last messages: send `text`, then close with `code`."""

    text: str
    code: int


class Connection:
    """One socket: its principal, its bounded outbox and the seq it has been sent up to."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int], Awaitable[None]],
        principal: Principal,
        outbox: int,
        writer: Writer | None = None,
    ) -> None:
        self._send, self._close = send, close
        self.writer = writer
        self.principal = principal
        self.queue: asyncio.Queue[str | _Close | None] = asyncio.Queue(maxsize=outbox + 1)
        self.limit = outbox
        self.last_seq = 0
        self.syncing = True
        self.pending: list[tuple[int, str]] = []
        self.closed = False
        self.sender: asyncio.Task[None] | None = None
        self.sending = False  # the sender holds a message (its send may be waiting on the transport)

    @classmethod
    def for_socket(cls, ws: WebSocket, principal: Principal, outbox: int) -> Connection:
        """The connection of an accepted socket, with the direct path when the server offers it."""

        async def close(code: int) -> None:
            await ws.close(code=code)

        return cls(ws.send_text, close, principal, outbox, writer_for(ws.scope))

    def start(self) -> None:
        self.sender = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while True:
                text = await self.queue.get()
                if text is None:
                    return
                if isinstance(text, _Close):
                    await self._final(text.text, text.code)
                    return
                self.sending = True
                await self._send(text)
                self.sending = False
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket went away; the reader loop notices and cleans up
            self.closed = True

    def send(self, obj: Mapping[str, Any]) -> None:
        self.put(protocol.dumps(obj))

    def put(self, text: str, frame: bytes | None = None) -> None:
        """Queue `text` for the sender task; or, for a shared room message whose serialised frame
        is given, write the frame now when nothing is ahead of it (the outbox is empty and the sender
        holds nothing: a send it began while the transport was paused may not have been written yet,
        even once the transport is writable again) and the socket is not pushing back."""
        if self.closed:
            return
        if (
            frame is not None
            and self.writer is not None
            and not self.sending
            and self.queue.empty()
            and self.writer.ready()
        ):
            self.writer.write(frame)
            return
        if self.queue.qsize() >= self.limit:  # one slot stays free for a final message
            self.drop("too_slow", 4008, stuck=True)
            return
        self.queue.put_nowait(text)

    def deliver(self, seq: int, text: str, frame: bytes | None = None) -> None:
        """A room event, in seq order; events already sent (replay overlap) are skipped."""
        if self.syncing:
            self.pending.append((seq, text))
        elif seq > self.last_seq:
            self.last_seq = seq
            self.put(text, frame)

    def go_live(self, synced_to: int) -> None:
        self.last_seq = max(self.last_seq, synced_to)
        self.syncing = False
        pending, self.pending = self.pending, []
        for seq, text in pending:
            self.deliver(seq, text)

    def drop(self, code: str, close_code: int, stuck: bool = False) -> None:
        """Close with a final `closing` message. Never let one client stall the room: when its
        outbox is full the sender is stuck, so it is cancelled and the final message is tried
        once with a short timeout; otherwise the final message queues behind what is pending."""
        if self.closed:
            return
        self.closed = True
        final = protocol.dumps(protocol.closing(code))
        if self.sender is not None and not stuck:
            self.queue.put_nowait(_Close(final, close_code))  # type: ignore[arg-type]
            return
        if self.sender is not None:
            self.sender.cancel()
        self.sender = asyncio.create_task(self._final(final, close_code))

    async def _final(self, text: str, close_code: int) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._send(text), 1.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._close(close_code), 1.0)

    async def finish(self) -> None:
        """Flush what is queued (bounded) and stop the sender."""
        if self.sender is None:
            return
        if self.closed:  # a final message may still be on its way: give it its bounded time
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self.sender), 2.5)
        else:
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self.sender), 1.0)
        self.sender.cancel()


def fan_out(conns: Iterable[Connection], seq: int, text: str) -> None:
    """One room event to every connection, in seq order: its frame is serialised once for all."""
    frame = text_frame(text)
    for conn in list(conns):
        conn.deliver(seq, text, frame)


def announce(conns: Iterable[Connection], text: str) -> None:
    """A message outside the seq stream (the audience count) to every connection that is live."""
    frame = text_frame(text)
    for conn in list(conns):
        if not conn.syncing:
            conn.put(text, frame)
