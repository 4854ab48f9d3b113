"""What every journey uses: an accessibility check (axe-core, vendored), screenshots, a network guard."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route

HERE = Path(__file__).resolve().parent
AXE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# Saved on every run so people can look at what the journeys saw (var/ is not committed).
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or HERE.parents[1] / "var" / "e2e-screenshots")
BLOCKING = ("serious", "critical")
AXE_LOADER = "() => { " + AXE + "\n}"
# Runs before any page script in every context: what the CSP blocks is reported as a console error.
CSP_PROBE = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber + " on " + location.pathname);
});
"""


def watch_csp(context: BrowserContext, violations: list[str]) -> None:
    """Collect every CSP violation of the context's pages (the probe's events and Chromium's own messages)."""
    context.add_init_script(CSP_PROBE)

    def seen(msg: ConsoleMessage) -> None:
        text = msg.text
        if text.startswith("CSP violation") or "Content Security Policy" in text:
            violations.append(text)

    context.on("console", seen)


def check_a11y(page: Page, where: str = "") -> None:
    """axe-core over the whole page; any serious or critical violation fails, with the offending nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the page's CSP rightly refuses an inline script without its nonce.
        page.evaluate(AXE_LOADER)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))"
    )
    bad = [v for v in result if v["impact"] in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in bad
    )
    assert not bad, f"accessibility violations on {where or page.url}:\n{report}"


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@contextmanager
def offline(context: BrowserContext, server_url: str) -> Iterator[list[str]]:
    """Network off for everything but the server: other requests fail and are recorded in the list."""
    own = urlsplit(server_url).netloc
    outside: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", guard)
    try:
        yield outside
    finally:
        context.unroute("**/*", guard)
