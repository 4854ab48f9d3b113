"""The serving process's garbage-collector settings (auction.app.tune_gc, GC_THRESHOLD)."""

from __future__ import annotations

import dataclasses
import gc

import pytest
from asgi_lifespan import LifespanManager

from auction.app import create_app
from auction.config import DEFAULT_GC_THRESHOLD, Settings, parse_gc_threshold


def test_threshold_text_is_three_positive_integers_or_python() -> None:
    assert parse_gc_threshold(DEFAULT_GC_THRESHOLD) == (50_000, 20, 100)
    assert parse_gc_threshold(" 700, 10 ,10") == (700, 10, 10)
    assert parse_gc_threshold("Python") is None
    for bad in ["", "1,2", "a,b,c", "1,2,3,4", "0,10,10", "-1,10,10"]:
        with pytest.raises(ValueError):
            parse_gc_threshold(bad)


def test_the_environment_sets_it_and_the_default_is_tuned(monkeypatch) -> None:
    monkeypatch.delenv("GC_THRESHOLD", raising=False)
    assert Settings.from_env().gc_threshold == (50_000, 20, 100)
    monkeypatch.setenv("GC_THRESHOLD", "python")
    assert Settings.from_env().gc_threshold is None


async def test_serving_applies_the_thresholds_and_freezes_startup_objects(settings) -> None:
    before = gc.get_threshold()
    try:
        app = create_app(dataclasses.replace(settings, gc_threshold=(12_345, 11, 13)))
        async with LifespanManager(app):
            assert gc.get_threshold() == (12_345, 11, 13)
            assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


async def test_tests_and_embedders_keep_pythons_collector_by_default(settings) -> None:
    before = gc.get_threshold()
    async with LifespanManager(create_app(settings)):
        assert gc.get_threshold() == before
