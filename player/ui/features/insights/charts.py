"""Small charts drawn with QPainter: Continuo needs no QtCharts (not in PySide6-Essentials) and no
matplotlib. One widget, :class:`BarChart`, draws bars per period, stacked by series, with a value
axis at round steps, thinned period labels, a legend and a tooltip on the bar under the mouse.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from player.ui.plain import bold
from player.ui.style import theme

OTHER_COLOR = "other"
GOOD = "good"  # accepted
BAD = "bad"  # skipped


def series_color(i: int) -> str:
    """The ``i``-th series colour's role (resolved by the theme in use when painting)."""
    return f"series:{i}"


@dataclass(frozen=True)
class Series:
    """One stacked layer: a name for the legend and one value per bar."""

    name: str
    values: np.ndarray  # (P,)
    color: str  # a role for :meth:`player.ui.style.Theme.chart`: "series:N", "good", …


def nice_step(span: float, *, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` steps over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def axis_labels(values: list[float], value_format: Callable[[float], str]) -> list[str]:
    """The value axis's tick labels: ``value_format``'s, unless a plain number it writes is not
    its tick's value (0.05 written "0.1", 2.5 written "2"); then every tick gets the decimals
    its step needs ("0.05", "0.10"). Labels with units ("25%") are left as written."""
    texts = [value_format(v) for v in values]
    try:
        exact = all(
            abs(float(t.replace(",", "")) - v) < 1e-9 for t, v in zip(texts, values, strict=True)
        )
    except ValueError:  # not plain numbers
        return texts
    if exact or len(values) < 2:
        return texts
    step = values[1] - values[0]
    decimals = next((d for d in range(1, 7) if abs(round(step, d) - step) < 1e-9), 6)
    return [f"{v:,.{decimals}f}" for v in values]


class BarChart(QWidget):
    """Bars per period (x), stacked by :class:`Series`, with a value axis (y).

    ``value_format`` writes a value for the axis and the tooltip; ``y_max`` fixes the top of the
    axis (1.0 for shares); ``empty_text`` is shown instead of empty axes when every value is 0.
    """

    def __init__(
        self,
        *,
        y_label: str,
        value_format: Callable[[float], str],
        y_max: float | None = None,
        empty_text: str = "Nothing to show yet.",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.y_label, self.value_format, self.y_max = y_label, value_format, y_max
        self.empty_text = empty_text
        self.labels: list[str] = []
        self.titles: list[str] = []
        self.series: list[Series] = []
        self._hover: int | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(
        self, labels: list[str], series: list[Series], titles: list[str] | None = None
    ) -> None:
        """``labels`` under the bars (P,); ``titles`` head each bar's tooltip (default: labels)."""
        for s in series:
            if len(s.values) != len(labels):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for {len(labels)} bars"
                )
        self.labels, self.series = labels, series
        self.titles = titles or labels
        self._hover = None
        self.update()

    @property
    def empty(self) -> bool:
        return not self.series or not any(np.any(s.values > 0) for s in self.series)

    # geometry ---------------------------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFontMetricsF]:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.85))
        return font, QFontMetricsF(font)

    def _top_value(self) -> tuple[float, float]:
        totals = np.sum([s.values for s in self.series], axis=0)
        top = self.y_max or float(totals.max())
        step = nice_step(top)
        return step * math.ceil(top / step - 1e-9), step

    def _ticks(self) -> list[tuple[float, str]]:
        """The value axis's ticks, 0 to the top, with their labels."""
        top_value, step = self._top_value()
        values = [i * step for i in range(int(round(top_value / step)) + 1)]
        return list(zip(values, axis_labels(values, self.value_format), strict=True))

    def _legend_rows(self, width: float) -> list[list[tuple[Series, float]]]:
        """Legend entries (with their widths) wrapped into rows that fit ``width``."""
        _, metrics = self._fonts()
        rows: list[list[tuple[Series, float]]] = [[]]
        used = 0.0
        for s in self.series:
            w = 14 + metrics.horizontalAdvance(s.name) + 16
            if rows[-1] and used + w > width:
                rows.append([])
                used = 0.0
            rows[-1].append((s, w))
            used += w
        return rows

    def plot_rect(self) -> QRectF:
        """Where the bars go, inside axis labels (left), period labels (bottom) and the legend."""
        _, metrics = self._fonts()
        widest = max(metrics.horizontalAdvance(text) for _, text in self._ticks())
        left = 8 + metrics.height() + 6 + widest + 8
        legend = len(self._legend_rows(self.width() - left - 8)) if len(self.series) > 1 else 0
        top = 8 + legend * (metrics.height() + 4) + 6
        return QRectF(
            left, top, self.width() - left - 12, self.height() - top - metrics.height() - 14
        )

    def bar_at(self, x: float) -> int | None:
        """The index of the bar column under ``x`` (widget coordinates), or None."""
        rect = self.plot_rect()
        if self.empty or not rect.left() <= x < rect.right():
            return None
        return min(int((x - rect.left()) / rect.width() * len(self.labels)), len(self.labels) - 1)

    def tooltip(self, index: int) -> str:
        """The text shown for bar ``index``: its title, then each non-zero series and the total."""
        lines = [bold(self.titles[index])]  # titles and series names may be composers (tags)
        values = [(s.name, float(s.values[index])) for s in self.series]
        lines += [
            escape(f"{name}: {self.value_format(v)}") for name, v in reversed(values) if v > 0
        ]
        if len(self.series) > 1:
            lines.append(f"Total: {self.value_format(sum(v for _, v in values))}")
        return "<br>".join(lines)

    # painting and hover -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font, metrics = self._fonts()
        painter.setFont(font)
        if self.empty:
            painter.setPen(QColor(theme().muted))
            painter.drawText(
                self.rect().adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.empty_text,
            )
            return
        rect = self.plot_rect()
        top_value, _ = self._top_value()
        self._draw_axis(painter, rect, metrics, top_value)
        self._draw_bars(painter, rect, top_value)
        self._draw_labels(painter, rect, metrics)
        if len(self.series) > 1:
            self._draw_legend(painter, rect, metrics)

    def _draw_axis(self, painter, rect: QRectF, metrics, top_value: float) -> None:
        for value, text in self._ticks():
            y = rect.bottom() - value / top_value * rect.height()
            painter.setPen(QColor(theme().line if value else theme().muted))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(QColor(theme().muted))
            painter.drawText(
                QPointF(
                    rect.left() - 6 - metrics.horizontalAdvance(text), y + metrics.ascent() / 2 - 1
                ),
                text,
            )
        painter.save()
        painter.translate(8 + metrics.ascent(), rect.center().y())
        painter.rotate(-90)
        painter.drawText(QPointF(-metrics.horizontalAdvance(self.y_label) / 2, 0), self.y_label)
        painter.restore()

    def _draw_bars(self, painter, rect: QRectF, top_value: float) -> None:
        slot = rect.width() / len(self.labels)
        width = max(1.0, slot * 0.72)
        if self._hover is not None:
            painter.fillRect(
                QRectF(rect.left() + self._hover * slot, rect.top(), slot, rect.height()),
                QColor(theme().panel),
            )
        painter.setPen(Qt.PenStyle.NoPen)
        scale = rect.height() / top_value
        lefts = rect.left() + np.arange(len(self.labels)) * slot + (slot - width) / 2
        base = np.zeros(len(self.labels))
        for s in self.series:
            painter.setBrush(QColor(theme().chart(s.color)))
            # One drawRects call per series, not one call per bar (a long history has hundreds).
            painter.drawRects(
                [
                    QRectF(x, rect.bottom() - (b + v) * scale, width, v * scale)
                    for x, b, v in zip(lefts, base, s.values, strict=True)
                    if v > 0
                ]
            )
            base += s.values

    def _draw_labels(self, painter, rect: QRectF, metrics) -> None:
        slot = rect.width() / len(self.labels)
        widest = max(metrics.horizontalAdvance(label) for label in self.labels) + 10
        every = max(1, math.ceil(widest / slot))
        painter.setPen(QColor(theme().muted))
        for i in range(0, len(self.labels), every):
            text = self.labels[i]
            x = rect.left() + (i + 0.5) * slot - metrics.horizontalAdvance(text) / 2
            x = min(max(x, rect.left() - 4), self.width() - metrics.horizontalAdvance(text) - 2)
            painter.drawText(QPointF(x, rect.bottom() + 6 + metrics.ascent()), text)

    def _draw_legend(self, painter, rect: QRectF, metrics) -> None:
        y = 8.0
        for row in self._legend_rows(self.width() - rect.left() - 8):
            x = rect.left()
            for s, w in row:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(theme().chart(s.color)))
                painter.drawRoundedRect(QRectF(x, y + metrics.height() / 2 - 5, 10, 10), 2, 2)
                painter.setPen(QColor(theme().ink))
                painter.drawText(QPointF(x + 14, y + metrics.ascent()), s.name)
                x += w
            y += metrics.height() + 4

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().x())
        if index != self._hover:
            self._hover = index
            self.update()
        if index is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip(index), self)

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)
