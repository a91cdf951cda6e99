"""FLAC, Ogg Vorbis and MP3 read from their headers: the same answers as the decoder, and every doubt
left to the full probe."""

from __future__ import annotations

import base64
import struct

import numpy as np
import pytest
import soundfile as sf
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TCOM, TDRC, TIT2, TMCL, TPE1, TRCK, TXXX, TYER
from mutagen.mp3 import MPEGInfo

from player.library.id3 import flatten_mutagen, read_id3
from player.library.probe import UnreadableFileError, probe_audio
from player.library.streams import _xing_stream, parse_vorbis_comment, read_stream_header
from tests.library.audio_files import tag_vorbis, write_audio
from tests.library.images import png_bytes


def _header(path):
    with open(path, "rb") as handle:
        return read_stream_header(handle, path.suffix, path.stat().st_size)


def _stereo(path, seconds: float, rate: int):
    """Left and right different, so FLAC codes the channels as a side/mid pair."""
    t = np.arange(int(seconds * rate)) / rate
    both = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 660 * t)], axis=1)
    sf.write(path, (0.2 * both).astype(np.float32), rate)
    return path


@pytest.mark.parametrize("suffix", [".flac", ".ogg"])
@pytest.mark.parametrize(("seconds", "rate"), [(0.05, 44100), (1.0, 22050), (3.3, 96000)])
@pytest.mark.parametrize("channels", [1, 2])
def test_headers_agree_with_the_decoder(tmp_path, suffix, seconds, rate, channels):
    path = tmp_path / f"a{suffix}"
    if channels == 1:
        write_audio(path, seconds=seconds, rate=rate)
    else:
        _stereo(path, seconds, rate)
    tag_vorbis(path, title="Tïtle", composer="Bach", performer=["A (violin)", "B (cello)"])
    header = _header(path)
    decoded = sf.info(str(path))
    assert header is not None
    assert (header.frames, header.sample_rate, header.channels) == (
        decoded.frames,
        decoded.samplerate,
        decoded.channels,
    )
    assert header.format == {".flac": "FLAC", ".ogg": "Vorbis"}[suffix]
    assert header.tags["title"] == ["Tïtle"] and header.tags["composer"] == ["Bach"]
    assert header.tags["performer"] == ["A (violin)", "B (cello)"]


def test_pictures_are_skipped_and_the_tags_still_read(tmp_path):
    cover = Picture()
    cover.type, cover.mime, cover.data = 3, "image/png", png_bytes(64, 64) * 50
    flac = tag_vorbis(write_audio(tmp_path / "a.flac"), title="Allegro")
    audio = FLAC(flac)
    audio.add_picture(cover)
    audio.save()
    ogg = write_audio(tmp_path / "a.ogg")
    block = base64.b64encode(cover.write()).decode("ascii")
    tag_vorbis(ogg, title="Allegro", metadata_block_picture=[block])
    for path in (flac, ogg):
        header = _header(path)
        assert header is not None and header.tags["title"] == ["Allegro"]
        assert not {"metadata_block_picture", "coverart"} & set(header.tags)


@pytest.mark.parametrize("suffix", [".flac", ".ogg"])
@pytest.mark.parametrize("keep", [0.3, 0.6])
def test_a_cut_file_is_left_to_the_full_probe_which_names_it(tmp_path, suffix, keep):
    whole = write_audio(tmp_path / f"whole{suffix}", seconds=3).read_bytes()
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(whole[: int(len(whole) * keep)])
    assert _header(path) is None
    with pytest.raises(UnreadableFileError) as refused:
        probe_audio(path, size=path.stat().st_size)
    assert "truncated" in refused.value.short or "ends early" in refused.value.short


def test_what_follows_an_ogg_stream_or_precedes_a_flac_one_goes_to_the_full_probe(tmp_path):
    ogg = write_audio(tmp_path / "a.ogg")
    ogg.write_bytes(ogg.read_bytes() + b"junk after the last page")
    flac = write_audio(tmp_path / "a.flac")
    flac.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + flac.read_bytes())
    assert _header(ogg) is None and _header(flac) is None
    assert probe_audio(ogg, size=ogg.stat().st_size).duration_s == pytest.approx(1.0)


def _comment(*entries: bytes, count: int | None = None) -> bytes:
    vendor = b"Continuo test"
    body = b"".join(struct.pack("<I", len(e)) + e for e in entries)
    number = len(entries) if count is None else count
    return struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", number) + body


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (_comment(b"TITLE=Allegro", b"Title=Adagio"), {"title": ["Allegro", "Adagio"]}),
        (_comment(b"COMPOSER=Dvo\xc5\x99\xc3\xa1k"), {"composer": ["Dvořák"]}),
        (_comment(b"TITLE=bad \xff byte"), {"title": ["bad \ufffd byte"]}),
        (_comment(b"no equals sign", b"DATE=1975"), {"date": ["1975"]}),
        (_comment(b"ALBUM=a=b"), {"album": ["a=b"]}),
        (_comment(b"METADATA_BLOCK_PICTURE=AAAA", b"TITLE=x"), {"title": ["x"]}),
        (_comment(b"TITLE=", b"=nameless"), {"title": [""], "": ["nameless"]}),
        (_comment(b"T\xc3\x8dTLE=x"), {"t\ufffd\ufffdtle": ["x"]}),  # a name is ASCII
        (_comment(b"TITLE=" + b"x" * 300_000), {"title": ["x" * 300_000]}),  # cut by tags.py
        (_comment(b"COVERART=" + b"A" * 1_000_000, b"TITLE=x"), {"title": ["x"]}),
        (_comment(b"TITLE=Allegro", count=1000), None),  # more entries promised than present
        (_comment(b"TITLE=Allegro")[:-3], None),  # the last entry cut
    ],
)
def test_vorbis_comment_blocks(block, expected):
    assert parse_vorbis_comment(block) == expected


def _id3_frames(encoding: int) -> list:
    return [
        TIT2(encoding=encoding, text=["Sonata in C: II. Adagio"]),
        TCOM(encoding=encoding, text=["Joseph Haydn"]),
        TPE1(encoding=encoding, text=["Dora Example", "Émile Example"]),
        TRCK(encoding=encoding, text=["2/3"]),
        TXXX(encoding=encoding, desc="REPLAYGAIN_TRACK_GAIN", text=["-6.5 dB"]),
        TMCL(encoding=encoding, people=[["piano", "Dora Example"], ["", "Émile Example"]]),
        APIC(encoding=encoding, mime="image/png", type=3, desc="", data=png_bytes(8, 8)),
    ]


@pytest.mark.parametrize(("version", "encoding"), [(3, 0), (3, 1), (4, 1), (4, 2), (4, 3)])
def test_id3_read_directly_agrees_with_mutagen(tmp_path, version, encoding):
    path = write_audio(tmp_path / "a.mp3")
    tags = ID3()
    for frame in _id3_frames(encoding):
        tags.add(frame)
    if version == 3:
        tags.add(TYER(encoding=encoding, text=["2001"]))
    else:
        tags.add(TDRC(encoding=encoding, text=["2001-05-04"]))
    tags.save(path, v2_version=version)
    header = _header(path)
    stored = ID3(path)
    assert header is not None
    assert header.tags == flatten_mutagen(stored) and header.tags["title"]
    assert header.tags["performer"] == ["Dora Example (piano)", "Émile Example"]
    decoded = sf.info(str(path))
    assert abs(header.frames - decoded.frames) <= 1152 and header.format == "MP3"
    assert (header.sample_rate, header.channels) == (decoded.samplerate, decoded.channels)
    with open(path, "rb") as handle:
        found = read_id3(handle)
    assert found is not None and found[1] == stored.size


@pytest.mark.parametrize(
    "tag",
    [
        b"ID3\x03\x00\x80" + bytes([0, 0, 0, 20]) + b"TIT2" + bytes([0, 0, 0, 2, 0, 0]) + b"\x00x",
        b"ID3\x04\x00\x40" + bytes([0, 0, 0, 20]) + bytes(20),  # an extended header
        b"ID3\x02\x00\x00" + bytes([0, 0, 0, 10]) + b"TT2" + bytes([0, 0, 4, 0]) + b"abc",
        b"ID3\x04\x00\x00" + bytes([0, 0, 0, 14]) + b"TIT2" + bytes([0, 0, 0, 4, 0, 8]) + b"\0abc",
    ],
    ids=["unsynchronised", "extended-header", "v2.2", "compressed-frame"],
)
def test_an_id3_tag_it_is_not_sure_of_goes_to_mutagen(tmp_path, tag):
    path = tmp_path / "a.mp3"
    path.write_bytes(tag + write_audio(tmp_path / "plain.mp3").read_bytes())
    with open(path, "rb") as handle:
        assert read_id3(handle) is None
    assert _header(path) is None


def test_an_id3v1_tag_or_a_cut_mp3_goes_to_the_full_probe(tmp_path):
    whole = write_audio(tmp_path / "whole.mp3", seconds=5).read_bytes()
    v1 = tmp_path / "v1.mp3"
    v1.write_bytes(whole + b"TAG" + b"Adagio".ljust(30, b"\0") + bytes(95))
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])
    assert _header(v1) is None and _header(cut) is None
    assert probe_audio(v1, size=v1.stat().st_size).tags["TIT2"].text == ["Adagio"]
    with pytest.raises(UnreadableFileError, match="ends early"):
        probe_audio(cut, size=cut.stat().st_size)


def _mp3_stream(path):
    """What the direct reader and mutagen's MPEGInfo make of the stream after the ID3 tag."""
    data = path.read_bytes()
    with open(path, "rb") as handle:
        found = read_id3(handle)
    assert found is not None
    start = found[1]
    with open(path, "rb") as handle:
        info = MPEGInfo(handle, start)
    expected = (info.length, info.bitrate, info.sample_rate, info.channels)
    return _xing_stream(data[start : start + 192]), expected, info.sketchy


@pytest.mark.parametrize("mode", [None, "CONSTANT", "VARIABLE", "AVERAGE"])
@pytest.mark.parametrize(("rate", "channels"), [(8000, 1), (22050, 2), (44100, 1), (48000, 2)])
def test_an_mp3_stream_read_directly_agrees_with_mutagen(tmp_path, mode, rate, channels):
    """LAME's Xing (VBR) or Info (CBR) header and its encoder delay and padding, in MPEG-1, 2
    and 2.5 frames: the same length and bitrate as mutagen's reading, to the last bit."""
    path = tmp_path / "a.mp3"
    tone = 0.2 * np.sin(np.arange(int(1.3 * rate)) * 0.05)[:, None].repeat(channels, axis=1)
    sf.write(path, tone, rate, format="MP3", **({"bitrate_mode": mode} if mode else {}))
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Allegro"]))
    tags.save(path, v2_version=4)
    direct, expected, sketchy = _mp3_stream(path)
    assert direct == expected and not sketchy
    header = _header(path)
    assert header is not None and header.frames == round(expected[0] * expected[2])


@pytest.mark.parametrize(
    "change",
    ["no-xing", "cut-xing", "zero-frames", "old-lame", "lame-revision-1", "no-lame", "cut-lame"],
)
def test_an_mp3_header_the_direct_reader_does_not_know_agrees_with_mutagen(tmp_path, change):
    """A frame without a whole Xing header goes to mutagen's search; a count of no frames, and a
    LAME tag too old, of a newer revision, missing or cut short are read (or ignored) as mutagen
    reads them."""
    path = write_audio(tmp_path / "a.mp3", seconds=2)
    data = bytearray(path.read_bytes())
    xing = data.find(b"Xing") if b"Xing" in data else data.find(b"Info")
    lame = data.find(b"LAME", xing)
    assert 0 < xing < lame
    if change == "no-xing":
        data[xing : xing + 4] = b"\0\0\0\0"
    elif change == "cut-xing":
        data = data[: xing + 10]
    elif change == "zero-frames":
        data[xing + 8 : xing + 12] = bytes(4)
    elif change == "old-lame":
        data[lame : lame + 9] = b"LAME3.80 "
    elif change == "lame-revision-1":
        data[lame + 9] |= 0x10
    elif change == "no-lame":
        data[lame : lame + 4] = b"lame"
    else:
        data = data[: lame + 20]
    path.write_bytes(bytes(data))
    if change == "cut-xing":  # nothing mutagen can read either: the full probe names it
        with open(path, "rb") as handle:
            found = read_id3(handle)
        assert found is not None and data[found[1]] == 0xFF  # the frame is there, its header cut
        assert _xing_stream(bytes(data[found[1] :])) is None and _header(path) is None
        return
    direct, expected, _ = _mp3_stream(path)
    assert direct is None if change == "no-xing" else direct == expected
