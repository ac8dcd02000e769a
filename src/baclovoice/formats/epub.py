"""The read-along book: EPUB 3 with Media Overlays, from a manifest and its published files.

Pure: ``build_epub`` takes the manifest, a reader for the files it names (section MP3s,
cover art) and the moment to stamp, and returns the book's bytes. The section MP3s go
in unchanged, so the book sounds exactly like the player page. Reading systems with
Media Overlays (Thorium Reader, Apple Books, ...) highlight each sentence as it is
read, at the reader's own size, colours and speed; the package declares what makes
the book accessible (EPUB Accessibility 1.1), so catalogues and readers can tell.

Layout inside the zip::

    mimetype                      application/epub+zip (first, stored)
    META-INF/container.xml
    EPUB/package.opf              metadata, manifest, spine
    EPUB/nav.xhtml                table of contents, landmarks
    EPUB/book.css
    EPUB/cover.png
    EPUB/text/NN.xhtml            one per section
    EPUB/smil/NN.smil             its Media Overlay
    EPUB/audio/NN.mp3             its narration
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from baclovoice.formats import book
from baclovoice.formats.overlay import (
    SMIL_TYPE,
    Clip,
    clock_value,
    overlay_duration,
    section_clips,
    smil,
)
from baclovoice.models import Manifest
from baclovoice.transcript import article_view

EPUB_TYPE = "application/epub+zip"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
ROOT = "EPUB"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"

Reader = Callable[[str], bytes]  # a published file's bytes by its path in the audio folder


@dataclass(frozen=True)
class BookInfo:
    """What the book says about itself beyond the manifest."""

    identifier: str  # stable across editions: "urn:uuid:..."
    modified: dt.datetime  # when this edition was made (dcterms:modified)
    publisher: str = "baclovoice"


def _name(number: int) -> str:
    return f"{number:02d}"


def voice_notice(manifest: Manifest) -> str:
    return (
        f"Narrated by a synthetic voice, {manifest.voice} ({manifest.engine}); "
        "it may mispronounce some words."
    )


def narrator(manifest: Manifest) -> str:
    return f"{manifest.voice}, a synthetic voice ({manifest.engine})"


def _summary(manifest: Manifest) -> str:
    return (
        "The full text of the article with its narration by a synthetic voice, synchronized "
        "sentence by sentence (Media Overlays): reading systems that support them highlight "
        "each sentence as it is read. Headings, lists and a table of contents give the "
        "structure; images and tables are described in the text and read aloud. No fixed "
        "layout: text size, fonts and colours follow the reader's settings. "
        f"Narrated by {narrator(manifest)}, which may mispronounce some words."
    )


def _accessibility(manifest: Manifest) -> list[tuple[str, str]]:
    """schema.org and EPUB Accessibility 1.1 metadata, as (property, value) pairs."""
    features = (
        "synchronizedAudioText",
        "structuralNavigation",
        "readingOrder",
        "tableOfContents",
        "displayTransformability",
    )
    return [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "auditory"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessModeSufficient", "auditory"),
        ("schema:accessModeSufficient", "textual,auditory"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", _summary(manifest)),
        ("dcterms:conformsTo", CONFORMS_TO),
        ("a11y:certifiedBy", "baclovoice (automated: EPUBCheck and this build's own checks)"),
    ]


def _package(
    manifest: Manifest,
    info: BookInfo,
    durations: list[float],
    items: list[tuple[str, str, str, str]],
    spine: list[str],
) -> bytes:
    """package.opf; ``items`` are (id, href, media type, properties or media-overlay)."""
    opf = etree.Element(f"{{{OPF_NS}}}package", nsmap={None: OPF_NS})
    opf.set("version", "3.0")
    opf.set("unique-identifier", "pub-id")
    opf.set(book.XML_LANG, book.language_of(manifest))
    meta = etree.SubElement(opf, f"{{{OPF_NS}}}metadata", nsmap={"dc": DC_NS})

    def dc(tag: str, text: str, **attrs: str) -> None:
        etree.SubElement(meta, f"{{{DC_NS}}}{tag}", **attrs).text = text

    def prop(name: str, text: str, refines: str = "") -> None:
        element = etree.SubElement(meta, f"{{{OPF_NS}}}meta", property=name)
        if refines:
            element.set("refines", refines)
        element.text = text

    dc("identifier", info.identifier, id="pub-id")
    dc("title", manifest.title)
    dc("language", book.language_of(manifest))
    if manifest.author:
        dc("creator", manifest.author, id="author")
    if manifest.date:
        dc("date", manifest.date.isoformat())
    if manifest.description:
        dc("description", manifest.description)
    dc("publisher", info.publisher)
    modified = info.modified.astimezone(dt.UTC).replace(microsecond=0)
    prop("dcterms:modified", modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for name, value in _accessibility(manifest):
        prop(name, value)
    prop("media:narrator", narrator(manifest))
    prop("media:active-class", book.ACTIVE_CLASS)
    prop("media:playback-active-class", book.PLAYING_CLASS)
    for number, seconds in enumerate(durations, start=1):
        prop("media:duration", clock_value(seconds), refines=f"#mo-{_name(number)}")
    prop("media:duration", clock_value(sum(durations)))

    listing = etree.SubElement(opf, f"{{{OPF_NS}}}manifest")
    for item_id, href, media_type, extra in items:
        item = etree.SubElement(listing, f"{{{OPF_NS}}}item", id=item_id, href=href)
        item.set("media-type", media_type)
        if extra.startswith("mo-"):
            item.set("media-overlay", extra)
        elif extra:
            item.set("properties", extra)
    order = etree.SubElement(opf, f"{{{OPF_NS}}}spine")
    for idref in spine:
        etree.SubElement(order, f"{{{OPF_NS}}}itemref", idref=idref)
    return etree.tostring(opf, xml_declaration=True, encoding="UTF-8", pretty_print=True)


CONTAINER = f"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="{CONTAINER_NS}">
  <rootfiles>
    <rootfile full-path="{ROOT}/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
""".encode()


@dataclass(frozen=True)
class Contents:
    """Every file of the book by its path inside ``EPUB/``, and each section's clips."""

    files: dict[str, bytes]
    clips: tuple[tuple[Clip, ...], ...]


def book_contents(manifest: Manifest, read: Reader, info: BookInfo) -> Contents:
    """The book's files (without the zip): what ``build_epub`` packs and tests inspect."""
    view = article_view(manifest)
    language = book.language_of(manifest)
    files: dict[str, bytes] = {"book.css": book.STYLESHEET.encode("utf-8")}
    items = [("nav", "nav.xhtml", book.XHTML_TYPE, "nav"), ("css", "book.css", "text/css", "")]
    if manifest.cover:
        files["cover.png"] = read(manifest.cover)
        items.append(("cover", "cover.png", "image/png", "cover-image"))
    spine, nav, clips, durations = [], [], [], []
    for section in view.sections:
        entry, name = section.entry, _name(section.entry.number)
        document = book.section_document(
            view, section, language, "../book.css", voice_notice(manifest)
        )
        section_clips_ = section_clips(entry, document.ids)
        files[f"text/{name}.xhtml"] = document.xhtml
        files[f"smil/{name}.smil"] = smil(
            section_clips_, f"../text/{name}.xhtml", f"../audio/{name}.mp3"
        )
        files[f"audio/{name}.mp3"] = read(entry.audio.file)
        items += [
            (f"s-{name}", f"text/{name}.xhtml", book.XHTML_TYPE, f"mo-{name}"),
            (f"mo-{name}", f"smil/{name}.smil", SMIL_TYPE, ""),
            (f"a-{name}", f"audio/{name}.mp3", "audio/mpeg", ""),
        ]
        spine.append(f"s-{name}")
        href = f"text/{name}.xhtml" if entry.number == 1 else f"text/{name}.xhtml#{entry.id}"
        nav.append(book.NavEntry(entry.title, href))
        clips.append(section_clips_)
        durations.append(overlay_duration(section_clips_))
    files["nav.xhtml"] = book.nav_document(
        manifest.title, language, nav, "book.css", "text/01.xhtml"
    )
    files["package.opf"] = _package(manifest, info, durations, items, spine)
    return Contents(files, tuple(clips))


def build_epub(manifest: Manifest, read: Reader, info: BookInfo) -> bytes:
    """The EPUB file: ``mimetype`` first and stored, media stored, markup deflated."""
    contents = book_contents(manifest, read, info)
    stamp = info.modified.astimezone(dt.UTC).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "mimetype", EPUB_TYPE.encode("ascii"), stamp, zipfile.ZIP_STORED)
        _add(archive, "META-INF/container.xml", CONTAINER, stamp, zipfile.ZIP_DEFLATED)
        for path, data in contents.files.items():
            packed = path.endswith((".mp3", ".png"))  # already compressed
            method = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            _add(archive, f"{ROOT}/{path}", data, stamp, method)
    return out.getvalue()


def _add(
    archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...], method: int
) -> None:
    entry = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    entry.compress_type = method
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data)
