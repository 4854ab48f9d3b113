"""Browser tier: the real server (uvicorn in a child process on a fresh SQLite database with the fixed
data set of seed.py) driven by Debian's Chromium through Playwright on a phone-sized, touch viewport.

Skips, with the reason, when Playwright or /usr/bin/chromium is missing (Playwright's own browser
download does not work here; `.ci/run` installs Debian's chromium).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e_browser.kit import watch_csp
from tests.servers import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}  # fmt: skip


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"browser tier skipped: no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tier skipped: the playwright package is not installed (pip install '.[dev]')"
    return None


MISSING = _missing()
HERE = Path(__file__).resolve().parent
# The journeys import Playwright; without a browser only test_browser_available.py runs (and skips, saying why).
collect_ignore = (
    [p.name for p in HERE.glob("test_*.py") if p.name != "test_browser_available.py"] if MISSING else []
)


@dataclass
class Server:
    url: str
    data: dict[str, Any]  # seed.py's manifest
    process: subprocess.Popen[bytes]
    log: Path


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": db_url, "BROKER_URL": "memory://", "SECRET_KEY": "e2e", **extra}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The fixed data set, built once; every module's server gets its own copy of it."""
    path = tmp_path_factory.mktemp("e2e-seed") / "seed.db"
    out = subprocess.run(
        [sys.executable, "-m", "tests.e2e_browser.seed", f"sqlite+aiosqlite:///{path}"],
        cwd=ROOT, env=_env(""), capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("MANIFEST "))
    return path, json.loads(line.removeprefix("MANIFEST "))


@pytest.fixture(scope="module")
def server(
    seeded: tuple[Path, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Server]:
    """One real server per test module, on a free port, on a private copy of the seeded database
    (a module's SERVER_ENV adds settings, e.g. MAP_TILES)."""
    src, manifest = seeded
    folder = tmp_path_factory.mktemp("e2e-server")
    db = folder / "auction.db"
    shutil.copy(src, db)
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "auction", "serve", "--port", str(port)],
            cwd=ROOT, env=_env(f"sqlite+aiosqlite:///{db}", **getattr(request.module, "SERVER_ENV", {})), stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("server did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)
    yield Server(url, manifest, proc, log)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# Module scope, not session: sync Playwright keeps its event loop marked running while it is open,
# which would stop the async tests of the modules that run after this tier.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield b
    b.close()


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Any]:
    """A new phone (its own cookies) for each call: `phone("th")`, `phone("en")`."""
    contexts: list[BrowserContext] = []

    violations: list[str] = []

    def make(locale: str = "th") -> BrowserContext:
        ctx = browser.new_context(base_url=server.url, locale="th-TH" if locale == "th" else "en-US",
                                  timezone_id="Asia/Bangkok", **PHONE)  # fmt: skip
        ctx.set_default_timeout(10_000)
        watch_csp(ctx, violations)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
    # Every journey doubles as a CSP check (issue 18): a page that needs inline code without the nonce fails.
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)
