"""A worker killed with SIGKILL mid-job: its processes die with it, the other worker
finishes every article, and every published file is whole (SQLite and Redis queues)."""

from __future__ import annotations

import signal

import pytest

from tests.service.conftest import wait_for
from tests.service.journeys import (  # noqa: F401 - redis_url and service are fixtures
    ARTICLES,
    Service,
    check_published,
    children,
    gone,
    redis_url,
    running,
    service,
)

pytestmark = pytest.mark.slow


def test_two_workers_survive_one_killed_mid_job(service: Service) -> None:  # noqa: F811
    service.serve("--no-worker")
    workers = [service.start("worker", "--processes", "1") for _ in range(2)]
    jobs = [service.post(slug, text) for slug, text in ARTICLES.items()]
    wait_for(lambda: running(service, jobs), 60, "a narration to start")
    victim = workers[0]
    forked = children(victim.pid)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    wait_for(lambda: all(gone(pid) for pid in forked), 10, "the killed worker's processes")
    final = service.wait_done(jobs)
    assert [j["sections_ready"] for j in final] == [j["sections_total"] for j in final]
    check_published(service)
    assert workers[1].poll() is None  # the other worker carried on
