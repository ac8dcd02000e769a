"""Planning: which articles to build, and each one's narration with a cache key per sentence.

Pure apart from reading the article store: a ``Plan`` says everything the later
stages need (the article, its script, and the key every utterance is cached under)
without synthesizing or writing anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from baclovoice.build.store import sentence_key
from baclovoice.errors import InputError
from baclovoice.ingest import store as articles
from baclovoice.ingest.limits import check_length
from baclovoice.models import Article, Utterance
from baclovoice.settings import Settings
from baclovoice.speech.lexicon import Lexicon
from baclovoice.speech.script import SectionScript, narrate


@dataclass(frozen=True)
class Plan:
    """One article's narration with the cache key of every utterance."""

    article: Article
    scripts: tuple[SectionScript, ...]
    keys: tuple[tuple[str, ...], ...]  # per section, per utterance

    @property
    def sentence_keys(self) -> tuple[str, ...]:
        """Every distinct key, sorted: what the manifest records for gc."""
        return tuple(sorted({k for keys in self.keys for k in keys}))

    def utterances(self) -> Iterator[tuple[str, Utterance]]:
        """(key, utterance) for every utterance, in reading order."""
        for script, keys in zip(self.scripts, self.keys, strict=True):
            yield from zip(keys, script.utterances, strict=True)


def plan_article(
    settings: Settings, slug: str, lexicon: Lexicon, identity: Mapping[str, str]
) -> Plan:
    """Load ``slug`` from the article store and key each utterance for ``identity``."""
    article = articles.load_article(
        settings.content_dir,
        slug,
        section_level=settings.section_level,
        read_images=settings.read_images,
    )
    check_length(article, settings.max_hours, f"Article {slug!r}")
    scripts = narrate(article, lexicon)
    if not any(s.utterances for s in scripts):
        raise InputError(
            f"Article {slug!r} has nothing to read aloud.",
            f"Add paragraphs of text to {settings.content_dir / (slug + '.html')}.",
        )
    engine = dict(identity)
    keys = tuple(
        tuple(sentence_key(u.speech, engine, lexicon.digest) for u in s.utterances) for s in scripts
    )
    return Plan(article=article, scripts=scripts, keys=keys)


def resolve_slugs(settings: Settings, slugs: Sequence[str]) -> list[str]:
    """The requested slugs (validated) or every article in the content folder."""
    known = articles.article_slugs(settings.content_dir)
    if not slugs:
        if not known:
            raise InputError(
                f"No articles found in {settings.content_dir}.",
                "Import one first: baclovoice import article.txt",
            )
        return known
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise InputError(
            f"Unknown article(s): {', '.join(unknown)} (not in {settings.content_dir}).",
            f"Known articles: {', '.join(known) or 'none'}.",
        )
    return list(dict.fromkeys(slugs))
