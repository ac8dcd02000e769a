"""Podcast routes: the feeds, the whole-article MP3, chapters, transcripts and cover art.

Everything served here was built beforehand (manifests, MP3s, cover PNGs); a request
only reads and serializes. Feeds, chapters and transcripts are revalidated by ETag
(304 when unchanged) and readable cross-origin, as web podcast players fetch them
from other sites.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, Response, render_template, request, send_file
from werkzeug.security import safe_join

from baclovoice import manifest, paths
from baclovoice.errors import NotFound
from baclovoice.models import Manifest
from baclovoice.podcast import feed
from baclovoice.podcast.chapters import CHAPTERS_TYPE, chapters_json
from baclovoice.podcast.vtt import VTT_TYPE, build_vtt, section_cues
from baclovoice.web import accel, ranges, urls
from baclovoice.web.context import web_state
from baclovoice.web.formatting import ascii_slug, language_tag
from baclovoice.web.media import send_audio
from baclovoice.web.transcript import article_view

bp = Blueprint("feeds", __name__)

RSS_MIMETYPE = "application/rss+xml"
LIBRARY_COVER = "cover.png"  # inside the audio folder, written by the build


@bp.after_request
def _cross_origin(response: Response) -> Response:
    """Feeds, chapters, transcripts and art are public: let web players fetch them."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _revalidated(response: Response) -> Response:
    """Always revalidate; an unchanged body answers 304 by its ETag."""
    response.cache_control.no_cache = True
    response.add_etag()
    response.make_conditional(request)
    return response


def _updated(manifests: Iterable[Manifest]) -> dt.datetime:
    """When the newest manifest was written: stable until a build changes something."""
    audio_dir = web_state().settings.audio_dir
    stamps = []
    for m in manifests:
        try:
            stamps.append(manifest.manifest_path(audio_dir, m.slug).stat().st_mtime)
        except FileNotFoundError:
            continue
    if not stamps:
        return dt.datetime.combine(feed.FALLBACK_DATE, feed.PUBLISH_TIME)
    return dt.datetime.fromtimestamp(int(max(stamps)), dt.UTC)


def _rss(body: bytes) -> Response:
    return _revalidated(Response(body, content_type=f"{RSS_MIMETYPE}; charset=utf-8"))


@bp.get(paths.LIBRARY_FEED.rule)
def library_feed() -> Response:
    manifests = list(web_state().library.snapshot().manifests.values())
    return _rss(feed.library_feed(manifests, urls.base_url(), _updated(manifests)))


@bp.get(paths.ARTICLE_FEED.rule)
def article_feed(slug: str) -> Response:
    m = web_state().library.get(slug)
    return _rss(feed.article_feed(m, urls.base_url(), _updated([m])))


@bp.get(paths.ARTICLE_MP3.rule)
def article_mp3(slug: str) -> Response:
    """The whole article in one MP3 with ID3 chapters: the library feed's enclosure."""
    m = web_state().library.get(slug)
    if m.full is None:
        raise NotFound(
            f"The article {m.title!r} has no whole-article MP3 yet.",
            f"Rebuild it: baclovoice build {slug}",
        )
    name = f"{ascii_slug(m.slug) or 'article'}.mp3"
    return send_audio(m.full, name, download=request.args.get("download") == "1")


@bp.get(paths.CHAPTERS.rule)
def chapters(slug: str) -> Response:
    m = web_state().library.get(slug)
    page = urls.base_url() + paths.PLAYER.path(slug=m.slug)
    body = json.dumps(chapters_json(m, page), ensure_ascii=False, indent=2)
    response = Response(body, content_type=f"{CHAPTERS_TYPE}; charset=utf-8")
    return _revalidated(response)


def article_vtt(m: Manifest) -> str:
    """Captions for the whole-article MP3: each section's cues shifted by its start."""
    return build_vtt(cue for s in m.sections for cue in section_cues(s, offset=s.start))


@bp.get(paths.TRANSCRIPT_VTT.rule)
def transcript_vtt(slug: str) -> Response:
    m = web_state().library.get(slug)
    return _revalidated(Response(article_vtt(m), content_type=f"{VTT_TYPE}; charset=utf-8"))


@bp.get(paths.TRANSCRIPT_HTML.rule)
def transcript_html(slug: str) -> Response:
    m = web_state().library.get(slug)
    html = render_template(
        "transcript.html",
        m=m,
        view=article_view(m),
        lang=language_tag(m.language),
        feed_path=paths.ARTICLE_FEED.path(slug=m.slug),
        vtt_path=paths.TRANSCRIPT_VTT.path(slug=m.slug),
    )
    return _revalidated(Response(html, mimetype="text/html"))


def _send_png(path: Path | None, what: str) -> Response:
    if path is None or not path.is_file():
        raise NotFound(f"The cover art of {what} has not been built.", "Run: baclovoice build")
    library = web_state().library
    ranged = ranges.apply(path.stat().st_size, offloaded=accel.enabled())
    response = send_file(path, mimetype="image/png", conditional=True, etag=True)
    return accel.offload(response, path.relative_to(library.audio_dir).as_posix(), ranged)


@bp.get(paths.LIBRARY_COVER.rule)
def library_cover() -> Response:
    # The library resolved the audio folder when the app was made: a relative setting
    # must not be resolved against Flask's root path by send_file.
    return _send_png(web_state().library.audio_dir / LIBRARY_COVER, "the library")


@bp.get(paths.ARTICLE_COVER.rule)
def article_cover(slug: str) -> Response:
    m = web_state().library.get(slug)
    if not m.cover:
        return library_cover()
    joined = safe_join(str(web_state().library.audio_dir), m.cover)
    return _send_png(Path(joined) if joined else None, f"the article {m.title!r}")
