"""A server killed with SIGKILL mid-build: restarted, it resumes every article, then
narrates an edit that watch mode picks up, only the section that changed."""

from __future__ import annotations

import pytest

from baclovoice import manifest
from tests.service.conftest import published_files_match, wait_for
from tests.service.journeys import Service, check_published, redis_url, service  # noqa: F401

pytestmark = pytest.mark.slow  # redis_url and service (imported above) are fixtures


def test_a_server_killed_mid_build_resumes_and_follows_edits(service: Service) -> None:  # noqa: F811
    server = service.serve()
    jobs = service.post_articles()
    service.kill(server, "the server's worker processes")
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
