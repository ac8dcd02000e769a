"""The human spellings shared by narration, pages and feeds: dates and clock times.

One place for each, so the narration says the date exactly as the page shows it.
"""

from __future__ import annotations

import datetime as dt

# English month names, independent of the machine's locale.
MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(date: dt.date) -> str:
    """ "April 27, 2023": how pages show a date and the narration says it."""
    return f"{MONTHS[date.month - 1]} {date.day}, {date.year}"


def clock(seconds: float) -> str:
    """A clock time for players and show notes: "4:05", "1:02:03".

    Whole seconds are cut, not rounded, as media players count: 59.9 s is still "0:59".
    """
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
