"""The per-socket rate limit (docs/security.md, "Limits"), on a clock the test moves."""

from __future__ import annotations

from realtime.routes import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_the_rate_holds() -> None:
    clock = Clock()
    bucket = TokenBucket(20, 40, clock=clock)
    assert all(bucket.take() for _ in range(40))  # a phone tapping fast
    assert not bucket.take()
    clock.now += 0.06  # a little over one message's worth at 20/s
    assert bucket.take() and not bucket.take()


def test_an_idle_socket_earns_no_more_than_its_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(20, 40, clock=clock)
    clock.now += 3600
    assert sum(bucket.take() for _ in range(100)) == 40


def test_a_flood_gets_one_message_per_interval() -> None:
    clock = Clock()
    bucket = TokenBucket(10, 1, clock=clock)
    taken = 0
    for _ in range(1000):  # 1,000 messages over one second
        clock.now += 0.001
        taken += bucket.take()
    assert 10 <= taken <= 11
