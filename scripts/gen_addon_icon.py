#!/usr/bin/python3
"""Draw the addon's icon (static/description/icon.png, 128×128) with the standard library only:
two linked rings, green and purple, on a light rounded square — two systems kept in step.

    /usr/bin/python3 scripts/gen_addon_icon.py [OUTPUT]

Deterministic: the same bytes every run, so the committed icon can be regenerated and compared.
"""
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join(ROOT, "odoo_addon", "shopify_sync", "static", "description",
                              "icon.png")
SIZE = 128
SAMPLES = 4  # supersampling per axis, for smooth edges
BACKGROUND = (245, 247, 250)
GREEN = (94, 142, 62)
PURPLE = (113, 75, 103)
RING_RADIUS, RING_WIDTH = 30.0, 11.0
LEFT, RIGHT, MIDDLE = (46.0, 64.0), (82.0, 64.0), 64.0


def in_rounded_square(x, y, radius=22.0, margin=4.0):
    low, high = margin + radius, SIZE - margin - radius
    dx = max(low - x, 0.0, x - high)
    dy = max(low - y, 0.0, y - high)
    return dx * dx + dy * dy <= radius * radius


def on_ring(x, y, center):
    distance = ((x - center[0]) ** 2 + (y - center[1]) ** 2) ** 0.5
    return abs(distance - RING_RADIUS) <= RING_WIDTH / 2


def colour_at(x, y):
    """The colour of one sample, or None outside the icon (transparent)."""
    if not in_rounded_square(x, y):
        return None
    left, right = on_ring(x, y, LEFT), on_ring(x, y, RIGHT)
    if left and right:
        # Linked, not stacked: each ring passes over the other at one crossing.
        return GREEN if y < MIDDLE else PURPLE
    if left:
        return GREEN
    if right:
        return PURPLE
    return BACKGROUND


def pixel(px, py):
    """RGBA of one pixel: the average of its samples."""
    totals, covered = [0, 0, 0], 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            colour = colour_at(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
            if colour is not None:
                covered += 1
                for index in range(3):
                    totals[index] += colour[index]
    if not covered:
        return (0, 0, 0, 0)
    rgb = tuple(round(total / covered) for total in totals)
    return rgb + (round(255 * covered / (SAMPLES * SAMPLES)),)


def png(width, height, rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(value for rgba in row for value in rgba) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(argv):
    output = argv[0] if argv else DEFAULT_OUTPUT
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "wb") as handle:
        handle.write(png(SIZE, SIZE, rows))
    print(f"gen_addon_icon: wrote {os.path.relpath(output, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
