"""The command line: clear messages and non-zero exits for bad input, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_HTML, SEED_TEXT


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
    environ["PYTHONPATH"] = str(ROOT / "src")
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "baclovoice", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_commands(tmp_path):
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("import", "build", "serve", "gc"):
        assert command in result.stdout


def test_import_seed_reproduces_committed_content(tmp_path, run_cli):
    result = run_cli("import", str(SEED_TEXT), "--content-dir", str(tmp_path / "c"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "c" / "baclofen-for-anxiety.html"
    assert written.read_text(encoding="utf-8") == SEED_HTML.read_text(encoding="utf-8")


BAD_INPUT = [
    # (name, setup, args, expected words in the message)
    ("missing import file", None, ["import", "nope.txt"], "nope.txt"),
    ("unknown extension", ("a.pdf", b"%PDF"), ["import", "a.pdf"], "a.pdf"),
    ("empty import file", ("empty.txt", b""), ["import", "empty.txt"], "empty"),
    (
        "undecodable bytes",
        ("bad.txt", b"Title\n\n\xff\xfe\xfa bad"),
        ["import", "bad.txt"],
        "UTF-8",
    ),
    (
        "bad slug",
        ("ok.txt", b"Title\n\nSome text."),
        ["import", "ok.txt", "--slug", "Bad Slug!"],
        "slug",
    ),
    ("no articles", None, ["build"], "No articles"),
    ("unknown slug", ("content/a.html", b"<h1>A</h1><p>Text.</p>"), ["build", "zzz"], "zzz"),
    (
        "unknown engine",
        ("content/a.html", b"<h1>A</h1><p>Text.</p>"),
        ["build", "--engine", "espeak"],
        "espeak",
    ),
    (
        "bad bitrate",
        ("content/a.html", b"<h1>A</h1><p>Text.</p>"),
        ["build", "--bitrate", "9999"],
        "itrate",
    ),
    ("empty article", ("content/a.html", b"<html><body></body></html>"), ["build"], "no title"),
    ("no text", ("content/a.html", b"<h1>Only a title</h1>"), ["build"], "no narratable text"),
    ("undecodable article", ("content/a.html", b"<h1>\xff\xfe</h1>"), ["build"], "UTF-8"),
    (
        "missing voice",
        ("content/a.html", b"<h1>A</h1><p>Text.</p>"),
        ["build", "--voice", "/nope/voice.onnx"],
        "voice.onnx",
    ),
]


@pytest.mark.parametrize(
    ("name", "setup", "args", "words"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT]
)
def test_bad_input_gives_a_clear_message(tmp_path, run_cli, name, setup, args, words):
    (tmp_path / "content").mkdir()
    if setup:
        path = tmp_path / setup[0]
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(setup[1])
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr and words.lower() in result.stderr.lower()
    assert not list((tmp_path / "content").glob(".*.tmp"))


def test_failed_build_keeps_what_was_built(tmp_path, run_cli):
    """A broken article stops the build with a message; the existing manifest is untouched."""
    audio_dir = tmp_path / "audio"
    manifest_file = audio_dir / "a" / "manifest.json"
    manifest_file.parent.mkdir(parents=True)
    manifest_file.write_text('{"precious": true}', encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.html").write_bytes(b"<html><body></body></html>")
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode != 0
    assert manifest_file.read_text(encoding="utf-8") == '{"precious": true}'


def test_environment_sets_folders(tmp_path, run_cli):
    env = {"BACLOVOICE_CONTENT_DIR": str(tmp_path / "elsewhere")}
    result = run_cli("build", cwd=tmp_path, env=env)
    assert result.returncode != 0 and "elsewhere" in result.stderr


def test_serve_prints_its_url_and_answers(tmp_path):
    """`baclovoice serve` runs the production server (waitress) and prints where."""
    import urllib.request

    environ = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
    environ |= {"PYTHONPATH": str(ROOT / "src"), "BACLOVOICE_AUDIO_DIR": str(tmp_path / "a")}
    environ["BACLOVOICE_ENGINE"] = "fake"  # its narration workers need no voice here
    (tmp_path / "a").mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "baclovoice", "serve", "--no-build", "--port", "0"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving baclovoice on http://127.0.0.1:")
        url = line.split()[3]
        with urllib.request.urlopen(url + "healthz", timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(url, timeout=10) as response:
            assert "baclovoice" in response.read().decode()
        # SIGTERM while requests are in flight (the signal lands inside waitress's
        # channel handlers) still stops the server cleanly, at once.
        stop = threading.Event()
        hammer = threading.Thread(target=_fetch_until, args=(url + "healthz", stop))
        hammer.start()
        time.sleep(0.5)
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
        stop.set()
        hammer.join(timeout=10)
        assert proc.returncode == 0, stderr
        assert "Stopped." in stderr
        assert "uncaptured" not in stderr and "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _fetch_until(url: str, stop: threading.Event) -> None:
    import urllib.request

    while not stop.is_set():
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
        except OSError:
            pass  # the server has stopped listening: the point of the test


def _corrupt_manifest(root: Path) -> None:
    (root / "audio" / "a").mkdir(parents=True)
    (root / "audio" / "a" / "manifest.json").write_text("{not json", encoding="utf-8")


def _voice_that_cannot_load(root: Path) -> None:
    """A voice whose config is fine but whose model is not an ONNX file."""
    from baclovoice.engines.piper import default_voice_path

    config = Path(str(default_voice_path()) + ".json")
    (root / "broken.onnx").write_bytes(b"this is not an onnx model")
    (root / "broken.onnx.json").write_bytes(config.read_bytes())


ARTICLE = b"<h1>A</h1><p>Some text to read.</p>"

# (what fails, setup, arguments, exit code): one row per exit code of errors.py.
EXIT_CODES = [
    ("input: unknown slug", None, ["build", "nope"], 2),
    (
        "engine: a voice that cannot load",
        _voice_that_cannot_load,
        ["build", "--voice", "broken.onnx"],
        3,
    ),
    (
        "audio: an ffmpeg that fails",
        None,
        ["build", "--engine", "fake", "--ffmpeg", "/bin/false"],
        4,
    ),
    ("manifest: a corrupt manifest", _corrupt_manifest, ["gc"], 5),
]


@pytest.mark.parametrize(
    ("name", "setup", "args", "code"), EXIT_CODES, ids=[e[0] for e in EXIT_CODES]
)
def test_exit_codes(tmp_path, run_cli, name, setup, args, code):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.html").write_bytes(ARTICLE)
    if setup:
        setup(tmp_path)
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "error:" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_code_6_when_another_build_holds_the_lock(tmp_path, monkeypatch, capsys):
    from baclovoice.build import store
    from baclovoice.cli import main

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.html").write_bytes(ARTICLE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
    with store.AudioStore(tmp_path / "audio").lock(), pytest.raises(SystemExit) as exited:
        main(["build", "--engine", "fake"])
    assert exited.value.code == 6
    assert "Another build" in capsys.readouterr().err


def test_build_with_the_fake_engine_then_serve_it(tmp_path, run_cli):
    """The whole command line path without a voice: build, rebuild from cache, gc."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.html").write_bytes(ARTICLE)
    env = {"BACLOVOICE_ENGINE": "fake"}
    first = run_cli("build", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "a: 2 sentences (2 synthesized, 0 cached)" in first.stdout  # title spoken once
    again = run_cli("build", cwd=tmp_path, env=env)
    assert "a: 2 sentences (0 synthesized, 2 cached), 0 audio files written, up to date" in (
        again.stdout
    )
    assert (tmp_path / "audio" / "a" / "manifest.json").is_file()
    assert run_cli("gc", "--dry-run", cwd=tmp_path).returncode == 0
