"""Transport icons drawn with QPainter, so they are crisp, themed and need no image files."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPixmap, QPolygonF

SIZE = 64  # drawn large, scaled down by Qt for the button's icon size


def _triangle(path: QPainterPath, left: float, top: float, right: float, bottom: float) -> None:
    path.addPolygon(
        QPolygonF([QPointF(left, top), QPointF(right, (top + bottom) / 2), QPointF(left, bottom)])
    )


def media_icon(kind: str, color: str) -> QIcon:
    """``kind``: play, pause, previous, next or volume."""
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    path = QPainterPath()
    if kind == "play":
        _triangle(path, 20, 12, 52, 52)
    elif kind == "pause":
        path.addRoundedRect(QRectF(16, 12, 11, 40), 2, 2)
        path.addRoundedRect(QRectF(37, 12, 11, 40), 2, 2)
    elif kind == "next":
        _triangle(path, 12, 14, 44, 50)
        path.addRoundedRect(QRectF(45, 14, 7, 36), 2, 2)
    elif kind == "previous":
        path.addRoundedRect(QRectF(12, 14, 7, 36), 2, 2)
        path.addPolygon(QPolygonF([QPointF(52, 14), QPointF(20, 32), QPointF(52, 50)]))
    elif kind == "volume":
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(8, 24),
                    QPointF(20, 24),
                    QPointF(34, 10),
                    QPointF(34, 54),
                    QPointF(20, 40),
                    QPointF(8, 40),
                ]
            )
        )
        painter.drawPath(path)
        pen = painter.pen()
        pen.setStyle(Qt.PenStyle.SolidLine)
        pen.setColor(QColor(color))
        pen.setWidthF(5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(26, 18, 20, 28), -60 * 16, 120 * 16)
        painter.drawArc(QRectF(24, 8, 32, 48), -60 * 16, 120 * 16)
        path = QPainterPath()
    else:
        raise ValueError(f"unknown icon kind {kind!r}")
    painter.drawPath(path)
    painter.end()
    return QIcon(pixmap)
