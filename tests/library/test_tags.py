"""Reading classical tags from real files of every supported container."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.id3 import (
    GRP1,
    MVIN,
    MVNM,
    TALB,
    TCOM,
    TCON,
    TDRC,
    TIT1,
    TIT2,
    TMCL,
    TPE1,
    TPE2,
    TPE3,
    TPOS,
    TRCK,
    TYER,
)

from player.library.keys import item_key, make_item_key
from player.library.probe import UnreadableFileError
from player.library.tags import read_track
from tests.library.audio_files import tag_id3, tag_vorbis, write_audio, write_m4a

VORBIS_TAGS = {
    "title": "Allegro ma non troppo",
    "composer": "Ludwig van Beethoven",
    "work": "Symphony No. 6 in F major, Op. 68 “Pastoral”",
    "movementname": "Erwachen heiterer Empfindungen bei der Ankunft auf dem Lande",
    "movement": "1",
    "movementtotal": "5",
    "performer": ["Anne Example (violin)", "Ben Example (cello)"],
    "conductor": "Carla Example",
    "ensemble": "Example Philharmonic",
    "album": "Pastoral",
    "artist": "Example Philharmonic",
    "discnumber": "2/3",
    "tracknumber": "7/12",
    "date": "1962-05-04",
    "genre": "Classical",
    "replaygain_track_gain": "\u22123.20 dB",
    "replaygain_album_gain": "+1,5 dB",
    "replaygain_track_peak": "0.987654",
    "replaygain_album_peak": "1.02",
}


def _read(path: Path, root: Path | None = None):
    return read_track(path, size=path.stat().st_size, mtime_ns=1, root=root)


@pytest.mark.parametrize(
    ("suffix", "fmt", "rate"),
    [
        (".flac", "FLAC", 44100),
        (".ogg", "Vorbis", 44100),
        (".oga", "Vorbis", 44100),
        (".opus", "Opus", 48000),
    ],
)
def test_vorbis_comment_files_give_every_classical_field(tmp_path, suffix, fmt, rate):
    path = tag_vorbis(write_audio(tmp_path / f"a{suffix}", seconds=1.5), **VORBIS_TAGS)
    track, report = _read(path)
    assert report.reason == ""
    assert (track.title, track.composer) == ("Allegro ma non troppo", "Ludwig van Beethoven")
    assert track.work == "Symphony No. 6 in F major, Op. 68 “Pastoral”"
    assert track.movement.startswith("Erwachen heiterer")
    assert (track.movement_number, track.movement_count) == (1, 5)
    assert track.performers == "Anne Example (violin); Ben Example (cello)"
    assert (track.conductor, track.orchestra) == ("Carla Example", "Example Philharmonic")
    assert (track.album, track.artist, track.genre, track.date) == (
        "Pastoral",
        "Example Philharmonic",
        "Classical",
        "1962-05-04",
    )
    assert (track.disc_number, track.track_number) == (2, 7)
    assert track.replaygain_track_db == pytest.approx(-3.2)
    assert track.replaygain_album_db == pytest.approx(1.5)
    assert track.replaygain_track_peak == pytest.approx(0.987654)
    assert track.replaygain_album_peak == pytest.approx(1.02)
    assert (track.format, track.sample_rate, track.channels) == (fmt, rate, 1)
    assert track.duration_s == pytest.approx(1.5, abs=0.03)


def _id3_frames():
    return [
        TIT2(encoding=3, text=["Sonata in C: II. Adagio"]),
        TCOM(encoding=3, text=["Joseph Haydn"]),
        TIT1(encoding=3, text=["Piano Sonata in C major, Hob. XVI:50"]),
        GRP1(encoding=3, text=["Sonatas"]),
        MVNM(encoding=3, text=["Adagio"]),
        MVIN(encoding=3, text=["2/3"]),
        TPE1(encoding=3, text=["Dora Example"]),
        TPE3(encoding=3, text=["Nobody Conducts"]),
        TMCL(encoding=3, people=[["piano", "Dora Example"]]),
        TALB(encoding=3, text=["Haydn Sonatas"]),
        TPOS(encoding=3, text=["1/2"]),
        TRCK(encoding=3, text=["02/10"]),
        TDRC(encoding=3, text=["2001"]),
        TCON(encoding=3, text=["Classical"]),
    ]


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".mp3", "MP3"), (".wav", "WAV"), (".aiff", "AIFF"), (".aif", "AIFF")]
)
def test_id3_files_give_every_classical_field(tmp_path, suffix, fmt):
    path = tag_id3(
        write_audio(tmp_path / f"b{suffix}"),
        _id3_frames(),
        txxx={
            "ENSEMBLE": "Example Trio",
            "REPLAYGAIN_TRACK_GAIN": "-6.5 dB",
            "REPLAYGAIN_TRACK_PEAK": "0.5",
        },
    )
    track, _ = _read(path)
    assert track.title == "Sonata in C: II. Adagio"
    assert track.composer == "Joseph Haydn"
    assert track.work == "Piano Sonata in C major, Hob. XVI:50"
    assert (track.movement, track.movement_number, track.movement_count) == ("Adagio", 2, 3)
    assert track.performers == "Dora Example (piano)"
    assert (track.conductor, track.orchestra, track.artist) == (
        "Nobody Conducts",
        "Example Trio",
        "Dora Example",
    )
    assert (track.disc_number, track.track_number, track.date) == (1, 2, "2001")
    assert track.replaygain_track_db == pytest.approx(-6.5)
    assert track.replaygain_track_peak == pytest.approx(0.5)
    assert track.replaygain_album_db is None
    assert track.format == fmt
    assert track.duration_s == pytest.approx(1.0, abs=0.06)


@pytest.mark.parametrize("suffix", [".mp3", ".aif"])
def test_id3v23_year_and_album_artist_as_older_taggers_write_them(tmp_path, suffix):
    """TYER (v2.3's year) gives the date; with no TPE1, the album artist (TPE2) is the artist,
    and an artist who is not the composer stands in for the missing performers."""
    frames = [
        TIT2(encoding=1, text=["Adagio"]),
        TCOM(encoding=1, text=["Tomaso Albinoni"]),
        TPE2(encoding=1, text=["I Musici"]),
        TYER(encoding=1, text=["1998"]),
    ]
    track, _ = _read(tag_id3(write_audio(tmp_path / f"v23{suffix}"), frames, version=3))
    assert track.date == "1998"
    assert (track.artist, track.performers) == ("I Musici", "I Musici")
    assert track.item_key.endswith(" | adagio | i musici")  # the recording's identity


def test_artist_stands_in_for_performers_only_when_it_is_not_the_composer(tmp_path):
    path = tag_vorbis(write_audio(tmp_path / "c.ogg"), composer="Frédéric Chopin", artist="Maria X")
    assert _read(path)[0].performers == "Maria X"
    own = tag_vorbis(write_audio(tmp_path / "d.ogg"), composer="Sergei Rachmaninoff",
                     artist="sergei rachmaninoff")  # fmt: skip
    assert (_read(own)[0].artist, _read(own)[0].performers) == ("sergei rachmaninoff", "")
    tagged = tag_vorbis(write_audio(tmp_path / "e.ogg"), artist="Label Sampler", performer="Ann Y")
    assert _read(tagged)[0].performers == "Ann Y"  # a performer tag always wins


def test_m4a_is_refused_with_what_to_do_and_its_tags_are_not_needed(tmp_path):
    path = write_m4a(tmp_path / "f.m4a", **{"\xa9nam": ["Gymnopédie No. 1"], "\xa9wrt": ["Satie"]})
    with pytest.raises(UnreadableFileError) as refused:
        _read(path)
    assert (
        refused.value.short == "MP4/M4A audio cannot be played by Continuo's decoder (libsndfile)"
    )
    assert "convert it to FLAC or Ogg" in refused.value.detail


def test_item_key_is_lowercased_whitespace_collapsed_and_path_free(tmp_path):
    path = tag_vorbis(
        write_audio(tmp_path / "x.ogg"),
        composer="J.S.  Bach",
        work="Mass in B minor",
        movementname=" Kyrie\teleison ",
        performer="THE  Sixteen",
    )
    track, _ = _read(path)
    assert track.item_key == "j.s. bach | mass in b minor | kyrie eleison | the sixteen"
    assert item_key(track) == track.item_key
    moved = tmp_path / "elsewhere" / "y.ogg"
    moved.parent.mkdir()
    path.rename(moved)
    assert _read(moved)[0].item_key == track.item_key
    assert make_item_key("A", "", "T", "") == "a |  | t | "


def test_absurd_tags_are_cut_or_dropped_and_reported(tmp_path):
    path = tag_vorbis(
        write_audio(tmp_path / "Composer X/Work Y/01 Fine.flac"),
        title="Ω" * 2_000_000,
        composer="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11ab",
        tracknumber="99999999999999999999",
        movement="-4",
        discnumber="banana",
        replaygain_track_gain="nan dB",
        replaygain_album_gain="1e308 dB",
        replaygain_track_peak="-1",
        date="2" * 500,
    )
    track, report = _read(path, root=tmp_path)
    assert len(track.title) == 300 and track.title.endswith("…")
    assert track.composer == "Composer X"  # binary junk dropped, folder fallback used
    # the nonsense numbers are dropped; "01 Fine.flac" still says it is track 1
    assert (track.track_number, track.movement_number, track.disc_number) == (1, None, None)
    assert (track.replaygain_track_db, track.replaygain_album_db, track.replaygain_track_peak) == (
        None,
        None,
        None,
    )
    assert len(track.date) <= 32
    assert "title" in report.reason and "composer" in report.reason
