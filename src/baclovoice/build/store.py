"""The content-addressed audio store: the only writer under the audio folder, and the
one place that knows its file names.

Layout::

    audio/.cache/sentences/ab/<key>.wav   one synthesized sentence (engine rate, int16)
    audio/<slug>/<nn>-<section-id>-<hash>.mp3   a published section
    audio/<slug>/<slug>-<hash>.mp3               the whole article with chapters
    audio/<slug>/cover-<hash>.png                the article's cover art
    audio/<slug>/<slug>-<hash>.epub              the read-along book (EPUB 3)
    audio/<slug>/<slug>-<hash>.m4b               the audiobook (AAC with chapters)
    audio/<slug>/manifest.json                   (written by manifest.py)
    audio/cover.png                              the library's cover art
    audio/.build.lock                            one build at a time

Keys hash everything that changes the sound, so a file's bytes never change
once published: editing one sentence changes one sentence key and one section key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from baclovoice.errors import BuildLocked
from baclovoice.fsutil import atomic_write_bytes, ensure_dir
from baclovoice.models import AudioFile

log = logging.getLogger(__name__)

# Bump when synthesis-side processing changes how a cached sentence sounds.
SENTENCE_VERSION = 1
# Bump when assembling, mastering, encoding or tagging changes a published file.
PUBLISH_VERSION = 4

CACHE_DIR = ".cache"
LIBRARY_COVER = "cover.png"  # the library feed's cover, at a stable URL
LOCK_NAME = ".build.lock"
LOCK_TIMEOUT = 600.0  # seconds a build waits for another one before giving up
PUBLISHED_SUFFIXES = {".mp3", ".png", ".jpg", ".epub", ".m4b"}  # what gc may remove
WAV_HEADER = 44  # the stdlib wave module writes a canonical 44-byte PCM header


def digest(payload: Any) -> str:
    """sha256 of a canonical JSON rendering: stable across runs and platforms."""
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def sentence_key(speech: str, engine: dict[str, str], lexicon_digest: str) -> str:
    return digest(
        {"v": SENTENCE_VERSION, "speech": speech, "engine": engine, "lexicon": lexicon_digest}
    )


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class AudioStore:
    root: Path

    # --- sentences ----------------------------------------------------------------

    def sentence_path(self, key: str) -> Path:
        return self.root / CACHE_DIR / "sentences" / key[:2] / f"{key}.wav"

    def sentence_info(self, key: str) -> tuple[int, int] | None:
        """(frames, sample rate) of a cached sentence from its header; None if absent or broken.

        A WAV whose size disagrees with its header was cut short (a crash, a full disk):
        it is removed so the sentence is synthesized again.
        """
        path = self.sentence_path(key)
        try:
            with path.open("rb") as handle:
                header = handle.read(WAV_HEADER)
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        ok = len(header) == WAV_HEADER and header[:4] == b"RIFF" and header[36:40] == b"data"
        data_size = struct.unpack("<I", header[40:44])[0] if ok else -1
        if not ok or data_size + WAV_HEADER != size or data_size % 2:
            log.warning("Discarding corrupt cached sentence %s", path)
            path.unlink(missing_ok=True)
            return None
        return data_size // 2, struct.unpack("<I", header[24:28])[0]

    def sentence_digest(self, key: str) -> str:
        return file_sha256(self.sentence_path(key))

    def read_sentence(self, key: str) -> bytes:
        return self.sentence_path(key).read_bytes()

    def write_sentence(self, key: str, wav: bytes) -> None:
        atomic_write_bytes(self.sentence_path(key), wav)

    # --- published files ----------------------------------------------------------

    @staticmethod
    def section_name(slug: str, number: int, section_id: str, key: str) -> str:
        """A section MP3: ``<slug>/<nn>-<section-id>-<hash>.mp3`` (sorts in reading order)."""
        return f"{slug}/{number:02d}-{section_id}-{key[:12]}.mp3"

    @staticmethod
    def article_file(slug: str, key: str, suffix: str) -> str:
        """A whole-article file: ``<slug>/<slug>-<hash><suffix>`` (.mp3, .epub, .m4b)."""
        return f"{slug}/{slug}-{key[:12]}{suffix}"

    @classmethod
    def full_name(cls, slug: str, key: str) -> str:
        """The whole-article MP3 with chapters."""
        return cls.article_file(slug, key, ".mp3")

    @staticmethod
    def cover_name(slug: str, key: str) -> str:
        """An article's cover art: ``<slug>/cover-<hash>.png``."""
        return f"{slug}/cover-{key[:12]}.png"

    @classmethod
    def epub_name(cls, slug: str, key: str) -> str:
        """The read-along book."""
        return cls.article_file(slug, key, ".epub")

    @classmethod
    def m4b_name(cls, slug: str, key: str) -> str:
        """The audiobook."""
        return cls.article_file(slug, key, ".m4b")

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> bytes | None:
        """A published file's bytes, or None when it is not there."""
        try:
            return (self.root / relative).read_bytes()
        except FileNotFoundError:
            return None

    def publish(self, relative: str, data: bytes, duration: float) -> AudioFile:
        atomic_write_bytes(self.root / relative, data)
        sha = hashlib.sha256(data).hexdigest()
        return AudioFile(file=relative, bytes=len(data), duration=duration, sha256=sha)

    def verified(self, expected: AudioFile | None, relative: str) -> AudioFile | None:
        """The previously published file if it is still intact on disk, else None."""
        if expected is None or expected.file != relative:
            return None
        path = self.root / relative
        try:
            if path.stat().st_size != expected.bytes:
                return None
        except FileNotFoundError:
            return None
        return expected if file_sha256(path) == expected.sha256 else None

    # --- housekeeping -------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the build lock; waits for another build to finish, up to ``timeout``."""
        timeout = LOCK_TIMEOUT if timeout is None else timeout
        ensure_dir(self.root, "audio folder", "--audio-dir or BACLOVOICE_AUDIO_DIR")
        lock = filelock.FileLock(str(self.root / LOCK_NAME))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            log.info("Another build is running on %s; waiting for it to finish", self.root)
            try:
                lock.acquire(timeout=timeout)
            except filelock.Timeout:
                raise BuildLocked(
                    f"Another build has held {self.root / LOCK_NAME} for {timeout:.0f} s.",
                    "Wait for it to finish, or stop it, then build again.",
                ) from None
        try:
            yield
        finally:
            lock.release()

    def garbage(self, keep_files: Iterable[str], keep_sentences: Iterable[str]) -> list[Path]:
        """Files no manifest references: stale published audio, sentences, temp files."""
        keep = {self.root / f for f in keep_files} | {self.root / LIBRARY_COVER}
        keep_keys = set(keep_sentences)
        out: list[Path] = []
        for path in self.root.rglob("*"):
            if not path.is_file() or path.name in {LOCK_NAME, ".gitkeep", "manifest.json"}:
                continue
            if path.name.endswith(".tmp") and path.name.startswith("."):
                out.append(path)
            elif path.is_relative_to(self.root / CACHE_DIR / "sentences"):
                if path.stem not in keep_keys:
                    out.append(path)
            elif path.suffix in PUBLISHED_SUFFIXES and path not in keep:
                out.append(path)
        return sorted(out)

    def remove(self, paths: Iterable[Path]) -> int:
        freed = 0
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                freed += path.stat().st_size
                path.unlink()
        for folder in sorted((p for p in self.root.rglob("*") if p.is_dir()), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only succeeds for empty folders
        return freed
