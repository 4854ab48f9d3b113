"""The opening rush: a couple of dozen phones open a room nobody has joined yet, at the same moment.
Every handshake must succeed (no HTTP 500), on one process and on two sharing a database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from auction.models import Room
from tests.conftest import redis_url
from tests.realtime.roomkit import build
from tests.realtime.test_processes import ROOT
from tests.servers import free_port, wait_port

CROWD = 30


@contextlib.contextmanager
def serve(database_url: str, broker: str, prefix: str, log: Path) -> Iterator[int]:
    """`python -m auction serve` in its own process; its stderr kept, to show a failure's traceback."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "BROKER_URL": broker, "BROKER_PREFIX": prefix,
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "auction", "serve", "--port", str(port)], env=env,
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
        try:
            yield port
        finally:
            proc.terminate()
            proc.wait(10)


async def _rush(ports: list[int], path: str, tokens: list[str | None]) -> list[Any]:
    """CROWD handshakes released together (a barrier, not one after another); each joins."""
    gate = asyncio.Event()

    async def one(i: int) -> Any:
        await gate.wait()
        token = tokens[i % len(tokens)]
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            async with connect(f"ws://127.0.0.1:{ports[i % len(ports)]}{path}", additional_headers=headers,
                               ping_interval=None, open_timeout=20) as ws:  # fmt: skip
                await ws.send('{"v":1,"type":"join"}')
                return json.loads(await asyncio.wait_for(ws.recv(), 20))
        except Exception as exc:  # noqa: BLE001 - the failure itself is what the test reports
            return exc

    tasks = [asyncio.create_task(one(i)) for i in range(CROWD)]
    await asyncio.sleep(0.05)
    gate.set()
    return await asyncio.gather(*tasks)


def _check(results: list[Any], log: str = "") -> None:
    failed = [r for r in results if not isinstance(r, dict)]
    assert not failed, f"{len(failed)} of {len(results)} handshakes failed: {failed[:3]}\n{log}"
    assert all(r["type"] == "snapshot" for r in results), [r["type"] for r in results]
    assert len({r["room"]["id"] for r in results}) == 1


async def _rooms(db: Any, office_id: int) -> int:
    async with db() as s:
        return await s.scalar(select(func.count()).select_from(Room).where(Room.office_id == office_id))


async def test_thirty_phones_opening_a_new_room_at_once_all_get_in(db, database_url, tmp_path) -> None:
    fx = await build(db)
    assert await _rooms(db, fx.office_id) == 0
    log = tmp_path / "server.log"
    with serve(database_url, "memory://", "rush:", log) as port:
        await wait_port(port)
        results = await _rush([port], fx.path, [fx.tokens["b1"], fx.tokens["b2"], None])
    _check(results, log.read_text(errors="replace")[-3000:])
    assert await _rooms(db, fx.office_id) == 1


@pytest.mark.redis
async def test_thirty_phones_on_two_processes_opening_a_new_room_all_get_in(
    db, database_url, tmp_path
) -> None:
    broker = redis_url()
    if broker is None:
        pytest.skip("Redis is not running on 127.0.0.1:6379: the cross-process room needs it")
    fx = await build(db)
    prefix = f"rush-{secrets.token_hex(4)}:"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with (
        serve(database_url, broker, prefix, logs[0]) as port_a,
        serve(database_url, broker, prefix, logs[1]) as port_b,
    ):
        await asyncio.gather(wait_port(port_a), wait_port(port_b))
        results = await _rush([port_a, port_b], fx.path, [fx.tokens["b1"], fx.tokens["b2"], None])
    _check(results, "\n".join(p.read_text(errors="replace")[-3000:] for p in logs))
    assert await _rooms(db, fx.office_id) == 1
