"""content.py: the content/ folder, importing txt/md/html, and the committed seed article."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest

from baclovoice.errors import ContentError, InputError, NotFound
from baclovoice.ingest.convert import clean_html, is_heading_line, markdown_to_html, text_to_html
from baclovoice.ingest.store import article_slugs as list_slugs
from baclovoice.ingest.store import default_slug, import_article, load_article, read_html
from baclovoice.ingest.walker import parse_article
from baclovoice.slugs import validate_slug
from tests.conftest import ROOT, SEED_SECTIONS, SEED_TEXT

COMMITTED = ROOT / "content" / "baclofen-for-anxiety.html"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, "utf-8")
    else:
        path.write_bytes(data)
    return path


# --- the seed article ----------------------------------------------------------------


def test_seed_import_gives_six_dated_sections(content_dir: Path) -> None:
    path = import_article(SEED_TEXT, content_dir)
    assert path == content_dir / "baclofen-for-anxiety.html"
    article = load_article(content_dir, "baclofen-for-anxiety")
    assert article.title == "Baclofen for Anxiety: Can It Help?"
    assert article.date == dt.date(2023, 4, 27)
    assert [s.title for s in article.sections] == SEED_SECTIONS
    assert all(len(s.blocks) >= 3 for s in article.sections)
    assert {b.kind for s in article.sections for b in s.blocks} == {"paragraph"}
    assert list_slugs(content_dir) == ["baclofen-for-anxiety"]


def test_committed_seed_article_is_what_import_produces_now(content_dir: Path) -> None:
    """Regression: re-run the import (e.g. `baclovoice import`) when this changes on purpose."""
    produced = import_article(SEED_TEXT, content_dir).read_text("utf-8")
    assert COMMITTED.read_text("utf-8") == produced


def test_committed_seed_article_loads() -> None:
    article = load_article(COMMITTED.parent, "baclofen-for-anxiety")
    assert [s.title for s in article.sections] == SEED_SECTIONS
    assert article.date == dt.date(2023, 4, 27)
    assert "baclofen-for-anxiety" in list_slugs(COMMITTED.parent)


# --- plain text ----------------------------------------------------------------------


def test_text_to_html_document_shape() -> None:
    html = text_to_html("My <Title> & Co\n\nApr, 27 2023\n\nA Heading\n\nSome text.\nMore text.\n")
    assert html == (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        "  <title>My &lt;Title&gt; &amp; Co</title>\n"
        "</head>\n"
        "<body>\n"
        "  <article>\n"
        "    <h1>My &lt;Title&gt; &amp; Co</h1>\n"
        '    <p><time datetime="2023-04-27">Apr, 27 2023</time></p>\n'
        "    <h2>A Heading</h2>\n"
        "    <p>Some text. More text.</p>\n"
        "  </article>\n"
        "</body>\n"
        "</html>\n"
    )


@pytest.mark.parametrize(
    ("text", "sections", "kinds"),
    [
        ("T\n\nIntro para.\n\nHead\n\nBody.", ["Introduction", "Head"], ["paragraph"] * 2),
        ("T\nNo blank line after title.", ["T"], ["paragraph"]),
        ("T\n\n- one\n- two\n\nAfter.", ["T"], ["list-item", "list-item", "paragraph"]),
        ("T\n\n1. one\n2) two", ["T"], ["list-item", "list-item"]),
        ("T\n\nHead one\n\nHead two\n\nBody.", ["Head one", "Head two"], ["paragraph"]),
        ("\ufeff\r\n  T  \r\n\r\nWindows  lines.\r\n", ["T"], ["paragraph"]),
    ],
)
def test_text_format(text: str, sections: list[str], kinds: list[str]) -> None:
    article = parse_article(text_to_html(text), "t")
    assert article.title == "T"
    assert [s.title for s in article.sections] == sections
    assert [b.kind for s in article.sections for b in s.blocks] == kinds


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Side Effects and Precautions", True),
        ("Baclofen's Potential for Treating Anxiety", True),
        ("A sentence.", False),
        ("Really?", False),
        ("Wow!", False),
        ("Note:", False),
        ("He said \u201cstop.\u201d", False),
        ("(see below.)", False),
        ("x" * 90, True),
        ("x" * 91, False),
        ("2023", False),
    ],
)
def test_is_heading_line(line: str, heading: bool) -> None:
    assert is_heading_line(line) is heading


def test_text_date_line_only_right_after_title() -> None:
    article = parse_article(text_to_html("T\n\nIntro.\n\nApr, 27 2023\n\nBody."), "t")
    assert article.date is None
    assert "Apr, 27 2023" in [b.text for s in article.sections for b in s.blocks] + [
        s.title for s in article.sections
    ]


def test_text_without_content_is_a_content_error() -> None:
    with pytest.raises(ContentError):
        text_to_html(" \n\n ")


# --- markdown and html ---------------------------------------------------------------


def test_markdown_fixture_imports(content_dir: Path) -> None:
    path = import_article(FIXTURES / "article.md", content_dir)
    assert path.name == "stretching-for-spasticity.html"
    article = load_article(content_dir, "stretching-for-spasticity")
    assert article.title == "Stretching for Spasticity: A Short Guide"
    assert article.date == dt.date(2024, 3, 3)
    assert [s.title for s in article.sections] == [
        "Introduction",
        "Before You Start",
        "A Simple Routine",
    ]
    kinds = [b.kind for b in article.sections[2].blocks]
    assert kinds == ["table-row", "table-row", "quote", "code", "image"]
    assert article.sections[1].blocks[0].text == "Talk to a physiotherapist first & ask about:"


def test_markdown_to_html_keeps_inline_markup() -> None:
    html = markdown_to_html("# T\n\nSome *em* and [a link](https://x.org/).\n")
    assert '<p>Some <em>em</em> and <a href="https://x.org/">a link</a>.</p>' in html


@pytest.mark.parametrize("name", ["page.html", "page.htm", "PAGE.HTML"])
def test_html_import_cleans_the_page(content_dir: Path, tmp_path: Path, name: str) -> None:
    source = shutil.copy(FIXTURES / "junk_page.html", tmp_path / name)
    path = import_article(Path(source), content_dir, slug="sleep")
    stored = path.read_text("utf-8")
    assert clean_html(stored) == stored
    for junk in (
        "<script",
        "<style",
        "<nav",
        "class=",
        "style=",
        "ADVERTISEMENT",
        "HIDDEN",
        "cookies",
        "newsletter",
        "Great post",
        "<aside",
        "<iframe",
    ):
        assert junk not in stored, junk
    original = parse_article((FIXTURES / "junk_page.html").read_text("utf-8"), "sleep")
    imported = load_article(content_dir, "sleep")
    assert [s.title for s in imported.sections] == [s.title for s in original.sections]
    # The extractor also drops the banner image above the text and the "Filed under" line.
    dropped = {"Image: A pill organiser on a bedside table", "Filed under Sleep."}
    expected = [b.text for s in original.sections for b in s.blocks if b.text not in dropped]
    assert [b.text for s in imported.sections for b in s.blocks] == expected


@pytest.mark.parametrize(
    "html",
    [
        markdown_to_html((FIXTURES / "article.md").read_text("utf-8")),
        "<h1>T</h1><p>a <b>b</b><i> c</i>d<br>e</p><ul><li>x<ol><li>y</li></ol></li></ul>",
        "<title>T</title><div>loose<br><br>two<pre>  keep\n   this</pre></div><p>end</p>",
        "<h1>T</h1><p><a href='javascript:alert(1)' onclick='x()'>j</a>"
        " <a href='/ok?a=b:c'>r</a></p>",
    ],
)
def test_clean_html_is_stable_and_reads_the_same(html: str) -> None:
    """A clean document is not run through the extractor: it reads exactly the same."""
    cleaned = clean_html(html)
    assert clean_html(cleaned) == cleaned
    assert parse_article(cleaned, "t") == parse_article(html, "t")
    assert "javascript:" not in cleaned and "onclick" not in cleaned


# --- the content folder --------------------------------------------------------------


def test_list_slugs(content_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("b-article.html", "a-article.html", "notes.txt", ".hidden.html", "Bad Name.html"):
        write(content_dir / name, "<h1>T</h1><p>x</p>")
    (content_dir / "folder.html").mkdir()
    with caplog.at_level(logging.WARNING, logger="baclovoice.ingest.store"):
        assert list_slugs(content_dir) == ["a-article", "b-article"]
    assert "Bad Name.html" in caplog.text and "bad-name" in caplog.text


def test_list_slugs_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_slugs(tmp_path / "nope") == []


@pytest.mark.parametrize("slug", ["missing", "../content/a", "A", ""])
def test_read_unknown_slug_is_not_found_with_known_slugs(content_dir: Path, slug: str) -> None:
    write(content_dir / "a.html", "<h1>T</h1><p>x</p>")
    write(content_dir / "b.html", "<h1>T</h1><p>x</p>")
    with pytest.raises(NotFound) as caught:
        read_html(content_dir, slug)
    assert repr(slug) in caught.value.message
    assert "a, b" in caught.value.hint


def test_read_in_an_empty_folder_says_how_to_add_one(content_dir: Path) -> None:
    with pytest.raises(NotFound) as caught:
        read_html(content_dir, "x")
    assert "import" in caught.value.hint


def test_read_html_rejects_non_utf8_with_offset(content_dir: Path) -> None:
    write(content_dir / "latin.html", "<h1>Café</h1><p>x</p>".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_html(content_dir, "latin")
    assert "latin.html" in caught.value.message
    assert "byte offset 7" in caught.value.message and "0xe9" in caught.value.message
    assert "UTF-8" in caught.value.hint


def test_read_html_accepts_a_byte_order_mark(content_dir: Path) -> None:
    write(content_dir / "bom.html", "\ufeff<h1>T</h1><p>x</p>".encode())
    assert read_html(content_dir, "bom").startswith("<h1>")


def test_load_article_passes_options(content_dir: Path) -> None:
    write(content_dir / "a.html", "<h1>T</h1><h2>A</h2><h3>B</h3><p>x</p><img alt='Dog'>")
    default = load_article(content_dir, "a")
    assert [s.title for s in default.sections] == ["A"]
    options = load_article(content_dir, "a", section_level=3, read_images=False)
    assert [s.title for s in options.sections] == ["A", "B"]
    assert [b.kind for b in options.sections[1].blocks] == ["paragraph"]


# --- import: slugs, errors, re-import ------------------------------------------------


@pytest.mark.parametrize(
    ("title", "stem", "slug"),
    [
        ("Baclofen for Anxiety: Can It Help?", "x", "baclofen-for-anxiety"),
        ("No Colon Here", "x", "no-colon-here"),
        (": Leading colon", "x", "leading-colon"),
        ("Тревога", "my_notes", "my-notes"),
        ("word " * 40, "x", ("word-" * 16)[:-1]),
    ],
)
def test_default_slug(title: str, stem: str, slug: str) -> None:
    assert default_slug(title, Path(f"{stem}.txt")) == slug


def test_default_slug_impossible_asks_for_one() -> None:
    with pytest.raises(InputError) as caught:
        default_slug("Тревога", Path("тревога.txt"))
    assert "slug" in caught.value.hint


@pytest.mark.parametrize("slug", ["my-article", "a", "2024-notes", "x1-y2"])
def test_valid_slugs(slug: str) -> None:
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [
        ("My Article", "my-article"),
        ("my_article", "my-article"),
        ("-lead", "lead"),
        ("trail-", "trail"),
        ("dou--ble", "dou-ble"),
        ("../etc", "etc"),
        ("", "my-article"),
        ("caf\u00e9", "cafe"),
    ],
)
def test_bad_slug_is_rejected_with_a_fix(tmp_path: Path, slug: str, suggestion: str) -> None:
    source = write(tmp_path / "a.txt", "Title\n\nBody.")
    with pytest.raises(InputError) as caught:
        import_article(source, tmp_path / "content", slug=slug)
    assert repr(slug) in caught.value.message
    assert repr(suggestion) in caught.value.hint
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize(
    ("name", "data", "error", "message", "hint"),
    [
        ("missing.txt", None, InputError, "does not exist", "path"),
        ("folder.txt", "dir", InputError, "not a file", ".txt"),
        ("notes.docx", "Title\n\nBody.", InputError, "unknown file type '.docx'", ".md"),
        ("noext", "Title\n\nBody.", InputError, "unknown file type '(none)'", ".html"),
        ("empty.txt", "", InputError, "is empty", "title"),
        ("blank.md", " \n\t\n", InputError, "is empty", "title"),
        ("latin.txt", "Caf\u00e9\n\nBody.".encode("latin-1"), InputError, "byte offset 3", "UTF-8"),
        ("untitled.md", "Just a paragraph.\n", ContentError, "no title", "# Title"),
        ("untitled.html", "<p>Just a paragraph.</p>", ContentError, "no title", "<h1>"),
        ("titleonly.html", "<h1>Only</h1>", ContentError, "no narratable text", "<p>"),
        ("titleonly.txt", "Only a title\n", ContentError, "no narratable text", "blank lines"),
        ("titleonly.md", "# Only a title\n", ContentError, "no narratable text", "# Title"),
    ],
)
def test_import_errors_say_what_where_and_how(
    tmp_path: Path,
    name: str,
    data: str | bytes | None,
    error: type[Exception],
    message: str,
    hint: str,
) -> None:
    source = tmp_path / name
    if data == "dir":
        source.mkdir()
    elif data is not None:
        write(source, data)
    with pytest.raises(error) as caught:
        import_article(source, tmp_path / "content")
    assert type(caught.value) is error
    assert name in caught.value.message  # type: ignore[attr-defined]
    assert message in caught.value.message  # type: ignore[attr-defined]
    assert hint in caught.value.hint  # type: ignore[attr-defined]
    assert not (tmp_path / "content").exists()


def test_reimport_replaces_and_logs(
    tmp_path: Path, content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = write(tmp_path / "a.txt", "Title\n\nFirst version.")
    path = import_article(source, content_dir, slug="a")
    with caplog.at_level(logging.INFO, logger="baclovoice.ingest.store"):
        import_article(source, content_dir, slug="a")
    assert "unchanged" in caplog.text
    write(source, "Title\n\nSecond version.")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="baclovoice.ingest.store"):
        assert import_article(source, content_dir, slug="a") == path
    assert "Replacing" in caplog.text
    assert "Second version." in path.read_text("utf-8")
    assert sorted(p.name for p in content_dir.iterdir()) == ["a.html"]  # no temp files left
