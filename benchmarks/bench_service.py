"""Narration as a service with the real Piper voice, measured side by side in one run.

Prints:
0. for reference, a cold ``baclovoice build`` of the seed (2 processes), whole command,
   and the edited sentence synthesized alone by a loaded one-thread voice;
1. from ``POST /api/articles`` of the seed article to its first section playable, and
   to the whole article complete (``serve`` with 2 worker processes, voices loaded);
2. watch mode: one sentence edited in ``content/<slug>.html`` → its section playable
   with the new sentence (what the player and API show), and → the whole article
   complete again (its manifest saved, EPUB and M4B remade), medians of three edits;
3. throughput: three articles (the seed split in three, so nothing is cached) with
   1 and 2 worker processes, alternated twice; articles per minute (median) and ratio;
4. memory: peak resident memory (VmHWM) of each worker process, and of the server.

Time figures on a shared 2-core machine are noisy: compare medians and ratios.
Run: .venv/bin/python benchmarks/bench_service.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = ROOT / "tests" / "fixtures" / "baclofen-for-anxiety.txt"
LEXICON = ROOT / "content" / "lexicon.toml"
SLUG = "baclofen-for-anxiety"
TOKEN = "benchmark-token-0123456789"
WARM_KIB = 200_000  # a worker with the Piper voice loaded holds more than this


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(check: Callable[[], Any], timeout: float = 900, every: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every)
    raise TimeoutError("the service did not get there in time")


def status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Server:
    """``baclovoice serve`` on a free loopback port over its own folders."""

    def __init__(self, root: Path, workers: int, *extra: str) -> None:
        self.root = root
        (root / "content").mkdir(parents=True, exist_ok=True)
        shutil.copy(LEXICON, root / "content" / "lexicon.toml")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
        env |= {
            "BACLOVOICE_CONTENT_DIR": str(root / "content"),
            "BACLOVOICE_AUDIO_DIR": str(root / "audio"),
            "BACLOVOICE_API_TOKEN": TOKEN,
            "BACLOVOICE_JOBS": str(workers),
        }
        self.port = free_port()
        self.log = (root / "serve.log").open("wb")
        command = [sys.executable, "-m", "baclovoice", "serve", "--port", str(self.port), *extra]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)
        self.workers = workers

    def warm(self) -> list[int]:
        """Wait until every worker process has loaded its voice; their pids."""

        def loaded() -> list[int] | None:
            big = [p for p in children(self.process.pid) if status_kib(p, "VmRSS") > WARM_KIB]
            return big if len(big) == self.workers else None

        pids: list[int] = poll(loaded, timeout=300, every=0.2)
        time.sleep(1.0)
        return pids

    def request(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=30) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def manifest_of(root: Path, slug: str) -> dict[str, Any] | None:
    try:
        return json.loads((root / "audio" / slug / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def seed_parts(parts: int = 3) -> dict[str, str]:
    """The seed article split into ``parts`` articles of whole sections (plain text)."""
    from baclovoice.ingest.convert import is_heading_line

    blocks = [b.strip() for b in SEED_TEXT.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    title, date, rest = blocks[0], blocks[1], blocks[2:]
    sections: list[list[str]] = []
    for block in rest:
        if is_heading_line(block) or not sections:
            sections.append([])
        sections[-1].append(block)
    size = -(-len(sections) // parts)
    return {
        f"part-{k + 1}": "\n\n".join(
            [f"{title} (part {k + 1})", date, *sum(sections[k * size : (k + 1) * size], [])]
        )
        for k in range(parts)
    }


def first_and_complete(work: Path) -> tuple[float, float, list[int], Server]:
    server = Server(work, 2)
    pids = server.warm()
    text = SEED_TEXT.read_text(encoding="utf-8")
    start = time.perf_counter()
    server.request("/api/articles", {"text": text, "slug": SLUG})

    def first_ready() -> bool:
        article = server.request(f"/api/articles/{SLUG}")
        return bool(article["sections"][0]["audio_url"])

    poll(lambda: manifest_of(work, SLUG) is not None or _quiet(first_ready), every=0.02)
    first = time.perf_counter() - start
    poll(lambda: manifest_of(work, SLUG), every=0.02)
    return first, time.perf_counter() - start, pids, server


def _quiet(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except OSError:  # 404 until the first manifest in progress exists
        return False


def edit_to_listenable(server: Server, rounds: int = 3) -> list[tuple[float, float]]:
    """Per edit: seconds until the edited section plays the new sentence (the API lists
    it with audio: the player's view), and until the whole article is complete again."""
    path = server.root / "content" / f"{SLUG}.html"
    original = path.read_text(encoding="utf-8")
    timings = []
    for n in range(rounds):
        sentence = EDITED.replace("disorder.", f"disorder, case {n + 1}.")
        edited = original.replace(EDITED, sentence)
        assert edited != original
        start = time.perf_counter()
        path.write_text(edited, encoding="utf-8")

        def playable(sentence: str = sentence) -> bool:
            article = server.request(f"/api/articles/{SLUG}")
            return any(
                s["audio_url"] and any(t["text"] == sentence for t in s["sentences"])
                for s in article["sections"]
            )

        def complete(sentence: str = sentence) -> bool:
            m = manifest_of(server.root, SLUG)
            spoken = {t["text"] for s in (m or {}).get("sections", []) for t in s["sentences"]}
            return sentence in spoken

        poll(lambda: complete() or _quiet(playable), every=0.005)
        listenable = time.perf_counter() - start
        poll(complete, every=0.005)
        timings.append((listenable, time.perf_counter() - start))
        time.sleep(1.0)
    return timings


def throughput(work: Path, workers: int) -> tuple[float, list[int]]:
    """Articles per minute for three uncached articles, and the workers' peak RSS (KiB)."""
    server = Server(work, workers, "--no-build")
    pids = server.warm()
    articles = seed_parts()
    start = time.perf_counter()
    for slug, text in articles.items():
        server.request("/api/articles", {"text": text, "slug": slug})
    poll(lambda: all(manifest_of(work, slug) for slug in articles), every=0.05)
    elapsed = time.perf_counter() - start
    peaks = [status_kib(p, "VmHWM") for p in pids]
    server.stop()
    return len(articles) / (elapsed / 60), peaks


EDITED = "When this happens, it may be classified as an anxiety disorder."


def cold_build(work: Path) -> float:
    """Seconds for ``baclovoice build`` of the seed from nothing (the whole command)."""
    (work / "content").mkdir(parents=True)
    shutil.copy(LEXICON, work / "content" / "lexicon.toml")
    subprocess.run(
        [sys.executable, "-m", "baclovoice", "import", str(SEED_TEXT), "--content-dir",
         str(work / "content")],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
    env |= {"BACLOVOICE_CONTENT_DIR": str(work / "content"), "BACLOVOICE_JOBS": "2"}
    env["BACLOVOICE_AUDIO_DIR"] = str(work / "audio")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "baclovoice", "-q", "build"], env=env, check=True)
    return time.perf_counter() - start


def sentence_alone() -> float:
    """Median seconds for a loaded one-thread voice to speak the edited sentence."""
    from baclovoice.engines import create_engine
    from baclovoice.settings import Settings

    engine = create_engine("piper", Settings.load(environ={}), threads=1)
    engine.synthesize("Ready.")
    times = []
    for n in range(3):
        start = time.perf_counter()
        engine.synthesize(EDITED.replace("disorder.", f"disorder, case {n + 1}."))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def say(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        root = Path(folder)
        build = cold_build(root / "build")
        say(f"reference: cold `baclovoice build` of the seed (2 processes): {build:.2f} s")
        alone = sentence_alone()
        say(f"reference: the edited sentence alone, loaded one-thread voice: {alone:.2f} s")
        first, complete, pids, server = first_and_complete(root / "seed")
        say(
            f"POST of the seed → first section playable: {first:.2f} s "
            f"({first / build:.2f} of the cold build)"
        )
        say(
            f"POST of the seed → whole article complete: {complete:.2f} s "
            f"({complete / build:.2f} of the cold build)"
        )
        edits = edit_to_listenable(server)
        for label, times in (
            ("its section playable", [a for a, _ in edits]),
            ("the whole article complete again", [b for _, b in edits]),
        ):
            say(
                f"watch mode, one sentence edited → {label}: median "
                f"{statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})"
            )
        peaks = [status_kib(p, "VmHWM") for p in pids]
        server_peak = status_kib(server.process.pid, "VmHWM")
        server.stop()
        rates: dict[int, list[float]] = {1: [], 2: []}
        for round_ in range(2):
            for workers in (1, 2):
                rate, worker_peaks = throughput(root / f"t{round_}-{workers}", workers)
                rates[workers].append(rate)
                peaks += worker_peaks
                say(f"  round {round_ + 1}, {workers} worker(s): {rate:.2f} articles/min")
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    say(
        f"throughput, 3 articles (the seed in three): 1 worker {one:.2f} articles/min, "
        f"2 workers {two:.2f} articles/min (medians), ratio {two / one:.2f}"
    )
    say(
        f"peak RSS per worker process: median {statistics.median(peaks) / 1024:.0f} MB, "
        f"largest {max(peaks) / 1024:.0f} MB; server process {server_peak / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
