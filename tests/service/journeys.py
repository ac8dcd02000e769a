"""Journeys with the real components: the server and ``baclovoice worker`` processes on the
embedded SQLite queue and on Debian's redis-server (the journeys are the
``test_journey_*.py`` files, one per journey, so that they run side by side).

Every process listens on or talks to 127.0.0.1 only and is stopped by its pid. The fake
engine stands in for the voice, slowed (these tests are about the queue, not speech).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from baclovoice import manifest
from baclovoice.ingest.convert import is_heading_line
from tests.cli.slow_voice import SCRIPT as SLOW_VOICE
from tests.conftest import SEED_TEXT, require_program
from tests.service.conftest import AUTH, TOKEN, published_files_match, wait_for

TIMEOUT = 120.0  # seconds for all three articles; generous for a busy 2-core machine


def seed_in_three() -> dict[str, str]:
    """The seed article's text made into three articles of two short sections (each
    section's last paragraph; no shared sentences, so nothing is cached). The voice is
    slowed (``slow_voice``): the queue has work in hand long enough for a worker to be
    killed mid-job, while the machine's cores stay free for the rest of the suite."""
    blocks = [b for b in SEED_TEXT.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    title, date, body = blocks[0], blocks[1], blocks[2:]
    starts = [i for i, block in enumerate(body) if is_heading_line(block.strip())]
    sections = [
        [body[a], body[b - 1]] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)
    ]
    return {
        f"part-{n + 1}": "\n\n".join([f"{title} (part {n + 1})", date, *first, *second])
        for n, (first, second) in enumerate(zip(sections[::2], sections[1::2], strict=True))
    }


ARTICLES = seed_in_three()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def gone(pid: int) -> bool:
    """The process has exited (a zombie no one has reaped yet counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, no persistence, stopped by pid."""
    server = require_program("redis-server", "apt-get install redis-server")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    from redis import Redis

    client = Redis(host="127.0.0.1", port=port)

    def ready() -> bool:
        try:
            return bool(client.ping())
        except Exception:
            return False

    try:
        wait_for(ready, 20, "redis-server to answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Service:
    """Server and worker processes over one content folder, audio folder and queue."""

    root: Path
    queue: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs_open: list[IO[bytes]] = field(default_factory=list)
    url: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
        env.update(
            BACLOVOICE_ENGINE="fake",
            BACLOVOICE_CONTENT_DIR=str(self.root / "content"),
            BACLOVOICE_AUDIO_DIR=str(self.root / "audio"),
            BACLOVOICE_QUEUE=self.queue,
            BACLOVOICE_API_TOKEN=TOKEN,
            BACLOVOICE_RECONCILE_INTERVAL="1",
            BACLOVOICE_JOBS="1",
        )
        return env

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{args[0]}-{len(self.processes)}.log").open("wb")
        self.logs_open.append(log)
        process = subprocess.Popen(
            [sys.executable, str(SLOW_VOICE), *args], env=self.env, stdout=log, stderr=log
        )
        self.processes.append(process)
        return process

    def serve(self, *extra: str) -> subprocess.Popen[bytes]:
        port = free_port()
        process = self.start("serve", "--port", str(port), *extra)
        self.url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            assert process.poll() is None, self.logs()
            try:
                self.get("/api/articles")
            except OSError:
                return False
            return True

        wait_for(up, 30, "the server to answer")
        return process

    def get(self, path: str) -> Any:
        request = urllib.request.Request(self.url + path, headers=AUTH)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return json.loads(body) if "json" in response.headers["Content-Type"] else body

    def post(self, slug: str, text: str) -> str:
        data = json.dumps({"text": text, "slug": slug}).encode()
        headers = {**AUTH, "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + "/api/articles", data, headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202
            return str(json.loads(response.read())["job"])

    def post_articles(self) -> list[str]:
        """Post the three articles; their job paths, once narration is under way."""
        jobs = [self.post(slug, text) for slug, text in ARTICLES.items()]
        wait_for(lambda: running(self, jobs), 60, "a narration to start")
        return jobs

    def kill(self, process: subprocess.Popen[bytes], what: str) -> None:
        """SIGKILL ``process`` mid-job; wait until the processes it forked are gone too."""
        forked = children(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        wait_for(lambda: all(gone(pid) for pid in forked), 10, what)

    def jobs(self, paths: list[str]) -> list[dict[str, Any]]:
        return [self.get(path) for path in paths]

    def wait_done(self, paths: list[str]) -> list[dict[str, Any]]:
        def done() -> list[dict[str, Any]] | None:
            jobs = self.jobs(paths)
            failed = [j for j in jobs if j["state"] == "failed"]
            assert not failed, (failed, self.logs())
            return jobs if all(j["state"] == "done" for j in jobs) else None

        try:
            return wait_for(done, TIMEOUT, "every article to be narrated")
        except AssertionError:
            print(self.logs())
            raise

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs_open:
            log.close()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.root.glob("*.log"))


@pytest.fixture(params=["sqlite", "redis"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    queue = ""
    if request.param == "redis":
        from redis import Redis

        queue = request.getfixturevalue("redis_url")
        with Redis.from_url(queue) as client:
            client.flushdb()  # each journey starts from an empty queue
    (tmp_path / "content").mkdir()
    service = Service(tmp_path, queue)
    yield service
    service.stop()


def check_published(service: Service) -> None:
    """Three complete articles, every file as its manifest says, all in the feed."""
    audio = service.root / "audio"
    for slug in ARTICLES:
        m = manifest.load(audio, slug)
        assert m.complete and m.full is not None
        published_files_match(audio, m)
        assert not manifest.building_path(audio, slug).exists()
    feed = service.get("/feed.xml").decode()
    assert all(f"/articles/{slug}.mp3" in feed for slug in ARTICLES)


def running(service: Service, jobs: list[str]) -> bool:
    """Mid-build: some narration has started and not every one has finished."""
    states = [job["state"] for job in service.jobs(jobs)]
    return states.count("queued") < len(states) and states.count("done") < len(states)
