"""A real podcast client: Debian's gPodder command line (``gpo``) against the real server.

``gpo`` exits 0 even when a download fails, so the test reads what it prints and
compares the files it saved with the bytes the server publishes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import podcastparser
import pytest

from tests.conftest import require_program

pytestmark = pytest.mark.slow

FEEDS = ["/feed.xml", "/articles/tiny/feed.xml"]
# "  1. <guid>  *  <title>": gpo's episode list with --guid (status is 3 characters wide).
EPISODE_LINE = re.compile(r"^\s*\d+\. (?P<guid>\S+) (?P<status>.{3}) (?P<title>.+)$")


@dataclass(frozen=True)
class Gpo:
    """gpo with its database, downloads and home in a temp folder."""

    executable: str
    env: dict[str, str]

    @property
    def downloads(self) -> Path:
        return Path(self.env["GPODDER_DOWNLOAD_DIR"])

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            [self.executable, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout + done.stderr  # gpo logs download errors to either


@pytest.fixture
def gpo(tmp_path: Path) -> Gpo:
    executable = require_program("gpo", "apt-get install gpodder")
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "GPODDER_HOME": str(tmp_path / "gpodder"),
        "GPODDER_DOWNLOAD_DIR": str(tmp_path / "downloads"),
    }
    for key in ("HOME", "GPODDER_HOME", "GPODDER_DOWNLOAD_DIR"):
        Path(env[key]).mkdir(parents=True)
    return Gpo(executable, env)


def served_episodes(url: str) -> list[dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return podcastparser.parse(url, io.BytesIO(response.read()))["episodes"]


def sha256_of_url(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return hashlib.sha256(response.read()).hexdigest()


def listed(output: str) -> list[tuple[str, str, str]]:
    found = []
    for line in output.splitlines():
        match = EPISODE_LINE.match(line)
        if match:
            found.append((match["guid"], match["status"].strip(), match["title"].strip()))
    return found


def test_gpodder_subscribes_lists_and_downloads_byte_identical(gpo: Gpo, live_built: str) -> None:
    expected: dict[str, list[dict]] = {}
    for path in FEEDS:
        url = live_built + path
        assert f"Successfully added {url}" in gpo("subscribe", url)
        expected[url] = served_episodes(url)

    for url, episodes in expected.items():
        shown = listed(gpo("episodes", "--guid", url))
        assert sorted((g, t) for g, _, t in shown) == sorted(
            (e["guid"], e["title"]) for e in episodes
        ), shown
        assert {status for _, status, _ in shown} == {"*"}  # all new, none failed

    total = sum(len(e) for e in expected.values())
    output = gpo("download")
    assert f"{total} episodes downloaded." in output, output
    # gpo counts a failed download as downloaded (and exits 0): look for its error log.
    assert "ERROR" not in output and "failed" not in output.lower(), output

    saved = sorted(p for p in gpo.downloads.rglob("*") if p.is_file())
    assert len(saved) == total and not any(p.suffix == ".partial" for p in saved), saved
    served = sorted(
        sha256_of_url(e["enclosures"][0]["url"]) for eps in expected.values() for e in eps
    )
    assert sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in saved) == served

    for url, episodes in expected.items():  # gpo now marks every episode as downloaded
        shown = listed(gpo("episodes", "--guid", url))
        assert len(shown) == len(episodes)
        assert {status for _, status, _ in shown} == {"▉"}, shown
