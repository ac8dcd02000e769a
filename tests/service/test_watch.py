"""Watch mode: a changed, added or removed article file reaches the queue by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baclovoice import manifest
from baclovoice.service.queue import NarrationQueue
from baclovoice.service.watch import Watcher, changed_articles
from tests.conftest import SMALL_ARTICLE
from tests.service.conftest import drain, wait_for


@pytest.mark.parametrize(
    ("paths", "slugs", "lexicon"),
    [
        (["/c/tiny.html"], {"tiny"}, False),
        (["/c/tiny.html", "/c/other.html", "/c/tiny.html"], {"tiny", "other"}, False),
        (["/c/Not A Slug.html", "/c/notes.txt", "/c/.tiny.html.x.tmp"], set(), False),
        (["/c/lexicon.toml"], set(), True),
    ],
)
def test_changed_paths_name_articles(paths: list[str], slugs: set[str], lexicon: bool) -> None:
    assert changed_articles(paths) == (slugs, lexicon)


@pytest.fixture
def watcher(queue: NarrationQueue) -> Iterator[Watcher]:
    watcher = Watcher(queue)
    watcher.start()
    assert watcher.ready.wait(10)
    yield watcher
    watcher.stop()
    watcher.join(timeout=5)
    assert not watcher.is_alive()


def test_an_edit_is_narrated_and_a_removal_withdraws(
    watcher: Watcher, queue: NarrationQueue
) -> None:
    settings = queue.settings
    path = settings.content_dir / "tiny.html"
    queue.submit("tiny", "", "test")
    drain(queue)
    first = queue.jobs.current("tiny")
    path.write_text(SMALL_ARTICLE.replace("Rest often.", "Rest very often."))
    edited = wait_for(
        lambda: (job := queue.jobs.current("tiny")) != first and job, 10, "the watcher's job"
    )
    assert edited.reason == "watch"
    drain(queue)
    assert manifest.load(settings.audio_dir, "tiny").complete
    path.unlink()
    wait_for(lambda: not (settings.audio_dir / "tiny").exists(), 10, "the article to go")
    assert queue.jobs.current("tiny") is None


def test_a_new_file_and_a_lexicon_change_are_picked_up(
    watcher: Watcher, queue: NarrationQueue
) -> None:
    content = queue.settings.content_dir
    (content / "second.html").write_text(SMALL_ARTICLE.replace("Tiny", "Second"))
    wait_for(lambda: queue.jobs.current("second"), 10, "a job for the new file")
    jobs = {slug: queue.jobs.current(slug) for slug in ("tiny", "second")}
    (content / "lexicon.toml").write_text('[words]\n"Smith" = "Smyth"\n', encoding="utf-8")
    wait_for(
        lambda: all(queue.jobs.current(s) not in (None, jobs[s]) for s in jobs),
        10,
        "every article to be narrated again",
    )
