"""End-to-end builds of a small article with real ffmpeg.

The read-only checks run on two builds: one with the fake engine (fast, deterministic)
and one with the real Piper voice (slow: what only real speech shows, such as loudness
of speech and sentence timings of a real voice). Edits, damage and gc use the fake.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mutagen.mp3
import numpy as np
import pytest

from baclovoice import audio, manifest
from baclovoice.build.builder import BuildReport, build
from baclovoice.build.gc import collect_garbage
from baclovoice.build.store import AudioStore
from baclovoice.errors import BuildLocked
from baclovoice.settings import Settings

VOICES = {"fake": "test tones", "piper": "joe"}


def cold_build(root: Path, engine: str) -> tuple[Settings, BuildReport]:
    from tests.conftest import SMALL_ARTICLE

    (root / "content").mkdir()
    (root / "content" / "tiny.html").write_text(SMALL_ARTICLE, encoding="utf-8")
    settings = Settings.load(
        environ={}, content_dir=root / "content", audio_dir=root / "audio", jobs=2, engine=engine
    )
    return settings, build(settings)


@pytest.fixture(scope="module", params=["fake", pytest.param("piper", marks=pytest.mark.slow)])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, BuildReport]:
    """One cold build per engine, shared by the read-only tests of this module."""
    return cold_build(tmp_path_factory.mktemp(f"built-{request.param}"), request.param)


@pytest.fixture(scope="module")
def fake_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    """A cold build with the fake engine, copied by the tests that change things."""
    return cold_build(tmp_path_factory.mktemp("built-fake"), "fake")


def copy_of(built_settings: Settings, tmp_path: Path) -> Settings:
    """A private copy of the built folders, for tests that edit or break things."""
    shutil.copytree(built_settings.content_dir, tmp_path / "content")
    shutil.copytree(built_settings.audio_dir, tmp_path / "audio")
    return built_settings.replace(content_dir=tmp_path / "content", audio_dir=tmp_path / "audio")


def test_cold_build_synthesizes_every_sentence(built):
    settings, report = built
    article = report.articles[0]
    assert article.slug == "tiny"
    assert article.cached == 0 and article.synthesized == article.sentences >= 8
    assert report.voice_loaded


def test_manifest_matches_files(built):
    settings, _ = built
    m = manifest.load(settings.audio_dir, "tiny")
    assert [s.title for s in m.sections] == ["First Part", "Second Part"]
    assert [s.number for s in m.sections] == [1, 2]
    assert m.engine == settings.engine and VOICES[settings.engine] in m.voice
    assert m.author == "Ada Tester" and str(m.date) == "2024-03-05"
    for f in m.audio_files:
        path = settings.audio_dir / f.file
        assert path.stat().st_size == f.bytes
        assert audio.mp3_duration(path.read_bytes()) == pytest.approx(f.duration, abs=0.002)
        decoded = audio.decode(path.read_bytes())
        assert decoded.duration == pytest.approx(f.duration, abs=0.002)
    assert m.full is not None
    last = m.sections[-1]
    assert m.full.duration == pytest.approx(last.start + last.audio.duration, abs=0.002)


def test_sentence_timings_are_ordered_and_inside_the_audio(built):
    settings, _ = built
    m = manifest.load(settings.audio_dir, "tiny")
    first = m.sections[0].sentences
    assert [s.element_id for s in first[:3]] == ["title", "published", "first-part"]
    for section in m.sections:
        times = [(s.start, s.end) for s in section.sentences]
        assert all(0 <= a < b <= section.audio.duration for a, b in times)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(times, times[1:], strict=False))
    # a join adds the encoder's few ms of padding and priming (silence) between sections
    assert 0 <= m.sections[1].start - m.sections[0].audio.duration < 0.06


def test_section_mp3_is_tagged_cbr_and_normalized(built):
    settings, _ = built
    m = manifest.load(settings.audio_dir, "tiny")
    path = settings.audio_dir / m.sections[1].audio.file
    info = mutagen.mp3.MP3(path)
    assert info.info.bitrate_mode == mutagen.mp3.BitrateMode.CBR
    assert info.info.bitrate == pytest.approx(64000, abs=100)  # mutagen averages over the stream
    assert info.info.sample_rate == 44100
    assert info.info.channels == 1
    assert str(info.tags["TIT2"]) == "Second Part"
    assert str(info.tags["TALB"]) == "A Tiny Test"
    assert str(info.tags["TRCK"]) == "2/2"
    decoded = audio.decode(path.read_bytes())
    assert audio.loudness(decoded) == pytest.approx(-16.0, abs=1.0)
    assert audio.true_peak_db(decoded) <= -1.0


def test_full_article_has_one_chapter_per_section(built):
    settings, _ = built
    m = manifest.load(settings.audio_dir, "tiny")
    tags = mutagen.mp3.MP3(settings.audio_dir / m.full.file).tags
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == ["First Part", "Second Part"]
    assert len(tags.getall("CTOC")) == 1
    assert tags.getall("APIC")[0].data == (settings.audio_dir / m.cover).read_bytes()


def test_covers_are_built(built):
    settings, _ = built
    m = manifest.load(settings.audio_dir, "tiny")
    assert m.cover.startswith("tiny/cover-") and m.cover.endswith(".png")
    for cover in (settings.audio_dir / m.cover, settings.audio_dir / "cover.png"):
        assert cover.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sections_sit_at_their_start_inside_the_full_article(built):
    """The whole-article MP3 holds each section's audio at ``section.start`` (to the ms)."""
    settings, _ = built
    m = manifest.load(settings.audio_dir, "tiny")
    full = audio.decode((settings.audio_dir / m.full.file).read_bytes()).samples.astype(float)
    for section in m.sections:
        alone = audio.decode((settings.audio_dir / section.audio.file).read_bytes())
        snippet = alone.samples.astype(float)[4410:26460]  # 0.1 s to 0.6 s: speech
        expected = round(section.start * 44100) + 4410
        window = full[expected - 2205 : expected + 2205 + len(snippet)]
        found = int(np.argmax(np.correlate(window, snippet, mode="valid"))) - 2205
        assert abs(found) <= 45, f"section {section.number} is {found} samples off"


def test_no_change_rebuild_is_all_cached_and_writes_nothing(fake_built, tmp_path):
    settings = copy_of(fake_built[0], tmp_path)
    path = manifest.manifest_path(settings.audio_dir, "tiny")
    before = path.stat().st_mtime_ns
    report = build(settings)
    article = report.articles[0]
    assert article.synthesized == 0 and article.cached == article.sentences
    assert not report.voice_loaded
    assert article.files_written == [] and not article.manifest_changed
    assert path.stat().st_mtime_ns == before


def test_editing_one_sentence_changes_one_section(fake_built, tmp_path):
    settings = copy_of(fake_built[0], tmp_path)
    old = manifest.load(settings.audio_dir, "tiny")
    html = settings.content_dir / "tiny.html"
    html.write_text(html.read_text().replace("Drink water.", "Drink tea."), encoding="utf-8")
    report = build(settings)
    assert report.articles[0].synthesized == 1
    new = manifest.load(settings.audio_dir, "tiny")
    assert new.sections[0].audio == old.sections[0].audio
    assert new.sections[1].audio.file != old.sections[1].audio.file
    assert new.full.file != old.full.file
    # the old files are still there until gc, so a client mid-download is not cut off
    assert (settings.audio_dir / old.sections[1].audio.file).exists()
    removed, freed = collect_garbage(settings)
    assert {p.name for p in removed} >= {Path(old.sections[1].audio.file).name}
    assert freed > 0
    assert all((settings.audio_dir / f.file).exists() for f in new.audio_files)
    assert build(settings).articles[0].synthesized == 0  # gc kept every live sentence


@pytest.mark.parametrize("damage", ["truncate-sentence", "truncate-mp3", "delete-mp3"])
def test_damaged_files_are_detected_and_rebuilt(fake_built, tmp_path, damage):
    settings = copy_of(fake_built[0], tmp_path)
    m = manifest.load(settings.audio_dir, "tiny")
    target = settings.audio_dir / m.sections[0].audio.file
    if damage == "truncate-sentence":
        key = m.sentence_keys[0]
        wav = AudioStore(settings.audio_dir).sentence_path(key)
        wav.write_bytes(wav.read_bytes()[:1000])
    elif damage == "truncate-mp3":
        target.write_bytes(target.read_bytes()[:5000])
    else:
        target.unlink()
    report = build(settings)
    expected = 1 if damage == "truncate-sentence" else 0
    assert report.articles[0].synthesized == expected
    rebuilt = manifest.load(settings.audio_dir, "tiny")
    for f in rebuilt.audio_files:
        assert (settings.audio_dir / f.file).stat().st_size == f.bytes


def test_a_held_lock_stops_a_second_build(settings):
    store = AudioStore(settings.audio_dir)
    with store.lock(), pytest.raises(BuildLocked), store.lock(timeout=0.2):
        pass


# --- overlapping publishing with synthesis --------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "worker-processes"])
def test_synthesis_reports_each_sentence_once_it_is_cached(small_settings, jobs):
    from baclovoice.build.builder import Builder
    from baclovoice.build.synthesis import POOL_THRESHOLD, synthesize

    builder = Builder(small_settings.replace(engine="fake", jobs=jobs))
    keys = [k for k, _ in builder.plan("tiny").utterances()]
    jobs_ = {k: u.speech for k, u in builder.plan("tiny").utterances()}
    assert len(jobs_) >= POOL_THRESHOLD  # the worker-process path really runs
    heard: list[str] = []

    def on_cached(key: str) -> None:
        assert builder.store.sentence_info(key) is not None  # already in the cache
        heard.append(key)

    synthesize(jobs_, builder.store, builder.engine, builder.engines, jobs, on_cached=on_cached)
    assert sorted(heard) == sorted(set(keys))
    if jobs == 1:
        assert heard == list(jobs_)  # spoken in the order given


def test_reading_order_goes_section_by_section_longest_first():
    from baclovoice.build.builder import _reading_order

    class FakePlan:
        keys = (("a", "b"), ("c", "a", "d"))

    missing = {"a": "x", "b": "longer text", "c": "cc", "d": "dddd"}
    ordered = _reading_order([FakePlan()], missing)  # type: ignore[list-item]
    assert list(ordered) == ["b", "a", "d", "c"] and ordered == missing


def test_sections_are_published_as_soon_as_their_sentences_are_cached(fake_built, tmp_path):
    """Section 1 is rendered while section 2 still waits for a sentence, and the article
    published from those entries is the one a plain publish makes."""
    from baclovoice.build import publish
    from baclovoice.build.builder import Builder, SectionsAhead

    settings = copy_of(fake_built[0], tmp_path)
    builder = Builder(settings, force=True)
    plan = builder.plan("tiny")
    missing = set(plan.sentence_keys)
    with SectionsAhead(builder.publisher, [plan], [None], missing) as ahead:
        for key in plan.keys[0]:
            ahead.cached(key)
        assert set(ahead.sections(0)) == {0}  # section 2 waits for its own sentences
        for key in plan.keys[1]:
            ahead.cached(key)
        early = ahead.sections(0)
    assert set(early) == {0, 1}
    made = publish.publish_article(builder.publisher, plan, None, sections=early)
    assert made == publish.publish_article(builder.publisher, plan, None)
