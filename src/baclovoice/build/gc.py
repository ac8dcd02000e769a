"""Garbage collection (``baclovoice gc``): remove audio that no manifest references."""

from __future__ import annotations

import contextlib
from pathlib import Path

from baclovoice import manifest
from baclovoice.build.store import AudioStore
from baclovoice.errors import BaclovoiceError
from baclovoice.fsutil import check_dir
from baclovoice.settings import Settings


def collect_garbage(settings: Settings, *, dry_run: bool = False) -> tuple[list[Path], int]:
    """Under the build lock, so a running build never loses a file it just wrote.

    A dry run only reads: it creates neither the audio folder nor the lock file.
    """
    store = AudioStore(settings.audio_dir)
    if not check_dir(settings.audio_dir, "audio folder", "--audio-dir or BACLOVOICE_AUDIO_DIR"):
        return [], 0  # nothing built yet, nothing to collect
    if dry_run:  # only reads: no lock file, nothing created
        garbage = _garbage(store)
        return garbage, sum(p.stat().st_size for p in garbage)
    with store.lock():
        garbage = _garbage(store)
        return garbage, store.remove(garbage)


def _garbage(store: AudioStore) -> list[Path]:
    manifests = [*manifest.load_all(store.root).values(), *_building(store.root)]
    files = [f for m in manifests for f in m.published_files]
    keys = [k for m in manifests for k in m.sentence_keys]
    return store.garbage(files, keys)


def _building(audio_dir: Path) -> list[manifest.Manifest]:
    """Narrations in progress keep their sentences and sections too (a service may run)."""
    found = []
    for slug in manifest.building_slugs(audio_dir):
        with contextlib.suppress(BaclovoiceError):
            found.append(manifest.load_building(audio_dir, slug))
    return found
