"""CLI: `python -m auction serve | migrate | demo-data | import | create-officer`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from auction.config import Settings


def migrate(database_url: str) -> None:
    """Alembic upgrade to head, then the reference data (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(Path(__file__).resolve().parent.parent / "alembic.ini"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    asyncio.run(_load_reference(database_url))


async def _load_reference(url: str) -> None:
    from auction import reference
    from auction.db import make_null_pool_engine, sessionmaker

    engine = make_null_pool_engine(url)
    async with sessionmaker(engine).begin() as s:
        counts = await reference.load(s)
    await engine.dispose()
    if counts:
        print("reference data loaded:", ", ".join(f"{k} {v}" for k, v in counts.items()))


async def _demo(url: str, lots: int, if_empty: bool, seed: int) -> None:
    from sqlalchemy import func, select

    from auction import demo, registration
    from auction.db import make_null_pool_engine, sessionmaker
    from auction.models import Lot

    engine = make_null_pool_engine(url)
    async with sessionmaker(engine).begin() as s:
        if if_empty and (await s.scalar(select(func.count()).select_from(Lot))):
            print("demo data already present: skipped (drop var/auction.db to start over)")
            await engine.dispose()
            return
        t0 = time.perf_counter()
        # The sale calendar's today is Bangkok's: from 17:00 UTC the server's date is a day behind.
        today = registration.today()
        result = await demo.generate(s, lots, seed=seed, today=today)
        made = await demo.demo_accounts(s, today)
    await engine.dispose()
    print(
        f"demo data: {result.lots} lots, {result.cases} cases, {result.rounds} rounds in {time.perf_counter() - t0:.1f} s"
    )
    for email, role in made:
        print(f"  demo {role}: {email} / password {demo.DEMO_PASSWORD}")


async def _import(url: str, path: str) -> int:
    from auction.db import make_null_pool_engine, sessionmaker
    from auction.importer import ImportFailed, import_csv

    text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
    engine = make_null_pool_engine(url)
    try:
        async with sessionmaker(engine).begin() as s:
            report = await import_csv(s, text)
    except ImportFailed as exc:
        print(f"import refused, nothing was loaded ({len(exc.report.errors)} problems):", file=sys.stderr)
        for line, msg in exc.report.errors:
            print(f"  line {line}: {msg}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"imported {report.lots} lots in {report.cases} new cases")
    return 0


async def _create_officer(
    url: str, email: str, password: str, office_code: str, admin: bool, name: str
) -> int:
    from sqlalchemy import select

    from auction import auth
    from auction.db import make_null_pool_engine, sessionmaker
    from auction.errors import ApiError
    from auction.models import Office

    engine = make_null_pool_engine(url)
    try:
        async with sessionmaker(engine).begin() as s:
            office = await s.scalar(select(Office).where(Office.code == office_code))
            if office is None:
                print(f"unknown office code {office_code}", file=sys.stderr)
                return 1
            await auth.create_user(s, email, password, role="admin" if admin else "officer",
                                   office_id=office.id, display_name=name)  # fmt: skip
    except ApiError as exc:
        print(exc.en, file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"created {'admin' if admin else 'officer'} {email} for {office_code}")
    return 0


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    p = argparse.ArgumentParser(prog="python -m auction")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the web service")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="create/upgrade the schema and load reference data")
    d = sub.add_parser("demo-data", help="generate a realistic demo data set")
    d.add_argument("--lots", type=int, default=3000)
    d.add_argument("--seed", type=int, default=2569)
    d.add_argument("--if-empty", action="store_true", help="do nothing when lots already exist")
    i = sub.add_parser("import", help="load an announcement CSV (all or nothing)")
    i.add_argument("file")
    o = sub.add_parser("create-officer", help="create an officer account (officers never sign up)")
    o.add_argument("email")
    o.add_argument("--password", required=True)
    o.add_argument("--office", required=True, help="office code, e.g. LED-10-1")
    o.add_argument("--name", default="")
    o.add_argument("--admin", action="store_true")
    args = p.parse_args(argv)

    if args.cmd == "serve":
        import uvicorn

        if args.workers < 1:
            print("--workers must be 1 or more", file=sys.stderr)
            return 2
        if args.workers > 1 and not settings.broker_url.startswith("redis"):
            # Each process would hold its own part of every room: refuse rather than split rooms.
            print("--workers above 1 needs BROKER_URL=redis://... (docs/operations.md)", file=sys.stderr)
            return 2
        if args.workers > 1 and settings.is_sqlite:
            # SQLite has one writer per file: every process's bids would queue for the same lock
            # (up to its 30 s busy timeout) and the room's row locks are not enforced there.
            print(
                "--workers above 1 needs PostgreSQL (DATABASE_URL=postgresql+asyncpg://...): SQLite allows "
                "one writer per file, so the processes' bids would wait for each other (docs/operations.md)",
                file=sys.stderr,
            )
            return 2
        from auction.security import UnsafeSettings, check_settings

        try:
            check_settings(settings)
        except UnsafeSettings as exc:
            print(exc, file=sys.stderr)
            return 2

        print(f"serving on http://{args.host}:{args.port}  (database: {settings.database_url})", flush=True)
        uvicorn.run(
            "auction.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
            ws="websockets-sansio", ws_per_message_deflate=False, ws_max_size=65536, log_level="info",
            # uvicorn believes X-Forwarded-* from 127.0.0.1 by default: only the proxies named here may
            # say a request came over https (Secure cookies, HSTS) or from which address.
            proxy_headers=bool(settings.trusted_proxies), forwarded_allow_ips=settings.trusted_proxies or None,
        )  # fmt: skip
        return 0
    if args.cmd == "migrate":
        migrate(settings.database_url)
        return 0
    if args.cmd == "demo-data":
        asyncio.run(_demo(settings.database_url, args.lots, args.if_empty, args.seed))
        return 0
    if args.cmd == "import":
        return asyncio.run(_import(settings.database_url, args.file))
    if args.cmd == "create-officer":
        return asyncio.run(
            _create_officer(
                settings.database_url, args.email, args.password, args.office, args.admin, args.name
            )
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
