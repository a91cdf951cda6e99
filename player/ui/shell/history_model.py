"""The History tab's model: listening sessions, newest first, each holding its plays.

It is refilled after every play, from the newest sessions up to a couple of thousand plays
(``player.store.plays.recent_sessions``, read off the GUI thread). Building that many items
anew took the GUI thread over a hundred milliseconds each time; this model keeps the plays as
they come and, when the next answer arrives, changes only what changed: a new session goes in
at the top, the running session gets its new plays and its changed times, sessions that fell
out of the window leave at the bottom. Texts are made when a row is drawn, not before.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from player.store.plays import Play
from player.ui.plain import tip
from player.ui.shell.library_models import format_duration

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class _Session:
    """One session's plays (oldest first) and its row among the sessions."""

    __slots__ = ("plays", "row")

    def __init__(self, plays: list[Play], row: int) -> None:
        self.plays, self.row = plays, row

    @property
    def key(self) -> int:
        """Its first play: the same session in the next answer starts with the same play."""
        return self.plays[0].id


class HistoryModel(QAbstractItemModel):
    """Top level: the sessions (newest first), then a note of the older plays (when any);
    under a session its plays in the order heard. Two columns: text and time heard."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._sessions: list[_Session] = []
        self._older = 0

    # filling -------------------------------------------------------------------------------
    def set_sessions(self, sessions: list[list[Play]], older_plays: int) -> list[int]:
        """Show ``sessions`` (oldest first, as the store gives them) and a note of
        ``older_plays``; returns the rows of the sessions that are new (to open the newest).

        When the old sessions are still there in the same order (the usual case: a play
        ended, a new one began), rows are inserted, removed and changed in place; anything
        else (an import rewrote the log) resets the model."""
        new = [s for s in reversed(sessions) if s]
        keys = [s[0].id for s in new]
        old = [s.key for s in self._sessions]
        top = keys.index(old[0]) if old and old[0] in keys else None
        if top is None or old[: len(keys) - top] != keys[top:]:
            self.beginResetModel()
            self._sessions = [_Session(plays, row) for row, plays in enumerate(new)]
            self._older = older_plays
            self.endResetModel()
            return list(range(len(new)))
        kept = len(keys) - top
        if kept < len(self._sessions):  # fell out of the window at the bottom
            self.beginRemoveRows(ROOT, kept, len(self._sessions) - 1)
            del self._sessions[kept:]
            self.endRemoveRows()
        for session, plays in zip(self._sessions, new[top:], strict=True):
            self._patch(session, plays)
        if top:
            self.beginInsertRows(ROOT, 0, top - 1)
            self._sessions[:0] = [_Session(plays, 0) for plays in new[:top]]
            for row, session in enumerate(self._sessions):
                session.row = row
            self.endInsertRows()
        self._set_older(older_plays)
        return list(range(top))

    def _patch(self, session: _Session, plays: list[Play]) -> None:
        """Bring one session's plays up to date: new ones appended, changed ones redrawn."""
        old = session.plays
        if plays == old:
            return
        parent = self.createIndex(session.row, 0, None)
        same = [p.id for p in plays[: len(old)]] == [p.id for p in old]
        if not same:  # plays removed from its middle: its rows anew
            self.beginRemoveRows(parent, 0, len(old) - 1)
            session.plays = []
            self.endRemoveRows()
            old = []
        changed = [row for row, (a, b) in enumerate(zip(old, plays, strict=False)) if a != b]
        if len(plays) > len(old):
            self.beginInsertRows(parent, len(old), len(plays) - 1)
            session.plays = plays
            self.endInsertRows()
        session.plays = plays
        if changed:
            self.dataChanged.emit(
                self.createIndex(changed[0], 0, session),
                self.createIndex(changed[-1], 1, session),
            )
        self.dataChanged.emit(parent, self.createIndex(session.row, 1, None))

    def _set_older(self, older: int) -> None:
        if older == self._older:
            return
        row = len(self._sessions)
        if older and not self._older:
            self.beginInsertRows(ROOT, row, row)
            self._older = older
            self.endInsertRows()
        elif self._older and not older:
            self.beginRemoveRows(ROOT, row, row)
            self._older = older
            self.endRemoveRows()
        else:
            self._older = older
            self.dataChanged.emit(self.index(row, 0), self.index(row, 1))

    @property
    def sessions(self) -> list[list[Play]]:
        """The sessions shown, newest first."""
        return [s.plays for s in self._sessions]

    # Qt's model interface ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = ROOT) -> QModelIndex:
        if not 0 <= column < 2 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, None) if row < self.rowCount() else QModelIndex()
        session = self._session_at(parent)
        if session is None or row >= len(session.plays):
            return QModelIndex()
        return self.createIndex(row, column, session)

    def parent(self, index: AnyIndex = ROOT) -> QModelIndex:  # type: ignore[override]
        session = index.internalPointer() if index.isValid() else None
        return self.createIndex(session.row, 0, None) if session is not None else QModelIndex()

    def _session_at(self, index: AnyIndex) -> _Session | None:
        """The session on a top-level row (None for a play's row or the note)."""
        if not index.isValid() or index.internalPointer() is not None:
            return None
        return self._sessions[index.row()] if index.row() < len(self._sessions) else None

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        if not parent.isValid():
            return len(self._sessions) + (1 if self._older else 0)
        session = self._session_at(parent)
        return len(session.plays) if session is not None and parent.column() == 0 else 0

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 2

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if self._is_note(index):
            return Qt.ItemFlag.NoItemFlags  # shown greyed out
        return super().flags(index)

    def _is_note(self, index: AnyIndex) -> bool:
        return (
            index.isValid()
            and index.internalPointer() is None
            and index.row() == len(self._sessions)
        )

    def data(self, index: AnyIndex, role: int = DISPLAY):
        role = int(role)
        if role not in (DISPLAY, TOOLTIP, ALIGNMENT) or not index.isValid():
            return None
        column = index.column()
        if role == ALIGNMENT:
            return RIGHT if column == 1 else None
        owner = index.internalPointer()
        if owner is not None:  # a play
            play = owner.plays[index.row()] if index.row() < len(owner.plays) else None
            if play is None:
                return None
            if role == TOOLTIP:
                return _play_tip(play) if column == 0 else None
            return _play_text(play) if column == 0 else format_duration(play.ms_heard / 1000)
        if role == TOOLTIP:
            return None
        if self._is_note(index):
            older = self._older
            return (
                f"{older:,} older plays · `continuo history` lists them all" if not column else ""
            )
        session = self._sessions[index.row()]
        return _session_text(session.plays) if column == 0 else _heard(session.plays)


def _session_text(plays: list[Play]) -> str:
    start = plays[0].started_at.astimezone()
    count = "1 play" if len(plays) == 1 else f"{len(plays)} plays"
    return f"{start:%a %d %b %Y, %H:%M}  ·  {count}"


def _heard(plays: list[Play]) -> str:
    return format_duration(sum(p.ms_heard for p in plays) / 1000)


def _play_text(play: Play) -> str:
    title = f"{play.title}  —  {play.composer}" if play.composer else play.title
    title += f"  ·  {play.recording}" if play.recording else ""
    return f"{play.started_at.astimezone():%H:%M}  {title}"


def _play_tip(play: Play) -> str:
    return tip(
        "\n".join(x for x in (play.work, play.recording) if x)
        + f"\n{play.ended_how or 'playing'}, started by {play.started_by}"
    )
