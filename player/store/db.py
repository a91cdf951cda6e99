"""Opening the profile database: WAL, migrations, transactions, and what its errors mean."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from player.errors import DatabaseError, NewerDatabaseError
from player.store import migrations

if TYPE_CHECKING:
    import sqlite_utils


def utc_now() -> str:
    """The current time as ISO 8601 UTC with milliseconds: the one timestamp format stored."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def path_to_db(path: str) -> str | bytes:
    """A file path as stored: text, or, for a name whose bytes are not UTF-8 (Python holds those
    as lone surrogates, which SQLite's text cannot), the file system's exact bytes as a BLOB."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def path_from_db(value: str | bytes) -> str:
    """The inverse of :func:`path_to_db`: the same ``str`` the file system walk produced."""
    return os.fsdecode(value) if isinstance(value, bytes) else value


class Database:
    """One connection to the profile database.

    Connections are cheap: each thread that needs the database opens its own ``Database``
    (SQLite connections must not be shared between threads without a lock).
    The connection runs in autocommit mode; group writes with :meth:`transaction`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only  # opened for reading only: writes raise sqlite3 errors
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

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN`` … ``COMMIT``: the reads inside see one state of the database (in WAL mode,
        while writers go on); inside a transaction, that transaction's."""
        if self._depth:
            yield self.conn
            return
        self.conn.execute("BEGIN")
        self._depth = 1
        try:
            yield self.conn
        finally:
            self._depth = 0
            self.conn.execute("COMMIT")

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self.conn.close()


BUSY_TIMEOUT_S = 10.0
"""How long one statement waits for another connection's lock before it reports "busy"."""

_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_CANNOT_WRITE = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def fault_kind(exc: BaseException) -> str:
    """What an error met while using the database means for the data in it.

    ``"busy"``: another connection holds a lock (wait and retry); ``"cannot-write"``: the disk is
    full or the file or folder is read-only (read, keep writes for later); ``"damaged"``: SQLite
    proved the file is not a database or corrupt; ``"other"``: anything else. Only ``"damaged"``
    justifies moving a file aside.
    """
    if isinstance(exc, OSError):  # creating the profile folder or copying a file
        return "cannot-write"
    name = getattr(exc, "sqlite_errorname", "") or ""
    for kind, prefixes in (("busy", _BUSY), ("cannot-write", _CANNOT_WRITE), ("damaged", _DAMAGED)):
        if name.startswith(prefixes):
            return kind
    return "other"


def database_error(path: Path, exc: BaseException, *, doing: str = "open") -> DatabaseError:
    """A listener-ready :class:`DatabaseError` for ``exc`` met while ``doing`` with ``path``."""
    kind = fault_kind(exc)
    if kind == "busy":
        return DatabaseError(
            f"Another program is using the library database {path.name}",
            f"{path} is locked by another program (a second Continuo, a backup or a database "
            "tool?). Close it or start with another --profile. Continuo has not changed the file.",
            kind=kind,
        )
    if kind == "cannot-write":
        return DatabaseError(
            f"Continuo cannot write to the library database {path.name}",
            f"{path}: {exc}. The disk may be full, or the file or its folder read-only. "
            "Free some space or fix the permissions; nothing stored is lost.",
            kind=kind,
        )
    if kind == "damaged":
        return DatabaseError(
            f"The library database {path.name} is damaged",
            f"{path}: could not {doing} it ({exc}). Open Continuo: it keeps a copy of the "
            "damaged file and recovers what can still be read. Nothing has been changed yet.",
            kind=kind,
        )
    return DatabaseError(
        f"The library database {path.name} cannot be used",
        f"{path}: could not {doing} it ({exc}). Continuo has not changed the file.",
        kind=kind,
    )


def _connect(target: str | Path, *, uri: bool, timeout_s: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        target, uri=uri, isolation_level=None, check_same_thread=False, timeout=timeout_s
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    return conn


def open_database(
    path: Path | str,
    *,
    migrate: bool = True,
    read_only: bool = False,
    timeout_s: float = BUSY_TIMEOUT_S,
) -> Database:
    """Open (creating if needed) the database at ``path`` in WAL mode and bring its schema up to date.

    With ``read_only`` nothing is created or changed: the file is opened for reading (when the
    folder cannot hold SQLite's shared-memory file either, as an immutable snapshot), and its
    schema must already be the current one.

    Raises :class:`DatabaseError` (its ``kind`` from :func:`fault_kind`) with advice when the file
    cannot be used; the file itself is never modified, moved or deleted in that case.
    """
    path = Path(path)
    if read_only:
        return _open_read_only(path, timeout_s)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path, uri=False, timeout_s=timeout_s)
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a killed process; only a power cut can lose the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if migrate:
            migrations.migrate(conn)
    except (sqlite3.Error, OSError) as exc:
        raise database_error(path, exc) from exc
    except ValueError as exc:
        raise _newer(path, exc) from exc
    return Database(conn, path)


def _open_read_only(path: Path, timeout_s: float) -> Database:
    if not path.exists():
        raise DatabaseError(
            f"There is no library database {path.name} to read",
            f"{path} does not exist and cannot be created now.",
            kind="cannot-write",
        )
    location = quote(str(path.resolve()))
    error: BaseException | None = None
    # "immutable" reads even where SQLite cannot make its -shm file (a read-only folder, a full
    # disk); it does not see changes another program makes meanwhile, which is why it is last.
    for query in ("mode=ro", "immutable=1"):
        try:
            conn = _connect(f"file:{location}?{query}", uri=True, timeout_s=timeout_s)
            version = migrations.schema_version(conn)
        except sqlite3.Error as exc:
            error = exc
            if fault_kind(exc) != "cannot-write":
                break
            continue
        if version > migrations.LATEST_VERSION:
            conn.close()
            raise _newer(path, ValueError(f"schema version {version}"))
        if version < migrations.LATEST_VERSION:
            conn.close()
            raise DatabaseError(
                f"The library database {path.name} needs an update Continuo cannot write now",
                f"{path} has schema version {version}; this Continuo needs "
                f"{migrations.LATEST_VERSION}. Free some space or fix the permissions.",
                kind="cannot-write",
            )
        return Database(conn, path, read_only=True)
    assert error is not None
    raise database_error(path, error) from error


def _newer(path: Path, exc: ValueError) -> NewerDatabaseError:
    return NewerDatabaseError(
        f"The library database {path.name} is from a newer Continuo",
        f"{path}: {exc}. Update Continuo or use another --profile.",
        kind="newer",
    )
