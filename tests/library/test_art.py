"""Album art from every tag container and from folder images, and the profile's art cache."""

from __future__ import annotations

import base64
import os
import struct

import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, TIT2
from mutagen.mp4 import MP4, MP4Cover

from player.library.art import embedded_artwork, find_artwork, folder_artwork, image_suffix
from player.library.art_cache import ArtCache
from player.store import open_database
from player.store.tracks import all_tracks, upsert_tracks
from tests.library.audio_files import tag_id3, tag_vorbis, write_audio
from tests.library.images import jpeg_bytes, png_bytes

FRONT, BACK = 3, 4


def _flac_picture(data: bytes, kind: int = FRONT, mime: str = "image/jpeg") -> Picture:
    picture = Picture()
    picture.type, picture.mime, picture.data = kind, mime, data
    return picture


def write_m4a(path):
    """The smallest MP4 mutagen accepts as audio (ftyp, and one sound track's mdhd and hdlr)."""

    def atom(name: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + name + payload

    ftyp = atom(b"ftyp", b"M4A " + bytes(4) + b"M4A mp42isom")
    mdhd = atom(b"mdhd", bytes(4) + struct.pack(">IIII", 0, 0, 44100, 44100) + bytes(4))
    hdlr = atom(b"hdlr", bytes(8) + b"soun" + bytes(13))
    path.write_bytes(ftyp + atom(b"moov", atom(b"trak", atom(b"mdia", mdhd + hdlr))))
    return path


def test_image_format_is_judged_by_its_bytes():
    assert image_suffix(jpeg_bytes()) == ".jpg"
    assert image_suffix(png_bytes()) == ".png"
    assert image_suffix(b"GIF89a....") == ".gif"
    assert image_suffix(b"RIFF\0\0\0\0WEBPVP8 ") == ".webp"
    assert image_suffix(b"<html>not a picture</html>") is None
    assert image_suffix(b"") is None


def test_flac_front_cover_wins_over_other_pictures(tmp_path):
    path = write_audio(tmp_path / "a.flac")
    audio = FLAC(path)
    back, front = png_bytes(rgb=(1, 2, 3)), jpeg_bytes()
    audio.add_picture(_flac_picture(back, BACK, "image/png"))
    audio.add_picture(_flac_picture(front, FRONT, "image/png"))  # the MIME type lies
    audio.save()
    art = embedded_artwork(path)
    assert art is not None and art.data == front and art.suffix == ".jpg"
    assert art.source == "embedded"


@pytest.mark.parametrize("suffix", [".ogg", ".opus"])
def test_vorbis_metadata_block_picture(tmp_path, suffix):
    path = write_audio(tmp_path / f"a{suffix}")
    cover = png_bytes(8, 8)
    block = base64.b64encode(_flac_picture(cover, FRONT, "image/png").write()).decode("ascii")
    tag_vorbis(path, title="Allegro", metadata_block_picture=[block])
    art = embedded_artwork(path)
    assert art is not None and art.data == cover and art.suffix == ".png"


@pytest.mark.parametrize("suffix", [".mp3", ".wav", ".aiff"])
def test_id3_apic(tmp_path, suffix):
    path = write_audio(tmp_path / f"a{suffix}")
    cover = jpeg_bytes()
    tag_id3(
        path,
        [
            TIT2(encoding=3, text=["Largo"]),
            APIC(encoding=3, mime="image/png", type=BACK, desc="back", data=png_bytes()),
            APIC(encoding=3, mime="image/jpeg", type=FRONT, desc="front", data=cover),
        ],
    )
    art = embedded_artwork(path)
    assert art is not None and art.data == cover


def test_mp4_covr(tmp_path):
    path = write_m4a(tmp_path / "a.m4a")
    audio = MP4(path)
    audio.add_tags()
    cover = png_bytes(5, 3)
    audio.tags["covr"] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_PNG)]
    audio.save()
    art = embedded_artwork(path)
    assert art is not None and art.data == cover and art.suffix == ".png"


def test_garbage_pictures_and_unreadable_files_give_no_art(tmp_path):
    path = write_audio(tmp_path / "a.flac")
    tag_vorbis(path, metadata_block_picture=["%%% not base64 %%%"])
    audio = FLAC(path)
    audio.add_picture(_flac_picture(b"this is not an image"))
    audio.save()
    assert embedded_artwork(path) is None
    junk = tmp_path / "junk.flac"
    junk.write_bytes(b"fLaC" + os.urandom(64))
    assert embedded_artwork(junk) is None
    assert embedded_artwork(tmp_path / "gone.flac") is None


def test_folder_image_by_preferred_name_any_case(tmp_path):
    (tmp_path / "Front.PNG").write_bytes(png_bytes(rgb=(9, 9, 9)))
    (tmp_path / "folder.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "booklet.jpg").write_bytes(jpeg_bytes())
    art = folder_artwork(tmp_path)
    assert art is not None and art.source == str(tmp_path / "folder.jpg")
    (tmp_path / "COVER.jpeg").write_bytes(png_bytes())  # a PNG named .jpeg is still a PNG
    art = folder_artwork(tmp_path)
    assert art is not None and art.source.endswith("COVER.jpeg") and art.suffix == ".png"
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "cover.jpg").write_text("not really")
    assert folder_artwork(tmp_path / "empty") is None


def test_embedded_picture_wins_over_folder_image(tmp_path):
    plain = write_audio(tmp_path / "plain.flac")
    tagged = write_audio(tmp_path / "tagged.flac")
    audio = FLAC(tagged)
    audio.add_picture(_flac_picture(jpeg_bytes()))
    audio.save()
    (tmp_path / "cover.png").write_bytes(png_bytes())
    assert find_artwork(tagged).source == "embedded"
    assert find_artwork(plain).source == str(tmp_path / "cover.png")


def test_cache_shares_one_file_per_picture_and_notices_changes(tmp_path):
    music = tmp_path / "music"
    cover = jpeg_bytes()
    paths = []
    for n in range(3):
        path = write_audio(music / f"{n}.flac", seconds=0.1)
        audio = FLAC(path)
        audio.add_picture(_flac_picture(cover))
        audio.save()
        paths.append(path)
    bare = write_audio(music / "other" / "bare.flac", seconds=0.1)
    db = open_database(tmp_path / "continuo.db")
    from player.library.tags import read_track

    tracks = []
    for path in [*paths, bare]:
        stat = path.stat()
        tracks.append(read_track(path, size=stat.st_size, mtime_ns=stat.st_mtime_ns)[0])
    upsert_tracks(db, tracks)
    cache = ArtCache(tmp_path / "profile" / "art")
    stored = all_tracks(db)
    by_name = {os.path.basename(t.path): t for t in stored}

    files = {cache.art_for(db, by_name[f"{n}.flac"]) for n in range(3)}
    assert len(files) == 1
    (cached,) = files
    assert cached.read_bytes() == cover and cached.parent == tmp_path / "profile" / "art"
    assert cache.art_for(db, by_name["bare.flac"]) is None

    # A cover.png added to the bare track's folder changes the folder, so it is found.
    (bare.parent / "cover.png").write_bytes(png_bytes())
    found = cache.art_for(db, by_name["bare.flac"])
    assert found is not None and found.read_bytes() == png_bytes()

    # A deleted cache file is extracted again.
    cached.unlink()
    again = cache.art_for(db, by_name["0.flac"])
    assert again == cached and again.read_bytes() == cover
    db.close()
