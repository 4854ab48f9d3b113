"""`python3 scripts/test.py`: bootstrap .venv and run the whole test suite.

The suite runs on the embedded SQLite default. When PostgreSQL and Redis answer on
127.0.0.1 (as on the developers' machines and in CI), the suite runs a second time
against them, so both back ends are proven on every run. Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import socket
import sys

from _venv import ensure_venv, run


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    py = str(ensure_venv("dev,scale"))
    args = sys.argv[1:]
    print("== test suite on SQLite (embedded default)", flush=True)
    rc = run([py, "-m", "pytest", *args], env={"DATABASE_URL": "", "BROKER_URL": ""})
    if rc != 0:
        sys.exit(rc)
    if os.environ.get("SKIP_PG") != "1" and _listening(5432):
        print("== test suite on PostgreSQL + Redis (127.0.0.1)", flush=True)
        broker = "redis://127.0.0.1:6379/0" if _listening(6379) else ""
        # The browser tier serves its own SQLite data set, so a second run of it proves nothing new.
        rc = run(
            [py, "-m", "pytest", "--ignore=tests/e2e_browser", *args],
            env={"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/test", "BROKER_URL": broker},
        )
    else:
        print("== PostgreSQL not listening on 127.0.0.1:5432: the PostgreSQL pass is skipped", flush=True)
    sys.exit(rc)
