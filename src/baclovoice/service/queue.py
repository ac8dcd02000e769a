"""The task queue: Huey on a SQLite file in the audio folder (embedded, nothing to
install or start) or on Redis (``BACLOVOICE_QUEUE=redis://host:port/db``, for workers
on several machines).

Every process that enqueues or consumes builds a :class:`NarrationQueue` from its
settings: the web server to submit jobs, workers to run them. Tasks are idempotent
and work in units of sentence cache keys, so running one twice, or after a worker
died half-way, only repeats work:

- ``narrate(job)``: plan the article, publish what is cached, enqueue the missing
  sentences in batches (first sections first);
- ``synthesize(job, batch)``: speak the batch into the sentence cache with the
  voice this worker process keeps loaded, then publish what became ready;
- ``reconcile(everything)``: resume jobs whose work was lost with a killed worker,
  and (``everything``) narrate any article whose published audio is out of date.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import PriorityRedisHuey, SqliteHuey
from huey.api import Huey, Task
from huey.exceptions import CancelExecution

from baclovoice import failures
from baclovoice.engines import EngineFactory
from baclovoice.errors import BaclovoiceError, InputError, QueueError
from baclovoice.failures import Failure
from baclovoice.service.jobs import Job, JobStore, Records
from baclovoice.service.locks import QUEUE_FOLDER
from baclovoice.settings import Settings

if TYPE_CHECKING:
    from baclovoice.service.narrate import Runtime

log = logging.getLogger(__name__)

QUEUE_NAME = "baclovoice"
SQLITE_NAME = "queue.db"
# Higher runs first: planning unblocks synthesis; batches run section by section.
RECONCILE_PRIORITY = 200
NARRATE_PRIORITY = 100
RETRIES = 2  # a failing task runs at most three times
RETRY_DELAY = 2.0  # seconds


def queue_folder(audio_dir: Path) -> Path:
    return audio_dir / QUEUE_FOLDER


def open_huey(settings: Settings) -> Huey:
    """The Huey instance for ``settings.queue``: Redis by URL, else the embedded SQLite file."""
    if settings.queue:
        return PriorityRedisHuey(
            QUEUE_NAME, url=settings.queue, results=False, blocking=True, read_timeout=1
        )
    folder = queue_folder(settings.audio_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"Cannot create the queue folder {folder}: {exc.strerror or exc}.",
            "Check that the audio folder (--audio-dir) is writable.",
        ) from None
    return SqliteHuey(QUEUE_NAME, filename=str(folder / SQLITE_NAME), results=False)


def _unreachable(settings: Settings, exc: Exception) -> QueueError:
    where = settings.queue or str(queue_folder(settings.audio_dir) / SQLITE_NAME)
    hint = (
        "Check that Redis runs and that BACLOVOICE_QUEUE points at it."
        if settings.queue
        else "Check that the audio folder is writable and not on a full disk."
    )
    return QueueError(f"The task queue at {where} cannot be reached ({exc}).", hint)


def _queue_failures() -> tuple[type[Exception], ...]:
    from redis.exceptions import RedisError

    return (RedisError, sqlite3.Error, OSError)


class NarrationQueue:
    """The queue, its tasks and job records, for one process's settings.

    ``engines`` and ``threads`` matter only in worker processes (the voice they load);
    the web server only enqueues and reads jobs.
    """

    def __init__(
        self,
        settings: Settings,
        engines: EngineFactory | None = None,
        *,
        threads: int = 1,
        huey: Huey | None = None,
    ) -> None:
        self.settings = settings
        self.huey = huey or open_huey(settings)
        self.jobs = JobStore(Records(self.huey.storage))
        self.engines = engines
        self.threads = threads
        self._runtime: Runtime | None = None
        self._claiming = threading.Lock()  # the web API and the watcher, in one process
        task = self.huey.task
        self.narrate = task(name="narrate", context=True, retries=RETRIES, retry_delay=RETRY_DELAY)(
            self._narrate
        )
        self.synthesize = task(
            name="synthesize", context=True, retries=RETRIES, retry_delay=RETRY_DELAY
        )(self._synthesize)
        self.reconcile = task(name="reconcile", context=True)(self._reconcile)

    @contextlib.contextmanager
    def reachable(self) -> Iterator[None]:
        """Turn a queue that cannot be reached into a QueueError (message and hint)."""
        try:
            yield
        except _queue_failures() as exc:
            raise _unreachable(self.settings, exc) from None

    def check(self) -> None:
        """Fail now, with a clear message, if the queue cannot be reached."""
        with self.reachable():
            self.huey.storage.queue_size()

    def runtime(self) -> Runtime:
        """What this process's tasks share; built on first use (a worker, never the web)."""
        if self._runtime is None:
            from baclovoice.service.narrate import Runtime

            self._runtime = Runtime(self.settings, self, self.engines, threads=self.threads)
        return self._runtime

    # --- enqueuing ---------------------------------------------------------------------

    def submit(self, slug: str, source: str, reason: str, *, force: bool = False) -> Job:
        """Narrate ``slug`` in the background; an unfinished job for the same source is
        returned instead of starting another (unless ``force``: the lexicon changed)."""
        job, new = self.claim(slug, source, reason, force=force)
        if new:
            self.start(job)
        return job

    def claim(
        self, slug: str, source: str, reason: str, *, force: bool = False
    ) -> tuple[Job, bool]:
        """The job that will narrate ``source``: (an unfinished or done one for the same
        text, False), or (a new current job, True) not yet started. Claiming before the
        file is written lets the watcher, seeing the write, find this job."""
        with self._claiming, self.reachable():
            current = self.jobs.current(slug)
            if current is not None and not force and current.source == source and source:
                ending = self.jobs.ending(current.id)
                if ending is None or ending.ok:
                    return current, False
            return self.jobs.create(slug, source, reason), True

    def start(self, job: Job) -> None:
        with self.reachable():
            self.resume(job)
        log.info("Narrating %r in the background (job %s, %s)", job.slug, job.id, job.reason)

    def resume(self, job: Job) -> None:
        self.huey.enqueue(self.narrate.s(job.id, priority=NARRATE_PRIORITY))

    def enqueue_batch(
        self, job: Job, engine: str, section: int, items: list[tuple[str, str]]
    ) -> None:
        """Sentences (key, speech) of one section; earlier sections run first."""
        batch = [list(item) for item in items]
        self.huey.enqueue(self.synthesize.s(job.id, engine, batch, priority=-section))

    def request_reconcile(self, everything: bool, now: float | None = None) -> bool:
        """Enqueue one reconcile per interval, however many processes ask (True if this one)."""
        interval = self.settings.reconcile_interval
        slot = int((time.time() if now is None else now) // interval)
        with self.reachable():
            if not self.jobs.records.put_new(f"reconcile:{slot}", everything):
                return False
            self.jobs.records.delete(f"reconcile:{slot - 2}")
            self.start_reconcile(everything)
        return True

    def start_reconcile(self, everything: bool) -> None:
        self.huey.enqueue(self.reconcile.s(everything, priority=RECONCILE_PRIORITY))

    def queued_jobs(self) -> set[str]:
        """Ids of jobs that have a task waiting in the queue or scheduled for a retry."""
        storage = self.huey.storage
        ids: set[str] = set()
        for raw in [*storage.enqueued_items(), *storage.scheduled_items()]:
            try:
                task = self.huey.deserialize_task(raw)
            except Exception:  # a task of another version: not ours to judge
                continue
            if task.args and isinstance(task.args[0], str):
                ids.add(task.args[0])
        return ids

    # --- tasks -------------------------------------------------------------------------

    def _narrate(self, job_id: str, task: Task | None = None) -> None:
        self._guarded(task, job_id, lambda: self.runtime().narrate(job_id))

    def _synthesize(
        self, job_id: str, engine: str, batch: list[list[str]], task: Task | None = None
    ) -> None:
        items = [(key, speech) for key, speech in batch]
        self._guarded(task, job_id, lambda: self.runtime().synthesize(job_id, engine, items))

    def _reconcile(self, everything: bool, task: Task | None = None) -> None:
        self.runtime().reconcile(everything)

    def _guarded(self, task: Task | None, job_id: str, body: Callable[[], Any]) -> None:
        """Run a task body: retry what may pass next time, end the job when it cannot."""
        try:
            body()
        except InputError as exc:  # the article itself: retrying cannot help
            self._fail(job_id, exc)
        except BaclovoiceError as exc:
            self._retry_or_fail(task, job_id, exc)
        except CancelExecution:
            raise
        except Exception as exc:
            log.exception("Task for job %s failed", job_id)
            error = BaclovoiceError(
                f"An unexpected error stopped the narration ({type(exc).__name__}: {exc}).",
                "See the worker's log for details; then add or save the article again.",
            )
            self._retry_or_fail(task, job_id, error)

    def _retry_or_fail(self, task: Task | None, job_id: str, error: BaclovoiceError) -> None:
        if task is not None and task.retries:
            log.warning("%s Retrying (%d attempts left).", error.message, task.retries)
            raise CancelExecution(retry=True)
        self._fail(job_id, error)

    def _fail(self, job_id: str, error: BaclovoiceError) -> None:
        job = self.jobs.get(job_id)
        if job is not None:
            self.jobs.fail(job, error)
            self.runtime().abandon(job)
            if isinstance(error, InputError):  # the article itself: /healthz lists it
                source = self.settings.content_dir / f"{job.slug}.html"
                failure = Failure(job.slug, str(source), error.message, error.hint)
                failures.update(self.settings.audio_dir, job.slug, failure)
