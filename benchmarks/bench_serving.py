"""Serving throughput: nginx in front of the app vs nginx sending the file itself.

Run with ``make bench-serving`` (needs Debian's ``nginx`` and ``wrk``). On a temp
library of tone MP3s (a 36 KB section like the issue's, and an 80 KB one for
64 KB ranges) it starts:

* the app (``baclovoice serve``, waitress) with X-Accel-Redirect, behind nginx
  with the site ``baclovoice deploy nginx`` writes;
* on the same nginx, a plain server whose root is the audio folder, so the same
  file is fetched with no app involved ("nginx direct");
* the app alone, without nginx, for the issue's starting point.

wrk (64 connections, 2 threads) measures requests/s for each target in turn,
and the rounds alternate, so every ratio compares figures taken side by side
under the same load on this shared machine. Errors (socket errors and non-2xx
answers) are counted; server RSS is read before and after. Each app is the web
server only (``--no-worker``, no content watcher, an empty content folder of its
own): no narration process or Piper voice is loaded, and the checkout's
``content/`` is never watched or narrated into the benchmark's library.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.deploy.nginx_runner import free_port, running_nginx  # noqa: E402
from tests.feeds.conftest import publish_article  # noqa: E402
from tests.web.builders import Spec  # noqa: E402

from baclovoice.deploy.export import export_site  # noqa: E402
from baclovoice.deploy.nginx import Site, proxy_site, static_site  # noqa: E402
from baclovoice.settings import Settings  # noqa: E402

CONNECTIONS = 64
THREADS = 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BASE_URL = "https://listen.example.org"
SLUG = "baclofen-for-anxiety"
RANGE = "bytes=0-65535"


@dataclass
class Target:
    name: str
    url: str
    header: str = ""
    runs: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return sorted(self.runs)[len(self.runs) // 2]  # the median round


def wrk(target: Target) -> None:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if target.header:
        command += ["-H", target.header]
    out = subprocess.run([*command, target.url], capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    target.runs.append(float(rate.group(1)) if rate else 0.0)
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        if found := re.search(pattern, out):
            target.errors += sum(int(n) for n in re.findall(r"\d+", found.group(1)))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_app(audio: Path, port: int, accel: bool) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
    env |= {
        "PYTHONPATH": str(ROOT / "src"),
        "BACLOVOICE_AUDIO_DIR": str(audio),
        "BACLOVOICE_CONTENT_DIR": str(audio.parent / "content"),
        "BACLOVOICE_WATCH": "false",
        "BACLOVOICE_BASE_URL": BASE_URL,
        "BACLOVOICE_ACCEL_REDIRECT": "true" if accel else "false",
    }
    serve = ["serve", "--no-build", "--no-worker", "--port", str(port)]
    command = [sys.executable, "-m", "baclovoice", *serve]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the app did not start")


def main() -> None:
    for program in ("nginx", "wrk"):
        if not (shutil.which(program) or Path(f"/usr/sbin/{program}").exists()):
            sys.exit(f"{program} is needed: apt-get install {program}")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    root = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    audio = root / "audio"
    (root / "content").mkdir()
    sections = (("Short section", (("paragraph", "Words."),)), ("Long", (("paragraph", "x."),)))
    spec = dataclasses.replace(Spec(), sections=sections, seconds=4.5)
    m = publish_article(audio, spec)
    long = publish_article(audio, dataclasses.replace(spec, slug="long-one", seconds=10.0))
    short_file, long_file = m.sections[0].audio.file, long.sections[0].audio.file
    app_port, bare_port, front_port, direct_port, export_port = (free_port() for _ in range(5))
    export_site(Settings.load(environ={}, audio_dir=audio), root / "site", BASE_URL)
    exported = static_site(Site(BASE_URL, f"127.0.0.1:{export_port}"), root / "site")
    upstream = f"127.0.0.1:{app_port}"
    (root / "cache").mkdir()
    site = proxy_site(Site(BASE_URL, f"127.0.0.1:{front_port}"), audio, upstream, root / "cache")
    site += (
        f"server {{ listen 127.0.0.1:{direct_port}; root {audio}; sendfile on;"
        " open_file_cache max=10000 inactive=60s; }\n"
    )
    app = start_app(audio, app_port, accel=True)
    bare = start_app(audio, bare_port, accel=False)
    try:
        with (
            running_nginx(nginx, root / "nginx", site, front_port) as front,
            running_nginx(nginx, root / "nginx-export", exported, export_port) as export,
        ):
            direct = f"http://127.0.0.1:{direct_port}"
            alone = f"http://127.0.0.1:{bare_port}"
            mp3 = f"/articles/{SLUG}/sections/1.mp3"
            long_mp3 = "/articles/long-one/sections/1.mp3"
            rng = f"Range: {RANGE}"
            targets = {
                "full: nginx direct": Target("", f"{direct}/{short_file}"),
                "full: nginx + app": Target("", front + mp3),
                "full: app alone": Target("", alone + mp3),
                "full: nginx serving the export": Target("", export + mp3),
                "range: nginx direct": Target("", f"{direct}/{long_file}", rng),
                "range: nginx + app": Target("", front + long_mp3, rng),
                "range: app alone": Target("", alone + long_mp3, rng),
                "range: nginx serving the export": Target("", export + long_mp3, rng),
                "HTML page: nginx + app": Target("", f"{front}/articles/{SLUG}/"),
                "HTML page: app alone": Target("", f"{alone}/articles/{SLUG}/"),
                "JSON API: nginx + app": Target("", f"{front}/api/articles/{SLUG}"),
                "feed: nginx + app": Target("", f"{front}/feed.xml"),
                "feed: app alone": Target("", f"{alone}/feed.xml"),
            }
            started, load = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.getloadavg()
            before = rss_mb(app.pid), rss_mb(bare.pid)
            for round_ in range(1, ROUNDS + 1):
                print(f"round {round_}/{ROUNDS}", file=sys.stderr)
                for target in targets.values():
                    wrk(target)
            after = rss_mb(app.pid), rss_mb(bare.pid)
            when = f"{started}; load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    finally:
        for process in (app, bare):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
    sizes = m.sections[0].audio.bytes, long.sections[0].audio.bytes
    report(targets, before, after, *sizes, when)


RATIOS = [
    # (label, numerator, denominator, goal)
    ("MP3 full, nginx + app / nginx direct", "full: nginx + app", "full: nginx direct", "≥ 0.8×"),
    (
        "MP3 64 KB range, nginx + app / nginx direct",
        "range: nginx + app",
        "range: nginx direct",
        "≥ 0.8×",
    ),
    (
        "MP3 full, export under nginx / nginx direct",
        "full: nginx serving the export",
        "full: nginx direct",
        "—",
    ),
    (
        "MP3 64 KB range, export under nginx / nginx direct",
        "range: nginx serving the export",
        "range: nginx direct",
        "—",
    ),
    ("MP3 full, nginx + app / app alone", "full: nginx + app", "full: app alone", "—"),
    ("MP3 64 KB range, nginx + app / app alone", "range: nginx + app", "range: app alone", "—"),
    ("HTML page, nginx + app / app alone", "HTML page: nginx + app", "HTML page: app alone", "—"),
    ("feed, nginx + app / app alone", "feed: nginx + app", "feed: app alone", "—"),
]


def report(
    targets: dict[str, Target],
    before: tuple[float, float],
    after: tuple[float, float],
    short_bytes: int,
    long_bytes: int,
    when: str,
) -> None:
    print(when)
    print(f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} alternating rounds (median);")
    print(f"section MP3 {short_bytes / 1000:.0f} KB full, ", end="")
    print(f"{RANGE} of a {long_bytes / 1000:.0f} KB one\n")
    print("| target | requests/s | errors |\n| --- | ---: | ---: |")
    for name, target in targets.items():
        print(f"| {name} | {target.rate:,.0f} | {target.errors} |")
    print("\n| ratio | figure | goal |\n| --- | ---: | ---: |")
    for label, top, bottom, goal in RATIOS:
        below = targets[bottom].rate
        figure = f"{targets[top].rate / below:.2f}×" if below else "n/a"
        print(f"| {label} | {figure} | {goal} |")
    print(f"\napp RSS (behind nginx): {before[0]:.0f} MB before, {after[0]:.0f} MB after")
    print(f"app RSS (alone): {before[1]:.0f} MB before, {after[1]:.0f} MB after")


if __name__ == "__main__":
    main()
