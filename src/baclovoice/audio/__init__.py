"""The audio stage: sentence PCM in, loudness-normalized, tagged MP3 out.

Small pure functions over :class:`Pcm` (``assemble`` → ``master`` → ``encode_mp3``),
each testable on its own output; ffmpeg runs only through :class:`Ffmpeg`, in
pipes or a private temporary folder. Modules:

- ``pcm``: the sample type, silence, joining sentences, the WAV cache format
- ``ffmpeg``: which binary runs (bundled by default), running it, decoding
- ``loudness``: -16 LUFS integrated with a true-peak limiter
- ``mp3``: encoding with a true-peak check, frame counts, joining without re-encoding
- ``id3``: tags, cover art and chapters
"""

from baclovoice.audio.ffmpeg import BUNDLED, Ffmpeg, decode
from baclovoice.audio.id3 import DEFAULT_COMMENT, Chapter, Tags
from baclovoice.audio.loudness import loudness, master, preload, true_peak_db
from baclovoice.audio.mp3 import (
    FRAME_SAMPLES,
    concat_mp3,
    encode_mp3,
    mp3_duration,
    mp3_frames,
    part_starts,
)
from baclovoice.audio.pcm import SAMPLE_RATE, Pcm, assemble, read_wav, silence, wav_bytes

__all__ = [
    "BUNDLED",
    "DEFAULT_COMMENT",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "Chapter",
    "Ffmpeg",
    "Pcm",
    "Tags",
    "assemble",
    "concat_mp3",
    "decode",
    "encode_mp3",
    "loudness",
    "master",
    "mp3_duration",
    "mp3_frames",
    "part_starts",
    "preload",
    "read_wav",
    "silence",
    "true_peak_db",
    "wav_bytes",
]
