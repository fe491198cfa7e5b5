"""Render the app's SVG icon into a Windows .ico (16-256 px, PNG-compressed entries).

``python packaging/make-ico.py resources/icons/ixempra-gui.svg OUT.ico`` with a Python that has
PySide6 (the build machine's .venv). The icon is drawn from the SVG at build time, so the
repository holds no binary image.
"""

from __future__ import annotations

import os
import struct
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QGuiApplication, QImage, QImageReader

SIZES = (16, 24, 32, 48, 64, 256)


def png_bytes(svg: str, size: int) -> bytes:
    reader = QImageReader(svg)
    reader.setScaledSize(QSize(size, size))
    image = reader.read()
    if image.isNull():
        raise SystemExit(f"make-ico: cannot render {svg}: {reader.errorString()}")
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(images: list[tuple[int, bytes]]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per image + the PNG payloads (Vista+ ICO format)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, payload = b"", b""
    for size, png in images:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        payload += png
    return header + entries + payload


def main(argv: list[str]) -> int:
    svg, out = argv
    _app = QGuiApplication(["make-ico"])
    data = ico([(size, png_bytes(svg, size)) for size in SIZES])
    with open(out, "wb") as handle:
        handle.write(data)
    print(f"make-ico: {out} ({len(data):,} bytes, {len(SIZES)} sizes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
