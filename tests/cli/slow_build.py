"""`baclovoice` with the fake engine slowed to 0.3 s a sentence, for signal tests.

Run as a script: the build stays in its synthesis phase long enough to be
signalled while its worker processes run (they inherit the slowed engine by fork).
"""

from __future__ import annotations

import sys
import time

from baclovoice import cli
from baclovoice.audio.pcm import Pcm
from baclovoice.engines import fake

SECONDS_PER_SENTENCE = 0.3
_original = fake.FakeEngine.synthesize


def _slow(self: fake.FakeEngine, text: str) -> Pcm:
    time.sleep(SECONDS_PER_SENTENCE)
    return _original(self, text)


if __name__ == "__main__":
    fake.FakeEngine.synthesize = _slow  # type: ignore[method-assign]
    cli.main(sys.argv[1:])
