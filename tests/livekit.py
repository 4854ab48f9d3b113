"""The whole app under uvicorn in a thread of this process, on its own event loop, for tests that
speak real HTTP from synchronous code (the fuzzers: schemathesis and hypothesis are synchronous).
`run(coro)` runs a coroutine on the server's loop: seeding, and the database fingerprint."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from auction.app import create_app
from auction.config import Settings
from auction.db import make_engine
from tests.servers import free_port


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop: asyncio.AbstractEventLoop | None = None
        self.engine: AsyncEngine | None = None
        self._server: uvicorn.Server | None = None
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.engine = make_engine(self.settings.database_url)
        config = uvicorn.Config(create_app(self.settings), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on")  # fmt: skip
        self._server = uvicorn.Server(config)
        serving = asyncio.create_task(self._server.serve())
        # uvicorn offers no event for "started": poll its flag. Ends: started, or serve() failed.
        while not self._server.started and not serving.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        self._ready.set_result(None)
        await serving
        await self.engine.dispose()

    def __enter__(self) -> LiveServer:
        self._thread.start()
        self._ready.result(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=30)

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)
