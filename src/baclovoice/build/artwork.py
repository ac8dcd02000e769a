"""Cover art for the podcast feeds: a square, high-contrast PNG with the title in large type.

Podcast directories want 1400–3000 px square RGB art. The picture is drawn from text
only, with Pillow's bundled scalable font, so the same title gives the same bytes on
every machine (no system font is looked up). The build renders it once; the web
layer only serves the stored file.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from baclovoice.errors import InputError

MIN_SIZE, MAX_SIZE = 1400, 3000
BACKGROUND = (11, 26, 48)  # deep navy
FOREGROUND = (255, 255, 255)  # white on navy: contrast 17:1
ACCENT = (255, 210, 63)  # amber on navy: contrast 11:1
BRAND = "baclovoice"
DISCLOSURE = "Narrated by a synthetic voice"
ELLIPSIS = "…"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class _Layout:
    """Where the title goes, as fractions of the side, so every size looks alike."""

    margin: float = 0.08
    title_top: float = 0.16
    title_bottom: float = 0.70
    title_max: float = 0.12  # largest title font size
    title_min: float = 0.045  # smallest before the title is cut with an ellipsis
    subtitle: float = 0.042
    footer: float = 0.036


LAYOUT = _Layout()


@functools.lru_cache(maxsize=16)  # pure and ~0.1 s: tests and rebuilds ask again
def render_cover(title: str, subtitle: str = "", size: int = MIN_SIZE) -> bytes:
    """A deterministic PNG (``size`` × ``size``, RGB) showing ``title`` and ``subtitle``."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InputError(
            f"Cover art size {size} px is outside {MIN_SIZE}–{MAX_SIZE} px.",
            f"Podcast directories need square art between {MIN_SIZE} and {MAX_SIZE} px.",
        )
    title = " ".join(title.split()) or BRAND
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_frame(draw, size)
    bottom = _draw_title(draw, title, size)
    if subtitle.strip():
        _draw_subtitle(draw, " ".join(subtitle.split()), size, bottom)
    _draw_footer(draw, size)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _font(px: int) -> Font:
    return ImageFont.load_default(size=max(px, 1))


def _measure(draw: ImageDraw.ImageDraw, font: Font) -> Callable[[str], float]:
    return lambda text: draw.textlength(text, font=font)


def _draw_frame(draw: ImageDraw.ImageDraw, size: int) -> None:
    """An accent bar above the title: recognizable as a thumbnail."""
    m = round(size * LAYOUT.margin)
    bar = round(size * 0.018)
    top = round(size * LAYOUT.title_top) - 3 * bar
    draw.rectangle((m, top, m + round(size * 0.22), top + bar), fill=ACCENT)


def _draw_title(draw: ImageDraw.ImageDraw, title: str, size: int) -> int:
    """Draw the title as large as it fits; return the y below its last line."""
    width = size - 2 * round(size * LAYOUT.margin)
    height = round(size * (LAYOUT.title_bottom - LAYOUT.title_top))
    px = round(size * LAYOUT.title_max)
    smallest = round(size * LAYOUT.title_min)
    while True:
        font = _font(px)
        line_height = round(px * 1.18)
        max_lines = max(1, height // line_height)
        lines = wrap(title, _measure(draw, font), width)
        if len(lines) <= max_lines or px <= smallest:
            break
        px = max(smallest, round(px * 0.9))
    lines = _fit_lines(lines[:max_lines], len(lines) > max_lines, font, draw, width)
    x, y = round(size * LAYOUT.margin), round(size * LAYOUT.title_top)
    stroke = max(1, px // 28)  # a touch of stroke makes the regular face read as bold
    for line in lines:
        draw.text((x, y), line, font=font, fill=FOREGROUND, stroke_width=stroke)
        y += line_height
    return y


def _fit_lines(
    lines: list[str], cut: bool, font: Font, draw: ImageDraw.ImageDraw, width: int
) -> list[str]:
    """End the last line with an ellipsis when the title did not fit."""
    if not cut or not lines:
        return lines
    last = lines[-1]
    while last and draw.textlength(last + ELLIPSIS, font=font) > width:
        last = last[:-1].rstrip()
    return [*lines[:-1], last + ELLIPSIS]


def _draw_subtitle(draw: ImageDraw.ImageDraw, subtitle: str, size: int, top: int) -> None:
    px = round(size * LAYOUT.subtitle)
    font = _font(px)
    width = size - 2 * round(size * LAYOUT.margin)
    lines = wrap(subtitle, _measure(draw, font), width)[:2]
    y = top + round(px * 0.6)
    for line in lines:
        draw.text((round(size * LAYOUT.margin), y), line, font=font, fill=ACCENT)
        y += round(px * 1.25)


def _draw_footer(draw: ImageDraw.ImageDraw, size: int) -> None:
    px = round(size * LAYOUT.footer)
    font = _font(px)
    x = round(size * LAYOUT.margin)
    y = size - round(size * LAYOUT.margin) - 2 * round(px * 1.3)
    draw.text((x, y), BRAND, font=_font(round(px * 1.3)), fill=ACCENT)
    draw.text((x, y + round(px * 1.6)), DISCLOSURE, font=font, fill=FOREGROUND)


def wrap(text: str, fits: Callable[[str], float], width: float) -> list[str]:
    """Greedy word wrap by measured width; words wider than a line are split by character."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while fits(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and fits(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines
