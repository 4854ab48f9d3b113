"""The room pages' client logic (static/room/*.js) is tested with Node's built-in runner; this runs
it inside pytest so CI covers it too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not on PATH: the room pages' JS tests need Node 20+")
def test_room_js_reducer_and_rules_pass_under_node_test() -> None:
    proc = subprocess.run(
        [NODE, "--test", "static/room/tests/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    # Guard against the runner finding no files at all (which it reports as success).
    assert "# pass 0" not in proc.stdout
    assert "# fail 0" in proc.stdout
