"""Cover art: square, in the size podcast directories accept, RGB, high contrast, stable."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from baclovoice.build.artwork import BACKGROUND, FOREGROUND, render_cover, wrap
from baclovoice.errors import InputError


def luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("size", [1400, 2048, 3000])
def test_cover_is_square_rgb_png_of_the_asked_size(size: int) -> None:
    image = open_png(render_cover("Baclofen for Anxiety", "Ada Tester", size))
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == (size, size)


@pytest.mark.parametrize("size", [0, 1399, 3001, -5])
def test_sizes_podcast_directories_refuse_are_input_errors(size: int) -> None:
    with pytest.raises(InputError, match="1400"):
        render_cover("Title", size=size)


def test_same_title_same_bytes_and_different_title_different_bytes() -> None:
    first = render_cover("Baclofen for Anxiety")
    assert render_cover("Baclofen for Anxiety") == first
    assert render_cover("Something Else") != first


def test_title_is_drawn_large_in_high_contrast() -> None:
    image = open_png(render_cover("Baclofen", size=1400)).convert("RGB")
    assert contrast(FOREGROUND, BACKGROUND) >= 7
    colors = {c for _, c in image.getcolors(maxcolors=1 << 20) or []}
    assert BACKGROUND in colors and FOREGROUND in colors
    # Pure title-colour pixels sit in the title band, and there are many: large type.
    band = image.crop((0, int(1400 * 0.16), 1400, int(1400 * 0.45)))
    white = sum(n for n, c in band.getcolors(maxcolors=1 << 20) or [] if c == FOREGROUND)
    assert white > 1400 * 1400 * 0.01


@pytest.mark.parametrize(
    "title",
    [
        "",
        "A",
        "Supercalifragilisticexpialidocious" * 4,
        " ".join(["Extraordinarily long title"] * 30),
        "Ünïcödé — “quotes” & <angle> brackets ✓",
    ],
)
def test_any_title_renders(title: str) -> None:
    image = open_png(render_cover(title, "subtitle " * 40))
    assert image.size == (1400, 1400)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("one two three", 7, ["one two", "three"]),
        ("one two three", 100, ["one two three"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("", 10, []),
    ],
)
def test_wrap_by_measured_width(text: str, width: int, expected: list[str]) -> None:
    assert wrap(text, len, width) == expected
