"""MP3: encode with a true-peak check, count frames, join sections without re-encoding.

Durations come from the frame count and the gapless (LAME) header that we write,
never from how a given decoder trims priming and padding.
"""

from __future__ import annotations

import io
import logging
import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from mutagen.mp3 import skip_id3

from baclovoice.audio.ffmpeg import BUNDLED, Ffmpeg
from baclovoice.audio.id3 import Tags, tagged
from baclovoice.audio.loudness import apply_curve, block_true_peaks, smoothed_curve
from baclovoice.audio.pcm import CHUNK, SAMPLE_RATE, Pcm
from baclovoice.errors import AudioError

# A re-encode turns down every moment whose decoded peak came within this of the
# ceiling, to this far under it: the encoder's bit reservoir spreads any change, so
# the coding noise on every later peak is drawn anew and can differ by a dB. Being
# local, it costs ~0.02 LU; cutting the whole file cost its excess + margin.
_REENCODE_MARGIN_DB = 1.0
_MAX_ENCODES = 3
# libmp3lame, as driven by ffmpeg, outputs 0.95x its input level (-0.45 dB, measured
# on sines and speech at every bitrate); encode_mp3 pre-compensates so the decoded
# file, not the PCM, meets the loudness target. The true-peak check covers a build
# that does not scale.
_LAME_OUTPUT_GAIN = 0.95


# --- MP3 ----------------------------------------------------------------------------


log = logging.getLogger(__name__)


def encode_mp3(
    pcm: Pcm,
    *,
    bitrate_kbps: int = 64,
    tags: Tags,
    true_peak_db: float | None = -1.0,
    ffmpeg: Ffmpeg = BUNDLED,
) -> bytes:
    """Constant-bitrate mono 44.1 kHz MP3 with a LAME header, then ID3v2.3 tags.

    The decoded file is checked against ``true_peak_db`` (None: unchecked): where coding
    noise pushed peaks over it, those moments are turned down and the audio is encoded
    again, which keeps the loudness. Tags are v2.3 because podcast apps read chapters
    (CTOC/CHAP) from v2.3.
    """
    curves: list[np.ndarray] = []  # each re-encode's turn-downs, applied in turn
    for attempt in range(1, _MAX_ENCODES + 1):
        mp3 = _lame(_encoder_input(pcm, curves), pcm.sample_rate, bitrate_kbps, ffmpeg)
        if true_peak_db is None:
            break
        limit = 10 ** (true_peak_db / 20)
        peaks = _decoded_block_peaks(mp3, limit / 2, ffmpeg)
        excess = 20 * math.log10(max(float(peaks.max()), 1e-12) / limit)
        if excess <= 0:
            break
        if attempt == _MAX_ENCODES:
            log.warning("MP3 true peak stays %.2f dB over %s dBTP", excess, true_peak_db)
            break
        log.info("MP3 true peak %.2f dB over %s dBTP; re-encoding", excess, true_peak_db)
        need = np.minimum(1.0, limit * 10 ** (-_REENCODE_MARGIN_DB / 20) / peaks.clip(1e-12))
        curves.append(smoothed_curve(need, SAMPLE_RATE))  # the decoded audio is at SAMPLE_RATE
    return tagged(mp3, tags)


def _encoder_input(pcm: Pcm, curves: Sequence[np.ndarray]) -> Iterator[np.ndarray]:
    """``pcm`` compensated for LAME's output level and turned down by each curve, in
    pieces of CHUNK samples (a float copy of a long section would take hundreds of MB)."""
    for start in range(0, len(pcm.samples), CHUNK):
        piece = pcm.samples[start : start + CHUNK].astype(np.float32)
        piece /= np.float32(_LAME_OUTPUT_GAIN)
        for curve in curves:
            piece = apply_curve(piece, pcm.sample_rate, curve, SAMPLE_RATE, start)
        yield piece


def _lame(samples: Iterable[np.ndarray], rate: int, bitrate_kbps: int, ffmpeg: Ffmpeg) -> bytes:
    """Encode with libmp3lame, streaming the pieces to its stdin as 16-bit PCM. ffmpeg
    writes the Xing/LAME header (exact length, encoder delay and padding for gapless
    decoding) only to a seekable file, hence the private TemporaryDirectory; nothing is
    left behind."""
    raw = (np.rint(np.clip(piece, -32768, 32767)).astype("<i2").tobytes() for piece in samples)
    with tempfile.TemporaryDirectory(prefix="baclovoice-") as folder:
        out = Path(folder) / "audio.mp3"
        args = (
            f"-f s16le -ar {rate} -ac 1 -i pipe:0 -map_metadata -1"
            f" -c:a libmp3lame -b:a {bitrate_kbps}k -ar {SAMPLE_RATE} -ac 1"
            " -write_xing 1 -id3v2_version 0 -fflags +bitexact -flags:a +bitexact -f mp3 -y"
        )
        ffmpeg.run([*args.split(), str(out)], raw)
        return out.read_bytes()


def _decoded_block_peaks(mp3: bytes, floor: float, ffmpeg: Ffmpeg) -> np.ndarray:
    """True peak of each block of the decoded MP3 (gapless, so aligned with its input),
    oversampling only spans reaching ``floor``.

    Decoded straight through pipes to the decoder's own float samples, measured as they
    arrive: no temporary files, no 16-bit rounding, a third of the CPU of decoding
    through pydub, and never the whole decoded audio in memory.
    """
    args = ["-f", "mp3", "-i", "pipe:0", "-map_metadata", "-1", "-ac", "1", "-f", "f32le"]
    pieces = ffmpeg.stream([*args, "pipe:1"], [mp3])
    return block_true_peaks((np.frombuffer(piece, dtype="<f4") for piece in pieces), floor)


# --- whole-article MP3 from section MP3s ---------------------------------------------

FRAME_SAMPLES = 1152  # samples per MPEG-1 Layer III frame


def mp3_frames(data: bytes) -> int:
    """Audio frames in an MP3 we encoded, from its Xing/Info header (flag 1 = frame count).

    The count excludes the Info frame itself, which decoders and ffmpeg's concat skip.
    """
    stream = io.BytesIO(data)
    skip_id3(stream)
    head = stream.read(200)
    for tag in (b"Info", b"Xing"):
        at = head.find(tag)
        if at >= 0 and int.from_bytes(head[at + 4 : at + 8], "big") & 1:
            return int.from_bytes(head[at + 8 : at + 12], "big")
    raise AudioError("The MP3 has no Xing/Info frame count.", "Rebuild: baclovoice build --force")


def mp3_duration(data: bytes) -> float:
    """Playing time of an MP3 we encoded, in seconds: its frames less the encoder delay
    and padding that the LAME header records (what every gapless decoder plays)."""
    stream = io.BytesIO(data)
    skip_id3(stream)
    head = stream.read(400)
    frames = mp3_frames(data)
    at = max(head.find(b"Info"), head.find(b"Xing"))
    flags = int.from_bytes(head[at + 4 : at + 8], "big")
    lame = at + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4)
    lame += 4 * bool(flags & 8)  # past the quality field: the 9-byte encoder string starts here
    packed = int.from_bytes(head[lame + 21 : lame + 24], "big")
    delay, padding = packed >> 12, packed & 0xFFF
    return (frames * FRAME_SAMPLES - delay - padding) / SAMPLE_RATE


def part_starts(files: Sequence[Path]) -> list[float]:
    """Where each part's audio starts (seconds) once ``concat_mp3`` joins them.

    Every part was encoded alone, so each begins with the encoder's priming delay; a
    decoder trims only the first one (the joined file's LAME header), so part k starts
    exactly at the sum of the earlier parts' frames. The few ms of padding and priming
    at each join are silence inside the pause that ends every section.
    """
    starts, cursor = [], 0
    for path in files:
        starts.append(cursor / SAMPLE_RATE)
        cursor += mp3_frames(path.read_bytes()) * FRAME_SAMPLES
    return starts


def concat_mp3(files: Sequence[Path], *, tags: Tags, ffmpeg: Ffmpeg = BUNDLED) -> bytes:
    """Join MP3s of one encoding without re-encoding (ffmpeg concat demuxer, stream copy):
    the same loudness and bits as the parts, in a fraction of a second."""
    with tempfile.TemporaryDirectory(prefix="baclovoice-") as folder:
        listing = Path(folder) / "parts.txt"
        quoted = (str(p.resolve()).replace("'", "'\\''") for p in files)
        listing.write_text("".join(f"file '{q}'\n" for q in quoted), encoding="utf-8")
        out = Path(folder) / "joined.mp3"
        args = ["-f", "concat", "-safe", "0", "-i", str(listing), "-map_metadata", "-1"]
        args += ["-c", "copy", "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3", "-y"]
        ffmpeg.run([*args, str(out)])
        return tagged(out.read_bytes(), tags)
