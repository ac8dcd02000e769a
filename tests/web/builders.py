"""Published articles for web tests: real (tiny) MP3 files and manifests saved by manifest.save.

Shared by tests/web and tests/browser. The MP3s are sine tones made by the ffmpeg
that imageio-ffmpeg bundles, so players decode real audio without synthesizing speech.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from baclovoice import manifest
from baclovoice.models import (
    AudioFile,
    BlockEntry,
    Manifest,
    SectionEntry,
    SentenceTiming,
)

FIRST_TITLE = "Understanding Baclofen and Its Uses"

SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        FIRST_TITLE,
        (
            ("paragraph", "Baclofen is a muscle relaxant. It acts on the spinal cord."),
            ("heading", "How it works"),
            ("paragraph", "It reduces certain signals. Doctors prescribe it for spasms."),
        ),
    ),
    (
        "Anxiety Disorders and Treatment Options",
        (
            ("paragraph", "Anxiety is a natural emotion. For some it becomes overwhelming."),
            ("list-item", "Generalized anxiety disorder."),
            ("list-item", "Panic disorder."),
            ("quote", "More research is needed. Talk to your doctor."),
        ),
    ),
    (
        "Baclofen's Potential for Treating Anxiety",
        (("paragraph", "Some studies are promising. They are small & early."),),
    ),
)


@functools.cache
def tone_mp3(seconds: float, frequency: int) -> bytes:
    """A real MP3 (mono, 44.1 kHz, 64 kbit/s): a sine tone of the given length.

    Written to a file, not a pipe, so ffmpeg adds the Xing/LAME header with the exact
    length, as the build's encoder does (the publish stage joins sections by it).
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "tone.mp3"
        subprocess.run([*_tone_command(seconds, frequency), str(out)], check=True)
        return out.read_bytes()


def _tone_command(seconds: float, frequency: int) -> list[str]:
    return [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={frequency}:duration={seconds}",
        "-ac",
        "1",
        "-ar",
        "44100",
        "-b:a",
        "64k",
        "-f",
        "mp3",
    ]


def sentences_of(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


@dataclass(frozen=True)
class Spec:
    """What to publish; the defaults make a 3-section article like the seed's first half."""

    slug: str = "baclofen-for-anxiety"
    title: str = "Baclofen for Anxiety: Can It Help?"
    date: dt.date | None = dt.date(2023, 4, 27)
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = SECTIONS
    seconds: float = 3.0
    author: str = "Ada Tester"
    language: str = "en"
    voice: str = "joe (en_US, medium)"


def _section(spec: Spec, number: int, title: str, blocks: Sequence[tuple[str, str]]) -> tuple:
    section_id = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    entries = tuple(
        BlockEntry(f"{section_id}-{i}", kind, text, 3 if kind == "heading" else 0)
        for i, (kind, text) in enumerate(blocks, start=1)
    )
    spoken: list[tuple[str, str]] = []
    if number == 1:
        spoken.append((spec.title, "title"))
        if spec.date:
            spoken.append(
                (f"Published {spec.date:%B} {spec.date.day}, {spec.date.year}", "published")
            )
    spoken.append((title, section_id))
    for block in entries:
        spoken.extend((sentence, block.id) for sentence in sentences_of(block.text))
    step = spec.seconds / len(spoken)
    timings = tuple(
        SentenceTiming(text, element_id, round(i * step, 3), round((i + 1) * step, 3))
        for i, (text, element_id) in enumerate(spoken)
    )
    return section_id, entries, timings


def publish(audio_dir: Path, spec: Spec = Spec()) -> Manifest:
    """Write one article's MP3s and manifest into ``audio_dir``, as a build would."""
    sections = []
    for number, (title, blocks) in enumerate(spec.sections, start=1):
        section_id, entries, timings = _section(spec, number, title, blocks)
        data = tone_mp3(spec.seconds, 330 + 110 * number)
        sha = hashlib.sha256(data).hexdigest()
        relative = f"{spec.slug}/{number:02d}-{section_id}-{sha[:12]}.mp3"
        (audio_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (audio_dir / relative).write_bytes(data)
        audio = AudioFile(relative, len(data), spec.seconds, sha)
        sections.append(SectionEntry(section_id, number, title, audio, entries, timings))
    published = Manifest(
        slug=spec.slug,
        title=spec.title,
        language=spec.language,
        engine="piper",
        voice=spec.voice,
        sections=tuple(sections),
        date=spec.date,
        author=spec.author,
    )
    manifest.save(audio_dir, published)
    return published


LOREM = (
    "Baclofen is a muscle relaxant and antispasmodic agent, which means it helps relieve "
    "muscle spasms and stiffness caused by various conditions. It does this by acting on the "
    "central nervous system, specifically the spinal cord. Several small studies have shown "
    "promising results, particularly in individuals who have not responded well to traditional "
    "medications. However, more research is needed to fully understand the benefits and risks."
)


def long_spec(sections: int = 6, paragraphs: int = 3) -> Spec:
    """An article the size of the seed (about 6 KB of text in 6 sections)."""
    body = tuple(("paragraph", LOREM) for _ in range(paragraphs))
    titles = [f"Part {n}: Benefits and Limitations of Baclofen" for n in range(1, sections + 1)]
    return Spec(sections=tuple((title, body) for title in titles))
