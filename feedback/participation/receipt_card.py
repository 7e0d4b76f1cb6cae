"""The receipt code as a picture (PNG), drawn on the server, for a resident to keep in their phone's photos.

Drawn with Pillow's own built-in font, so it needs no font installed on the server; the picture holds only what
that font can draw in any language: the site's name, the code, and the address where the code is used.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT, MARGIN = 960, 420, 48
INK, ACCENT, PAPER = (31, 41, 51), (7, 65, 95), (255, 255, 255)


def _centred(draw: ImageDraw.ImageDraw, text: str, *, top: int, size: int, fill) -> None:
    """Draw `text` centred at `top`, in the largest size up to `size` that fits the card's width."""
    while True:
        font = ImageFont.load_default(size=size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= WIDTH - 2 * MARGIN or size <= 12:
            break
        size -= 2
    draw.text(((WIDTH - (right - left)) // 2, top), text, font=font, fill=fill)


def receipt_png(*, receipt_code: str, address: str) -> bytes:
    """A 960 x 420 PNG of `receipt_code` in large letters above `address` (ASCII text only)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, 84), fill=ACCENT)
    draw.text((MARGIN, 22), "civictrust", font=ImageFont.load_default(size=40), fill=PAPER)
    draw.rounded_rectangle((24, 108, WIDTH - 25, HEIGHT - 25), radius=18, outline=ACCENT, width=4)
    _centred(draw, receipt_code, top=150, size=96, fill=INK)
    _centred(draw, address, top=300, size=30, fill=INK)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
