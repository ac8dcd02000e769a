"""Pronunciation lexicon: whole-word respellings applied before normalization.

A respelling is plain words ("Baklofenn"), never phonemes, so one lexicon serves
every engine. The file format (TOML) is documented in ``content/lexicon.toml``::

    [words]
    baclofen = "Baklofenn"   # all lower case: matches Baclofen, BACLOFEN, ...
    GABA = "gabba"           # has capitals: matches exactly GABA only

``digest`` is the SHA-256 of the JSON ``["baclovoice-lexicon-1", entries]``
with entries sorted by written form, so audio caches follow lexicon edits but
not comment, order or layout changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from baclovoice.errors import InputError

log = logging.getLogger(__name__)

LEXICON_FORMAT = "baclovoice-lexicon-1"
MAX_ENTRIES = 100_000  # to_speech marks each entry with one private-use character
FORMAT_HINT = 'Entries go under [words] as  written = "respelling", e.g.  baclofen = "Baklofenn".'

# Written forms: words of letters/digits joined by spaces, hyphens, apostrophes, periods.
_WRITTEN = re.compile(r"[^\W_]+(?:[ '.\-][^\W_]+)*\.?")
# Respellings: letters only, joined the same way; no digits, brackets or phonemes.
_SPOKEN = re.compile(r"[^\W\d_]+(?:[ '.\-]+[^\W\d_]+)*\.?")


def entry_problem(written: object, spoken: object) -> str:
    """Why (written, spoken) is not a valid entry, or "" if it is."""
    if not isinstance(written, str) or not _WRITTEN.fullmatch(written):
        return f"written form {written!r} must be letters or digits joined by - ' . or spaces"
    if not isinstance(spoken, str):
        return f"respelling of {written!r} must be a quoted string, not {type(spoken).__name__}"
    if not _SPOKEN.fullmatch(spoken):
        return (
            f"respelling {spoken!r} of {written!r} must be plain words: letters joined "
            "by spaces, hyphens or apostrophes (no digits, brackets or phoneme codes)"
        )
    return ""


def _digest(entries: tuple[tuple[str, str], ...]) -> str:
    canonical = json.dumps([LEXICON_FORMAT, entries], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Lexicon:
    """Immutable (written, spoken) pairs, in canonical (sorted) order."""

    entries: tuple[tuple[str, str], ...]
    digest: str

    def __post_init__(self) -> None:
        if len(self.entries) > MAX_ENTRIES:
            raise InputError(f"The lexicon has over {MAX_ENTRIES} entries.", "Remove some.")
        for written, spoken in self.entries:
            problem = entry_problem(written, spoken)
            if problem:
                raise InputError(f"Bad lexicon entry: {problem}.", FORMAT_HINT)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Lexicon:
        """Build a lexicon in canonical order with its digest."""
        entries = tuple(sorted(dict(pairs).items(), key=lambda e: (e[0].casefold(), e[0])))
        return cls(entries, _digest(entries))

    def apply(self, text: str) -> str:
        """Replace every whole-word occurrence of a written form by its respelling."""
        return self.sub(text, lambda index: self.entries[index][1])

    def sub(self, text: str, replace: Callable[[int], str]) -> str:
        """Replace each whole-word match by ``replace(index of its entry)``.

        ``to_speech`` uses this to put placeholders where respellings go, so no
        later pass can alter them.
        """
        if not self.entries:
            return text
        pattern, exact, folded = _matcher(self.entries)

        def one(match: re.Match[str]) -> str:
            found = " ".join(match.group().split())
            index = exact.get(found)
            if index is None:
                index = folded[found.casefold()]
            return replace(index)

        return pattern.sub(one, text)


@lru_cache(maxsize=16)
def _matcher(
    entries: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern[str], dict[str, int], dict[str, int]]:
    """Compile one regex for all entries, longest first, with the case rule.

    An all-lower-case written form matches in any case; one with capitals only
    matches exactly, so "GABA" never rewrites the word "gaba" or "Gaba".
    """
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    alternatives = []
    for index, (written, _) in sorted(enumerate(entries), key=lambda e: -len(e[1][0])):
        body = r"\s+".join(re.escape(part) for part in written.split())
        if written == written.lower():
            folded[written.casefold()] = index
            alternatives.append(f"(?i:{body})")
        else:
            exact[written] = index
            alternatives.append(body)
    pattern = re.compile(r"(?<!\w)(?<!\w')(?:" + "|".join(alternatives) + r")(?!\w)")
    return pattern, exact, folded


EMPTY_LEXICON = Lexicon.from_pairs(())


def _line_of(source: str, key: str) -> int | None:
    """The 1-based line where ``key`` is assigned, for error messages."""
    quoted = re.escape(key)
    assign = re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*=""")
    for number, line in enumerate(source.splitlines(), 1):
        if assign.match(line):
            return number
    return None


def _where(path: Path, source: str, key: str) -> str:
    line = _line_of(source, key)
    return f"{path}, line {line}" if line else str(path)


def parse_lexicon(source: str, path: Path) -> Lexicon:
    """Parse lexicon TOML text; ``path`` only names the file in errors."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}.", FORMAT_HINT) from exc
    unknown = sorted(set(data) - {"words"})
    if unknown:
        raise InputError(
            f"{_where(path, source, unknown[0])}: unknown key {unknown[0]!r}.",
            "The lexicon file holds one table, [words]. " + FORMAT_HINT,
        )
    words = data.get("words", {})
    if not isinstance(words, dict):
        raise InputError(f"{path}: 'words' must be a table ([words]).", FORMAT_HINT)
    for written, spoken in words.items():
        problem = entry_problem(written, spoken)
        if problem:
            raise InputError(f"{_where(path, source, written)}: {problem}.", FORMAT_HINT)
    return Lexicon.from_pairs(words.items())


def load_lexicon(path: Path) -> Lexicon:
    """Read a lexicon file; a missing file means no respellings."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        log.debug("no lexicon at %s", path)
        return EMPTY_LEXICON
    except OSError as exc:
        raise InputError(f"Cannot read lexicon {path}: {exc.strerror}.", "Check it.") from exc
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text.", "Save the file as UTF-8.") from exc
    lexicon = parse_lexicon(source, path)
    log.debug("lexicon %s: %d entries, digest %s", path, len(lexicon.entries), lexicon.digest)
    return lexicon
