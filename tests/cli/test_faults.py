"""Faults a real deployment meets (issue 13): bad articles, signals, a full disk, odd options.

Each test runs the real command line and checks the message, the exit code and what is
left on disk: in a subprocess, as a user or a service manager would, where signals, the
server or the worker processes are the point; otherwise in-process (``run_cli``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from baclovoice.settings import Settings
from baclovoice.web import create_app
from tests.cli.conftest import RunCli
from tests.cli.slow_voice import SCRIPT as SLOW_VOICE
from tests.conftest import ROOT, SMALL_ARTICLE, require_program

GOOD = "<h1>Good</h1><p>One sentence here. Another one there.</p>"
MANY = "<h1>Many</h1>" + "".join(f"<p>This is sentence number {n}.</p>" for n in range(1, 25))


def environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    return env | extra


def content(tmp_path: Path, **articles: str | bytes) -> Path:
    folder = tmp_path / "content"
    folder.mkdir(exist_ok=True)
    for slug, body in articles.items():
        data = body.encode() if isinstance(body, str) else body
        (folder / f"{slug}.html").write_bytes(data)
    return folder


# --- 2: one bad article never blocks the others -------------------------------------


def test_bad_article_is_reported_and_the_good_ones_are_built_and_served(
    tmp_path: Path, run_cli: RunCli
) -> None:
    content(tmp_path, good=GOOD, bad=b"<h1>\xff\xfe broken</h1>", tiny=SMALL_ARTICLE)
    result = run_cli("build", "--engine", "fake", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "error: bad was not built:" in result.stderr and "UTF-8" in result.stderr
    assert f"file: {Path('content') / 'bad.html'}" in result.stderr
    assert "hint:" in result.stderr
    built = sorted(p.parent.name for p in (tmp_path / "audio").glob("*/manifest.json"))
    assert built == ["good", "tiny"]

    settings = Settings.load(
        environ={}, content_dir=tmp_path / "content", audio_dir=tmp_path / "audio"
    )
    health = create_app(settings).test_client().get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and body["articles"] == 2
    assert [f["slug"] for f in body["failures"]] == ["bad"]
    assert "UTF-8" in body["failures"][0]["reason"] and body["failures"][0]["hint"]

    (tmp_path / "content" / "bad.html").write_text(GOOD, encoding="utf-8")  # fixed
    assert run_cli("build", "bad", "--engine", "fake", cwd=tmp_path).returncode == 0
    assert create_app(settings).test_client().get("/healthz").get_json()["status"] == "ok"
    assert not (tmp_path / "audio" / ".failures.json").exists()


def test_serve_starts_despite_a_bad_article_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """serve answers at once and narrates in the background: the good article is
    published, the bad one is reported (stderr and /healthz), and SIGTERM stops it all."""
    content(tmp_path, good=GOOD, bad="<html><body></body></html>")
    proc = subprocess.Popen(
        [sys.executable, "-m", "baclovoice", "serve", "--engine", "fake", "--port", "0"],
        cwd=tmp_path,
        env=environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving baclovoice on http://127.0.0.1:"), line
        health = _wait_for_health(
            line.split()[3] + "healthz", lambda h: bool(h.get("failures")) and h["articles"] == 1
        )
        assert health["status"] == "degraded" and health["articles"] == 1
        assert [f["slug"] for f in health["failures"]] == ["bad"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "error: bad was not built" in err and "Stopped." in err
    assert "Traceback" not in err


def _wait_for_health(url: str, done: Callable[[dict], bool], timeout: float = 60) -> dict:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(url, timeout=10) as response:
            health = json.loads(response.read())
        if done(health) or time.monotonic() > deadline:
            return health
        time.sleep(0.2)


# --- 3: workers die with the build; signals end it cleanly ---------------------------


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for init to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("how", "code", "message"),
    [
        ("SIGKILL", -signal.SIGKILL, ""),
        ("SIGTERM", 128 + signal.SIGTERM, "Stopped (SIGTERM); everything already built is kept."),
        ("Ctrl-C", 130, "Interrupted; everything already built is kept."),
    ],
)
def test_workers_exit_when_the_build_is_stopped(
    tmp_path: Path, how: str, code: int, message: str
) -> None:
    content(tmp_path, many=MANY)
    proc = subprocess.Popen(
        [sys.executable, str(SLOW_VOICE), "build"] + ["--engine", "fake", "--jobs", "2"],
        cwd=tmp_path,
        env=environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        assert wait_until(lambda: len(children(proc.pid)) >= 2), "no worker processes"
        workers = children(proc.pid)
        cache = tmp_path / "audio" / ".cache" / "sentences"
        assert wait_until(lambda: any(cache.rglob("*.wav")))  # some work is done
        if how == "Ctrl-C":
            os.killpg(proc.pid, signal.SIGINT)  # the terminal signals the whole group
        else:
            proc.send_signal(getattr(signal, how))
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err
    assert message in err and "Traceback" not in err
    assert wait_until(lambda: not any(alive(w) for w in workers), 10), "workers outlived it"
    assert any(cache.rglob("*.wav"))
    if how != "SIGKILL":  # a process killed mid-write cannot tidy up; gc removes its temp file
        assert not list(tmp_path.rglob("*.tmp"))


# --- 5: a full disk is a message, and nothing corrupt is left -------------------------


def test_full_disk_is_a_clear_message_and_leaves_nothing_corrupt(tmp_path: Path) -> None:
    unshare = require_program("unshare", "apt-get install util-linux")
    content(tmp_path, tiny=SMALL_ARTICLE)
    audio = tmp_path / "audio"
    audio.mkdir()
    build = [sys.executable, "-m", "baclovoice", "build", "--engine", "fake", "--jobs", "1"]
    # A private 96 KB tmpfs over the audio folder, in a mount namespace of our own.
    script = f'mount -t tmpfs -o size=96k tmpfs "{audio}" && exec "$@"'
    result = subprocess.run(
        [unshare, "--mount", "--map-root-user", "sh", "-c", script, "sh", *build],
        cwd=tmp_path,
        env=environ(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "mount" in result.stderr and result.returncode and "error:" not in result.stderr:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs here: {result.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 7, result.stderr
    assert "Traceback" not in result.stderr
    assert "error: Cannot write" in result.stderr and "the disk is full" in result.stderr
    assert "hint: Free some space" in result.stderr


# --- 9: odd options and folders -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["build", "--engine", "fake", "--audio-dir", "afile"], "is a file, not a folder"),
        (["serve", "--no-build", "--audio-dir", "afile"], "is a file, not a folder"),
        (["gc", "--audio-dir", "afile"], "is a file, not a folder"),
        (["serve", "--no-build", "--port", "99999"], "99999 is not in the range"),
        (["serve", "--no-build", "--port", "-1"], "not in the range"),
        (["serve", "--no-build", "--read-timeout", "0"], "must be positive"),
        (["export", "out"], "base URL is needed"),
        (["export", "out", "--base-url", "ftp://x"], "is not an http(s) URL"),
        (["deploy", "nginx"], "base URL is needed"),
    ],
)
def test_odd_options_are_messages_not_tracebacks(
    tmp_path: Path, run_cli: RunCli, args: list[str], words: str
) -> None:
    content(tmp_path, good=GOOD)
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_gc_dry_run_creates_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("gc", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Would remove 0 file(s)" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_gc_dry_run_takes_no_lock(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "audio" / "a").mkdir(parents=True)
    (tmp_path / "audio" / "a" / "stale.mp3").write_bytes(b"x" * 10)
    result = run_cli("gc", "--dry-run", cwd=tmp_path)
    assert "stale.mp3" in result.stdout and "Would remove 1 file(s)" in result.stdout
    assert sorted(p.name for p in (tmp_path / "audio").iterdir()) == ["a"]


def test_failure_record_is_json_with_file_reason_and_hint(tmp_path: Path, run_cli: RunCli) -> None:
    content(tmp_path, bad="<h1>Only a title</h1>")
    assert run_cli("build", "--engine", "fake", cwd=tmp_path).returncode == 2
    record = json.loads((tmp_path / "audio" / ".failures.json").read_text(encoding="utf-8"))
    (failure,) = record["failures"]
    assert failure["slug"] == "bad" and failure["file"].endswith("bad.html")
    assert failure["reason"] and failure["hint"]
