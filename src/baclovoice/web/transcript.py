"""The player page's transcript model; it lives in :mod:`baclovoice.transcript` so the
read-along book (``formats``) shares it without importing the web layer."""

from baclovoice.transcript import (
    ArticleView,
    BlockView,
    Group,
    Piece,
    SectionView,
    Span,
    article_view,
    section_spans,
    section_view,
    segment,
)

__all__ = [
    "ArticleView",
    "BlockView",
    "Group",
    "Piece",
    "SectionView",
    "Span",
    "article_view",
    "section_spans",
    "section_view",
    "segment",
]
