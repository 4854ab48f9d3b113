"""Input that once stopped the process: a red number 0 made number_ranges loop forever on the
event loop (issue 18). Each is run in a thread with a timeout so a regression fails, not hangs."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from auction.config import Settings
from search.cases import MAX_NUMBER, number_ranges
from tests.conftest import app_client


def _finishes_within(seconds: float, fn: Any, *args: Any) -> Any:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)  # daemon: a hang must not keep pytest alive
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{getattr(fn, '__name__', fn)}{args} did not finish in {seconds} s"
    if "error" in out:
        raise out["error"]
    return out.get("value")


def test_number_ranges_of_zero_ends_and_is_empty() -> None:
    assert _finishes_within(2, number_ranges, 0) == []


@pytest.mark.parametrize("typed", [1, 7, 12, 99_999, MAX_NUMBER, MAX_NUMBER + 1, 10**30])
def test_number_ranges_is_bounded_for_any_number(typed: int) -> None:
    ranges = _finishes_within(2, number_ranges, typed)
    assert len(ranges) <= len(str(MAX_NUMBER))
    assert all(0 < lo <= hi <= MAX_NUMBER for lo, hi in ranges)


def test_number_ranges_of_a_negative_number_is_empty() -> None:
    assert _finishes_within(2, number_ranges, -5) == []


async def _get_all(settings: Settings, urls: list[str]) -> list[int]:
    async with app_client(settings) as c:
        return [(await c.get(u)).status_code for u in urls]


ZEROES = ["0", "00", "๐", "ผบ 0", "0/63", "ผบ.0/2563", "000000", "ผบE0"]


async def test_red_number_zero_answers_instead_of_freezing(db, settings: Settings) -> None:
    """The app runs on its own loop in a thread: were it to spin, this test fails after 20 s."""
    urls = [f"/api/search/cases?q={z}" for z in ZEROES] + [f"/cases?q={z}" for z in ZEROES]
    codes = await asyncio.to_thread(_finishes_within, 20, asyncio.run, _get_all(settings, urls))
    assert all(code < 500 for code in codes), dict(zip(urls, codes, strict=True))
