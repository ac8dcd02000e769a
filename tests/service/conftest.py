"""A narration queue on Huey's in-memory storage, driven task by task from the test.

The queue, tasks and records are the real ones; only the storage is in memory, so
fast tests can run each task in the order they choose and look between steps.
Multi-process journeys (real SQLite and Redis queues, real workers) are in
test_journey_*.py (helpers in journeys.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import MemoryHuey

from baclovoice import manifest
from baclovoice.build.store import file_sha256
from baclovoice.engines import SharedEngine
from baclovoice.engines.fake import FakeEngine
from baclovoice.service.queue import NarrationQueue
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.ingest_api import QUEUE

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MARKDOWN = "# Notes on Tea\n\n## Brewing\n\nBoil the water. Wait three minutes.\n"


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def service_settings(small_settings: Settings) -> Settings:
    return small_settings.replace(engine="fake", reconcile_interval=1.0, jobs=1)


@pytest.fixture
def queue(service_settings: Settings, engine: FakeEngine) -> Iterator[NarrationQueue]:
    huey = MemoryHuey("test", results=False)
    yield NarrationQueue(service_settings, SharedEngine(engine), huey=huey)


def run_next(queue: NarrationQueue) -> str | None:
    """Execute the next queued task; its name, or None when the queue is empty."""
    task = queue.huey.dequeue()
    if task is None:
        return None
    queue.huey.execute(task)
    return type(task).__name__


def drain(queue: NarrationQueue, limit: int = 500, retries: bool = False) -> list[str]:
    """Run tasks until none is left (with ``retries``, also those scheduled for a retry)."""
    names: list[str] = []
    while len(names) < limit:
        if retries:
            later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
            for task in queue.huey.read_schedule(later):
                task.eta = None  # retry now, not after the retry delay
                queue.huey.enqueue(task)
        name = run_next(queue)
        if name is None:
            return names
        names.append(name)
    raise AssertionError(f"the queue did not empty after {limit} tasks")


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.replace(api_token=TOKEN, engine="fake", api_max_bytes=20_000)


def app_with_memory_queue(settings: Settings, config: dict[str, Any] | None = None) -> Flask:
    """The web app with its narration queue in Huey's memory storage (run tasks with drain)."""
    app = create_app(settings, config)
    app.extensions[QUEUE] = NarrationQueue(
        settings, SharedEngine(FakeEngine()), huey=MemoryHuey("api")
    )
    return app


@pytest.fixture
def app(api_settings: Settings) -> Flask:
    """The web app with the ingestion API on, its queue in memory (run tasks with drain)."""
    return app_with_memory_queue(api_settings, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def queue_of(app: Flask) -> NarrationQueue:
    queue: NarrationQueue = app.extensions[QUEUE]
    return queue


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def published_files_match(audio_dir: Path, m: manifest.Manifest) -> None:
    """Every file the manifest names exists with exactly the bytes it records."""
    for audio in m.audio_files:
        path = audio_dir / audio.file
        assert path.stat().st_size == audio.bytes, audio.file
        assert file_sha256(path) == audio.sha256, audio.file
