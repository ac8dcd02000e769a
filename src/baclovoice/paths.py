"""The one table of public URL paths: web routes, feeds, chapters and the build use it.

Each ``Route`` is a Flask rule plus its endpoint name; ``path(**values)`` fills the
rule in (quoting each value), so code without a request (the build writing chapter
links, feed XML, a static export) makes exactly the URLs the web app answers.
These paths are a public contract: podcast apps and bookmarks rely on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

_VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    endpoint: str  # blueprint.function, for url_for
    rule: str  # Flask rule, e.g. "/articles/<slug>/sections/<int:number>.mp3"

    @property
    def view(self) -> str:
        """The view function's name (the endpoint inside its blueprint)."""
        return self.endpoint.rpartition(".")[2]

    def path(self, **values: Any) -> str:
        """The path for ``values``: ``SECTION_MP3.path(slug="a", number=2)``."""
        return _VARIABLE.sub(lambda m: quote(str(values[m[1]]), safe=""), self.rule)


INDEX = Route("pages.index", "/")
PLAYER = Route("pages.player", "/articles/<slug>/")
SECTION_MP3 = Route("media.section_audio", "/articles/<slug>/sections/<int:number>.mp3")
SECTION_VTT = Route("media.section_vtt", "/articles/<slug>/sections/<int:number>.vtt")
ARTICLE_MP3 = Route("feeds.article_mp3", "/articles/<slug>.mp3")
LIBRARY_FEED = Route("feeds.library_feed", "/feed.xml")
ARTICLE_FEED = Route("feeds.article_feed", "/articles/<slug>/feed.xml")
CHAPTERS = Route("feeds.chapters", "/articles/<slug>/chapters.json")
TRANSCRIPT_VTT = Route("feeds.transcript_vtt", "/articles/<slug>/transcript.vtt")
TRANSCRIPT_HTML = Route("feeds.transcript_html", "/articles/<slug>/transcript")
LIBRARY_COVER = Route("feeds.library_cover", "/cover.png")
ARTICLE_COVER = Route("feeds.article_cover", "/articles/<slug>/cover.png")
API_ARTICLES = Route("api.articles", "/api/articles")
API_ARTICLE = Route("api.article", "/api/articles/<slug>")
HEALTHZ = Route("api.healthz", "/healthz")
ARTICLE_EPUB = Route("downloads.article_epub", "/articles/<slug>.epub")
ARTICLE_M4B = Route("downloads.article_m4b", "/articles/<slug>.m4b")
OFFLINE_FILES = Route("offline.article_files", "/articles/<slug>/offline.json")
SERVICE_WORKER = Route("offline.service_worker", "/sw.js")
WEB_MANIFEST = Route("offline.web_manifest", "/manifest.webmanifest")
# The ingestion API and the pages to add articles: answered only with BACLOVOICE_API_TOKEN set.
API_ADD = Route("ingest.add_article", "/api/articles")  # POST
API_REPLACE = Route("ingest.replace_article", "/api/articles/<slug>")  # PUT
API_REMOVE = Route("ingest.remove_article", "/api/articles/<slug>")  # DELETE
API_JOB = Route("ingest.job", "/api/jobs/<job_id>")
ADD = Route("ingest.add_page", "/add")
JOB = Route("ingest.job_page", "/jobs/<job_id>")
LOGIN = Route("auth.login", "/login")
LOGOUT = Route("auth.logout", "/logout")

# Routes of the narration service: they write or sign in, so no static export has them.
SERVICE_ROUTES: tuple[Route, ...] = (
    API_ADD,
    API_REPLACE,
    API_REMOVE,
    API_JOB,
    ADD,
    JOB,
    LOGIN,
    LOGOUT,
)

ROUTES: tuple[Route, ...] = (
    INDEX,
    PLAYER,
    SECTION_MP3,
    SECTION_VTT,
    ARTICLE_MP3,
    LIBRARY_FEED,
    ARTICLE_FEED,
    CHAPTERS,
    TRANSCRIPT_VTT,
    TRANSCRIPT_HTML,
    LIBRARY_COVER,
    ARTICLE_COVER,
    API_ARTICLES,
    API_ARTICLE,
    HEALTHZ,
    ARTICLE_EPUB,
    ARTICLE_M4B,
    OFFLINE_FILES,
    SERVICE_WORKER,
    WEB_MANIFEST,
    *SERVICE_ROUTES,
)


def section_link(base_url: str, slug: str, section_id: str) -> str:
    """A section's heading on the player page: chapter links in MP3s and feeds."""
    return f"{base_url.rstrip('/')}{PLAYER.path(slug=slug)}#{section_id}"
