"""`python3 scripts/serve.py`: bootstrap .venv, migrate, load demo data once, serve on :8000."""

from __future__ import annotations

import os
import sys

from _venv import ensure_venv, run

if __name__ == "__main__":
    # The demo: the development secret and the request's own origin are fine on 127.0.0.1.
    os.environ.setdefault("ENVIRONMENT", "development")
    py = str(ensure_venv("scale"))
    lots = os.environ.get("DEMO_LOTS", "3000")
    for step in (["migrate"], ["demo-data", "--lots", lots, "--if-empty"]):
        if run([py, "-m", "auction", *step]) != 0:
            sys.exit(1)
    sys.exit(run([py, "-m", "auction", "serve", *sys.argv[1:]]))
