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
from baclovoice.speech.sentences import MAX_SPOKEN, split_long, split_sentences

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


def _pieces(
    text: str, span: tuple[int, int], element_id: str, lexicon: Lexicon, prefix: str = ""
) -> list[Utterance]:
    """One sentence as utterances short enough to speak in bounded memory.

    Split by its display text first; a piece whose *spoken* form is still too long
    (numbers and symbols grow when spoken) is split again, down to single words.
    """
    out: list[Utterance] = []
    for start, end in split_long(text, span):
        piece = text[start:end]
        lead = "" if out else prefix  # an announcement goes before the first piece only
        utterance = _utterance(piece, element_id, SENTENCE_PAUSE, lexicon, lead)
        if len(utterance.speech) <= MAX_SPOKEN or " " not in piece.strip():
            out.append(utterance)
            continue
        for half in split_long(text, (start, end), max(len(piece) // 2, 1)):
            out += _pieces(text, half, element_id, lexicon, "" if out else prefix)
    return out


def _spoken(
    text: str,
    spans: list[tuple[int, int]],
    element_id: str,
    lexicon: Lexicon,
    pause: float,
    prefix: str = "",
) -> list[Utterance]:
    """Utterances of a block's sentences; the last one pauses ``pause``, the others less."""
    out: list[Utterance] = []
    for index, span in enumerate(spans):
        out += _pieces(text, span, element_id, lexicon, prefix if index == 0 else "")
    if out:
        out[-1] = replace(out[-1], pause_after=pause)
    return out


def _title_utterances(
    text: str, element_id: str, pause: float, lexicon: Lexicon
) -> list[Utterance]:
    """A title or heading: one utterance, split like a sentence if it is absurdly long."""
    return _spoken(text, [(0, len(text))], element_id, lexicon, pause)


def _block_utterances(block: Block, lexicon: Lexicon) -> list[Utterance]:
    if block.kind == "heading":
        whole = [(0, len(block.text))]
        return _spoken(block.text, whole, block.id, lexicon, HEADING_PAUSE, block.announce)
    sentences = split_sentences(block.text) or [(0, len(block.text))]
    out = []
    for index, span in enumerate(sentences):
        last = index == len(sentences) - 1
        pause = PARAGRAPH_PAUSE if last else SENTENCE_PAUSE
        prefix = block.announce if index == 0 else ""
        out += _spoken(block.text, [span], block.id, lexicon, pause, prefix)
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
