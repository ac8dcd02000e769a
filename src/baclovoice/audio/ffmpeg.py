"""The ffmpeg process: which binary runs, running it, and decoding through pydub.

The bundled imageio-ffmpeg binary is the default on every machine, so durations,
loudness and test results never depend on whichever ffmpeg happens to be on PATH;
``BACLOVOICE_FFMPEG`` / ``--ffmpeg`` chooses another one explicitly.
"""

from __future__ import annotations

import functools
import io
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from mutagen.mp3 import HeaderNotFoundError, MPEGFrame, skip_id3

from baclovoice.audio.pcm import Pcm
from baclovoice.errors import AudioError, InputError


@functools.cache
def bundled_path() -> str:
    """imageio-ffmpeg's static binary (shipped inside the PyPI wheel)."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise AudioError(
            f"The bundled ffmpeg (imageio-ffmpeg) is missing: {exc}",
            "Reinstall baclovoice (pip install -e .), or set BACLOVOICE_FFMPEG to an ffmpeg.",
        ) from None


@dataclass(frozen=True)
class Ffmpeg:
    """One ffmpeg binary; ``executable`` empty means the bundled one."""

    executable: str = ""

    @property
    def path(self) -> str:
        return self.executable or bundled_path()

    def checked(self) -> Ffmpeg:
        """Self, if the chosen binary exists and is executable; InputError otherwise."""
        if self.executable and not (
            os.path.isfile(self.executable) and os.access(self.executable, os.X_OK)
        ):
            raise InputError(
                f"ffmpeg {self.executable!r} is not an executable file.",
                "Point BACLOVOICE_FFMPEG / --ffmpeg at an ffmpeg binary, or leave it empty "
                "to use the bundled one.",
            )
        return self

    def run(self, args: Sequence[str], stdin: bytes = b"") -> bytes:
        """Run ffmpeg with ``stdin`` piped in; its stdout, or AudioError with its complaint."""
        cmd = [self.path, "-hide_banner", "-nostats", "-v", "error", *args]
        try:
            done = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
        except OSError as exc:
            raise AudioError(f"Cannot run ffmpeg ({cmd[0]}): {exc}", self._hint()) from None
        if done.returncode != 0:
            complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise AudioError(
                f"ffmpeg ({cmd[0]}) failed: {' / '.join(complaint) or done.returncode}",
                self._hint(),
            )
        return done.stdout

    def _hint(self) -> str:
        if self.executable:
            return (
                "Check that ffmpeg, or unset BACLOVOICE_FFMPEG / --ffmpeg to use the bundled one."
            )
        return "Reinstall the bundled ffmpeg: pip install --force-reinstall imageio-ffmpeg"


BUNDLED = Ffmpeg()


def _mp3_truncated(data: bytes) -> bool:
    """True if the last MPEG frame is cut short, or there is no MPEG frame at all.

    ffmpeg decodes a cut-off MP3 without complaint, giving silently short audio.
    Walking frame headers (mutagen's parser) catches a cut inside a frame; a walk that
    meets non-frame bytes (a trailing tag) stops there and trusts the decoder.
    """
    stream = io.BytesIO(data)
    try:
        skip_id3(stream)
        MPEGFrame(stream)
    except (HeaderNotFoundError, EOFError, OSError):
        return True
    while stream.tell() < len(data):
        try:
            MPEGFrame(stream)
        except (HeaderNotFoundError, EOFError, OSError):
            return False
    return stream.tell() > len(data)


@functools.cache
def _segment_class(converter: str) -> Any:
    """pydub's AudioSegment, bound to our ffmpeg by subclassing.

    pydub reads its ffmpeg from the class attribute ``converter``; a subclass sets it
    without mutating pydub's globals. The import is wrapped because pydub warns at
    import when no ffmpeg is on PATH (ours comes from imageio-ffmpeg) and imports the
    deprecated ``audioop``; neither is actionable here.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment

    return type("FfmpegSegment", (AudioSegment,), {"converter": converter})


def decode(data: bytes, *, codec_hint: str = "mp3", ffmpeg: Ffmpeg = BUNDLED) -> Pcm:
    """Compressed audio bytes → mono 16-bit Pcm at the file's own rate.

    A truncated MP3 is refused first: ffmpeg would decode it to silently short audio.
    """
    if not data:
        raise AudioError("The audio is empty (0 bytes).")
    if codec_hint == "mp3" and _mp3_truncated(data):
        raise AudioError(
            f"The MP3 ({len(data)} bytes) is not a complete MPEG audio stream.",
            "It was cut off or is not MP3 at all; fetch or build it again.",
        )
    return decode_unchecked(data, codec_hint, ffmpeg)


def decode_unchecked(data: bytes, codec: str, ffmpeg: Ffmpeg = BUNDLED) -> Pcm:
    """Decode with pydub: ``from_file(..., codec=...)`` pipes the bytes through ffmpeg
    without ffprobe (imageio-ffmpeg ships none) or temporary files, then converts
    channels and sample width."""
    segment_class = _segment_class(ffmpeg.path)  # imports pydub quietly first
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = segment_class.from_file(io.BytesIO(data), codec=codec)
    except (CouldntDecodeError, OSError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise AudioError(f"Cannot decode {codec} audio: {reason}") from None
    segment = segment.set_channels(1).set_sample_width(2)
    samples = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.int16)
    if not len(samples):
        raise AudioError(f"The {codec} audio decodes to no samples.")
    return Pcm(samples, int(segment.frame_rate))
