"""Every URL the pages, the JSON API and the feeds link to is built here.

Audio URLs carry ``?v=<content hash>``: the address changes when the bytes do,
so browsers may cache a section forever (see ``media.send_audio``). Absolute
URLs start from ``BACLOVOICE_BASE_URL`` when it is set, else the request's host.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from baclovoice.models import AudioFile, Manifest, SectionEntry
from baclovoice.web.context import web_state

# A URL that carries its content hash never changes: browsers may keep it a year.
IMMUTABLE_MAX_AGE = 365 * 24 * 3600


def audio_version(audio: AudioFile) -> str:
    """The short content hash that makes an audio URL content-addressed ("" if unknown)."""
    return audio.sha256[:16]


def base_url() -> str:
    """Public URL prefix: BACLOVOICE_BASE_URL when set, else the host that was asked."""
    return web_state().settings.base_url.rstrip("/") or request.url_root.rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for feeds and the API, honouring the configured public base URL."""
    return base_url() + url_for(endpoint, **values).removeprefix(request.script_root)


def _url(endpoint: str, external: bool, **values: Any) -> str:
    return external_url(endpoint, **values) if external else url_for(endpoint, **values)


def article_url(manifest: Manifest, external: bool = False) -> str:
    return _url("pages.player", external, slug=manifest.slug)


def section_anchor_url(manifest: Manifest, section: SectionEntry, external: bool = False) -> str:
    """The section's heading on the player page (chapter links point here)."""
    return article_url(manifest, external) + "#" + section.id


def section_audio_url(
    manifest: Manifest, section: SectionEntry, download: bool = False, external: bool = False
) -> str:
    values: dict[str, Any] = {"slug": manifest.slug, "number": section.number}
    if version := audio_version(section.audio):
        values["v"] = version
    if download:
        values["download"] = 1
    return _url("media.section_audio", external, **values)


def section_vtt_url(manifest: Manifest, section: SectionEntry, external: bool = False) -> str:
    return _url("media.section_vtt", external, slug=manifest.slug, number=section.number)


def article_audio_url(manifest: Manifest, download: bool = False, external: bool = False) -> str:
    """The whole-article MP3 (the library feed's enclosure); "" before a build made one."""
    if manifest.full is None:
        return ""
    values: dict[str, Any] = {"slug": manifest.slug}
    if version := audio_version(manifest.full):
        values["v"] = version
    if download:
        values["download"] = 1
    return _url("feeds.article_mp3", external, **values)


def article_epub_url(manifest: Manifest, download: bool = True, external: bool = False) -> str:
    """The read-along book (EPUB 3); "" before a build made one."""
    return _download_url("downloads.article_epub", manifest, manifest.epub, download, external)


def article_m4b_url(manifest: Manifest, download: bool = True, external: bool = False) -> str:
    """The audiobook (M4B); "" before a build made one."""
    return _download_url("downloads.article_m4b", manifest, manifest.m4b, download, external)


def _download_url(
    endpoint: str, manifest: Manifest, file: AudioFile | None, download: bool, external: bool
) -> str:
    if file is None:
        return ""
    values: dict[str, Any] = {"slug": manifest.slug, "v": audio_version(file)}
    if download:
        values["download"] = 1
    return _url(endpoint, external, **values)


def offline_files_url(manifest: Manifest) -> str:
    """What the service worker saves for listening to this article offline."""
    return url_for("offline.article_files", slug=manifest.slug)


def library_feed_url(external: bool = False) -> str:
    return _url("feeds.library_feed", external)


def article_feed_url(manifest: Manifest, external: bool = False) -> str:
    """The serial feed of one article: one episode per section."""
    return _url("feeds.article_feed", external, slug=manifest.slug)


def article_cover_url(manifest: Manifest) -> str:
    """The article's cover art, "" when the build has not made one."""
    return url_for("feeds.article_cover", slug=manifest.slug) if manifest.cover else ""


def article_api_url(manifest: Manifest, external: bool = False) -> str:
    return _url("api.article", external, slug=manifest.slug)


def static_url(filename: str) -> str:
    """A static file's URL, versioned by its content so it can be cached for a year."""
    version = web_state().static_versions.get(filename)
    if version:
        return url_for("static", filename=filename, v=version)
    return url_for("static", filename=filename)
