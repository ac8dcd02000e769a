"""The engine registry and the Piper engine (the real bundled voice for synthesis)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from baclovoice import audio
from baclovoice.engines import ENGINE_NAMES, create_engine
from baclovoice.engines.gtts import GttsEngine
from baclovoice.engines.piper import PiperEngine, clean_text, default_voice_path, session_options
from baclovoice.errors import EngineError, InputError
from baclovoice.settings import Settings


@pytest.fixture
def voice_copy(tmp_path: Path) -> Path:
    """The bundled voice under another folder: a symlinked model and a copied config."""
    model = tmp_path / "en_US-joe-medium.onnx"
    model.symlink_to(default_voice_path())
    config = default_voice_path().with_name(default_voice_path().name + ".json")
    (tmp_path / (model.name + ".json")).write_bytes(config.read_bytes())
    return model


def _edit_config(model: Path, **inference: float) -> None:
    config_path = model.with_name(model.name + ".json")
    config = json.loads(config_path.read_text())
    config["inference"].update(inference)
    config_path.write_text(json.dumps(config))


# --- registry ------------------------------------------------------------------------


def test_engine_names() -> None:
    assert ENGINE_NAMES == ("piper", "gtts", "fake")


def test_create_engine_refuses_unknown_names(settings: Settings) -> None:
    with pytest.raises(InputError) as error:
        create_engine("espeak", settings)
    assert "piper" in error.value.hint and "gtts" in error.value.hint


def test_create_engine_is_cheap_and_loads_nothing(settings: Settings) -> None:
    started = time.perf_counter()
    engine = create_engine("piper", settings, threads=1)
    assert isinstance(engine, PiperEngine) and not engine.loaded
    assert time.perf_counter() - started < 0.5


def test_create_engine_passes_gtts_settings(settings: Settings) -> None:
    engine = create_engine("gtts", settings.replace(gtts_lang="fr", gtts_tld="ca"))
    assert isinstance(engine, GttsEngine)
    assert (engine.lang, engine.tld, engine.timeout) == ("fr", "ca", 10.0)


def test_create_engine_uses_the_voice_setting(settings: Settings, voice_copy: Path) -> None:
    engine = create_engine("piper", settings.replace(voice=str(voice_copy)))
    assert engine.identity()["voice_file"] == voice_copy.name


# --- Piper without synthesis -------------------------------------------------------------


def test_voice_name_comes_from_the_config() -> None:
    assert PiperEngine().voice == "joe (en_US, medium)"


def test_identity_is_cheap_stable_and_loads_nothing() -> None:
    engine = PiperEngine()
    started = time.perf_counter()
    identity = engine.identity()
    assert time.perf_counter() - started < 0.05
    assert not engine.loaded
    assert identity == PiperEngine(threads=1).identity()  # threads do not change the voice
    assert identity["engine"] == "piper" and len(identity["config_sha256"]) == 64


def test_identity_follows_the_voice_config(voice_copy: Path) -> None:
    original = PiperEngine(voice_copy).identity()
    _edit_config(voice_copy, noise_scale=0.5)
    changed = PiperEngine(voice_copy).identity()
    assert changed["config_sha256"] != original["config_sha256"]
    assert changed["voice_fingerprint"] == original["voice_fingerprint"]


def test_identity_follows_the_model_bytes(tmp_path: Path) -> None:
    identities = []
    for tail in (b"a", b"b"):
        model = tmp_path / tail.decode() / "v.onnx"
        model.parent.mkdir()
        model.write_bytes(b"\0" * 1000 + tail)
        model.with_name("v.onnx.json").write_text('{"audio": {"sample_rate": 16000}}')
        identities.append(PiperEngine(model).identity())
    assert identities[0]["voice_fingerprint"] != identities[1]["voice_fingerprint"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.onnx", "does not exist"),
        (lambda d: d / "voice.txt", "not a Piper .onnx"),
        (lambda d: _touch(d / "voice.onnx"), ".onnx.json is missing"),
        (lambda d: _touch(d / "voice.onnx", config="not json"), "not a Piper config"),
        (lambda d: _touch(d / "voice.onnx", config='{"audio": {}}'), "not a Piper config"),
    ],
    ids=["missing", "wrong-suffix", "no-config", "bad-json", "no-sample-rate"],
)
def test_bad_voice_paths_say_how_to_fix_them(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as error:
        PiperEngine(path)
    assert error.value.hint


def _touch(model: Path, config: str | None = None) -> Path:
    model.write_bytes(b"onnx")
    if config is not None:
        model.with_name(model.name + ".json").write_text(config)
    return model


def test_a_damaged_model_fails_on_first_use_with_engine_error(tmp_path: Path) -> None:
    model = _touch(tmp_path / "voice.onnx", config=json.dumps({"audio": {"sample_rate": 22050}}))
    engine = PiperEngine(model)
    with pytest.raises(EngineError, match="Cannot load the Piper voice"):
        engine.synthesize("Hello.")


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Plain text.", "Plain text."),
        ("Say [[ h ə l oʊ ]] now.", "Say   h ə l oʊ   now."),
        ("[[[[x]]]]", "x"),
        ("  ]] stray [[  ", "stray"),
    ],
)
def test_clean_text_removes_raw_phoneme_brackets(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize(("threads", "intra"), [(0, 0), (1, 1), (2, 2)])
def test_session_options_threads(threads: int, intra: int) -> None:
    assert session_options(threads).intra_op_num_threads == intra


# --- Piper synthesis (the real voice, short text) ------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("threads", [0, 1])
def test_synthesize_speaks_a_sentence(threads: int) -> None:
    engine = PiperEngine(threads=threads)
    pcm = engine.synthesize("Hello, world.")
    assert engine.loaded
    assert pcm.sample_rate == 22050 and pcm.samples.dtype == np.int16
    assert 0.5 < pcm.duration < 3.0
    assert audio.loudness(pcm) > -40


@pytest.mark.slow
def test_synthesize_joins_the_chunks_piper_splits_into() -> None:
    engine = PiperEngine()
    one, two = engine.synthesize("Yes."), engine.synthesize("Yes. No.")
    assert two.duration > one.duration + 0.2


@pytest.mark.slow
@pytest.mark.parametrize("text", ["", "[[ ]]"])
def test_synthesize_nothing_gives_empty_audio(text: str) -> None:
    pcm = PiperEngine().synthesize(text)
    assert pcm.sample_rate == 22050 and len(pcm.samples) == 0
