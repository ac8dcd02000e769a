"""Article → narration script: the sentences to speak per section, with pauses.

Pure. Piper adds no silence between sentences, so the pauses are decided here:
a short breath after a sentence, longer after a paragraph, longest around headings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from baclovoice.humanize import long_date
from baclovoice.models import Article, Block, Section, Utterance
from baclovoice.slugs import PUBLISHED_ID, TITLE_ID
from baclovoice.speech.lexicon import Lexicon
from baclovoice.speech.normalize import to_speech
from baclovoice.speech.sentences import split_long, split_sentences

SENTENCE_PAUSE = 0.3
PARAGRAPH_PAUSE = 0.6
HEADING_PAUSE = 0.9


@dataclass(frozen=True)
class SectionScript:
    section: Section
    utterances: tuple[Utterance, ...]


def published_line(article: Article) -> str:
    return f"Published {long_date(article.date)}" if article.date else ""


def _utterance(
    text: str, element_id: str, pause: float, lexicon: Lexicon, prefix: str = ""
) -> Utterance:
    spoken = to_speech(f"{prefix} {text}".strip(), lexicon)
    return Utterance(text=text, speech=spoken, element_id=element_id, pause_after=pause)


def _title_utterances(
    text: str, element_id: str, pause: float, lexicon: Lexicon
) -> list[Utterance]:
    """A title or heading, split like a sentence if it is absurdly long."""
    pieces = split_long(text, (0, len(text)))
    return [
        _utterance(text[a:b], element_id, pause if n == len(pieces) else SENTENCE_PAUSE, lexicon)
        for n, (a, b) in enumerate(pieces, start=1)
    ]


def _block_utterances(block: Block, lexicon: Lexicon) -> list[Utterance]:
    if block.kind == "heading":
        return [_utterance(block.text, block.id, HEADING_PAUSE, lexicon, block.announce)]
    sentences = split_sentences(block.text) or [(0, len(block.text))]
    spans = [piece for span in sentences for piece in split_long(block.text, span)]
    out = []
    for index, (start, end) in enumerate(spans):
        last = index == len(spans) - 1
        prefix = block.announce if index == 0 else ""
        pause = PARAGRAPH_PAUSE if last else SENTENCE_PAUSE
        out.append(_utterance(block.text[start:end], block.id, pause, lexicon, prefix))
    return out


def _with_heading_gaps(utterances: list[Utterance], heading_ids: set[str]) -> list[Utterance]:
    """Lengthen the pause before each heading so headings stand apart on both sides."""
    out = list(utterances)
    for i in range(len(out) - 1):
        if out[i + 1].element_id in heading_ids:
            out[i] = replace(out[i], pause_after=max(out[i].pause_after, HEADING_PAUSE))
    return out


def section_script(article: Article, index: int, lexicon: Lexicon) -> SectionScript:
    section = article.sections[index]
    utterances: list[Utterance] = []
    if index == 0:
        utterances.extend(_title_utterances(article.title, TITLE_ID, PARAGRAPH_PAUSE, lexicon))
        if article.date:
            line = published_line(article)
            utterances.append(_utterance(line, PUBLISHED_ID, HEADING_PAUSE, lexicon))
    if not (index == 0 and section.title == article.title):  # a title is spoken once
        utterances.extend(_title_utterances(section.title, section.id, HEADING_PAUSE, lexicon))
    for block in section.blocks:
        utterances.extend(_block_utterances(block, lexicon))
    headings = {section.id} | {b.id for b in section.blocks if b.kind == "heading"}
    spoken = [u for u in _with_heading_gaps(utterances, headings) if u.speech.strip()]
    return SectionScript(section=section, utterances=tuple(spoken))


def narrate(article: Article, lexicon: Lexicon) -> tuple[SectionScript, ...]:
    """The full narration script of an article, one entry per section."""
    return tuple(section_script(article, i, lexicon) for i in range(len(article.sections)))
