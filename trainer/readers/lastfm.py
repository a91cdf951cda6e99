"""Last.fm listening logs: the Last.fm-1K data set (Celma 2010) and the common CSV export.

Both are raw logs: each listener's scrobbles are sorted by time and cut into sessions by the
shared 40-minute rule (:func:`trainer.readers.base.add_log`).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from trainer.dataset import SessionData
from trainer.readers.base import (
    Event,
    ReadError,
    ReadReport,
    SessionBuilder,
    add_log,
    parse_time,
    text_lines,
)

CSV_DATE_FORMATS = ("%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def name_key(artist: str, track: str) -> str:
    """The item key of a track without a MusicBrainz id: artist and title, case-folded."""
    return f"{' '.join(artist.split()).casefold()} – {' '.join(track.split()).casefold()}"


def read_lastfm_1k(
    path: Path, *, min_length: int = 2, max_length: int | None = None
) -> tuple[SessionData, ReadReport]:
    """``userid  timestamp  artist-mbid  artist-name  track-mbid  track-name`` (tabs, no header).

    Item key: the track's MBID, or :func:`name_key` when it is empty; artist key: the artist's
    MBID or name. The file lists each user's scrobbles newest first; they are sorted by time.
    """
    report = ReadReport(str(path))
    builder = SessionBuilder(report, min_length=min_length, max_length=max_length)
    users: dict[str, list[Event]] = {}
    for number, text in text_lines(path, report):
        if not text.strip():
            continue
        fields = text.split("\t")
        if len(fields) != 6:
            report.problem(number, f"{len(fields)} tab-separated columns, Last.fm-1K has 6")
            continue
        user, stamp, artist_mbid, artist, track_mbid, track = (f.strip() for f in fields)
        if not user or not (track_mbid or track):
            report.problem(number, "no user id or no track")
            continue
        try:
            time = parse_time(stamp)
        except ValueError:
            report.problem(number, f"timestamp {stamp!r} is not ISO 8601")
            continue
        item = track_mbid or name_key(artist, track)
        users.setdefault(user, []).append(Event(item, artist_mbid or artist.casefold(), time))
    if not users:
        _nothing(path, report, "Last.fm-1K")
    for user, events in users.items():
        add_log(builder, user, events)
    return builder.build(with_times=True), report


def _csv_time(value: str) -> float:
    value = value.strip()
    for fmt in CSV_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return parse_time(value)


def read_lastfm_csv(
    path: Path, *, min_length: int = 2, max_length: int | None = None
) -> tuple[SessionData, ReadReport]:
    """The usual Last.fm export: ``artist,album,track,date`` (one listener; header optional).

    Dates like ``31 Jan 2021 12:34`` (UTC), ISO 8601, or unix seconds.
    """
    report = ReadReport(str(path))
    builder = SessionBuilder(report, min_length=min_length, max_length=max_length)
    events: list[Event] = []
    for number, text in text_lines(path, report):
        if not text.strip():
            continue
        try:
            fields = next(csv.reader([text]))
        except csv.Error as error:
            report.problem(number, f"not CSV: {error}")
            continue
        if number == 1 and [f.strip().lower() for f in fields[:4]] == [
            "artist",
            "album",
            "track",
            "date",
        ]:
            continue
        if len(fields) != 4:
            report.problem(number, f"{len(fields)} columns, expected artist,album,track,date")
            continue
        artist, _album, track, date = (f.strip() for f in fields)
        if not track:
            report.problem(number, "no track title")
            continue
        try:
            time = _csv_time(date)
        except ValueError:
            report.problem(number, f"date {date!r} is not understood")
            continue
        events.append(Event(name_key(artist, track), artist.casefold(), time))
    if not events:
        _nothing(path, report, "Last.fm CSV")
    add_log(builder, "lastfm", events)
    return builder.build(with_times=True), report


def _nothing(path: Path, report: ReadReport, kind: str) -> None:
    if report.lines == 0:
        raise ReadError(f"{path}: empty file", f"A {kind} file has one scrobble a line.")
    raise ReadError(
        f"{path}: no usable {kind} line",
        f"All {report.lines} lines were skipped:\n" + "\n".join(report.problems),
    )
