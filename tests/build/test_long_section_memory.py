"""A 20-minute section is mastered and encoded in bounded memory.

The 1,500-word unpunctuated paragraph is one section of 19.4 minutes. Mastering and
encoding it whole took the build's main process to 2.2 GB; piece by piece, 352 MB
(the real paragraph's whole build, 2026-12-03, quoted in the README). This test
publishes such a section the way the build does (``publish_section``: cached sentences
in, mastered MP3 out) in a subprocess whose peak resident memory is measured on its
own: 337 MB on 2026-12-03, the test taking 80-90 s on two busy cores (mostly MP3
encoding). The audio is real Piper speech (three sentences spoken once, repeated to
fill the paragraph's 148 utterances), so the limiter and the MP3 true-peak check do
the work they do in a real build.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from baclovoice import audio
from baclovoice.engines import create_engine
from baclovoice.settings import Settings
from tests.conftest import ROOT

LIMIT_MB = 1024
SECONDS = 19.5 * 60  # of speech, before the pauses between utterances
SENTENCES = [
    "Baclofen is a muscle relaxant that acts on the GABA B receptors of the nervous system.",
    "Some people take it for anxiety, although the evidence for that use is still limited.",
    "Talk with your healthcare provider before you start or stop any medicine like this one.",
]
MEASURE = """
import json, math, resource, sys, time
from pathlib import Path

import numpy as np

from baclovoice import audio
from baclovoice.audio.loudness import block_true_peaks, chunked_loudness
from baclovoice.audio.pcm import float_chunks
from baclovoice.build.plan import plan_article
from baclovoice.build.publish import Publisher, publish_section
from baclovoice.build.store import AudioStore
from baclovoice.settings import Settings
from baclovoice.speech.lexicon import Lexicon

root, seconds = Path(sys.argv[1]), float(sys.argv[2])
settings = Settings.load(environ={}, content_dir=root / "content", audio_dir=root / "audio")
plan = plan_article(settings, "long", Lexicon((), ""), {"engine": "piper"})
store, keys = AudioStore(settings.audio_dir), plan.keys[0]
speech = audio.read_wav((root / "speech.wav").read_bytes())
piece = round(seconds * speech.sample_rate / len(keys))
track = np.resize(speech.samples, piece * len(keys))  # the speech over and over
for n, key in enumerate(keys):
    part = audio.Pcm(track[n * piece : (n + 1) * piece], speech.sample_rate)
    store.write_sentence(key, audio.wav_bytes(part))
del track, part

started = time.perf_counter()
entry = publish_section(Publisher(store=store, engine="piper", voice="test"), plan, 0)
took = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

# Checked after the peak was read: this decodes the whole file.
decoded = audio.decode(store.path(entry.audio.file).read_bytes())
peak = float(block_true_peaks(float_chunks(decoded), floor=0.0).max())
print(json.dumps({
    "utterances": len(keys),
    "minutes": entry.audio.duration / 60,
    "publish_seconds": took,
    "peak_mb": peak_mb,
    "lufs": chunked_loudness(float_chunks(decoded), len(decoded.samples), decoded.sample_rate),
    "true_peak_db": 20 * math.log10(peak),
}))
"""


@pytest.mark.slow
def test_a_20_minute_section_publishes_in_under_1_gb(tmp_path: Path) -> None:
    engine = create_engine("piper", Settings.load(environ={}), threads=1)
    spoken = [(engine.synthesize(text), 0.4) for text in SENTENCES]
    (tmp_path / "speech.wav").write_bytes(audio.wav_bytes(audio.assemble(spoken)[0]))
    words = [f"word{n % 97}" if n % 7 else "and" for n in range(1500)]
    (tmp_path / "content").mkdir()
    html = f"<h1>Long</h1><p>{' '.join(words)}</p>"
    (tmp_path / "content" / "long.html").write_text(html, encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path), str(SECONDS)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"20-minute section: {result}")
    assert result["utterances"] > 100 and result["minutes"] > 19.5
    assert result["peak_mb"] <= LIMIT_MB
    assert result["lufs"] == pytest.approx(-16.0, abs=1.0)
    assert result["true_peak_db"] <= -1.0
