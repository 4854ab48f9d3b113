"""Settings: read from the environment once, passed into create_app()."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite+aiosqlite:///{ROOT / 'var' / 'auction.db'}"


def _env(name: str, default: str) -> str:
    # An empty variable means "use the default" so scripts can blank one out.
    return os.environ.get(name) or default


# See auction.app.tune_gc and docs/operations.md: measured with bench/room_bench.py, whose servers log
# their collector passes (bench/gcprobe); `--gc-threshold python` runs it with the interpreter's own.
DEFAULT_GC_THRESHOLD = "50000,20,100"
DEV_SECRET_KEY = "dev-only-secret-change-me"
ENVIRONMENTS = ("development", "production")


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


def _environment(text: str) -> str:
    if text not in ENVIRONMENTS:
        raise ValueError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, got {text!r}")
    return text


def normalise_origin(url: str) -> str:
    """'https://Example.org/' -> 'https://example.org'; '' stays ''."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"PUBLIC_ORIGIN must be scheme://host[:port], got {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


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
    secret_key: str = DEV_SECRET_KEY
    # Outside development the server refuses a guessable SECRET_KEY and a missing PUBLIC_ORIGIN
    # (auction.security.check_settings); from_env defaults to production so a forgotten variable fails closed.
    environment: str = "development"
    # scheme://host[:port] for absolute URLs and Origin checks; '' in development: the request's own.
    public_origin: str = ""
    # Addresses of reverse proxies whose X-Forwarded-Proto/For uvicorn may believe ('' believes none).
    trusted_proxies: str = ""
    # Cookies are Secure when the request came over https; this forces them Secure always.
    secure_cookies: bool = False
    # Room limits (issue 5): bounded per-socket outbox, frame size and message rate.
    ws_outbox: int = 256
    ws_max_frame: int = 4096
    ws_rate_per_sec: float = 20.0
    ws_heartbeat_sec: float = 20.0
    # Room hardening (issue 18, docs/security.md, the room): sockets per client address and per room (each
    # process), a bid's bounded wait for the database, and how far above the price a bid may go.
    ws_max_per_address: int = 200
    ws_max_per_room: int = 5000
    room_db_timeout_sec: float = 3.0
    bid_confirm_ratio: float = 2.0
    bid_max_ratio: float = 10.0
    echo_sql: bool = False
    # Garbage-collector thresholds for a serving process (auction.app.tune_gc); None keeps Python's.
    gc_threshold: tuple[int, int, int] | None = None
    # Map tiles (search maps): "none" by default, pins on a plain background and nothing fetched from
    # another host (issue 19); a URL template names a tile server, which the CSP then allows for images.
    map_tiles: str = "none"
    # Attribution shown on the map for MAP_TILES ('' for OpenStreetMap's own, or the tile host's name).
    map_attribution: str = ""
    # Accounts (docs/security.md, log-in and accounts): idle sessions end; argon2 runs in a bounded pool off the loop.
    session_idle_minutes: int = 120
    hash_workers: int = 2
    hash_queue: int = 16
    # Mail: SMTP when smtp_host is set, else each message is written to mail_outbox (development).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "starttls"  # starttls|tls|none
    mail_from: str = "no-reply@localhost"
    mail_outbox: str = str(ROOT / "var" / "mail")
    # Load shedding (auction.loadshed, docs/security.md, load): HTTP requests in progress per process
    # and lane before the excess is answered 503; 0 turns it off. A queue of 0 sheds at once.
    http_concurrency: int = 4
    http_queue: int = 16  # a page's few requests at once wait for a slot; a crowd does not fit
    http_queue_wait_sec: float = 0.5
    http_retry_after_sec: int = 2
    http_shed_pace_sec: float = 2.0  # a refusal is answered after about this long: no 503 storm
    # The search lane's limit halves while the event loop runs timers this late (0: a fixed limit).
    http_lag_target_ms: float = 0.0
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
            secret_key=_env("SECRET_KEY", DEV_SECRET_KEY),
            environment=_environment(_env("ENVIRONMENT", "production")),
            public_origin=normalise_origin(_env("PUBLIC_ORIGIN", "")),
            trusted_proxies=_env("TRUSTED_PROXIES", ""),
            secure_cookies=_env("SECURE_COOKIES", "0") == "1",
            ws_rate_per_sec=float(_env("WS_RATE_PER_SEC", "20")),
            ws_max_per_address=int(_env("WS_MAX_PER_ADDRESS", "200")),
            ws_max_per_room=int(_env("WS_MAX_PER_ROOM", "5000")),
            room_db_timeout_sec=float(_env("ROOM_DB_TIMEOUT_SEC", "3")),
            bid_confirm_ratio=float(_env("BID_CONFIRM_RATIO", "2")),
            bid_max_ratio=float(_env("BID_MAX_RATIO", "10")),
            echo_sql=_env("ECHO_SQL", "0") == "1",
            gc_threshold=parse_gc_threshold(_env("GC_THRESHOLD", DEFAULT_GC_THRESHOLD)),
            map_tiles=_env("MAP_TILES", "none"),
            map_attribution=_env("MAP_ATTRIBUTION", ""),
            session_idle_minutes=int(_env("SESSION_IDLE_MINUTES", "120")),
            hash_workers=int(_env("HASH_WORKERS", "2")),
            hash_queue=int(_env("HASH_QUEUE", "16")),
            smtp_host=_env("SMTP_HOST", ""),
            smtp_port=int(_env("SMTP_PORT", "587")),
            smtp_user=_env("SMTP_USER", ""),
            smtp_password=_env("SMTP_PASSWORD", ""),
            smtp_tls=_env("SMTP_TLS", "starttls"),
            mail_from=_env("MAIL_FROM", "no-reply@localhost"),
            mail_outbox=_env("MAIL_OUTBOX", str(ROOT / "var" / "mail")),
            http_concurrency=int(_env("HTTP_CONCURRENCY", "4")),
            http_queue=int(_env("HTTP_QUEUE", "16")),
            http_queue_wait_sec=float(_env("HTTP_QUEUE_WAIT_SEC", "0.5")),
            http_retry_after_sec=int(_env("HTTP_RETRY_AFTER_SEC", "2")),
            http_shed_pace_sec=float(_env("HTTP_SHED_PACE_SEC", "2")),
            http_lag_target_ms=float(_env("HTTP_LAG_TARGET_MS", "0")),
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
