"""The articles the web app serves, re-read whenever a build replaces a manifest.

Each request calls ``snapshot()``: it lists the manifests on disk and re-parses
only those whose file changed (a build writes them by atomic rename, so a new
inode or mtime means new content). A server therefore picks up a rebuild
without a restart, and one corrupt manifest breaks only its own article.

URLs never reach the file system: a slug is looked up among the slugs found on
disk, and audio paths come from the manifest, checked to stay inside the folder.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.security import safe_join

from baclovoice import manifest as manifests
from baclovoice.errors import BaclovoiceError, ManifestError, NotFound
from baclovoice.models import AudioFile, Manifest, SectionEntry

log = logging.getLogger(__name__)

Stamp = tuple[int, int, int]  # (inode, mtime_ns, size)


@dataclass(frozen=True)
class Snapshot:
    """Loaded manifests newest first, and the slugs whose manifest failed to load."""

    manifests: dict[str, Manifest] = field(default_factory=dict)
    errors: dict[str, BaclovoiceError] = field(default_factory=dict)


class Library:
    """Thread-safe, change-aware view of ``<audio_dir>/<slug>/manifest.json``."""

    def __init__(self, audio_dir: Path) -> None:
        self.audio_dir = audio_dir.resolve()
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Stamp, Manifest | BaclovoiceError]] = {}

    def snapshot(self) -> Snapshot:
        with self._lock:
            self._refresh()
            loaded = {s: v for s, (_, v) in self._cache.items() if isinstance(v, Manifest)}
            errors = {s: v for s, (_, v) in self._cache.items() if isinstance(v, BaclovoiceError)}
        return Snapshot(manifests.newest_first(loaded.values()), errors)

    def _refresh(self) -> None:
        stamps = {}
        for slug in manifests.built_slugs(self.audio_dir):
            try:
                info = os.stat(manifests.manifest_path(self.audio_dir, slug))
            except FileNotFoundError:
                continue  # removed between listing and stat
            stamps[slug] = (info.st_ino, info.st_mtime_ns, info.st_size)
        for slug in set(self._cache) - set(stamps):
            del self._cache[slug]
        for slug, stamp in stamps.items():
            cached = self._cache.get(slug)
            if cached is None or cached[0] != stamp:
                self._cache[slug] = (stamp, self._load(slug))

    def _load(self, slug: str) -> Manifest | BaclovoiceError:
        try:
            loaded = manifests.load(self.audio_dir, slug)
        except BaclovoiceError as exc:
            log.error("Cannot load the manifest of %r: %s", slug, exc)
            return exc
        log.info("Loaded the manifest of %r (%d sections)", slug, len(loaded.sections))
        return loaded

    def get(self, slug: str) -> Manifest:
        """The article's manifest; NotFound for an unknown slug, the load error if broken."""
        snapshot = self.snapshot()
        if slug in snapshot.errors:
            raise snapshot.errors[slug]
        if slug not in snapshot.manifests:
            raise NotFound(
                f"There is no article called {slug!r}.",
                "Pick an article from the library page.",
            )
        return snapshot.manifests[slug]

    def section(self, slug: str, number: int) -> tuple[Manifest, SectionEntry]:
        loaded = self.get(slug)
        section = loaded.section(number)
        if section is None:
            raise NotFound(
                f"The article {loaded.title!r} has no section {number}.",
                f"Sections are numbered 1 to {len(loaded.sections)}.",
            )
        return loaded, section

    def audio_path(self, audio: AudioFile) -> Path:
        """Where a published file lives; refuses paths that would leave the audio folder."""
        joined = safe_join(str(self.audio_dir), audio.file)
        if joined is None:
            raise ManifestError(
                f"A manifest names the audio file {audio.file!r} outside {self.audio_dir}.",
                "Rebuild the article: baclovoice build --force",
            )
        path = Path(joined)
        if not path.is_file():
            raise NotFound(
                f"The audio file {audio.file} is missing from {self.audio_dir}.",
                "Rebuild the article: baclovoice build",
            )
        return path

    def check(self) -> list[str]:
        """Problems that make the server unhealthy, as messages; empty when all is well."""
        if not self.audio_dir.is_dir():
            return [f"The audio folder {self.audio_dir} does not exist. Run: baclovoice build"]
        return [f"{slug}: {error.message}" for slug, error in self.snapshot().errors.items()]
