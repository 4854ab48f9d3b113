"""Says, in the test report, whether the browser tier ran: without Chromium or Playwright it is skipped
with the reason (the journeys are then not collected, see conftest.py)."""

from __future__ import annotations

import pytest

from tests.e2e_browser.conftest import CHROMIUM, MISSING


def test_chromium_and_playwright_are_available() -> None:
    if MISSING:
        pytest.skip(MISSING)
    import playwright.sync_api  # noqa: F401

    assert CHROMIUM
