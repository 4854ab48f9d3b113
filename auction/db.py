"""Base, engine/session factories and the aware-UTC datetime column type."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, Table, event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from auction.config import DbTimeouts

UTC = dt.UTC

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware UTC; SQLite hands back naive values, so re-attach UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def make_engine(url: str, echo: bool = False, timeouts: DbTimeouts | None = None) -> AsyncEngine:
    """The serving app passes its timeouts (Settings.db_timeouts): a hung database then fails a
    request in seconds instead of holding it, and its connection, for ever. Without them (the CLI:
    a million-lot import's COPY may rightly run for minutes) statements are not limited."""
    t = timeouts or DbTimeouts()
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": t.sqlite_busy}, pool_timeout=t.pool
        )
        _sqlite_pragmas(engine, busy_ms=int(t.sqlite_busy * 1000))
        return engine
    # Several processes share one PostgreSQL (100 connections by default): keep each pool small.
    size = int(os.environ.get("DB_POOL_SIZE", "5"))
    connect_args: dict[str, Any] = {"timeout": t.connect}
    if t.command > 0:
        connect_args["command_timeout"] = t.command
    if t.statement > 0:
        connect_args["server_settings"] = {"statement_timeout": str(int(t.statement * 1000))}
    return create_async_engine(url, echo=echo, pool_size=size, max_overflow=size * 2, pool_pre_ping=True,
                               pool_timeout=t.pool, connect_args=connect_args)  # fmt: skip


def make_null_pool_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
    engine = create_async_engine(url, poolclass=NullPool)
    if url.startswith("sqlite"):
        _sqlite_pragmas(engine)
    return engine


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(engine: AsyncEngine, busy_ms: int = 30000) -> None:
    # WAL lets readers run beside the single writer; BEGIN IMMEDIATE (see begin_write) takes
    # the write lock up front so a read-then-write transaction never dies with SQLITE_BUSY.
    # pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe)
    # so that our BEGIN is the one that runs.
    sync = engine.sync_engine

    @event.listens_for(sync, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.close()

    @event.listens_for(sync, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def write_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for read-then-write units of work: BEGIN IMMEDIATE on SQLite (the single
    writer lock is taken before the first read), plain BEGIN elsewhere (use row locks)."""
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    return async_sessionmaker(engine, expire_on_commit=False)


async def one_snapshot(session: AsyncSession) -> None:
    """Make every read of this session's transaction see the database as of its first read.
    PostgreSQL's default (READ COMMITTED) gives each statement its own view, so a room's row and
    the lot read after it could disagree about the last event; REPEATABLE READ keeps them together.
    A SQLite read transaction already is one snapshot. Call before the first query."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def bulk_insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows in one go: PostgreSQL's COPY (through asyncpg, in the session's transaction),
    executemany elsewhere. COPY skips SQLAlchemy's per-row work, which costs more than the server
    at a million lots; so column defaults are filled here, and JSON columns serialised.

    Rows that carry their own ids move the id sequence past them (an INSERT without an id must
    not collide with them later)."""
    if not rows:
        return
    conn = await session.connection()
    if conn.dialect.name != "postgresql":
        await conn.execute(insert(table), rows)
        return
    defaults = {c.name: c.default for c in table.columns if c.default is not None}
    # Columns no row names and no Python default fills are left to the server (ids, NULLs).
    given = {k for r in rows for k in r}
    columns = [c for c in table.columns if c.name in given or c.name in defaults]
    out = []
    for r in rows:
        values = []
        for c in columns:
            if c.name in r:
                v = r[c.name]
            elif c.name in defaults:
                d = defaults[c.name]
                v = d.arg(None) if d.is_callable else d.arg  # type: ignore[attr-defined]
            else:
                v = None
            values.append(json.dumps(v) if isinstance(c.type, JSON) and v is not None else v)
        out.append(tuple(values))
    # SQLAlchemy's asyncpg adapter opens its transaction at the first statement it runs: make sure
    # it has, so the COPY below belongs to it.
    await conn.execute(text("SELECT 1"))
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name, records=out, columns=[c.name for c in columns]
    )
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and pk[0].name in rows[0] and isinstance(pk[0].type, Integer):
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                f'(SELECT max("{pk[0].name}") FROM "{table.name}"))'
            )  # fmt: skip
        )
