"""parse.py: HTML string -> Article, one table per reading rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from baclovoice.errors import ContentError
from baclovoice.ingest.page import parse_date_text
from baclovoice.ingest.walker import image_text, parse_article
from baclovoice.models import BLOCK_KINDS, Article, Block
from baclovoice.slugs import slugify

FIXTURES = Path(__file__).parent / "fixtures"


def doc(body: str, head: str = "", lang: str = "en") -> str:
    return f"<!doctype html><html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


def parse(body: str, *, section_level: int = 2, read_images: bool = True) -> Article:
    html = doc(f"<article><h1>Title</h1>{body}</article>")
    return parse_article(html, "t", section_level=section_level, read_images=read_images)


def blocks(article: Article) -> list[Block]:
    return [block for section in article.sections for block in section.blocks]


def texts(article: Article) -> list[str]:
    return [block.text for block in blocks(article)]


def read(article: Article) -> str:
    """Everything a listener hears, as one string."""
    parts = [article.title]
    for section in article.sections:
        parts.append(section.title)
        parts += [f"{b.announce} {b.text}" for b in section.blocks]
    return " | ".join(parts)


# --- slugify and dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Baclofen's Potential for Treating Anxiety", "baclofens-potential-for-treating-anxiety"),
        ("Baclofen\u2019s Potential", "baclofens-potential"),
        ("Understanding Baclofen and Its Uses", "understanding-baclofen-and-its-uses"),
        ("  Side   Effects & Precautions!! ", "side-effects-precautions"),
        ("Café Crème: déjà vu", "cafe-creme-deja-vu"),
        ("COVID-19 (2020)", "covid-19-2020"),
        ("Тревога", ""),
        ("", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Apr, 27 2023", dt.date(2023, 4, 27)),
        ("April 27, 2023", dt.date(2023, 4, 27)),
        ("27 April 2023", dt.date(2023, 4, 27)),
        ("2023-04-27", dt.date(2023, 4, 27)),
        ("Published: March 3, 2024", dt.date(2024, 3, 3)),
        ("Understanding Baclofen and Its Uses", None),
        ("May", None),  # no year: a word, not a date
        ("2023", None),
        ("In 2023 we wrote a very long sentence about it.", None),
    ],
)
def test_parse_date_text(text: str, date: dt.date | None) -> None:
    assert parse_date_text(text) == date


# --- title, metadata -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "title"),
    [
        (doc("<article><h1>Plain</h1><p>x</p></article>"), "Plain"),
        (doc("<h1>Hi <script>alert('x')</script>there</h1><p>x</p>"), "Hi there"),
        (doc("<h1> Spaced &amp;&nbsp;escaped </h1><p>x</p>"), "Spaced & escaped"),
        (doc("<h1><em>Inline</em> title</h1><p>x</p>"), "Inline title"),
        (doc("<p>x</p>", "<title>Only Title | My Site</title>"), "Only Title"),
        (doc("<p>x</p>", "<title>Only Title - My Site</title>"), "Only Title"),
        (doc("<p>x</p>", "<title>Only Title \u2014 My Site</title>"), "Only Title"),
        (doc("<p>x</p>", "<title>No Suffix</title>"), "No Suffix"),
        (doc("<p>x</p>", "<title>T<script>bad()</script> | S</title>"), "T"),
        (doc("<h1> </h1><p>x</p>", "<title>Empty h1 falls back</title>"), "Empty h1 falls back"),
        (doc("<h1>Outside</h1><article><p>x</p></article>"), "Outside"),
        (doc("<header><h1>Site</h1></header><article><h1>Post</h1><p>x</p></article>"), "Post"),
    ],
)
def test_title(html: str, title: str) -> None:
    article = parse_article(html, "t")
    assert article.title == title
    assert title not in texts(article)  # the title is not read twice


@pytest.mark.parametrize(
    "html",
    [
        doc("<p>Text but no title anywhere.</p>"),
        doc("<h1></h1><p>x</p>", "<title> </title>"),
        doc("<h1 hidden>Hidden</h1><p>x</p>"),
    ],
)
def test_no_title_is_a_content_error(html: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_article(html, "my-slug")
    assert "'my-slug'" in caught.value.message and "title" in caught.value.message
    assert "<h1>" in caught.value.hint


@pytest.mark.parametrize(
    "html",
    [
        doc("<article><h1>T</h1></article>"),
        doc("<article><h1>T</h1><p> &nbsp; </p><div></div></article>"),
        doc("<h1>T</h1><p hidden>Hidden</p><script>var x = 'code';</script>"),
        doc("<h1>T</h1><nav>Menu</nav><div class='ad'>Buy</div>"),
        doc("<h1>T</h1><h2>Heading only</h2>"),
        doc("<article><h1>T</h1><p><time datetime='2020-01-02'>Jan 2, 2020</time></p></article>"),
        "",
    ],
)
def test_nothing_to_read_is_a_content_error(html: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_article(html, "empty")
    assert "'empty'" in caught.value.message
    assert caught.value.hint


PUBLISHED = "<meta property='article:published_time' content='2021-05-06T10:00:00Z'>"


@pytest.mark.parametrize(
    ("body", "head", "date", "read"),
    [
        ("<p><time datetime='2023-04-27'>Apr, 27 2023</time></p><p>x</p>", "", "2023-04-27", ["x"]),
        ("<p>x</p>", PUBLISHED, "2021-05-06", ["x"]),
        ("<p>May 6, 2021</p><p>x</p>", PUBLISHED, "2021-05-06", ["x"]),
        ("<p>Apr, 27 2023</p><p>x</p>", "", "2023-04-27", ["x"]),
        ("<p>Updated: 1 Feb 2022</p><p>x</p>", "", "2022-02-01", ["x"]),
        ("<p>x</p><p>May 2020 was hot.</p>", "", None, ["x", "May 2020 was hot."]),
        ("<p><time datetime='garbage'>soon</time></p><p>x</p>", "", None, ["soon", "x"]),
        (
            "<p>The trial ended in <time datetime='2019-03-01'>March 2019</time>.</p>",
            "",
            None,
            ["The trial ended in March 2019."],
        ),
        (
            "<p>It ended <time datetime='2019-03-01'>in March</time>.</p>"
            "<footer><time itemprop='datePublished' datetime='2024-01-02'>Jan 2</time></footer>",
            "",
            "2024-01-02",
            ["It ended in March."],
        ),
    ],
)
def test_date(body: str, head: str, date: str | None, read: list[str]) -> None:
    article = parse_article(doc(f"<article><h1>T</h1>{body}</article>", head), "t")
    assert (article.date.isoformat() if article.date else None) == date
    assert texts(article) == read  # the date line itself is not content


@pytest.mark.parametrize(
    ("body", "head", "author"),
    [
        ("<h1>T</h1><p>x</p>", "<meta name='author' content='Dana Reyes'>", "Dana Reyes"),
        ("<h1>T</h1><p>By <a rel='author' href='/d'>Dana Reyes</a></p><p>x</p>", "", "Dana Reyes"),
        (
            "<h1>T</h1><div itemprop='author' itemscope><span itemprop='name'>Ann Lee</span>"
            "</div><p>x</p>",
            "",
            "Ann Lee",
        ),
        ("<h1>T</h1><p class='byline'>By Sam Ortiz | Staff</p><p>x</p>", "", "Sam Ortiz"),
        (
            "<h1>T</h1><p>x</p>",
            "<meta property='article:author' content='https://fb.example/x'>",
            "",
        ),
        ("<h1>T</h1><p>x</p>", "", ""),
    ],
)
def test_author(body: str, head: str, author: str) -> None:
    article = parse_article(doc(body, head), "t")
    assert article.author == author
    assert texts(article) == ["x"]  # the byline line is not read


def test_meta_line_with_date_and_author_is_dropped_but_dated_sentences_stay() -> None:
    article = parse(
        "<div class='entry-meta'>Posted on <time datetime='2024-02-05'>February 5, 2024</time>"
        " by <a rel='author' href='/d'>Dana</a></div>"
        "<p>On <time datetime='2020-01-01'>New Year's Day</time> the law changed.</p>"
    )
    assert article.date == dt.date(2024, 2, 5)
    assert article.author == "Dana"
    assert texts(article) == ["On New Year's Day the law changed."]


@pytest.mark.parametrize(
    ("html", "language", "description"),
    [
        (doc("<h1>T</h1><p>x</p>", lang="fr"), "fr", ""),
        ("<html><body><h1>T</h1><p>x</p></body></html>", "en", ""),
        (doc("<article lang='de'><h1>T</h1><p>x</p></article>", lang="en"), "de", ""),
        (
            doc("<h1>T</h1><p>x</p>", "<meta name='description' content=' A  summary. '>"),
            "en",
            "A summary.",
        ),
        (doc("<h1>T</h1><p>x</p>", "<meta property='og:description' content='OG'>"), "en", "OG"),
    ],
)
def test_language_and_description(html: str, language: str, description: str) -> None:
    article = parse_article(html, "t")
    assert (article.language, article.description) == (language, description)


# --- what is dropped -----------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        "<script>SECRET()</script>",
        "<style>.x{content:'SECRET'}</style>",
        "<noscript><p>SECRET</p></noscript>",
        "<template><p>SECRET</p></template>",
        "<nav><a href='/'>SECRET</a></nav>",
        "<aside>SECRET</aside>",
        "<form><label>SECRET</label><input value='x'></form>",
        "<button>SECRET</button>",
        "<iframe>SECRET</iframe>",
        "<svg><text>SECRET</text></svg>",
        "<p hidden>SECRET</p>",
        "<div aria-hidden='true'>SECRET</div>",
        "<p style='display: none'>SECRET</p>",
        "<p style='color:red;DISPLAY:NONE'>SECRET</p>",
        "<span style='visibility:hidden'>SECRET</span>",
        "<!-- SECRET -->",
        "<div class='ad'>SECRET</div>",
        "<div class='ad-slot'>SECRET</div>",
        "<div class='ads'>SECRET</div>",
        "<div class='advert'>SECRET</div>",
        "<div class='promo-box'>SECRET</div>",
        "<div class='sponsored-content'>SECRET</div>",
        "<div class='share-buttons'>SECRET</div>",
        "<ul class='social_links'><li>SECRET</li></ul>",
        "<div class='newsletterSignup'>SECRET</div>",
        "<div id='cookie-consent'>SECRET</div>",
        "<section class='related-posts'><h2>SECRET</h2></section>",
        "<div id='comments'><h2>SECRET</h2><p>SECRET</p></div>",
        "<ol class='breadcrumb'><li>SECRET</li></ol>",
        "<div class='AdSense'>SECRET</div>",
        "<div role='navigation'>SECRET</div>",
        "<div role='complementary'>SECRET</div>",
    ],
)
def test_junk_is_not_read(junk: str) -> None:
    article = parse(f"<p>Before.</p>{junk}<p>After.</p>")
    assert "SECRET" not in read(article)
    assert texts(article) == ["Before.", "After."]


@pytest.mark.parametrize(
    "kept",
    [
        "<div class='header-image'>KEPT</div>",
        "<div class='shadow'>KEPT</div>",
        "<div class='badge'>KEPT</div>",
        "<div class='loader'>KEPT</div>",
        "<div class='thread'>KEPT</div>",
        "<div class='download-link'>KEPT</div>",
        "<div class='address'>KEPT</div>",
        "<div class='reading'>KEPT</div>",
        "<div class='sr-only'>KEPT</div>",
        "<p id='share-your-thoughts'>KEPT</p>",
        "<details><summary>KEPT</summary></details>",
        "<div class='entry-content has-share-buttons'><h1>KEPT</h1></div>",
    ],
)
def test_lookalikes_are_read(kept: str) -> None:
    article = parse(f"<p>Before.</p>{kept}<p>After.</p>")
    assert "KEPT" in read(article)


def test_article_with_boilerplate_looking_classes_is_still_the_root() -> None:
    html = doc(
        "<div class='sidebar'>Side</div>"
        "<article class='post tag-ads category-social'><h1>T</h1><p>Body.</p></article>"
    )
    assert texts(parse_article(html, "t")) == ["Body."]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<header><p>Site</p></header><article><h1>T</h1><p>A.</p></article><footer>F</footer>",
            ["A."],
        ),
        ("<main><h1>T</h1><p>M.</p></main><p>Outside main.</p>", ["M."]),
        (
            "<header><p>Banner</p></header><h1>T</h1><p>Body.</p><footer><p>Foot</p></footer>",
            ["Body."],
        ),
        (
            "<article><h1>T</h1><header><p>Dek.</p></header><p>A.</p>"
            "<footer><p>Tags.</p></footer></article>",
            ["Dek.", "A.", "Tags."],
        ),
        (
            "<article><p>Teaser.</p></article>"
            "<article><h1>T</h1><p>The long real article text.</p></article>",
            ["The long real article text."],
        ),
        ("<h1>T</h1><section><header><h3>Part</h3></header><p>S.</p></section>", ["Part", "S."]),
    ],
)
def test_root_and_page_furniture(body: str, expected: list[str]) -> None:
    assert texts(parse_article(doc(body), "t")) == expected


def test_fragment_without_html_or_body() -> None:
    article = parse_article("<title>Frag | S</title><p>One.</p><p>Two.</p>", "t")
    assert (article.title, texts(article)) == ("Frag", ["One.", "Two."])


# --- sections ------------------------------------------------------------------------


def sections(article: Article) -> list[tuple[str, str, int]]:
    return [(s.id, s.title, len(s.blocks)) for s in article.sections]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>a</p><h2>One</h2><p>b</p>", [("introduction", "Introduction", 1), ("one", "One", 1)]),
        ("<h2>One</h2><p>b</p><h2>Two</h2><p>c</p>", [("one", "One", 1), ("two", "Two", 1)]),
        ("<p>a</p><p>b</p>", [("title-2", "Title", 2)]),  # "title" is reserved
        (
            "<h2>Same</h2><p>a</p><h2>Same</h2><p>b</p><h2>Same</h2><p>c</p>",
            [("same", "Same", 1), ("same-2", "Same", 1), ("same-3", "Same", 1)],
        ),
        (
            "<h2>!!!</h2><p>a</p><h2>Тревога</h2><p>b</p>",
            [("section-1", "!!!", 1), ("section-2", "Тревога", 1)],
        ),
        (
            "<h2>Title</h2><p>a</p><h2>Published</h2><p>b</p>",
            [("title-2", "Title", 1), ("published-2", "Published", 1)],
        ),
        (
            "<p>a</p><h2>Introduction</h2><p>b</p>",
            [("introduction", "Introduction", 1), ("introduction-2", "Introduction", 1)],
        ),
        ("<h2>One</h2><h2>Two</h2><p>b</p>", [("one", "One", 0), ("two", "Two", 1)]),
        ("<h2> </h2><p>a</p>", [("title-2", "Title", 1)]),
        ("<h2>One</h2><p>a</p><h1>Big</h1><p>b</p>", [("one", "One", 1), ("big", "Big", 1)]),
        (
            "<h2>Why <em>this</em> matters</h2><p>a</p>",
            [("why-this-matters", "Why this matters", 1)],
        ),
    ],
)
def test_sections(body: str, expected: list[tuple[str, str, int]]) -> None:
    assert sections(parse(body)) == expected


def test_no_section_headings_gives_one_section_named_after_the_article() -> None:
    html = doc("<h1>Baclofen Basics</h1><p>a</p><h3>Small</h3><p>b</p>")
    article = parse_article(html, "t")
    assert sections(article) == [("baclofen-basics", "Baclofen Basics", 3)]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (2, [("a", "A", 4)]),
        (3, [("a", "A", 0), ("b", "B", 1), ("c", "C", 1)]),
        (1, [("title-2", "Title", 5)]),
    ],
)
def test_section_level(level: int, expected: list[tuple[str, str, int]]) -> None:
    article = parse("<h2>A</h2><h3>B</h3><p>b</p><h3>C</h3><p>c</p>", section_level=level)
    assert sections(article) == expected


def test_deeper_headings_are_blocks_with_their_level() -> None:
    article = parse("<h2>A</h2><p>a</p><h3>Sub</h3><p>b</p><h4>Subsub</h4><h6>Tiny</h6>")
    headings = [(b.text, b.level) for b in blocks(article) if b.kind == "heading"]
    assert headings == [("Sub", 3), ("Subsub", 4), ("Tiny", 6)]


# --- blocks --------------------------------------------------------------------------


def shape(article: Article) -> list[tuple[str, str, str]]:
    return [(b.kind, b.text, b.announce) for b in blocks(article)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # paragraphs and inline content
        (
            "<p>Hello <a href='#'>link</a>, <em>em</em> and <strong>strong</strong>.</p>",
            [("paragraph", "Hello link, em and strong.", "")],
        ),
        ("<p>line one<br>line two</p>", [("paragraph", "line one line two", "")]),
        ("<p>x<sup>2</sup> and H<sub>2</sub>O</p>", [("paragraph", "x2 and H2O", "")]),
        ("<p>Note<sup><a href='#fn1'>1</a></sup> here.</p>", [("paragraph", "Note here.", "")]),
        (
            "<p>  lots \n\t of   space&nbsp;&nbsp;here </p>",
            [("paragraph", "lots of space here", "")],
        ),
        (
            "<p>&ldquo;Quotes&rdquo; &amp; &mdash; &#8217; &#x2014; &eacute;</p>",
            [("paragraph", "\u201cQuotes\u201d & \u2014 \u2019 \u2014 \u00e9", "")],
        ),
        ("<p>soft\u00adhyphen zero\u200bwidth</p>", [("paragraph", "softhyphen zerowidth", "")]),
        ("<p><span>a</span><span>b</span> c</p>", [("paragraph", "ab c", "")]),
        ("<p></p><p> </p><p><span></span></p>", []),
        (
            "<div>Loose <b>text</b><p>para</p>tail</div>",
            [("paragraph", "Loose text", ""), ("paragraph", "para", ""), ("paragraph", "tail", "")],
        ),
        (
            "<div>one<br><br>two<br> <br><br>three</div>",
            [("paragraph", "one", ""), ("paragraph", "two", ""), ("paragraph", "three", "")],
        ),
        (
            "<div><div><div><section><p>deep</p></section></div></div></div>",
            [("paragraph", "deep", "")],
        ),
        (
            "<p>junk <div>block in p</div></p>",
            [("paragraph", "junk", ""), ("paragraph", "block in p", "")],
        ),
        ("<p>a<script>evil()</script>b</p>", [("paragraph", "ab", "")]),
        ("<my-widget>custom <b>inline</b></my-widget>", [("paragraph", "custom inline", "")]),
        ("<hr>", []),
        # lists
        (
            "<ul><li>a</li><li>b</li><li>c</li></ul>",
            [("list-item", "a", "List, 3 items."), ("list-item", "b", ""), ("list-item", "c", "")],
        ),
        ("<ol><li>only</li></ol>", [("list-item", "only", "Numbered list, 1 item.")]),
        (
            "<ul><li>a<ul><li>a1</li><li>a2<ol><li>deep</li></ol></li></ul></li><li>b</li></ul>",
            [
                ("list-item", "a", "List, 2 items."),
                ("list-item", "a1", "List, 2 items."),
                ("list-item", "a2", ""),
                ("list-item", "deep", "Numbered list, 1 item."),
                ("list-item", "b", ""),
            ],
        ),
        (
            "<ul><li><p>para</p><p>inside</p></li><li></li></ul>",
            [("list-item", "para inside", "List, 1 item.")],
        ),
        ("<ul><div><li>wrapped</li></div></ul>", [("list-item", "wrapped", "List, 1 item.")]),
        (
            "<dl><dt>Dose</dt><dd>5 mg</dd><dt>Term</dt><dt>Alone</dt></dl>",
            [
                ("list-item", "Dose: 5 mg", "List, 3 items."),
                ("list-item", "Term", ""),
                ("list-item", "Alone", ""),
            ],
        ),
        # tables
        (
            "<table><tr><th>Drug</th><th>Dose</th></tr><tr><td>A</td><td>5 mg</td></tr>"
            "<tr><td>B</td><td></td></tr></table>",
            [("table-row", "Drug: A; Dose: 5 mg", "Table, 2 rows."), ("table-row", "Drug: B", "")],
        ),
        (
            "<table><caption>Doses.</caption><thead><tr><td>Drug</td><td>Dose</td></tr></thead>"
            "<tbody><tr><td>A</td><td>1</td></tr></tbody></table>",
            [("table-row", "Drug: A; Dose: 1", "Table, 1 row: Doses.")],
        ),
        (
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
            [("table-row", "a; b", "Table, 2 rows."), ("table-row", "c; d", "")],
        ),
        (
            "<table><tr><th>Mon</th><td>rest</td><td>walk</td></tr><tr><th>Tue</th><td>run</td></tr></table>",
            [("table-row", "Mon: rest; walk", "Table, 2 rows."), ("table-row", "Tue: run", "")],
        ),
        (
            "<table><tr><td><p>Layout cell.</p></td></tr></table>",
            [("paragraph", "Layout cell.", "")],
        ),
        (
            "<table role='presentation'><tr><td>L1</td><td>L2</td></tr></table>",
            [("paragraph", "L1", ""), ("paragraph", "L2", "")],
        ),
        (
            "<table><tr><td><table><tr><td>in</td><td>ner</td></tr></table></td></tr></table>",
            [("table-row", "in; ner", "Table, 1 row.")],
        ),
        ("<table><tr><th>A</th><th>B</th></tr></table>", [("table-row", "A; B", "Table, 1 row.")]),
        ("<table><caption>Empty</caption><tr><td> </td><td></td></tr></table>", []),
        # images
        (
            "<p><img src='x.png' alt='A chart of doses'></p>",
            [("image", "Image: A chart of doses", "")],
        ),
        (
            "<p>Text <img alt='inline icon of a pill'> more.</p>",
            [("paragraph", "Text more.", ""), ("image", "Image: inline icon of a pill", "")],
        ),
        (
            "<img src='x.png'><img alt=''><img alt=' '><img alt='image'><img alt='IMG_0042.JPG'>"
            "<img alt='Decor' role='presentation'><img alt='pixel' width='1' height='1'>",
            [],
        ),
        # quotes, figures, code
        (
            "<blockquote><p>One.</p><p>Two.</p></blockquote><p>After.</p>",
            [("quote", "One.", "Quotation."), ("quote", "Two.", ""), ("paragraph", "After.", "")],
        ),
        (
            "<blockquote>Loose quote <em>text</em>.</blockquote>",
            [("quote", "Loose quote text.", "Quotation.")],
        ),
        (
            "<blockquote><ul><li>q</li></ul></blockquote>",
            [("list-item", "q", "Quotation. List, 1 item.")],
        ),
        (
            "<blockquote><h2>Not a section</h2><p>q</p></blockquote>",
            [("quote", "Not a section", "Quotation."), ("quote", "q", "")],
        ),
        ("<blockquote></blockquote><p>After.</p>", [("paragraph", "After.", "")]),
        (
            "<figure><img alt='Pills'><figcaption>Figure 1: <em>pills</em>.</figcaption></figure>",
            [("image", "Image: Pills", ""), ("caption", "Figure 1: pills.", "")],
        ),
        ("<pre>def f():\n    return 1   \n</pre>", [("code", "def f():\n    return 1", "")]),
        ("<pre><code>\n\n  x = 1\n</code></pre>", [("code", "  x = 1", "")]),
        ("<p>Use <code>ls -l</code> here.</p>", [("paragraph", "Use ls -l here.", "")]),
    ],
)
def test_blocks(body: str, expected: list[tuple[str, str, str]]) -> None:
    article = parse_article(doc(f"<article><h1>T</h1>{body}<p>end</p></article>"), "t")
    got = shape(article)
    assert got[-1] == ("paragraph", "end", "")
    assert got[:-1] == expected


def test_images_can_be_skipped() -> None:
    body = "<p>a</p><figure><img alt='A chart'><figcaption>Cap</figcaption></figure>"
    assert [b.kind for b in blocks(parse(body))] == ["paragraph", "image", "caption"]
    assert [b.kind for b in blocks(parse(body, read_images=False))] == ["paragraph", "caption"]


@pytest.mark.parametrize(
    ("img", "text"),
    [
        ("<img alt='A dog'>", "Image: A dog"),
        ("<img alt='  Two\n words '>", "Image: Two words"),
        ("<img alt=''>", ""),
        ("<img>", ""),
        ("<img alt='photo'>", ""),
        ("<img alt='chart.png'>", ""),
        ("<img alt='---'>", ""),
        ("<img alt='A dog' role='none'>", ""),
    ],
)
def test_image_text(img: str, text: str) -> None:
    from bs4 import BeautifulSoup

    tag = BeautifulSoup(img, "html.parser").img
    assert tag is not None
    assert image_text(tag) == text


# --- ids -----------------------------------------------------------------------------


def all_ids(article: Article) -> list[str]:
    return [s.id for s in article.sections] + [b.id for b in blocks(article)]


def test_block_ids_are_positional_and_typed() -> None:
    article = parse(
        "<p>i</p><h2>Sec</h2><p>a</p><ul><li>x</li></ul><p>b</p><h3>h</h3>"
        "<table><tr><td>1</td><td>2</td></tr></table><blockquote>q</blockquote>"
        "<figure><img alt='Pills'><figcaption>c</figcaption></figure><pre>code</pre>"
    )
    assert all_ids(article) == [
        "introduction",
        "sec",
        "introduction-p1",
        "sec-p1",
        "sec-li1",
        "sec-p2",
        "sec-h1",
        "sec-tr1",
        "sec-q1",
        "sec-img1",
        "sec-cap1",
        "sec-pre1",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "<h2>Foo</h2><p>a</p><p>b</p><h2>Foo p1</h2><p>c</p><h2>Foo p2</h2><p>d</p>",
        "<h2>Title</h2><p>a</p><h2>Published</h2><p>b</p><h2>Title</h2><p>c</p>",
        "<h2>A</h2><p>a</p><h2>A-2</h2><p>b</p><h2>A</h2><p>c</p><h2>A p1</h2><p>d</p>",
        "<h2>Section 1</h2><p>a</p><h2>!!</h2><p>b</p><h2>?</h2><p>c</p>",
    ],
)
def test_ids_are_unique_never_reserved_and_deterministic(body: str) -> None:
    article = parse(body)
    ids = all_ids(article)
    assert len(ids) == len(set(ids))
    assert not {"title", "published", ""} & set(ids)
    assert all(i == i.lower() and " " not in i for i in ids)
    assert parse(body) == article


# --- the realistic fixture -----------------------------------------------------------


def test_junk_page_fixture() -> None:
    article = parse_article((FIXTURES / "junk_page.html").read_text("utf-8"), "junk")
    assert article.title == "Muscle Relaxants & Sleep \u2013 What We Know"
    assert (article.date, article.author) == (dt.date(2024, 2, 5), "Dana Reyes")
    assert (article.language, article.description) == (
        "en-US",
        "A short look at muscle relaxants and sleep.",
    )
    assert sections(article) == [
        ("introduction", "Introduction", 3),
        ("how-they-work", "How They Work", 9),
        ("effects-on-sleep", "Effects on Sleep", 4),
        ("effects-on-sleep-2", "Effects on Sleep", 2),
    ]
    heard = read(article)
    for junk in (
        "ADVERTISEMENT",
        "SCRIPT",
        "STYLE",
        "JSON",
        "HIDDEN",
        "NOSCRIPT",
        "cookies",
        "Share",
        "newsletter",
        "comments",
        "Related",
        "Sidebar",
        "Home",
        "2024 Health",
        "Posted on",
    ):
        assert junk not in heard, junk
    assert "Image: A pill organiser on a bedside table" in heard  # "header-image" is content
    assert "Drug: Baclofen; Dose: 5 mg three times a day" in heard
    assert "Some text sits in nested divs." in heard
    assert all(block.kind in BLOCK_KINDS and block.text for block in blocks(article))
