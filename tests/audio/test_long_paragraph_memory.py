"""A 1,500-word paragraph without punctuation is spoken by the real voice in flat memory.

Before utterances were capped, Piper got the paragraph as one utterance: over 8 GB.
Now the script splits it into pieces of at most 200 characters; Piper's memory
depends on the length of one utterance, not on how many there are, so the test
speaks the longest piece of the paragraph's real script (speaking all of it takes
minutes) in a subprocess whose peak resident memory is measured on its own
(435 MB on 2026-12-03, quoted in the README).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LIMIT_MB = 1024
MEASURE = """
import json, resource
from baclovoice.engines import create_engine
from baclovoice.ingest.walker import parse_article
from baclovoice.settings import Settings
from baclovoice.speech.lexicon import Lexicon
from baclovoice.speech.script import narrate

words = [f"word{n % 97}" if n % 7 else "and" for n in range(1500)]
article = parse_article(f"<h1>Long</h1><p>{' '.join(words)}</p>", "long")
utterances = [u for s in narrate(article, Lexicon((), "")) for u in s.utterances]
longest = sorted(utterances, key=lambda u: len(u.speech), reverse=True)[:1]
engine = create_engine("piper", Settings.load(environ={}), threads=1)
seconds = sum(engine.synthesize(u.speech).duration for u in longest)
print(json.dumps({
    "utterances": len(utterances),
    "longest_chars": max(len(u.text) for u in utterances),
    "spoken_seconds": seconds,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


@pytest.mark.slow
def test_the_longest_pieces_of_a_1500_word_paragraph_stay_under_1_gb(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"1,500-word paragraph: {result}")
    assert result["utterances"] > 20 and result["longest_chars"] <= 200
    assert result["spoken_seconds"] > 10  # the longest piece, about 30 words, was spoken
    assert result["peak_mb"] <= LIMIT_MB
