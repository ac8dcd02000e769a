"""Garbage collection (``baclovoice gc``): remove audio that no manifest references."""

from __future__ import annotations

import contextlib
from pathlib import Path

from baclovoice import manifest
from baclovoice.build.store import AudioStore
from baclovoice.errors import BaclovoiceError
from baclovoice.settings import Settings


def collect_garbage(settings: Settings, *, dry_run: bool = False) -> tuple[list[Path], int]:
    """Under the build lock, so a running build never loses a file it just wrote."""
    store = AudioStore(settings.audio_dir)
    with store.lock():
        manifests = [*manifest.load_all(settings.audio_dir).values(), *_building(settings)]
        files = [f.file for m in manifests for f in m.audio_files] + [
            m.cover for m in manifests if m.cover
        ]
        keys = [k for m in manifests for k in m.sentence_keys]
        garbage = store.garbage(files, keys)
        if dry_run:
            return garbage, sum(p.stat().st_size for p in garbage)
        return garbage, store.remove(garbage)


def _building(settings: Settings) -> list[manifest.Manifest]:
    """Narrations in progress keep their sentences and sections too (a service may run)."""
    found = []
    for slug in manifest.building_slugs(settings.audio_dir):
        with contextlib.suppress(BaclovoiceError):
            found.append(manifest.load_building(settings.audio_dir, slug))
    return found
