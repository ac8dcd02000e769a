"""Size limits: refuse inputs too big to narrate, with a message, before any work is wasted.

A 20 MB page would queue hundreds of thousands of sentences and hours of
mastering; a limit in hours of speech says what is wrong in a listener's terms.
"""

from __future__ import annotations

from baclovoice.errors import ContentError, InputError
from baclovoice.models import Article

WORDS_PER_MINUTE = 150  # a typical narration pace, for the estimate only


def speech_hours(article: Article) -> float:
    """Estimated hours of narration: every displayed word at 150 words a minute."""
    texts = [article.title, *(s.title for s in article.sections)]
    texts += [b.text for s in article.sections for b in s.blocks]
    words = sum(len(text.split()) for text in texts)
    return words / WORDS_PER_MINUTE / 60


def check_length(article: Article, max_hours: float, where: str) -> None:
    """ContentError if the article would take more than ``max_hours`` to read aloud."""
    hours = speech_hours(article)
    if max_hours > 0 and hours > max_hours:
        raise ContentError(
            f"{where} would take about {hours:.1f} hours to read aloud "
            f"(the limit is {max_hours:g} hours).",
            "Split it into several articles, or raise the limit with --max-hours "
            "(BACLOVOICE_MAX_HOURS).",
        )


def check_size(size: int, max_mb: float, where: str) -> None:
    """InputError if a source of ``size`` bytes is over ``max_mb`` megabytes."""
    if max_mb > 0 and size > max_mb * 1_000_000:
        raise InputError(
            f"{where} is {size / 1e6:.1f} MB, over the {max_mb:g} MB limit.",
            "Save only the article (File > Save Page As… > HTML only), or raise the "
            "limit with --max-page-mb (BACLOVOICE_MAX_PAGE_MB).",
        )
