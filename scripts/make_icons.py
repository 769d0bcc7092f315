"""Draw the home-screen icons of the web app (static/icon-192.png, icon-512.png and the
maskable icon-maskable-512.png) from the mark's geometry (static/logo.svg: a 32 x 32 drawing).

Run once when the mark changes; the PNGs are committed:
    .venv/bin/python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "wired4ex" / "static"
BRAND, GOLD, WHITE = (11, 94, 85, 255), (242, 193, 78, 255), (255, 255, 255, 255)
POINTS = [(6, 9), (11, 23), (16, 13), (21, 23), (26, 9)]  # the "W" through three nodes
SUPERSAMPLE = 4


def draw(size: int, maskable: bool = False) -> Image.Image:
    """The mark at `size` pixels; maskable icons fill the square and keep the drawing inside the
    safe zone (the middle 80 %), as launchers crop them to a circle or a rounded square."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BRAND)
        scale, offset = big * 0.8 / 32, big * 0.1
    else:
        scale, offset = big / 32, 0
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=7 * scale, fill=BRAND)

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * scale, offset + y * scale

    width = round(2.6 * scale)
    line = [at(x, y) for x, y in POINTS]
    pen.line(line, fill=WHITE, width=width, joint="curve")
    for x, y in line:  # round caps and joins
        pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    for x, y in (POINTS[0], POINTS[2], POINTS[4]):
        cx, cy = at(x, y)
        r = 2.4 * scale
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=GOLD)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        draw(size, maskable).save(STATIC / name, optimize=True)
        print(STATIC / name)


if __name__ == "__main__":
    main()
