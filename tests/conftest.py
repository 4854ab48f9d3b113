"""Test harness: one migrated database per test session, emptied after each test.

- SQLite (default): a fresh file in a temp folder.
- PostgreSQL (DATABASE_URL=postgresql+asyncpg://...): a fresh database `t_<random>` created on
  that server and dropped at the end, so parallel runs never share state.
Tests that commit (the app, the room, several connections) need real tables, so isolation is by
emptying every non-reference table after each test rather than by a rolled-back transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from auction.app import create_app
from auction.config import Settings
from auction.db import Base, make_engine, sessionmaker
from auction.models import REFERENCE_TABLES

# Servers the tests start (`python -m auction serve`, uvicorn) inherit this: outside development they
# refuse the test secrets (auction.security.check_settings; its own tests set ENVIRONMENT themselves).
os.environ.setdefault("ENVIRONMENT", "development")

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def is_pg(url: str) -> bool:
    return url.startswith("postgresql")


def redis_url() -> str | None:
    """The Redis to test against: BROKER_URL when it names Redis, else the local one if it answers."""
    url = os.environ.get("BROKER_URL") or ""
    if url.startswith("redis"):
        return url
    return "redis://127.0.0.1:6379/0" if _port_open(6379) else None


def pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL") or ""
    if is_pg(url):
        return url
    return PG_DEFAULT if _port_open(5432) else None


async def create_pg_database(base_url: str) -> str:
    import asyncpg

    url = make_url(base_url)
    name = f"t_{os.getpid()}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(db_url: str) -> None:
    import asyncpg

    url = make_url(db_url)
    conn = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username, database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await conn.close()


def migrate_to(url: str) -> None:
    from auction.__main__ import migrate

    migrate(url)


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    configured = os.environ.get("DATABASE_URL") or ""
    if is_pg(configured):
        url = await create_pg_database(configured)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    await asyncio.to_thread(migrate_to, url)
    yield url
    if is_pg(url):
        await drop_pg_database(url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


async def empty_tables(eng: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    async with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                await conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker on the test database; every non-reference table is emptied afterwards."""
    yield sessionmaker(engine)
    await empty_tables(engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    broker = os.environ.get("BROKER_URL") or "memory://"
    # Mail without SMTP lands in an outbox folder: the test's own, never the checkout's var/mail.
    return Settings(database_url=database_url, broker_url=broker, secret_key="test",
                    mail_outbox=str(tmp_path / "mail"))  # fmt: skip


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app with its lifespan, reached in-process through httpx."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            client.app = manager.app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def client(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings) as c:
        yield c


def data_path(name: str) -> Path:
    return Path(__file__).with_name("data") / name
