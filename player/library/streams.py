"""FLAC, Ogg Vorbis and MP3 files read from their headers alone, for fast scans.

A first scan of a large library spends most of its time proving that each file plays: opening it
with libsndfile costs 0.15 ms for FLAC and 0.7 ms for Ogg Vorbis (the codebooks are set up), and
a test decode as much again. For the two formats a classical collection is mostly made of, the
headers prove as much for a fraction of that, read here in plain Python with the pictures
skipped (art is its own step, :mod:`player.library.art`):

- FLAC: STREAMINFO is sane (rate, channels, a bit depth libsndfile decodes, a known length), the
  first frame header follows the metadata with a valid CRC-8, and the last frame header in the
  file ends exactly at the stream's last sample (so the file is not cut short).
- Ogg Vorbis: the identification header is sane, the comment header is whole, the setup header
  begins, and the file ends on a whole page of the stream whose granule position gives the length.
- MP3: the first frame after the ID3 tag holds a Xing/Info header (LAME writes one), read here,
  else mutagen finds a run of frame headers or a VBR header; where that header states the
  stream's size, the file holds it (libsndfile's MP3 decoder is not opened).

What the headers cannot prove — damaged audio inside an intact file, a cut inside the very last
FLAC frame (at most one block, typically 0.1 s) — is met when the track is played: the player
skips it and lists it as a Problem (issue 8). Anything unusual here (ID3 before "fLaC", a 32-bit
stream, an unknown length, a header out of place, a cut) returns ``None`` and the file goes
through the full probe (:func:`player.library.probe.probe_audio`), which gives the reason.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from mutagen import MutagenError
from mutagen.mp3 import MPEGInfo

from player.library.id3 import Tags, read_id3

_PICTURE_KEYS = frozenset({"metadata_block_picture", "coverart"})
"""Base64 pictures in Vorbis comments: the art step reads them, a scan does not."""
_FLAC_BITS = frozenset({8, 16, 24})
"""Bit depths libsndfile decodes from FLAC."""
_FLAC_STREAMINFO, _FLAC_COMMENT = 0, 4
_FLAC_RATES = (0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000)
_FLAC_BITS_CODES = (0, 8, 12, 0, 16, 20, 24, 32)
_U32 = struct.Struct("<I").unpack_from
_OGG_PAGE = struct.Struct("<4sBBq4sIIB")
"""Capture pattern, version, flags, granule position, serial, sequence, CRC, segment count."""
OGG_TAIL = 65536 + 27 + 255
"""An Ogg page is at most 65,307 bytes: the last one starts within this many of the end."""
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
"""Sample rates by an MPEG frame header's version bits (1, 2, 2.5)."""
_MPEG1_L3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_L3_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_XING_READ = 36 + 8 + 112 + 36
"""A layer III frame's bytes up to the end of its LAME tag."""
_SEARCH_LIMIT = 256
"""Frame-sync candidates tried at the end of a FLAC file before giving up on the fast path."""


def _crc8_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return tuple(table)


_CRC8 = _crc8_table()
"""FLAC frame headers' CRC-8 (polynomial x^8 + x^2 + x + 1)."""


@dataclass(slots=True)
class StreamHeader:
    """What a file's headers say: its length and layout, and its tags (pictures left out)."""

    frames: int
    sample_rate: int
    channels: int
    format: str
    tags: Tags


def read_stream_header(handle: BinaryIO, suffix: str, size: int) -> StreamHeader | None:
    """The header of a plain FLAC (``.flac``), Ogg Vorbis (``.ogg``, ``.oga``) or MP3 file open
    in ``handle``, or ``None`` when the headers do not prove the file whole (see the module's
    docstring): the caller then probes it fully."""
    try:
        if suffix == ".flac":
            return _flac(handle, size)
        if suffix in (".ogg", ".oga"):
            return _ogg_vorbis(handle, size)
        if suffix == ".mp3":
            return _mp3(handle, size)
    except (struct.error, ValueError, IndexError, EOFError, MutagenError):
        pass  # a header that does not parse: the full probe names what is wrong
    return None


def mp3_is_cut(length_s: float, bitrate: int, tag_bytes: int, size: int) -> bool:
    """An MP3 whose VBR header (Xing/LAME) promises far more audio than the file holds: a cut
    copy. (A CBR file without one is measured by its size, so a cut one simply plays shorter.)"""
    promised = length_s * bitrate / 8
    return promised > 0 and size - tag_bytes < 0.95 * promised


def _mp3(handle: BinaryIO, size: int) -> StreamHeader | None:
    """ID3 read directly (:func:`player.library.id3.read_id3`), the stream from its Xing header
    (:func:`_xing_stream`) or by mutagen's MPEG header parser: a run of frame headers or a VBR
    header, not a lone sync word."""
    found = read_id3(handle)
    if found is None:
        return None
    tags, audio_start = found
    handle.seek(max(0, size - 128))
    if handle.read(3) == b"TAG":
        return None  # an ID3v1 tag as well: mutagen merges the two
    handle.seek(audio_start)
    stream = _xing_stream(handle.read(_XING_READ))
    if stream is None:  # no Xing/Info header where the first frame says: mutagen searches
        info = MPEGInfo(handle, audio_start)
        if info.sketchy:
            return None
        stream = info.length, info.bitrate, info.sample_rate, info.channels
    length, bitrate, rate, channels = stream
    if rate <= 0 or length <= 0 or mp3_is_cut(length, bitrate, audio_start, size):
        return None
    return StreamHeader(round(length * rate), rate, channels, "MP3", tags)


def _xing_stream(data: bytes) -> tuple[float, int, int, int] | None:
    """``(length in seconds, bitrate, sample rate, channels)`` from the Xing or Info header (and
    the LAME tag behind it) in the layer III frame at the start of ``data``, exactly as mutagen's
    :class:`MPEGInfo` works them out (0.07 ms, a third of an MP3's scan, read bit by bit);
    None when ``data`` does not start so (mutagen then searches the stream)."""
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return None
    version_bits, layer_bits = data[1] >> 3 & 3, data[1] >> 1 & 3
    rate_bits, bitrate_bits = data[2] >> 2 & 3, data[2] >> 4
    if version_bits == 1 or layer_bits != 1 or rate_bits == 3 or bitrate_bits in (0, 15):
        return None  # not layer III, or not a frame header
    mpeg1 = version_bits == 3
    rate = _MPEG_RATES[version_bits][rate_bits]
    bitrate = (_MPEG1_L3_KBPS if mpeg1 else _MPEG2_L3_KBPS)[bitrate_bits] * 1000
    mono = data[3] >> 6 == 3
    frame_size = 1152 if mpeg1 else 576
    frame_length = frame_size // 8 * bitrate // rate + (data[2] >> 1 & 1)
    at = (21 if mono else 36) if mpeg1 else (13 if mono else 21)
    if data[at : at + 4] not in (b"Xing", b"Info") or len(data) < at + 8:
        return None
    flags = int.from_bytes(data[at + 4 : at + 8], "big")
    at += 8
    if not flags & 1:
        return None  # no frame count: mutagen guesses the length from the file's size
    fields = []
    for flag, width in ((1, 4), (2, 4), (4, 100), (8, 4)):
        if flags & flag:
            if len(data) < at + width:
                return None
            fields.append(int.from_bytes(data[at : at + 4], "big"))
            at += width
        else:
            fields.append(-1)
    frames, size = fields[0], fields[1]
    samples = frame_size * frames
    if size != -1 and samples > 0:
        bitrate = round(max(0, size - frame_length) * 8 * rate / samples)
    lame = _lame_tag(data[at : at + 20], data[at + 9 : at + 36])
    if lame is not None:
        samples = max(0, samples - lame)
    return samples / rate, bitrate, rate, 1 if mono else 2


def _lame_tag(version: bytes, tag: bytes) -> int | None:
    """The encoder delay plus padding (samples) of the LAME tag whose version string starts
    ``version``, or None when mutagen would find no LAME tag there."""
    if len(version) < 20 or not version.startswith((b"LAME", b"L3.99")):
        return None
    rest = version.lstrip(b"EMAL")
    major, rest = rest[0:1], rest[1:].lstrip(b".")
    after = rest.lstrip(b"0123456789")
    minor = rest[: len(rest) - len(after)]
    if not major.isdigit() or not minor:
        return None
    number = (int(major), int(minor))
    if number < (3, 90) or number == (3, 90) and after[-11:-10] == b"(" or len(after) < 11:
        return None  # before the tag existed
    if len(tag) < 27 or tag[0] >> 4 != 0:
        return None  # cut short, or a revision mutagen does not read
    return (tag[12] << 4 | tag[13] >> 4) + ((tag[13] & 0xF) << 8 | tag[14])


def parse_vorbis_comment(data: bytes) -> Tags | None:
    """A Vorbis comment block (vendor string, then ``KEY=value`` entries) as lower-case keys to
    values; ``None`` when the block is cut short. Values are UTF-8 with bad bytes replaced, as
    mutagen reads them; entries without ``=`` and pictures are left out."""
    end = len(data)
    (vendor,) = _U32(data, 0)
    at = 4 + vendor
    (count,) = _U32(data, at)
    at += 4
    tags: Tags = {}
    for _ in range(count):
        if at + 4 > end:
            return None
        (length,) = _U32(data, at)
        at += 4
        stop = at + length
        if stop > end:
            return None
        equals = data.find(b"=", at, stop)  # the value is not copied before its name is known
        if equals >= 0:
            name = data[at:equals].decode("ascii", "replace").lower()
            if name not in _PICTURE_KEYS:
                tags.setdefault(name, []).append(data[equals + 1 : stop].decode("utf-8", "replace"))
        at = stop
    return tags


def _flac(handle: BinaryIO, size: int) -> StreamHeader | None:
    if handle.read(4) != b"fLaC":
        return None  # ID3 before the stream, or not FLAC: mutagen and libsndfile judge it
    info: tuple[int, ...] | None = None
    tags: Tags | None = {}
    last = False
    while not last:
        head = handle.read(4)
        if len(head) < 4:
            return None
        last, kind, length = bool(head[0] & 0x80), head[0] & 0x7F, int.from_bytes(head[1:], "big")
        if kind == _FLAC_STREAMINFO and info is None:
            info = _streaminfo(handle.read(length))
        elif kind == _FLAC_COMMENT and tags == {}:
            block = handle.read(length)
            tags = parse_vorbis_comment(block) if len(block) == length else None
        else:  # pictures, seek tables, padding, application data: skipped unread
            handle.seek(length, 1)
    audio_start = handle.tell()
    if info is None or tags is None or audio_start >= size:
        return None
    min_block, max_block, max_frame, rate, channels, bits, total = info
    if total <= 0 or rate <= 0 or bits not in _FLAC_BITS:
        return None
    first = _flac_frame(handle.read(16), info)
    if first is None or first[0] != 0:
        return None
    variable = first[2]
    tail_size = min(size - audio_start, max(2 * max_frame, 4096) if max_frame else 65536)
    handle.seek(size - tail_size)
    if _flac_end(handle.read(tail_size), info, variable) != total:
        return None  # cut short (or an end the decoder should judge)
    return StreamHeader(frames=total, sample_rate=rate, channels=channels, format="FLAC", tags=tags)


def _streaminfo(block: bytes) -> tuple[int, ...] | None:
    if len(block) < 18:
        return None
    min_block, max_block = struct.unpack_from(">HH", block, 0)
    max_frame = int.from_bytes(block[7:10], "big")
    packed = int.from_bytes(block[10:18], "big")
    rate = packed >> 44
    channels = (packed >> 41 & 0x7) + 1
    bits = (packed >> 36 & 0x1F) + 1
    total = packed & 0xF_FFFF_FFFF
    return min_block, max_block, max_frame, rate, channels, bits, total


def _flac_end(tail: bytes, info: tuple[int, ...], variable: bool) -> int | None:
    """The sample after the last frame whose header is found in ``tail`` (searched from the
    end; a header is believed only with a valid CRC-8 and the stream's own layout)."""
    sync = b"\xff\xf9" if variable else b"\xff\xf8"
    at = len(tail)
    for _ in range(_SEARCH_LIMIT):
        at = tail.rfind(sync, 0, at)
        if at < 0:
            return None
        frame = _flac_frame(tail[at : at + 16], info)
        if frame is not None and frame[2] == variable:
            number, block, _ = frame
            return number + block if variable else number * info[1] + block
    return None


def _flac_frame(head: bytes, info: tuple[int, ...]) -> tuple[int, int, bool] | None:
    """``(frame or sample number, block size, variable block size)`` of the FLAC frame header
    at the start of ``head``, or None when it is not one of this stream's frame headers."""
    if len(head) < 6 or head[0] != 0xFF or head[1] not in (0xF8, 0xF9):
        return None
    _, _, _, rate, channels, bits, _ = info
    block_code, rate_code = head[2] >> 4, head[2] & 0xF
    assignment, bits_code = head[3] >> 4, head[3] >> 1 & 0x7
    if block_code == 0 or rate_code == 15 or head[3] & 1 or bits_code == 3:
        return None
    if (assignment + 1 if assignment < 8 else 2 if assignment < 11 else 0) != channels:
        return None
    if bits_code and _FLAC_BITS_CODES[bits_code] != bits:
        return None
    if 0 < rate_code < 12 and _FLAC_RATES[rate_code] != rate:
        return None
    number, at = _utf8_number(head, 4)
    if number is None:
        return None
    if block_code == 1:
        block = 192
    elif block_code < 6:
        block = 576 << (block_code - 2)
    elif block_code == 6:
        block, at = head[at] + 1, at + 1
    elif block_code == 7:
        block, at = int.from_bytes(head[at : at + 2], "big") + 1, at + 2
    else:
        block = 256 << (block_code - 8)
    at += (0, 1, 2, 2)[rate_code - 11] if rate_code >= 12 else 0
    if at >= len(head) or _crc8(head[:at]) != head[at]:
        return None
    return number, block, head[1] == 0xF9


def _utf8_number(head: bytes, at: int) -> tuple[int | None, int]:
    """FLAC's UTF-8-like coded frame or sample number at ``head[at]``: (value, next offset)."""
    first = head[at]
    if first < 0x80:
        return first, at + 1
    for extra, mask in ((1, 0x1F), (2, 0x0F), (3, 0x07), (4, 0x03), (5, 0x01), (6, 0x00)):
        if first & ~mask & 0xFF == (0xFF << (7 - extra)) & 0xFF:
            value = first & mask
            for byte in head[at + 1 : at + 1 + extra]:
                if byte & 0xC0 != 0x80:
                    return None, at
                value = value << 6 | byte & 0x3F
            return (value, at + 1 + extra) if len(head) > at + extra else (None, at)
    return None, at


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def _ogg_vorbis(handle: BinaryIO, size: int) -> StreamHeader | None:
    pages = _ogg_pages(handle)
    first = next(pages, None)
    if first is None:
        return None
    serial, _, packet = first
    if len(packet) < 30 or not packet.startswith(b"\x01vorbis"):
        return None
    channels, rate = packet[11], int.from_bytes(packet[12:16], "little")
    comment, setup = b"", b""
    for page_serial, ends, body in pages:
        if page_serial != serial:
            return None  # several streams in one file: the full probe judges it
        if ends is None:  # the comment packet goes on over the whole page
            comment += body
            continue
        comment += body[:ends]
        setup = body[ends:]
        break
    else:
        return None
    if not comment.startswith(b"\x03vorbis") or channels == 0 or rate == 0:
        return None
    if not setup:  # the setup header begins on the next page
        following = next(pages, None)
        setup = following[2] if following is not None else b""
    if not setup.startswith(b"\x05vorbis"):
        return None
    tags = parse_vorbis_comment(comment[7:])
    end = _ogg_end(handle, size, serial)
    if tags is None or end is None or end <= 0:
        return None
    return StreamHeader(frames=end, sample_rate=rate, channels=channels, format="Vorbis", tags=tags)


def _ogg_pages(handle: BinaryIO):
    """``(serial, where the first packet ends in the body or None, body)`` of each Ogg page
    from the handle's position; stops at anything that is not a page."""
    while True:
        head = handle.read(27)
        if len(head) < 27:
            return
        capture, version, _, _, serial, _, _, count = _OGG_PAGE.unpack(head)
        if capture != b"OggS" or version != 0:
            return
        lacing = handle.read(count)
        body = handle.read(sum(lacing))
        if len(lacing) < count or len(body) < sum(lacing):
            return
        ends, at = None, 0
        for value in lacing:
            at += value
            if value < 255:
                ends = at
                break
        yield serial, ends, body


def _ogg_end(handle: BinaryIO, size: int, serial: bytes) -> int | None:
    """The granule position of stream ``serial``'s last page when the file ends exactly where
    that page does, else None (cut short, or something follows the stream)."""
    handle.seek(max(0, size - OGG_TAIL))
    tail = handle.read()
    last = ogg_last_page(tail, serial)
    return last[1] if last is not None and last[0] == len(tail) else None


def ogg_last_page(tail: bytes, serial: bytes) -> tuple[int, int] | None:
    """``(where it ends, granule position)`` of stream ``serial``'s last page in ``tail`` (the
    end may lie past the tail: the file is cut inside that page), or None when no whole page
    header of the stream is there (a cut header, or a page longer than the tail).

    The last page is found from the end: the last "OggS" capture pattern with the stream's
    serial number, so bytes that happen to spell "OggS" inside audio data do not count."""
    at = len(tail)
    while (at := tail.rfind(b"OggS", 0, at)) >= 0:
        if tail[at + 14 : at + 18] == serial and tail[at + 4 : at + 5] == b"\0":
            if len(tail) <= at + 26 or len(tail) < at + 27 + tail[at + 26]:
                return None  # the page's own header is cut
            segments = tail[at + 27 : at + 27 + tail[at + 26]]
            granule = int.from_bytes(tail[at + 6 : at + 14], "little", signed=True)
            return at + 27 + len(segments) + sum(segments), granule
    return None
