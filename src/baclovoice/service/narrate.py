"""What the queue's tasks do, in a worker process: plan, synthesize, publish, reconcile.

Built on the build stage's public functions (``plan_article``, ``publish_section``,
``publish_article``...), so an article narrated by the queue is published exactly as
``baclovoice build`` publishes it. The unit of work is the sentence cache key: a
batch speaks the keys not yet cached, then *advances* its article, which publishes
every section whose sentences are all cached and, once all are, the whole article.

Advancing is serialized per article with a file lock on the shared audio folder (a
killed holder's lock is released by the kernel). A worker that finds the lock taken
leaves a flag instead of waiting; the holder advances again while flags are set, so
no worker idles and no update is lost. Every file is written atomically under a
content hash: no partial file is ever published, and repeating work is harmless.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from baclovoice import audio, failures, manifest
from baclovoice.build import publish
from baclovoice.build.plan import Plan, plan_article
from baclovoice.build.store import PUBLISH_VERSION, AudioStore, digest
from baclovoice.engines import Engine, EngineFactory, NamedEngine
from baclovoice.errors import BaclovoiceError, InputError, NotFound
from baclovoice.models import (
    BUILDING,
    NOT_READY,
    BlockEntry,
    Manifest,
    SectionEntry,
    SentenceTiming,
)
from baclovoice.service.jobs import Ending, Job, source_digest
from baclovoice.service.locks import article_locks
from baclovoice.settings import Settings
from baclovoice.speech.lexicon import Lexicon, load_lexicon

if TYPE_CHECKING:
    from baclovoice.service.queue import NarrationQueue

log = logging.getLogger(__name__)

INLINE_SENTENCES = 3  # this few missing sentences are spoken by the planning task itself
BATCH_CHARACTERS = 300  # of speech per batch (about 4 s of audio) after the first section
BATCH_SENTENCES = 6
PLANS_KEPT = 16
STALL_FLOOR = 3.0  # seconds without a heartbeat before a job counts as lost (at the least)
FAILED_RETRY_INTERVALS = 10  # reconcile retries a failed, unchanged article this rarely


# --- pure helpers ----------------------------------------------------------------------


def batches(
    missing: Sequence[tuple[int, str, str]],
    characters: int = BATCH_CHARACTERS,
    sentences: int = BATCH_SENTENCES,
) -> list[tuple[int, list[tuple[str, str]]]]:
    """(section index, [(key, speech)]) batches, never across sections, section by section.

    The first section with missing sentences goes one sentence a batch, longest first,
    so every worker shares it and they finish together: it is what a listener waits for.
    Later sections go in reading order, in batches of about ``characters`` of speech.
    """
    if not missing:
        return []
    first = missing[0][0]
    head = sorted((m for m in missing if m[0] == first), key=lambda m: len(m[2]), reverse=True)
    out: list[tuple[int, list[tuple[str, str]]]] = [(first, [(k, sp)]) for _, k, sp in head]
    size = 0
    for section, key, speech in (m for m in missing if m[0] != first):
        last = out[-1] if out else None
        if last is None or last[0] != section or size >= characters or len(last[1]) >= sentences:
            out.append((section, []))
            size = 0
        out[-1][1].append((key, speech))
        size += len(speech)
    return out


def pending_section(plan: Plan, index: int) -> SectionEntry:
    """A section still being narrated: its text and sentences, no audio, no timings yet."""
    script = plan.scripts[index]
    section = script.section
    return SectionEntry(
        id=section.id,
        number=index + 1,
        title=section.title,
        audio=NOT_READY,
        blocks=tuple(BlockEntry(b.id, b.kind, b.text, b.level) for b in section.blocks),
        sentences=tuple(SentenceTiming(u.text, u.element_id, 0.0, 0.0) for u in script.utterances),
    )


def building_manifest(
    pub: publish.Publisher, plan: Plan, sections: Sequence[SectionEntry], cover: str, job: Job
) -> Manifest:
    return publish.article_manifest(
        pub, plan, sections, cover, status=BUILDING, extra={"job": job.id}
    )


def reusable(plan: Plan, *manifests: Manifest | None) -> Manifest | None:
    """One manifest whose section n is a ready section n of the first manifest that has
    one: what ``publish_section`` may reuse instead of rendering again."""
    present = [m for m in manifests if m is not None]
    if not present:
        return None
    sections = []
    for index in range(len(plan.scripts)):
        found = [s for m in present if (s := m.section(index + 1)) is not None and s.ready]
        sections.append(found[0] if found else pending_section(plan, index))
    full = next((m.full for m in present if m.full is not None), None)
    return dataclasses.replace(present[0], sections=tuple(sections), full=full)


# --- the runtime of one worker process -------------------------------------------------


class Runtime:
    """What the tasks of one worker process share: the engine (its voice loaded once),
    the lexicon, recent plans and the publisher."""

    def __init__(
        self,
        settings: Settings,
        queue: NarrationQueue,
        engines: EngineFactory | None = None,
        *,
        threads: int = 1,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.jobs = queue.jobs
        self.engines = engines or NamedEngine(settings)
        self.threads = threads
        self.store = AudioStore(settings.audio_dir)
        self.locks = article_locks(settings.audio_dir)
        self._engine: Engine | None = None
        self._publisher: publish.Publisher | None = None
        self._lexicon: tuple[tuple[int, int], Lexicon] | None = None
        self._plans: dict[str, tuple[str, Plan]] = {}
        self._lock = threading.Lock()  # tasks of one process may run in threads (tests)

    # --- shared state ------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.engines(self.threads)
        return self._engine

    def publisher(self) -> publish.Publisher:
        """One section at a time: the queue runs one worker process per core already."""
        if self._publisher is None:
            pub = publish.Publisher.for_settings(self.settings, self.engine)
            self._publisher = dataclasses.replace(pub, threads=1)
        return self._publisher

    def warm_up(self) -> None:
        """Load the voice (and the mastering libraries) before the first task needs them."""
        engine = self.engine
        if hasattr(engine, "loaded") and not engine.loaded:
            engine.synthesize("Ready.")
        audio.preload()

    def lexicon(self) -> Lexicon:
        """The pronunciation lexicon, read again when its file changes."""
        path = self.settings.lexicon_path
        try:
            info = path.stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        if self._lexicon is None or self._lexicon[0] != stamp:
            self._lexicon = (stamp, load_lexicon(path))
        return self._lexicon[1]

    def engine_digest(self) -> str:
        return digest(self.engine.identity())

    def revision(self, slug: str) -> str:
        """Everything that decides an article's published audio; "" if it has no file."""
        source = source_digest(self.settings.content_dir, slug)
        if not source:
            return ""
        s = self.settings
        return digest(
            {
                "source": source,
                "lexicon": self.lexicon().digest,
                "engine": self.engine.identity(),
                "options": [s.section_level, s.read_images, s.bitrate, s.base_url, s.formats],
                "publish": PUBLISH_VERSION,
            }
        )

    def plan(self, slug: str) -> tuple[Plan, str]:
        """The article's plan and revision; NotFound when its file is gone."""
        revision = self.revision(slug)
        if not revision:
            raise NotFound(
                f"The article {slug!r} was removed from {self.settings.content_dir}.",
                "Add it again to narrate it.",
            )
        with self._lock:
            cached = self._plans.get(slug)
        if cached is not None and cached[0] == revision:
            return cached[1], revision
        plan = plan_article(self.settings, slug, self.lexicon(), self.engine.identity())
        with self._lock:
            self._plans[slug] = (revision, plan)
            while len(self._plans) > PLANS_KEPT:
                del self._plans[next(iter(self._plans))]
        return plan, revision

    def missing(self, plan: Plan) -> list[tuple[int, str, str]]:
        """(section index, key, speech) of every sentence not cached, in reading order."""
        seen: set[str] = set()
        out = []
        for index, (script, keys) in enumerate(zip(plan.scripts, plan.keys, strict=True)):
            for key, utterance in zip(keys, script.utterances, strict=True):
                if key not in seen and self.store.sentence_info(key) is None:
                    out.append((index, key, utterance.speech))
                seen.add(key)
        return out

    def active(self, job: Job) -> bool:
        return self.jobs.is_current(job) and self.jobs.ending(job.id) is None

    # --- tasks -------------------------------------------------------------------------

    def narrate(self, job_id: str) -> None:
        job = self.jobs.get(job_id)
        if job is None or not self.active(job):
            return
        self.jobs.beat(job)
        plan, _ = self.plan(job.slug)
        missing = self.missing(plan)
        if len(missing) > INLINE_SENTENCES:
            engine = self.engine_digest()
            for section, items in batches(missing):  # other workers start on them at once
                self.queue.enqueue_batch(job, engine, section, items)
            log.info("%s: %d sentences to synthesize (job %s)", job.slug, len(missing), job.id)
            self.advance(job.slug)  # publishes what is cached; lists the rest as pending
            return
        self.speak(job, [(key, speech) for _, key, speech in missing])
        self.advance(job.slug)

    def synthesize(self, job_id: str, engine: str, items: list[tuple[str, str]]) -> None:
        job = self.jobs.get(job_id)
        if job is None or not self.active(job):
            return
        if engine != self.engine_digest():
            raise InputError(
                f"This worker's voice ({self.engine.voice}, {self.engine.name}) is not the "
                f"one job {job.id} was planned with.",
                "Start every worker and server with the same BACLOVOICE_ENGINE, "
                "BACLOVOICE_VOICE and gTTS settings.",
            )
        self.speak(job, items)
        self.advance(job.slug)

    def speak(self, job: Job, items: Sequence[tuple[str, str]]) -> None:
        """Synthesize whichever of ``items`` are not cached yet, beating as it goes."""
        for key, speech in items:
            if self.store.sentence_info(key) is None:
                self.store.write_sentence(key, audio.wav_bytes(self.engine.synthesize(speech)))
            self.jobs.beat(job)

    def advance(self, slug: str) -> None:
        self.locks.advance(slug, lambda: self._publish(slug))

    def _publish(self, slug: str) -> None:
        """Under the article's lock: publish what is ready; the whole article once all is."""
        job = self.jobs.current(slug)
        if job is None or self.jobs.ending(job.id) is not None:
            return
        try:
            plan, revision = self.plan(slug)
        except NotFound as exc:
            self.jobs.fail(job, exc)
            self.abandon(job)
            return
        complete = publish.previous_manifest(self.store, slug)
        building = self._building(slug)
        reuse = reusable(plan, building, complete)
        pub = self.publisher()
        ready = [all(self.store.sentence_info(k) is not None for k in keys) for keys in plan.keys]
        sections = [
            publish.publish_section(pub, plan, i, reuse) if is_ready else pending_section(plan, i)
            for i, is_ready in enumerate(ready)
        ]
        cover, _ = publish.publish_cover(self.store, plan.article)
        new = building_manifest(pub, plan, sections, cover, job)
        if building is None or manifest.dumps(building) != manifest.dumps(new):
            # Playable now, even when every section is: the whole-article MP3, the EPUB
            # and the M4B take seconds more, and an edit should not wait for them.
            manifest.save_building(self.settings.audio_dir, new)
            log.info("%s: %d of %d sections ready", slug, sum(ready), len(ready))
        self.jobs.beat(job)
        if all(ready):
            made = dict(enumerate(sections))
            self._complete(job, plan, revision, reuse, complete, made)

    def _complete(
        self,
        job: Job,
        plan: Plan,
        revision: str,
        reuse: Manifest | None,
        complete: Manifest | None,
        sections: dict[int, SectionEntry],
    ) -> None:
        slug = plan.article.slug
        new = publish.publish_article(self.publisher(), plan, reuse, sections=sections)
        changed = publish.save_manifest(self.store, new, complete)
        manifest.remove_building(self.settings.audio_dir, slug)
        publish.publish_library_cover(self.store)
        self.jobs.set_published(slug, revision)
        failures.update(self.settings.audio_dir, slug, None)  # it builds now
        self.jobs.end(
            job,
            Ending(
                ok=True,
                at=time.time(),
                sentences=len(plan.sentence_keys),
                sections=len(plan.scripts),
                revision=revision,
            ),
        )
        log.info("%s: narrated, %s (job %s)", slug, "published" if changed else "unchanged", job.id)

    def _building(self, slug: str) -> Manifest | None:
        if not manifest.building_path(self.settings.audio_dir, slug).exists():
            return None
        try:
            return manifest.load_building(self.settings.audio_dir, slug)
        except BaclovoiceError as exc:
            log.warning("Replacing the unreadable manifest in progress of %s: %s", slug, exc)
            return None

    def abandon(self, job: Job) -> None:
        """The job ended without publishing: drop its manifest in progress."""
        building = self._building(job.slug)
        if building is not None and building.extra.get("job") == job.id:
            manifest.remove_building(self.settings.audio_dir, job.slug)

    # --- reconcile ---------------------------------------------------------------------

    def reconcile(self, everything: bool) -> None:
        """Resume lost jobs; with ``everything``, narrate every out-of-date article."""
        from baclovoice.ingest.store import article_slugs

        queued = self.queue.queued_jobs()
        slugs = set(manifest.building_slugs(self.settings.audio_dir))
        if everything:
            slugs |= set(article_slugs(self.settings.content_dir))
        for slug in sorted(slugs):
            try:
                self._reconcile_one(slug, everything, queued)
            except BaclovoiceError as exc:
                log.warning("Reconcile skipped %s: %s", slug, exc)

    def _reconcile_one(self, slug: str, everything: bool, queued: set[str]) -> None:
        interval = self.settings.reconcile_interval
        job = self.jobs.current(slug)
        ending = self.jobs.ending(job.id) if job else None
        source = source_digest(self.settings.content_dir, slug)
        if job is not None and ending is None:
            if not source:
                self.jobs.fail(job, NotFound(f"The article {slug!r} was removed.", ""))
                self.abandon(job)
            elif job.id not in queued:
                self._resume_if_stalled(job, max(STALL_FLOOR, 3 * interval))
            return
        if not source:
            manifest.remove_building(self.settings.audio_dir, slug)
            return
        if not everything:
            return
        revision = self.revision(slug)
        published = manifest.manifest_path(self.settings.audio_dir, slug).exists()
        building = manifest.building_path(self.settings.audio_dir, slug).exists()
        if published and not building and self.jobs.published_revision(slug) == revision:
            return
        if (
            job is not None
            and ending is not None
            and not ending.ok
            and job.source == source
            and time.time() - ending.at < FAILED_RETRY_INTERVALS * interval
        ):
            return  # it failed on this very text a moment ago; an edit retries at once
        self.queue.submit(slug, source, "reconcile", force=True)

    def _resume_if_stalled(self, job: Job, stall: float) -> None:
        last = self.jobs.last_beat(job) or job.created
        idle = time.time() - last
        if idle < stall:
            return
        log.warning(
            "Job %s (%s) made no progress for %.0f s and has nothing queued: its worker "
            "was probably lost; resuming it.",
            job.id,
            job.slug,
            idle,
        )
        self.jobs.beat(job)
        self.queue.resume(job)
