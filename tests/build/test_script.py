"""The narration script: what is said, in which order, with which pauses (no audio)."""

from __future__ import annotations

import pytest

from baclovoice.ingest.store import load_article
from baclovoice.speech.lexicon import load_lexicon
from baclovoice.speech.script import HEADING_PAUSE, PARAGRAPH_PAUSE, SENTENCE_PAUSE, narrate
from tests.conftest import ROOT, SEED_HTML, SEED_SECTIONS


@pytest.fixture(scope="module")
def seed_scripts():
    article = load_article(SEED_HTML.parent, SEED_HTML.stem)
    return article, narrate(article, load_lexicon(ROOT / "content" / "lexicon.toml"))


def test_seed_has_six_sections(seed_scripts):
    article, scripts = seed_scripts
    assert [s.section.title for s in scripts] == SEED_SECTIONS


def test_first_section_opens_with_title_and_date(seed_scripts):
    _, scripts = seed_scripts
    first = scripts[0].utterances
    assert [u.element_id for u in first[:3]] == ["title", "published", scripts[0].section.id]
    assert first[0].text == "Baclofen for Anxiety: Can It Help?"
    assert first[1].text == "Published April 27, 2023"
    assert first[1].speech == "Published April twenty-seventh, twenty twenty-three"
    assert first[1].pause_after == HEADING_PAUSE
    assert first[2].pause_after == HEADING_PAUSE


def test_later_sections_open_with_their_heading(seed_scripts):
    _, scripts = seed_scripts
    for script in scripts[1:]:
        assert script.utterances[0].element_id == script.section.id
        assert script.utterances[0].text == script.section.title


def test_pauses_follow_structure(seed_scripts):
    _, scripts = seed_scripts
    for script in scripts:
        body = script.utterances[1:] if script is not scripts[0] else script.utterances[3:]
        for this, nxt in zip(body, body[1:], strict=False):
            same_block = this.element_id == nxt.element_id
            assert this.pause_after == (SENTENCE_PAUSE if same_block else PARAGRAPH_PAUSE)
        assert body[-1].pause_after == PARAGRAPH_PAUSE


def test_display_text_is_a_sentence_of_its_block(seed_scripts):
    article, scripts = seed_scripts
    blocks = {b.id: b.text for s in article.sections for b in s.blocks}
    for script in scripts:
        for u in script.utterances:
            if u.element_id in blocks:
                assert u.text in blocks[u.element_id]
            assert "[[" not in u.speech and "]]" not in u.speech
            assert u.speech.strip()


def test_acronyms_are_spelled_in_speech(seed_scripts):
    _, scripts = seed_scripts
    spoken = " ".join(u.speech for s in scripts for u in s.utterances)
    # espeak reads "S S R Is" as "... are is"; dotted letters are spelled correctly
    assert "S.S.R.I.'s" in spoken and "G.A.D" in spoken and "F.D.A" in spoken
    assert "gabba" in spoken  # GABA is pronounceable; the lexicon fixes its vowel
