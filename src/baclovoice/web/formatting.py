"""Pure text formatting for pages and downloads: durations, sizes, file names, labels.

Durations have three spellings because three audiences read them: "1 min 40 s"
for link text, "1 minute 40 seconds" for a screen reader's slider value, and
"1:40" for the visible clock. player.js mirrors ``duration_long`` and ``clock``.
"""

from __future__ import annotations

from baclovoice.slugs import slugify

ENGINE_LABELS = {
    "piper": "Piper (offline neural text-to-speech)",
    "gtts": "Google Text-to-Speech (gTTS)",
}


def _parts(seconds: float) -> tuple[int, int, int]:
    total = max(0, round(seconds))
    return total // 3600, total // 60 % 60, total % 60


def duration_short(seconds: float) -> str:
    """Compact duration for link text: "1 h 2 min", "1 min 40 s", "45 s"."""
    hours, minutes, secs = _parts(seconds)
    units = ((hours, "h"), (minutes, "min"), (secs, "s"))
    words = [f"{value} {unit}" for value, unit in units if value]
    return " ".join(words) or "0 s"


def duration_long(seconds: float) -> str:
    """Spelled-out duration for screen readers: "4 minutes 3 seconds", "1 hour"."""
    hours, minutes, secs = _parts(seconds)
    units = ((hours, "hour"), (minutes, "minute"), (secs, "second"))
    words = [f"{value} {unit}{'' if value == 1 else 's'}" for value, unit in units if value]
    return " ".join(words) or "0 seconds"


def position_text(position: float, total: float) -> str:
    """A seek slider's aria-valuetext: "4 minutes 3 seconds of 10 minutes"."""
    return f"{duration_long(position)} of {duration_long(total)}"


def file_size(size: int) -> str:
    """Decimal size as listeners' devices show it: "512 bytes", "85 kB", "1.2 MB"."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB"


def ascii_slug(text: str, max_length: int = 60) -> str:
    """Lowercase ASCII words joined by hyphens, safe in any file system or header.

    The same rule as section ids ("Baclofen's" -> "baclofens"), shortened at a word.
    """
    slug = slugify(text)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def download_name(slug: str, number: int, count: int, title: str) -> str:
    """ "baclofen-for-anxiety-01-understanding-baclofen.mp3": sorts in reading order."""
    width = max(2, len(str(count)))
    parts = [ascii_slug(slug) or "article", f"{number:0{width}d}", ascii_slug(title)]
    return "-".join(part for part in parts if part) + ".mp3"


def podcast_url(feed_url: str) -> str:
    """The podcast:// form of a feed address, which opens it in the listener's podcast app."""
    scheme, sep, rest = feed_url.partition("://")
    return f"podcast://{rest}" if sep and scheme in ("http", "https") else feed_url


def engine_label(engine: str) -> str:
    return ENGINE_LABELS.get(engine, engine)


def language_tag(language: str) -> str:
    """BCP 47 tag for ``lang``: "en_US" becomes "en-US"; empty means English."""
    return language.replace("_", "-") or "en"
