"""Compose the stages: content → script → cached sentences → published MP3s → manifest.

No Flask, no CLI: the caller passes settings and an optional progress sink and
gets a ``BuildReport`` back. Synthesis runs in worker processes (one voice per
process, one ONNX thread each) because Piper's single-session threading leaves
much of the second core idle.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from baclovoice import audio, content, manifest
from baclovoice.artwork import render_cover
from baclovoice.cache import LIBRARY_COVER, PUBLISH_VERSION, AudioStore, digest, sentence_key
from baclovoice.engines import create_engine
from baclovoice.engines.base import Engine, Pcm
from baclovoice.errors import AudioError, BaclovoiceError, InputError
from baclovoice.lexicon import Lexicon, load_lexicon
from baclovoice.models import (
    Article,
    AudioFile,
    BlockEntry,
    Manifest,
    SectionEntry,
    SentenceTiming,
)
from baclovoice.script import SectionScript, narrate
from baclovoice.settings import Settings

log = logging.getLogger(__name__)

LIBRARY_TITLE = "baclovoice"
LIBRARY_SUBTITLE = "Articles read aloud"
ARTWORK_VERSION = 1

# Fewer missing sentences than this are synthesized in-process: starting worker
# processes (each loading the voice) costs more than it saves.
POOL_THRESHOLD = 6

Progress = Callable[[int, int], None]  # (sentences synthesized so far, sentences to synthesize)


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


@dataclass(frozen=True)
class _Plan:
    """One article's narration with the cache key of every utterance."""

    article: Article
    scripts: tuple[SectionScript, ...]
    keys: tuple[tuple[str, ...], ...]  # per section, per utterance


# --- worker processes ------------------------------------------------------------

_WORKER_ENGINE: Engine | None = None


def _init_worker(engine_name: str, settings: Settings) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = create_engine(engine_name, settings, threads=1)


def _synthesize_in_worker(speech: str) -> bytes:
    if _WORKER_ENGINE is None:  # pragma: no cover - initializer always runs first
        raise RuntimeError("worker engine not initialized")
    return audio.wav_bytes(_WORKER_ENGINE.synthesize(speech))


def _preload_audio_libraries() -> None:
    """Import mastering's libraries in a thread while synthesis (which frees the GIL) runs."""
    threading.Thread(target=audio.preload, name="preload-audio", daemon=True).start()


# --- the build -------------------------------------------------------------------


class Builder:
    """Builds articles for one settings + engine; the engine loads its voice lazily."""

    def __init__(self, settings: Settings, *, force: bool = False) -> None:
        self.settings = settings
        self.force = force
        self.store = AudioStore(settings.audio_dir)
        self.engine = create_engine(settings.engine, settings)
        self.lexicon: Lexicon = load_lexicon(settings.lexicon_path)
        self.voice_loaded = False

    def plan(self, slug: str) -> _Plan:
        article = content.load_article(
            self.settings.content_dir,
            slug,
            section_level=self.settings.section_level,
            read_images=self.settings.read_images,
        )
        scripts = narrate(article, self.lexicon)
        if not any(s.utterances for s in scripts):
            raise InputError(
                f"Article {slug!r} has nothing to read aloud.",
                f"Add paragraphs of text to {self.settings.content_dir / (slug + '.html')}.",
            )
        identity = self.engine.identity()
        keys = tuple(
            tuple(sentence_key(u.speech, identity, self.lexicon.digest) for u in s.utterances)
            for s in scripts
        )
        return _Plan(article=article, scripts=scripts, keys=keys)

    def synthesize(self, jobs: dict[str, str], progress: Progress | None) -> None:
        """Synthesize every (key → speech) into the sentence cache."""
        if not jobs:
            return
        self.voice_loaded = True
        # Longest first, so the last job to finish is a short one.
        ordered = sorted(jobs.items(), key=lambda kv: len(kv[1]), reverse=True)
        workers = min(self.settings.workers, len(ordered))
        if workers <= 1 or len(ordered) < POOL_THRESHOLD:
            _preload_audio_libraries()
            for done, (key, speech) in enumerate(ordered, 1):
                self.store.write_sentence(key, audio.wav_bytes(self.engine.synthesize(speech)))
                if progress:
                    progress(done, len(ordered))
            return
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.settings.engine, self.settings),
        ) as pool:
            futures = {pool.submit(_synthesize_in_worker, speech): key for key, speech in ordered}
            _preload_audio_libraries()  # after the workers are forked: no import lock to inherit
            for done, future in enumerate(as_completed(futures), 1):
                self.store.write_sentence(futures[future], future.result())
                if progress:
                    progress(done, len(ordered))

    def build(self, slugs: Sequence[str], progress: Progress | None = None) -> BuildReport:
        started = time.perf_counter()
        with self.store.lock():
            plans = [self.plan(slug) for slug in slugs]
            reports = [ArticleReport(slug=p.article.slug) for p in plans]
            missing: dict[str, str] = {}
            for plan, report in zip(plans, reports, strict=True):
                self._count(plan, report, missing)
            if missing:
                log.info("Synthesizing %d sentences with %s", len(missing), self.engine.voice)
            self.synthesize(missing, progress)
            for plan, report in zip(plans, reports, strict=True):
                self._publish(plan, report)
            self.library_cover()
        return BuildReport(
            articles=reports,
            wall_seconds=time.perf_counter() - started,
            voice_loaded=self.voice_loaded,
        )

    def _count(self, plan: _Plan, report: ArticleReport, missing: dict[str, str]) -> None:
        for script, keys in zip(plan.scripts, plan.keys, strict=True):
            for utterance, key in zip(script.utterances, keys, strict=True):
                report.sentences += 1
                cached = not self.force and self.store.sentence_info(key) is not None
                if cached and key not in missing:
                    report.cached += 1
                else:
                    report.synthesized += 1
                    missing[key] = utterance.speech

    # --- publishing ----------------------------------------------------------------

    def _cover(self, relative_dir: str, title: str, subtitle: str) -> tuple[str, bytes]:
        """A content-addressed cover PNG, rendered only when its title changes."""
        key = digest({"v": ARTWORK_VERSION, "title": title, "subtitle": subtitle})
        relative = f"{relative_dir}cover-{key[:12]}.png"
        path = self.settings.audio_dir / relative
        if path.is_file():
            return relative, path.read_bytes()
        png = render_cover(title, subtitle)
        self.store.publish(relative, png, 0.0)
        return relative, png

    def library_cover(self) -> None:
        """The library feed's cover, at the stable name the web app serves."""
        path = self.settings.audio_dir / LIBRARY_COVER
        if not path.is_file():
            self.store.publish(LIBRARY_COVER, render_cover(LIBRARY_TITLE, LIBRARY_SUBTITLE), 0.0)

    def _publish(self, plan: _Plan, report: ArticleReport) -> None:
        article = plan.article
        previous = self._previous_manifest(article.slug)
        cover, cover_png = self._cover(f"{article.slug}/", article.title, article.author)
        with ThreadPoolExecutor(self.settings.workers) as pool:
            pending = [self._section(plan, i, previous, pool) for i in range(len(plan.scripts))]
            drafts = [p.entry() for p in pending]
        full, sections = self._full_article(article, drafts, previous, cover_png)
        written = {s.audio.file for s in sections} | {full.file, cover}
        if previous:
            written -= {f.file for f in previous.audio_files} | {previous.cover}
        report.files_written = sorted(written)
        new = Manifest(
            slug=article.slug,
            title=article.title,
            language=article.language,
            engine=self.engine.name,
            voice=self.engine.voice,
            sections=tuple(sections),
            date=article.date,
            author=article.author,
            description=article.description,
            full=full,
            cover=cover,
            extra={"sentence_keys": sorted({k for keys in plan.keys for k in keys})},
        )
        report.audio_seconds = new.duration
        report.manifest_changed = previous is None or manifest.dumps(previous) != manifest.dumps(
            new
        )
        if report.manifest_changed:
            manifest.save(self.settings.audio_dir, new)

    def _previous_manifest(self, slug: str) -> Manifest | None:
        if not manifest.manifest_path(self.settings.audio_dir, slug).exists():
            return None
        try:
            return manifest.load(self.settings.audio_dir, slug)
        except BaclovoiceError as exc:  # a corrupt manifest is rebuilt, not fatal
            log.warning("Rebuilding the unreadable manifest for %s: %s", slug, exc.message)
            return None

    def _tags(self, article: Article, title: str, track: int = 0) -> audio.Tags:
        return audio.Tags(
            title=title,
            album=article.title,
            artist=article.author or "baclovoice",
            track=track,
            track_total=len(article.sections) if track else 0,
            comment=f"Narrated by a synthetic voice: {self.engine.voice} ({self.engine.name}).",
        )

    def _timeline(
        self, keys: Sequence[str], pauses: Sequence[float]
    ) -> tuple[list[tuple[float, float]], float, list[str]]:
        """Sentence (start, end) seconds, total seconds and content digests of cached sentences.

        The digests go into the section key: synthesis is not deterministic, so a
        sentence re-synthesized after damage sounds (and lasts) differently under the
        same sentence key, and its section must be rebuilt to match the new timings.
        """
        spans: list[tuple[float, float]] = []
        digests: list[str] = []
        cursor, rate = 0, 1
        for key, pause in zip(keys, pauses, strict=True):
            info = self.store.sentence_info(key)
            if info is None:
                raise AudioError(
                    f"Cached sentence {key} vanished during the build.", "Build again."
                )
            frames, rate = info
            spans.append((cursor / rate, (cursor + frames) / rate))
            digests.append(self.store.sentence_digest(key))
            cursor += frames + len(audio.silence(pause, rate))
        return spans, cursor / rate, digests

    def _section(
        self,
        plan: _Plan,
        index: int,
        previous: Manifest | None,
        pool: ThreadPoolExecutor,
    ) -> _PendingSection:
        article, script, keys = plan.article, plan.scripts[index], plan.keys[index]
        section, number = script.section, index + 1
        pauses = [u.pause_after for u in script.utterances]
        spans, duration, digests = self._timeline(keys, pauses)
        tags = self._tags(article, section.title, number)
        key = digest(
            {
                "v": PUBLISH_VERSION,
                "parts": list(zip(digests, pauses, strict=True)),
                "bitrate": self.settings.bitrate,
                "tags": repr(tags),
            }
        )
        relative = f"{article.slug}/{number:02d}-{section.id}-{key[:12]}.mp3"
        old = previous.section(number) if previous else None
        existing = None if self.force else self.store.verified(old.audio if old else None, relative)
        if existing is not None:
            done: Future[AudioFile] = Future()
            done.set_result(existing)
        else:
            done = pool.submit(self._render, keys, pauses, tags, relative, duration)
        entry = SectionEntry(
            id=section.id,
            number=number,
            title=section.title,
            audio=AudioFile(relative, 0, round(duration, 3), ""),
            blocks=tuple(BlockEntry(b.id, b.kind, b.text, b.level) for b in section.blocks),
            sentences=tuple(
                SentenceTiming(u.text, u.element_id, round(s, 3), round(e, 3))
                for u, (s, e) in zip(script.utterances, spans, strict=True)
            ),
        )
        return _PendingSection(entry, done)

    def _render(
        self,
        keys: Sequence[str],
        pauses: Sequence[float],
        tags: audio.Tags,
        relative: str,
        duration: float,
    ) -> AudioFile:
        mastered = audio.master(self._assemble(keys, pauses))
        data = audio.encode_mp3(mastered, bitrate_kbps=self.settings.bitrate, tags=tags)
        return self.store.publish(relative, data, round(duration, 3))

    def _assemble(self, keys: Sequence[str], pauses: Sequence[float]) -> Pcm:
        parts = [
            (audio.read_wav(self.store.read_sentence(k)), p)
            for k, p in zip(keys, pauses, strict=True)
        ]
        return audio.assemble(parts)[0]

    def _full_article(
        self,
        article: Article,
        sections: Sequence[SectionEntry],
        previous: Manifest | None,
        cover_png: bytes,
    ) -> tuple[AudioFile, list[SectionEntry]]:
        """The whole article in one MP3 with an ID3 chapter per section (for podcast apps).

        It joins the section MP3s without re-encoding, so it costs a fraction of a second
        and sounds exactly like them; the sections get their offsets inside it.
        """
        files = [self.settings.audio_dir / s.audio.file for s in sections]
        starts = audio.part_starts(files)
        placed = [
            dataclasses.replace(s, start=round(t, 3)) for s, t in zip(sections, starts, strict=True)
        ]
        ends = [*starts[1:], starts[-1] + sections[-1].audio.duration]
        chapters = tuple(
            audio.Chapter(start=t, end=end, title=s.title, url=self._page_url(article.slug, s.id))
            for s, t, end in zip(sections, starts, ends, strict=True)
        )
        tags = dataclasses.replace(
            self._tags(article, article.title), chapters=chapters, cover_png=cover_png
        )
        key = digest(
            {
                "v": PUBLISH_VERSION,
                "sections": [s.audio.sha256 for s in sections],
                "tags": repr(dataclasses.replace(tags, cover_png=b"")),
                "cover": hashlib.sha256(cover_png).hexdigest(),
            }
        )
        relative = f"{article.slug}/{article.slug}-{key[:12]}.mp3"
        old = previous.full if previous else None
        existing = None if self.force else self.store.verified(old, relative)
        if existing is None:
            data = audio.concat_mp3(files, tags=tags)
            existing = self.store.publish(relative, data, round(ends[-1], 3))
        return existing, placed

    def _page_url(self, slug: str, section_id: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/articles/{slug}/#{section_id}"


@dataclass
class _PendingSection:
    """A section entry whose audio file may still be rendering in the thread pool."""

    draft: SectionEntry
    future: Future[AudioFile]

    def entry(self) -> SectionEntry:
        return dataclasses.replace(self.draft, audio=self.future.result())


def resolve_slugs(settings: Settings, slugs: Sequence[str]) -> list[str]:
    """The requested slugs (validated) or every article in the content folder."""
    known = content.list_slugs(settings.content_dir)
    if not slugs:
        if not known:
            raise InputError(
                f"No articles found in {settings.content_dir}.",
                "Import one first: baclovoice import article.txt",
            )
        return known
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise InputError(
            f"Unknown article(s): {', '.join(unknown)} (not in {settings.content_dir}).",
            f"Known articles: {', '.join(known) or 'none'}.",
        )
    return list(dict.fromkeys(slugs))


def build(
    settings: Settings,
    slugs: Sequence[str] = (),
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build (or bring up to date) the narration of the given articles, or all of them."""
    chosen = resolve_slugs(settings, slugs)
    return Builder(settings, force=force).build(chosen, progress)
