"""The Insights view: listening time per composer, how suggestions fared, and what they brought in.

:class:`InsightsView` only displays an :class:`~player.store.insights.Insights`;
:class:`InsightsDialog` reads the profile on a worker thread of its own (the UI thread never
waits on disk, and a scan on the window's threads never delays it) and refreshes each time it
is opened: at once it shows what it showed last (or that it is reading), then fills in. The read
of the play log is kept and reused while the log is unchanged (another binning, a second
opening). The definitions live in :mod:`player.store.insights`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from player.priority import Priority
from player.store.db import Database
from player.store.insights import (
    OTHER,
    Discovery,
    Insights,
    PlayFacts,
    compute_insights,
    read_plays,
)
from player.store.play_log import log_version
from player.ui.features.insights.charts import (
    BAD,
    GOOD,
    OTHER_COLOR,
    BarChart,
    Series,
    series_color,
)
from player.ui.jobs import JobRunner
from player.ui.plain import plain, tip
from player.ui.shell.context import FeatureContext
from player.ui.shell.library_models import ROOT, AnyIndex
from player.ui.shell.screen_fit import fitted_size

CLOSE_WAIT_MS = 10_000
"""At close, how long a read still running may take before the profile closes."""
FEW_PLAYS = 50
"""Below this many plays the view says the patterns are still thin."""
EMPTY_TEXT = (
    "Nothing to show yet.\n\nListen for a while: your listening time per composer, how the "
    "suggestions fare and which composers they brought you will appear here."
)
READING_TEXT = "Reading your listening history…"
NO_SUGGESTIONS = "No plays from suggestions yet.\nStart one from “Up next” to see how they fare."
DEFINITIONS = (
    "Accepted: a suggestion heard for 30 s or to its end. Skipped: skipped within 30 s. "
    "Discovered: the first play of the composer or work in your history came from a suggestion. "
    "Days and weeks are counted in UTC."
)


_DISPLAY = Qt.ItemDataRole.DisplayRole


def _label(text: str, name: str) -> QLabel:
    """A label styled by its object name (the stubs do not know the ``objectName=`` keyword)."""
    label = plain(QLabel(text))  # composers and works from tags
    label.setObjectName(name)
    return label


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _duration(hours: float) -> str:
    minutes = hours * 60
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 59.5:
        return f"{minutes:.0f} min"
    return f"{hours:.1f} h" if hours < 9.95 else f"{hours:,.0f} h"


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def period_labels(period: str, starts: list[date]) -> tuple[list[str], list[str]]:
    """Short labels under the bars, and the longer titles heading their tooltips."""
    if period == "year":
        return [str(d.year) for d in starts], [str(d.year) for d in starts]
    if period == "month":
        return [d.strftime("%b %Y") for d in starts], [d.strftime("%B %Y") for d in starts]
    return [f"{d.day} {d:%b}" for d in starts], [f"Week of {d.day} {d:%b %Y}" for d in starts]


class _StatCard(QFrame):
    def __init__(self, label: str) -> None:
        super().__init__()
        self.setObjectName("statCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.value = _label("–", "statValue")
        self.label = _label(label, "statLabel")
        self.label.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.label)

    def show_value(self, value: str, label: str | None = None) -> None:
        self.value.setText(value)
        if label is not None:
            self.label.setText(label)


class _Rows(QAbstractTableModel):
    """The discoveries' texts, written and handed to the view row by row as it paints them: a
    decade's history discovers thousands of works, too many to make an item each, or even
    write each one's texts, on the GUI thread."""

    def __init__(self, headers: list[str]) -> None:
        super().__init__()
        self.headers = headers
        self.found: list[Discovery] = []
        self.name: Callable[[Discovery], str] = lambda d: d.composer
        self._written: dict[int, list[str]] = {}

    def set_rows(self, found: list[Discovery], name: Callable[[Discovery], str]) -> None:
        self.beginResetModel()
        self.found, self.name, self._written = found, name, {}
        self.endResetModel()

    def row(self, i: int) -> list[str]:
        """Row ``i``'s texts: the name, the first play's day, plays since, time listened."""
        written = self._written.get(i)
        if written is None:
            d = self.found[i]
            day = f"{d.first_played.day} {d.first_played:%b %Y}"
            written = [self.name(d), day, str(d.plays_after), _duration(d.hours)]
            self._written[i] = written
        return written

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.found)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> object:
        text = self.row(index.row())[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip(text)  # long work titles are elided in the cell
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= len(self.headers) - 2:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter  # the counts
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


class _DiscoveryTable(QTableView):
    """A read-only list of discoveries."""

    def __init__(self, headers: list[str]) -> None:
        super().__init__()
        self.rows = _Rows(headers)
        self.setModel(self.rows)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setShowGrid(False)
        self.setMinimumHeight(160)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(0)  # columns fit the rows in view, not a thousand
        for column in range(1, len(headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def show_rows(self, found: list[Discovery], name: Callable[[Discovery], str]) -> None:
        self.rows.set_rows(found, name)


class InsightsView(QWidget):
    """Shows one :class:`Insights`; asks for another binning through :attr:`period_requested`."""

    period_requested = Signal(object)  # "week", "month", "year" or None (automatic)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("insights")
        self.period = QComboBox()
        for text, value in (
            ("Automatic", None),
            ("By week", "week"),
            ("By month", "month"),
            ("By year", "year"),
        ):
            self.period.addItem(text, value)
        self.period.activated.connect(lambda i: self.period_requested.emit(self.period.itemData(i)))
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(_label("Insights", "insightsTitle"))
        titles.addWidget(
            _label("Your listening, and what the suggestions did for it", "insightsSubtitle")
        )
        header.addLayout(titles, 1)
        header.addWidget(self.period, 0, Qt.AlignmentFlag.AlignBottom)

        self.empty_label = _label(EMPTY_TEXT, "emptyHint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self._build_content())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)
        self.set_insights(Insights(period="week"))

    def _build_content(self) -> QWidget:
        self.cards = {
            key: _StatCard(label)
            for key, label in (
                ("hours", "listened"),
                ("plays", "plays"),
                ("share", "of plays started by suggestions"),
                ("accepted", "of suggestions accepted"),
                ("found", "composers discovered"),
            )
        }
        cards = QHBoxLayout()
        cards.setSpacing(10)  # cards apart, not sharing their borders
        for card in self.cards.values():
            cards.addWidget(card)
        self.thin_note = _label("", "insightsNote")
        self.composer_chart = BarChart(y_label="hours", value_format=_number)
        self.composer_chart.setMinimumHeight(260)
        self.share_chart = BarChart(
            y_label="share of plays", value_format=_percent, y_max=1.0, empty_text=NO_SUGGESTIONS
        )
        self.outcome_chart = BarChart(
            y_label="suggestion plays", value_format=_number, empty_text=NO_SUGGESTIONS
        )
        self.expansion = _label("", "expansion")
        self.expansion.setWordWrap(True)
        self.composer_table = _DiscoveryTable(
            ["Composer", "First heard", "Plays since", "Listened"]
        )
        self.work_table = _DiscoveryTable(["Work", "First heard", "Plays since", "Listened"])
        notes = _label(DEFINITIONS, "insightsNote")
        notes.setWordWrap(True)

        content = QWidget()
        content.setObjectName("insights")
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 8, 8, 8)
        grid.setVerticalSpacing(6)
        grid.setHorizontalSpacing(18)
        grid.addLayout(cards, 0, 0, 1, 2)
        grid.addWidget(self.thin_note, 1, 0, 1, 2)
        self.composer_title = _label("Listening time per composer", "chartTitle")
        grid.addWidget(self.composer_title, 2, 0, 1, 2)
        grid.addWidget(self.composer_chart, 3, 0, 1, 2)
        grid.addWidget(_label("Share of plays started by suggestions", "chartTitle"), 4, 0)
        grid.addWidget(_label("Suggestions accepted and skipped", "chartTitle"), 4, 1)
        grid.addWidget(self.share_chart, 5, 0)
        grid.addWidget(self.outcome_chart, 5, 1)
        grid.addWidget(_label("Discovered through suggestions", "chartTitle"), 6, 0, 1, 2)
        grid.addWidget(self.expansion, 7, 0, 1, 2)
        grid.addWidget(self.composer_table, 8, 0)
        grid.addWidget(self.work_table, 8, 1)
        grid.addWidget(notes, 9, 0, 1, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)
        scroll.setWidget(content)
        return scroll

    def set_insights(self, insights: Insights) -> None:
        """Show ``insights``; an empty log shows a friendly message instead of empty axes."""
        self.insights = insights
        self.pages.setCurrentIndex(0 if insights.empty else 1)
        if insights.empty:
            return
        labels, titles = period_labels(insights.period, insights.periods)
        self._show_cards(insights)
        self._show_composers(insights, labels, titles)
        self.share_chart.set_data(
            labels,
            [
                Series(
                    "from suggestions",
                    insights.suggested / np.maximum(insights.plays, 1),
                    series_color(1),
                )
            ]
            if insights.suggested.any()
            else [],
            titles,
        )
        self.outcome_chart.set_data(
            labels,
            [Series("accepted", insights.accepted, GOOD), Series("skipped", insights.skipped, BAD)]
            if insights.suggested.any()
            else [],
            titles,
        )
        self._show_discoveries(insights)

    def _show_cards(self, insights: Insights) -> None:
        decided = int(insights.accepted.sum() + insights.skipped.sum())
        self.cards["hours"].show_value(_duration(insights.total_hours))
        self.cards["plays"].show_value(f"{insights.total_plays:,}")
        self.cards["share"].show_value(_percent(insights.suggestion_share))
        self.cards["accepted"].show_value(
            _percent(insights.acceptance_rate) if decided else "–",
            f"of suggestions accepted ({int(insights.accepted.sum()):,} accepted, "
            f"{int(insights.skipped.sum()):,} skipped)",
        )
        self.cards["found"].show_value(
            f"{len(insights.discovered_composers)} of {insights.composers_heard}"
        )
        few = insights.total_plays < FEW_PLAYS
        self.thin_note.setVisible(few)
        plays = f"{insights.total_plays} play" + ("" if insights.total_plays == 1 else "s")
        self.thin_note.setText(f"Based on only {plays}: these patterns will firm up as you listen.")

    def _show_composers(self, insights: Insights, labels: list[str], titles: list[str]) -> None:
        minutes = insights.hours.sum(axis=0).max() < 2  # small profiles read better in minutes
        scale, unit = (60, "minutes") if minutes else (1, "hours")
        self.composer_chart.y_label = unit
        self.composer_title.setText(f"Listening time per composer, {unit} per {insights.period}")
        series = [
            Series(name, row * scale, OTHER_COLOR if name == OTHER else series_color(i))
            for i, (name, row) in enumerate(zip(insights.composers, insights.hours, strict=True))
        ]
        self.composer_chart.set_data(labels, series, titles)

    def _show_discoveries(self, insights: Insights) -> None:
        composers, works = insights.discovered_composers, insights.discovered_works
        self.expansion.setText(
            f"{len(composers)} of the {insights.composers_heard} composers "
            f"({_percent(len(composers) / max(insights.composers_heard, 1))}) and {len(works)} of "
            f"the {insights.works_heard} works ({_percent(len(works) / max(insights.works_heard, 1))}) "
            "in your history were first played from a suggestion."
            + (
                f" {insights.suggestions_removed:,} of {insights.suggestions_shown:,} suggestions "
                "shown were removed from “Up next” unplayed."
                if insights.suggestions_shown
                else ""
            )
        )
        self.composer_table.show_rows(composers, lambda d: d.composer)
        self.work_table.show_rows(works, lambda d: f"{d.work} — {d.composer}")


class InsightsDialog(QDialog):
    """A window holding an :class:`InsightsView`, recomputed off the UI thread on every opening.

    ``open_db`` opens a connection for the calling (worker) thread; ``flush``, when given, runs
    first on that thread so the play now running is counted. ``jobs``: the runner to read on
    (by default one thread of its own). The read is a ``priority`` foreground job: the
    listener waits for it, so background work (the start's search texts, the analysis queue's
    listing) pauses meanwhile.
    """

    def __init__(
        self,
        open_db: Callable[[], Database],
        jobs: JobRunner | None = None,
        parent: QWidget | None = None,
        *,
        flush: Callable[[], None] | None = None,
        priority: Priority | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Insights — Continuo")
        self.resize(1040, 900)  # shrunk to the screen when shown (the view scrolls)
        self.jobs = jobs or JobRunner(self, max_threads=1)
        self._open_db, self._flush = open_db, flush
        self._priority = priority or Priority()
        self._period: str | None = None
        self._plays: PlayFacts | None = None  # the last read, reused while the log is unchanged
        self._shown = False  # something read is on screen
        self.view = InsightsView(self)
        self.view.period_requested.connect(self._choose_period)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def refresh_and_show(self) -> None:
        self.refresh()
        if not self.isVisible():
            self.resize(fitted_size(self, QSize(1040, 900)))
        self.show()
        self.raise_()
        self.activateWindow()

    def refresh(self) -> None:
        open_db, flush, period, kept = self._open_db, self._flush, self._period, self._plays
        priority = self._priority
        if not self._shown:
            self.view.empty_label.setText(READING_TEXT)
            self.view.pages.setCurrentIndex(0)

        def load() -> tuple[PlayFacts, Insights]:
            with priority.foreground():
                if flush is not None:
                    flush()
                db = open_db()
                try:
                    plays = kept if kept is not None and kept.version == log_version(db) else None
                    plays = plays or read_plays(db)
                    return plays, compute_insights(db, period=period, plays=plays)
                finally:
                    db.close()

        self.jobs.run(load, self._arrived, self._failed)

    def _arrived(self, result: tuple[PlayFacts, Insights]) -> None:
        self._plays, insights = result
        self.view.empty_label.setText(EMPTY_TEXT)
        self.view.set_insights(insights)
        self._shown = True

    def _choose_period(self, period: str | None) -> None:
        self._period = period
        self.refresh()

    def _failed(self, error: Exception) -> None:
        self.view.empty_label.setText(f"The listening history could not be read: {error}")
        self.view.pages.setCurrentIndex(0)


def make_dialog(ctx: FeatureContext) -> InsightsDialog:
    """The Insights window on ``ctx``'s profile (made on first use: :mod:`.insights`)."""
    recorder = ctx.services.recorder

    def flush() -> None:  # the play now running counts in Insights
        recorder.flush()

    insights = InsightsDialog(
        ctx.services.open_db,
        parent=ctx.dialog_parent,
        flush=flush,
        priority=ctx.services.priority,
    )
    ctx.closing.connect(lambda: insights.jobs.wait(CLOSE_WAIT_MS))
    return insights
