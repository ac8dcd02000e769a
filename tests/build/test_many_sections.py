"""An article with 256+ sections builds, with a valid (nested) ID3 chapter table."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from mutagen.id3 import ID3, CTOCFlags

from baclovoice import manifest
from baclovoice.audio.ffmpeg import bundled_path
from baclovoice.audio.id3 import CTOC_MAX_CHILDREN, Chapter, Tags, tagged
from baclovoice.build.builder import build
from baclovoice.settings import Settings

SECTIONS = 256  # one more than a CTOC frame can list


@pytest.mark.parametrize("count", [1, 255, 256, 600])
def test_chapter_tables_respect_the_ctoc_limit(count: int) -> None:
    chapters = tuple(Chapter(n, n + 1, f"Part {n}") for n in range(count))
    data = tagged(b"\xff\xfb\x90\x00" + bytes(413), Tags("t", "a", "b", chapters=chapters))
    tag = ID3(io.BytesIO(data))
    tocs = tag.getall("CTOC")
    assert all(len(toc.child_element_ids) <= CTOC_MAX_CHILDREN for toc in tocs)
    assert len(tag.getall("CHAP")) == count
    assert len(tocs) == (1 if count <= CTOC_MAX_CHILDREN else 1 + -(-count // CTOC_MAX_CHILDREN))


@pytest.mark.slow  # 256 section MP3s: about 50 s on two cores
def test_256_sections_build_with_nested_chapter_tables(tmp_path) -> None:
    (tmp_path / "content").mkdir()
    body = "".join(f"<h2>Part {n}</h2><p>Text {n}.</p>" for n in range(SECTIONS))
    (tmp_path / "content" / "many.html").write_text(f"<h1>Many</h1>{body}", encoding="utf-8")
    settings = Settings.load(
        environ={}, content_dir=tmp_path / "content", audio_dir=tmp_path / "audio", engine="fake"
    )
    build(settings)
    built = manifest.load(settings.audio_dir, "many")
    assert len(built.sections) == SECTIONS and built.full is not None
    full = settings.audio_dir / built.full.file
    tag = ID3(full)
    tocs = {toc.element_id: toc for toc in tag.getall("CTOC")}
    assert all(len(toc.child_element_ids) <= CTOC_MAX_CHILDREN for toc in tocs.values())
    top = [toc for toc in tocs.values() if toc.flags & CTOCFlags.TOP_LEVEL]
    assert len(top) == 1
    chapter_ids = [c for sub in top[0].child_element_ids for c in tocs[sub].child_element_ids]
    assert len(chapter_ids) == SECTIONS == len(tag.getall("CHAP"))
    probe = subprocess.run(
        [bundled_path(), "-hide_banner", "-i", str(full), "-f", "ffmetadata", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.count("[CHAPTER]") == SECTIONS
    assert json.loads((settings.audio_dir / "many" / "manifest.json").read_text())["title"]
