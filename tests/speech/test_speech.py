"""Speech text: written -> spoken pairs, each pass on its own, dates, sentence offsets."""

from __future__ import annotations

import datetime as dt
import itertools
from types import MappingProxyType

import pytest

from baclovoice.humanize import long_date as format_date
from baclovoice.speech import data as speech_data
from baclovoice.speech import normalize as speech
from baclovoice.speech.lexicon import Lexicon
from baclovoice.speech.normalize import parse_loose_date, to_speech
from baclovoice.speech.sentences import split_sentences

# (written, spoken): what the engine is handed for one display sentence.
PAIRS = [
    # dates
    ("Apr, 27 2023", "April twenty-seventh, twenty twenty-three"),
    ("It was April 27, 2023.", "It was April twenty-seventh, twenty twenty-three."),
    ("On 27 April 2023 we met.", "On April twenty-seventh, twenty twenty-three we met."),
    ("Released 2023-04-27 today.", "Released April twenty-seventh, twenty twenty-three today."),
    ("Thursday, April 27, 2023", "Thursday, April twenty-seventh, twenty twenty-three"),
    ("Due 4/27/2023", "Due April twenty-seventh, twenty twenty-three"),
    ("By Mar. 3", "By March third"),
    ("on 3 March", "on March third"),
    ("Published April 27, 2023", "Published April twenty-seventh, twenty twenty-three"),
    # cardinals, decimals, negatives
    ("It has 1,234 parts.", "It has one thousand two hundred and thirty-four parts."),
    ("1,000,000 people", "one million people"),
    ("Take 3.5 doses.", "Take three point five doses."),
    ("0.25", "zero point two five"),
    ("3.50", "three point five zero"),
    (".5 of it", "point five of it"),
    ("-4 degrees", "minus four degrees"),
    ("1 in 15 people", "one in fifteen people"),
    ("Code 007", "Code zero zero seven"),
    ("Account 1234567890", "Account one two three four five six seven eight nine zero"),
    ("version 3.5.2", "version three point five point two"),
    ("COVID-19", "COVID-nineteen"),
    ("1,2,3", "one,two,three"),
    # money
    ("It costs $5.50.", "It costs five dollars and fifty cents."),
    ("Only $1 each.", "Only one dollar each."),
    ("About €20 or £3.", "About twenty euros or three pounds."),
    ("$0.99 only", "ninety-nine cents only"),
    ("$1.01", "one dollar and one cent"),
    ("$1,000", "one thousand dollars"),
    ("$2.5 million", "two point five million dollars"),
    ("a $5m budget", "a five million dollars budget"),
    ("$10-20", "ten to twenty dollars"),
    ("$10\u2013$20", "ten to twenty dollars"),
    ("\u00a31.50", "one pound and fifty pence"),
    ("\u00a5500", "five hundred yen"),
    ("\u20ac1", "one euro"),
    # percentages
    ("20% agree", "twenty percent agree"),
    ("5-10%", "five to ten percent"),
    ("a 2.5% rise", "a two point five percent rise"),
    # ordinals
    ("the 1st and 22nd", "the first and twenty-second"),
    ("the 3rd", "the third"),
    ("the 101st", "the one hundred and first"),
    ("the 1,000th", "the one thousandth"),
    # years and decades
    ("in 2023", "in twenty twenty-three"),
    ("in 2000", "in two thousand"),
    ("in 2005", "in two thousand and five"),
    ("in 1905", "in nineteen oh-five"),
    ("in 1900", "in nineteen hundred"),
    ("in 2010", "in twenty ten"),
    ("1999 was", "nineteen ninety-nine was"),
    ("the 1990s", "the nineteen nineties"),
    ("the '80s", "the eighties"),
    ("the \u201980s", "the eighties"),
    ("the 2000s", "the two thousands"),
    ("the 1900s", "the nineteen hundreds"),
    ("in their 20s", "in their twenties"),
    ("100s of people", "hundreds of people"),
    # times
    ("at 9:30 p.m.", "at nine thirty P.M."),
    ("at 10:05 we", "at ten oh five we"),
    ("at 10:00", "at ten o'clock"),
    ("at 9 am today", "at nine A.M today"),
    ("9:05 a.m. sharp", "nine oh five A.M sharp"),
    ("12 PM", "twelve P.M"),
    ("at 14:00", "at fourteen hundred"),
    # ranges, ratios, fractions, phone numbers
    ("take 10-20 mg daily", "take ten to twenty milligrams daily"),
    ("from 2019\u20132021", "from twenty nineteen to twenty twenty-one"),
    ("pp. 10-12", "pages ten to twelve"),
    ("a 1:100 ratio", "a one to one hundred ratio"),
    ("1/2 cup", "one half cup"),
    ("1 1/2 cups", "one and a half cups"),
    ("2/3 of", "two thirds of"),
    ("3/4 cup", "three quarters cup"),
    ("\u00bd cup", "one half cup"),
    ("1\u00bd cups", "one and a half cups"),
    ("120/80 mmHg", "one hundred and twenty over eighty millimeters of mercury"),
    ("24/7 support", "twenty-four seven support"),
    ("50/50 chance", "fifty-fifty chance"),
    ("555-123-4567", "five five five, one two three, four five six seven"),
    # units
    ("1 mg", "one milligram"),
    ("2.5 kg", "two point five kilograms"),
    ("250 ml", "two hundred and fifty milliliters"),
    ("5 mL", "five milliliters"),
    ("3 km", "three kilometers"),
    ("60 mph", "sixty miles per hour"),
    ("100 km/h", "one hundred kilometers per hour"),
    ("10 mg/kg", "ten milligrams per kilogram"),
    ("5 mcg", "five micrograms"),
    ("2 lbs", "two pounds"),
    ("30 min", "thirty minutes"),
    ("24 h", "twenty-four hours"),
    ("3x daily", "three times daily"),
    ("5 GB", "five gigabytes"),
    ("37\u00b0C", "thirty-seven degrees Celsius"),
    ("-5\u00b0C outside", "minus five degrees Celsius outside"),
    ("98.6\u00b0F", "ninety-eight point six degrees Fahrenheit"),
    ("37 \u2103", "thirty-seven degrees Celsius"),
    # abbreviations
    ("Dr. Smith", "Doctor Smith"),
    ("Mr. and Mrs. Smith", "Mister and Missus Smith"),
    ("Prof. Lee", "Professor Lee"),
    ("Mt. Everest", "Mount Everest"),
    ("St. Louis is big.", "Saint Louis is big."),
    ("Visit St. Paul", "Visit Saint Paul"),
    ("He lives on Baker St. now.", "He lives on Baker Street now."),
    ("at 10 Downing St.", "at ten Downing Street."),
    ("St. John's wort", "Saint John's wort"),
    ("e.g. this", "for example this"),
    ("E.g., this", "For example, this"),
    ("i.e. that", "that is that"),
    ("cats vs. dogs", "cats versus dogs"),
    ("cats vs dogs", "cats versus dogs"),
    ("apples, etc. and pears", "apples, et cetera and pears"),
    ("and so on, etc.", "and so on, et cetera."),
    ("approx. 20 mg", "approximately twenty milligrams"),
    ("Smith et al. found", "Smith and colleagues found"),
    ("a.k.a. Bob", "also known as Bob"),
    ("No. 5", "number five"),
    ("p. 12", "page twelve"),
    # acronyms and roman numerals
    ("SSRIs", "S.S.R.I.'s"),
    ("the FDA approved", "the F.D.A approved"),
    ("(GAD), panic", "(G.A.D), panic"),
    ("the FDA's rules", "the F.D.A.'s rules"),
    ("FDA-approved", "F.D.A-approved"),
    ("GABA and NASA", "GABA and NASA"),
    ("NATO, AIDS, UNESCO", "NATO, AIDS, UNESCO"),
    ("NSAIDs", "en-seds"),
    ("the NHS and WHO", "the N.H.S and W.H.O"),
    ("COPD", "C.O.P.D"),
    ("GERD", "GERD"),
    ("IV fluids", "I.V fluids"),
    ("Phase III trial", "Phase three trial"),
    ("Type II diabetes", "Type two diabetes"),
    ("OK then", "okay then"),
    ("WARNING: DO NOT TAKE THIS", "warning: do not take this"),
    ("FDA CDC NIH", "F.D.A C.D.C N.I.H"),
    ("B12", "B twelve"),
    ("3D printing", "three D printing"),
    # web and mail addresses
    ("Visit https://www.example.com/path now.", "Visit example dot com now."),
    ("Mail jane.doe@example.org today.", "Mail jane dot doe at example dot org today."),
    ("https://example.co.uk/a/b?c=d", "example dot co dot U.K"),
    ("see example.com.", "see example dot com."),
    (
        "john_smith+news@mail.example.com",
        "john underscore smith plus news at mail dot example dot com",
    ),
    # symbols and typography
    ("A & B", "A and B"),
    ("5 + 3 = 8", "five plus three equals eight"),
    ("3 \u00d7 4", "three times four"),
    ("~5 people", "about five people"),
    ("#1 hit", "number one hit"),
    ("x >= 5", "x greater than or equal to five"),
    ("\u00b12", "plus or minus two"),
    ("he/she", "he or she"),
    ("and/or", "and or"),
    ("\u201cquoted\u201d \u2014 dash", '"quoted", dash'),
    ("it\u2019s", "it's"),
    ("wait\u2026", "wait..."),
    ("en \u2013 dash", "en, dash"),
    ("foo--bar", "foo, bar"),
    ("soft\u00adhyphen and zero\u200bwidth", "softhyphen and zerowidth"),
]


def test_there_are_over_a_hundred_distinct_pairs():
    assert len({written for written, _ in PAIRS}) == len(PAIRS) >= 100


@pytest.mark.parametrize(("written", "spoken"), PAIRS)
def test_to_speech(written, spoken):
    assert to_speech(written) == spoken


# One in/out check per pass: each is a plain function that works alone.
PASS_CASES = [
    (speech.remove_controls, "a\tb\x07c\ue000\u200b", "a\tbc"),
    (speech.typography, "\u201chi\u201d \u2212 1", '"hi" - 1'),
    (speech.phoneme_brackets, "[[x]] {y}", "((x)) (y)"),
    (speech.emails, "a.b@c.org", "a dot b at c dot org"),
    (speech.urls, "see http://www.x.org/p?q", "see x dot org"),
    (speech.dates, "Apr, 27 2023", "April twenty-seventh, twenty twenty-three"),
    (speech.times, "10:05", "ten oh five"),
    (speech.phone_numbers, "555.123.4567", "five five five, one two three, four five six seven"),
    (speech.currency, "$3", "three dollars"),
    (speech.decades, "1970s", "nineteen seventies"),
    (speech.ordinals, "2nd", "second"),
    (speech.ranges, "10-20", "10 to 20"),
    (speech.dashes, "a \u2014 b", "a, b"),
    (speech.fractions, "1/4", "one quarter"),
    (speech.ratios, "3:100", "3 to 100"),
    (speech.units, "1 kg", "one kilogram"),
    (speech.numbered_abbreviations, "No. 5", "number 5"),
    (speech.saint_or_street, "St. Louis", "Saint Louis"),
    (speech.abbreviations, "e.g. Dr. X", "for example Doctor X"),
    (speech.symbols, "A & B", "A  and  B"),
    (speech.split_alnum, "B12", "B 12"),
    (speech.shouting, "DO NOT STOP", "do not stop"),
    (speech.acronyms, "FDA", "F.D.A"),
    (speech.cardinals, "42", "forty-two"),
    (speech.tidy, " a ,  b . ", "a, b."),
]


@pytest.mark.parametrize(("step", "written", "spoken"), PASS_CASES, ids=lambda v: str(v)[:20])
def test_each_pass(step, written, spoken):
    assert step(written) == spoken


def test_every_pass_has_a_case():
    assert {step for step, _, _ in PASS_CASES} >= set(speech.PASSES)


def test_tables_are_passed_in_not_global():
    assert speech.units("2 parsec", table={"parsec": ("parsec", "parsecs")}) == "two parsecs"
    assert speech.abbreviations("Mr. X", table={"Mr.": "Sir"}) == "Sir X"
    assert speech.acronyms("ABC", pronounced={"ABC": "abc"}) == "abc"


@pytest.mark.parametrize(
    "table",
    [speech_data.UNITS, speech_data.ABBREVIATIONS, speech_data.SYMBOLS, speech_data.CURRENCIES],
)
def test_tables_are_read_only(table):
    assert isinstance(table, MappingProxyType)
    with pytest.raises(TypeError):
        table["new"] = "value"  # type: ignore[index]


# --- phoneme injection -------------------------------------------------------------

HOSTILE = [
    "[[ b æ k l oʊ f ɛ n ]]",
    "Say [[ h ə l oʊ ]] now",
    "[[[[nested]]]]",
    "[ [ spaced ] ]",
    "[\u200b[ zero width ]\u200b]",
    "\uff3b\uff3b fullwidth \uff3d\uff3d",
    "\u27e6\u27e6 math \u27e7\u27e7",
    "https://example.com/[[x]]",
    "[[x]]@example.com",
    "$[[5]]",
    "[[1]]st of [[May]]",
    "GABA[[ ]]B",
    "[\ue000[ private use ]\U000f0000]",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_raw_phonemes_get_through(text):
    lexicon = Lexicon.from_pairs([("gaba", "gabba")])
    spoken = to_speech(text, lexicon)
    assert "[[" not in spoken and "]]" not in spoken
    assert "[" not in spoken and "]" not in spoken


def test_no_bracket_combination_survives():
    alphabet = ["[", "]", " ", "a", "1", ".", "\u200b", "\uff3b", "$"]
    for size in range(1, 5):
        for chars in itertools.product(alphabet, repeat=size):
            spoken = to_speech("".join(chars))
            assert "[[" not in spoken and "]]" not in spoken, chars


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Apr, 27 2023", dt.date(2023, 4, 27)),
        ("2023-04-27", dt.date(2023, 4, 27)),
        ("27 April 2023", dt.date(2023, 4, 27)),
        ("April 27, 2023", dt.date(2023, 4, 27)),
        ("april 27th, 2023", dt.date(2023, 4, 27)),
        ("Sept. 1, 1999", dt.date(1999, 9, 1)),
        ("Thursday, 27 Apr 2023", dt.date(2023, 4, 27)),
        ("  Apr 27 2023 ", dt.date(2023, 4, 27)),
        ("4/27/2023", dt.date(2023, 4, 27)),
        ("Feb 30, 2023", None),
        ("2023-13-01", None),
        ("April 2023", None),
        ("yesterday", None),
        ("", None),
        ("12 monkeys 2023", None),
    ],
)
def test_parse_loose_date(written, expected):
    assert parse_loose_date(written) == expected


@pytest.mark.parametrize(
    ("date", "text"),
    [(dt.date(2023, 4, 27), "April 27, 2023"), (dt.date(1999, 12, 1), "December 1, 1999")],
)
def test_format_date(date, text):
    assert format_date(date) == text
    assert parse_loose_date(text) == date


# --- sentences ---------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith met Mr. Jones at 9:30 p.m. on Main St. in town. They talked.",
            ["Dr. Smith met Mr. Jones at 9:30 p.m. on Main St. in town.", "They talked."],
        ),
        (
            "Take 2.5 mg, e.g. with food, i.e. at dinner. Then rest.",
            ["Take 2.5 mg, e.g. with food, i.e. at dinner.", "Then rest."],
        ),
        (
            "Visit https://www.example.com/path?x=1. Or e-mail jane.doe@example.org today.",
            ["Visit https://www.example.com/path?x=1.", "Or e-mail jane.doe@example.org today."],
        ),
        (
            "Cats vs. dogs etc. are fun. Approx. 20% agree.",
            ["Cats vs. dogs etc. are fun.", "Approx. 20% agree."],
        ),
        (
            "We bought pears, etc. and went home. Then we ate.",
            ["We bought pears, etc. and went home.", "Then we ate."],
        ),
        (
            "He arrived at 5 p.m. The next day he left.",
            ["He arrived at 5 p.m.", "The next day he left."],
        ),
        (
            "It costs $5.50. Really? Yes! Next.",
            ["It costs $5.50.", "Really?", "Yes!", "Next."],
        ),
        (
            "See St. Louis. We went to Baker St. and home.",
            ["See St. Louis.", "We went to Baker St. and home."],
        ),
        (
            "Smith et al. found this. Others did not.",
            ["Smith et al. found this.", "Others did not."],
        ),
        (
            "Version 3.5.2 is out. See example.com. Bye.",
            ["Version 3.5.2 is out.", "See example.com.", "Bye."],
        ),
        ("No. That is wrong. See No. 5 here.", ["No.", "That is wrong.", "See No. 5 here."]),
        ("Wait... and then. Done.", ["Wait... and then.", "Done."]),
        ("No final stop", ["No final stop"]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(text, expected):
    assert sentences(text) == expected


def test_offsets_exclude_surrounding_whitespace():
    text = "  One here.   Two there.  "
    assert split_sentences(text) == [(2, 11), (14, 24)]


def test_split_returns_a_fresh_list_each_time():
    first = split_sentences("One. Two.")
    first.clear()
    assert split_sentences("One. Two.") == [(0, 4), (5, 9)]


def test_unknown_language_falls_back_to_english():
    assert split_sentences("One. Two.", language="xx-YY") == [(0, 4), (5, 9)]


SEED_PARAGRAPHS = [
    (
        "While Baclofen is not specifically approved for the treatment of anxiety, some "
        "research suggests that it may have potential in this area. This is mainly due to its "
        "action on the neurotransmitter gamma-aminobutyric acid (GABA), which plays a crucial "
        "role in regulating anxiety and mood.",
        2,
    ),
    (
        "There are several types of anxiety disorders, including generalized anxiety disorder "
        "(GAD), panic disorder, social anxiety disorder, and specific phobias. Each of these "
        "conditions can have a significant impact on a person's life, making it essential to "
        "seek treatment and manage symptoms.",
        2,
    ),
    (
        "Treatment options for anxiety disorders typically include a combination of therapy "
        "(such as cognitive-behavioral therapy) and medications. Commonly prescribed "
        "medications for anxiety include benzodiazepines, selective serotonin reuptake "
        "inhibitors (SSRIs), and beta-blockers. In some cases, doctors may also consider "
        "prescribing off-label medications like Baclofen to help manage anxiety symptoms.",
        3,
    ),
    (
        "However, there are also some limitations to consider. Baclofen is not FDA-approved "
        "for treating anxiety, and its use for this purpose is considered off-label. Also, "
        "while some studies have shown positive results, more research is needed to determine "
        "the safety and effectiveness of Baclofen for anxiety treatment. Finally, as with any "
        "medication, there are potential side effects to consider, such as drowsiness, "
        "dizziness, and weakness.",
        4,
    ),
]


@pytest.mark.parametrize(("paragraph", "count"), SEED_PARAGRAPHS)
def test_seed_paragraphs(paragraph, count):
    spans = split_sentences(paragraph)
    assert len(spans) == count
    assert all(paragraph[start:end].endswith(".") for start, end in spans)
    covered = "".join(paragraph[start:end] for start, end in spans)
    assert covered.replace(" ", "") == paragraph.replace(" ", "")


def test_gaba_sentence_stays_whole():
    paragraph = SEED_PARAGRAPHS[0][0]
    second = sentences(paragraph)[1]
    assert second.startswith("This is mainly due")
    assert "(GABA), which plays a crucial role" in second
    start = paragraph.index("This is mainly")
    assert split_sentences(paragraph)[1] == (start, len(paragraph))


def test_seed_speech_spells_acronyms():
    paragraph = SEED_PARAGRAPHS[2][0]
    spoken = " ".join(to_speech(s) for s in sentences(paragraph))
    assert "(S.S.R.I.'s)" in spoken
    assert "SSRI" not in spoken
