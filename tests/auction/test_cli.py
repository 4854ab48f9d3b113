import pytest

from auction.__main__ import main


def test_several_workers_without_redis_are_refused(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("BROKER_URL", "memory://")
    assert main(["serve", "--workers", "2"]) == 2
    assert "BROKER_URL=redis" in capsys.readouterr().err
