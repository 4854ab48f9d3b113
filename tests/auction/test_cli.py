import pytest

from auction.__main__ import main


@pytest.fixture(autouse=True)
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal test must never start serving when the refusal is missing."""
    import uvicorn

    def refuse(*a: object, **kw: object) -> None:
        raise AssertionError("uvicorn.run was called")

    monkeypatch.setattr(uvicorn, "run", refuse)


def test_several_workers_without_redis_are_refused(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("BROKER_URL", "memory://")
    assert main(["serve", "--workers", "2"]) == 2
    assert "BROKER_URL=redis" in capsys.readouterr().err


def test_several_workers_on_sqlite_are_refused_even_with_redis(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///var/never-created.db")
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL" in err and "SQLite" in err


def test_workers_below_one_are_refused(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_several_workers_on_postgresql_and_redis_start_uvicorn_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/never")
    assert main(["serve", "--workers", "3"]) == 0
    assert seen["workers"] == 3 and seen["factory"] is True and seen["app"] == "auction.app:create_app"
