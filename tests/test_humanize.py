"""The spellings pages, feeds and narration share: one table of cases for each."""

from __future__ import annotations

import datetime as dt

import pytest

from baclovoice import humanize


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (-3, "0:00"),
        (59.9, "0:59"),
        (61.4, "1:01"),
        (63.4, "1:03"),
        (600, "10:00"),
        (3723, "1:02:03"),
    ],
)
def test_clock(seconds: float, text: str) -> None:
    assert humanize.clock(seconds) == text


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (dt.date(2023, 4, 7), "April 7, 2023"),
        (dt.date(2023, 4, 27), "April 27, 2023"),
        (dt.date(1999, 12, 31), "December 31, 1999"),
    ],
)
def test_long_date(date: dt.date, text: str) -> None:
    assert humanize.long_date(date) == text
