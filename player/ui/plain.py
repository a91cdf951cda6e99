"""Text from tags and file names is shown as text, never as markup.

Qt guesses: a label, message box or tooltip whose text looks like HTML is drawn as rich text,
so a title ``<h1>…`` is drawn large and ``<img src=file:///…>`` loads a local file into the
window. Every place that shows tag or file text goes through here: labels are switched to plain
text, tooltips (which cannot be switched) get the text escaped.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel

from player.fspath import shown


def plain(label: QLabel) -> QLabel:
    """``label`` showing its text as typed, whatever it contains."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def tip(text: str) -> str:
    """A tooltip showing ``text`` as typed (line breaks kept); ``""`` stays no tooltip.

    Text Qt would not take for markup is returned as it is (Qt shows it plain); text it would
    is escaped.
    """
    text = shown(text)
    return QtGui.convertFromPlainText(text) if QtGui.mightBeRichText(text) else text


def bold(text: str) -> str:
    """``text`` as escaped rich text in bold, for a rich label that quotes tag text."""
    return f"<b>{escape(text)}</b>"
