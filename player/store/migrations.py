"""Numbered schema migrations; ``PRAGMA user_version`` records the last one applied.

Each migration is a unit: append a new one, never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` inside the caller's transaction.

    ``executescript`` would commit first, so a failing migration could leave half a schema.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


def _v1_library_and_play_log(conn: sqlite3.Connection) -> None:
    execute_script(
        conn,
        """
        CREATE TABLE library_roots (
            path TEXT PRIMARY KEY,
            added_at TEXT NOT NULL
        );
        CREATE TABLE tracks (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            item_key TEXT NOT NULL,
            title TEXT NOT NULL,
            composer TEXT NOT NULL DEFAULT '',
            work TEXT NOT NULL DEFAULT '',
            movement TEXT NOT NULL DEFAULT '',
            movement_number INTEGER,
            movement_count INTEGER,
            performers TEXT NOT NULL DEFAULT '',
            conductor TEXT NOT NULL DEFAULT '',
            orchestra TEXT NOT NULL DEFAULT '',
            album TEXT NOT NULL DEFAULT '',
            artist TEXT NOT NULL DEFAULT '',
            disc_number INTEGER,
            track_number INTEGER,
            date TEXT NOT NULL DEFAULT '',
            genre TEXT NOT NULL DEFAULT '',
            duration_s REAL NOT NULL DEFAULT 0,
            sample_rate INTEGER NOT NULL DEFAULT 0,
            channels INTEGER NOT NULL DEFAULT 0,
            format TEXT NOT NULL DEFAULT '',
            replaygain_track_db REAL,
            replaygain_album_db REAL,
            replaygain_track_peak REAL,
            replaygain_album_peak REAL,
            missing INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL,
            scanned_at TEXT NOT NULL
        );
        CREATE INDEX tracks_by_work ON tracks (composer, work, disc_number, movement_number, track_number);
        CREATE INDEX tracks_by_item_key ON tracks (item_key);
        CREATE TABLE scan_problems (
            path TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            size INTEGER,
            mtime_ns INTEGER,
            seen_at TEXT NOT NULL
        );
        CREATE TABLE plays (
            id INTEGER PRIMARY KEY,
            track_id INTEGER NOT NULL REFERENCES tracks (id),
            started_at TEXT NOT NULL,
            ms_heard INTEGER NOT NULL DEFAULT 0,
            ended_how TEXT CHECK (ended_how IN ('finished', 'skipped', 'stopped', 'interrupted')),
            started_by TEXT NOT NULL CHECK (started_by IN ('user', 'queue', 'suggestion')),
            updated_at TEXT NOT NULL
        );
        CREATE INDEX plays_by_start ON plays (started_at);
        CREATE INDEX plays_by_track ON plays (track_id);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


def _v2_analysis_features(conn: sqlite3.Connection) -> None:
    # One row per analysed track. ``histogram`` is the raw segment-class histogram (float32
    # bytes) so content vectors can be recomputed when the library changes; a failed analysis
    # keeps its reason and no histogram, so it is not retried until the version changes.
    execute_script(
        conn,
        """
        CREATE TABLE features (
            track_id INTEGER PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
            analysis_version TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
            reason TEXT NOT NULL DEFAULT '',
            histogram BLOB,
            n_segments INTEGER NOT NULL DEFAULT 0,
            duration_s REAL NOT NULL DEFAULT 0,
            voiced_share REAL NOT NULL DEFAULT 0,
            median_f0_hz REAL NOT NULL DEFAULT 0,
            tuning REAL NOT NULL DEFAULT 0,
            analysed_at TEXT NOT NULL,
            CHECK ((status = 'ok') = (histogram IS NOT NULL))
        );
        CREATE INDEX features_by_version ON features (analysis_version, status);
        """,
    )


def _v3_feedback_and_suggestions(conn: sqlite3.Connection) -> None:
    # Both append-only: listener feedback (used at once in ranking and by the next training)
    # and every suggestion shown with what became of it (Insights, "removed stays away").
    execute_script(
        conn,
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            track_id INTEGER NOT NULL REFERENCES tracks (id),
            kind TEXT NOT NULL CHECK (kind IN ('more_like', 'less_like', 'never', 'skip')),
            created_at TEXT NOT NULL
        );
        CREATE INDEX feedback_by_track ON feedback (track_id);
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            track_id INTEGER NOT NULL REFERENCES tracks (id),
            source TEXT NOT NULL,
            reason TEXT NOT NULL,
            mode TEXT NOT NULL,
            shown_at TEXT NOT NULL,
            outcome TEXT CHECK (outcome IN ('accepted', 'removed', 'skipped')),
            outcome_at TEXT
        );
        CREATE INDEX suggestions_by_track ON suggestions (track_id, shown_at);
        CREATE INDEX suggestions_by_time ON suggestions (shown_at);
        """,
    )


def _v4_identity(conn: sqlite3.Connection) -> None:
    # Composer, work and recording identity per track (player.domain.identity) with the rule
    # version that computed it, and the MusicBrainz ids it may use. Rows start at version 0:
    # player.store.tracks.refresh_identities computes them from the stored tags (no file is
    # read again), at the end of this migration and whenever the rules change.
    text = [
        *("composer_mbid", "work_mbid", "release_mbid", "recording_mbid", "composer_key"),
        *("composer_name", "composer_sort", "work_key", "work_title", "catalogue"),
        *("recording_key", "recording_performers"),
    ]
    statements = [f"ALTER TABLE tracks ADD COLUMN {c} TEXT NOT NULL DEFAULT '';" for c in text]
    statements += [
        "ALTER TABLE tracks ADD COLUMN year INTEGER;",
        "ALTER TABLE tracks ADD COLUMN identity_version INTEGER NOT NULL DEFAULT 0;",
        "CREATE INDEX tracks_by_work_key ON tracks (work_key);",
        "CREATE INDEX tracks_by_recording_key ON tracks (recording_key);",
        "CREATE INDEX tracks_by_identity_version ON tracks (identity_version);",
    ]
    execute_script(conn, "\n".join(statements))
    from player.store.tracks import recompute_identities  # tracks imports db, db imports us

    recompute_identities(conn)


def _v5_playlists_and_album_art(conn: sqlite3.Connection) -> None:
    # Playlists are saved queues: an ordered list of tracks under a unique name (positions
    # 0..n-1, rewritten whole on reorder). ``track_art`` remembers which cached picture
    # (PROFILE/art/FILE, '' = none found) a track had when its file and folder had these
    # signatures, so art is looked up in files only when something changed.
    execute_script(
        conn,
        """
        CREATE TABLE playlists (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE playlist_entries (
            playlist_id INTEGER NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
            PRIMARY KEY (playlist_id, position)
        );
        CREATE INDEX playlist_entries_by_track ON playlist_entries (track_id);
        CREATE TABLE track_art (
            track_id INTEGER PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            folder_mtime_ns INTEGER NOT NULL,
            file TEXT NOT NULL
        );
        """,
    )


def _v6_imported_plays(conn: sqlite3.Connection) -> None:
    # Provenance of plays imported from another player's history (Last.fm, ListenBrainz, another
    # Continuo profile): one row per imported listen, keyed by its source and its own identity
    # in that source, so importing the same file again adds nothing. The play itself is an
    # ordinary row of ``plays`` (sessions, no-repeat, Insights and training read it as any).
    execute_script(
        conn,
        """
        CREATE TABLE imported_plays (
            source TEXT NOT NULL,
            listen_key TEXT NOT NULL,
            play_id INTEGER NOT NULL REFERENCES plays (id) ON DELETE CASCADE,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (source, listen_key)
        );
        CREATE INDEX imported_plays_by_play ON imported_plays (play_id);
        """,
    )


def _v7_key_and_concert_pitch(conn: sqlite3.Connection) -> None:
    # The key ("F# minor", '' when unknown) and the A4 in Hz the recording was played at,
    # stored with the rest of a track's features (rows of older analysis versions are redone).
    execute_script(
        conn,
        """
        ALTER TABLE features ADD COLUMN key TEXT NOT NULL DEFAULT '';
        ALTER TABLE features ADD COLUMN tuning_hz REAL NOT NULL DEFAULT 0;
        """,
    )


def _v8_learned_content_vectors(conn: sqlite3.Connection) -> None:
    # The content embedding's vector (float32 BLOB, NULL when the analysis had no usable
    # embedding: the library then ranks by the TF-IDF of the histograms).
    execute_script(conn, "ALTER TABLE features ADD COLUMN content_vector BLOB;")


def _v9_library_view_indexes(conn: sqlite3.Connection) -> None:
    # The window's first screen reads only these indexes, never the wide track rows
    # (player.store.library_view): the composers' names, works and track counts
    # (tracks_by_composer, also how one composer's tracks are found when the listener opens
    # it) and every present track's id in library order (tracks_in_library_order, the
    # stored order of player.store.tracks.LIBRARY_ORDER).
    execute_script(
        conn,
        """
        CREATE INDEX tracks_by_composer ON tracks (missing, composer_key, composer_name, work_key);
        CREATE INDEX tracks_in_library_order ON tracks (missing, composer_sort, composer_key,
            work_key, recording_key, disc_number, movement_number, track_number,
            title COLLATE NOCASE);
        """,
    )


def _v10_change_marks(conn: sqlite3.Connection) -> None:
    # What lets a cache of the library or of the play log kept beside the database
    # (player.store.caches) tell whether it still holds: one row per table, whose
    # ``generation`` is drawn when the row is made (a cache made from another database never
    # matches) and whose ``changes`` every update or delete bumps: triggers on plays (and on
    # deleting tracks), so no writer can forget; player.store.tracks's writers bump the
    # tracks' row once per transaction (with an update trigger on tracks, the scan's upsert
    # took ~1.5x as long even for new rows). A new row is seen by the table's count and newest
    # id, so inserting costs nothing. A play updated or deleted lowers ``low`` to its id: from
    # there the plays are read again. ``epoch`` moves when a cache of the plays is written and
    # ``low`` starts afresh.
    execute_script(
        conn,
        """
        CREATE TABLE change_marks (
            name TEXT PRIMARY KEY,
            generation TEXT NOT NULL,
            changes INTEGER NOT NULL DEFAULT 0,
            epoch INTEGER NOT NULL DEFAULT 0,
            low INTEGER
        );
        INSERT INTO change_marks (name, generation)
            VALUES ('tracks', lower(hex(randomblob(8)))), ('plays', lower(hex(randomblob(8))));
        CREATE TRIGGER tracks_deleted AFTER DELETE ON tracks BEGIN
            UPDATE change_marks SET changes = changes + 1 WHERE name = 'tracks';
        END;
        CREATE TRIGGER plays_updated AFTER UPDATE ON plays BEGIN
            UPDATE change_marks SET changes = changes + 1,
                low = min(coalesce(low, OLD.id), OLD.id, NEW.id) WHERE name = 'plays';
        END;
        CREATE TRIGGER plays_deleted AFTER DELETE ON plays BEGIN
            UPDATE change_marks SET changes = changes + 1,
                low = min(coalesce(low, OLD.id), OLD.id) WHERE name = 'plays';
        END;
        """,
    )


def _v11_removed_suggestions_index(conn: sqlite3.Connection) -> None:
    # Up next leaves out what the listener removed lately (player.store.feedback.removed_since)
    # on every request; a decade of suggestions shown is millions of rows, and without an index
    # of the few removed ones each request read them all (seconds at 500,000 rows).
    execute_script(
        conn,
        """
        CREATE INDEX suggestions_removed ON suggestions (outcome_at) WHERE outcome = 'removed';
        """,
    )


MIGRATIONS: list[Migration] = [
    _v1_library_and_play_log,
    _v2_analysis_features,
    _v3_feedback_and_suggestions,
    _v4_identity,
    _v5_playlists_and_album_art,
    _v6_imported_plays,
    _v7_key_and_concert_pitch,
    _v8_learned_content_vectors,
    _v9_library_view_indexes,
    _v10_change_marks,
    _v11_removed_suggestions_index,
]
"""MIGRATIONS[i] moves the schema from version i to version i + 1."""

LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Apply the migrations after the stored version up to ``target``, each in its own transaction.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise ValueError(
            f"database schema version {current} is newer than this Continuo ({LATEST_VERSION})"
        )
    for version in range(current, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return schema_version(conn)
