"""Draws the diary's PWA icons as PNG without an imaging library (zlib + struct).

Run ``uv run python -m ejournal.diary.icons`` to regenerate ejournal/static/diary/icon-*.png.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BLUE = (31, 95, 191)
WHITE = (255, 255, 255)
LINE = (143, 179, 234)


def png(width: int, height: int, pixel) -> bytes:
    """A truecolour PNG; ``pixel(x, y)`` returns an (r, g, b) tuple."""
    raw = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def icon_pixel(size: int):
    """A blue square with an open white diary page and ruled lines (safe zone for masks)."""

    def pixel(x: int, y: int):
        u, v = x / size, y / size
        if 0.24 <= u <= 0.76 and 0.22 <= v <= 0.78:
            if abs(u - 0.5) < 0.012:
                return LINE
            for row in (0.34, 0.44, 0.54, 0.64):
                if abs(v - row) < 0.01 and (0.29 <= u <= 0.46 or 0.54 <= u <= 0.71):
                    return LINE
            return WHITE
        return BLUE

    return pixel


def write_icons(directory: Path) -> list[Path]:
    paths = []
    for size in (192, 512):
        path = directory / f"icon-{size}.png"
        path.write_bytes(png(size, size, icon_pixel(size)))
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "static" / "diary"
    for p in write_icons(target):
        print(p)
