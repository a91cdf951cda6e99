"""Migration 4 (identity per track) and recomputing identities when the rules change.

An existing profile keeps every row and its plays; identities come from the stored tags, so no
file is read again, and a re-scan recomputes rows stored under older rules.
"""

from __future__ import annotations

import sqlite3

from player.domain.identity import IDENTITY_VERSION
from player.library.scanner import scan_library
from player.store import migrations
from player.store.db import open_database
from player.store.tracks import Track, all_tracks, merge_identities, upsert_tracks
from tests.library.audio_files import tag_vorbis, write_audio

V3_TRACKS = [
    # path, title, composer, work, performers, album, date, artist
    (
        "/m/a/1.flac",
        "I. Allegro",
        "Bach, Johann Sebastian",
        "Suite BWV 1007",
        "Fournier",
        "Suites",
        "1960",
        "",
    ),
    (
        "/m/b/1.flac",
        "Prélude",
        "J.S. Bach",
        "Cello Suite No. 1, BWV1007",
        "Bylsma",
        "Bylsma",
        "1992",
        "",
    ),
    (
        "/m/Beethoven/Symphony No. 5 (Kleiber, VPO, 1975)/01 - Allegro.flac",
        "Allegro",
        "Beethoven",
        "Symphony No. 5 (Kleiber, VPO, 1975)",
        "Beethoven",
        "",
        "",
        "Beethoven",
    ),
]


def _v3_profile(path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, 3)
    for n, (file, title, composer, work, performers, album, date, artist) in enumerate(
        V3_TRACKS, 1
    ):
        conn.execute(
            "INSERT INTO tracks (id, path, size, mtime_ns, item_key, title, composer, work, "
            "performers, album, date, artist, added_at, scanned_at) "
            "VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'then', 'then')",
            (n, file, f"key{n}", title, composer, work, performers, album, date, artist),
        )
        conn.execute(
            "INSERT INTO plays (track_id, started_at, ms_heard, ended_how, started_by, updated_at) "
            "VALUES (?, '2026-01-01T10:00:00.000+00:00', 60000, 'finished', 'user', 'then')",
            (n,),
        )
    conn.close()


def test_migration_4_keeps_rows_and_plays_and_identifies_them_from_stored_tags(tmp_path):
    path = tmp_path / "continuo.db"
    _v3_profile(path)
    db = open_database(path)
    assert migrations.schema_version(db.conn) == migrations.LATEST_VERSION
    tracks = {t.id: t for t in all_tracks(db)}
    assert sorted(tracks) == [1, 2, 3]
    assert [tracks[n].item_key for n in (1, 2, 3)] == ["key1", "key2", "key3"]  # models still fit
    assert db.conn.execute("SELECT count(*) FROM plays").fetchone()[0] == 3
    fournier, bylsma, kleiber = tracks[1], tracks[2], tracks[3]
    assert {t.identity_version for t in tracks.values()} == {IDENTITY_VERSION}
    assert fournier.composer_key == bylsma.composer_key
    assert fournier.composer_name == "Johann Sebastian Bach"
    assert fournier.work_key == bylsma.work_key and fournier.catalogue == "BWV 1007"
    assert fournier.recording_key != bylsma.recording_key
    assert (kleiber.work_title, kleiber.recording_performers, kleiber.year) == (
        "Symphony No. 5",
        "Kleiber, VPO",
        1975,
    )
    db.close()


def test_a_rescan_recomputes_identities_of_older_rules_without_reading_the_files(tmp_path):
    music = tmp_path / "music"
    tag_vorbis(
        write_audio(music / "a.flac"), composer="Tschaikowsky", work="Symphonie Nr. 6", title="I"
    )
    db = open_database(tmp_path / "continuo.db")
    assert scan_library(db, [music]).added == 1
    db.conn.execute("UPDATE tracks SET identity_version = 0, composer_key = 'stale', work_key = ''")
    again = scan_library(db, [music])
    assert (again.unchanged, again.updated, again.added) == (1, 0, 0)  # not read again
    (track,) = all_tracks(db)
    assert (track.composer_key, track.identity_version) == (
        "pyotr ilyich tchaikovsky",
        IDENTITY_VERSION,
    )
    assert track.work_key == "pyotr ilyich tchaikovsky / title:symphony 6"
    db.close()


def test_a_musicbrainz_composer_id_joins_names_the_table_cannot(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    mbid = "9ddd7abc-9e1b-471d-8031-583bc6bc8be9"
    upsert_tracks(
        db,
        [
            Track(
                path="/m/ru/1.flac",
                size=1,
                mtime_ns=1,
                title="I",
                composer="Пётр Ильич Чайковский",
                work="Симфония № 6, соч. 74",
                composer_mbid=mbid,
            ),
            Track(
                path="/m/en/1.flac",
                size=1,
                mtime_ns=1,
                title="I",
                composer="Tchaikovsky",
                work="Symphony No. 6",
                composer_mbid=mbid,
            ),
            Track(
                path="/m/de/1.flac",
                size=1,
                mtime_ns=1,
                title="I",
                composer="Tschaikowsky",
                work="Symphonie Nr. 6",
                album="x",
            ),
        ],
    )
    assert merge_identities(db) == 1
    keys = {t.path: (t.composer_key, t.composer_name) for t in all_tracks(db)}
    assert set(keys.values()) == {("pyotr ilyich tchaikovsky", "Pyotr Ilyich Tchaikovsky")}
    (ru,) = [t for t in all_tracks(db) if t.path.startswith("/m/ru")]
    assert ru.work_key.startswith("pyotr ilyich tchaikovsky / ")
    assert ru.recording_key.startswith(ru.work_key)
    db.close()
