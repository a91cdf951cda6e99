"""Readers: every listening-history format ends in one :class:`~trainer.dataset.SessionData`.

``read_sessions(path)`` picks the reader from the path (a directory is a Continuo profile,
``.jsonl``/``.json`` ListenBrainz, ``.csv`` a Last.fm export, a ``.tsv`` whose first line is a
header with ``session_id`` a session file, any other tab-separated file Last.fm-1K), or takes
``fmt`` explicitly. Problems are counted in the returned :class:`ReadReport`; a file that cannot
be used at all raises :class:`ReadError` (a ``ContinuoError``) naming the file and line.
"""

from __future__ import annotations

from pathlib import Path

from trainer.dataset import SessionData
from trainer.readers.base import (
    PAPER_MAX_LENGTH,
    PAPER_MIN_LENGTH,
    NoSessionsError,
    ReadError,
    ReadReport,
    text_lines,
)
from trainer.readers.lastfm import read_lastfm_1k, read_lastfm_csv
from trainer.readers.listenbrainz import read_listenbrainz
from trainer.readers.profile import read_profile
from trainer.readers.tsv import read_session_tsv

READERS = {
    "tsv": read_session_tsv,
    "lastfm-1k": read_lastfm_1k,
    "lastfm-csv": read_lastfm_csv,
    "listenbrainz": read_listenbrainz,
    "profile": read_profile,
}

__all__ = [
    "PAPER_MAX_LENGTH",
    "PAPER_MIN_LENGTH",
    "READERS",
    "NoSessionsError",
    "ReadError",
    "ReadReport",
    "detect_format",
    "read_sessions",
]


def detect_format(path: Path) -> str:
    """The reader for ``path``, from its kind, suffix and first line."""
    if path.is_dir():
        return "profile"
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".json")):
        return "listenbrainz"
    if name.endswith(".csv"):
        return "lastfm-csv"
    first = next(text_lines(path, ReadReport(str(path))), None)
    if first is None:
        raise ReadError(f"{path}: empty file", "There is nothing to read.")
    return "tsv" if "session_id" in first[1].lower().split("\t") else "lastfm-1k"


def read_sessions(
    path: Path | str,
    fmt: str = "auto",
    *,
    min_length: int = 2,
    max_length: int | None = None,
) -> tuple[SessionData, ReadReport]:
    """Read a history in any supported format.

    Parameters
    ----------
    path : path
        A file, or a Continuo profile directory.
    fmt : str
        ``"auto"`` or one of :data:`READERS`.
    min_length, max_length : int
        Sessions shorter than ``min_length`` are dropped, longer than ``max_length`` truncated
        (the seed paper, §4.1, used 5 and 40: :data:`PAPER_MIN_LENGTH`, :data:`PAPER_MAX_LENGTH`).
    """
    path = Path(path)
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt not in READERS:
        raise ReadError(f"unknown history format {fmt!r}", f"Use one of {', '.join(READERS)}.")
    return READERS[fmt](path, min_length=min_length, max_length=max_length)
