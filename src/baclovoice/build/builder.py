"""Orchestration: plan → synthesize what is missing → publish → manifest, under one lock.

No Flask, no CLI: the caller passes settings, an engine factory and an optional
progress sink, and gets a ``BuildReport`` back. Each stage is a public function of
its own module (``plan``, ``synthesis``, ``publish``); this module only sequences them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from baclovoice import failures
from baclovoice.build import publish
from baclovoice.build.plan import Plan, plan_article, resolve_slugs
from baclovoice.build.store import AudioStore
from baclovoice.build.synthesis import Progress, synthesize
from baclovoice.engines import EngineFactory, NamedEngine
from baclovoice.errors import InputError
from baclovoice.failures import Failure
from baclovoice.ingest.store import article_slugs
from baclovoice.models import Manifest, SectionEntry
from baclovoice.settings import Settings
from baclovoice.speech.lexicon import load_lexicon

log = logging.getLogger(__name__)


@dataclass
class ArticleReport:
    slug: str
    sentences: int = 0
    synthesized: int = 0
    cached: int = 0
    audio_seconds: float = 0.0
    files_written: list[str] = field(default_factory=list)
    manifest_changed: bool = False


@dataclass
class BuildReport:
    articles: list[ArticleReport]
    wall_seconds: float = 0.0
    voice_loaded: bool = False
    failures: list[Failure] = field(default_factory=list)  # articles that could not be built

    @property
    def sentences(self) -> int:
        return sum(a.sentences for a in self.articles)

    @property
    def synthesized(self) -> int:
        return sum(a.synthesized for a in self.articles)

    @property
    def cached(self) -> int:
        return sum(a.cached for a in self.articles)

    @property
    def audio_seconds(self) -> float:
        return sum(a.audio_seconds for a in self.articles)

    @property
    def real_time_factor(self) -> float:
        """Wall time per second of audio built (lower is faster)."""
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else 0.0


class Builder:
    """Builds articles for one settings + engine factory; the voice loads only if needed."""

    def __init__(
        self,
        settings: Settings,
        engines: EngineFactory | None = None,
        *,
        force: bool = False,
    ) -> None:
        self.settings = settings
        self.force = force
        self.engines: EngineFactory = engines or NamedEngine(settings)
        self.engine = self.engines()
        self.store = AudioStore(settings.audio_dir)
        self.lexicon = load_lexicon(settings.lexicon_path)
        self.publisher = publish.Publisher.for_settings(settings, self.engine, force=force)

    def plan(self, slug: str) -> Plan:
        return plan_article(self.settings, slug, self.lexicon, self.engine.identity())

    def build(self, slugs: Sequence[str], progress: Progress | None = None) -> BuildReport:
        started = time.perf_counter()
        with self.store.lock():
            plans, failed = self._plan_each(slugs)
            reports = [ArticleReport(slug=p.article.slug) for p in plans]
            previous = [publish.previous_manifest(self.store, p.article.slug) for p in plans]
            missing: dict[str, str] = {}
            for plan, report in zip(plans, reports, strict=True):
                self._count(plan, report, missing)
            if missing:
                log.info("Synthesizing %d sentences with %s", len(missing), self.engine.voice)
            with SectionsAhead(self.publisher, plans, previous, set(missing)) as ahead:
                synthesize(
                    _reading_order(plans, missing),
                    self.store,
                    self.engine,
                    self.engines,
                    self.settings.workers,
                    progress,
                    on_cached=ahead.cached,
                )
                for index, (plan, report) in enumerate(zip(plans, reports, strict=True)):
                    self._publish(plan, report, previous[index], ahead.sections(index))
            publish.publish_library_cover(self.store)
            self._record(slugs, failed)
        return BuildReport(
            articles=reports,
            wall_seconds=time.perf_counter() - started,
            voice_loaded=bool(missing),
            failures=failed,
        )

    def _plan_each(self, slugs: Sequence[str]) -> tuple[list[Plan], list[Failure]]:
        """Plan every article; one that cannot be read or narrated is reported, not fatal."""
        plans: list[Plan] = []
        failed: list[Failure] = []
        for slug in slugs:
            try:
                plans.append(self.plan(slug))
            except InputError as exc:
                log.error("Skipping %s: %s", slug, exc.message)
                path = self.settings.content_dir / f"{slug}.html"
                failed.append(Failure(slug, str(path), exc.message, exc.hint))
        return plans, failed

    def _record(self, slugs: Sequence[str], failed: list[Failure]) -> None:
        """Keep earlier failures of articles not built this time (if they still exist)."""
        known = set(article_slugs(self.settings.content_dir))
        kept = [
            f for f in failures.load(self.store.root) if f.slug not in slugs and f.slug in known
        ]
        failures.save(self.store.root, kept + failed)

    def _count(self, plan: Plan, report: ArticleReport, missing: dict[str, str]) -> None:
        for key, utterance in plan.utterances():
            report.sentences += 1
            cached = not self.force and self.store.sentence_info(key) is not None
            if cached and key not in missing:
                report.cached += 1
            else:
                report.synthesized += 1
                missing[key] = utterance.speech

    def _publish(
        self,
        plan: Plan,
        report: ArticleReport,
        previous: Manifest | None,
        sections: Mapping[int, SectionEntry],
    ) -> None:
        new = publish.publish_article(self.publisher, plan, previous, sections=sections)
        written = set(new.published_files)
        if previous:
            written -= set(previous.published_files)
        report.files_written = sorted(written)
        report.audio_seconds = new.duration
        report.manifest_changed = publish.save_manifest(self.store, new, previous)


def _reading_order(plans: Sequence[Plan], missing: dict[str, str]) -> dict[str, str]:
    """``missing`` ordered section by section, longest sentence first within each, so
    sections complete (and are published) one after another while synthesis goes on,
    and the last sentences spoken are short ones."""
    ordered: dict[str, str] = {}
    for plan in plans:
        for keys in plan.keys:
            todo = {k: missing[k] for k in keys if k in missing and k not in ordered}
            ordered |= sorted(todo.items(), key=lambda kv: len(kv[1]), reverse=True)
    return ordered


class SectionsAhead:
    """Publishes each section on a thread pool as soon as its last sentence is cached.

    Mastering and encoding then overlap synthesis instead of following it: when the
    last sentence is spoken, only its own section (and the whole-article join) is left.
    """

    def __init__(
        self,
        publisher: publish.Publisher,
        plans: Sequence[Plan],
        previous: Sequence[Manifest | None],
        missing: set[str],
    ) -> None:
        self._publisher, self._plans, self._previous = publisher, plans, previous
        self._pool = ThreadPoolExecutor(max(1, publisher.threads), thread_name_prefix="publish")
        self._futures: dict[tuple[int, int], Future[SectionEntry]] = {}
        self._left: dict[tuple[int, int], set[str]] = {}
        self._waiting: dict[str, list[tuple[int, int]]] = {}
        for p, plan in enumerate(plans):
            for s, keys in enumerate(plan.keys):
                self._left[p, s] = set(keys) & missing
                for key in self._left[p, s]:
                    self._waiting.setdefault(key, []).append((p, s))
        # Sections with nothing to synthesize are left to publish_article: no thread
        # may run before synthesis forks its workers.

    def __enter__(self) -> SectionsAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        # After a failure or Ctrl-C, drop what has not started; finish what has.
        self._pool.shutdown(wait=True, cancel_futures=True)

    def cached(self, key: str) -> None:
        """Sentence ``key`` is in the cache: publish every section it completes."""
        for where in self._waiting.pop(key, []):
            self._left[where].discard(key)
            if not self._left[where]:
                self._submit(where)

    def sections(self, plan_index: int) -> dict[int, SectionEntry]:
        """The sections of plan ``plan_index`` published so far (waits for running ones)."""
        return {s: f.result() for (p, s), f in self._futures.items() if p == plan_index}

    def _submit(self, where: tuple[int, int]) -> None:
        p, s = where
        plan, previous = self._plans[p], self._previous[p]
        self._futures[where] = self._pool.submit(
            publish.publish_section, self._publisher, plan, s, previous
        )


def build(
    settings: Settings,
    slugs: Sequence[str] = (),
    *,
    engines: EngineFactory | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build (or bring up to date) the narration of the given articles, or all of them."""
    chosen = resolve_slugs(settings, slugs)
    return Builder(settings, engines, force=force).build(chosen, progress)
