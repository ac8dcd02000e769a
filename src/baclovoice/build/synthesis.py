"""Synthesis: speak every missing sentence into the sentence cache.

Worker processes (one voice per process, one ONNX thread each) because Piper's
single-session threading leaves much of the second core idle; a handful of
sentences are spoken in-process, where starting workers would cost more.
Each worker builds its own engine from the factory it is handed.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from baclovoice import audio
from baclovoice.build.store import AudioStore
from baclovoice.engines import Engine, EngineFactory

# Fewer missing sentences than this are synthesized in-process: starting worker
# processes (each loading the voice) costs more than it saves.
POOL_THRESHOLD = 6

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

Progress = Callable[[int, int], None]  # (sentences synthesized so far, sentences to synthesize)
Cached = Callable[[str], None]  # told each sentence's key as soon as it is in the cache

_WORKER_ENGINE: Engine | None = None


def _die_with_parent(parent: int) -> None:
    """Make this worker die when the build does, even by SIGKILL (Linux prctl PDEATHSIG).

    Ctrl-C reaches the whole process group; the parent handles it and stops the
    pool, so a worker ignores SIGINT instead of printing its own traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(factory: EngineFactory, parent: int) -> None:
    global _WORKER_ENGINE
    _die_with_parent(parent)
    _WORKER_ENGINE = factory(1)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop at once (interrupted, or a sentence failed): drop queued work, end the workers."""
    pool.shutdown(wait=False, cancel_futures=True)
    processes = getattr(pool, "_processes", None) or {}  # no public API before Python 3.14
    for process in list(processes.values()):
        process.terminate()


def _synthesize_in_worker(speech: str) -> bytes:
    if _WORKER_ENGINE is None:  # pragma: no cover - initializer always runs first
        raise RuntimeError("worker engine not initialized")
    return audio.wav_bytes(_WORKER_ENGINE.synthesize(speech))


def _preload_audio_libraries() -> None:
    """Import mastering's libraries in a thread while synthesis (which frees the GIL) runs."""
    threading.Thread(target=audio.preload, name="preload-audio", daemon=True).start()


def synthesize(
    jobs: dict[str, str],
    store: AudioStore,
    engine: Engine,
    factory: EngineFactory,
    workers: int,
    progress: Progress | None = None,
    *,
    on_cached: Cached | None = None,
) -> None:
    """Synthesize every (key → speech) into ``store``, handed out in the order given:
    with ``engine`` in this process, or with ``workers`` processes that each make their
    own engine from ``factory``. ``on_cached`` hears of each sentence once it is cached.

    Worker processes rather than threads sharing one session: a long sentence needs
    ~300 MB of activations, so two at once in one process would pass 600 MB.
    """
    if not jobs:
        return
    ordered = list(jobs.items())
    workers = min(workers, len(ordered))

    def cached(done: int, key: str, wav: bytes) -> None:
        store.write_sentence(key, wav)
        if on_cached:
            on_cached(key)
        if progress:
            progress(done, len(ordered))

    if workers <= 1 or len(ordered) < POOL_THRESHOLD:
        _preload_audio_libraries()
        for done, (key, speech) in enumerate(ordered, 1):
            cached(done, key, audio.wav_bytes(engine.synthesize(speech)))
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(factory, os.getpid())
    ) as pool:
        try:
            futures = {pool.submit(_synthesize_in_worker, speech): key for key, speech in ordered}
            _preload_audio_libraries()  # after the workers are forked: no import lock to inherit
            for done, future in enumerate(as_completed(futures), 1):
                cached(done, futures[future], future.result())
        except BaseException:
            _stop(pool)
            raise
