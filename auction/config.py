"""Settings: read from the environment once, passed into create_app()."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite+aiosqlite:///{ROOT / 'var' / 'auction.db'}"


def _env(name: str, default: str) -> str:
    # An empty variable means "use the default" so scripts can blank one out.
    return os.environ.get(name) or default


# See auction.app.tune_gc and docs/operations.md: measured with bench/room_bench.py, whose servers log
# their collector passes (bench/gcprobe); `--gc-threshold python` runs it with the interpreter's own.
DEFAULT_GC_THRESHOLD = "50000,20,100"


def parse_gc_threshold(text: str) -> tuple[int, int, int] | None:
    """ "50000,20,100" -> (50000, 20, 100); "python" keeps the interpreter's own thresholds."""
    if text.strip().lower() == "python":
        return None
    try:
        a, b, c = (int(part) for part in text.split(","))
    except ValueError as exc:
        raise ValueError(
            f"GC_THRESHOLD must be three integers like {DEFAULT_GC_THRESHOLD}, or 'python'"
        ) from exc
    if min(a, b, c) < 1:
        raise ValueError("GC_THRESHOLD values must be positive")
    return a, b, c


@dataclass(frozen=True)
class DbTimeouts:
    """Seconds; 0 is no limit. See Settings.db_*."""

    statement: float = 0.0
    command: float = 0.0
    pool: float = 30.0  # SQLAlchemy's own default
    connect: float = 60.0
    sqlite_busy: float = 30.0


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DB
    broker_url: str = "memory://"
    broker_prefix: str = "led:"  # namespaces channels: several deployments (or test runs) on one Redis
    secret_key: str = "dev-only-secret-change-me"
    # Cookies marked Secure only behind TLS; local http development needs them plain.
    secure_cookies: bool = False
    # Room limits (issue 5): bounded per-socket outbox, frame size and message rate.
    ws_outbox: int = 256
    ws_max_frame: int = 4096
    ws_rate_per_sec: float = 20.0
    ws_heartbeat_sec: float = 20.0
    echo_sql: bool = False
    # Garbage-collector thresholds for a serving process (auction.app.tune_gc); None keeps Python's.
    gc_threshold: tuple[int, int, int] | None = None
    # Map tiles (search maps); "none" for no tiles: pins on a plain background, nothing fetched.
    map_tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    # Event-loop watchdog (auction.watchdog): a stall beyond warn is logged with the loop's stack and
    # turns /healthz 503 for `recent`; beyond exit the process ends for its supervisor to restart it.
    # 0 turns the exit off: the default when the app is embedded (tests); from_env turns it on.
    loop_stall_warn_sec: float = 1.0
    loop_stall_exit_sec: float = 0.0
    loop_stall_recent_sec: float = 60.0
    # Database timeouts (auction.db.make_engine), so that a hung database is an error, not a hang.
    db_statement_timeout_sec: float = 10.0  # PostgreSQL statement_timeout (server side)
    db_command_timeout_sec: float = 15.0  # asyncpg command_timeout (client side: a server that never answers)
    db_pool_timeout_sec: float = 5.0  # waiting for a free pooled connection
    db_connect_timeout_sec: float = 5.0
    sqlite_busy_timeout_sec: float = 30.0  # waiting for SQLite's single write lock (an import holds it long)
    ready_timeout_sec: float = 2.0  # /readyz: each check (SELECT 1, Redis PING) is given this long
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=_env("DATABASE_URL", DEFAULT_DB),
            broker_url=_env("BROKER_URL", "memory://"),
            broker_prefix=_env("BROKER_PREFIX", "led:"),
            secret_key=_env("SECRET_KEY", "dev-only-secret-change-me"),
            secure_cookies=_env("SECURE_COOKIES", "0") == "1",
            ws_rate_per_sec=float(_env("WS_RATE_PER_SEC", "20")),
            echo_sql=_env("ECHO_SQL", "0") == "1",
            gc_threshold=parse_gc_threshold(_env("GC_THRESHOLD", DEFAULT_GC_THRESHOLD)),
            map_tiles=_env("MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            loop_stall_warn_sec=float(_env("LOOP_STALL_WARN_SEC", "1")),
            loop_stall_exit_sec=float(_env("LOOP_STALL_EXIT_SEC", "30")),
            loop_stall_recent_sec=float(_env("LOOP_STALL_RECENT_SEC", "60")),
            db_statement_timeout_sec=float(_env("DB_STATEMENT_TIMEOUT_SEC", "10")),
            db_command_timeout_sec=float(_env("DB_COMMAND_TIMEOUT_SEC", "15")),
            db_pool_timeout_sec=float(_env("DB_POOL_TIMEOUT_SEC", "5")),
            db_connect_timeout_sec=float(_env("DB_CONNECT_TIMEOUT_SEC", "5")),
            sqlite_busy_timeout_sec=float(_env("SQLITE_BUSY_TIMEOUT_SEC", "30")),
            ready_timeout_sec=float(_env("READY_TIMEOUT_SEC", "2")),
        )

    @property
    def db_timeouts(self) -> DbTimeouts:
        return DbTimeouts(self.db_statement_timeout_sec, self.db_command_timeout_sec, self.db_pool_timeout_sec,
                          self.db_connect_timeout_sec, self.sqlite_busy_timeout_sec)  # fmt: skip

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
