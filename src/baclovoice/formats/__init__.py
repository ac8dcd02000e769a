"""Downloads beyond the MP3s, built from a manifest and the files it names.

- ``epub``: the read-along book, EPUB 3 with Media Overlays (``book``: its XHTML,
  ``overlay``: its SMIL)
- ``m4b``: the audiobook, AAC with a chapter per section, made by the bundled ffmpeg

The builders are pure (bytes in, bytes out) apart from ``m4b`` running ffmpeg through
``audio.Ffmpeg``; the publish stage stores their output content-addressed.
"""

from baclovoice.formats.epub import EPUB_TYPE, BookInfo, book_contents, build_epub
from baclovoice.formats.m4b import build_m4b, chapters_of, tags_of

__all__ = [
    "EPUB_TYPE",
    "BookInfo",
    "book_contents",
    "build_epub",
    "build_m4b",
    "chapters_of",
    "tags_of",
]
