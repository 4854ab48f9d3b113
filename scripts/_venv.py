"""Bootstrap the project's virtual environment from a fresh clone (stdlib only).

Both README commands start here: create .venv if missing, install the pinned-enough
dependencies when pyproject.toml changed since the last install, then hand over.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def ensure_venv(extras: str = "dev,scale") -> Path:
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        print("installing dependencies (first run takes a minute)", flush=True)
        subprocess.run([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        # The project itself is not installed (tests and the CLI run from the tree with
        # PYTHONPATH); this installs only what pyproject.toml declares.
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.run([str(PY), "-m", "pip", "install", "-q", target], check=True)
        stamp.write_text(digest)
    return PY


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    merged = {**os.environ, **(env or {})}
    merged["PYTHONPATH"] = str(ROOT) + os.pathsep + merged.get("PYTHONPATH", "")
    return subprocess.call(args, cwd=ROOT, env=merged)


if __name__ == "__main__":
    ensure_venv(sys.argv[1] if len(sys.argv) > 1 else "dev,scale")
