"""Search endpoints (issue 3 builds these out)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
