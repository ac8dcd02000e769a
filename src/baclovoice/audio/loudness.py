"""Loudness: -16 LUFS integrated with a true-peak limiter (ITU-R BS.1770)."""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from baclovoice.audio.pcm import SAMPLE_RATE, Pcm, resample, to_float, to_int16

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
    """BS.1770 integrated loudness (pyloudnorm); audio shorter than one gate is looped."""
    if not np.any(samples):
        return -math.inf
    minimum = math.ceil(_MEASURE_BLOCK_S * sample_rate) + 1
    if len(samples) < minimum:
        samples = np.tile(samples, math.ceil(minimum / len(samples)))
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    return float(meter.integrated_loudness(samples.astype(np.float64)))


def _k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The BS.1770 K-weighting pyloudnorm's meter applies (high shelf, then high pass)."""
    from pyloudnorm.iirfilter import IIRfilter

    shelf = IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf")
    high_pass = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    return np.asarray(high_pass.apply_filter(shelf.apply_filter(samples.astype(np.float64))))


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
        windows = sliding_window_view(padded[first : first + step], taps, axis=-1)
        np.matmul(windows, _tp_phases(), out=out[first : first + step])
    return np.abs(out.reshape(m, -1)[:, delay : delay + _OVERSAMPLE * n])


def loudness(pcm: Pcm) -> float:
    """Integrated loudness in LUFS (-inf for silence)."""
    return _integrated_loudness(to_float(pcm), pcm.sample_rate)


def true_peak_db(pcm: Pcm) -> float:
    """4x-oversampled peak in dBTP (-inf for silence)."""
    if not np.any(pcm.samples):
        return -math.inf
    peak = float(_oversampled_abs(to_float(pcm)).max())
    return 20 * math.log10(peak)


# --- Mastering ----------------------------------------------------------------------


def block_true_peaks(samples: np.ndarray, floor: float) -> np.ndarray:
    """True peak of each _BLOCK-sample block (the last ones zero-padded to a whole span).

    Only spans of _SPAN_BLOCKS blocks reaching ``floor`` are oversampled: quieter ones
    stay far below the ceiling at any gain tried, and skipping them makes this several
    times cheaper on speech.
    """
    pad = _TP_TAPS // _OVERSAMPLE  # filter reach, in input samples
    span = _BLOCK * _SPAN_BLOCKS
    spans = -(-len(samples) // span)
    padded = np.zeros(spans * span + 2 * pad, dtype=np.float32)
    padded[pad : pad + len(samples)] = samples
    peaks = np.abs(padded[pad:-pad]).reshape(spans, _SPAN_BLOCKS, _BLOCK).max(axis=2)
    loud = np.flatnonzero(peaks.max(axis=1) >= floor)
    if len(loud):
        windows = padded[loud[:, None] * span + np.arange(span + 2 * pad)]
        over = _oversampled_rows_abs(windows)[:, _OVERSAMPLE * pad : _OVERSAMPLE * (pad + span)]
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


def apply_curve(samples: np.ndarray, rate: int, curve: np.ndarray, curve_rate: int) -> np.ndarray:
    """``samples`` (at any ``rate``) times a per-block curve made at ``curve_rate``."""
    centers = (np.arange(len(curve)) * _BLOCK + _BLOCK / 2) / curve_rate
    shape = np.interp(np.arange(len(samples)) / rate, centers, curve).astype(np.float32)
    return samples * shape


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
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(squares)
    kept = squares[levels >= -70.0]
    if not len(kept):
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(kept.mean())) - 10.0
    kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return -0.691 + 10 * math.log10(float(kept.mean()))


@dataclass(frozen=True)
class _Limiter:
    """A look-ahead true-peak limiter working on _BLOCK-sample blocks of one signal.

    ``peaks`` are the blocks' true peaks and ``energy`` their K-weighted sums of squares,
    both at ``rate``, ``bounds`` the loudness meter's gating blocks; everything else is
    derived from them, so trying a gain is cheap.
    """

    peaks: np.ndarray
    energy: np.ndarray
    bounds: np.ndarray
    length: int
    ceiling: float
    rate: int

    @classmethod
    def of(cls, samples: np.ndarray, rate: int, ceiling: float) -> _Limiter:
        """A limiter for ``samples`` going by sample peaks; see ``oversampled``."""
        peaks = block_true_peaks(samples, floor=math.inf)
        padded = np.zeros(len(peaks) * _BLOCK)
        padded[: len(samples)] = _k_weighted(samples, rate)
        energy = np.square(padded).reshape(-1, _BLOCK).sum(axis=1)
        bounds = _gating_bounds(len(samples), rate)
        return cls(peaks, energy, bounds, len(samples), ceiling, rate)

    def oversampled(self, samples: np.ndarray, floor: float) -> _Limiter:
        """The same limiter with true peaks for blocks whose sample peak reaches ``floor``."""
        return dataclasses.replace(self, peaks=block_true_peaks(samples, floor))

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

    def apply(self, samples: np.ndarray, rate: int, gain_db: float) -> np.ndarray:
        """``samples`` (the same audio, at any ``rate``) with the gain and limiting applied."""
        limited = apply_curve(samples, rate, self.curve(gain_db), self.rate)
        return limited * np.float32(10 ** (gain_db / 20))


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
    same input always gives the same output.
    """
    source = to_float(pcm)
    resampled = resample(source, pcm.sample_rate, sample_rate)
    if not np.any(resampled):
        return Pcm(to_int16(resampled), sample_rate)  # silence: nothing to normalize
    for headroom in _HEADROOMS_DB:
        ceiling = 10 ** ((true_peak_db - headroom) / 20)
        mastered = _limited(source, pcm.sample_rate, resampled, sample_rate, ceiling, lufs)
        if mastered is None:
            return Pcm(to_int16(resampled), sample_rate)  # under the meter's -70 LUFS gate
        samples, reached = mastered
        if not lufs - _HEADROOM_RETRY_MAX_LU <= reached < lufs - _HEADROOM_RETRY_LU:
            break
        # A near miss: short, peaky takes cannot reach the target under the low ceiling
        # however hard they are limited; a higher one is safe because encode_mp3 turns
        # down any moment that MP3 coding then pushes over the true-peak limit. A far
        # miss is audio that would need crushing: it stays quieter, at the safe ceiling.
        log.debug("master: %.2f LUFS at %.1f dB of headroom; trying less", reached, headroom)
    return Pcm(to_int16(samples), sample_rate)


def _limited(
    source: np.ndarray, rate: int, resampled: np.ndarray, out_rate: int, ceiling: float, lufs: float
) -> tuple[np.ndarray, float] | None:
    """Gain plus limiting under ``ceiling`` toward ``lufs``: (samples, LUFS reached)."""
    rough = _Limiter.of(resampled, out_rate, ceiling)
    measured = rough.input_loudness_db
    if not math.isfinite(measured):
        return None
    most = max(lufs - measured, rough.free_gain_db) + _MAX_EXTRA_GAIN_DB
    # A first gain from sample peaks tells which blocks need true-peak oversampling:
    # under `floor` a block stays below the ceiling even with 6 dB of overshoot.
    guess = _solve(rough.loudness_db, lufs, rough.free_gain_db, most)
    limiter = rough.oversampled(resampled, floor=ceiling / 10 ** (min(guess + 3, most) / 20) / 2)
    gain, reached = _normalizing_gain(limiter, source, rate, lufs, most)
    return limiter.apply(resampled, out_rate, gain), reached


def _normalizing_gain(
    limiter: _Limiter, source: np.ndarray, rate: int, lufs: float, most: float
) -> tuple[float, float]:
    """The gain (dB) that makes the limited audio measure ``lufs``, and what it measures.

    The first try is solved on the limiter's cheap estimate, then each try is checked
    with pyloudnorm on the limited source at its own rate (speech has nothing above it,
    and it is half the work). The second try corrects the estimate by its error, later
    ones follow the secant through the last two checks.
    """
    low = min(limiter.free_gain_db, most)
    gain = _solve(limiter.loudness_db, lufs, low, most)
    tries: list[tuple[float, float]] = []
    for _ in range(_MAX_MEASUREMENTS):
        result = _integrated_loudness(limiter.apply(source, rate, gain), rate)
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
