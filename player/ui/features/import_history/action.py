"""File → Import history…: pick a Last.fm CSV, ListenBrainz JSON or Continuo history file; the
import runs off the GUI thread (``player.history_import``, as ``continuo import-history``) and
a box shows what was matched, what was not, and each bad line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.history_import import ImportReport

FILTER = "Listening histories (*.csv *.json *.jsonl *.zip);;All files (*)"
PROBLEMS_SHOWN = 10


class ImportHistory(QObject):
    """The menu entry and its job; ``last_report`` keeps the last import's counts."""

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.last_report: ImportReport | None = None
        self.box: QMessageBox | None = None
        ctx.add_menu_action("&File", "Import history…", self.choose)

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.ctx.dialog_parent, "Import listening history", str(Path.home()), FILTER
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Import ``path`` in the background; the result box opens when it is done."""
        open_db = self.ctx.services.open_db

        def work() -> ImportReport:
            from player.history_import import import_history  # the importers load when used

            db = open_db()
            try:
                return import_history(db, path)
            finally:
                db.close()

        self.ctx.show_message(f"Importing {path.name}…", 0)
        self.ctx.run_job(work, self._done, self._failed)

    def _done(self, report: ImportReport) -> None:
        self.last_report = report
        self.ctx.show_message(report.summary(), 8000)
        if report.added:
            self.ctx.history_changed.emit()
        details = [*report.problems[:PROBLEMS_SHOWN]]
        if len(report.problems) > PROBLEMS_SHOWN:
            details.append(f"… and {len(report.problems) - PROBLEMS_SHOWN} more bad lines")
        details += [f"Not in the library: {name}" for name in report.unmatched[:PROBLEMS_SHOWN]]
        self._show(QMessageBox.Icon.Information, report.summary(), "\n".join(details))

    def _failed(self, error: Exception) -> None:
        from player.history_import import NotAHistory

        self.ctx.show_message("", 1)
        why = str(error) if isinstance(error, NotAHistory | OSError) else repr(error)
        self._show(QMessageBox.Icon.Warning, "The history could not be imported", why)

    def _show(self, icon: QMessageBox.Icon, text: str, details: str) -> None:
        box = self.box = QMessageBox(icon, "Import history", text, parent=self.ctx.dialog_parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if details:
            box.setDetailedText(details)
        box.open()


def install(ctx: FeatureContext) -> ImportHistory:
    return ImportHistory(ctx)
