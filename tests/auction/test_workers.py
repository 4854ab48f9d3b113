"""`python -m auction serve --workers N` on PostgreSQL + Redis: N processes answer on one port."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import create_pg_database, drop_pg_database, migrate_to, pg_url, redis_url
from tests.servers import free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]


def workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    out = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            out.append(int(child))
    return out


async def test_serve_with_two_workers_runs_two_processes_behind_one_port() -> None:
    base, broker = pg_url(), redis_url()
    if base is None or broker is None:
        pytest.skip("PostgreSQL and Redis on 127.0.0.1 are needed for several workers")
    url = await create_pg_database(base)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "BROKER_URL": broker, "BROKER_PREFIX": f"workers-{port}:",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    try:
        await asyncio.to_thread(migrate_to, url)
        proc = subprocess.Popen(
            [sys.executable, "-m", "auction", "serve", "--port", str(port), "--workers", "2"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await wait_port(port, limit=60)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
                for _ in range(150):  # both workers started (they share the one listening socket)
                    if len(await asyncio.to_thread(workers, proc.pid)) >= 2:
                        break
                    await asyncio.sleep(0.2)
                assert (await c.get("/healthz")).status_code == 200
                r = await c.get("/api/search/lots", params={"province": "กรุงเทพ"})
                assert r.status_code == 200, r.text
            assert len(await asyncio.to_thread(workers, proc.pid)) == 2
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        await drop_pg_database(url)
