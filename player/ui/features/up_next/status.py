"""What the status bar and the About box say about Up next: which source filled it, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from player.domain.plays import CONTENT, CURRENT_WORK, MODEL, POPULAR, SESSIONS

if TYPE_CHECKING:
    from player.recommend.up_next import Status

STATUS_WORDS = {
    MODEL: "personal model",
    CONTENT: "similar in sound",
    SESSIONS: "your own sessions",
    POPULAR: "popular in your history",
    CURRENT_WORK: "continuing the work",
}


def status_line(status: Status) -> tuple[str, str]:
    """The status bar's "Up next: …" text and its tooltip (the refusal's detail)."""
    words = STATUS_WORDS.get(status.source, status.source or "your library")
    if status.source == MODEL:
        return f"Up next: {words} ({status.provider or 'CPU'})", ""
    problem = status.model_problem
    if problem is None:
        return f"Up next: {words}", ""
    if status.no_model:
        return f"Up next: {words} — no personal model yet", status.model_detail or ""
    return f"Up next: {words} — model refused: {problem}", status.model_detail or ""
