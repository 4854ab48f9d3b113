"""The fan-out between processes (realtime/pubsub.py) without a server: the in-memory broker, the
choice by URL, and the Redis reader's dispatch on a stand-in pub/sub connection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime.pubsub import MemoryBroker, RedisBroker, broker_from_url


async def test_the_memory_broker_hands_a_message_to_its_channel_only() -> None:
    broker = MemoryBroker()
    await broker.start()
    got: dict[str, list[str]] = {"a": [], "b": []}
    await broker.subscribe("a", got["a"].append)
    await broker.subscribe("b", got["b"].append)
    await broker.publish("a", "one")
    await broker.publish("nobody", "lost")  # no subscriber: dropped, as with Redis
    assert got == {"a": ["one"], "b": []}
    await broker.unsubscribe("a")
    await broker.publish("a", "two")
    await broker.close()
    await broker.publish("b", "three")
    assert got == {"a": ["one"], "b": []}


def test_the_broker_is_chosen_by_its_url() -> None:
    assert isinstance(broker_from_url(""), MemoryBroker)
    assert isinstance(broker_from_url("memory://"), MemoryBroker)
    assert isinstance(broker_from_url("redis://127.0.0.1:1/0"), RedisBroker)  # connects only when started
    with pytest.raises(ValueError):
        broker_from_url("kafka://x")


class FakePubSub:
    """What RedisBroker uses of redis-py's PubSub: messages (or failures) in order, then silence."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.channels: set[str] = set()

    async def subscribe(self, channel: str) -> None:
        self.channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)

    async def get_message(self, timeout: float) -> dict[str, Any] | None:
        await asyncio.sleep(0)
        if not self.script:
            await asyncio.sleep(timeout)
            return None
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    async def aclose(self) -> None:
        return None


async def test_the_redis_reader_dispatches_by_channel_and_survives_failures() -> None:
    broker = RedisBroker("redis://127.0.0.1:1/0")
    got: list[tuple[str, str]] = []

    def room_a(text: str) -> None:
        if text == "boom":
            raise RuntimeError("a room's handler failed")
        got.append(("a", text))

    broker._pubsub = FakePubSub([
        {"type": "message", "channel": "a", "data": "1"},
        {"type": "subscribe", "channel": "a", "data": 1},  # not a message: ignored
        ConnectionError("redis went away"),  # the reader logs, waits and goes on
        {"type": "message", "channel": "a", "data": "boom"},  # one handler failing stops nothing
        {"type": "message", "channel": "gone", "data": "x"},  # nobody subscribed here any more
        {"type": "message", "channel": "b", "data": "2"},
        {"type": "message", "channel": "a", "data": "3"},
    ])  # fmt: skip
    await broker.subscribe("a", room_a)
    await broker.subscribe("b", lambda text: got.append(("b", text)))
    for _ in range(300):  # the reader waits half a second after the failure
        if len(got) == 3:
            break
        await asyncio.sleep(0.01)
    assert got == [("a", "1"), ("b", "2"), ("a", "3")]
    await broker.unsubscribe("b")
    assert broker._pubsub.channels == {"a"}
    reader = broker._reader
    await broker.close()
    assert reader is not None and reader.done()
