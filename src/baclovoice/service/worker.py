"""Consumers: Huey worker processes that keep the voice loaded, plus the reconcile timer.

``run_worker`` is ``baclovoice worker`` (blocks; Ctrl-C stops it after the tasks in
hand, SIGTERM at once); ``Background`` is the same inside ``baclovoice serve``, which
keeps its own signal handling for the web server. Worker processes die with the
process that started them (Linux ``PR_SET_PDEATHSIG``), so a killed worker command
leaves no orphans holding a voice; its lost task is recovered by reconcile.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from huey.consumer import Consumer, Scheduler, Worker

from baclovoice import audio
from baclovoice.engines import EngineFactory
from baclovoice.errors import BaclovoiceError
from baclovoice.service.queue import NarrationQueue
from baclovoice.settings import Settings

log = logging.getLogger(__name__)

# An idle worker polls the SQLite queue this often at most (Redis wakes it at once).
POLL_FIRST, POLL_BACKOFF, POLL_MAX = 0.05, 1.2, 0.1
HEALTH_CHECK = 2.0  # seconds between checks that every worker process is alive
# Ctrl-C lets tasks in hand finish this long; then they are interrupted (reconcile redoes them).
SHUTDOWN_TIMEOUT = 10.0
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    parent = os.getppid()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def threads_per_process(processes: int) -> int:
    """ONNX threads per worker process: the cores shared out, at least one."""
    return max(1, (os.cpu_count() or 1) // max(1, processes))


def make_queue(
    settings: Settings, processes: int, engines: EngineFactory | None = None
) -> NarrationQueue:
    queue = NarrationQueue(settings, engines, threads=threads_per_process(processes))

    def warm_up() -> None:  # in each worker process, as it starts
        try:
            queue.runtime().warm_up()
        except BaclovoiceError as exc:  # reported again by the first task that needs it
            log.error("Cannot load the voice: %s", exc)

    queue.huey.on_startup("warm-up")(warm_up)
    return queue


def _exit_now(signum: int, frame: object) -> None:
    os._exit(0)


class _Worker(Worker):
    def initialize(self) -> None:
        """Start-up hooks load the voice: a stop request meanwhile ends the process at once
        (Huey ignores SIGTERM between tasks, and loading holds nothing to clean up)."""
        die_with_parent()
        previous = signal.signal(signal.SIGTERM, _exit_now)
        try:
            super().initialize()
        finally:
            signal.signal(signal.SIGTERM, previous)


class _Scheduler(Scheduler):
    def initialize(self) -> None:
        die_with_parent()
        super().initialize()


class _Consumer(Consumer):
    """Huey's consumer whose processes (workers and scheduler) die with it.

    ``started`` runs once the processes are forked: threads that use the queue must
    start after the fork, or a child can inherit a lock held mid-call (SQLite's)."""

    worker_class = _Worker
    scheduler_class = _Scheduler
    started: Callable[[], None] | None = None

    def start(self) -> None:
        # The mastering libraries (scipy, pyloudnorm: 1-2 s of CPU to import) are loaded
        # once, before the fork, so every worker process shares them instead of importing
        # them again as it warms up.
        audio.preload()
        super().start()
        if self.started is not None:
            self.started()


def consumer(queue: NarrationQueue, processes: int) -> _Consumer:
    return _Consumer(
        queue.huey,
        workers=processes,
        worker_type="process",
        periodic=False,
        initial_delay=POLL_FIRST,
        backoff=POLL_BACKOFF,
        max_delay=POLL_MAX,
        check_worker_health=True,
        health_check_interval=HEALTH_CHECK,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )


class Reconciler(threading.Thread):
    """Asks for a reconcile at start and every ``reconcile_interval`` seconds."""

    def __init__(self, queue: NarrationQueue, everything: bool) -> None:
        super().__init__(name="reconcile-timer", daemon=True)
        self.queue = queue
        self.everything = everything
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            with self.queue.reachable():
                self.queue.start_reconcile(self.everything)
        except BaclovoiceError as exc:
            log.error("%s", exc)
        while not self.stopped.wait(self.queue.settings.reconcile_interval):
            try:
                self.queue.request_reconcile(self.everything)
            except BaclovoiceError as exc:
                log.error("%s", exc)

    def stop(self) -> None:
        self.stopped.set()


def run_worker(settings: Settings, processes: int, engines: EngineFactory | None = None) -> None:
    """``baclovoice worker``: consume until interrupted, reconciling every article."""
    queue = make_queue(settings, processes, engines)
    queue.check()
    runner = consumer(queue, processes)
    timer = Reconciler(queue, everything=True)
    runner.started = timer.start
    log.info(
        "Worker: %d process(es) on the %s queue", processes, settings.queue or "embedded SQLite"
    )
    try:
        runner.run()
    finally:
        timer.stop()


class Background:
    """Consumers inside another program (``serve``): started, checked, stopped by it."""

    def __init__(
        self,
        settings: Settings,
        processes: int,
        *,
        everything: bool = True,
        engines: EngineFactory | None = None,
    ) -> None:
        self.queue = make_queue(settings, processes, engines)
        self.consumer = consumer(self.queue, processes)
        self.timer = Reconciler(self.queue, everything)
        self._stopped = threading.Event()
        self._health = threading.Thread(target=self._check, name="worker-health", daemon=True)

    def start(self) -> None:
        with _signals_kept():  # Huey's handlers would take Ctrl-C from the web server
            self.consumer.start()
        self._health.start()
        self.timer.start()

    def _check(self) -> None:
        while not self._stopped.wait(HEALTH_CHECK):
            self.consumer.check_worker_health()

    def stop(self) -> None:
        self.timer.stop()
        self._stopped.set()
        self.consumer.stop(graceful=False)


@contextmanager
def _signals_kept() -> Iterator[None]:
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    saved = {sig: signal.getsignal(sig) for name in names if (sig := getattr(signal, name, None))}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
