"""The profile database: schema, migrations and every SQL statement Continuo runs.

Only modules in this package write SQL; the rest of the program calls their functions.
Only the connection is named here: the package is imported by everything that opens the profile,
so it pulls in no module that imports numpy (``sessions``, ``plays``) — each is imported where used.
"""

from player.store.db import Database, open_database

__all__ = ["Database", "open_database"]
