"""Read-only tables for the speech-text passes in ``normalize.py`` and ``sentences.py``.

Kept apart from the code (as gTTS keeps ``symbols.py``) so a new abbreviation or
unit is a one-line data change. Every table is immutable (tuple, frozenset or
``MappingProxyType``): the passes receive them as arguments and never mutate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from baclovoice import humanize


def _frozen(table: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(table)


MONTHS = humanize.MONTHS

# Written month (full name or abbreviation, lower case, no period) -> month number.
MONTH_NUMBERS: Mapping[str, int] = MappingProxyType(
    {name.lower(): i for i, name in enumerate(MONTHS, 1)}
    | {name[:3].lower(): i for i, name in enumerate(MONTHS, 1)}
    | {"sept": 9}
)

DIGIT_WORDS: tuple[str, ...] = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)

# Typographic characters -> plain ASCII the engines read well (str.translate table).
TYPOGRAPHY: Mapping[int, str] = MappingProxyType(
    str.maketrans(
        {
            "\u2018": "'",  # left single quote
            "\u2019": "'",  # right single quote / apostrophe
            "\u201a": "'",
            "\u201b": "'",
            "\u2032": "'",  # prime
            "\u201c": '"',
            "\u201d": '"',
            "\u201e": '"',
            "\u201f": '"',
            "\u00ab": '"',
            "\u00bb": '"',
            "\u2033": '"',  # double prime
            "\u2026": "...",
            "\u2212": "-",  # minus sign
            "\u2010": "-",  # hyphen
            "\u2011": "-",  # non-breaking hyphen
            "\u00a0": " ",
            "\u2002": " ",
            "\u2003": " ",
            "\u2007": " ",
            "\u2009": " ",
            "\u202f": " ",
            "\u2103": "\u00b0C",  # degree Celsius sign
            "\u2109": "\u00b0F",
            "\uff3b": "(",  # fullwidth brackets: never let them become [[
            "\uff3d": ")",
            "\u27e6": "(",
            "\u27e7": ")",
        }
    )
)

# Vulgar fraction characters -> "n/d".
VULGAR_FRACTIONS: Mapping[str, str] = _frozen(
    {
        "\u00bd": "1/2",
        "\u2153": "1/3",
        "\u2154": "2/3",
        "\u00bc": "1/4",
        "\u00be": "3/4",
        "\u2155": "1/5",
        "\u2156": "2/5",
        "\u2157": "3/5",
        "\u2158": "4/5",
        "\u2159": "1/6",
        "\u215a": "5/6",
        "\u215b": "1/8",
        "\u215c": "3/8",
        "\u215d": "5/8",
        "\u215e": "7/8",
    }
)

# Slash expressions read as a whole rather than as fractions.
SPECIAL_SLASHES: Mapping[str, str] = _frozen(
    {
        "24/7": "twenty-four seven",
        "9/11": "nine eleven",
        "50/50": "fifty-fifty",
        "and/or": "and or",
        "w/o": "without",
        "w/": "with",
        "b/c": "because",
        "n/a": "not applicable",
        "N/A": "not applicable",
    }
)

# Fraction denominators spoken as words; others are read "x over y".
FRACTION_DENOMINATORS: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        2: ("half", "halves"),
        3: ("third", "thirds"),
        4: ("quarter", "quarters"),
        5: ("fifth", "fifths"),
        6: ("sixth", "sixths"),
        7: ("seventh", "sevenths"),
        8: ("eighth", "eighths"),
        9: ("ninth", "ninths"),
        10: ("tenth", "tenths"),
        12: ("twelfth", "twelfths"),
        16: ("sixteenth", "sixteenths"),
        100: ("hundredth", "hundredths"),
        1000: ("thousandth", "thousandths"),
    }
)

# Currency symbol -> (unit, units, subunit, subunits); empty subunit = none.
CURRENCIES: Mapping[str, tuple[str, str, str, str]] = MappingProxyType(
    {
        "$": ("dollar", "dollars", "cent", "cents"),
        "\u20ac": ("euro", "euros", "cent", "cents"),
        "\u00a3": ("pound", "pounds", "penny", "pence"),
        "\u00a5": ("yen", "yen", "", ""),
        "\u20b9": ("rupee", "rupees", "", ""),
    }
)

# Magnitude suffixes after an amount: "$5m", "$2.5 billion".
MAGNITUDES: Mapping[str, str] = _frozen(
    {
        "k": "thousand",
        "K": "thousand",
        "m": "million",
        "M": "million",
        "mn": "million",
        "bn": "billion",
        "B": "billion",
        "thousand": "thousand",
        "million": "million",
        "billion": "billion",
        "trillion": "trillion",
    }
)

# Unit written after a number -> (singular, plural). Matched case-sensitively.
UNITS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "%": ("percent", "percent"),
        "\u00b0C": ("degree Celsius", "degrees Celsius"),
        "\u00b0F": ("degree Fahrenheit", "degrees Fahrenheit"),
        "\u00b0": ("degree", "degrees"),
        "mg/kg": ("milligram per kilogram", "milligrams per kilogram"),
        "mg/dL": ("milligram per deciliter", "milligrams per deciliter"),
        "mg/dl": ("milligram per deciliter", "milligrams per deciliter"),
        "mg/ml": ("milligram per milliliter", "milligrams per milliliter"),
        "mg/mL": ("milligram per milliliter", "milligrams per milliliter"),
        "mmol/L": ("millimole per liter", "millimoles per liter"),
        "mmol/l": ("millimole per liter", "millimoles per liter"),
        "km/h": ("kilometer per hour", "kilometers per hour"),
        "m/s": ("meter per second", "meters per second"),
        "mmHg": ("millimeter of mercury", "millimeters of mercury"),
        "mcg": ("microgram", "micrograms"),
        "\u00b5g": ("microgram", "micrograms"),
        "\u03bcg": ("microgram", "micrograms"),
        "ng": ("nanogram", "nanograms"),
        "mg": ("milligram", "milligrams"),
        "kg": ("kilogram", "kilograms"),
        "g": ("gram", "grams"),
        "lb": ("pound", "pounds"),
        "lbs": ("pound", "pounds"),
        "oz": ("ounce", "ounces"),
        "mL": ("milliliter", "milliliters"),
        "ml": ("milliliter", "milliliters"),
        "dL": ("deciliter", "deciliters"),
        "dl": ("deciliter", "deciliters"),
        "L": ("liter", "liters"),
        "l": ("liter", "liters"),
        "nm": ("nanometer", "nanometers"),
        "\u00b5m": ("micrometer", "micrometers"),
        "mm": ("millimeter", "millimeters"),
        "cm": ("centimeter", "centimeters"),
        "m": ("meter", "meters"),
        "km": ("kilometer", "kilometers"),
        "ft": ("foot", "feet"),
        "mi": ("mile", "miles"),
        "mph": ("mile per hour", "miles per hour"),
        "kph": ("kilometer per hour", "kilometers per hour"),
        "ms": ("millisecond", "milliseconds"),
        "sec": ("second", "seconds"),
        "secs": ("second", "seconds"),
        "min": ("minute", "minutes"),
        "mins": ("minute", "minutes"),
        "h": ("hour", "hours"),
        "hr": ("hour", "hours"),
        "hrs": ("hour", "hours"),
        "wk": ("week", "weeks"),
        "wks": ("week", "weeks"),
        "yr": ("year", "years"),
        "yrs": ("year", "years"),
        "Hz": ("hertz", "hertz"),
        "kHz": ("kilohertz", "kilohertz"),
        "MHz": ("megahertz", "megahertz"),
        "GHz": ("gigahertz", "gigahertz"),
        "kB": ("kilobyte", "kilobytes"),
        "KB": ("kilobyte", "kilobytes"),
        "MB": ("megabyte", "megabytes"),
        "GB": ("gigabyte", "gigabytes"),
        "TB": ("terabyte", "terabytes"),
        "kcal": ("kilocalorie", "kilocalories"),
        "IU": ("international unit", "international units"),
        "bpm": ("beat per minute", "beats per minute"),
        "mAh": ("milliamp hour", "milliamp hours"),
        "kWh": ("kilowatt hour", "kilowatt hours"),
        "kW": ("kilowatt", "kilowatts"),
        "W": ("watt", "watts"),
        "V": ("volt", "volts"),
        "x": ("time", "times"),
    }
)

# Abbreviations with a fixed expansion. A key starting with a lower-case letter
# also matches its capitalized form at a sentence start ("E.g." -> "For example").
ABBREVIATIONS: Mapping[str, str] = _frozen(
    {
        "Dr.": "Doctor",
        "Mr.": "Mister",
        "Mrs.": "Missus",
        "Ms.": "Miz",
        "Mx.": "Mix",
        "Prof.": "Professor",
        "Jr.": "Junior",
        "Sr.": "Senior",
        "Rev.": "Reverend",
        "Gen.": "General",
        "Capt.": "Captain",
        "Lt.": "Lieutenant",
        "Sgt.": "Sergeant",
        "Gov.": "Governor",
        "Sen.": "Senator",
        "Rep.": "Representative",
        "Mt.": "Mount",
        "Ft.": "Fort",
        "Ave.": "Avenue",
        "Blvd.": "Boulevard",
        "Rd.": "Road",
        "Inc.": "Incorporated",
        "Ltd.": "Limited",
        "Corp.": "Corporation",
        "Co.": "Company",
        "Univ.": "University",
        "Dept.": "Department",
        "dept.": "department",
        "Fig.": "Figure",
        "fig.": "figure",
        "e.g.": "for example",
        "i.e.": "that is",
        "etc.": "et cetera",
        "vs.": "versus",
        "vs": "versus",
        "approx.": "approximately",
        "cf.": "compare",
        "et al.": "and colleagues",
        "viz.": "namely",
        "incl.": "including",
        "esp.": "especially",
        "misc.": "miscellaneous",
        "ca.": "circa",
        "a.k.a.": "also known as",
        "aka": "also known as",
        "a.m.": "A.M",
        "p.m.": "P.M",
        "Jan.": "January",
        "Feb.": "February",
        "Mar.": "March",
        "Apr.": "April",
        "Jun.": "June",
        "Jul.": "July",
        "Aug.": "August",
        "Sep.": "September",
        "Sept.": "September",
        "Oct.": "October",
        "Nov.": "November",
        "Dec.": "December",
    }
)

# Abbreviations spoken only when a number follows: "No. 5", "p. 12", "#1".
NUMBERED_ABBREVIATIONS: Mapping[str, str] = _frozen(
    {
        "No.": "number",
        "no.": "number",
        "Nos.": "numbers",
        "nos.": "numbers",
        "#": "number",
        "p.": "page",
        "pp.": "pages",
        "Vol.": "volume",
        "vol.": "volume",
        "Ch.": "chapter",
        "ch.": "chapter",
        "Sec.": "section",
        "sec.": "section",
    }
)

# Abbreviations whose period never ends a sentence (the splitter masks them).
NON_FINAL_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "Dr.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Mx.",
        "Prof.",
        "Rev.",
        "Gen.",
        "Capt.",
        "Lt.",
        "Sgt.",
        "Gov.",
        "Sen.",
        "Rep.",
        "Mt.",
        "Ft.",
        "St.",
        "e.g.",
        "i.e.",
        "vs.",
        "approx.",
        "cf.",
        "viz.",
        "incl.",
        "esp.",
        "ca.",
        "Fig.",
        "fig.",
        "E.g.",
        "I.e.",
        "Approx.",
        "Cf.",
    }
)

# Abbreviations that end a sentence only when a capitalized word follows.
MAYBE_FINAL_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "etc.",
        "a.m.",
        "p.m.",
        "Inc.",
        "Ltd.",
        "Co.",
        "Corp.",
        "Jr.",
        "Sr.",
        "et al.",
        "U.S.",
        "U.K.",
        "a.k.a.",
    }
)

# Symbols spoken as words (longest first matters: "<=" before "<").
SYMBOLS: Mapping[str, str] = _frozen(
    {
        "&": " and ",
        "+": " plus ",
        "=": " equals ",
        "\u00d7": " times ",
        "\u00f7": " divided by ",
        "\u2248": " approximately ",
        "\u00b1": " plus or minus ",
        "<=": " less than or equal to ",
        ">=": " greater than or equal to ",
        "\u2264": " less than or equal to ",
        "\u2265": " greater than or equal to ",
        "<": " less than ",
        ">": " greater than ",
        "\u2192": " to ",
        "\u00b0": " degrees ",
        "\u00a7": " section ",
        "\u00b6": " paragraph ",
        "%": " percent ",
        "@": " at ",
        "\u00a9": " copyright ",
        "\u00ae": "",
        "\u2122": "",
        "\u2020": "",
        "\u2021": "",
        "*": "",
        "#": "",
        "^": "",
        "`": "",
        "|": ", ",
        "_": " ",
        "\\": " ",
        "\u2022": ", ",
        "\u00b7": ", ",
    }
)

# Spoken forms of top-level domains that are not read as a word.
TLDS: Mapping[str, str] = _frozen(
    {
        "uk": "U.K",
        "us": "U.S",
        "eu": "E.U",
        "io": "I.O",
        "ai": "A.I",
        "tv": "T.V",
        "edu": "E.D.U",
        "de": "D.E",
        "fr": "F.R",
        "nl": "N.L",
        "nz": "N.Z",
    }
)

# Top-level domains that make a bare "name.tld" a web address.
BARE_DOMAIN_TLDS: tuple[str, ...] = (
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "info",
    "io",
    "co",
    "uk",
    "us",
    "eu",
    "de",
    "ca",
    "au",
    "nz",
    "ie",
)

# All-caps words read as words, not spelled: written -> spoken.
PRONOUNCED_ACRONYMS: Mapping[str, str] = _frozen(
    {
        "GABA": "GABA",
        "NASA": "NASA",
        "NATO": "NATO",
        "AIDS": "AIDS",
        "UNESCO": "UNESCO",
        "UNICEF": "UNICEF",
        "COVID": "COVID",
        "SARS": "SARS",
        "MERS": "MERS",
        "FEMA": "FEMA",
        "OSHA": "OSHA",
        "OPEC": "OPEC",
        "NAFTA": "NAFTA",
        "FIFA": "FIFA",
        "LASER": "laser",
        "RADAR": "radar",
        "SCUBA": "scuba",
        "NASDAQ": "Nasdaq",
        "ACE": "ace",
        "REM": "rem",
        "PET": "pet",
        "PEG": "peg",
        "RAM": "ram",
        "ROM": "rom",
        "PIN": "pin",
        "SIM": "sim",
        "GIF": "gif",
        "NICE": "nice",
        "HIPAA": "hippa",
        "NSAID": "en-sed",
        "SAMHSA": "samsa",
        "JPEG": "jay-peg",
        "OK": "okay",
        "I": "I",
        "A": "A",
    }
)

# All-caps words that look pronounceable but are spelled letter by letter.
SPELLED_ACRONYMS: frozenset[str] = frozenset({"ASAP", "USDA", "UEFA", "CEO", "IOU"})

# Roman numerals are read as numbers only after one of these words ("Type II").
ROMAN_CONTEXT: frozenset[str] = frozenset(
    {
        "type",
        "phase",
        "stage",
        "grade",
        "class",
        "schedule",
        "chapter",
        "part",
        "volume",
        "war",
        "level",
        "category",
        "act",
        "book",
        "article",
        "appendix",
        "section",
        "generation",
    }
)

ROMAN_VALUES: Mapping[str, int] = MappingProxyType(
    {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
)

# English onsets and codas of consonant letters: the "sane rule" for reading an
# unknown all-caps word as a word (NATO, GERD) instead of spelling it (COPD).
VOWEL_LETTERS: frozenset[str] = frozenset("AEIOUY")
ONSETS: frozenset[str] = frozenset(
    "BL BR CH CL CR DR FL FR GL GR KL KN KR PH PL PR SC SH SK SL SM SN SP ST SW TH TR TW WH WR "
    "SCR SPL SPR STR THR SHR".split()
)
CODAS: frozenset[str] = frozenset(
    "CH CK CT DS FT GS KS LD LF LK LM LP LS LT MP MS ND NG NK NS NT PS PT RB RC RD RF RG RK RL "
    "RM RN RP RS RT SH SK SP SS ST TH TS".split()
)
