"""The queue's tasks, one at a time: plan, batches, sections published as they are ready,
the whole article last, the same result as ``baclovoice build``, and recovery."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from huey import MemoryHuey

from baclovoice import manifest
from baclovoice.build.builder import build
from baclovoice.build.store import AudioStore
from baclovoice.engines import SharedEngine
from baclovoice.engines.fake import FakeEngine
from baclovoice.models import BUILDING
from baclovoice.service.jobs import source_digest
from baclovoice.service.narrate import batches
from baclovoice.service.queue import NarrationQueue
from baclovoice.settings import Settings
from tests.conftest import SMALL_ARTICLE
from tests.service.conftest import drain, published_files_match, run_next

SLUG = "tiny"


def submit(queue: NarrationQueue, slug: str = SLUG, reason: str = "test"):
    return queue.submit(slug, source_digest(queue.settings.content_dir, slug), reason)


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([], []),
        ([(0, 10)], [[0]]),
        ([(0, 10), (0, 30), (0, 20)], [[1], [2], [0]]),  # first section: one each, longest first
        ([(0, 1), (1, 100), (1, 100), (1, 100), (1, 100)], [[0], [1, 2, 3], [4]]),  # 300 a batch
        ([(0, 1), (1, 10), (2, 10), (2, 10)], [[0], [1], [2, 3]]),  # never across sections
        ([(0, 1)] + [(2, 5)] * 8, [[0], [1, 2, 3, 4, 5, 6], [7, 8]]),  # at most six sentences
        ([(3, 10), (3, 20), (4, 10)], [[1], [0], [2]]),  # "first" is the first one missing
    ],
)
def test_batches_share_the_first_section_then_follow_reading_order(
    sizes: list[tuple[int, int]], expected: list[list[int]]
) -> None:
    missing = [(section, f"k{i}", "x" * length) for i, (section, length) in enumerate(sizes)]
    got = batches(missing)
    assert [[int(key[1:]) for key, _ in items] for _, items in got] == expected
    assert all({missing[int(k[1:])][0] for k, _ in items} == {section} for section, items in got)


def test_the_queue_publishes_what_build_publishes(
    queue: NarrationQueue, service_settings: Settings, tmp_path: Path
) -> None:
    job = submit(queue)
    names = drain(queue)
    assert names[0] == "narrate" and set(names[1:]) == {"synthesize"}
    status = queue.jobs.status(job.id, service_settings.audio_dir)
    assert (status.state, status.sections_ready, status.sections_total) == ("done", 2, 2)
    assert status.sentences_done == status.sentences_total > 0
    narrated = manifest.load(service_settings.audio_dir, SLUG)
    assert not manifest.building_path(service_settings.audio_dir, SLUG).exists()
    published_files_match(service_settings.audio_dir, narrated)

    other = service_settings.replace(audio_dir=tmp_path / "built")
    build(other, [SLUG], engines=SharedEngine(FakeEngine()))
    built = manifest.load(other.audio_dir, SLUG)
    assert manifest.dumps(narrated) == manifest.dumps(built)


def test_sections_are_published_one_by_one_and_feeds_wait(
    queue: NarrationQueue, service_settings: Settings
) -> None:
    audio_dir = service_settings.audio_dir
    job = submit(queue)
    assert run_next(queue) == "narrate"
    building = manifest.load_building(audio_dir, SLUG)
    assert building.status == BUILDING and building.extra["job"] == job.id
    assert [s.ready for s in building.sections] == [False, False]
    assert all(t.start == t.end == 0 for s in building.sections for t in s.sentences)
    assert building.sentence_keys  # gc keeps what is being narrated
    assert queue.jobs.status(job.id, audio_dir).state == "running"

    seen = [[s.ready for s in building.sections]]
    while run_next(queue):
        if manifest.building_path(audio_dir, SLUG).exists():
            building = manifest.load_building(audio_dir, SLUG)
            seen.append([s.ready for s in building.sections])
            published_files_match(audio_dir, building)
            assert not manifest.manifest_path(audio_dir, SLUG).exists()  # feeds: not yet
    assert [True, False] in seen  # the first section was playable before the second
    assert manifest.load(audio_dir, SLUG).complete


def test_an_edited_sentence_is_narrated_alone(
    queue: NarrationQueue, service_settings: Settings, engine: FakeEngine
) -> None:
    submit(queue)
    drain(queue)
    before = manifest.load(service_settings.audio_dir, SLUG)
    calls = engine.calls
    path = service_settings.content_dir / f"{SLUG}.html"
    path.write_text(SMALL_ARTICLE.replace("It worked well.", "It worked very well."))
    job = submit(queue, reason="watch")
    assert drain(queue) == ["narrate"]  # one missing sentence: spoken by the planning task
    assert engine.calls == calls + 1
    after = manifest.load(service_settings.audio_dir, SLUG)
    assert before.sections[1].audio == after.sections[1].audio
    assert before.sections[0].audio != after.sections[0].audio
    assert queue.jobs.status(job.id, service_settings.audio_dir).state == "done"


def test_an_unchanged_article_is_not_narrated_twice(queue: NarrationQueue) -> None:
    first = submit(queue)
    assert submit(queue) == first  # same text, job still pending: the same job
    drain(queue)
    assert submit(queue) == first  # done, text unchanged
    assert queue.submit(SLUG, first.source, "lexicon", force=True) != first


def test_a_newer_version_supersedes_the_running_job(
    queue: NarrationQueue, service_settings: Settings
) -> None:
    old = submit(queue)
    run_next(queue)  # old's narrate enqueued its batches
    path = service_settings.content_dir / f"{SLUG}.html"
    path.write_text(SMALL_ARTICLE.replace("Drink water.", "Drink more water."))
    new = submit(queue)
    drain(queue)
    old_status = queue.jobs.status(old.id, service_settings.audio_dir)
    assert old_status.state == "failed" and new.id in old_status.hint
    assert queue.jobs.status(new.id, service_settings.audio_dir).state == "done"
    final = manifest.load(service_settings.audio_dir, SLUG)
    assert "Drink more water." in {t.text for s in final.sections for t in s.sentences}


def test_a_worker_with_another_voice_fails_the_job_clearly(
    queue: NarrationQueue, service_settings: Settings
) -> None:
    job = submit(queue)
    run_next(queue)
    task = queue.huey.dequeue()
    job_id, _, batch = task.args
    queue.huey.execute(queue.synthesize.s(job_id, "another-voice", batch))
    status = queue.jobs.status(job.id, service_settings.audio_dir)
    assert status.state == "failed"
    assert "BACLOVOICE_ENGINE" in status.hint
    assert not manifest.building_path(service_settings.audio_dir, SLUG).exists()


def test_an_article_with_nothing_to_read_fails_without_retrying(
    queue: NarrationQueue, service_settings: Settings
) -> None:
    empty = "<html><head><title>Empty</title></head><body><h1>Empty</h1></body></html>"
    (service_settings.content_dir / "empty.html").write_text(empty)
    job = submit(queue, "empty")
    assert drain(queue, retries=True) == ["narrate"]
    status = queue.jobs.status(job.id, service_settings.audio_dir)
    assert status.state == "failed" and "no narratable text" in status.error


def test_engine_failures_are_retried_then_reported(service_settings: Settings) -> None:
    failing = NarrationQueue(
        service_settings, SharedEngine(FakeEngine(fail_on="Smith")), huey=MemoryHuey("fail")
    )
    job = submit(failing)
    names = drain(failing, retries=True)
    assert names.count("synthesize") >= 3  # the failing batch ran three times
    status = failing.jobs.status(job.id, service_settings.audio_dir)
    assert status.state == "failed" and "fail on 'Smith'" in status.error


def test_reconcile_resumes_a_job_whose_task_was_lost(
    queue: NarrationQueue, service_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = submit(queue)
    run_next(queue)
    lost = queue.huey.dequeue()  # a worker took this batch, then was killed
    assert lost is not None
    drain(queue)
    assert queue.jobs.status(job.id, service_settings.audio_dir).state == "running"

    queue.start_reconcile(everything=True)
    assert drain(queue) == ["reconcile"]  # the job beat a moment ago: not stalled yet
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    queue.start_reconcile(everything=True)
    assert drain(queue)[:2] == ["reconcile", "narrate"]
    assert queue.jobs.status(job.id, service_settings.audio_dir).state == "done"
    published_files_match(
        service_settings.audio_dir, manifest.load(service_settings.audio_dir, SLUG)
    )


def test_reconcile_narrates_what_is_missing_or_out_of_date(
    queue: NarrationQueue, service_settings: Settings
) -> None:
    queue.start_reconcile(everything=False)
    assert drain(queue) == ["reconcile"]  # only lost jobs: nothing to do
    queue.start_reconcile(everything=True)
    assert drain(queue)[:2] == ["reconcile", "narrate"]  # never narrated: narrated now
    assert manifest.load(service_settings.audio_dir, SLUG).complete
    queue.start_reconcile(everything=True)
    assert drain(queue) == ["reconcile"]  # up to date: left alone
    lexicon = service_settings.lexicon_path
    lexicon.write_text('[words]\n"Smith" = "Smyth"\n', encoding="utf-8")
    queue.start_reconcile(everything=True)
    assert drain(queue)[:2] == ["reconcile", "narrate"]  # the lexicon changed the keys


def test_reconcile_requests_are_deduplicated_across_processes(queue: NarrationQueue) -> None:
    now = 1000.5
    assert queue.request_reconcile(True, now=now)
    assert not queue.request_reconcile(True, now=now + 0.2)  # another process, same interval
    assert queue.request_reconcile(True, now=now + 1)
    assert drain(queue).count("reconcile") == 2


def test_a_removed_article_ends_its_job_and_leaves_no_manifest(
    queue: NarrationQueue, service_settings: Settings
) -> None:
    job = submit(queue)
    run_next(queue)
    (service_settings.content_dir / f"{SLUG}.html").unlink()
    drain(queue)
    status = queue.jobs.status(job.id, service_settings.audio_dir)
    assert status.state == "failed" and "removed" in status.error
    assert not manifest.building_path(service_settings.audio_dir, SLUG).exists()
    assert not manifest.manifest_path(service_settings.audio_dir, SLUG).exists()


def test_sentences_in_the_cache_are_not_spoken_again(
    queue: NarrationQueue, service_settings: Settings, engine: FakeEngine
) -> None:
    submit(queue)
    drain(queue)
    store = AudioStore(service_settings.audio_dir)
    keys = manifest.load(service_settings.audio_dir, SLUG).sentence_keys
    assert all(store.sentence_info(k) for k in keys)
    calls = engine.calls
    queue.submit(SLUG, "another source", "test", force=True)
    drain(queue)
    assert engine.calls == calls
