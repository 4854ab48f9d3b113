"""A socket-frame fuzzer (hypothesis, a bounded number of examples) against the room under uvicorn.
It fails on any socket closed outside the protocol's error path and on any change to the room's
state that a refused frame caused. The frames are hostile on purpose: JSON of any shape and depth,
the protocol's own types with wrong, huge, non-finite or unencodable fields, and bytes that are
not JSON at all."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from websockets.sync.client import connect

from realtime.protocol import CLIENT_TYPES
from tests.realtime.roomkit import build, room_state, uvicorn_server
from tests.realtime.test_room import open_lot

EXAMPLES = int(os.environ.get("FRAME_FUZZ_EXAMPLES", "100"))
FIELDS = ["amount", "key", "paddle", "round_id", "n", "reason", "reason_code", "last_seq", "token", "t",
          "increment", "confirm", "v", "type"]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=1_600_000, max_value=20_000_000),  # amounts near the lot's price
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["๑,๖๐๐,๐๐๐", "1,600,000", "\x00", "9" * 60, " ", "-1", "1e9", "0x10"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
commands = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(CLIENT_TYPES | {"Bid", "", "hammer "}))},
    optional={
        "v": st.sampled_from([1, 2, "1", 1.0, None]),
        **{f: values for f in FIELDS if f not in ("type", "v")},
    },
)


def _text(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


# Raw texts json.dumps would never produce: non-finite numbers, lone surrogates, nesting past the
# interpreter's recursion limit, numbers of thousands of digits, broken JSON.
raw_texts = st.one_of(
    st.integers(min_value=600, max_value=2040).map(lambda d: "[" * d + "]" * d),
    st.integers(min_value=100, max_value=440).map(lambda d: '{"type":' * d + '"bid"' + "}" * d),
    st.sampled_from(["NaN", "Infinity", "-Infinity"]).map(lambda c: '{"v":1,"type":"ping","t":' + c + "}"),
    st.sampled_from(["NaN", "Infinity", "1e400", "9" * 3900]).map(
        lambda c: '{"v":1,"type":"bid","amount":' + c + ',"key":"k"}'
    ),
    st.sampled_from(["\\ud800", "\\udfff", "a\\u0000b"]).map(
        lambda c: '{"v":1,"type":"bid","amount":1600000,"key":"' + c + '"}'
    ),
    st.text(max_size=40),
)
frames = st.one_of(commands.map(_text), values.map(_text), raw_texts, st.binary(max_size=60))


class Client:
    """One socket kept across examples: a frame, then a probe the room's worker answers after it (a
    bid too low to stand, with its own key), so everything the frame caused has arrived by then."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ws.send('{"v":1,"type":"join"}')
        first = json.loads(self.ws.recv(timeout=10))
        assert first["type"] == "snapshot", first
        self.probes = 0

    def exchange(self, frame: str | bytes) -> list[dict[str, Any]]:
        self.probes += 1
        probe = f"probe-{self.probes}"
        self.ws.send(frame)
        self.ws.send(json.dumps({"v": 1, "type": "bid", "amount": 1, "key": probe}))
        got: list[dict[str, Any]] = []
        while True:
            msg = json.loads(self.ws.recv(timeout=10))  # a socket killed raises here: the test fails
            assert msg.get("type") != "closing", (frame, msg)
            if msg.get("type") == "receipt" and msg.get("key") == probe:
                assert msg["code"] == "bid_too_low", msg
                return got
            got.append(msg)


async def test_hostile_socket_frames_never_kill_a_socket_and_refused_ones_change_nothing(
    db, settings
) -> None:
    fx = await build(db)
    fast = dataclasses.replace(settings, ws_rate_per_sec=100_000.0)  # the flood limit is not what is fuzzed
    async with uvicorn_server(fast) as (_, port):
        from tests.realtime.roomkit import peer

        async with peer(port, fx.path, fx.tokens["officer"], "officer") as off:
            await open_lot(off, fx.rounds[0], increment=1_000)

        loop = asyncio.get_running_loop()

        def state_of() -> tuple[Any, ...]:  # straight from the database, on the test's loop
            return asyncio.run_coroutine_threadsafe(room_state(db, fx.office_id), loop).result(10)

        def fuzz() -> None:
            headers = {"Authorization": f"Bearer {fx.tokens['b1']}"}
            ws = connect(f"ws://127.0.0.1:{port}{fx.path}", additional_headers=headers, open_timeout=10)
            client = Client(ws.__enter__())  # left by the finally below
            seen: dict[str, int] = {}

            @hsettings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(frame=frames)
            def one(frame: str | bytes) -> None:
                before = state_of()
                answers = client.exchange(frame)
                accepted = [
                    m for m in answers if m.get("type") == "receipt" and m.get("status") == "accepted"
                ]
                for m in answers:
                    seen[m.get("code") or m.get("type")] = seen.get(m.get("code") or m.get("type"), 0) + 1
                after = state_of()
                if not accepted or all(m.get("duplicate") for m in accepted):
                    assert after == before, (frame, answers)
                else:
                    assert after[0] == before[0] + 1 and after[1] == accepted[0]["amount"], (frame, answers)

            try:
                one()
            finally:
                ws.__exit__(None, None, None)
            assert seen.get("bad_message", 0) > 0, seen  # the fuzzer did reach the parser's refusals

        await asyncio.to_thread(fuzz)
