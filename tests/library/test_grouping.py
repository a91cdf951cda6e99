"""Classical grouping: composer → work → movements in playing order, untagged files placed sensibly."""

from player.library.grouping import UNKNOWN_COMPOSER, group_library, sort_name
from player.store.tracks import Track


def _track(path, **tags) -> Track:
    return Track(path=path, size=1, mtime_ns=1, title=tags.pop("title", path), **tags)


def test_movements_follow_disc_then_movement_number():
    tracks = [
        _track(
            "/m/b3.ogg",
            composer="Ludwig van Beethoven",
            work="Symphony No. 5",
            movement="III",
            movement_number=3,
        ),
        _track(
            "/m/b1.ogg",
            composer="Ludwig van Beethoven",
            work="Symphony No. 5",
            movement="I",
            movement_number=1,
        ),
        _track(
            "/m/b2.ogg",
            composer="Ludwig van Beethoven",
            work="Symphony No. 5",
            movement="II",
            movement_number=2,
            disc_number=1,
        ),
        _track(
            "/m/b4.ogg",
            composer="Ludwig van Beethoven",
            work="Symphony No. 5",
            movement="IV",
            movement_number=1,
            disc_number=2,
        ),
        _track(
            "/m/a.ogg", composer="Johann Sebastian Bach", work="Goldberg Variations", track_number=1
        ),
    ]
    composers = group_library(tracks)
    assert [c.name for c in composers] == ["Johann Sebastian Bach", "Ludwig van Beethoven"]
    symphony = composers[1].works[0]
    assert [t.movement for t in symphony.movements] == ["I", "II", "III", "IV"]


def test_untagged_files_fall_back_to_artist_album_and_folder():
    tracks = [
        _track("/music/Quartets/x.flac", artist="Haydn", album="Op. 76"),
        _track("/music/Loose/y.flac"),
        _track("/music/Loose/z.flac"),
    ]
    composers = group_library(tracks)
    assert [c.name for c in composers] == ["Haydn", UNKNOWN_COMPOSER]
    assert composers[0].works[0].title == "Op. 76"
    assert [w.title for w in composers[1].works] == ["Loose"]
    assert len(composers[1].works[0].movements) == 2


def test_sort_name_puts_family_name_first():
    assert sort_name("Johann Sebastian Bach") == "bach johann sebastian"
    assert sort_name("Bach, Johann Sebastian") == "bach, johann sebastian"
    assert sort_name(UNKNOWN_COMPOSER) > sort_name("Zelenka")
