"""The "Similar" action: the tracks nearest to one track by content vector, in a side tab.

Neighbours come from :func:`player.store.features.similar_tracks`, which recomputes the TF-IDF
vectors from the stored class histograms on each request, so they follow every library change
and every newly analysed track without re-analysing audio. The lookup runs as a JobRunner job;
answers for a track no longer shown are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from player.analysis.version import ANALYSIS_VERSION
from player.store.db import Database
from player.store.features import similar_tracks
from player.store.tracks import Track, track_by_id
from player.ui.features.analysis.status import analysis_summary
from player.ui.plain import bold, plain
from player.ui.plain import tip as plain_tip
from player.ui.shell.context import FeatureContext
from player.ui.shell.library_models import TRACK_ROLE
from player.ui.shell.panels import tree_view
from player.ui.style import named

NEIGHBOURS = 15
SHORTCUT = "Ctrl+Shift+S"
HEADERS = ["Match", "Composer", "Work", "Movement", "Recording"]


@dataclass(frozen=True)
class SimilarResult:
    track: Track
    neighbours: list[tuple[Track, float]]  # best first, cosine similarity
    note: str  # why there are no neighbours, else empty


def find_similar(db: Database, track: Track, *, k: int = NEIGHBOURS) -> SimilarResult:
    """``track``'s nearest analysed tracks, or a note saying why there are none yet."""
    track_id = int(track.id or 0)
    neighbours = [
        (other, similarity)
        for other_id, similarity in similar_tracks(db, track_id, ANALYSIS_VERSION, k=k)
        if (other := track_by_id(db, other_id)) is not None
    ]
    if neighbours:
        return SimilarResult(track, neighbours, "")
    summary = analysis_summary(db)
    reason = dict(summary.failed).get(track.path)
    if reason:
        note = f"This track could not be analysed: {reason}."
    elif track_id in summary.analysed:
        note = "No other track is analysed yet."
    else:
        note = f"Not analysed yet ({summary.done:,} of {summary.library:,} done)."
    return SimilarResult(track, [], note)


def _cell(text: str, tip: str = "") -> QStandardItem:
    item = QStandardItem(text)
    item.setToolTip(plain_tip(tip or text))
    return item


class SimilarPanel(QWidget):
    """The side tab: which track, then its neighbours; double-click (or Enter) plays one."""

    play_requested = Signal(object)  # Track

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = named(QLabel(), "similarHeading")
        self.heading.setWordWrap(True)
        self.note = plain(named(QLabel(), "emptyHint"))
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model = QStandardItemModel(self)
        self.view = tree_view("similarView")
        self.view.setRootIsDecorated(False)
        self.view.setModel(self.model)
        self.view.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        self.shown: Track | None = None
        self.show_hint(
            "Right-click a track and choose Similar, or press "
            f"{QKeySequence(SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)} "
            "for the one playing."
        )

    def show_hint(self, text: str) -> None:
        self._fill([])
        self.heading.hide()
        self.note.setText(text)
        self.note.show()

    def show_pending(self, track: Track) -> None:
        self.shown = track
        self.heading.setText(_describe(track))
        self.heading.show()
        self.note.setText("Looking for similar tracks…")
        self.note.show()

    def show_result(self, result: SimilarResult) -> None:
        self._fill(result.neighbours)
        self.note.setText(result.note)
        self.note.setVisible(bool(result.note))

    def _fill(self, neighbours: list[tuple[Track, float]]) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(HEADERS)
        for track, similarity in neighbours:
            share = _cell(f"{max(similarity, 0.0):.0%}", f"cosine similarity {similarity:.3f}")
            share.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            share.setData(track, TRACK_ROLE)
            self.model.appendRow(
                [
                    share,
                    _cell(track.composer_name if track.composer_key else track.artist),
                    _cell(track.work_title, track.recording_label),
                    _cell(track.display_title, track.path),
                    _cell(track.recording_label, track.album),
                ]
            )
        header = self.view.header()
        header.setStretchLastSection(False)
        Mode = QHeaderView.ResizeMode
        for column, mode in enumerate((Mode.ResizeToContents,) + (Mode.Stretch,) * 4):
            header.setSectionResizeMode(column, mode)
        self.view.setVisible(bool(neighbours))

    def _activated(self, index: QModelIndex) -> None:
        track = index.siblingAtColumn(0).data(TRACK_ROLE)
        if track is not None:
            self.play_requested.emit(track)


def _describe(track: Track) -> str:
    composer = track.composer_name if track.composer_key else track.composer
    parts = [p for p in (composer, track.work_title, track.display_title) if p]
    parts += [track.recording_label] if track.recording_label else []
    return "Similar to " + bold(" · ".join(parts))


class SimilarAction(QObject):
    """Shows a track's neighbours in the panel and keeps them fresh as analysis goes on."""

    def __init__(
        self, panel: SimilarPanel, open_db: Callable[[], Database], ctx: FeatureContext
    ) -> None:
        super().__init__(ctx)
        self.panel, self.open_db, self.ctx = panel, open_db, ctx

    def show_for(self, tracks: list[Track]) -> None:
        """The first of ``tracks`` (the right-click selection) goes to the panel."""
        if not tracks:
            return
        self.panel.show_pending(tracks[0])
        self.ctx.show_panel(self.panel)
        self._look_up(tracks[0])

    def show_playing(self) -> None:
        track = self.ctx.playback.current
        if track is None:
            self.ctx.show_message("Nothing is playing.", 4000)
        else:
            self.show_for([track])

    def refresh(self) -> None:
        """Features changed (a run ended): recompute the shown track's neighbours."""
        if self.panel.shown is not None:
            self._look_up(self.panel.shown)

    def _look_up(self, track: Track) -> None:
        open_db = self.open_db

        def find() -> SimilarResult:
            db = open_db()
            try:
                return find_similar(db, track)
            finally:
                db.close()

        self.ctx.run_job(find, self._found, self._failed)

    def _failed(self, error: Exception) -> None:
        self.panel.show_hint(f"Could not look up similar tracks: {getattr(error, 'short', error)}")

    def _found(self, result: SimilarResult) -> None:
        if self.panel.shown is not None and self.panel.shown.id == result.track.id:
            self.panel.show_result(result)


def install(ctx: FeatureContext) -> SimilarAction:
    """Add the Similar tab, the right-click entries, and the menu entry for the playing track."""
    panel = SimilarPanel()
    ctx.add_panel(panel, "Similar")
    action = SimilarAction(panel, ctx.services.open_db, ctx)
    panel.play_requested.connect(lambda track: ctx.playback.play_track(track))
    ctx.add_track_action("Similar", action.show_for)
    ctx.add_menu_action("&Library", "&Similar to the playing track", action.show_playing, SHORTCUT)
    ctx.features_changed.connect(action.refresh)
    return action
