"""Does a window fit a screen? Checks that no control is drawn smaller than it needs.

A control is "cut" when the layout gives it less room than its minimum size hint (a button's or
a combo box's text then loses letters, "For yo" for "For you"). Labels that elide on purpose
(``ElidedLabel``) or wrap are exempt; hidden widgets and those inside a scroll area's viewport
are not checked (they scroll instead).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QTabBar,
    QWidget,
)

SCREENS = {
    # what a window's inside gets on each screen, in logical pixels: the screen less a panel
    # (32 px) and a title bar (30 px), divided by the scale factor
    "1280x720": (1280, 658),
    "1366x768": (1366, 706),
    "1366x768 at 1.5x": (910, 450),
}
CHECKED = (QAbstractButton, QComboBox, QAbstractSpinBox, QLabel, QTabBar)


def _scrolled(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def cut_controls(window: QWidget) -> list[str]:
    """The visible controls of ``window`` that got less room than their minimum size hint."""
    QApplication.processEvents()
    cut = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CHECKED) or not widget.isVisibleTo(window):
            continue
        if type(widget).__name__ == "ElidedLabel" or _scrolled(widget):
            continue
        if isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text()):
            continue
        need = widget.minimumSizeHint()  # what the layout must give, unless a minimum is set
        need_w = widget.minimumWidth() or need.width()
        need_h = widget.minimumHeight() or need.height()
        if widget.width() + 1 < need_w or widget.height() + 1 < need_h:
            text = (
                getattr(widget, "text", lambda: "")()
                if not isinstance(widget, QComboBox)
                else (widget.currentText())
            )
            cut.append(
                f"{type(widget).__name__} {widget.objectName() or text!r}: "
                f"{widget.width()}x{widget.height()} < {need_w}x{need_h}"
            )
    return cut


def ink_columns(label: QLabel) -> tuple[int, int] | None:
    """The first and last pixel columns (logical) where ``label`` draws anything, found by
    rendering it and comparing each pixel with its top-left corner (padding, never text)."""
    image = label.grab().toImage()
    ratio = image.devicePixelRatio()
    background = image.pixel(0, 0)
    columns = [
        x
        for x in range(image.width())
        if any(image.pixel(x, y) != background for y in range(image.height()))
    ]
    return (int(columns[0] / ratio), int(columns[-1] / ratio)) if columns else None


def badly_elided(window: QWidget) -> list[str]:
    """The visible ``ElidedLabel``s whose text is drawn outside the room it was measured for
    (its last letters clipped instead of an "…"), or cut without the "…" and whole tooltip."""
    QApplication.processEvents()
    wrong = []
    for label in window.findChildren(QLabel):
        if type(label).__name__ != "ElidedLabel" or not label.isVisibleTo(window):
            continue
        shown, full = label.shown_text(), label.text()  # type: ignore[attr-defined]
        room = label.contentsRect()
        ink = ink_columns(label)
        if not shown or ink is None:
            continue
        end = room.left() + label.fontMetrics().horizontalAdvance(shown)
        if ink[0] < room.left() or ink[1] > min(end, room.right()):
            wrong.append(
                f"{label.objectName()} {shown!r}: drawn at {ink}, room {room.left()}-{end}"
            )
        elif shown != full and not (shown.endswith("…") and full in label.toolTip()):
            wrong.append(f"{label.objectName()} {shown!r}: cut without … or tooltip")
    return wrong
