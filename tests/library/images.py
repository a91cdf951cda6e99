"""Real image files for the album-art tests: PNGs written with zlib, JPEGs with Qt's encoder."""

from __future__ import annotations

import struct
import zlib


def png_bytes(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    """A valid RGB PNG of one colour (any decoder reads it)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\0" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (20, 90, 200)) -> bytes:
    """A valid baseline JPEG of one colour, encoded by Qt."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(*rgb))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG")
    return bytes(data.data())
