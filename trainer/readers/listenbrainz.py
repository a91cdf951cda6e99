"""A ListenBrainz export: a JSON array of listens, or JSON Lines (one listen per line).

Each listen has ``listened_at`` (unix seconds) and ``track_metadata`` with ``artist_name``,
``track_name`` and, when matched, a recording MBID (``mbid_mapping`` or ``additional_info``).
"""

from __future__ import annotations

import json
from pathlib import Path

from trainer.dataset import SessionData
from trainer.readers.base import Event, ReadReport, SessionBuilder, add_log, text_lines
from trainer.readers.lastfm import _nothing, name_key


def _event(listen: object) -> Event:
    if not isinstance(listen, dict):
        raise ValueError("a listen is a JSON object")
    meta = listen.get("track_metadata") or {}
    artist, track = str(meta.get("artist_name") or ""), str(meta.get("track_name") or "")
    if not track:
        raise ValueError("no track_metadata.track_name")
    mbid = (meta.get("mbid_mapping") or {}).get("recording_mbid") or (
        meta.get("additional_info") or {}
    ).get("recording_mbid")
    time = float(listen["listened_at"]) if "listened_at" in listen else None
    if time is None:
        raise ValueError("no listened_at")
    return Event(str(mbid) if mbid else name_key(artist, track), artist.casefold(), time)


def read_listenbrainz(
    path: Path, *, min_length: int = 2, max_length: int | None = None
) -> tuple[SessionData, ReadReport]:
    report = ReadReport(str(path))
    builder = SessionBuilder(report, min_length=min_length, max_length=max_length)
    lines = list(text_lines(path, report))
    text = "\n".join(t for _, t in lines).strip()
    listens: list[tuple[int | str, object]] = []
    if text.startswith("["):
        try:
            listens = [(f"listen {i}", x) for i, x in enumerate(json.loads(text), start=1)]
        except json.JSONDecodeError as error:
            _nothing(path, report, f"ListenBrainz JSON (line {error.lineno}: {error.msg})")
    else:
        for number, line in lines:
            if not line.strip():
                continue
            try:
                listens.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                report.problem(number, f"not JSON ({error.msg})")
    users: dict[str, list[Event]] = {}
    for where, listen in listens:
        try:
            event = _event(listen)
        except (ValueError, TypeError, AttributeError) as error:
            report.problem(where, str(error))
            continue
        assert isinstance(listen, dict)  # _event refuses anything else
        user = str(listen.get("user_name") or "listenbrainz")
        users.setdefault(user, []).append(event)
    if not users:
        _nothing(path, report, "ListenBrainz")
    for user, events in users.items():
        add_log(builder, user, events)
    return builder.build(with_times=True), report
