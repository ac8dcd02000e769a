"""Manifests: built purely from timings, saved and loaded at the edge.

One ``<audio_dir>/<slug>/manifest.json`` per article is the single source the
web app and feeds read. While the narration service builds an article, a second
manifest, ``building.json`` (status "building", sections not yet ready have no
audio), lets the player and the API show progress; ``manifest.json`` stays the
last complete version until the new one is complete.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

from baclovoice.errors import ManifestError, NotFound
from baclovoice.fsutil import atomic_write_text
from baclovoice.models import MANIFEST_VERSION, Manifest

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
BUILDING_NAME = "building.json"


def manifest_path(audio_dir: Path, slug: str) -> Path:
    return audio_dir / slug / MANIFEST_NAME


def dumps(manifest: Manifest) -> str:
    return json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n"


def save(audio_dir: Path, manifest: Manifest) -> Path:
    return _write(manifest_path(audio_dir, manifest.slug), manifest)


def _write(path: Path, manifest: Manifest) -> Path:
    atomic_write_text(path, dumps(manifest))
    return path


def load(audio_dir: Path, slug: str) -> Manifest:
    """Load one manifest; a missing one is NotFound, a broken one a ManifestError."""
    return _read(manifest_path(audio_dir, slug), slug)


def _read(path: Path, slug: str) -> Manifest:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(
            f"No narration has been built for article {slug!r} ({path} is missing).",
            f"Run: baclovoice build {slug}",
        ) from None
    try:
        data = json.loads(text)
        manifest = Manifest.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(
            f"The manifest {path} is corrupt ({exc.__class__.__name__}: {exc}).",
            f"Rebuild it: baclovoice build {slug} --force",
        ) from None
    if manifest.version != MANIFEST_VERSION:
        raise ManifestError(
            f"The manifest {path} has version {manifest.version}; "
            f"this baclovoice reads version {MANIFEST_VERSION}.",
            f"Rebuild it: baclovoice build {slug}",
        )
    if manifest.slug != slug:
        raise ManifestError(
            f"The manifest {path} names slug {manifest.slug!r}, not {slug!r}.",
            f"Rebuild it: baclovoice build {slug} --force",
        )
    return manifest


def built_slugs(audio_dir: Path) -> list[str]:
    """Slugs that have a manifest, sorted."""
    if not audio_dir.is_dir():
        return []
    return sorted(p.parent.name for p in audio_dir.glob(f"*/{MANIFEST_NAME}"))


def load_all(audio_dir: Path) -> dict[str, Manifest]:
    """Every manifest in the audio folder, by slug, newest article first."""
    return newest_first(load(audio_dir, slug) for slug in built_slugs(audio_dir))


def newest_first(manifests: Iterable[Manifest]) -> dict[str, Manifest]:
    """By slug, newest article first (undated ones last), as the library lists them."""
    ordered = sorted(manifests, key=lambda m: (m.date is not None, m.date, m.slug), reverse=True)
    return {m.slug: m for m in ordered}


# --- the manifest of a narration in progress -------------------------------------------


def building_path(audio_dir: Path, slug: str) -> Path:
    return audio_dir / slug / BUILDING_NAME


def save_building(audio_dir: Path, manifest: Manifest) -> Path:
    return _write(building_path(audio_dir, manifest.slug), manifest)


def load_building(audio_dir: Path, slug: str) -> Manifest:
    """The article's manifest in progress; NotFound when no narration is under way."""
    return _read(building_path(audio_dir, slug), slug)


def remove_building(audio_dir: Path, slug: str) -> None:
    building_path(audio_dir, slug).unlink(missing_ok=True)


def building_slugs(audio_dir: Path) -> list[str]:
    """Slugs whose narration is under way, sorted."""
    if not audio_dir.is_dir():
        return []
    return sorted(p.parent.name for p in audio_dir.glob(f"*/{BUILDING_NAME}"))
