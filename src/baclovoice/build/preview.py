"""What a build would narrate, as plain lines: for checking an import before synthesizing.

``preview_lines`` reads the same article and script the build reads (the same
size check too), so what it prints is exactly what the voice will be given.
"""

from __future__ import annotations

from collections.abc import Iterator

from baclovoice.ingest.limits import check_length
from baclovoice.ingest.store import load_article
from baclovoice.models import Article
from baclovoice.settings import Settings
from baclovoice.speech.lexicon import load_lexicon
from baclovoice.speech.script import SectionScript, narrate, published_line


def preview_lines(settings: Settings, slug: str, *, speech: bool = False) -> list[str]:
    """One line per block; a blank line between sections. ``speech``: the normalized text."""
    article = load_article(
        settings.content_dir,
        slug,
        section_level=settings.section_level,
        read_images=settings.read_images,
    )
    check_length(article, settings.max_hours, f"Article {slug!r}")
    if speech:
        scripts = narrate(article, load_lexicon(settings.lexicon_path))
        return _joined(_speech_blocks(script) for script in scripts)
    return _joined(_display_blocks(article, index) for index in range(len(article.sections)))


def _display_blocks(article: Article, index: int) -> Iterator[str]:
    section = article.sections[index]
    if index == 0:
        yield article.title
        if article.date:
            yield published_line(article)
    if not (index == 0 and section.title == article.title):
        yield section.title
    for block in section.blocks:
        yield from block.text.splitlines() if block.kind == "code" else [block.text]


def _speech_blocks(script: SectionScript) -> Iterator[str]:
    """Utterances of one element joined on one line, in order."""
    current, parts = "", list[str]()
    for utterance in script.utterances:
        if utterance.element_id != current and parts:
            yield " ".join(parts)
            parts = []
        current = utterance.element_id
        parts.append(utterance.speech)
    if parts:
        yield " ".join(parts)


def _joined(sections: Iterator[Iterator[str]]) -> list[str]:
    lines: list[str] = []
    for blocks in sections:
        if lines:
            lines.append("")
        lines.extend(line for line in blocks if line.strip())
    return lines
