"""Pure helpers behind the page text, file names and captions."""

from __future__ import annotations

import datetime as dt

import pytest

from baclovoice import humanize
from baclovoice.podcast.vtt import vtt_timestamp
from baclovoice.web import formatting
from baclovoice.web.transcript import Span, segment


@pytest.mark.parametrize(
    ("seconds", "short", "long"),
    [
        (0, "0 s", "0 seconds"),
        (0.4, "0 s", "0 seconds"),
        (1, "1 s", "1 second"),
        (45.2, "45 s", "45 seconds"),
        (60, "1 min", "1 minute"),
        (100, "1 min 40 s", "1 minute 40 seconds"),
        (243, "4 min 3 s", "4 minutes 3 seconds"),
        (600, "10 min", "10 minutes"),
        (3723, "1 h 2 min 3 s", "1 hour 2 minutes 3 seconds"),
        (7200, "2 h", "2 hours"),
    ],
)
def test_durations(seconds: float, short: str, long: str) -> None:
    assert formatting.duration_short(seconds) == short
    assert formatting.duration_long(seconds) == long


def test_position_text_reads_like_speech() -> None:
    assert formatting.position_text(243, 600) == "4 minutes 3 seconds of 10 minutes"


@pytest.mark.parametrize(
    ("size", "expected"),
    [(512, "512 bytes"), (24_493, "24 kB"), (999_499, "999 kB"), (1_234_567, "1.2 MB")],
)
def test_file_size(size: int, expected: str) -> None:
    assert formatting.file_size(size) == expected


@pytest.mark.parametrize(
    ("slug", "number", "count", "title", "expected"),
    [
        (
            "baclofen-for-anxiety",
            1,
            6,
            "Understanding Baclofen and Its Uses",
            "baclofen-for-anxiety-01-understanding-baclofen-and-its-uses.mp3",
        ),
        ("a", 3, 120, "Baclofen's Potential", "a-003-baclofens-potential.mp3"),
        ("cafe", 2, 2, "Café — naïve “quotes” / ../etc", "cafe-02-cafe-naive-quotes-etc.mp3"),
        ("x", 1, 1, "日本語", "x-01.mp3"),
    ],
)
def test_download_name_is_readable_ascii(
    slug: str, number: int, count: int, title: str, expected: str
) -> None:
    name = formatting.download_name(slug, number, count, title)
    assert name == expected
    assert name.isascii() and "/" not in name


def test_ascii_slug_cuts_at_a_word() -> None:
    slug = formatting.ascii_slug("word " * 30, max_length=22)
    assert slug == "word-word-word-word"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "00:00:00.000"),
        (1.5, "00:00:01.500"),
        (62.0004, "00:01:02.000"),
        (3723.25, "01:02:03.250"),
    ],
)
def test_vtt_timestamp(seconds: float, expected: str) -> None:
    assert vtt_timestamp(seconds) == expected


def test_long_date_and_language_tag() -> None:
    assert humanize.long_date(dt.date(2023, 4, 7)) == "April 7, 2023"
    assert formatting.language_tag("en_US") == "en-US"
    assert formatting.language_tag("") == "en"


def span(text: str, n: int = 1) -> Span:
    return Span(f"bv-s1-{n}", text, float(n), float(n) + 1)


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("One. Two.", [span("One."), span("Two.", 2)], [span("One."), " ", span("Two.", 2)]),
        # whitespace on the page may differ from the spoken sentence's
        ("A  b.\nC.", [span("A b."), span("C.", 2)], [span("A  b."), "\n", span("C.", 2)]),
        # a spoken-only announcement is not on the page: no span, text untouched
        ("Hi there.", [span("Quotation."), span("Hi there.", 2)], [span("Hi there.", 2)]),
        ("No timing.", [], ["No timing."]),
        ("Lead. Tail", [span("Lead.")], [span("Lead."), " Tail"]),
    ],
)
def test_segment_wraps_each_sentence_once(
    text: str, spans: list[Span], expected: list[object]
) -> None:
    pieces = segment(text, spans)
    assert list(pieces) == expected
    assert "".join(p if isinstance(p, str) else p.text for p in pieces) == text
