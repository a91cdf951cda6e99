"""The library views' first reads: the composers' summary and the ids in library order, as the
window's first screen takes them (a real SQLite file)."""

from __future__ import annotations

from player.store.db import open_database
from player.store.library_view import (
    composer_summary,
    ids_array,
    library_ids,
    plain_library_ids,
)
from player.store.tracks import Track, mark_missing, upsert_tracks

SPELLINGS = [
    "Johann Sebastian Bach",
    "J. S. Bach",
    "Bach, Johann Sebastian",
    "Carl Philipp Emanuel Bach",
    "Antonio Vivaldi",
    "Vivaldi",
    "Anonymous",
    "",
    "Ludwig van Beethoven",
    "Beethoven, Ludwig van",
]


def test_each_composer_sorts_by_the_first_sort_name_of_its_present_tracks(tmp_path):
    """The summary finds each composer key's first sort name by skipping along the library
    order's index; the answer is the plain GROUP BY's over the present tracks: for keys with
    several spellings, the unknown composer, two keys sharing a sort name, a key under two
    sort names (rows stored before a rule changed), and a first sort name only on missing
    tracks."""
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db,
        [
            Track(
                path=f"/m/{i:02d}/{w}.flac",
                size=1,
                mtime_ns=1,
                title=f"Part {w}",
                composer=name,
                work=f"Work {w}",
            )
            for i, name in enumerate(SPELLINGS)
            for w in range(3)
        ],
    )
    with db.conn:
        db.conn.execute(  # C. P. E. Bach shares J. S. Bach's sort name
            "UPDATE tracks SET composer_sort = 'bach, johann sebastian' WHERE path LIKE '/m/03/%'"
        )
        db.conn.execute("UPDATE tracks SET composer_sort = 'aaa' WHERE path LIKE '/m/05/%'")
        db.conn.execute("UPDATE tracks SET composer_sort = 'abc' WHERE path = '/m/09/0.flac'")
    missing = ["/m/02/0.flac", "/m/02/1.flac", "/m/02/2.flac"]
    mark_missing(db, [*missing, "/m/05/0.flac", "/m/05/1.flac", "/m/05/2.flac"])
    names, works = composer_summary(db)
    expected = dict(
        db.conn.execute(
            "SELECT composer_key, min(composer_sort) FROM tracks WHERE missing = 0 "
            "GROUP BY composer_key"
        ).fetchall()
    )
    db.close()
    assert {key: sort for key, _name, sort, _count in names} == expected
    assert expected["ludwig van beethoven"] == "abc" and "aaa" not in expected.values()
    assert sum(count for *_, count in names) == 3 * len(SPELLINGS) - 6
    assert set(works) == set(expected)


def test_the_ids_in_library_order_need_no_numpy_and_convert_in_place(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    assert len(plain_library_ids(db)) == 0 and len(library_ids(db)) == 0  # an empty library
    upsert_tracks(
        db,
        [
            Track(path=f"/m/{n}.flac", size=1, mtime_ns=1, title=n, composer=n, work="Suite")
            for n in ("Zelenka", "Albinoni", "Monteverdi")
        ],
    )
    plain = plain_library_ids(db)
    ordered = library_ids(db)
    composer = dict(db.conn.execute("SELECT id, composer FROM tracks").fetchall())
    db.close()
    assert plain.typecode == "q" and plain.tolist() == ordered.tolist()
    assert [composer[i] for i in plain] == ["Albinoni", "Monteverdi", "Zelenka"]
    as_array = ids_array(plain)
    assert as_array.dtype.name == "int64" and as_array.tolist() == plain.tolist()
    plain[0] = -1
    assert as_array[0] == -1  # the same memory: converting copies nothing


def test_the_composers_summary_is_one_row_of_one_statement(tmp_path):
    """Read in one step, SQLite works with the GIL released until the summary is complete: the
    start's early read, beside a busy GUI thread, waited for the GIL once per row."""
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db,
        [
            Track(path=f"/m/{i}.flac", size=1, mtime_ns=1, title="I", composer=name, work="Suite")
            for i, name in enumerate(SPELLINGS)
        ],
    )
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    names, works = composer_summary(db)
    db.conn.set_trace_callback(None)
    db.close()
    assert len(statements) == 1
    assert sum(count for *_, count in names) == len(SPELLINGS) and sum(works.values()) >= 1
