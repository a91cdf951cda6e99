"""Opening the profile database: WAL, migrations, transactions, damage handling."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from player.errors import DatabaseError, NewerDatabaseError
from player.store import migrations

if TYPE_CHECKING:
    import sqlite_utils


def utc_now() -> str:
    """The current time as ISO 8601 UTC with milliseconds: the one timestamp format stored."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Database:
    """One connection to the profile database.

    Connections are cheap: each thread that needs the database opens its own ``Database``
    (SQLite connections must not be shared between threads without a lock).
    The connection runs in autocommit mode; group writes with :meth:`transaction`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @property
    def utils(self) -> sqlite_utils.Database:
        """A sqlite-utils view on the same connection, for bulk upserts and introspection."""
        import sqlite_utils  # imported here: it costs ~0.5 s of the app's cold start

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error); nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self.conn.close()


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at ``path`` in WAL mode and bring its schema up to date.

    Raises :class:`DatabaseError` with advice when the file is not a usable Continuo database;
    the file itself is never modified or deleted in that case.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a killed process; only a power cut can lose the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        if migrate:
            migrations.migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"The library database {path.name} cannot be used",
            f"{path}: {exc}. Continuo has not changed the file. Move it aside (or start with "
            "another --profile) to begin with a fresh library; your music files are untouched.",
        ) from exc
    except ValueError as exc:
        raise NewerDatabaseError(
            f"The library database {path.name} is from a newer Continuo",
            f"{path}: {exc}. Update Continuo or use another --profile.",
        ) from exc
    return Database(conn, path)


def quarantine_damaged(path: Path | str) -> Path:
    """Rename a damaged database (and its WAL files) aside so a fresh one can be created.

    Nothing is deleted: the renamed file can be inspected or recovered later.
    """
    path = Path(path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(Path(f"{target}{suffix}"))
    return target
