"""M3U import and export against a real profile: relative and absolute paths, #EXTINF, bad input."""

from __future__ import annotations

import pytest

from player.library.m3u import export_playlist, import_m3u, parse_m3u, read_m3u
from player.store import open_database
from player.store.playlists import PlaylistError, all_playlists, create_playlist, playlist_track_ids
from player.store.tracks import Track, all_tracks, upsert_tracks


@pytest.fixture
def library(tmp_path):
    music = tmp_path / "music"
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db,
        [
            Track(
                path=str(music / "Bach" / "01 Präludium.flac"),
                size=1,
                mtime_ns=1,
                title="Präludium",
                composer="Bach",
                work="Suite No. 1",
                duration_s=152.4,
            ),
            Track(
                path=str(music / "Bach" / "02 Allemande.flac"),
                size=1,
                mtime_ns=1,
                title="Allemande",
                composer="Bach",
                work="Suite No. 1",
                duration_s=250.0,
            ),
            Track(path=str(music / "Haydn" / "Largo.flac"), size=1, mtime_ns=1, title="Largo"),
        ],
    )
    music.mkdir()
    yield db, music
    db.close()


def by_title(db):
    return {t.title: t.id for t in all_tracks(db)}


def test_parse_extended_m3u(tmp_path):
    text = (
        "\ufeff#EXTM3U\n"
        "#EXTINF:152,Bach - Präludium\n"
        "Bach/01 Präludium.flac\n"
        "\n"
        "# a comment\n"
        "/abs/Largo.flac\n"
        "#EXTINF:-1,Stream\n"
        "file:///abs/with%20space.flac\n"
        "sub\\windows.flac\n"
    )
    entries = parse_m3u(text, tmp_path)
    assert [(e.line, e.seconds, e.title) for e in entries] == [
        (3, 152, "Bach - Präludium"),
        (6, None, ""),
        (8, None, "Stream"),
        (9, None, ""),
    ]
    assert [str(e.path) for e in entries] == [
        str(tmp_path / "Bach" / "01 Präludium.flac"),
        "/abs/Largo.flac",
        "/abs/with space.flac",
        str(tmp_path / "sub" / "windows.flac"),
    ]


@pytest.mark.parametrize("relative", [True, False])
def test_export_then_import_round_trips(library, tmp_path, relative):
    db, music = library
    t = by_title(db)
    order = [t["Largo"], t["Präludium"], t["Largo"]]
    playlist = create_playlist(db, "Evening", order)
    target = tmp_path / "lists" / "evening.m3u8"
    target.parent.mkdir()
    assert export_playlist(db, playlist, target, relative=relative) == 3
    text = target.read_text("utf-8")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[3] == "#EXTINF:152,Bach - Suite No. 1: Präludium"
    if relative:
        assert lines[4] == "../music/Bach/01 Präludium.flac"
    else:
        assert lines[4] == str(music / "Bach" / "01 Präludium.flac")
    report = import_m3u(db, target)
    assert (
        report.name == "evening (2)" and report.added == 3
    )  # "Evening" is taken and report.not_found == []
    assert playlist_track_ids(db, report.playlist_id) == order


def test_import_reports_entries_outside_the_library_and_picks_a_free_name(library, tmp_path):
    db, music = library
    create_playlist(db, "mix")
    source = music / "mix.m3u"
    source.write_text("Haydn/Largo.flac\n/elsewhere/unknown.mp3\nBach/02 Allemande.flac\n")
    report = import_m3u(db, source)
    assert report.name == "mix (2)" and report.added == 2
    assert [(e.line, e.location) for e in report.not_found] == [(2, "/elsewhere/unknown.mp3")]
    assert source.read_text().startswith("Haydn/Largo.flac")  # the file is left as it was


def test_latin1_m3u_is_read(library, tmp_path):
    db, music = library
    source = music / "old.m3u"
    source.write_bytes("Bach/01 Präludium.flac\n".encode("latin-1"))
    assert import_m3u(db, source, name="Old").added == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"/nowhere/a.flac\n/nowhere/b.flac\n", "None of the 2 entries"),
        (b"#EXTM3U\n", "None of the 0 entries"),
        (b"\x00\x01\x02binary", "not an M3U playlist"),
    ],
)
def test_bad_playlists_are_refused_with_a_reason(library, tmp_path, content, message):
    db, _ = library
    source = tmp_path / "bad.m3u"
    source.write_bytes(content)
    with pytest.raises(PlaylistError, match=message):
        import_m3u(db, source)
    assert all_playlists(db) == []


def test_unreadable_and_undecodable_files(tmp_path):
    with pytest.raises(PlaylistError, match="Cannot read"):
        read_m3u(tmp_path / "missing.m3u")
    bad = tmp_path / "bad.m3u8"
    bad.write_bytes(b"caf\xe9.flac\n")
    with pytest.raises(PlaylistError, match="not valid UTF-8"):
        read_m3u(bad)
