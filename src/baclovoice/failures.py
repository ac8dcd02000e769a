"""Articles the last build could not use, recorded for ``/healthz`` and the next build.

The build writes ``<audio_dir>/.failures.json`` atomically (and removes it when
nothing failed); the web app only reads it. One bad article never stops the
others from being built and served, but it is never silently dropped either.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock

from baclovoice.fsutil import atomic_write_text

log = logging.getLogger(__name__)

FAILURES_NAME = ".failures.json"


@dataclass(frozen=True)
class Failure:
    """Why one article was not built: its file, the reason and how to fix it."""

    slug: str
    file: str
    reason: str
    hint: str


def failures_path(audio_dir: Path) -> Path:
    return audio_dir / FAILURES_NAME


def save(audio_dir: Path, failures: Iterable[Failure]) -> None:
    """Record ``failures`` (sorted by slug); no failures removes the record."""
    ordered = sorted(failures, key=lambda f: f.slug)
    path = failures_path(audio_dir)
    if not ordered:
        path.unlink(missing_ok=True)
        return
    body = {"failures": [asdict(f) for f in ordered]}
    atomic_write_text(path, json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def load(audio_dir: Path) -> list[Failure]:
    """The recorded failures; none when there is no (readable) record."""
    try:
        data = json.loads(failures_path(audio_dir).read_text(encoding="utf-8"))
        return [Failure(**entry) for entry in data["failures"]]
    except FileNotFoundError:
        return []
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("Ignoring the unreadable failure record in %s: %s", audio_dir, exc)
        return []


def update(audio_dir: Path, slug: str, failure: Failure | None) -> None:
    """Record (or, with None, clear) one article's failure and keep the others'.

    For the narration service, whose workers finish articles one at a time, maybe
    on several machines: the file lock keeps their updates from overwriting each other.
    """
    path = failures_path(audio_dir)
    if failure is None and not path.exists():
        return
    with FileLock(f"{path}.lock"):
        others = [f for f in load(audio_dir) if f.slug != slug]
        save(audio_dir, others + ([failure] if failure else []))
