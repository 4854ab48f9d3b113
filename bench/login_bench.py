"""Event-loop stalls under a burst of bad log-ins (issue 18): a 5 ms ticker on the server's loop
(what every room's ping waits for) while N wrong-password log-ins arrive at once, with argon2 in
the bounded pool (now) and run inline on the loop (as before). Also the time of a log-in for an
unknown e-mail against a wrong password for a known one. In-process app, SQLite file.

    .venv/bin/python bench/login_bench.py [--logins 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from auction import accounts, auth  # noqa: E402
from auction.__main__ import migrate  # noqa: E402
from auction.app import create_app  # noqa: E402
from auction.config import Settings  # noqa: E402


class InlinePool(auth.HashPool):
    """The old behaviour: argon2 on the event loop."""

    async def run(self, fn: Any, *args: Any) -> Any:
        return fn(*args)


async def burst(client: httpx.AsyncClient, n: int) -> tuple[float, float, float, int]:
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last - 0.005)
            last = now

    tick = asyncio.create_task(ticker())
    t = time.perf_counter()
    rs = await asyncio.gather(*[
        client.post("/api/auth/login", json={"email": f"u{i}@bench.example", "password": "wrong password"})
        for i in range(n)
    ], return_exceptions=True)  # fmt: skip
    wall = time.perf_counter() - t
    stop.set()
    await tick
    gaps.sort()
    p99 = gaps[int(len(gaps) * 0.99) - 1] if gaps else 0.0
    return max(gaps) * 1000, p99 * 1000, wall, sum(getattr(r, "status_code", 0) == 401 for r in rs)


async def main(n: int) -> None:
    t = time.perf_counter()
    auth.verify_password(auth.hash_password("bench pw"), "wrong")
    print(f"one argon2 check on this machine now: {(time.perf_counter() - t) * 1000:.0f} ms")
    accounts.FREE["addr"] = 10**6  # one test client address: measure argon2, not the throttle
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(migrate, url)
        settings = Settings(database_url=url, secret_key="bench", mail_outbox=f"{tmp}/mail",
                            hash_queue=n)  # fmt: skip
        app = create_app(settings)
        async with LifespanManager(app) as m:
            transport = httpx.ASGITransport(app=m.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
                await c.post(
                    "/api/auth/signup", json={"email": "known@bench.example", "password": "bench pw 2569"}
                )
                for label, pool in (("pool", app.state.passwords), ("inline", InlinePool(1, 0))):
                    app.state.passwords = pool
                    worst, p99, wall, n401 = await burst(c, n)
                    print(f"{label:6s}: {n} bad log-ins at once: loop stall max {worst:.0f} ms, p99 {p99:.0f} ms; "
                          f"answered in {wall:.2f} s ({n401} x 401, {n - n401} failed)")  # fmt: skip
                    await asyncio.sleep(0.5)
                app.state.passwords = auth.HashPool(2, 16)
                accounts.FREE["acct"] = 10**6  # ten tries on one account: measure the answer, not the delay
                times: dict[str, list[float]] = {"known e-mail, wrong password": [], "unknown e-mail": []}
                for i in range(10):
                    for label, email in (("known e-mail, wrong password", "known@bench.example"),
                                         ("unknown e-mail", f"nobody{i}@bench.example")):  # fmt: skip
                        t = time.perf_counter()
                        await c.post("/api/auth/login", json={"email": email, "password": f"wrong {i} pw"})
                        times[label].append((time.perf_counter() - t) * 1000)
                for label, ts in times.items():
                    print(f"log-in, {label}: median {statistics.median(ts):.0f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--logins", type=int, default=50)
    asyncio.run(main(ap.parse_args().logins))
