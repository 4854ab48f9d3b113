"""Hypothesis against the GET endpoints and pages the OpenAPI document does not describe (officer
queues, results, statistics, rooms, lots): hostile path ids and query values, as a buyer, an officer
and nobody. None may be a 5xx, and none may change the database (issue 18)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import hypothesis
import requests
from hypothesis import HealthCheck
from hypothesis import strategies as st

from auction.db import sessionmaker
from tests.auction import regkit
from tests.livekit import LiveServer
from tests.statekit import fingerprint

EXAMPLES = 10  # per route

PARAMS = ["page", "per_page", "province", "status", "date", "office", "group", "fy", "format", "after", "red",
          "q", "lang", "next", "done", "no", "saved", "line"]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(["", "0", "-1", "๐", "9" * 25, "1" * 300, "\x00", "a\x00", "%", "%_%", "2026-13-45", "๒๕๖๙",
                     "csv", "month", "office", "th", "en", "//evil.example", "javascript:alert(1)",
                     "<script>x</script>", "1e400", "NaN", "ผบ 0", "0/63"]),
    st.text(max_size=30),
    st.integers().map(str),
)  # fmt: skip
QUERIES = st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=4)
IDS = st.one_of(st.sampled_from(["1", "0", "-1", "9" * 25, "๑", "x", "%00", "1.5", "2026-02-30", "99999999999"]),
                st.integers(min_value=-(2**70), max_value=2**70).map(str))  # fmt: skip


def _routes(w: regkit.World) -> list[str]:
    day = w.sale_date.isoformat()
    return [
        "/api/me", "/api/me/registrations", "/api/registrations/{id}", "/api/officer/registrations",
        "/api/officer/refunds", "/api/officer/refunds.csv", "/api/officer/sales", "/api/results",
        "/api/results.csv", "/api/results.json", "/api/stats", "/api/stats.csv",
        "/api/officer/sale-days/{id}/" + day, "/api/ratings/mine", "/api/officer/ratings", "/api/lots",
        "/api/lots/{id}", "/api/cases", "/api/rooms", "/api/rooms/{id}/" + day, "/api/rooms/1/{id}/events",
        "/api/rooms/{id}/" + day + "/verify", "/api/rounds/{id}/ladder", "/lots/{id}", "/cases/{id}",
        "/results", "/stats", "/rooms", "/login", "/account", "/officer/registrations", "/officer/sale-day",
    ]  # fmt: skip


async def test_hostile_queries_never_answer_5xx_nor_change_the_database(db, settings) -> None:
    await asyncio.to_thread(_fuzz, settings)


def _fuzz(settings: Any) -> None:
    started = time.monotonic()
    with LiveServer(settings) as live:
        w: regkit.World = live.run(regkit.build(sessionmaker(live.engine)))
        http = requests.Session()
        before = live.run(fingerprint(live.engine))
        failures: list[str] = []
        counts = [_fuzz_route(live, w, http, route, failures) for route in _routes(w)]
        after = live.run(fingerprint(live.engine))
    assert not failures, "\n".join(failures[:20])
    assert after == before
    assert sum(counts) >= EXAMPLES * len(counts)
    print(f"fuzzed {sum(counts)} GETs in {time.monotonic() - started:.1f} s")


def _fuzz_route(
    live: LiveServer, w: regkit.World, http: requests.Session, route: str, failures: list[str]
) -> int:
    sent = 0

    @hypothesis.given(ident=IDS, query=QUERIES, who=st.sampled_from(["buyer", "officer", None]))
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(ident: str, query: dict[str, str], who: str | None) -> None:
        nonlocal sent
        sent += 1
        url = live.url + route.replace("{id}", requests.utils.quote(ident, safe="%"))
        resp = http.get(url, params=query, headers=w.h(who) if who else {}, timeout=20, allow_redirects=False)
        if resp.status_code >= 500:
            failures.append(f"GET {resp.request.url} as {who} -> {resp.status_code}")

    check()
    return sent
