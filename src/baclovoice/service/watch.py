"""Watch mode: an article file changed, added or removed while serving is re-narrated.

watchfiles delivers the file system's change notifications (inotify on Linux), about
50 ms after a save settles. A shared network file system sends no notifications
for changes made on other machines: set ``WATCHFILES_FORCE_POLLING=1`` there
(watchfiles then polls), and reconcile catches anything missed.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

import watchfiles

from baclovoice import manifest
from baclovoice.errors import BaclovoiceError
from baclovoice.service.jobs import source_digest
from baclovoice.service.locks import article_locks
from baclovoice.service.queue import NarrationQueue
from baclovoice.slugs import SLUG_PATTERN

log = logging.getLogger(__name__)

LEXICON_NAME = "lexicon.toml"
STEP_MS = 50  # a save is taken this long after the last change event
DEBOUNCE_MS = 1600  # at most this long when changes keep coming


def changed_articles(paths: Iterable[str]) -> tuple[set[str], bool]:
    """(slugs of changed article files, whether the lexicon changed) from changed paths."""
    slugs: set[str] = set()
    lexicon = False
    for raw in paths:
        path = Path(raw)
        if path.name == LEXICON_NAME:
            lexicon = True
        elif path.suffix == ".html" and SLUG_PATTERN.fullmatch(path.stem):
            slugs.add(path.stem)
    return slugs, lexicon


def _relevant(change: watchfiles.Change, path: str) -> bool:
    name = Path(path).name
    return not name.startswith(".") and (name.endswith(".html") or name == LEXICON_NAME)


class Watcher(threading.Thread):
    """Follows the content folder and hands each changed article to the queue."""

    def __init__(self, queue: NarrationQueue) -> None:
        super().__init__(name="watch-content", daemon=True)
        self.queue = queue
        self.settings = queue.settings
        self.stopped = threading.Event()
        self.ready = threading.Event()  # set once the first watch is in place

    def run(self) -> None:
        folder = self.settings.content_dir
        if not folder.is_dir():
            log.warning("Not watching %s: the folder does not exist.", folder)
            self.ready.set()
            return
        log.info("Watching %s for changed articles", folder)
        changes = watchfiles.watch(
            folder,
            watch_filter=_relevant,
            step=STEP_MS,
            debounce=DEBOUNCE_MS,
            stop_event=self.stopped,
            recursive=False,
            rust_timeout=500,
            yield_on_timeout=True,
            raise_interrupt=False,
        )
        for batch in changes:
            self.ready.set()
            if batch:
                self.handle({path for _, path in batch})

    def handle(self, paths: set[str]) -> None:
        slugs, lexicon = changed_articles(paths)
        if lexicon:
            from baclovoice.ingest.store import article_slugs

            log.info("The lexicon changed: re-narrating every article")
            slugs |= set(article_slugs(self.settings.content_dir))
        for slug in sorted(slugs):
            try:
                self._one(slug, force=lexicon)
            except BaclovoiceError as exc:
                log.error("Cannot narrate the changed article %s: %s", slug, exc)

    def _one(self, slug: str, force: bool) -> None:
        source = source_digest(self.settings.content_dir, slug)
        if source:
            self.queue.submit(slug, source, "watch", force=force)
        else:
            withdraw(self.queue, slug)

    def stop(self) -> None:
        self.stopped.set()


def withdraw(queue: NarrationQueue, slug: str) -> None:
    """Its file was removed: take the article out of the library (``gc`` frees its
    cached sentences later, so putting the file back narrates it quickly)."""
    audio_dir = queue.settings.audio_dir
    folder = audio_dir / slug
    with queue.reachable():
        job = queue.jobs.current(slug)
        queue.jobs.forget(slug)
    if job is not None:
        from baclovoice.errors import NotFound

        queue.jobs.fail(job, NotFound(f"The article file {slug}.html was removed.", ""))
    if not folder.is_dir():
        return
    with article_locks(audio_dir).held(slug):
        manifest.remove_building(audio_dir, slug)
        with contextlib.suppress(FileNotFoundError):
            manifest.manifest_path(audio_dir, slug).unlink()
        shutil.rmtree(folder, ignore_errors=True)
    log.info("Removed %s from the library: its file is gone", slug)
