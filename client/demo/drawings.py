"""Small but real design files for the demo contracts: a one-page PDF floor plan and a PNG sketch,
made without any drawing library so that thousands cost milliseconds. Any PDF reader opens the PDF
(rooms as rectangles with their sizes, the contract and the version in the title block); any image
viewer opens the PNG.
"""

from __future__ import annotations

import random
import struct
import zlib

# PDF text uses the standard Helvetica font, which has no Chinese glyphs: the title block is in
# pinyin/ASCII, as many factory drawings are.
ROOMS = {"CG": ["Kitchen"], "YG": ["Master bedroom", "Bedroom 2"], "MM": ["Hall", "Bedroom", "Study"],
         "DB": ["Living room", "Bedroom"], "WY": ["Bathroom"], "RZ": ["Living room"]}


def plan_pdf(rng: random.Random, title: str, version: int, line_code: str) -> bytes:
    """A one-page A4-landscape floor plan: a few rooms with their sizes in millimetres."""
    ops = ["0.8 w", "30 30 782 535 re S", "0.5 w", "560 30 252 80 re S"]
    x = 60
    for room in ROOMS.get(line_code, ["Room"]):
        width, depth = rng.randint(24, 42) * 100, rng.randint(22, 40) * 100
        w, h = width / 20, depth / 20
        ops += [f"{x} 150 {w:.0f} {h:.0f} re S",
                f"BT /F1 10 Tf {x + 6} {150 + h - 14:.0f} Td ({room}) Tj ET",
                f"BT /F1 8 Tf {x + 6} 138 Td ({width} x {depth} mm) Tj ET"]
        x += w + 30
    ops += [f"BT /F1 11 Tf 570 90 Td ({_pdf_text(title)}) Tj ET",
            f"BT /F1 9 Tf 570 72 Td (Design version {version}  scale 1:20) Tj ET",
            "BT /F1 9 Tf 570 54 Td (Yiwei Home - showroom design) Tj ET"]
    stream = "\n".join(ops).encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 5 0 R >> >>"
               b" /Contents 4 0 R >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def sketch_png(rng: random.Random, width: int = 160, height: int = 100) -> bytes:
    """A grey-scale sketch: cabinet fronts as outlined rectangles on white."""
    pixels = [[255] * width for _ in range(height)]
    x = 8
    while x < width - 20:
        w, h = rng.randint(14, 30), rng.randint(30, height - 16)
        right = min(x + w, width - 8)
        top = height - 8 - h
        for i in range(x, right + 1):
            pixels[top][i] = pixels[height - 8][i] = 40
        for j in range(top, height - 7):
            pixels[j][x] = pixels[j][right] = 40
        x = right + rng.randint(2, 6)
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey-scale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _pdf_text(text: str) -> str:
    return text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
