"""Album-art thumbnails: scaled once with Qt, cached beside the originals in ``PROFILE/art/thumbs``.

Runs on worker threads (``QImage`` is safe there, unlike ``QPixmap``); the GUI thread only turns
the returned image into a pixmap.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage


def thumbnail(original: Path, size: int) -> QImage | None:
    """``original`` scaled to fit ``size`` × ``size`` pixels, from the cache when made before.

    None when the picture cannot be decoded (it is then shown as no art).
    """
    cached = original.parent / "thumbs" / f"{original.stem}-{size}.png"
    if cached.is_file():
        image = QImage(str(cached))
        if not image.isNull():
            return image
    image = QImage(str(original))
    if image.isNull():
        return None
    scaled = image.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f".{cached.name}.{os.getpid()}.part.png")
    if scaled.save(str(partial)):  # PNG, from the suffix
        os.replace(partial, cached)
    return scaled
