"""Speech text: the spoken form of one display sentence, for the engines.

``to_speech`` turns one
display sentence into what an engine should read, as an ordered tuple of tiny
named ``str -> str`` passes (the gTTS ``pre_processors`` idea). Each pass takes
its table from ``speech.data`` as a keyword default, so tests can hand in their
own, and none mutates it.

Order inside ``to_speech``:

1. ``remove_controls`` -- control, zero-width and private-use characters go.
2. The lexicon swaps each written word it knows for a placeholder (private-use
   character), so it sees the words as written and no later pass can alter
   the respelling.
3. ``PASSES`` in order: typography and Piper's ``[[phoneme]]`` brackets first;
   then web and e-mail addresses, dates, times, phone numbers and money (which
   contain digits and dots); then number shapes (decades, ordinals, ranges,
   fractions, ratios, units); then words (abbreviations, symbols, acronyms);
   bare numbers last. A final guard removes any bracket again.
4. Placeholders become the lexicon's respellings.

Letters are spelled as dotted groups ("F.D.A", "S.S.R.I.'s"): with spaces,
espeak-ng reads a lone "A" as the article ("G A D" -> /dʒiː ɐ diː/) and "Is" as
the verb, while the dotted form is read letter by letter by espeak and gTTS.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping

from num2words import num2words

from baclovoice.speech import data
from baclovoice.speech.lexicon import EMPTY_LEXICON, Lexicon

log = logging.getLogger(__name__)

Pass = Callable[[str], str]

# Longer whole numbers are read digit by digit (num2words stops near 10**300).
MAX_WORD_DIGITS = 15
# A number as written: "1,234.5", "12", "0.25".
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMPM = r"(?P<ap>[ap]\.m\.|[AP]\.M\.|[ap]m\b|[AP]M\b)"
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})(?!\d)"
_MONTH_FIRST = rf"{_MONTH},?\s*{_DAY}(?:,?\s+{_YEAR})?"
_DAY_FIRST = rf"{_DAY}\s+(?:of\s+)?{_MONTH},?(?:\s+{_YEAR})?"
_ISO_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_NUMERIC_DATE = r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"


# --- number words -----------------------------------------------------------------


def digits(number: str) -> str:
    """Read digit by digit: "007" -> "zero zero seven"."""
    return " ".join(data.DIGIT_WORDS[int(d)] for d in number if d.isdigit())


def cardinal(number: str) -> str:
    """ "1,234.50" -> "one thousand two hundred and thirty-four point five zero"."""
    text = number.replace(",", "")
    sign = "minus " if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if len(whole) > MAX_WORD_DIGITS:
        spoken = digits(whole)
    else:
        spoken = num2words(int(whole)).replace(",", "") if whole else ""
    if fraction:
        spoken = f"{spoken} point {digits(fraction)}".strip()
    return sign + spoken


def year_words(year: int) -> str:
    """2023 -> "twenty twenty-three"; 2000 -> "two thousand"."""
    return str(num2words(year, to="year")).replace(",", "")


def ordinal(n: int) -> str:
    if len(str(n)) > MAX_WORD_DIGITS:
        return digits(str(n)) + "th"
    return str(num2words(n, to="ordinal")).replace(",", "")


def pluralize(words: str) -> str:
    """Make the last word plural: "nineteen ninety" -> "nineteen nineties"."""
    head, _, last = words.rpartition(" ")
    if last.endswith("y"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "s")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


def spell(letters: str, plural: bool = False) -> str:
    """ "FDA" -> "F.D.A"; plural "SSRI" -> "S.S.R.I.'s" (see module docstring)."""
    return ".".join(letters) + (".'s" if plural else "")


def _roman_value(numeral: str) -> int | None:
    if not re.fullmatch(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})", numeral):
        return None
    values = [data.ROMAN_VALUES[c] for c in numeral]
    total = sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))
    return total or None


def _keeps_period(match: re.Match[str]) -> str:
    """ "." when a matched abbreviation's period also ends the text."""
    rest = match.string[match.end() :]
    return "." if match.group().endswith(".") and not rest.strip(" \"')") else ""


# --- dates --------------------------------------------------------------------------


def _month_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return data.MONTH_NUMBERS.get(word.rstrip(".").lower())


def _date_of(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    month = _month_number(groups["month"])
    if month is None or groups.get("year") is None:
        return None
    try:
        return dt.date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None


_LOOSE_DATES = tuple(
    re.compile(rf"{_WEEKDAY}{pattern}", re.IGNORECASE)
    for pattern in (_MONTH_FIRST, _DAY_FIRST, _ISO_DATE, _NUMERIC_DATE)
)


def parse_loose_date(text: str) -> dt.date | None:
    """Read a date written by hand: "Apr, 27 2023", "27 April 2023", "2023-04-27"."""
    cleaned = " ".join(text.split()).rstrip(".")
    for pattern in _LOOSE_DATES:
        match = pattern.fullmatch(cleaned)
        if match:
            return _date_of(match)
    return None


_DATE_PATTERNS = tuple(
    re.compile(rf"(?<![\w.,]){pattern}(?![\w/])")
    for pattern in (_ISO_DATE, _NUMERIC_DATE, _MONTH_FIRST, _DAY_FIRST)
)


def _spoken_date(match: re.Match[str]) -> str:
    groups = match.groupdict()
    month = _month_number(groups["month"])
    day = int(groups["day"])
    if month is None or not 1 <= month <= 12 or not 1 <= day <= 31:
        return match.group()
    if groups.get("year") is not None and _date_of(match) is None:
        return match.group()
    spoken = f"{data.MONTHS[month - 1]} {ordinal(day)}"
    if groups.get("year") is not None:
        spoken += f", {year_words(int(groups['year']))}"
    return spoken + _keeps_period(match)


def dates(text: str) -> str:
    """ "Apr, 27 2023" / "2023-04-27" -> "April twenty-seventh, twenty twenty-three"."""
    for pattern in _DATE_PATTERNS:
        text = pattern.sub(_spoken_date, text)
    return text


# --- passes ------------------------------------------------------------------------

_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(
    r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)


def remove_controls(text: str) -> str:
    """Drop invisible and private-use characters (placeholders are private-use)."""
    text = unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub("", _CONTROLS.sub("", text))


def typography(text: str, table: Mapping[int, str] = data.TYPOGRAPHY) -> str:
    """Curly quotes, odd spaces and signs -> plain ASCII forms."""
    return text.translate(table)


def phoneme_brackets(text: str) -> str:
    """Piper reads "[[ ... ]]" as raw phonemes: article text must never do that."""
    return text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")


def _speak_host(host: str, tlds: Mapping[str, str]) -> str:
    labels = host.lower().split(":")[0].removeprefix("www.").split(".")
    labels[-1] = tlds.get(labels[-1], labels[-1])
    return " dot ".join(labels)


EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_LOCAL_PART = {".": " dot ", "_": " underscore ", "-": " dash ", "+": " plus "}


def emails(text: str, tlds: Mapping[str, str] = data.TLDS) -> str:
    """ "jane.doe@example.org" -> "jane dot doe at example dot org"."""

    def one(match: re.Match[str]) -> str:
        local = re.sub(r"[._+-]", lambda m: _LOCAL_PART[m.group()], match.group(1))
        return f"{local} at {_speak_host(match.group(2), tlds)}"

    return EMAIL.sub(one, text)


URL = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)']", re.IGNORECASE)


def _bare_domain(tlds: tuple[str, ...]) -> re.Pattern[str]:
    path = r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)'])?"
    return re.compile(r"(?<![\w.@/-])(?:[a-z0-9-]+\.)+(?:" + "|".join(tlds) + r")\b" + path)


BARE_DOMAIN = _bare_domain(data.BARE_DOMAIN_TLDS)


def urls(text: str, tlds: Mapping[str, str] = data.TLDS) -> str:
    """Read only the site: "https://www.example.com/path" -> "example dot com"."""

    def one(match: re.Match[str]) -> str:
        address = re.sub(r"^[a-z]+://", "", match.group(), flags=re.IGNORECASE)
        host = re.split(r"[/?#]", address, maxsplit=1)[0].rpartition("@")[2]
        return _speak_host(host, tlds)

    return BARE_DOMAIN.sub(one, URL.sub(one, text))


_TIME = re.compile(
    r"(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])"
    rf"(?:\s*{_AMPM})?"
)
_HOUR_AMPM = re.compile(rf"(?<![\d:.,])(?P<h>1[0-2]|0?[1-9])\s*{_AMPM}")


def _spoken_time(match: re.Match[str]) -> str:
    groups = match.groupdict()
    hour, minute = int(groups["h"]), int(groups.get("m") or 0)
    spoken = num2words(hour)
    if minute == 0 and groups.get("m") is not None and not groups["ap"]:
        spoken += " o'clock" if hour <= 12 else " hundred"
    elif 0 < minute < 10:
        spoken += f" oh {num2words(minute)}"
    elif minute:
        spoken += f" {num2words(minute)}"
    if groups.get("s"):
        spoken += f" and {num2words(int(groups['s']))} seconds"
    if groups["ap"]:
        spoken += " " + spell(groups["ap"].replace(".", "").upper())
    return spoken + _keeps_period(match)


def times(text: str) -> str:
    """ "9:30 p.m." -> "nine thirty P.M"; "10:05" -> "ten oh five"."""
    return _HOUR_AMPM.sub(_spoken_time, _TIME.sub(_spoken_time, text))


_PHONE = re.compile(r"(?<![\d-])(?:\((\d{3})\)\s?|(\d{3})[-.])(\d{3})[-.](\d{4})(?![\d-])")


def phone_numbers(text: str) -> str:
    """ "555-123-4567" -> digit groups, never "five hundred and fifty-five to ..."."""
    return _PHONE.sub(lambda m: ", ".join(digits(g) for g in m.groups() if g), text)


def _money(amount: str, names: tuple[str, str, str, str]) -> str:
    unit, units, cent, cents = names
    whole, _, fraction = amount.replace(",", "").partition(".")
    if len(fraction) > 2 or (fraction and not cent):
        return f"{cardinal(amount)} {units}"
    count = whole.lstrip("0")  # a string: amounts may be longer than int() allows
    subcount = int(fraction.ljust(2, "0")) if fraction else 0
    parts = []
    if count or not subcount:
        parts.append(f"{cardinal(whole or '0')} {unit if count == '1' else units}")
    if subcount:
        parts.append(f"{cardinal(str(subcount))} {cent if subcount == 1 else cents}")
    return " and ".join(parts)


def _currency_pattern(symbols: Collection[str], magnitudes: Collection[str]) -> re.Pattern[str]:
    sym = "|".join(re.escape(s) for s in symbols)
    mag = "|".join(sorted(magnitudes, key=len, reverse=True))
    return re.compile(
        rf"(?P<sym>{sym})\s?(?P<a>{NUM})(?:\s?[-\u2013\u2014]\s?(?:{sym})?(?P<b>{NUM}))?"
        rf"(?:\s?(?P<mag>{mag})\b)?"
    )


_CURRENCY = _currency_pattern(data.CURRENCIES, data.MAGNITUDES)


def currency(
    text: str,
    table: Mapping[str, tuple[str, str, str, str]] = data.CURRENCIES,
    magnitudes: Mapping[str, str] = data.MAGNITUDES,
) -> str:
    """ "$5.50" -> "five dollars and fifty cents"; "$2.5 million" -> "... million dollars"."""
    pattern = _CURRENCY
    if table is not data.CURRENCIES or magnitudes is not data.MAGNITUDES:
        pattern = _currency_pattern(table, magnitudes)

    def one(match: re.Match[str]) -> str:
        names = table[match["sym"]]
        a, b, mag = match["a"], match["b"], match["mag"]
        if mag:
            upper = f" to {cardinal(b)}" if b else ""
            return f"{cardinal(a)}{upper} {magnitudes[mag]} {names[1]}"
        if b and "." not in a + b:
            return f"{cardinal(a)} to {cardinal(b)} {names[1]}"
        if b:
            return f"{_money(a, names)} to {_money(b, names)}"
        return _money(a, names)

    return pattern.sub(one, text)


_DECADE_SHORT = re.compile(r"(?<![\w'])'(?P<d>[1-9])0s\b")
_DECADE_YEAR = re.compile(r"(?<![\d,.])(?P<y>1[1-9]\d0|20\d0)s\b")
_NUMBER_PLURAL = re.compile(r"(?<![\d,.])(?P<n>\d+)s\b")


def decades(text: str) -> str:
    """ "1990s" -> "nineteen nineties"; "the '80s" -> "the eighties"; "100s" -> "hundreds"."""
    text = _DECADE_SHORT.sub(lambda m: pluralize(num2words(int(m["d"]) * 10)), text)
    text = _DECADE_YEAR.sub(lambda m: pluralize(year_words(int(m["y"]))), text)

    def plural_number(match: re.Match[str]) -> str:
        spoken = cardinal(match["n"])
        if match["n"] in ("100", "1000", "1000000"):
            spoken = spoken.removeprefix("one ")
        return pluralize(spoken)

    return _NUMBER_PLURAL.sub(plural_number, text)


_ORDINAL = re.compile(r"(?<![\d,.])(?P<n>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:st|nd|rd|th)\b")


def ordinals(text: str) -> str:
    """ "1st" -> "first"; "22nd" -> "twenty-second"."""
    return _ORDINAL.sub(lambda m: ordinal(int(m["n"].replace(",", ""))), text)


_RANGE = re.compile(rf"(?<![\w.,-])(?P<a>{NUM})(?:\s?[\u2013\u2014]\s?|-)(?P<b>{NUM})(?!\d)")


def ranges(text: str) -> str:
    """ "10-20" -> "10 to 20" (numbers stay digits for the unit and year passes)."""
    return _RANGE.sub(lambda m: f"{m['a']} to {m['b']}", text)


def dashes(text: str) -> str:
    """Dashes left between words are pauses: "word — word" -> "word, word"."""
    text = re.sub(r"\s*(?:\u2014|--)\s*", ", ", text)
    text = re.sub(r"\s+[\u2013-]\s+", ", ", text)
    return text.replace("\u2013", "-")


def _fraction(numerator: int, denominator: int, table: Mapping[int, tuple[str, str]]) -> str:
    if denominator in table:
        singular, plural = table[denominator]
        return f"{cardinal(str(numerator))} {singular if numerator == 1 else plural}"
    return f"{cardinal(str(numerator))} over {denominator}"


def _special_pattern(table: Collection[str]) -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w/])")


_SPECIAL_SLASH = _special_pattern(data.SPECIAL_SLASHES)
_MIXED_FRACTION = re.compile(
    r"(?<![\d/.,])(?P<w>\d{1,15})\s(?P<n>\d{1,15})/(?P<d>\d{1,15})(?![\d/])"
)
_FRACTION = re.compile(r"(?<![\d/.,])(?P<n>\d{1,15})/(?P<d>\d{1,15})(?![\d/])")


def fractions(
    text: str,
    denominators: Mapping[int, tuple[str, str]] = data.FRACTION_DENOMINATORS,
    specials: Mapping[str, str] = data.SPECIAL_SLASHES,
    vulgar: Mapping[str, str] = data.VULGAR_FRACTIONS,
) -> str:
    """ "1/2" -> "one half"; "1 1/2" -> "one and a half"; "120/80" -> "... over 80"."""
    chars = "".join(vulgar)
    text = re.sub(rf"(\d?)([{chars}])", lambda m: (m[1] + " " if m[1] else "") + vulgar[m[2]], text)
    special = _SPECIAL_SLASH if specials is data.SPECIAL_SLASHES else _special_pattern(specials)
    text = special.sub(lambda m: specials[m.group()], text)

    def mixed(match: re.Match[str]) -> str:
        n, d = int(match["n"]), int(match["d"])
        part = _fraction(n, d, denominators)
        if n == 1 and d in denominators:
            part = "a " + part.removeprefix("one ")
        return f"{cardinal(match['w'])} and {part}"

    text = _MIXED_FRACTION.sub(mixed, text)
    return _FRACTION.sub(lambda m: _fraction(int(m["n"]), int(m["d"]), denominators), text)


def ratios(text: str) -> str:
    """Colon pairs that are not times: "1:100" -> "1 to 100"."""
    return re.sub(r"(?<![\d:.])(\d+):(\d+)(?![\d:])", r"\1 to \2", text)


def _units_pattern(units: Collection[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"(?<![\w.,])(?P<num>-?(?:{NUM}))\s?(?P<unit>{names})(?![\w/])")


_UNITS = _units_pattern(data.UNITS)


def units(text: str, table: Mapping[str, tuple[str, str]] = data.UNITS) -> str:
    """ "20 mg" -> "twenty milligrams"; "1 mg" -> "one milligram"; "20%" -> "twenty percent"."""
    pattern = _UNITS if table is data.UNITS else _units_pattern(table)

    def one(match: re.Match[str]) -> str:
        singular, plural = table[match["unit"]]
        number = match["num"].replace(",", "")
        return f"{cardinal(number)} {singular if number in ('1', '-1') else plural}"

    return pattern.sub(one, text)


def numbered_abbreviations(
    text: str, table: Mapping[str, str] = data.NUMBERED_ABBREVIATIONS
) -> str:
    """ "No. 5" -> "number 5"; "p. 12" -> "page 12"; "#1" -> "number 1"."""
    keys = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    pattern = rf"(?<![\w.])(?P<abbr>{keys})\s?(?=\d)"
    return re.sub(pattern, lambda m: table[m["abbr"]] + " ", text)


_SAINT_OR_STREET = re.compile(r"\bSt\b\.?")


def saint_or_street(text: str) -> str:
    """ "St. Louis" -> "Saint Louis"; "Baker St." -> "Baker Street".

    After a capitalized word (not the first of the text) or a number it is a
    street; before a capitalized word otherwise a saint.
    """

    def one(match: re.Match[str]) -> str:
        before = match.string[max(0, match.start() - 80) : match.start()]
        previous = re.search(r"(?P<lead>.*?)(?P<prev>[^\s\"'(]+)\s+$", before)
        after_name = bool(
            previous
            and previous["prev"][0].isalnum()
            and not previous["prev"][0].islower()
            and previous["lead"].strip()  # the first word of a sentence is no evidence
            and not previous["lead"].rstrip().endswith((".", "!", "?", ":"))
        )
        before_name = re.match(r"\s+[A-Z]", match.string[match.end() :]) is not None
        word = "Saint" if before_name and not after_name else "Street"
        return word + _keeps_period(match)

    return _SAINT_OR_STREET.sub(one, text)


def _abbreviation_pattern(keys: Collection[str]) -> re.Pattern[str]:
    def alternative(key: str) -> str:
        first = f"[{key[0]}{key[0].upper()}]" if key[0].islower() else re.escape(key[0])
        return first + re.escape(key[1:]).replace(r"\ ", r"\s+")

    ordered = sorted(keys, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(alternative, ordered)) + r")(?!\w)")


_ABBREVIATIONS = _abbreviation_pattern(data.ABBREVIATIONS)


def abbreviations(text: str, table: Mapping[str, str] = data.ABBREVIATIONS) -> str:
    """ "Dr." -> "Doctor", "e.g." -> "for example", "etc." -> "et cetera"."""
    pattern = _ABBREVIATIONS if table is data.ABBREVIATIONS else _abbreviation_pattern(table)
    folded = {key.lower(): value for key, value in table.items() if key[0].islower()}

    def one(match: re.Match[str]) -> str:
        written = " ".join(match.group().split())
        spoken = table.get(written) or folded[written.lower()]
        if written[0].isupper() and written not in table:
            spoken = spoken[0].upper() + spoken[1:]
        return spoken + _keeps_period(match)

    return pattern.sub(one, text)


def _symbol_pattern(keys: Collection[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


_SYMBOLS = _symbol_pattern(data.SYMBOLS)


def symbols(text: str, table: Mapping[str, str] = data.SYMBOLS) -> str:
    """ "&" -> "and", "~5" -> "about 5", "he/she" -> "he or she", "=" -> "equals"."""
    text = re.sub(r"~\s?(?=\d)", "about ", text).replace("~", " ")
    text = re.sub(r"(?<=[^\W\d_])/(?=[^\W\d_])", " or ", text)
    pattern = _SYMBOLS if table is data.SYMBOLS else _symbol_pattern(table)
    return pattern.sub(lambda m: table[m.group()], text)


def split_alnum(text: str) -> str:
    """ "B12" -> "B 12", "3D" -> "3 D": letters and digits are read apart."""
    return re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", text)


def shouting(text: str, known: Collection[str] = data.PRONOUNCED_ACRONYMS) -> str:
    """A sentence in capitals is read as words, not as a string of acronyms.

    It counts as shouted when three or more of its words are not known acronyms
    and at least one of those reads as a word ("DO NOT STOP"; not "NATO, AIDS").
    """
    if any(c.islower() for c in text):
        return text
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in known]
    if len(words) >= 3 and any(pronounceable(w) for w in words):
        return text.lower()
    return text


_ACRONYM = re.compile(r"(?<![\w.])(?P<word>[A-Z]{2,})(?P<suffix>'s|s)?(?!\w|\.\w)")


def pronounceable(word: str) -> bool:
    """The sane rule: >= 4 letters shaped like an English word (NATO, GERD; not COPD)."""
    if len(word) < 4 or not any(c in data.VOWEL_LETTERS for c in word):
        return False
    runs = re.findall(r"[AEIOU]+|[^AEIOU]+", word.replace("Y", "I"))
    consonant_runs = [r for r in runs if r[0] not in "AEIOU"]
    if any(len(r) > 2 for r in runs if r[0] in "AEIOU"):
        return False
    first, last = runs[0], runs[-1]
    if first in consonant_runs and len(first) > 1 and first not in data.ONSETS:
        return False
    if runs[-1][0] not in "AEIOU" and len(last) > 1 and last not in data.CODAS:
        return False
    inner = runs[1:-1]
    return all(len(r) <= 2 for r in inner if r[0] not in "AEIOU")


def acronyms(
    text: str,
    pronounced: Mapping[str, str] = data.PRONOUNCED_ACRONYMS,
    spelled: Collection[str] = data.SPELLED_ACRONYMS,
    roman_context: Collection[str] = data.ROMAN_CONTEXT,
) -> str:
    """ "FDA" -> "F.D.A", "SSRIs" -> "S.S.R.I.'s", "NASA" stays, "Type II" -> "Type two"."""

    def one(match: re.Match[str]) -> str:
        word, suffix = match["word"], match["suffix"] or ""
        if word in pronounced:
            return pronounced[word] + suffix
        previous = re.findall(
            r"[^\W\d_]+", match.string[max(0, match.start() - 40) : match.start()]
        )
        roman = _roman_value(word) if len(word) > 1 else None
        if roman and previous and previous[-1].lower() in roman_context:
            return cardinal(str(roman)) + suffix
        if word not in spelled and pronounceable(word):
            return word + suffix
        return spell(word, plural=bool(suffix))

    return _ACRONYM.sub(one, text)


_NUMBER = re.compile(
    r"(?<!\d)(?P<neg>-)?(?P<num>\d+(?:\.\d+){2,}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    r"|(?<![\w.])\.\d+)(?!\d)"
)


def _spoken_number(match: re.Match[str]) -> str:
    number, start = match["num"], match.start()
    signed = match["neg"] and (start == 0 or match.string[start - 1] in " (\"'")
    prefix = "minus " if signed else (match["neg"] or "")
    if number.count(".") > 1:
        return prefix + " point ".join(cardinal(part) for part in number.split("."))
    plain = "," not in number and "." not in number
    if plain and (len(number) > 9 or (len(number) > 1 and number.startswith("0"))):
        return prefix + digits(number)
    if plain and not signed and len(number) == 4 and 1100 <= int(number) <= 2099:
        return prefix + year_words(int(number))
    return prefix + cardinal(number)


def cardinals(text: str) -> str:
    """Bare numbers: "1,234" -> "one thousand two hundred and thirty-four",
    "3.5" -> "three point five", "2023" -> "twenty twenty-three", "-4" -> "minus four"."""
    return _NUMBER.sub(_spoken_number, text)


def tidy(text: str) -> str:
    """One space between words, none before punctuation, no doubled commas."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    return re.sub(r"^[,;:]\s*", "", text).strip()


PASSES: tuple[Pass, ...] = (
    typography,
    phoneme_brackets,
    emails,
    urls,
    dates,
    times,
    phone_numbers,
    currency,
    decades,
    ordinals,
    ranges,
    dashes,
    fractions,
    ratios,
    units,
    numbered_abbreviations,
    saint_or_street,
    abbreviations,
    symbols,
    split_alnum,
    shouting,
    acronyms,
    cardinals,
    tidy,
    phoneme_brackets,
)

_PLACEHOLDER_BASE = 0xF0000


def to_speech(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of one display sentence (pure; see the module docstring)."""
    lexicon = lexicon or EMPTY_LEXICON
    text = lexicon.sub(remove_controls(text), lambda i: chr(_PLACEHOLDER_BASE + i))
    for step in PASSES:
        text = step(text)
    return re.sub(
        "[\U000f0000-\U0010ffff]",
        lambda m: lexicon.entries[ord(m.group()) - _PLACEHOLDER_BASE][1],
        text,
    )
