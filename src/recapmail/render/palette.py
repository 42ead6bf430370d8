"""Colours derived from the brand colour that keep text readable (WCAG contrast 4.5:1).

A team may pick any brand colour; a pale one must not give pale links on white or white text on
a pale header, so the text colours are computed rather than taken as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recapmail.errors import RenderError

MIN_CONTRAST = 4.5
WHITE = "#ffffff"
INK = "#1f2933"  # body text on white
DARK_CARD = "#1b2129"  # the card in dark mode
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True, slots=True)
class Palette:
    color: str  # the header background: the brand colour, darkened only if text cannot read on it
    on_color: str  # text on the header
    link: str  # brand-tinted text on white and on `tint`
    tint: str  # a very light brand background for callouts
    link_dark: str  # brand-tinted text on the dark-mode card
    tint_dark: str  # the callout background in dark mode


def palette(brand: str) -> Palette:
    color = normalise(brand)
    tint = mix(color, WHITE, 0.92)
    tint_dark = mix(color, DARK_CARD, 0.8)
    on_color = WHITE if contrast(color, WHITE) >= contrast(color, INK) else INK
    header = color
    for step in range(21):  # a mid-tone suits neither text colour: deepen it until one reads
        header = mix(color, "#000000" if on_color == WHITE else WHITE, step / 20)
        if contrast(header, on_color) >= MIN_CONTRAST:
            break
    return Palette(
        color=header,
        on_color=on_color,
        link=_readable(color, tint, toward="#000000"),
        tint=tint,
        link_dark=_readable(color, tint_dark, toward=WHITE),
        tint_dark=tint_dark,
    )


def normalise(value: str) -> str:
    """ "#0B5" -> "#00bb55"; anything but a hex colour is refused (it would reach CSS)."""
    if not _HEX.fullmatch(value):
        raise RenderError(f"brand_color {value!r} is not a colour such as '#0b5cad' (feeds.toml)")
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def mix(a: str, b: str, weight_b: float) -> str:
    ra, ga, ba = _rgb(a)
    rb, gb, bb = _rgb(b)
    channels = (round(x + (y - x) * weight_b) for x, y in ((ra, rb), (ga, gb), (ba, bb)))
    return "#" + "".join(f"{c:02x}" for c in channels)


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio, 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _readable(color: str, background: str, toward: str) -> str:
    """`color` moved toward black (or white) just enough to read on `background` and the card."""
    others = (background, DARK_CARD) if toward == WHITE else (background, WHITE)
    candidate = color
    for step in range(21):
        candidate = mix(color, toward, step / 20)
        if all(contrast(candidate, bg) >= MIN_CONTRAST for bg in others):
            return candidate
    return candidate


def _rgb(value: str) -> tuple[int, int, int]:
    digits = normalise(value)[1:]
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(value: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _rgb(value)
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
