"""Classical grouping: composer → work → recording → movements in playing order."""

from player.domain.composers import UNKNOWN_COMPOSER
from player.library.grouping import acts, group_library, play_unit
from player.store.tracks import Track, with_identity


def _track(path, **tags) -> Track:
    return with_identity(
        Track(path=path, size=1, mtime_ns=1, title=tags.pop("title", path), **tags)
    )


def test_movements_follow_disc_then_movement_number():
    beethoven = {"composer": "Ludwig van Beethoven", "work": "Symphony No. 5", "album": "Fifth"}
    tracks = [
        _track("/m/b3.ogg", movement="III", movement_number=3, **beethoven),
        _track("/m/b1.ogg", movement="I", movement_number=1, **beethoven),
        _track("/m/b2.ogg", movement="II", movement_number=2, disc_number=1, **beethoven),
        _track("/m/b4.ogg", movement="IV", movement_number=1, disc_number=2, **beethoven),
        _track("/m/a.ogg", composer="Johann Sebastian Bach", work="Goldberg Variations"),
    ]
    composers = group_library(tracks)
    assert [c.name for c in composers] == ["Johann Sebastian Bach", "Ludwig van Beethoven"]
    symphony = composers[1].works[0]
    assert [t.movement for t in symphony.movements] == ["I", "II", "III", "IV"]


def test_two_recordings_of_one_work_stay_apart_most_played_first():
    work = {"composer": "Beethoven", "work": "Symphony No. 7 in A major, Op. 92"}
    karajan = [
        _track(
            f"/k/{n}.flac",
            album="DG 1963",
            conductor="Karajan",
            track_number=n,
            date="1963",
            **work,
        )
        for n in (2, 1)
    ]
    kleiber = [
        _track(f"/c/{n}.flac", album="DG 1976", conductor="Carlos Kleiber", track_number=n, **work)
        for n in (1, 2)
    ]
    (composer,) = group_library(karajan + kleiber, plays={kleiber[0].recording_key: 3})
    (symphony,) = composer.works
    assert symphony.catalogue == "Op. 92"
    assert [r.performers for r in symphony.recordings] == ["Carlos Kleiber", "Karajan"]
    assert [t.path for t in symphony.recordings[1].movements] == ["/k/1.flac", "/k/2.flac"]
    assert symphony.recordings[1].label == "Karajan, 1963"
    assert symphony.duration_s == sum(t.duration_s for t in kleiber)
    assert play_unit(karajan[0], karajan + kleiber) == [karajan[1], karajan[0]]


def test_untagged_files_fall_back_to_artist_album_and_folder():
    tracks = [
        _track("/music/Quartets/x.flac", artist="Haydn", album="Op. 76", work="Op. 76"),
        _track("/music/Loose/y.flac", work="Loose"),
        _track("/music/Loose/z.flac", work="Loose"),
    ]
    composers = group_library(tracks)
    assert [c.name for c in composers] == ["Joseph Haydn", UNKNOWN_COMPOSER]
    assert composers[0].works[0].title == "Op. 76"
    assert composers[0].works[0].recordings[0].performers == ""  # ARTIST was the composer
    assert [w.title for w in composers[1].works] == ["Loose"]
    assert len(composers[1].works[0].movements) == 2


def test_works_sort_as_numbers_count():
    tracks = [
        _track(f"/m/{n}.flac", composer="Haydn", work=f"Symphony No. {n}") for n in (100, 9, 94)
    ]
    (haydn,) = group_library(tracks)
    assert [w.title for w in haydn.works] == [
        "Symphony No. 9",
        "Symphony No. 94",
        "Symphony No. 100",
    ]


def test_acts_cut_an_opera_recording_and_other_recordings_have_none():
    opera = {"composer": "Mozart", "work": "Don Giovanni, K. 527", "album": "DG"}
    titles = ["Overture", "Act I: Notte e giorno", "Act I: Madamina", "Act II: Deh vieni"]
    tracks = [
        _track(f"/o/{n}.flac", title=t, track_number=n, **opera) for n, t in enumerate(titles, 1)
    ]
    (mozart,) = group_library(tracks)
    found = acts(mozart.works[0].recordings[0])
    assert [(a.name, [t.title for t in a.movements]) for a in found] == [
        ("", ["Overture"]),
        ("Act I", ["Act I: Notte e giorno", "Act I: Madamina"]),
        ("Act II", ["Act II: Deh vieni"]),
    ]
    (symphony,) = group_library([_track("/s/1.flac", composer="Haydn", work="Symphony No. 1")])
    assert acts(symphony.works[0].recordings[0]) == []
