"""A track's identity from its stored fields: the rules together, as the scanner applies them."""

from __future__ import annotations

from player.domain.identity import TrackFields, identify


def test_an_untagged_folder_gives_work_performers_and_year():
    found = identify(
        TrackFields(
            path="/m/Beethoven/Symphony No. 5 (Kleiber, VPO, 1975)/01 - Allegro.flac",
            title="Allegro",
            composer="Beethoven",
            work="Symphony No. 5 (Kleiber, VPO, 1975)",
        )
    )
    assert found.composer.name == "Ludwig van Beethoven"
    assert found.work.title == "Symphony No. 5"
    assert (found.recording.performers, found.recording.year) == ("Kleiber, VPO", 1975)


def test_artist_holding_the_composer_is_not_a_performer():
    found = identify(
        TrackFields(
            path="/m/x.flac", title="I", artist="Beethoven", performers="Beethoven", work="Sym 5"
        )
    )
    assert found.composer.name == "Ludwig van Beethoven"
    assert found.recording.performers == ""


def test_two_recordings_one_work_and_name_variants_of_one_recording():
    def track(composer, work, performers, album):
        return identify(
            TrackFields(
                path=f"/m/{album}/1.flac",
                title="I",
                composer=composer,
                work=work,
                performers=performers,
                album=album,
                movement="Allegro",
            )
        )

    a = track("Beethoven, Ludwig van", "String Quartet Op.18 No.1", "Alban Berg Quartett", "ABQ")
    b = track("Ludwig van Beethoven", "String Quartet Op. 18 No. 1", "Emerson Quartet", "EQ")
    c = track("Ludwig van Beethoven", "Quartet op. 18/1", "Alban Berg Quartett", "ABQ")
    assert a.work_key == b.work_key == c.work_key
    assert a.recording.key == c.recording.key != b.recording.key


def test_a_movements_musicbrainz_work_id_does_not_split_the_work():
    mvt = identify(
        TrackFields(
            path="/m/1.flac",
            title="I",
            composer="Bach",
            work="Suite BWV 1007",
            movement="Prélude",
            work_mbid="00000000-0000-0000-0000-000000000001",
        )
    )
    whole = identify(
        TrackFields(
            path="/m/2.flac",
            title="Suite BWV 1007",
            composer="Bach",
            work_mbid="00000000-0000-0000-0000-000000000002",
        )
    )
    assert mvt.work.key == "cat:bwv1007"
    assert whole.work.key == "mb:00000000-0000-0000-0000-000000000002"


def test_a_folder_whose_name_is_not_utf8_gives_a_key_sqlite_can_store():
    first, second = (
        identify(TrackFields(path=f"/m/{name}/01.flac", title="I"))
        for name in ("\udc80", "\udcff")  # the bytes 0x80 and 0xff, as os.fsdecode holds them
    )
    for found in (first, second):
        found.recording.key.encode("utf-8")  # no lone surrogates left
    assert first.recording.key != second.recording.key
