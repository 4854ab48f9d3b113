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
    # Load shedding (auction.loadshed, docs/security-load.md): HTTP requests in progress per process
    # and lane before the excess is answered 503; 0 turns it off. A queue of 0 sheds at once.
    http_concurrency: int = 4
    http_queue: int = 16  # a page's few requests at once wait for a slot; a crowd does not fit
    http_queue_wait_sec: float = 0.5
    http_retry_after_sec: int = 2
    http_shed_pace_sec: float = 2.0  # a refusal is answered after about this long: no 503 storm
    # The search lane's limit halves while the event loop runs timers this late (0: a fixed limit).
    http_lag_target_ms: float = 0.0
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
            http_concurrency=int(_env("HTTP_CONCURRENCY", "4")),
            http_queue=int(_env("HTTP_QUEUE", "16")),
            http_queue_wait_sec=float(_env("HTTP_QUEUE_WAIT_SEC", "0.5")),
            http_retry_after_sec=int(_env("HTTP_RETRY_AFTER_SEC", "2")),
            http_shed_pace_sec=float(_env("HTTP_SHED_PACE_SEC", "2")),
            http_lag_target_ms=float(_env("HTTP_LAG_TARGET_MS", "0")),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
