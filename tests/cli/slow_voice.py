"""`baclovoice` with the fake engine slowed to 0.3 s a sentence (asleep, not busy).

Run as a script in place of ``python -m baclovoice``: a build, or a service's
narration, stays in synthesis long enough to be signalled or killed while its worker
processes run (they inherit the slowed engine by fork), at almost no CPU cost.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from baclovoice import cli
from baclovoice.audio.pcm import Pcm
from baclovoice.engines import fake

SECONDS_PER_SENTENCE = 0.3
SCRIPT = Path(__file__)
_original = fake.FakeEngine.synthesize


def _slow(self: fake.FakeEngine, text: str) -> Pcm:
    time.sleep(SECONDS_PER_SENTENCE)
    return _original(self, text)


if __name__ == "__main__":
    fake.FakeEngine.synthesize = _slow  # type: ignore[method-assign]
    cli.main(sys.argv[1:])
