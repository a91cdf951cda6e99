"""The profile database: schema, migrations and every SQL statement Continuo runs.

Only modules in this package write SQL; the rest of the program calls their functions.
"""

from player.store.db import Database, open_database
from player.store.sessions import SESSION_GAP, split_sessions

__all__ = ["SESSION_GAP", "Database", "open_database", "split_sessions"]
