"""Pre-registration and deposit confirmation through the whole app (httpx in-process, SQLite file),
against GET /healthz in the same harness as the baseline. Prints figures and appends them to
docs/benchmarks.md.

    .venv/bin/python bench/registration_bench.py [--buyers 300]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from auction.__main__ import migrate  # noqa: E402
from auction.app import create_app  # noqa: E402
from auction.auth import hash_password, start_session  # noqa: E402
from auction.config import Settings  # noqa: E402
from auction.db import make_null_pool_engine, sessionmaker  # noqa: E402
from auction.models import BuyerProfile, User  # noqa: E402
from auction.registration import today  # noqa: E402
from tests import factories as f  # noqa: E402


async def seed(url: str, buyers: int) -> tuple[int, list[str], str]:
    engine = make_null_pool_engine(url)
    hashed = hash_password("bench-password")  # one hash: argon2 is deliberately slow
    async with sessionmaker(engine).begin() as s:
        case = await f.make_case(s)
        lot = await f.make_lot(s, case, first_date=today() + dt.timedelta(days=14))
        officer = User(email="o@bench", password_hash=hashed, role="officer", is_led_staff=True,
                       office_id=(await f.office(s)).id)  # fmt: skip
        s.add(officer)
        users = [User(email=f"b{i}@bench", password_hash=hashed, role="buyer") for i in range(buyers)]
        s.add_all(users)
        await s.flush()
        for i, u in enumerate(users):
            s.add(BuyerProfile(user_id=u.id, kind="individual", full_name=f"ผู้ซื้อ {i}", passport_no=f"PB{i:06d}",
                               phone="0812345678", address="1", province_code="10", district_code="1017",
                               tambon="ห้วยขวาง", bank_name="KTB", bank_account_no="1234567890",
                               bank_account_name="x"))  # fmt: skip
        tokens = [await start_session(s, u.id) for u in users]
        officer_token = await start_session(s, officer.id)
        lot_id = lot.id
    await engine.dispose()
    return lot_id, tokens, officer_token


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(samples) / sum(samples), statistics.median(samples) * 1000, p99 * 1000


async def timed(coro_factory, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        r = await coro_factory(i)
        out.append(time.perf_counter() - t0)
        assert r.status_code < 300, r.text
    return out


async def main(buyers: int) -> str:
    tmp = tempfile.mkdtemp()
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await asyncio.to_thread(migrate, url)
    lot_id, tokens, officer_token = await seed(url, buyers)
    app = create_app(Settings(database_url=url, secret_key="bench"))
    officer = {"authorization": f"Bearer {officer_token}"}
    async with LifespanManager(app) as m:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app), base_url="http://b") as c:
            base = await timed(lambda i: c.get("/healthz"), buyers)
            reg_ids: list[int] = []

            async def register(i: int) -> httpx.Response:
                r = await c.post(f"/api/lots/{lot_id}/registrations", json={},
                                 headers={"authorization": f"Bearer {tokens[i]}"})  # fmt: skip
                reg_ids.append(r.json()["id"])
                return r

            regs = await timed(register, buyers)
            queue = await timed(lambda i: c.get("/api/officer/registrations", headers=officer), 20)
            confirms = await timed(
                lambda i: c.post(f"/api/officer/registrations/{reg_ids[i]}/confirm",
                                 json={"method": "cash", "reference": f"R{i}"}, headers=officer),
                buyers,
            )  # fmt: skip
    rows = [("GET /healthz (baseline)", base), ("register (POST /api/lots/{id}/registrations)", regs),
            (f"officer queue, {buyers} pending (GET)", queue), ("confirm deposit + issue paddle", confirms)]  # fmt: skip
    b_rate = summary(base)[0]
    lines = [f"| {name} | {summary(s)[0]:,.0f} | {summary(s)[1]:.2f} | {summary(s)[2]:.2f} | {b_rate / summary(s)[0]:.1f}x |"
             for name, s in rows]  # fmt: skip
    cpu = platform.processor() or platform.machine()
    header = (
        f"\n## Registration and deposits ({dt.date.today().isoformat()})\n\n"
        f"Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, SQLite (WAL) file, "
        f"app in-process over httpx ASGITransport, one client, sequential requests.\n"
        f"Command: `.venv/bin/python bench/registration_bench.py --buyers {buyers}`\n\n"
        "| operation | req/s | p50 ms | p99 ms | cost vs baseline |\n|---|---|---|---|---|\n"
    )
    text = header + "\n".join(lines) + "\n"
    print(text)
    return text


def append(text: str) -> None:
    target = ROOT / "docs" / "benchmarks.md"
    if not target.exists():
        target.write_text("# Benchmarks\n", encoding="utf-8")
    with open(target, "a", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--buyers", type=int, default=300)
    append(asyncio.run(main(p.parse_args().buyers)))
