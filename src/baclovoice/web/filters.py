"""Jinja filters and globals: formatting helpers and the transcript's sentence spans."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from markupsafe import Markup, escape

from baclovoice import humanize
from baclovoice.web import formatting, urls
from baclovoice.web.transcript import Piece, Span


def span_html(span: Span, inner: Markup | str | None = None) -> Markup:
    """A timed sentence: read-along code finds it by id and its data-start (a sentence ends
    where the next starts; exact ends are in the JSON API and the WebVTT captions)."""
    content = escape(span.text) if inner is None else escape(inner)
    return Markup(f'<span id="{escape(span.id)}" data-start="{span.start:.3f}">{content}</span>')


def pieces_html(pieces: Iterable[Piece]) -> Markup:
    """Plain text escaped, sentences wrapped in their spans, nothing else added."""
    return Markup("").join(
        span_html(piece) if isinstance(piece, Span) else escape(piece) for piece in pieces
    )


def register(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        pieces=pieces_html,
        duration_short=formatting.duration_short,
        duration_long=formatting.duration_long,
        clock=humanize.clock,
        file_size=formatting.file_size,
        long_date=humanize.long_date,
        engine_label=formatting.engine_label,
        language_tag=formatting.language_tag,
        podcast_url=formatting.podcast_url,
    )
    app.jinja_env.globals.update(
        span_html=span_html,
        position_text=formatting.position_text,
        static_url=urls.static_url,
        article_url=urls.article_url,
        article_api_url=urls.article_api_url,
        article_audio_url=urls.article_audio_url,
        article_cover_url=urls.article_cover_url,
        article_epub_url=urls.article_epub_url,
        article_m4b_url=urls.article_m4b_url,
        offline_files_url=urls.offline_files_url,
        article_feed_url=urls.article_feed_url,
        library_feed_url=urls.library_feed_url,
        section_audio_url=urls.section_audio_url,
        section_vtt_url=urls.section_vtt_url,
    )
