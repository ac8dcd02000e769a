"""What the downloads (read-along book, audiobook) cost a build, measured side by side.

On the seed article built with the ``fake`` engine (tones as long as Piper's speech, so
the audio work is the same and no voice is loaded), alternating in one run:

- making each download alone: the EPUB (packing) and the M4B (AAC encoding);
- a one-sentence-edit rebuild with every download vs with none (``--formats none``).

Time figures on a shared 2-core machine are noisy: compare the ratios, not the seconds.

Run: .venv/bin/python benchmarks/bench_downloads.py [ROUNDS]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "content" / "baclofen-for-anxiety.html"
SLUG = SEED.stem
EDIT = ("muscle relaxant", "muscle-relaxing drug")


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main(rounds: int = 3) -> None:
    from baclovoice import manifest
    from baclovoice.build import publish
    from baclovoice.build.builder import build
    from baclovoice.build.store import AudioStore
    from baclovoice.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
    try:
        (folder / "content").mkdir()
        shutil.copy(SEED, folder / "content" / SEED.name)
        settings = Settings.load(
            environ={}, content_dir=folder / "content", audio_dir=folder / "audio", engine="fake"
        )
        build(settings)
        store = AudioStore(settings.audio_dir)
        m = manifest.load(settings.audio_dir, SLUG)
        cover = store.read(m.cover) or b""
        pub = publish.Publisher(store, engine=m.engine, voice=m.voice, force=True)
        times: dict[str, list[float]] = {k: [] for k in ("epub", "m4b", "edit+all", "edit+none")}
        html = folder / "content" / SEED.name
        original = html.read_text(encoding="utf-8")
        for round_ in range(rounds):
            times["epub"].append(timed(lambda: publish.publish_epub(pub, m, cover)))
            times["m4b"].append(timed(lambda: publish.publish_m4b(pub, m, cover)))
            for formats in ("epub,m4b", "none") if round_ % 2 == 0 else ("none", "epub,m4b"):
                edited = original.replace(*EDIT) if html.read_text() == original else original
                html.write_text(edited, encoding="utf-8")
                key = "edit+all" if formats != "none" else "edit+none"
                times[key].append(timed(lambda f=formats: build(settings.replace(formats=f))))
        median = {k: statistics.median(v) for k, v in times.items()}
        audio = m.duration
        print(f"seed article, {audio / 60:.1f} min of audio, {rounds} alternating rounds (medians)")
        print(f"  EPUB, packed from the section MP3s:   {median['epub']:.2f} s")
        print(
            f"  M4B, AAC encoding of the whole MP3:  {median['m4b']:.2f} s "
            f"({audio / median['m4b']:.0f}x real time)"
        )
        print(f"  one-sentence edit, every download:   {median['edit+all']:.2f} s")
        print(f"  one-sentence edit, no downloads:     {median['edit+none']:.2f} s")
        ratio = median["edit+all"] / median["edit+none"]
        print(f"  ratio, edit with / without downloads: {ratio:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
