"""Help → About: what plays, through what, and which model suggests.

The About box reads the recommender's :meth:`~player.recommend.up_next.Recommender.status`,
which touches no file, so it opens at once on the GUI thread.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from player import __version__
from player.services import Services
from player.ui.features.up_next.status import status_line
from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.recommend.up_next import Status


def model_lines(status: Status | None) -> list[str]:
    """The model's state in a few plain lines: loaded (with its metadata), refused, or none."""
    if status is None:
        return ["Model: none (no recommender in this window)"]
    if status.model_meta is not None:
        meta = status.model_meta
        data = meta.get("data_summary") or {}
        metrics = ", ".join(f"{k} {v:.3f}" for k, v in (meta.get("metrics") or {}).items())
        lines = [
            f"Model: loaded (format {meta.get('format_version')}, "
            f"created {str(meta.get('created_at', '?'))[:10]})",
            f"Hidden size {meta.get('hidden_size')}; trained on {data.get('sessions', 0):,} "
            f"sessions, {data.get('items', 0):,} items",
        ]
        return lines + ([f"Metrics: {metrics}"] if metrics else [])
    if status.no_model:
        return ["Model: none yet (Up next uses the fallbacks)"]
    if status.model_problem:
        return [f"Model: refused — {status.model_problem}", status.model_detail or ""]
    return ["Model: not loaded yet (loads with the first suggestions)"]


def about_text(services: Services) -> str:
    """The About box's text: version, audio output, provider, model status and summary."""
    rec = services.recommender
    status = rec.status() if rec is not None else None
    provider = (status.provider if status else None) or "none loaded"
    lines = [
        f"Continuo {__version__}",
        f"Audio output: {services.backend.name}",
        f"ONNX Runtime provider: {provider}",
        *model_lines(status),
    ]
    if status is not None:
        lines.append(status_line(status)[0])
    return "\n".join(line for line in lines if line)


def show_about(ctx: FeatureContext) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "About Continuo", "", parent=ctx.dialog_parent)
    box.setObjectName("aboutBox")
    title, *rest = about_text(ctx.services).splitlines()
    box.setText(f"<b>{escape(title)}</b>")
    box.setInformativeText("<br>".join(escape(line) for line in rest))
    box.setModal(False)
    box.show()
    return box


def install(ctx: FeatureContext) -> None:
    """Help → About Continuo."""
    ctx.add_menu_action("&Help", "&About Continuo", lambda: show_about(ctx))
