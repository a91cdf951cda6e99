"""Noticing damage in the profile database and saving what SQLite can still read.

A crash never corrupts a WAL database, but a failing disk, a bad copy or a sync tool can damage a
page anywhere in the file. :func:`quick_check` notices it (at start within a time budget, the rest of the
way in the background: :mod:`player.profile_db`);
:func:`recover` copies the damaged file aside byte for byte (it is never deleted) and rebuilds
the database from every row that can still be read, table by table, stepping over damaged pages.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from player.store.db import Database

QUICK_CHECK_BUDGET_S = 2.0
"""The check's default time budget (it reads every page: ~1 s per 200 MB on a laptop SSD)."""

_BATCH = 512
"""Rows read per step while the table reads cleanly."""
_FIRST_ROWID = -(2**63)
_LAST_ROWID = 2**63 - 1


def quick_check(
    db: Database,
    *,
    budget_s: float = QUICK_CHECK_BUDGET_S,
    should_stop: Callable[[], bool] | None = None,
) -> str | None:
    """``"ok"``, the first problems SQLite's ``quick_check`` finds, or None when out of time
    (or ``should_stop`` said so).

    Damage in the first pages can make the check itself fail: that is reported as a problem.
    """
    deadline = time.monotonic() + budget_s
    stop = should_stop or (lambda: False)
    db.conn.set_progress_handler(lambda: int(time.monotonic() > deadline or stop()), 10_000)
    try:
        rows = db.conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            return None
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        db.conn.set_progress_handler(None, 0)
    return "; ".join(str(r[0]) for r in rows)


@dataclass
class Recovery:
    """What :func:`recover` saved: rows per table, the tables with unreadable parts, the copy."""

    damaged_copy: Path
    rows: dict[str, int] = field(default_factory=dict)
    lossy: list[str] = field(default_factory=list)  # tables with rows that could not be read

    def summary(self) -> str:
        """One sentence for a banner: "501 tracks and 9,950 plays (some plays were lost)"."""
        if not self.rows:
            return "nothing (it is not a database any more), so a fresh library was started"
        shown = [(t, n) for t, n in self.rows.items() if t in ("tracks", "plays")]
        saved = " and ".join(f"{n:,} {t}" for t, n in shown)
        lost = f" (some {', '.join(self.lossy)} could not be read)" if self.lossy else ""
        return f"{saved}{lost}"


def damaged_copy_path(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.damaged-{stamp}")


def recover(path: Path) -> Recovery:
    """Copy the damaged database at ``path`` aside, then replace it with what can be read of it.

    The copy (with its ``-wal``) keeps the original bytes. The rebuilt file gets the original's
    schema and ``user_version``, so the normal migrations then bring it up to date. Raises
    ``OSError`` (disk full, read-only folder) or ``sqlite3.Error`` before anything at ``path``
    is replaced.
    """
    path = Path(path)
    copy = damaged_copy_path(path)
    wal = Path(f"{path}-wal")
    try:
        shutil.copy2(path, copy)
        if wal.exists() and wal.stat().st_size:  # committed changes not yet in the file
            shutil.copy2(wal, f"{copy}-wal")
    except OSError:  # no room or no permission: a partial copy would only mislead
        for partial in (copy, Path(f"{copy}-wal")):
            partial.unlink(missing_ok=True)
        raise
    result = Recovery(copy)
    rebuilt = path.with_name(f"{path.name}.rebuilding")
    rebuilt.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    target = sqlite3.connect(rebuilt, isolation_level=None)
    try:
        _rebuild(source, target, result)
    except BaseException:
        target.close()
        rebuilt.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    target.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rebuilt.replace(path)
    return result


def _rebuild(source: sqlite3.Connection, target: sqlite3.Connection, result: Recovery) -> None:
    try:
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        schema = source.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'table' DESC, rowid"
        ).fetchall()
    except sqlite3.DatabaseError:  # the first page is gone: nothing can be read
        return
    target.execute("BEGIN")
    for _, _, sql in schema:
        target.execute(sql)
    for kind, name, _ in schema:
        if kind == "table":
            result.rows[name] = _copy_table(source, target, name, result)
    target.execute(f"PRAGMA user_version = {version}")
    target.execute("COMMIT")


def _copy_table(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, result: Recovery
) -> int:
    """Copy every readable row of ``table``; a damaged page is stepped over (its rows are lost)."""
    quoted = '"' + table.replace('"', '""') + '"'
    columns = [r[1] for r in source.execute(f"PRAGMA table_info({quoted})")]
    names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    insert = (
        f"INSERT OR IGNORE INTO {quoted} (rowid, {names}) "
        f"VALUES ({', '.join('?' * (len(columns) + 1))})"
    )
    read = f"SELECT rowid, {names} FROM {quoted} WHERE rowid > ? ORDER BY rowid"
    copied, after = 0, _FIRST_ROWID
    rows: sqlite3.Cursor | None = None
    single = False  # after a failed batch: one row at a time up to the damage, then batches
    while True:
        try:  # only reading the damaged file may fail here: a failing write must propagate
            if rows is None:
                rows = source.execute(read, (after,))
            batch = rows.fetchmany(1 if single else _BATCH)
        except sqlite3.DatabaseError:
            if not single:  # re-read what the failed batch held, row by row
                single, rows = True, None
                continue
            if table not in result.lossy:
                result.lossy.append(table)
            resume = _past_damage(source, read, after)
            if resume is None:
                return copied
            after, rows, single = resume, None, False
            continue
        if not batch:
            return copied
        target.executemany(insert, batch)
        copied += len(batch)
        after = batch[-1][0]


def _past_damage(source: sqlite3.Connection, read: str, after: int) -> int | None:
    """The smallest rowid bound beyond ``after`` from which reading works again, or None.

    Seeking to a rowid kept in the damaged page fails and seeking beyond it works, so the
    boundary is found by doubling the step, then halving the interval.
    """

    def readable(bound: int) -> bool:
        try:
            source.execute(f"{read} LIMIT 1", (bound,)).fetchall()
            return True
        except sqlite3.DatabaseError:
            return False

    step = 1
    while not readable(min(after + step, _LAST_ROWID)):
        if after + step >= _LAST_ROWID:
            return None
        step *= 2
    low, high = after + step // 2, min(after + step, _LAST_ROWID)  # low fails, high works
    while high - low > 1:
        middle = (low + high) // 2
        if readable(middle):
            high = middle
        else:
            low = middle
    return high
