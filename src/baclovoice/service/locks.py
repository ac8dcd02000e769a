"""Per-article locks on the shared audio folder: one publisher per article at a time.

File locks (``filelock``: flock on Linux, also over NFSv4), because workers on several
machines share the folder; the kernel releases the lock of a killed holder.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import filelock

from baclovoice.errors import BuildLocked

LOCK_WAIT = 120.0  # seconds removing an article waits for its publisher
QUEUE_FOLDER = ".queue"  # inside the audio folder: the SQLite queue and these locks


def article_locks(audio_dir: Path) -> ArticleLocks:
    return ArticleLocks(audio_dir / QUEUE_FOLDER / "locks")


class ArticleLocks:
    """One publisher per article at a time, across processes and machines."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, slug: str) -> tuple[Path, Path]:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{slug}.lock", self.folder / f"{slug}.dirty"

    def advance(self, slug: str, work: Callable[[], None]) -> None:
        """Run ``work`` now, or leave it to the process that holds the article's lock."""
        lock_path, flag = self._paths(slug)
        flag.touch()
        while flag.exists():
            lock = filelock.FileLock(str(lock_path))
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                return  # the holder sees the flag after its current pass
            try:
                while _take(flag):
                    work()
            finally:
                lock.release()

    @contextlib.contextmanager
    def held(self, slug: str, timeout: float = LOCK_WAIT) -> Iterator[None]:
        lock_path, _ = self._paths(slug)
        lock = filelock.FileLock(str(lock_path))
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout:
            raise BuildLocked(
                f"The narration of {slug!r} held its lock for {timeout:.0f} s.",
                "Try again in a minute.",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def forget(self, slug: str) -> None:
        for path in self._paths(slug):
            path.unlink(missing_ok=True)


def _take(flag: Path) -> bool:
    try:
        flag.unlink()
    except FileNotFoundError:
        return False
    return True
