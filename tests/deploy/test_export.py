"""`baclovoice export`: the site as files, served unchanged by plain nginx.

The export is compared with what the app answers, checked for every route in
the path table, re-exported to prove it is incremental, and served by Debian's
nginx with the generated static site, where every exported URL (and every link
on every exported page) must answer as the app does.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from baclovoice import paths
from baclovoice.cli import main
from baclovoice.deploy.export import RECORD, ExportReport, export_site, file_for, site_paths
from baclovoice.deploy.nginx import DOWNLOADS_MAP, Site, static_site
from baclovoice.errors import InputError
from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from tests.deploy.nginx_runner import free_port, running_nginx
from tests.feeds.conftest import publish_article
from tests.web.builders import Spec

BASE = "https://cdn.example.org"
SLUG = "baclofen-for-anxiety"
SECOND = "second-article"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[Manifest]]:
    root = tmp_path_factory.mktemp("export-lib")
    settings = Settings.load(environ={}, content_dir=root / "content", audio_dir=root / "audio")
    first = with_downloads(settings, publish_article(settings.audio_dir))
    second = publish_article(
        settings.audio_dir, dataclasses.replace(Spec(), slug=SECOND, title="Second")
    )
    return settings, [first, second]


def with_downloads(settings: Settings, m: Manifest) -> Manifest:
    """The read-along book and the audiobook too, published as the build publishes them."""
    from baclovoice import manifest
    from baclovoice.build import publish
    from baclovoice.build.store import AudioStore

    store = AudioStore(settings.audio_dir)
    pub = publish.Publisher(store, engine=m.engine, voice=m.voice)
    m = publish.publish_downloads(pub, m, store.read(m.cover) or b"")
    manifest.save(settings.audio_dir, m)
    return m


@pytest.fixture(scope="module")
def exported(
    library: tuple[Settings, list[Manifest]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ExportReport]:
    settings, _ = library
    folder = tmp_path_factory.mktemp("export") / "site"
    return folder, export_site(settings, folder, BASE)


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("/", "index.html"),
        ("/articles/a/", "articles/a/index.html"),
        ("/articles/a/transcript", "articles/a/transcript.html"),
        ("/api/articles", "api/articles.json"),
        ("/api/articles/a", "api/articles/a.json"),
        ("/healthz", "healthz.json"),
        ("/articles/a.mp3", "articles/a.mp3"),
        ("/articles/a/sections/2.vtt", "articles/a/sections/2.vtt"),
        ("/static/player.js", "static/player.js"),
    ],
)
def test_file_for_url(url: str, file: str) -> None:
    assert file_for(url) == file


def test_every_route_of_the_path_table_is_exported(
    library: tuple[Settings, list[Manifest]], exported: tuple[Path, ExportReport]
) -> None:
    settings, manifests = library
    folder, report = exported
    app = create_app(settings)
    adapter = app.url_map.bind("localhost")
    urls = site_paths(manifests, True, ["player.js"])
    endpoints = {adapter.match(url)[0] for url in urls}
    readable = set(paths.ROUTES) - set(paths.SERVICE_ROUTES)
    assert endpoints == {r.endpoint for r in readable} | {"static"}
    assert report.files == len(json.loads((folder / RECORD).read_text())["files"])
    for url in site_paths(manifests, True, []):
        assert (folder / file_for(url)).is_file(), url


def test_exported_files_are_what_the_app_answers(
    library: tuple[Settings, list[Manifest]], exported: tuple[Path, ExportReport]
) -> None:
    settings, manifests = library
    folder, _ = exported
    client = create_app(settings.replace(base_url=BASE)).test_client()
    for url in site_paths(manifests, True, []):
        with client.get(url, base_url=BASE) as response:
            assert response.status_code == 200
            assert (folder / file_for(url)).read_bytes() == response.get_data(), url
    api = json.loads((folder / "api/articles.json").read_text())
    assert api["articles"][0]["sections"][0]["audio_url"].startswith(BASE + "/articles/")
    feed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert {e.enclosures[0].href for e in feed.entries} == {
        f"{BASE}/articles/{SLUG}.mp3",
        f"{BASE}/articles/{SECOND}.mp3",
    }
    assert b"There is no page at this address" in (folder / "404.html").read_bytes()
    downloads = (folder / DOWNLOADS_MAP).read_text()
    assert f'"1:/articles/{SLUG}/sections/1.mp3" "attachment; filename=' in downloads


def test_reexport_is_incremental_and_drops_what_is_gone(
    library: tuple[Settings, list[Manifest]],
    exported: tuple[Path, ExportReport],
    tmp_path: Path,
) -> None:
    settings, _ = library
    folder, first = exported
    assert first.written and not first.removed
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    again = export_site(settings, folder, BASE)
    assert again.written == [] and again.removed == [] and again.unchanged == first.files
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == stamps

    # Without the second article: its files go, the index and feeds change, audio stays.
    private = tmp_path / "audio"
    shutil.copytree(settings.audio_dir, private)
    shutil.rmtree(private / SECOND)
    copy = tmp_path / "site"
    shutil.copytree(folder, copy)
    third = export_site(settings.replace(audio_dir=private), copy, BASE)
    assert f"articles/{SECOND}/index.html" in third.removed
    assert (
        not (copy / "articles" / SECOND).exists()
        and not (copy / "api/articles" / f"{SECOND}.json").exists()
    )
    assert "index.html" in third.written and "feed.xml" in third.written
    assert not any(name.endswith(".mp3") for name in third.written)


def test_export_and_deploy_commands(
    library: tuple[Settings, list[Manifest]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`baclovoice export DIR --base-url URL` twice (the second writes nothing), then
    `baclovoice deploy nginx --export DIR` prints the static site the nginx tests serve."""
    settings, _ = library
    for name in [k for k in os.environ if k.startswith("BACLOVOICE_")]:
        monkeypatch.delenv(name)
    site = tmp_path / "site"
    export = ["export", str(site), "--base-url", BASE, "--audio-dir", str(settings.audio_dir)]
    previous = signal.getsignal(signal.SIGTERM)
    try:
        main(export)  # returns normally on success
        first = capsys.readouterr().out
        stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
        main(export)
        second = capsys.readouterr().out
        main(["deploy", "nginx", "--export", str(site), "--base-url", BASE])
        printed = capsys.readouterr().out
    finally:
        signal.signal(signal.SIGTERM, previous)
    files = len(json.loads((site / RECORD).read_text())["files"])
    assert f"Exported {files} files to {site}: {files} written, 0 unchanged, 0 removed." in first
    assert f"Exported {files} files to {site}: 0 written, {files} unchanged, 0 removed." in second
    assert f"baclovoice deploy nginx --export {site} --base-url {BASE}" in second
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == stamps
    assert printed == static_site(Site(BASE), site)


def test_export_refuses_a_folder_that_is_not_an_export(
    library: tuple[Settings, list[Manifest]], tmp_path: Path
) -> None:
    settings, _ = library
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        export_site(settings, tmp_path, BASE)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_export_of_an_empty_library_is_a_message(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Nothing to export"):
        export_site(settings, tmp_path / "site", BASE)


def test_export_under_a_path_prefix_links_within_it(
    library: tuple[Settings, list[Manifest]], tmp_path: Path
) -> None:
    settings, _ = library
    export_site(settings, tmp_path / "site", "https://example.org/podcasts/")
    page = (tmp_path / "site" / "articles" / SLUG / "index.html").read_text()
    links = re.findall(r'(?:href|src)="(/[^"]*)"', page)
    assert links and all(link.startswith("/podcasts/") for link in links)


# --- served by plain nginx --------------------------------------------------------


@pytest.fixture(scope="module")
def static_nginx(
    exported: tuple[Path, ExportReport], nginx: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder, _ = exported
    port = free_port()
    site = static_site(Site(BASE, f"127.0.0.1:{port}"), folder)
    with running_nginx(nginx, tmp_path_factory.mktemp("static-nginx"), site, port) as url:
        yield url


def ask(
    base: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    port = int(base.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


TYPES = {
    ".html": "text/html",
    ".json": "application/json",
    ".xml": "application/rss+xml",
    ".vtt": "text/vtt",
    ".mp3": "audio/mpeg",
    ".png": "image/png",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".txt": "text/plain",
    ".epub": "application/epub+zip",
    ".m4b": "audio/mp4",
    ".webmanifest": "application/manifest+json",
}


def test_nginx_serves_every_exported_url_as_the_app_does(
    library: tuple[Settings, list[Manifest]],
    exported: tuple[Path, ExportReport],
    static_nginx: str,
) -> None:
    settings, manifests = library
    folder, _ = exported
    client = create_app(settings.replace(base_url=BASE)).test_client()
    static = [
        p.relative_to(folder / "static").as_posix()
        for p in (folder / "static").rglob("*")
        if p.is_file()
    ]
    for url in site_paths(manifests, True, static):
        status, headers, body = ask(static_nginx, url)
        assert status == 200, url
        with client.get(url, base_url=BASE) as response:
            assert headers["Content-Type"].split(";")[0] == response.mimetype, url
            assert body == response.get_data(), url
        suffix = Path(file_for(url)).suffix
        if url.endswith("chapters.json"):
            assert headers["Content-Type"].startswith("application/json+chapters")
        else:
            assert headers["Content-Type"].startswith(TYPES[suffix]), url


def test_nginx_keeps_query_urls_download_names_caching_and_404s(
    library: tuple[Settings, list[Manifest]], static_nginx: str
) -> None:
    _, manifests = library
    audio = manifests[0].sections[0].audio
    status, headers, _ = ask(static_nginx, f"/articles/{SLUG}/sections/1.mp3?v={audio.sha256[:16]}")
    assert status == 200 and "immutable" in headers["Cache-Control"]
    status, headers, _ = ask(static_nginx, f"/articles/{SLUG}/sections/1.mp3?download=1")
    assert headers["Content-Disposition"] == (
        f"attachment; filename={SLUG}-01-understanding-baclofen-and-its-uses.mp3"
    )
    status, headers, body = ask(
        static_nginx, f"/articles/{SLUG}/sections/1.mp3", {"Range": "bytes=0-9"}
    )
    assert status == 206 and len(body) == 10 and "Content-Disposition" not in headers
    status, _, body = ask(static_nginx, "/articles/nope/")
    assert status == 404 and b"There is no page at this address" in body
    assert ask(static_nginx, f"/{RECORD}")[0] == 404
    assert ask(static_nginx, f"/{DOWNLOADS_MAP}")[0] == 404
    _, headers, _ = ask(static_nginx, "/")
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_every_link_on_every_exported_page_works_under_nginx(
    exported: tuple[Path, ExportReport], static_nginx: str
) -> None:
    folder, _ = exported
    pages = [p for p in folder.rglob("*.html")]
    checked: set[str] = set()
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script", "audio", "img", "section"]):
            for attribute in ("href", "src", "data-src"):
                value = tag.get(attribute)
                if not value or not value.startswith("/") or value in checked:
                    continue
                checked.add(value)
                path = urlsplit(value)._replace(fragment="").geturl()
                assert ask(static_nginx, path)[0] == 200, (page, value)
    assert len(checked) > 20
