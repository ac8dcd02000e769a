"""Jobs: one narration of one article, and what a client may ask about it.

Records live in the queue's key-value store (the SQLite file or Redis), so every
web server and worker that shares the queue sees the same jobs. Each fact is its
own record, written whole and never read-modified-written, so workers updating a
job at the same time cannot lose each other's updates:

    bv:job:<id>        the job (slug, content digest, when, why)
    bv:job:<id>:beat   heartbeat: a worker is on it (time of the last sentence or step)
    bv:job:<id>:end    how it ended: done, or failed with a message and a hint
    bv:article:<slug>  the article's current job; an older job is superseded
    bv:done:<slug>     the revision last published completely (reconcile skips it)

Progress is not counted but derived from what exists: cached sentences and the
sections of the article's manifest in progress.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from baclovoice import manifest
from baclovoice.build.store import AudioStore
from baclovoice.errors import BaclovoiceError, NotFound

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PREFIX = "bv:"


class KeyValue(Protocol):
    """The part of a Huey storage the records use (SQLite and Redis storages have it)."""

    def put_data(self, key: str, value: bytes, is_result: bool = False) -> None: ...
    def peek_data(self, key: str) -> Any: ...
    def delete_data(self, key: str) -> Any: ...
    def put_if_empty(self, key: str, value: bytes, ttl: int | None = None) -> bool: ...


class Records:
    """JSON records under the ``bv:`` prefix of a Huey key-value store."""

    def __init__(self, storage: KeyValue) -> None:
        self.storage = storage

    def get(self, key: str) -> Any:
        raw = self.storage.peek_data(PREFIX + key)
        if not isinstance(raw, bytes | bytearray | memoryview):
            return None  # Huey's EmptyData: no such record
        try:
            return json.loads(bytes(raw))
        except ValueError:
            log.warning("Ignoring the unreadable queue record %s", key)
            return None

    def put(self, key: str, value: Any) -> None:
        self.storage.put_data(PREFIX + key, json.dumps(value).encode("utf-8"))

    def put_new(self, key: str, value: Any) -> bool:
        """Write only if absent; True for the one caller that wrote it."""
        return bool(self.storage.put_if_empty(PREFIX + key, json.dumps(value).encode("utf-8")))

    def delete(self, key: str) -> None:
        self.storage.delete_data(PREFIX + key)


@dataclass(frozen=True)
class Job:
    id: str
    slug: str
    source: str  # sha256 of the article file when the job was made ("" if unknown)
    created: float
    reason: str  # api, watch, reconcile or start


@dataclass(frozen=True)
class Ending:
    ok: bool
    at: float
    error: str = ""
    hint: str = ""
    sentences: int = 0
    sections: int = 0
    revision: str = ""  # what was published (ok) or what failed (to not retry it blindly)


@dataclass(frozen=True)
class JobStatus:
    """The answer to ``GET /api/jobs/<id>``."""

    job: Job
    state: str
    sentences_done: int
    sentences_total: int
    sections_ready: int
    sections_total: int
    error: str = ""
    hint: str = ""
    updated: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.job.id,
            "slug": self.job.slug,
            "state": self.state,
            "sentences_done": self.sentences_done,
            "sentences_total": self.sentences_total,
            "sections_ready": self.sections_ready,
            "sections_total": self.sections_total,
            "error": self.error or None,
            "hint": self.hint or None,
            "created": self.job.created,
            "updated": self.updated or self.job.created,
        }


class JobStore:
    """Create, supersede, beat and end jobs; read their status."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def create(self, slug: str, source: str, reason: str) -> Job:
        """A new current job for ``slug``; the previous one, if still running, is superseded."""
        job = Job(uuid.uuid4().hex, slug, source, time.time(), reason)
        previous = self.current(slug)
        self.records.put(f"job:{job.id}", dataclasses.asdict(job))
        self.records.put(f"article:{slug}", job.id)
        if previous is not None and self.ending(previous.id) is None:
            self.end(
                previous,
                Ending(
                    ok=False,
                    at=time.time(),
                    error=f"A newer version of {slug!r} replaced this narration.",
                    hint=f"Follow job {job.id} instead.",
                ),
            )
        return job

    def get(self, job_id: str) -> Job | None:
        data = self.records.get(f"job:{job_id}")
        try:
            return Job(**data) if isinstance(data, dict) else None
        except TypeError:
            return None

    def current(self, slug: str) -> Job | None:
        job_id = self.records.get(f"article:{slug}")
        return self.get(job_id) if isinstance(job_id, str) else None

    def is_current(self, job: Job) -> bool:
        return self.records.get(f"article:{job.slug}") == job.id

    def forget(self, slug: str) -> None:
        """The article is gone: no current job, no published revision."""
        self.records.delete(f"article:{slug}")
        self.records.delete(f"done:{slug}")

    def beat(self, job: Job) -> None:
        self.records.put(f"job:{job.id}:beat", time.time())

    def last_beat(self, job: Job) -> float | None:
        value = self.records.get(f"job:{job.id}:beat")
        return float(value) if isinstance(value, int | float) else None

    def end(self, job: Job, ending: Ending) -> bool:
        """Record how the job ended; the first ending wins (a job ends once)."""
        return self.records.put_new(f"job:{job.id}:end", dataclasses.asdict(ending))

    def ending(self, job_id: str) -> Ending | None:
        data = self.records.get(f"job:{job_id}:end")
        try:
            return Ending(**data) if isinstance(data, dict) else None
        except TypeError:
            return None

    def fail(self, job: Job, error: BaclovoiceError, revision: str = "") -> None:
        if self.end(job, Ending(False, time.time(), error.message, error.hint, revision=revision)):
            log.error("error: %s was not built: %s (job %s)", job.slug, error.message, job.id)
            if error.hint:
                log.error("  hint: %s", error.hint)

    def published_revision(self, slug: str) -> str | None:
        value = self.records.get(f"done:{slug}")
        return value if isinstance(value, str) else None

    def set_published(self, slug: str, revision: str) -> None:
        self.records.put(f"done:{slug}", revision)

    def status(self, job_id: str, audio_dir: Path) -> JobStatus:
        """What a client sees; NotFound for an unknown job id."""
        job = self.get(job_id)
        if job is None:
            raise NotFound(
                f"There is no job {job_id!r}.",
                "Use the job address that adding the article answered (its 'job' field).",
            )
        beat = self.last_beat(job) or 0.0
        ending = self.ending(job.id)
        if ending is not None and ending.ok:
            return JobStatus(
                job, DONE, ending.sentences, ending.sentences, ending.sections, ending.sections,
                updated=ending.at,
            )  # fmt: skip
        done, total, ready, sections = _progress(job, audio_dir)
        if ending is not None:
            return JobStatus(
                job, FAILED, done, total, ready, sections, ending.error, ending.hint, ending.at
            )
        state = RUNNING if beat else QUEUED
        return JobStatus(job, state, done, total, ready, sections, updated=beat)


def _progress(job: Job, audio_dir: Path) -> tuple[int, int, int, int]:
    """(sentences cached, sentences, sections ready, sections) from the manifest in progress."""
    try:
        building = manifest.load_building(audio_dir, job.slug)
    except BaclovoiceError:
        return 0, 0, 0, 0
    if building.extra.get("job") != job.id:
        return 0, 0, 0, 0
    store = AudioStore(audio_dir)
    keys = building.sentence_keys
    done = sum(1 for key in keys if store.sentence_path(key).is_file())
    ready = sum(1 for section in building.sections if section.ready)
    return done, len(keys), ready, len(building.sections)


def source_digest(content_dir: Path, slug: str) -> str:
    """sha256 of the article file's bytes; "" when there is no such article."""
    try:
        return hashlib.sha256((content_dir / f"{slug}.html").read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return ""
