"""App icons: the organisation's initials on a solid, high-contrast square, drawn with Pillow."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SMALL_WORDS = {"a", "an", "and", "at", "de", "for", "in", "of", "on", "the", "to", "&"}
MIN_CONTRAST = 4.5  # WCAG AA for normal text; the initials are larger, so this is generous


@dataclass(frozen=True)
class Icon:
    """One PNG icon of the app, as the manifest lists it."""

    path: str  # relative to the site root, e.g. "assets/pwa/icon-192.png"
    size: int
    purpose: str  # "any" | "maskable" | "apple-touch-icon"

    @property
    def text_share(self) -> float:
        """Share of the icon's width the initials may take: maskable icons lose their edges."""
        return 0.46 if self.purpose == "maskable" else 0.62


def initials(organisation: str) -> str:
    """Up to three initials in plain Latin letters, which the bundled font draws: "Harbour Dental
    Group" -> "HDG", "Acme" -> "AC", "Ørsted Zahnärzte" -> "OZ"; "" when the name has none."""
    words = [w for w in re.findall(r"\w+", organisation) if _latin(w)]
    words = [w for w in words if w.lower() not in SMALL_WORDS] or words
    if len(words) == 1:
        return _latin(words[0])[:2].upper()
    return "".join(_latin(w)[0] for w in words[:3]).upper()


def _latin(word: str) -> str:
    """`word` in ASCII letters and digits (accents dropped, Ø -> O, ß -> ss); "" for other scripts."""
    plain = unicodedata.normalize("NFKD", word.translate(_LATIN_LETTERS))
    return "".join(c for c in plain if c.isascii() and c.isalnum())


_LATIN_LETTERS = str.maketrans(
    {
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Þ": "TH",
        "þ": "th",
        "ß": "ss",
        "ı": "i",
    }
)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def icon_colours(theme_colour: str) -> tuple[str, str]:
    """(background, text) for the icon: white initials on the theme colour darkened until they
    reach WCAG AA contrast, or black ones on a light theme colour (yellow, lime, white...)."""
    white, black = (255, 255, 255), (0, 0, 0)
    bg = hex_to_rgb(theme_colour)
    fg = white if contrast(bg, white) >= 3 else black
    toward = 0 if fg == white else 255
    while contrast(bg, fg) < MIN_CONTRAST:
        bg = tuple(round(c + (toward - c) * 0.1) for c in bg)  # type: ignore[assignment]
    return rgb_to_hex(bg), rgb_to_hex(fg)


def _fitting_font(text: str, width: float, height: float) -> ImageFont.FreeTypeFont:
    """The largest font (Pillow's bundled one: no system font needed) that fits the box."""
    size = int(height)
    while size > 8:
        font = ImageFont.load_default(size=size)
        left, top, right, bottom = font.getbbox(text, stroke_width=max(1, size // 28))
        if right - left <= width and bottom - top <= height:
            return font  # type: ignore[return-value]
        size = int(size * 0.94)
    return ImageFont.load_default(size=8)  # type: ignore[return-value]


def render(icon: Icon, text: str, background: str, foreground: str) -> bytes:
    """The icon as PNG bytes: an opaque square with the text centred (no metadata, deterministic)."""
    image = Image.new("RGB", (icon.size, icon.size), background)
    draw = ImageDraw.Draw(image)
    box = icon.size * icon.text_share
    font = _fitting_font(text, box, box * 0.55)
    stroke = max(1, int(font.size) // 28)  # a touch of weight: the bundled font is a regular cut
    draw.text(
        (icon.size / 2, icon.size / 2),
        text,
        font=font,
        fill=foreground,
        anchor="mm",
        stroke_width=stroke,
        stroke_fill=foreground,
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


APPLE_TOUCH_ICON = Icon("assets/pwa/apple-touch-icon.png", 180, "apple-touch-icon")
ICONS = (
    Icon("assets/pwa/icon-192.png", 192, "any"),
    Icon("assets/pwa/icon-512.png", 512, "any"),
    Icon("assets/pwa/maskable-512.png", 512, "maskable"),
    APPLE_TOUCH_ICON,
)


def write(site_dir: Path, organisation: str, theme_colour: str) -> tuple[Icon, ...]:
    """Write every icon of the app into `site_dir`; return their descriptions."""
    background, foreground = icon_colours(theme_colour)
    text = initials(organisation) or "RP"
    for icon in ICONS:
        target = site_dir / icon.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(icon, text, background, foreground))
    return ICONS
