"""Main-content extraction: the article and nothing else, with its structure and metadata."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from baclovoice.ingest.convert import clean_html, is_plain
from baclovoice.ingest.extract import extract_article, is_credit
from baclovoice.ingest.walker import parse_article
from baclovoice.models import Article

HARD = Path(__file__).parents[1] / "fixtures" / "extraction" / "hard"
NEWS = (Path(__file__).parent / "fixtures" / "news_page.html").read_text("utf-8")
BODY = " ".join(
    f"Sentence {n} of the article says something long enough to be read as content."
    for n in range(8)
)


@pytest.fixture(scope="module")
def news() -> Article:
    return parse_article(clean_html(NEWS), "news")


def narrated(article: Article) -> str:
    return "\n".join(
        [article.title]
        + [s.title for s in article.sections]
        + [b.text for s in article.sections for b in s.blocks]
    )


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Chat with us in Facebook Messenger",
        "Share on Facebook",
        "Replay more videos",
        "16 videos",
        "CEO says earnings",
        "Clip of a CEO interview",
        "Photo by Jane Roe",
        "Oil prices slide",
        "All rights reserved",
        "Home",
        "By Grace Hopper",
    ],
)
def test_boilerplate_is_not_read(news: Article, boilerplate: str) -> None:
    assert boilerplate not in narrated(news)


def test_the_article_keeps_its_structure(news: Article) -> None:
    assert [s.title for s in news.sections] == ["Introduction", "What analysts say"]
    kinds = [(b.kind, b.text) for s in news.sections for b in s.blocks]
    assert ("paragraph", BODY) in kinds
    assert ("image", "Image: Line chart of the index rising through May") in kinds
    assert ("caption", "The index rose for a fifth week.") in kinds
    assert ("list-item", "Banks gained 3 percent over the week.") in kinds
    assert ("table-row", "Index: FTSE 100; Change: +1.2%") in kinds
    assert kinds[-1][1].startswith("The central bank meets again in June")


def test_metadata_prefers_the_page_own_words(news: Article) -> None:
    assert news.title == "Markets Rally as Rates Fall"  # the <h1>, not og:title
    assert news.author == "Grace Hopper, Alan Turing"  # JSON-LD, both authors
    assert news.date == dt.date(2024, 5, 17)
    assert news.language == "en-GB"
    assert news.description == "Stocks rose on Friday."
    assert news.site_name == "Business News"
    assert news.source_url == "https://news.example/markets-rally"


def test_a_shown_date_beats_the_markup_guess() -> None:
    page = NEWS.replace(
        '<div class="byline">',
        '<p><time datetime="2024-05-16" pubdate>May 16, 2024</time></p><div class="byline">',
    )
    assert parse_article(clean_html(page), "n").date == dt.date(2024, 5, 16)


def test_extraction_reports_what_it_found() -> None:
    found = extract_article(NEWS, "https://fallback.example/x")
    assert found.selected
    assert found.metadata.url == "https://news.example/markets-rally"
    assert found.metadata.date == dt.date(2024, 5, 17)


@pytest.mark.parametrize(
    ("caption", "credit"),
    [
        ("Photo by Jane Roe/Getty Images", True),
        ("Photo: AP Photo/Ted S. Warren", True),
        ("(Photo credit should read JOHN DOE/AFP via Getty Images)", True),
        ("Image: Shutterstock", True),
        ("The index rose for a fifth week.", False),
        ("Children play in the new park, which opened on Monday.", False),
    ],
)
def test_photo_credits(caption: str, credit: bool) -> None:
    assert is_credit(caption) is credit


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<h1>T</h1><p>x</p>", True),
        (clean_html("<h1>T</h1><p>x</p>"), True),
        ('<h1>T</h1><p class="lead">x</p>', False),
        ("<h1>T</h1><nav>menu</nav><p>x</p>", False),
        ("<h1>T</h1><script>x()</script><p>x</p>", False),
    ],
)
def test_only_web_pages_go_through_the_extractor(html: str, plain: bool) -> None:
    assert is_plain(html) is plain


@pytest.mark.parametrize("name", sorted(p.name for p in HARD.glob("*.html.gz")))
def test_pages_that_read_nothing_before_now_read_their_article(name: str) -> None:
    """Three of the development pages gave "no narratable text" in the first version."""
    snippets = json.loads((HARD / "snippets.json").read_text("utf-8"))[name.removesuffix(".gz")]
    html = gzip.decompress((HARD / name).read_bytes()).decode("utf-8", "replace")
    text = " ".join(narrated(parse_article(clean_html(html), "page")).split()).lower()
    for wanted in snippets["with"]:
        assert " ".join(wanted.split()).lower() in text, wanted
