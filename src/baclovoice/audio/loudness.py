"""Loudness: -16 LUFS integrated with a true-peak limiter (ITU-R BS.1770)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from baclovoice.audio.pcm import (
    CHUNK,
    SAMPLE_RATE,
    Pcm,
    float_chunks,
    resampled_chunks,
    to_float,
    to_int16,
    windows,
)

log = logging.getLogger(__name__)

# master limits this far under the requested true peak: MP3 coding noise raises the
# peaks of limited speech (Piper speech: by 1.2-2.3 dB at 64 kbit/s, 2-3 dB at 32-48,
# ~0.6 dB at 96+; more the deeper the limiting). encode_mp3 checks the decoded file and,
# where a peak went over, turns down the moments near the ceiling and encodes again; at
# 2 dB that takes a second encode for about one file in four at 64 kbit/s (at 1 dB nearly
# every file, at 1.5 dB one in two). More headroom costs deeper limiting on every file:
# at -16 LUFS Piper speech is limited by a median 4.2 dB at 1 dB of headroom, 6.4 dB at
# 2 dB, 9 dB at 2.5 dB (where the gain reaches _MAX_EXTRA_GAIN_DB).
_MP3_HEADROOM_DB = 2.0
# Less headroom, tried in turn when a take cannot reach the target under the ceiling.
_HEADROOMS_DB = (_MP3_HEADROOM_DB, 1.0, 0.3)
_HEADROOM_RETRY_LU = 0.3  # closer than this to the target is close enough
_HEADROOM_RETRY_MAX_LU = 1.2  # further than this below it is a far miss: no retry
# 4x oversampling for true peak (ITU-R BS.1770-4 Annex 2 uses a 48-tap, 4-phase FIR).
_OVERSAMPLE = 4
_TP_TAPS = 48
# Limiter geometry, in blocks of _BLOCK samples (0.73 ms at 44.1 kHz): gain falls
# _ATTACK_S before a peak, holds _HOLD_S after it, and ramps over ~2 * _SMOOTH_S.
_BLOCK = 32
_SPAN_BLOCKS = 8  # blocks oversampled together (fewer, longer filter runs)
_ATTACK_S = 0.005
_HOLD_S = 0.050
_SMOOTH_S = 0.004
_LOUDNESS_TOLERANCE = 0.1  # LU; master iterates its gain until within this
_MAX_MEASUREMENTS = 4  # pyloudnorm checks of a gain found on the cheap estimate
# Gain at most this far over plain normalization: more limiting than that flattens
# speech into a wall of sound, so audio with extreme peaks stays under the target.
_MAX_EXTRA_GAIN_DB = 12.0
_MEASURE_BLOCK_S = 0.4  # pyloudnorm's gating block: shorter audio is measured looped


def preload() -> None:
    """Import the DSP libraries (scipy, pyloudnorm: about 1 s) ahead of mastering.

    They are imported lazily so that a no-change rebuild never pays for them; a build
    that will master audio calls this in a thread while the voice synthesizes, which
    releases the GIL.
    """
    import pyloudnorm  # noqa: F401
    from scipy import ndimage, signal  # noqa: F401


# --- Measurement --------------------------------------------------------------------


def _integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness (pyloudnorm); audio shorter than one gate is looped.

    The reference measurement, on a whole signal: mastering measures piece by piece
    with ``chunked_loudness``, which agrees with it.
    """
    if not np.any(samples):
        return -math.inf
    minimum = math.ceil(_MEASURE_BLOCK_S * sample_rate) + 1
    if len(samples) < minimum:
        samples = np.tile(samples, math.ceil(minimum / len(samples)))
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    return float(meter.integrated_loudness(samples.astype(np.float64)))


class _KWeighting:
    """The BS.1770 K-weighting pyloudnorm's meter applies (high shelf, then high pass),
    filtering a signal piece by piece: each stage's state carries over to the next piece."""

    def __init__(self, rate: int) -> None:
        from pyloudnorm.iirfilter import IIRfilter

        self._stages = (
            IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
        )
        self._states = [np.zeros(max(len(f.a), len(f.b)) - 1) for f in self._stages]

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        """The next piece of the signal, K-weighted (float64, as pyloudnorm filters)."""
        from scipy import signal

        out = chunk.astype(np.float64)
        for index, stage in enumerate(self._stages):
            out, self._states[index] = signal.lfilter(stage.b, stage.a, out, zi=self._states[index])
            out *= stage.passband_gain
        return np.asarray(out)


def _gating_sample_bounds(length: int, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample bounds [lower, upper) of pyloudnorm's 400 ms gating blocks (75% overlap),
    computed with its very float arithmetic so that every edge lands on the same sample."""
    gate, step = _MEASURE_BLOCK_S, 0.25
    count = int(np.round((length / rate - gate) / (gate * step))) + 1
    j = np.arange(max(count, 0))
    lower = (gate * (j * step) * rate).astype(np.int64)
    upper = (gate * (j * step + 1) * rate).astype(np.int64)
    return lower, upper


def chunked_loudness(chunks: Iterable[np.ndarray], length: int, rate: int) -> float:
    """pyloudnorm's integrated loudness of a ``length``-sample signal given in pieces.

    pyloudnorm filters the whole signal in float64 (several full-length copies: GBs
    for a long section), yet gating needs only each 400 ms block's mean square. So the
    K-weighting runs piece by piece, and only the running sum of squares at each block
    edge is kept. Audio shorter than one gate is measured looped, like pyloudnorm's.
    """
    minimum = math.ceil(_MEASURE_BLOCK_S * rate) + 1
    if 0 < length < minimum:
        looped = np.tile(np.concatenate(list(chunks)), math.ceil(minimum / length))
        return chunked_loudness([looped], len(looped), rate)
    lower, upper = _gating_sample_bounds(length, rate)
    edges = np.unique(np.minimum(np.concatenate((lower, upper)), length))
    before = np.zeros(len(edges))  # K-weighted energy before each edge
    weighting, total, at = _KWeighting(rate), 0.0, 0
    for chunk in chunks:
        if len(chunk):
            running = total + np.cumsum(np.square(weighting(chunk)))
            first = np.searchsorted(edges, at + 1)
            last = np.searchsorted(edges, at + len(chunk), side="right")
            before[first:last] = running[edges[first:last] - at - 1]
            total, at = float(running[-1]), at + len(chunk)
    energy = before[np.searchsorted(edges, np.minimum(upper, length))]
    energy -= before[np.searchsorted(edges, lower)]
    return _gate(energy * (1.0 / (_MEASURE_BLOCK_S * rate)))


def _gate(squares: np.ndarray) -> float:
    """BS.1770 gating of the blocks' mean squares as pyloudnorm does it: blocks under
    -70 LUFS are dropped, then those not above the rest's loudness less 10 LU."""
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(squares)
    audible = levels >= -70.0
    if not audible.any():
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(squares[audible].mean())) - 10.0
    kept = squares[(levels > relative) & (levels > -70.0)]
    if not len(kept):
        return -math.inf
    return -0.691 + 10 * math.log10(float(kept.mean()))


@functools.cache
def _tp_filter() -> np.ndarray:
    from scipy import signal

    taps = signal.firwin(_TP_TAPS, 1 / _OVERSAMPLE, window=("kaiser", 5.0)) * _OVERSAMPLE
    return np.asarray(taps, dtype=np.float32)


def _oversampled_abs(samples: np.ndarray) -> np.ndarray:
    """|signal| at 4x the rate, aligned so output i*4 is input sample i (shape (..., 4n))."""
    from scipy import signal

    delay = (_TP_TAPS - 1) // 2
    n = samples.shape[-1]
    up = signal.upfirdn(_tp_filter(), samples, _OVERSAMPLE, axis=-1)
    return np.abs(up[..., delay : delay + _OVERSAMPLE * n])


@functools.cache
def _tp_phases() -> np.ndarray:
    """The FIR as a (taps/4, 4) matrix: column p turns the last taps/4 input samples
    into output phase p (upsampling by zero insertion leaves only every 4th tap)."""
    taps = _tp_filter()
    phases = [taps[p::_OVERSAMPLE][::-1] for p in range(_OVERSAMPLE)]
    return np.ascontiguousarray(np.stack(phases, axis=1))


def _oversampled_rows_abs(rows: np.ndarray) -> np.ndarray:
    """``_oversampled_abs`` of each row of a (m, n) float32 array, for many short rows.

    The polyphase form as matrix products over sliding windows, a few hundred rows at
    a time: the same numbers as upfirdn (to float32 rounding), 2-3x faster.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    taps = _TP_TAPS // _OVERSAMPLE
    delay = (_TP_TAPS - 1) // 2
    m, n = rows.shape
    padded = np.zeros((m, n + 2 * taps - 1), dtype=np.float32)
    padded[:, taps - 1 : taps - 1 + n] = rows
    out = np.empty((m, n + taps, _OVERSAMPLE), dtype=np.float32)
    step = max(1, (1 << 18) // n)  # rows per product: a few MB of windows
    for first in range(0, m, step):
        views = sliding_window_view(padded[first : first + step], taps, axis=-1)
        np.matmul(views, _tp_phases(), out=out[first : first + step])
    return np.abs(out.reshape(m, -1)[:, delay : delay + _OVERSAMPLE * n])


def loudness(pcm: Pcm) -> float:
    """Integrated loudness in LUFS (-inf for silence), measured by pyloudnorm on the whole."""
    return _integrated_loudness(to_float(pcm), pcm.sample_rate)


def true_peak_db(pcm: Pcm) -> float:
    """4x-oversampled peak in dBTP (-inf for silence)."""
    if not np.any(pcm.samples):
        return -math.inf
    peak = float(_oversampled_abs(to_float(pcm)).max())
    return 20 * math.log10(peak)


# --- Mastering ----------------------------------------------------------------------


def block_true_peaks(samples: np.ndarray | Iterable[np.ndarray], floor: float) -> np.ndarray:
    """True peak of each _BLOCK-sample block (the last ones zero-padded to a whole span)
    of a signal given whole or in pieces; only CHUNK samples are oversampled at a time.

    Only spans of _SPAN_BLOCKS blocks reaching ``floor`` are oversampled: quieter ones
    stay far below the ceiling at any gain tried, and skipping them makes this several
    times cheaper on speech.
    """
    pieces = [samples] if isinstance(samples, np.ndarray) else samples
    reach = _TP_TAPS // _OVERSAMPLE
    found = [_span_peaks(w, floor) for w in windows(pieces, CHUNK, reach, _BLOCK * _SPAN_BLOCKS)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.float32)


def _span_peaks(window: np.ndarray, floor: float) -> np.ndarray:
    """``block_true_peaks`` of a window's middle: whole spans, with the filter's reach of
    neighbouring samples on each side."""
    pad = _TP_TAPS // _OVERSAMPLE
    span = _BLOCK * _SPAN_BLOCKS
    spans = (len(window) - 2 * pad) // span
    peaks = np.abs(window[pad:-pad]).reshape(spans, _SPAN_BLOCKS, _BLOCK).max(axis=2)
    loud = np.flatnonzero(peaks.max(axis=1) >= floor)
    if len(loud):
        rows = window[loud[:, None] * span + np.arange(span + 2 * pad)]
        over = _oversampled_rows_abs(rows)[:, _OVERSAMPLE * pad : _OVERSAMPLE * (pad + span)]
        peaks[loud] = over.reshape(len(loud), _SPAN_BLOCKS, _OVERSAMPLE * _BLOCK).max(axis=2)
    return peaks.reshape(-1)


def smoothed_curve(need: np.ndarray, rate: int) -> np.ndarray:
    """Per-block gain (≤ 1) at or under ``need`` everywhere, changing smoothly.

    A block's gain is the minimum need over [k - hold, k + attack], then box-smoothed
    over a window narrower than both, so every block (and, after linear interpolation,
    every sample) stays at or below what its own peak needs.
    """
    from scipy import ndimage

    block_s = _BLOCK / rate
    attack = max(2, round(_ATTACK_S / block_s))
    hold = max(2, round(_HOLD_S / block_s))
    smooth = min(round(_SMOOTH_S / block_s), attack - 1, hold - 1)
    # ndimage's positive origin shifts the window left: [k - hold, k + attack].
    size = attack + hold + 1
    held = ndimage.minimum_filter1d(need, size, mode="nearest", origin=hold - size // 2)
    return ndimage.uniform_filter1d(held, 2 * smooth + 1, mode="nearest")


def apply_curve(
    samples: np.ndarray, rate: int, curve: np.ndarray, curve_rate: int, start: int = 0
) -> np.ndarray:
    """``samples`` (at any ``rate``; the first is sample ``start`` of its signal) times a
    per-block curve made at ``curve_rate``, interpolated linearly between block centres.

    Only the stretch of the curve around the piece is interpolated, which gives the same
    numbers as the whole curve.
    """
    first = max(0, int(start / rate * curve_rate) // _BLOCK - 1)
    last = min(len(curve), int((start + len(samples)) / rate * curve_rate) // _BLOCK + 2)
    centers = (np.arange(first, last) * _BLOCK + _BLOCK / 2) / curve_rate
    times = (start + np.arange(len(samples))) / rate
    return samples * np.interp(times, centers, curve[first:last]).astype(np.float32)


def _gating_bounds(length: int, rate: int) -> np.ndarray:
    """Block-index bounds (2, m) of pyloudnorm's 400 ms gating blocks (75% overlap)."""
    count = round((length / rate - _MEASURE_BLOCK_S) / (_MEASURE_BLOCK_S / 4)) + 1
    starts = (np.arange(max(count, 0)) * (_MEASURE_BLOCK_S / 4) * rate).astype(np.int64)
    lower = np.rint(starts / _BLOCK).astype(np.int64)
    return np.stack([lower, lower + round(_MEASURE_BLOCK_S * rate / _BLOCK)])


def _gated_loudness(energy: np.ndarray, bounds: np.ndarray, length: int, rate: int) -> float:
    """BS.1770 gated loudness from per-block K-weighted energy, as pyloudnorm gates it.

    Audio shorter than one gating block is measured whole (pyloudnorm measures it looped).
    """
    if not bounds.shape[1]:
        squares = np.array([energy.sum() / max(length, 1)])
    else:
        total = np.concatenate(([0.0], np.cumsum(energy)))
        upper = np.minimum(bounds[1], len(energy))
        squares = (total[upper] - total[bounds[0]]) / (_MEASURE_BLOCK_S * rate)
    return _gate(squares)


@dataclass(frozen=True)
class _Limiter:
    """A look-ahead true-peak limiter working on _BLOCK-sample blocks of one signal.

    ``peaks`` are the blocks' true peaks and ``energy`` their K-weighted sums of squares,
    both at ``rate``, ``bounds`` the loudness meter's gating blocks; everything else is
    derived from them, so trying a gain is cheap, and they are a small fraction of the
    audio's size (one float per _BLOCK samples), so a long section fits in memory.
    """

    peaks: np.ndarray
    energy: np.ndarray
    bounds: np.ndarray
    length: int
    ceiling: float
    rate: int

    @classmethod
    def of(cls, chunks: Iterable[np.ndarray], length: int, rate: int, ceiling: float) -> _Limiter:
        """A limiter for a ``length``-sample signal given in pieces, going by sample peaks
        (see ``oversampled``): one pass, K-weighting each piece after the last."""
        weighting = _KWeighting(rate)
        peaks, energy = [], []
        aligned = windows(chunks, CHUNK, align=_BLOCK * _SPAN_BLOCKS)
        for start, window in zip(itertools.count(0, CHUNK), aligned, strict=False):
            real = min(len(window), length - start)
            squares = np.zeros(len(window))
            squares[:real] = np.square(weighting(window[:real]))
            peaks.append(np.abs(window).reshape(-1, _BLOCK).max(axis=1))
            energy.append(squares.reshape(-1, _BLOCK).sum(axis=1))
        bounds = _gating_bounds(length, rate)
        return cls(np.concatenate(peaks), np.concatenate(energy), bounds, length, ceiling, rate)

    def oversampled(self, chunks: Iterable[np.ndarray], floor: float) -> _Limiter:
        """The same limiter with true peaks for blocks whose sample peak reaches ``floor``."""
        return dataclasses.replace(self, peaks=block_true_peaks(chunks, floor))

    @property
    def free_gain_db(self) -> float:
        """The largest gain that needs no limiting at all."""
        return 20 * math.log10(self.ceiling / float(self.peaks.max()))

    def curve(self, gain_db: float) -> np.ndarray:
        """Per-block gain (≤ 1) keeping ``gain * peaks`` under the ceiling, smoothly."""
        need = np.minimum(1.0, self.ceiling / np.maximum(self.peaks * 10 ** (gain_db / 20), 1e-12))
        return smoothed_curve(need, self.rate)

    @property
    def input_loudness_db(self) -> float:
        """Integrated loudness of the signal as it is (LUFS)."""
        return _gated_loudness(self.energy, self.bounds, self.length, self.rate)

    def loudness_db(self, gain_db: float) -> float:
        """Estimated integrated loudness after gain and limiting (LUFS).

        The limiter's gain changes are slow next to K-weighting, so the blocks' weighted
        energy times the squared curve, gated like BS.1770, is within ~0.01 LU of what
        pyloudnorm measures on the limited audio.
        """
        limited = np.square(self.curve(gain_db)) * self.energy * 10 ** (gain_db / 10)
        return _gated_loudness(limited, self.bounds, self.length, self.rate)

    def applied(
        self, chunks: Iterable[np.ndarray], rate: int, gain_db: float
    ) -> Iterator[np.ndarray]:
        """The pieces of the same audio (at any ``rate``) with the gain and limiting applied."""
        curve, factor = self.curve(gain_db), np.float32(10 ** (gain_db / 20))
        start = 0
        for chunk in chunks:
            yield apply_curve(chunk, rate, curve, self.rate, start) * factor
            start += len(chunk)


def _solve(function: Callable[[float], float], target: float, low: float, high: float) -> float:
    """The x in [low, high] where an increasing ``function`` reaches ``target`` (secant)."""
    points = [(low, function(low))]
    x = min(high, low + target - points[0][1])  # slope 1 below any limiting
    for _ in range(12):
        y = function(x)
        if abs(y - target) < 0.01 or (x == high and y < target):
            break
        (x0, y0), points = points[-1], [*points, (x, y)]
        slope = min(max((y - y0) / (x - x0), 0.05), 1.0) if x != x0 else 1.0
        x = min(max(x + (target - y) / slope, low), high)
    return x


def master(
    pcm: Pcm, *, sample_rate: int = SAMPLE_RATE, lufs: float = -16.0, true_peak_db: float = -1.0
) -> Pcm:
    """Resample, then normalize to ``lufs`` integrated with a gentle true-peak limiter.

    The ceiling sits _MP3_HEADROOM_DB under ``true_peak_db`` to leave room for MP3
    coding. Output has exactly ceil(n * sample_rate / pcm.sample_rate) samples; the
    same input always gives the same output. The audio is worked on CHUNK samples at a
    time, resampled anew for each of the three passes over it (about 1 s per 20 minutes
    each): beyond the 16-bit input and output only per-block figures are held, so a
    20-minute section takes about 200 MB instead of 2 GB.
    """
    length = -(-len(pcm.samples) * sample_rate // pcm.sample_rate)
    if not np.any(pcm.samples):
        return Pcm(np.zeros(length, dtype=np.int16), sample_rate)  # silence: nothing to do
    ceilings = [10 ** ((true_peak_db - headroom) / 20) for headroom in _HEADROOMS_DB]
    rough = _Limiter.of(resampled_chunks(pcm, sample_rate), length, sample_rate, ceilings[0])
    if not math.isfinite(rough.input_loudness_db):  # under the meter's -70 LUFS gate
        return _rendered(resampled_chunks(pcm, sample_rate), length, sample_rate)
    for headroom, ceiling in zip(_HEADROOMS_DB, ceilings, strict=True):
        limiter, gain, reached = _limited(pcm, dataclasses.replace(rough, ceiling=ceiling), lufs)
        if not lufs - _HEADROOM_RETRY_MAX_LU <= reached < lufs - _HEADROOM_RETRY_LU:
            break
        # A near miss: short, peaky takes cannot reach the target under the low ceiling
        # however hard they are limited; a higher one is safe because encode_mp3 turns
        # down any moment that MP3 coding then pushes over the true-peak limit. A far
        # miss is audio that would need crushing: it stays quieter, at the safe ceiling.
        log.debug("master: %.2f LUFS at %.1f dB of headroom; trying less", reached, headroom)
    limited = limiter.applied(resampled_chunks(pcm, sample_rate), sample_rate, gain)
    return _rendered(limited, length, sample_rate)


def _rendered(chunks: Iterable[np.ndarray], length: int, rate: int) -> Pcm:
    """Float pieces as one 16-bit Pcm, written into a preallocated array."""
    out = np.empty(length, dtype=np.int16)
    at = 0
    for chunk in chunks:
        out[at : at + len(chunk)] = to_int16(chunk)
        at += len(chunk)
    if at != length:  # pragma: no cover - resampled_chunks gives exactly `length`
        raise AssertionError(f"rendered {at} of {length} samples")
    return Pcm(out, rate)


def _limited(pcm: Pcm, rough: _Limiter, lufs: float) -> tuple[_Limiter, float, float]:
    """Gain plus limiting under the limiter's ceiling toward ``lufs``: the limiter with
    true peaks, the gain (dB) and the LUFS it reaches."""
    most = max(lufs - rough.input_loudness_db, rough.free_gain_db) + _MAX_EXTRA_GAIN_DB
    # A first gain from sample peaks tells which blocks need true-peak oversampling:
    # under `floor` a block stays below the ceiling even with 6 dB of overshoot.
    guess = _solve(rough.loudness_db, lufs, rough.free_gain_db, most)
    floor = rough.ceiling / 10 ** (min(guess + 3, most) / 20) / 2
    limiter = rough.oversampled(resampled_chunks(pcm, rough.rate), floor)
    gain, reached = _normalizing_gain(limiter, pcm, lufs, most)
    return limiter, gain, reached


def _normalizing_gain(limiter: _Limiter, pcm: Pcm, lufs: float, most: float) -> tuple[float, float]:
    """The gain (dB) that makes the limited audio measure ``lufs``, and what it measures.

    The first try is solved on the limiter's cheap estimate, then each try is checked
    as pyloudnorm measures (``chunked_loudness``) on the limited ``pcm`` at its own rate
    (speech has nothing above it, and it is half the work). The second try corrects the
    estimate by its error, later ones follow the secant through the last two checks.
    """
    low = min(limiter.free_gain_db, most)
    gain = _solve(limiter.loudness_db, lufs, low, most)
    tries: list[tuple[float, float]] = []
    for _ in range(_MAX_MEASUREMENTS):
        limited = limiter.applied(float_chunks(pcm), pcm.sample_rate, gain)
        result = chunked_loudness(limited, len(pcm.samples), pcm.sample_rate)
        tries.append((gain, result))
        if abs(result - lufs) <= _LOUDNESS_TOLERANCE or (gain >= most and result < lufs):
            break
        if len(tries) == 1:
            bias = result - limiter.loudness_db(gain)
            gain = _solve(limiter.loudness_db, lufs - bias, low, most)
        else:
            (g1, r1), (g2, r2) = tries[-2:]
            slope = min(max((r2 - r1) / (g2 - g1), 0.05), 1.0) if g2 != g1 else 1.0
            gain = min(max(g2 + (lufs - r2) / slope, low), most)
    best = min(tries, key=lambda done: abs(done[1] - lufs))
    log.debug("master: %d check(s), gain %+.2f dB → %.2f LUFS", len(tries), *best)
    return best
