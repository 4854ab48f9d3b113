"""Hypothesis against the officer and buyer JSON endpoints on a live server (issue 18; they are not in
/api/openapi.json, so schemathesis cannot reach them): hostile bodies built from the real field names
and from any JSON, sent as a buyer, an officer and nobody. None may be a 5xx, and a refused one
(4xx) must leave the database exactly as it was."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import hypothesis
import requests
from hypothesis import HealthCheck
from hypothesis import strategies as st

from auction.db import sessionmaker
from auction.inputs import FLAG_FIELDS, LABELS, NUMBER_FIELDS
from tests.auction import regkit
from tests.livekit import LiveServer
from tests.statekit import fingerprint

EXAMPLES = 12  # per endpoint

NASTY_TEXT = st.sampled_from(["", " ", "\x00", "a\x00b", "๑๒๓", "0", "-1", "9" * 30, "x" * 5000, "true",
                              "</script><script>alert(1)</script>", "%_%", "ผบ.1234/2563", "2026-02-30",
                              "1101700207030", "null", "{}", "[]", "NaN"])  # fmt: skip
NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=2**63 - 10, max_value=2**200), st.floats(allow_nan=False)
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, NASTY_TEXT, st.text(max_size=40))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=6)  # fmt: skip
FIELDS = sorted(set(LABELS) | NUMBER_FIELDS | FLAG_FIELDS | {"kind", "id_kind", "service", "outcome"})


class Raw(bytes):
    """A body sent as these bytes, not as JSON made from a value."""


# Bodies no JSON encoder makes: nesting that recursed the parser to death, numbers of thousands of
# digits, NaN, broken UTF-8.
RAW = st.sampled_from([Raw(b"[" * 3000 + b"]" * 3000), Raw(b'{"a":' * 3000 + b"1" + b"}" * 3000),
                       Raw(b'{"email": 1' + b"0" * 5000 + b"}"), Raw(b'{"score": NaN}'), Raw(b'{"name": "\xff"}'),
                       Raw(b'{"reason": "\\u0000"}'), Raw(b"")])  # fmt: skip
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(SCALARS, JSON_VALUES), max_size=8),
    JSON_VALUES,
    RAW,
)


def _endpoints(w: regkit.World, reg_id: int) -> list[tuple[str, str]]:
    day = w.sale_date.isoformat()
    return [
        ("POST", "/api/auth/signup"),
        ("POST", "/api/auth/login"),
        ("PUT", "/api/me/profile"),
        ("POST", f"/api/lots/{w.lot}/registrations"),
        ("POST", f"/api/registrations/{reg_id}/cancel"),
        ("POST", f"/api/officer/registrations/{reg_id}/confirm"),
        ("POST", f"/api/officer/registrations/{reg_id}/reject"),
        ("POST", f"/api/officer/rounds/{w.round1}/walk-ins"),
        ("POST", f"/api/officer/rounds/{w.round1}/outcome"),
        ("POST", "/api/officer/sale-days/1/" + day + "/send-back"),
        ("POST", "/api/ratings"),
    ]


async def test_hostile_bodies_never_answer_5xx_and_refusals_change_nothing(db, settings) -> None:
    await asyncio.to_thread(_fuzz, settings)


def _fuzz(settings: Any) -> None:
    started = time.monotonic()
    with LiveServer(settings) as live:
        w: regkit.World = live.run(regkit.build(sessionmaker(live.engine)))
        http = requests.Session()
        r = http.post(f"{live.url}/api/lots/{w.lot}/registrations", json={"round_id": w.round1},
                      headers=w.h("buyer"), timeout=20)  # fmt: skip
        assert r.status_code in (200, 201), r.text
        reg_id = r.json()["id"]
        failures: list[str] = []
        counts = [
            _fuzz_endpoint(live, w, http, method, path, failures) for method, path in _endpoints(w, reg_id)
        ]
    assert not failures, "\n".join(failures[:20])
    assert sum(counts) >= EXAMPLES * len(counts)
    print(f"fuzzed {sum(counts)} bodies in {time.monotonic() - started:.1f} s")


def _fuzz_endpoint(live: LiveServer, w: regkit.World, http: requests.Session, method: str, path: str,
                   failures: list[str]) -> int:  # fmt: skip
    sent = 0

    @hypothesis.given(body=BODIES, who=st.sampled_from(["buyer", "officer", None]))
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(body: Any, who: str | None) -> None:
        nonlocal sent
        sent += 1
        before = live.run(fingerprint(live.engine))
        headers = {"content-type": "application/json", **(w.h(who) if who else {})}
        data = body if isinstance(body, Raw) else json.dumps(body).encode()
        resp = http.request(method, live.url + path, data=data, headers=headers, timeout=20)
        if resp.status_code >= 500:
            failures.append(f"{method} {path} as {who} {repr(body)[:200]} -> {resp.status_code}")
        elif resp.status_code >= 400:
            assert set(resp.json()["error"]["message"]) == {"th", "en"}, resp.text
            if live.run(fingerprint(live.engine)) != before:
                failures.append(f"{method} {path} as {who} {repr(body)[:200]}: refused but changed data")

    check()
    return sent
