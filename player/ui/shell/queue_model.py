"""The play queue: the listener's own queue, then an "Up next" section.

The user section is what the listener asked for, played first and in order. "Up next" is what
follows when that runs out: the recommender's suggestions (:meth:`QueueModel.set_up_next` with
``started_by="suggestion"``, the name of the source that filled it and each track's "Why this?"
note, which the panel shows), or the rest of the library in order.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication

from player.store.tracks import Track
from player.ui.plain import tip
from player.ui.shell.library_models import ROOT, TRACK_ROLE, format_duration, track_line
from player.ui.shell.text_cells import Cell
from player.ui.style import theme

AnyIndex = QModelIndex | QPersistentModelIndex
NOTE_ROLE = Qt.ItemDataRole.UserRole + 3  # an Up next track's "Why this?" text ("" when none)
USER, UP_NEXT = 0, 1
_SECTION = 1000  # internal id of the two section rows (children carry their section, 0 or 1)


class QueueModel(QAbstractItemModel):
    """Two top-level rows ("Queue", "Up next"), each with its tracks as children."""

    changed = Signal()
    suggestions_removed = Signal(list)  # Up next tracks the listener deleted (not pinned or played)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._sections: list[list[Track]] = [[], []]
        self.up_next_source = ""  # e.g. "library order", later "personal model"
        self.up_next_started_by = "queue"
        self._notes: dict[int, str] = {}
        self._section_font: QFont | None = None

    # queue operations -------------------------------------------------------------------------
    @property
    def user(self) -> list[Track]:
        return list(self._sections[USER])

    @property
    def up_next(self) -> list[Track]:
        return list(self._sections[UP_NEXT])

    def _replace(self, section: int, tracks: list[Track]) -> None:
        parent = self.index(section, 0)
        old = self._sections[section]
        if old:
            self.beginRemoveRows(parent, 0, len(old) - 1)
            self._sections[section] = []
            self.endRemoveRows()
        if tracks:
            self.beginInsertRows(parent, 0, len(tracks) - 1)
            self._sections[section] = list(tracks)
            self.endInsertRows()
        self._section_changed(section)

    def _section_changed(self, section: int) -> None:
        """A section's tracks changed: its heading (count, total length) and the listeners."""
        self.dataChanged.emit(self.index(section, 0), self.index(section, 1))
        self.changed.emit()

    def set_user(self, tracks: list[Track]) -> None:
        self._replace(USER, tracks)

    def add_front(self, tracks: list[Track]) -> None:
        self._replace(USER, list(tracks) + self._sections[USER])

    def add(self, tracks: list[Track]) -> None:
        self._replace(USER, self._sections[USER] + list(tracks))

    def play_next(self, tracks: list[Track]) -> None:
        """Put ``tracks`` (once each, in order) at the head of the queue. A track already
        waiting moves rather than being copied: its first entry in the queue, or else in Up
        next (then pinned, like :meth:`take_up_next`, not a removed suggestion), is taken out."""
        moving = list({int(t.id or 0): t for t in reversed(tracks)}.values())[::-1]
        user, up_next = list(self._sections[USER]), list(self._sections[UP_NEXT])
        for track in moving:
            for section in (user, up_next):
                at = next((i for i, t in enumerate(section) if t.id == track.id), None)
                if at is not None:
                    del section[at]
                    break
        if len(up_next) != len(self._sections[UP_NEXT]):
            self._replace(UP_NEXT, up_next)
        self._replace(USER, moving + user)

    def set_up_next(
        self,
        tracks: list[Track],
        *,
        source: str,
        started_by: str = "queue",
        notes: dict[int, str] | None = None,
    ) -> None:
        """Fill "Up next" (the recommender's hook); ``source`` says who chose these, ``notes``
        why (by track id)."""
        self.up_next_source, self.up_next_started_by = source, started_by
        self._notes = dict(notes or {})
        self._replace(UP_NEXT, tracks)

    def move_up_next(self, rows: list[int], delta: int) -> None:
        """Move the Up next ``rows`` (kept together, in order) ``delta`` places up or down."""
        tracks = self._sections[UP_NEXT]
        moving = [tracks[r] for r in sorted(rows)]
        rest = [t for r, t in enumerate(tracks) if r not in rows]
        at = max(0, min(len(rest), min(rows) + delta))
        self._replace(UP_NEXT, rest[:at] + moving + rest[at:])

    def take_up_next(self, rows: list[int]) -> list[Track]:
        """Take the Up next ``rows`` out (to pin them into the queue); not a removal."""
        tracks = self._sections[UP_NEXT]
        self._replace(UP_NEXT, [t for r, t in enumerate(tracks) if r not in rows])
        return [tracks[r] for r in sorted(rows)]

    def peek(self) -> tuple[Track, str] | None:
        """The track that plays next and who chose it ("queue" or the Up next starter)."""
        if self._sections[USER]:
            return self._sections[USER][0], "queue"
        if self._sections[UP_NEXT]:
            return self._sections[UP_NEXT][0], self.up_next_started_by
        return None

    def pop(self) -> tuple[Track, str] | None:
        """Take the head off (its row alone leaves: the view keeps the others' layout, where
        replacing the section made it measure and draw every row again at each track)."""
        head = self.peek()
        if head is not None:
            section = USER if self._sections[USER] else UP_NEXT
            parent = self.index(section, 0)
            self.beginRemoveRows(parent, 0, 0)
            self._sections[section] = self._sections[section][1:]
            self.endRemoveRows()
            self._section_changed(section)
        return head

    def remove_rows(self, indexes: list[QModelIndex]) -> None:
        for section in (USER, UP_NEXT):
            rows = {
                i.row() for i in indexes if i.parent().isValid() and i.parent().row() == section
            }
            if rows:
                old = self._sections[section]
                self._replace(section, [t for r, t in enumerate(old) if r not in rows])
                if section == UP_NEXT:
                    self.suggestions_removed.emit([old[r] for r in sorted(rows)])

    # model ----------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = ROOT) -> QModelIndex:
        if column not in (0, 1):
            return QModelIndex()
        if not parent.isValid():
            return (
                self.createIndex(row, column, _SECTION) if row in (USER, UP_NEXT) else QModelIndex()
            )
        if parent.internalId() == _SECTION and 0 <= row < len(self._sections[parent.row()]):
            return self.createIndex(row, column, parent.row())
        return QModelIndex()

    def parent(self, index: AnyIndex = ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _SECTION:
            return QModelIndex()
        return self.createIndex(index.internalId(), 0, _SECTION)

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        if not parent.isValid():
            return 2
        if parent.internalId() == _SECTION and parent.column() == 0:
            return len(self._sections[parent.row()])
        return 0

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 2

    def flags(self, index: AnyIndex):
        base = Qt.ItemFlag.ItemIsEnabled
        if index.isValid() and index.internalId() != _SECTION:
            base |= Qt.ItemFlag.ItemIsSelectable
        return base

    def section_font(self) -> QFont:
        """The sections' type: bold, nine tenths of the application's (made once)."""
        if self._section_font is None:
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.9)
            self._section_font = font
        return self._section_font

    def cell(self, index: AnyIndex) -> Cell | None:
        """What the queue's painter (:class:`~player.ui.shell.text_cells.TextCells`) draws in
        a cell, in one call: a section's heading muted and in its type, a track's line, lengths
        aligned right."""
        if not index.isValid():
            return None
        text = str(self.data(index) or "")
        if index.internalId() == _SECTION:
            return Cell(text, "muted", self.section_font())
        return Cell(text, right=index.column() == 1)

    def suggestion(self, index: AnyIndex) -> tuple[Track, str] | None:
        """An Up next row's track and its "Why this?" text (None for any other row, and for a
        suggestion without one), in one call: what its painter asks of every row each time the
        list changes, without a call into the model's ``data`` per role."""
        if index.internalId() != UP_NEXT or not 0 <= index.row() < len(self._sections[UP_NEXT]):
            return None
        track = self._sections[UP_NEXT][index.row()]
        note = self._notes.get(int(track.id or 0), "")
        return (track, note) if note else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _SECTION:
            if role == Qt.ItemDataRole.FontRole:
                return self.section_font()
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(theme().muted))
            if role != Qt.ItemDataRole.DisplayRole:
                return None
            tracks = self._sections[index.row()]
            if index.column() == 1:
                return format_duration(sum(t.duration_s for t in tracks)) if tracks else ""
            if index.row() == USER:
                return f"QUEUE · {len(tracks)}" if tracks else "QUEUE · EMPTY"
            source = self.up_next_source
            return f"UP NEXT · {source.upper()}" if source else "UP NEXT"
        track = self._sections[index.internalId()][index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 1:
                return format_duration(track.duration_s)
            line = track_line(track)
            return f"{track.display_title}  —  {line}" if line else track.display_title
        note = self._notes.get(int(track.id or 0), "") if index.internalId() == UP_NEXT else ""
        if role == NOTE_ROLE:
            return note
        if role == Qt.ItemDataRole.ToolTipRole:
            why = f"\n\nWhy this? {note[0].upper()}{note[1:]}" if note else ""
            parts = (
                track.composer_name,
                track.work_title,
                track.display_title,
                track.recording_label,
            )
            return tip("\n".join(p for p in parts if p) + why)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == TRACK_ROLE:
            return track
        return None
