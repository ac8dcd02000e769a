"""``baclovoice worker`` and the service's settings on the command line."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.service.conftest import wait_for
from tests.service.journeys import children, gone

BAD = [
    # (args, exit code, words in the message)
    (["worker", "--queue", "amqp://127.0.0.1/"], 2, "Unknown task queue"),
    (["serve", "--api-token", "short"], 2, "too short"),
    (["serve", "--reconcile-interval", "0"], 2, "reconcile_interval"),
    (["worker", "--engine", "espeak"], 2, "espeak"),
    (["worker", "--processes", "0"], 2, "processes"),
    (["worker", "--engine", "fake", "--queue", "redis://127.0.0.1:1/0"], 8, "cannot be reached"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_service_settings_give_a_clear_message(
    tmp_path: Path, args: list[str], code: int, words: str
) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_worker_stops_with_its_processes(tmp_path: Path, stop: signal.Signals) -> None:
    env_args = ["--engine", "fake", "--audio-dir", str(tmp_path / "audio")]
    process = subprocess.Popen(
        [sys.executable, "-m", "baclovoice", "worker", "--processes", "2", *env_args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        forked = wait_for(lambda: len(children(process.pid)) == 3 and children(process.pid), 30,
                          "two workers and the scheduler")  # fmt: skip
        time.sleep(0.5)  # past start-up
        process.send_signal(stop)
        assert process.wait(timeout=20) in (0, -stop)
        wait_for(lambda: all(gone(pid) for pid in forked), 10, "its processes to exit")
        assert b"Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
