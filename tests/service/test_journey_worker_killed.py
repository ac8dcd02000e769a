"""A worker killed with SIGKILL mid-job: its processes die with it, the other worker
finishes every article, and every published file is whole (SQLite and Redis queues)."""

from __future__ import annotations

import pytest

from tests.service.journeys import Service, check_published, redis_url, service  # noqa: F401

pytestmark = pytest.mark.slow  # redis_url and service (imported above) are fixtures


def test_two_workers_survive_one_killed_mid_job(service: Service) -> None:  # noqa: F811
    service.serve("--no-worker")
    workers = [service.start("worker", "--processes", "1") for _ in range(2)]
    jobs = service.post_articles()
    service.kill(workers[0], "the killed worker's processes")
    final = service.wait_done(jobs)
    assert [j["sections_ready"] for j in final] == [j["sections_total"] for j in final]
    check_published(service)
    assert workers[1].poll() is None  # the other worker carried on
