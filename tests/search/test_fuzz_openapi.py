"""Schemathesis against /api/openapi.json on a live server (issue 18): a bounded number of
generated requests per operation, valid and invalid, none may be a 5xx, and none may change the
database (every documented operation is a read)."""

from __future__ import annotations

import asyncio
import time

import hypothesis
import hypothesis.errors
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck

from auction.db import sessionmaker
from tests.livekit import LiveServer
from tests.search.fixture import build
from tests.statekit import fingerprint

EXAMPLES = 12  # per operation and mode: the test stays around a minute on SQLite on a loaded machine
BUDGET_SEC = 180  # a guard against an unbounded run, not a benchmark


async def test_openapi_operations_never_answer_5xx_nor_change_the_database(db, settings) -> None:
    await asyncio.to_thread(_fuzz, settings)


def _fuzz(settings) -> None:
    started = time.monotonic()
    with LiveServer(settings) as live:
        live.run(build(sessionmaker(live.engine)))
        before = live.run(fingerprint(live.engine))
        spec = requests.get(f"{live.url}/api/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(spec)
        session = requests.Session()
        failures: list[str] = []
        seen = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

                @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
                @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                                     suppress_health_check=list(HealthCheck),
                                     phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])  # fmt: skip
                def check(case: schemathesis.Case) -> None:
                    nonlocal seen
                    seen += 1
                    response = case.call(base_url=live.url, session=session, timeout=20)
                    if response.status_code >= 500:
                        failures.append(f"{case.method} {response.request.url} -> {response.status_code}")
                    elif response.status_code >= 400:
                        body = response.json()
                        assert set(body["error"]["message"]) == {"th", "en"}, body

                try:
                    check()
                except hypothesis.errors.Unsatisfiable:  # no parameter to get wrong (transit/lines)
                    assert mode is schemathesis.GenerationMode.NEGATIVE
        after = live.run(fingerprint(live.engine))
    assert not failures, "\n".join(failures[:20])
    assert after == before
    assert seen >= 6 * EXAMPLES  # every operation was exercised
    print(f"fuzzed {seen} requests in {time.monotonic() - started:.1f} s")
    assert time.monotonic() - started < BUDGET_SEC


@pytest.mark.parametrize("q", ["0", "๐", "ผบ 0", "\x00", "9" * 400])
async def test_the_live_server_survives_the_inputs_that_once_froze_it(db, settings, q) -> None:
    def probe() -> int:
        with LiveServer(settings) as live:
            code = requests.get(f"{live.url}/api/search/cases", params={"q": q}, timeout=10).status_code
            assert requests.get(f"{live.url}/healthz", timeout=5).status_code == 200
            return code

    assert (await asyncio.to_thread(probe)) < 500
