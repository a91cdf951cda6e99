"""Profile settings: a small key/value table (migration 1) for facts that belong to the profile.

Window layout lives in ``window.ini``; what is stored here travels with the history, such as the
mark that a profile holds demo data (:mod:`player.demo`).
"""

from __future__ import annotations

from player.store.db import Database


def get_setting(db: Database, key: str, default: str | None = None) -> str | None:
    """The value stored under ``key``, or ``default``."""
    row = db.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else default


def set_setting(db: Database, key: str, value: str) -> None:
    """Store ``value`` under ``key`` (replacing what was there)."""
    if not key:
        raise ValueError("a setting needs a non-empty key")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, str(value)),
        )
