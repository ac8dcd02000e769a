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
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
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

    def run(self, args: Sequence[str], stdin: bytes | Iterable[bytes] = b"") -> bytes:
        """Run ffmpeg with ``stdin`` (bytes, or pieces of them) piped in; its whole
        stdout, or AudioError with its complaint."""
        return b"".join(self.stream(args, [stdin] if isinstance(stdin, bytes) else stdin))

    def stream(self, args: Sequence[str], stdin: Iterable[bytes] = ()) -> Iterator[bytes]:
        """Run ffmpeg, feeding it ``stdin`` piece by piece and yielding its stdout piece by
        piece (_READ bytes at a time), so that neither is ever held whole; AudioError
        with its complaint if it fails.

        A thread writes stdin while stdout is read, and stderr goes to a temporary file,
        so no pipe can fill up and stall ffmpeg. A stream left unfinished kills ffmpeg.
        """
        cmd = [self.path, "-hide_banner", "-nostats", "-v", "error", *args]
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(
                    cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors
                )
            except OSError as exc:
                raise AudioError(f"Cannot run ffmpeg ({cmd[0]}): {exc}", self._hint()) from None
            with process:  # closes the pipes and waits for ffmpeg
                feeder, finished = _Feeder(process, stdin), False
                try:
                    yield from iter(functools.partial(_read_stdout, process), b"")
                    finished = True
                finally:
                    if not finished:  # the reader stopped early, or failed
                        process.kill()
                    feeder.join()
            feeder.check()
            if process.returncode != 0:
                errors.seek(0)
                complaint = errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
                raise AudioError(
                    f"ffmpeg ({cmd[0]}) failed: {' / '.join(complaint) or process.returncode}",
                    self._hint(),
                )

    def _hint(self) -> str:
        if self.executable:
            return (
                "Check that ffmpeg, or unset BACLOVOICE_FFMPEG / --ffmpeg to use the bundled one."
            )
        return "Reinstall the bundled ffmpeg: pip install --force-reinstall imageio-ffmpeg"


BUNDLED = Ffmpeg()
_READ = 1 << 20  # bytes of ffmpeg's output read at a time


def _read_stdout(process: subprocess.Popen[bytes]) -> bytes:
    """The next _READ bytes of ``process``'s output (fewer only at its end)."""
    assert process.stdout is not None  # Popen(stdout=PIPE)
    return process.stdout.read(_READ)


class _Feeder(threading.Thread):
    """Writes pieces of input to a process's stdin, then closes it (a thread of its own,
    so the process's output is read meanwhile)."""

    def __init__(self, process: subprocess.Popen[bytes], pieces: Iterable[bytes]) -> None:
        super().__init__(name="ffmpeg-stdin", daemon=True)
        self._process, self._pieces = process, pieces
        self._failure: BaseException | None = None
        self.start()

    def run(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None  # Popen(stdin=PIPE)
        try:
            for piece in self._pieces:
                stdin.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # ffmpeg stopped reading: its exit status says why
        except BaseException as exc:  # making the input failed: ffmpeg must not wait for it
            self._failure = exc
            self._process.kill()
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def check(self) -> None:
        """Raise what making the input raised, if anything."""
        if self._failure is not None:
            raise self._failure


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
