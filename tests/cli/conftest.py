"""Running the command line in-process: ``main()`` exactly as the console script calls it.

A fresh interpreter per command costs about a second of CPU (imports); the suite runs
most commands in-process and keeps real processes for what only a process shows
(signals, the server, the worker pool, the console entry point itself).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Result:
    """What a command left: its exit code and what it printed (like CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli(*args, cwd=..., env=...)``: no BACLOVOICE_* variable but those in ``env``."""
    from baclovoice.cli import main

    def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
        capsys.readouterr()  # what the test printed before is not the command's
        previous = signal.getsignal(signal.SIGTERM)  # main() installs its own handler
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            for name in [k for k in os.environ if k.startswith("BACLOVOICE_")]:
                patch.delenv(name)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            try:
                main(list(args))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            finally:
                signal.signal(signal.SIGTERM, previous)
        printed = capsys.readouterr()
        return Result(code, printed.out, printed.err)

    return run
