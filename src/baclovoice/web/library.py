"""The articles the web app serves, re-read whenever a build replaces a manifest.

Each request calls ``snapshot()``: it lists the manifests on disk and re-parses
only those whose file changed (a build writes them by atomic rename, so a new
inode or mtime means new content). A server therefore picks up a rebuild
without a restart, and one corrupt manifest breaks only its own article.

URLs never reach the file system: a slug is looked up among the slugs found on
disk, and audio paths come from the manifest, checked to stay inside the folder.

While the narration service builds an article, its manifest in progress
(``building.json``) is what the player and the API show (``current``); feeds and
downloads keep reading the last complete manifest (``get``, ``snapshot().manifests``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
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
    building: dict[str, Manifest] = field(default_factory=dict)  # narrations in progress

    def current(self) -> dict[str, Manifest]:
        """Every article as a listener finds it now: in progress, else complete."""
        merged = {**self.manifests, **self.building}
        return manifests.newest_first(m for s, m in merged.items() if s not in self.errors)


class Library:
    """Thread-safe, change-aware view of ``<audio_dir>/<slug>/manifest.json``."""

    def __init__(self, audio_dir: Path) -> None:
        self.audio_dir = audio_dir.resolve()
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Stamp, Manifest | BaclovoiceError]] = {}
        self._building: dict[str, tuple[Stamp, Manifest | BaclovoiceError]] = {}

    def snapshot(self) -> Snapshot:
        with self._lock:
            self._refresh(self._cache, manifests.built_slugs, manifests.manifest_path, "")
            self._refresh(
                self._building, manifests.building_slugs, manifests.building_path, "building"
            )
            loaded = {s: v for s, (_, v) in self._cache.items() if isinstance(v, Manifest)}
            errors = {s: v for s, (_, v) in self._cache.items() if isinstance(v, BaclovoiceError)}
            building = {s: v for s, (_, v) in self._building.items() if isinstance(v, Manifest)}
        return Snapshot(manifests.newest_first(loaded.values()), errors, building)

    def _refresh(
        self,
        cache: dict[str, tuple[Stamp, Manifest | BaclovoiceError]],
        slugs: Callable[[Path], list[str]],
        path: Callable[[Path, str], Path],
        kind: str,
    ) -> None:
        stamps = {}
        for slug in slugs(self.audio_dir):
            try:
                info = os.stat(path(self.audio_dir, slug))
            except FileNotFoundError:
                continue  # removed between listing and stat
            stamps[slug] = (info.st_ino, info.st_mtime_ns, info.st_size)
        for slug in set(cache) - set(stamps):
            del cache[slug]
        for slug, stamp in stamps.items():
            cached = cache.get(slug)
            if cached is None or cached[0] != stamp:
                cache[slug] = (stamp, self._load(slug, kind))

    def _load(self, slug: str, kind: str = "") -> Manifest | BaclovoiceError:
        load = manifests.load_building if kind else manifests.load
        try:
            loaded = load(self.audio_dir, slug)
        except BaclovoiceError as exc:
            log.error("Cannot load the %smanifest of %r: %s", f"{kind} " if kind else "", slug, exc)
            return exc
        log.debug("Loaded the %s manifest of %r", kind or "complete", slug)
        return loaded

    def get(self, slug: str) -> Manifest:
        """The article's complete manifest (feeds, downloads); NotFound for an unknown slug
        or one still being narrated, the load error if broken."""
        snapshot = self.snapshot()
        if slug in snapshot.errors:
            raise snapshot.errors[slug]
        if slug in snapshot.building and slug not in snapshot.manifests:
            raise NotFound(
                f"The article {snapshot.building[slug].title!r} is still being narrated.",
                "Its feed and downloads appear when every section is ready; "
                "listen on its page meanwhile.",
            )
        if slug not in snapshot.manifests:
            raise NotFound(
                f"There is no article called {slug!r}.",
                "Pick an article from the library page.",
            )
        return snapshot.manifests[slug]

    def current(self, slug: str) -> Manifest:
        """What the player and the API show: the narration in progress, else the complete one."""
        building = self.snapshot().building.get(slug)
        return building if building is not None else self.get(slug)

    def section(self, slug: str, number: int, version: str = "") -> tuple[Manifest, SectionEntry]:
        """Section ``number`` as now narrated; with ``version`` (an audio URL's ``v``), the
        section whose audio has that hash, in progress or complete, so links stay valid."""
        from baclovoice.web.urls import audio_version  # urls needs this module first

        loaded = self.current(slug)
        section = loaded.section(number)
        if section is None:
            raise NotFound(
                f"The article {loaded.title!r} has no section {number}.",
                f"Sections are numbered 1 to {len(loaded.sections)}.",
            )
        if version and audio_version(section.audio) != version and not loaded.complete:
            older = self.snapshot().manifests.get(slug)
            match = older.section(number) if older is not None else None
            if older is not None and match is not None and audio_version(match.audio) == version:
                return older, match
        if not section.ready:
            raise NotFound(
                f"Section {number} of {loaded.title!r} is still being narrated.",
                "Try again in a moment; the article's page shows when it is ready.",
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
