"""Room hub placeholder until issue 5 lands."""

from __future__ import annotations

from typing import Any


class RoomHub:
    @classmethod
    async def start(cls, services: Any) -> RoomHub:
        return cls()

    async def stop(self) -> None:
        return None
