"""Session TSV: a header, then ``session_id  position|timestamp  item_id  [artist]  [title]``.

Files in session form are used as given (DESIGN.md, contract 2): events are ordered by their
position or time inside each session, nothing is merged.
"""

from __future__ import annotations

from pathlib import Path

from trainer.dataset import SessionData
from trainer.readers.base import (
    Event,
    ReadError,
    ReadReport,
    SessionBuilder,
    parse_time,
    text_lines,
)

REQUIRED = ("session_id", "item_id")


def read_session_tsv(
    path: Path, *, min_length: int = 2, max_length: int | None = None
) -> tuple[SessionData, ReadReport]:
    report = ReadReport(str(path))
    builder = SessionBuilder(report, min_length=min_length, max_length=max_length)
    lines = text_lines(path, report)
    header = next(lines, None)
    if header is None:
        raise ReadError(f"{path}: empty file", "A session TSV starts with a header line.")
    columns = [c.strip().lower() for c in header[1].split("\t")]
    order_column = "position" if "position" in columns else "timestamp"
    missing = [c for c in REQUIRED if c not in columns]
    if order_column not in columns:
        missing.append("position or timestamp")
    if missing:
        raise ReadError(
            f"{path}:{header[0]}: header lacks {', '.join(missing)}",
            f"Found columns {columns}; need session_id, position or timestamp, item_id "
            "(tab-separated), optionally artist and title.",
        )
    at = {name: columns.index(name) for name in columns}
    sessions: dict[str, list[tuple[float, int, Event]]] = {}
    for number, text in lines:
        if not text.strip():
            continue
        fields = text.split("\t")
        if len(fields) < len(columns):
            report.problem(number, f"{len(fields)} columns, the header has {len(columns)}")
            continue
        session_id, item = fields[at["session_id"]].strip(), fields[at["item_id"]].strip()
        if not session_id or not item:
            report.problem(number, "empty session_id or item_id")
            continue
        try:
            order = parse_time(fields[at[order_column]])
        except ValueError:
            report.problem(
                number, f"{order_column} {fields[at[order_column]]!r} is not a number or time"
            )
            continue
        artist = fields[at["artist"]].strip() if "artist" in at else ""
        event = Event(item, artist, order if order_column == "timestamp" else 0.0)
        sessions.setdefault(session_id, []).append((order, number, event))
    for session_id, events in sessions.items():
        if any(a[0] > b[0] for a, b in zip(events, events[1:], strict=False)):
            report.reordered += 1
        events.sort(key=lambda e: (e[0], e[1]))
        kept, previous = [], None
        for order, number, event in events:
            if order == previous:
                report.problem(number, f"session {session_id} has {order_column} {order:g} twice")
                continue
            kept.append(event)
            previous = order
        builder.add(session_id, kept)
    return builder.build(with_times=order_column == "timestamp"), report
