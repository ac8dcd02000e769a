"""The audiobook, read back by the bundled ffmpeg and by mutagen: chapters, length, tags."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import mutagen.mp4
import numpy as np
import pytest

from baclovoice import audio, manifest
from baclovoice.audio import Chapter
from baclovoice.formats.m4b import AAC_SAMPLE_RATE, BookTags, ffmetadata
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from tests.formats.conftest import SEED


@dataclass(frozen=True)
class ReadBack:
    chapters: list[tuple[float, float, str]]  # start, end (s), title
    tags: dict[str, str]
    duration: float  # seconds of decoded audio


def read_back(path: Path) -> ReadBack:
    """What ffmpeg sees in the file: its metadata and chapters, and the decoded length."""
    meta = audio.BUNDLED.run(["-i", str(path), "-f", "ffmetadata", "-"]).decode("utf-8")
    head, *blocks = meta.split("[CHAPTER]")
    tags = dict(line.split("=", 1) for line in head.splitlines()[1:] if "=" in line)
    chapters = []
    for block in blocks:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines())
        num, den = map(int, fields["TIMEBASE"].split("/"))
        scale = num / den
        chapters.append((int(fields["START"]) * scale, int(fields["END"]) * scale, fields["title"]))
    pcm = audio.BUNDLED.run(["-i", str(path), "-map", "0:a", "-f", "s16le", "-ac", "1", "-"])
    return ReadBack(chapters, tags, len(pcm) / 2 / AAC_SAMPLE_RATE)


def mp3_length(path: Path) -> float:
    """The whole-article MP3's playing time, decoded by the same ffmpeg."""
    pcm = audio.BUNDLED.run(["-i", str(path), "-map", "0:a", "-f", "s16le", "-ac", "1", "-"])
    return len(pcm) / 2 / audio.SAMPLE_RATE


def check_audiobook(audio_dir: Path, m: Manifest) -> ReadBack:
    assert m.m4b is not None and m.full is not None
    path = audio_dir / m.m4b.file
    got = read_back(path)
    assert len(got.chapters) == len(m.sections)
    assert [title for _, _, title in got.chapters] == [s.title for s in m.sections]
    for (start, _, _), section in zip(got.chapters, m.sections, strict=True):
        assert start == pytest.approx(section.start, abs=0.050)
    assert got.chapters[-1][1] == pytest.approx(m.full.duration, abs=0.050)
    assert got.duration == pytest.approx(mp3_length(audio_dir / m.full.file), abs=0.2)
    assert got.duration == pytest.approx(m.duration, abs=0.2)
    assert got.tags["title"] == got.tags["album"] == m.title
    assert got.tags["artist"] == (m.author or "baclovoice")
    assert "synthetic voice" in got.tags["comment"]
    info = mutagen.mp4.MP4(path)
    assert info.info.codec == "mp4a.40.2" and info.info.channels == 1  # AAC-LC, mono
    assert info.tags["covr"][0] == (audio_dir / m.cover).read_bytes()
    assert info.tags["stik"] == [2]  # iTunes media kind: audiobook
    assert [c.title for c in info.chapters] == [s.title for s in m.sections]  # Nero chapters too
    return got


def test_tone_audiobook(tones: tuple[Path, Manifest]) -> None:
    check_audiobook(*tones)


def test_sections_are_where_the_chapters_say(tones: tuple[Path, Manifest]) -> None:
    """Each tone section has its own pitch: find it in the decoded audiobook at its chapter."""
    audio_dir, m = tones
    got = read_back(audio_dir / m.m4b.file)
    pcm = audio.BUNDLED.run(["-i", str(audio_dir / m.m4b.file), "-f", "s16le", "-ac", "1", "-"])
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    for number, (start, end, _) in enumerate(got.chapters, start=1):
        middle = samples[int((start + 0.5) * AAC_SAMPLE_RATE) : int((end - 0.5) * AAC_SAMPLE_RATE)]
        spectrum = np.abs(np.fft.rfft(middle))
        peak = np.argmax(spectrum) * AAC_SAMPLE_RATE / len(middle)
        assert peak == pytest.approx(330 + 110 * number, abs=3)  # tests.web.builders' pitches


@pytest.mark.parametrize(
    ("title", "line"),
    [
        ("Plain", "title=Plain"),
        ("A = B; C # D", "title=A \\= B\\; C \\# D"),
        ("back\\slash", "title=back\\\\slash"),
        ("two\nlines", "title=two\\\nlines"),
    ],
)
def test_ffmetadata_escapes_what_ffmpeg_reads_specially(title: str, line: str) -> None:
    text = ffmetadata(BookTags("t", "a", "b"), [Chapter(0.0, 1.0, title)])
    assert text.endswith(line + "\n")
    assert re.search(r"^START=0$", text, re.M) and re.search(r"^END=1000$", text, re.M)


@pytest.mark.slow
def test_seed_audiobook_chapter_table(built: Settings) -> None:
    m = manifest.load(built.audio_dir, SEED)
    got = check_audiobook(built.audio_dir, m)
    print(f"\n{SEED}.m4b: {m.m4b.bytes} bytes, {got.duration:.3f} s (MP3 {m.full.duration:.3f} s)")
    for (start, end, title), section in zip(got.chapters, m.sections, strict=True):
        print(f"  {start:8.3f} {end:8.3f}  (MP3 chapter {section.start:8.3f})  {title}")
