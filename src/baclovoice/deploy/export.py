"""``baclovoice export DIR --base-url URL``: the whole site as files for any static host.

Every URL the server answers for the library (pages, assets, API JSON, feeds,
chapters, captions, transcripts, covers, audio) becomes a file whose path is the
URL's path, so the URLs stay exactly those of ``paths.py``:

* a path ending in ``/`` is stored as ``index.html`` inside it;
* a path without an extension as ``<path>.json`` (the API, ``/healthz``) or
  ``<path>.html`` (the transcript page): hosts with "pretty URLs" and nginx's
  ``try_files $uri $uri.html $uri.json`` find them;
* a query string is not part of the file: ``?v=<hash>`` only busts caches and
  static hosts ignore it, so the app's versioned URLs work unchanged.

Nothing is rendered here: each URL is requested from the Flask app itself (its
test client, with the public base URL as host and script root). Published audio
and covers are copied from the file the app names (its X-Accel-Redirect), never
read through Python. Re-exporting rewrites only files whose bytes changed and
removes files of articles that are gone; ``.baclovoice-export.json`` records
what the export owns, so nothing else in the folder is ever deleted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from flask import Flask
from werkzeug.test import TestResponse

from baclovoice import paths
from baclovoice.deploy.nginx import DOWNLOADS_MAP, check_base_url
from baclovoice.errors import InputError, NotFound
from baclovoice.fsutil import atomic_copy, atomic_write_bytes, atomic_write_text, check_dir
from baclovoice.models import AudioFile, Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.accel import ACCEL_HEADER, ACCEL_PREFIX
from baclovoice.web.context import EXTENSION, WebState
from baclovoice.web.feeds import LIBRARY_COVER

log = logging.getLogger(__name__)

RECORD = ".baclovoice-export.json"
NOT_FOUND_PAGE = "404.html"
MISSING_URL = "/.baclovoice-export-missing-page"
JSON_PATHS = ("api/", "healthz")


@dataclass
class ExportReport:
    """What an export did: files written (new or changed), left alone, and removed."""

    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.written) + self.unchanged


def file_for(url_path: str) -> str:
    """The export's file for a URL path (without query): see the module docstring."""
    path = unquote(url_path).lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    if "." in PurePosixPath(path).name:
        return path
    return path + (".json" if path.startswith(JSON_PATHS) else ".html")


def site_paths(
    manifests: Iterable[Manifest], library_cover: bool, static_names: Iterable[str]
) -> list[str]:
    """Every URL path the server answers for this library, from the one path table."""
    found = [paths.INDEX.path(), paths.LIBRARY_FEED.path(), paths.API_ARTICLES.path()]
    found += [paths.HEALTHZ.path(), paths.SERVICE_WORKER.path(), paths.WEB_MANIFEST.path()]
    if library_cover:
        found.append(paths.LIBRARY_COVER.path())
    for m in manifests:
        found += [
            route.path(slug=m.slug)
            for route in (
                paths.PLAYER,
                paths.ARTICLE_FEED,
                paths.CHAPTERS,
                paths.TRANSCRIPT_VTT,
                paths.TRANSCRIPT_HTML,
                paths.API_ARTICLE,
                paths.OFFLINE_FILES,
            )
        ]
        found += [route.path(slug=m.slug) for route, f in downloads(m) if f is not None]
        if m.cover or library_cover:  # an article without its own shows the library's
            found.append(paths.ARTICLE_COVER.path(slug=m.slug))
        if m.full is not None:
            found.append(paths.ARTICLE_MP3.path(slug=m.slug))
        for s in m.sections:
            found.append(paths.SECTION_MP3.path(slug=m.slug, number=s.number))
            found.append(paths.SECTION_VTT.path(slug=m.slug, number=s.number))
    found += ["/static/" + quote(name) for name in sorted(static_names)]
    return found


def downloads(m: Manifest) -> tuple[tuple[paths.Route, AudioFile | None], ...]:
    """The read-along book and the audiobook, with their files (None: not built)."""
    return ((paths.ARTICLE_EPUB, m.epub), (paths.ARTICLE_M4B, m.m4b))


def download_paths(manifests: Iterable[Manifest]) -> Iterator[str]:
    """The MP3 URLs that also answer ``?download=1`` with an attachment name."""
    for m in manifests:
        if m.full is not None:
            yield paths.ARTICLE_MP3.path(slug=m.slug)
        for s in m.sections:
            yield paths.SECTION_MP3.path(slug=m.slug, number=s.number)


class _Exporter:
    def __init__(self, app: Flask, folder: Path, base_url: str) -> None:
        self.client = app.test_client()
        self.state: WebState = app.extensions[EXTENSION]
        self.folder = folder
        self.base = base_url + "/"
        self.report = ExportReport(folder)
        self.owned: set[str] = set()

    def get(self, url: str, expected: int = 200) -> TestResponse:
        response = self.client.get(url, base_url=self.base)
        if response.status_code != expected:
            response.close()
            raise NotFound(
                f"{url} answered {response.status_code} while exporting, not {expected}.",
                "Rebuild the library (baclovoice build), then export again.",
            )
        return response

    def put_bytes(self, relative: str, data: bytes) -> None:
        target = self.folder / relative
        self.owned.add(relative)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                self.report.unchanged += 1
                return
        except FileNotFoundError:
            pass
        atomic_write_bytes(target, data)
        self.report.written.append(relative)

    def put_copy(self, relative: str, source: Path) -> None:
        target = self.folder / relative
        self.owned.add(relative)
        wanted = source.stat()
        try:
            have = target.stat()
            if have.st_size == wanted.st_size and have.st_mtime_ns == wanted.st_mtime_ns:
                self.report.unchanged += 1
                return
        except FileNotFoundError:
            pass
        atomic_copy(source, target)
        self.report.written.append(relative)

    def export_url(self, url: str) -> None:
        with self.get(url) as response:
            accel = response.headers.get(ACCEL_HEADER)
            if accel:  # a published file: copy the one the app chose
                source = self.state.library.audio_dir / unquote(accel.removeprefix(ACCEL_PREFIX))
                self.put_copy(file_for(url), source)
            else:
                self.put_bytes(file_for(url), response.get_data())

    def downloads_map(self, urls: Iterable[str]) -> str:
        """nginx map lines: ``"1:<url>" "<Content-Disposition>";`` for each MP3."""
        prefix = urlsplit(self.base).path.rstrip("/")
        lines = []
        for url in urls:
            with self.get(url + "?download=1") as response:
                disposition = response.headers.get("Content-Disposition", "")
            if disposition and not any(c in disposition for c in '"\\$'):
                lines.append(f'"1:{prefix}{url}" "{disposition}";\n')
        return "".join(lines)


def _checked_folder(folder: Path) -> dict[str, list[str]]:
    """The previous export's record; a non-empty folder that is not an export is refused."""
    if not check_dir(folder, "export folder"):
        return {"files": []}
    record = folder / RECORD
    if record.is_file():
        try:
            data: dict[str, list[str]] = json.loads(record.read_text(encoding="utf-8"))
            return data
        except ValueError:
            log.warning("Ignoring the unreadable export record %s", record)
            return {"files": []}
    if any(folder.iterdir()):
        raise InputError(
            f"{folder} is not empty and holds no baclovoice export.",
            "Export into a new or empty folder (an export may remove files it made earlier).",
        )
    return {"files": []}


def _remove_stale(folder: Path, stale: Iterable[str]) -> list[str]:
    removed = []
    for relative in sorted(stale):
        path = folder / relative
        if path.is_file():
            path.unlink()
            removed.append(relative)
        for parent in path.parents:
            if parent == folder or not parent.is_relative_to(folder):
                break
            try:
                parent.rmdir()  # only empty folders
            except OSError:
                break
    return removed


def export_site(settings: Settings, folder: Path, base_url: str) -> ExportReport:
    """Write (or bring up to date) a static copy of the site into ``folder``."""
    base = check_base_url(base_url)
    previous = _checked_folder(folder)
    app = create_app(settings.replace(base_url=base, accel_redirect=True, trusted_hosts=""))
    exporter = _Exporter(app, folder, base)
    snapshot = exporter.state.library.snapshot()
    if snapshot.errors:
        raise next(iter(snapshot.errors.values()))
    manifests = list(snapshot.manifests.values())
    if not manifests:
        raise InputError(
            f"Nothing to export: no article has been built in {settings.audio_dir}.",
            "Build first: baclovoice build",
        )
    cover = (exporter.state.library.audio_dir / LIBRARY_COVER).is_file()
    for url in site_paths(manifests, cover, exporter.state.static_versions):
        exporter.export_url(url)
    with exporter.get(MISSING_URL, expected=404) as response:
        exporter.put_bytes(NOT_FOUND_PAGE, response.get_data())
    exporter.put_bytes(DOWNLOADS_MAP, exporter.downloads_map(download_paths(manifests)).encode())
    report = exporter.report
    report.removed = _remove_stale(folder, set(previous.get("files", [])) - exporter.owned)
    record = json.dumps({"files": sorted(exporter.owned)}, indent=1) + "\n"
    if previous != json.loads(record):  # untouched when nothing changed
        atomic_write_text(folder / RECORD, record)
    return report
