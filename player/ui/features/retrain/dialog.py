"""Tools → "Retrain on my history…": a dialog that drives :class:`player.retrain.RetrainJob`.

It first checks, in a child process, that the ``train`` extra is importable (and says how to
install it when not), then runs the trainer child and shows its progress (step, epoch,
validation MRR@20, time left), the comparison on the listener's most recent sessions, and the
verdict. A newly installed model is announced through :attr:`Retrain.model_installed`; the
recommender reloads it and the context's ``profile_changed`` tells Up next to ask again, so it
is used without a restart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
)

from player.retrain import (
    INSTALL_HINT,
    Event,
    RetrainJob,
    too_little_history,
    train_extra_available,
)
from player.ui.plain import plain
from player.ui.shell.context import FeatureContext
from player.ui.style import named

POLL_MS = 150
DEFAULT_BUDGET_S = 120.0


def _figure(value: dict | None) -> str:
    return "—" if not value else f"{value['mrr20']:.3f}"


def comparison_text(data: dict) -> str:
    """The three figures the verdict rests on, as the dialog shows them."""
    fallback = data.get("fallback") or {}
    current = _figure(data.get("current"))
    if data.get("current") is None:
        current = data.get("current_problem") or "none installed"
    n = (data.get("new") or {}).get("n", 0)
    return (
        f"MRR@20 on your {data['holdout_sessions']} most recent sessions "
        f"({n} predictions):\n"
        f"  new model {_figure(data.get('new'))}\n"
        f"  current model {current}\n"
        f"  best fallback ({fallback.get('name', '—')}) {_figure(fallback or None)}"
    )


class RetrainDialog(QDialog):
    """One retraining run; ``state`` is checking, missing, training, evaluating, refused,
    installed, kept, cancelled or failed (tests and screenshots wait on it)."""

    state_changed = Signal(str)

    def __init__(
        self,
        ctx: FeatureContext,
        *,
        time_budget_s: float = DEFAULT_BUDGET_S,
        on_installed: Callable[[], None] | None = None,
        extra_args: list[str] | None = None,
        python: str = sys.executable,
    ) -> None:
        super().__init__(ctx.dialog_parent)
        self.setWindowTitle("Retrain on my history")
        self.setMinimumSize(560, 190)
        self._ctx, self._on_installed = ctx, on_installed
        self._budget, self._extra_args, self._python = time_budget_s, extra_args, python
        self.job: RetrainJob | None = None
        self.state = ""
        self.comparison: dict = {}  # the job's figures (not `result`: QDialog.result())
        self._holdout = 0
        self.headline = plain(named(QLabel(), "retrainHeadline"))
        self.headline.setWordWrap(True)
        self.bar = named(QProgressBar(), "retrainProgress")
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)  # the line below says step, epoch and time left
        self.detail = plain(named(QLabel(), "retrainDetail"))  # may quote paths and errors
        self.detail.setWordWrap(True)
        self.figures = named(QLabel(), "retrainFigures")
        self.figures.setWordWrap(True)
        self.figures.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.close)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        for label in (self.headline, self.detail):  # room for two lines before text arrives
            label.setMinimumHeight(2 * label.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        for widget in (self.headline, self.bar, self.detail, self.figures):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)

    # ---- steps ------------------------------------------------------------------------------

    def begin(self) -> None:
        """Check for the train extra off the UI thread, then start the child."""
        self._set("checking", "Checking that the training extra is installed…")
        self._ctx.run_job(
            lambda: train_extra_available(self._python), self._extra_checked, self._failed
        )

    def _extra_checked(self, available: bool) -> None:
        if self.state != "checking":
            return  # closed meanwhile
        if not available:
            self._finish("missing", "The training extra is not installed.", INSTALL_HINT)
            return
        self.job = RetrainJob(
            self._ctx.services.profile,
            time_budget_s=self._budget,
            extra_args=self._extra_args,
            python=self._python,
        )
        self.job.start()
        self._set("training", "Reading your listening history…")
        self._timer.start()

    def _poll(self) -> None:
        assert self.job is not None
        for event in self.job.events():
            self._handle(event)

    def _handle(self, event: Event) -> None:
        data = event.data
        if event.kind == "start":
            self._holdout = data["holdout_sessions"]
            self._set(
                "training",
                f"Training on {data['train_sessions']} of your {data['sessions']} sessions "
                f"({data['items']} tracks); the {self._holdout} most recent are kept aside "
                "to compare the new model with the current one.",
            )
        elif event.kind == "progress":
            self._show_progress(data)
        elif event.kind == "evaluating":
            self.bar.setRange(0, 0)
            self._set("evaluating", "Comparing the new model with the current one…")
        elif event.kind == "refused":
            self._finish("refused", "Not enough listening history yet.", too_little_history(data))
        elif event.kind == "error":
            self._finish("failed", data.get("short", "Training failed."), data.get("detail", ""))
        elif event.kind == "result":
            self._show_result(data)
        elif event.kind == "ended" and self.state in ("training", "evaluating"):
            tail = "\n".join(data.get("stderr", [])[-3:])
            self._finish("failed", f"The trainer stopped (exit code {data['code']}).", tail)

    def _show_progress(self, data: dict) -> None:
        horizon = max(int(data["horizon"]), int(data["step"]), 1)
        self.bar.setRange(0, horizon)
        self.bar.setValue(int(data["step"]))
        mrr = data.get("mrr20")
        parts = [f"Step {data['step']} of about {horizon}", f"epoch {data['epoch']:.1f}"]
        if mrr is not None:
            parts.append(f"validation MRR@20 {mrr:.3f}")
        parts.append(f"about {max(round(data['eta_s']), 1)} s left")
        self.detail.setText(" · ".join(parts))

    def _show_result(self, data: dict) -> None:
        self.comparison = data
        self.figures.setText(comparison_text(data | {"holdout_sessions": self._holdout}))
        self.figures.show()
        self.adjustSize()
        if data["installed"]:
            if self._on_installed is not None:
                self._on_installed()
            self._finish(
                "installed",
                "The new model is installed and already in use for Up next.",
                data["reason"],
            )
        else:
            self._finish("kept", "The current recommendations were kept.", data["reason"])

    def _failed(self, error: Exception) -> None:
        self._finish("failed", "Could not start training.", str(error))

    # ---- state ------------------------------------------------------------------------------

    def _set(self, state: str, headline: str) -> None:
        self.state = state
        self.headline.setText(headline)
        self.state_changed.emit(state)

    def _finish(self, state: str, headline: str, detail: str) -> None:
        self._timer.stop()
        self.bar.setRange(0, 1)
        self.bar.setValue(1 if state == "installed" else 0)
        self.detail.setText(detail)
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self._set(state, headline)

    def cancel(self) -> None:
        """End the child; nothing is installed and its staging folder is removed."""
        if self.state in ("checking", "training", "evaluating"):
            if self.job is not None:
                self.job.cancel()
            self._finish("cancelled", "Cancelled: nothing was installed.", "")

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc
        self.cancel()
        super().reject()


class Retrain(QObject):
    """The menu action and the signal a newly installed model is announced on."""

    model_installed = Signal()

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.dialog: RetrainDialog | None = None
        self.action = ctx.add_menu_action("&Tools", "&Retrain on my history…", self.open)
        self.action.setObjectName("retrainAction")
        ctx.closing.connect(self._closing)

    def _closing(self) -> None:
        """The window closing ends a running trainer child (it must not outlive the player)."""
        if self.dialog is not None:
            self.dialog.cancel()

    def open(self, **options) -> RetrainDialog:
        """Show the dialog and start (``options`` go to :class:`RetrainDialog`)."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        self.dialog = RetrainDialog(self.ctx, on_installed=self.model_installed.emit, **options)
        self.dialog.show()
        self.dialog.begin()
        return self.dialog


def install(ctx: FeatureContext) -> Retrain:
    """Tools → Retrain on my history…; a new model is swapped into the recommender at once."""
    retrain = Retrain(ctx)

    def reload() -> None:
        recommender = ctx.services.recommender
        if recommender is not None:
            recommender.reload_model()
        ctx.profile_changed.emit()  # Up next asks again, so it shows the new model's picks

    retrain.model_installed.connect(reload)
    return retrain
