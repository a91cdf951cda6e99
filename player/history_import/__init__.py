"""Import another player's listening history into the profile (File → Import history…,
``continuo import-history``): read the file, match each listen to a library track, store the
matched ones as plays with their provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from player.domain.plays import ENDINGS, STARTERS
from player.history_import.formats import NotAHistory, read_history
from player.history_import.matching import LibraryMatcher
from player.store.db import Database
from player.store.imports import ImportedPlay, add_imported_plays
from player.store.tracks import all_tracks

__all__ = ["ImportReport", "NotAHistory", "import_history"]


@dataclass
class ImportReport:
    """What an import did: the counts the window and the command show, and each bad line."""

    source: str
    listens: int = 0  # read from the file
    matched: int = 0  # found in the library
    added: int = 0  # new plays (matched minus those imported before)
    unmatched: list[str] = field(default_factory=list)  # "artist – title", first few
    unmatched_count: int = 0
    problems: list[str] = field(default_factory=list)  # "FILE:LINE: why"

    def summary(self) -> str:
        return (
            f"{self.listens} listens read ({self.source}): {self.matched} matched, "
            f"{self.unmatched_count} unmatched, {self.added} new plays added"
            + (f", {len(self.problems)} bad lines" if self.problems else "")
        )


UNMATCHED_SHOWN = 20


def import_history(db: Database, path: Path) -> ImportReport:
    """Import ``path`` into ``db``; raises :class:`NotAHistory` or ``OSError`` for a file that
    cannot be read at all (nothing is stored then)."""
    source, listens, problems = read_history(path)
    report = ImportReport(source, listens=len(listens), problems=problems)
    matcher = LibraryMatcher(all_tracks(db))
    plays = []
    for listen in listens:
        track = matcher.match(listen)
        if track is None:
            report.unmatched_count += 1
            if len(report.unmatched) < UNMATCHED_SHOWN:
                report.unmatched.append(f"{listen.artist} – {listen.title}")
            continue
        heard = listen.ms_heard if listen.ms_heard is not None else int(track.duration_s * 1000)
        plays.append(
            ImportedPlay(
                source=source,
                listen_key=listen.key,
                track_id=int(track.id or 0),
                started_at=listen.played_at.isoformat(timespec="milliseconds"),
                ms_heard=heard,
                ended_how=listen.ended_how if listen.ended_how in ENDINGS else "finished",
                started_by=listen.started_by if listen.started_by in STARTERS else "user",
            )
        )
    report.matched = len(plays)
    report.added = add_imported_plays(db, plays)
    return report
