"""Event-loop watchdog (issue 18): a stalled loop must be visible, and must not stay stalled.

One request that blocks the event loop (a loop that never ends, a CPU-bound call) stops every room,
every bidder and /healthz with it, and the process ignores SIGTERM because the loop that would act on
it is the one that is stuck. So:
- a task on the loop beats every `beat_sec` and measures how late it woke (the loop's lag);
- a daemon thread watches that beat. A beat older than `warn_sec` is a stall: it is logged once, with
  the loop thread's stack (sys._current_frames), so the culprit is named in the log;
- /healthz turns 503 while a stall is on and for `recent_sec` after one longer than `warn_sec`;
- a stall longer than `exit_sec` ends the process (os._exit: nothing else would run) so that the
  supervisor starts a fresh one; a SIGTERM received during a stall ends it at once as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

log = logging.getLogger("auction.watchdog")

EXIT_CODE = 70  # EX_SOFTWARE: the supervisor sees a crash, not a clean stop


@dataclass
class Stall:
    started: float  # time.monotonic()
    seconds: float
    ended: bool


class LoopWatchdog:
    def __init__(
        self,
        warn_sec: float = 1.0,
        exit_sec: float = 30.0,
        recent_sec: float = 60.0,
        beat_sec: float = 0.1,
        exit_process: Callable[[int], Any] = os._exit,
    ) -> None:
        self.warn_sec, self.exit_sec, self.recent_sec, self.beat_sec = (
            warn_sec,
            exit_sec,
            recent_sec,
            beat_sec,
        )
        self.exit_process = exit_process
        self.last_beat = time.monotonic()
        self.lag = 0.0  # how late the last beat woke, seconds
        self.max_lag = 0.0
        self.last_stall: Stall | None = None
        self.stalls = 0
        self.term_requested = False
        self._loop_thread: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._old_term: Any = None

    # --- on the loop ---------------------------------------------------------------------------

    async def _beat(self) -> None:
        while True:  # ends: cancelled by stop()
            before = time.monotonic()
            await asyncio.sleep(self.beat_sec)
            now = time.monotonic()
            self.lag = max(0.0, now - before - self.beat_sec)
            self.max_lag = max(self.max_lag, self.lag)
            self.last_beat = now

    def start(self) -> None:
        """Call on the running loop (the lifespan)."""
        self._loop_thread = threading.get_ident()
        self.last_beat = time.monotonic()
        self._task = asyncio.get_running_loop().create_task(self._beat(), name="loop-watchdog-beat")
        self._thread = threading.Thread(target=self._watch, name="loop-watchdog", daemon=True)
        self._thread.start()
        self._chain_sigterm()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._old_term is not None and threading.current_thread() is threading.main_thread():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signal.SIGTERM, self._old_term)
        self._old_term = None

    def _chain_sigterm(self) -> None:
        """Note a SIGTERM before the server's own handler runs: during a stall that handler's flag is
        never read (the loop is stuck), so the watchdog thread acts on it instead."""
        if threading.current_thread() is not threading.main_thread():
            return
        old = signal.getsignal(signal.SIGTERM)

        def on_term(signum: int, frame: FrameType | None) -> None:
            self.term_requested = True
            if callable(old):
                old(signum, frame)
            elif old == signal.SIG_DFL:
                raise SystemExit(128 + signum)

        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, on_term)
            self._old_term = old

    # --- the watching thread -------------------------------------------------------------------

    def stalled_for(self, now: float | None = None) -> float:
        return max(0.0, (now or time.monotonic()) - self.last_beat - self.beat_sec)

    def _loop_stack(self) -> str:
        frame = sys._current_frames().get(self._loop_thread or -1)
        return "".join(traceback.format_stack(frame)) if frame is not None else "(no frame)"

    def _watch(self) -> None:
        reported = False
        tick = min(self.beat_sec, 0.1)
        while not self._stop.wait(tick):  # ends: stop() sets the event (and the thread is a daemon)
            now = time.monotonic()
            stalled = self.stalled_for(now)
            if stalled >= self.warn_sec:
                if self.last_stall is None or self.last_stall.ended:
                    self.last_stall = Stall(now - stalled, stalled, False)
                    self.stalls += 1
                self.last_stall.seconds = stalled
                if not reported:
                    reported = True
                    log.error(
                        "event loop stalled for %.1f s; the loop thread is at:\n%s",
                        stalled,
                        self._loop_stack(),
                    )
                if self.term_requested or (self.exit_sec > 0 and stalled >= self.exit_sec):
                    why = (
                        "SIGTERM during the stall"
                        if self.term_requested
                        else f"over LOOP_STALL_EXIT_SEC={self.exit_sec:g}"
                    )
                    log.critical("event loop stalled for %.1f s (%s): exiting for a restart\n%s", stalled, why,
                                 self._loop_stack())  # fmt: skip
                    logging.shutdown()
                    self.exit_process(EXIT_CODE)
                    return
            elif reported and self.last_stall is not None:
                reported = False
                self.last_stall.ended = True
                log.warning("event loop ran again after a %.1f s stall", self.last_stall.seconds)

    # --- health --------------------------------------------------------------------------------

    def health(self) -> tuple[bool, dict[str, Any]]:
        now = time.monotonic()
        stalled = self.stalled_for(now)
        recent = self.last_stall is not None and (
            not self.last_stall.ended
            or now - (self.last_stall.started + self.last_stall.seconds) < self.recent_sec
        )
        ok = stalled < self.warn_sec and not recent
        info: dict[str, Any] = {
            "lag_ms": round(self.lag * 1000, 1),
            "max_lag_ms": round(self.max_lag * 1000, 1),
            "stalls": self.stalls,
        }
        if self.last_stall is not None:
            info["last_stall"] = {
                "seconds": round(self.last_stall.seconds, 2),
                "ago_s": round(now - self.last_stall.started, 1),
                "ended": self.last_stall.ended,
            }
        return ok, info
