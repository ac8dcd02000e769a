"""Every input builds or fails cleanly: one row per bad input the issue measured.

Fast tier: parsing and scripting only (no synthesis), except the 256+ section
build, which uses the fake engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from baclovoice.errors import ContentError, InputError
from baclovoice.ingest.convert import clean_html
from baclovoice.ingest.store import import_article, prepare_article
from baclovoice.ingest.walker import parse_article
from baclovoice.models import Article
from baclovoice.slugs import MAX_ID, validate_slug
from baclovoice.speech.lexicon import Lexicon
from baclovoice.speech.script import narrate
from baclovoice.speech.sentences import MAX_SPOKEN, MAX_UTTERANCE

LEXICON = Lexicon((), "")


def article(body: str, title: str = "T") -> Article:
    return parse_article(f"<h1>{title}</h1>{body}", "t")


def spoken(a: Article) -> list[str]:
    return [u.speech for script in narrate(a, LEXICON) for u in script.utterances]


def texts(a: Article) -> list[str]:
    return [b.text for s in a.sections for b in s.blocks]


# --- long utterances ----------------------------------------------------------------

UNPUNCTUATED = " ".join(f"word{n % 97} and" for n in range(750))  # 1,500 words, no stops


@pytest.mark.parametrize(
    "paragraph",
    [
        UNPUNCTUATED,
        ", ".join(["a clause of several words"] * 300),  # commas only
        "x" * 2000,  # one 2,000-letter "word"
    ],
    ids=["unpunctuated", "clauses", "one-long-word"],
)
def test_long_paragraphs_are_split_into_short_utterances(paragraph: str) -> None:
    a = article(f"<p>{paragraph}</p>")
    utterances = [u for script in narrate(a, LEXICON) for u in script.utterances]
    body = [u for u in utterances if u.element_id.endswith("-p1")]
    assert len(body) > 1
    assert max(len(u.text) for u in body) <= MAX_UTTERANCE
    assert "".join(u.text for u in body).replace(" ", "") == paragraph.replace(" ", "")


def test_clauses_are_preferred_to_words() -> None:
    paragraph = ", ".join(["a clause of several words"] * 300)
    a = article(f"<p>{paragraph}</p>")
    pieces = [u.text for s in narrate(a, LEXICON) for u in s.utterances][2:-1]
    assert all(piece.endswith(",") for piece in pieces)


def test_an_80_word_heading_is_spoken_in_pieces_and_gets_a_short_id() -> None:
    heading = " ".join(f"long{n}" for n in range(80))
    a = article(f"<p>intro</p><h2>{heading}</h2><p>x</p><h2>{heading} two</h2><p>y</p>")
    ids = [s.id for s in a.sections]
    assert all(len(i) <= MAX_ID for i in ids) and len(set(ids)) == 3
    assert all(len(b.id) <= MAX_ID + 4 for s in a.sections for b in s.blocks)
    utterances = [u for script in narrate(a, LEXICON) for u in script.utterances]
    assert max(len(u.text) for u in utterances) <= MAX_UTTERANCE


def test_an_overlong_slug_is_refused_with_a_shorter_example() -> None:
    with pytest.raises(InputError, match="at most 100 characters"):
        validate_slug("a" * 101)


# --- ids, titles, images, math ------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("BV Play", "s-bv-play"),
        ("bv-seek", "s-bv-seek"),
        ("Title", "title-2"),
        ("Published", "published-2"),
        ("Ordinary", "ordinary"),
    ],
)
def test_ids_that_could_collide_with_the_page_are_reserved(heading: str, expected: str) -> None:
    a = article(f"<p>intro</p><h2>{heading}</h2><p>x</p>")
    assert a.sections[1].id == expected
    assert all(not b.id.startswith("bv-") for s in a.sections for b in s.blocks)


def test_a_heading_that_is_only_an_image_uses_its_alt_text() -> None:
    a = article('<h2>One</h2><p>a</p><h2><img src="r.png" alt="Results"></h2><p>b</p>')
    assert [(s.title, texts_of(s)) for s in a.sections] == [("One", ["a"]), ("Results", ["b"])]
    stored = clean_html('<h1>T</h1><h2>One</h2><p>a</p><h2><img src="r.png" alt="Results"></h2>')
    assert [s.title for s in parse_article(stored, "t").sections] == ["One", "Results"]


def texts_of(section) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.text for b in section.blocks]


@pytest.mark.parametrize(
    ("math", "display", "speech"),
    [
        (
            "<math><mi>x</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac></math>",
            "x = 1/2",
            "x equals one half",
        ),
        ('<math alttext="E equals m c squared"><mi>E</mi></math>', "E equals m c squared", None),
        (
            "<math><msup><mi>x</mi><mn>2</mn></msup><mo>−</mo><msqrt><mi>y</mi></msqrt></math>",
            "x squared minus the square root of y",
            None,
        ),
    ],
)
def test_mathml_is_read_as_math(math: str, display: str, speech: str | None) -> None:
    for html in (f"<h1>T</h1><p>Then {math}.</p>", clean_html(f"<h1>T</h1><p>Then {math}.</p>")):
        a = parse_article(html, "t")
        assert texts(a) == [f"Then {display}."]
        assert "twelve" not in " ".join(spoken(a))
        if speech:
            assert speech in " ".join(spoken(a))


def test_an_article_without_headings_speaks_its_title_once() -> None:
    a = article("<p>Only text.</p>", title="The Title")
    assert spoken(a).count("The Title") == 1
    b = article("<p>Intro.</p><h2>Part</h2><p>More.</p>", title="The Title")
    assert spoken(b).count("The Title") == 1


# --- characters ---------------------------------------------------------------------


def test_control_characters_are_removed_everywhere() -> None:
    source = "<title>T\x07</title><h1>T\x1b</h1><p>red \x1b[31mtext\x07 here</p><pre>a\x07b</pre>"
    stored = clean_html(source)
    assert "\x1b" not in stored and "\x07" not in stored
    a = parse_article(source, "t")
    assert texts(a) == ["red [31mtext here", "ab"]
    assert a.title == "T"
    assert all("\x1b" not in s and "\x07" not in s for s in spoken(a))


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("gave the &amp;#39;official&amp;#39; apology", "gave the 'official' apology"),
        ("&amp;quot;quoted&amp;quot;", '"quoted"'),
        ("fish &amp;amp; chips", "fish & chips"),
        ("5 &lt; 6", "5 < 6"),  # escaped once, as it should be: unchanged
    ],
)
def test_text_that_arrives_still_escaped_is_unescaped_once(source: str, text: str) -> None:
    a = article(f"<p>{source}</p>")
    assert texts(a) == [text]
    assert "number" not in " ".join(spoken(a))


def test_code_keeps_its_entities() -> None:
    assert texts(article("<pre>&amp;lt;b&amp;gt;</pre>")) == ["&lt;b&gt;"]


@pytest.mark.parametrize(
    "href",
    [
        "jav&#x09;ascript:alert(1)",
        "java&#x0A;script:alert(1)",
        "java&#x0D;script:alert(1)",
        " &#x01;javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:msgbox",
    ],
)
def test_the_url_scheme_check_strips_tabs_and_newlines_first(href: str) -> None:
    for body in (f'<p><a href="{href}">x</a> y</p>', f'<pre><a href="{href}">x</a></pre>'):
        stored = clean_html(f"<h1>T</h1>{body}")
        assert "href" not in stored, stored


# --- size and structure limits ------------------------------------------------------


def test_an_article_over_the_time_limit_is_refused_at_import(tmp_path: Path) -> None:
    source = tmp_path / "long.txt"
    source.write_text("Long\n\n" + "word " * 10_000, encoding="utf-8")  # about 67 minutes
    with pytest.raises(ContentError, match=r"about 1\.1 hours.*limit is 1 hours") as err:
        import_article(source, tmp_path / "content", max_hours=1)
    assert "--max-hours" in err.value.hint
    assert not (tmp_path / "content").exists()
    assert import_article(source, tmp_path / "content", max_hours=2).is_file()


def test_a_source_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    source = tmp_path / "big.html"
    source.write_bytes(b"<h1>T</h1>" + b"<p>x</p>" * 200_000)  # 1.6 MB
    with pytest.raises(InputError, match=r"1\.6 MB, over the 1 MB limit") as err:
        import_article(source, tmp_path / "content", max_page_mb=1)
    assert "--max-page-mb" in err.value.hint


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("html", "   ", "is empty"),
        ("html", "<title>T</title><nav>menu</nav>", "no narratable text"),
        ("text", "Title only", "no narratable text"),
        ("pdf", "x", "Unknown source kind"),
    ],
)
def test_prepare_article_gives_the_cli_messages(kind: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        prepare_article(text, kind, "the upload")


@pytest.mark.parametrize(
    "body",
    [
        "<p>" + " ".join(["1,234,567"] * 60) + "</p>",  # numbers grow when spoken
        "<h3>" + " ".join(f"long{n}" for n in range(80)) + "</h3>",  # a sub-heading
        "<ul><li>" + " ".join(["$12.50"] * 80) + "</li></ul>",  # with an announcement
    ],
    ids=["numbers", "sub-heading", "list-item"],
)
def test_the_spoken_text_is_capped_too(body: str) -> None:
    utterances = [u for s in narrate(article(body), LEXICON) for u in s.utterances]
    assert len(utterances) > 3
    assert max(len(u.speech) for u in utterances) <= MAX_SPOKEN + 40  # the announcement
