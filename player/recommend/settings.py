"""The listener's Up next settings, stored in the profile so the window and `continuo suggest` agree.

Each is a profile setting (``player.store.settings``) under ``up_next.<name>``; a missing or
unreadable value falls back to its default, so a hand-edited profile never stops Up next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace

from player.store.db import Database
from player.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

PREFIX = "up_next."
DEFAULT_COUNT = 5
"""Units ahead unless the listener chose otherwise (the Up next bar, ``continuo suggest -n``)."""


@dataclass(frozen=True)
class UpNextSettings:
    """What a thoughtful radio producer keeps in mind, with the issue's defaults."""

    no_repeat_days: float = 7.0
    """A work heard in full within this many days is held back (except in Other recordings)."""
    feedback_half_life_days: float = 30.0
    """Negative feedback (less like this, early skips) weighs half as much after this long."""
    composer_max: int = 2
    """At most this many units by one composer …"""
    composer_window: int = 5
    """… in this many units in a row."""
    transition_closeness: float = 0.05
    """Candidates within this much of the best (in rank percentiles) compete on a smooth
    transition (related key, similar sound); 0 turns that off."""


def load_settings(db: Database) -> UpNextSettings:
    """The stored settings; a value that is not a positive number (or zero, for
    ``transition_closeness``) keeps its default."""
    values: dict = {}
    for f in fields(UpNextSettings):
        text = get_setting(db, PREFIX + f.name)
        if text is None:
            continue
        kind = int if f.type in (int, "int") else float
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value < 0 or (value == 0 and f.name != "transition_closeness"):
            log.warning(
                "setting %s%s=%r is not a positive number; default used", PREFIX, f.name, text
            )
            continue
        values[f.name] = value
    return replace(UpNextSettings(), **values)


def save_settings(db: Database, settings: UpNextSettings) -> None:
    for f in fields(UpNextSettings):
        set_setting(db, PREFIX + f.name, str(getattr(settings, f.name)))
