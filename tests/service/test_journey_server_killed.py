"""A server killed with SIGKILL mid-build: restarted, it resumes every article, then
narrates an edit that watch mode picks up, only the section that changed."""

from __future__ import annotations

import signal

import pytest

from baclovoice import manifest
from tests.service.conftest import published_files_match, wait_for
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


def test_a_server_killed_mid_build_resumes_and_follows_edits(service: Service) -> None:  # noqa: F811
    server = service.serve()
    jobs = [service.post(slug, text) for slug, text in ARTICLES.items()]
    wait_for(lambda: running(service, jobs), 60, "a narration to start")
    forked = children(server.pid)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    wait_for(lambda: all(gone(pid) for pid in forked), 10, "the server's worker processes")
    service.serve()
    service.wait_done(jobs)
    check_published(service)

    audio, content = service.root / "audio", service.root / "content"
    before = manifest.load(audio, "part-1")
    html = (content / "part-1.html").read_text()
    old, new = "Commonly prescribed medications", "Medications commonly prescribed"
    (content / "part-1.html").write_text(html.replace(old, new))

    def edited() -> manifest.Manifest | None:
        m = manifest.load(audio, "part-1")
        return m if any(new in t.text for s in m.sections for t in s.sentences) else None

    after = wait_for(edited, 30, "watch mode to narrate the edit")
    assert [a.audio == b.audio for a, b in zip(before.sections, after.sections, strict=True)] == [
        True,
        False,
    ]
    published_files_match(audio, after)
