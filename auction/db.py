"""Base, engine/session factories and the aware-UTC datetime column type."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

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


def make_engine(url: str, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    # Several processes share one PostgreSQL (100 connections by default): keep each pool small.
    size = int(os.environ.get("DB_POOL_SIZE", "5"))
    return create_async_engine(url, echo=echo, pool_size=size, max_overflow=size * 2, pool_pre_ping=True)


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


def _sqlite_pragmas(engine: AsyncEngine) -> None:
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
        cur.execute("PRAGMA busy_timeout=30000")
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
