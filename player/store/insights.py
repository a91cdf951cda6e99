"""Aggregates for the Insights view: what the listener heard, and what suggestions did for it.

Definitions (all read from the play log and the suggestions log; days are UTC days, as stored):

- **Listening time**: ``ms_heard`` summed over plays, shown in hours.
- **Period**: a week (Monday to Sunday) or a calendar month; every period between the first and
  the last play appears, empty ones as zeros.
- **Suggestion play**: a play with ``started_by = 'suggestion'`` (the player started it from
  "Up next"). The *suggestion share* of a period is suggestion plays / all plays.
- **Accepted**: a suggestion play heard for at least 30 s or finished. **Skipped**: a suggestion
  play that ended ``skipped`` within 30 s (``player.domain.plays.HEARD_MS``, the same 30 s as
  the recommender's heard plays and quick skips). A suggestion play stopped or interrupted within
  30 s, or still running, counts as neither.
- **Discovered through suggestions**: a composer (a work) whose *first* play in the log was a
  suggestion play. This is the seed paper's "audience expansion" measured on one listener's own
  history: how many of the composers (works) they listen to came to them through suggestions,
  and how often they went back to them afterwards. Tracks without a composer tag are left out
  of the composer count; a track without a work tag counts as a work of its own (its title).

The log is read as numpy columns in start order (``player.store.play_log``: its cache file and
the plays newer than it, which the recommender's history at start keeps current) and
aggregated with numpy. A caller may keep the read (:func:`read_plays`) and reuse it for another
binning while :func:`player.store.play_log.log_version` says the log is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from player.domain.plays import ENDINGS, STARTERS
from player.store.db import Database
from player.store.play_log import read_play_log
from player.store.track_keys import track_keys

PERIODS = ("week", "month", "year")
OTHER = "Other composers"
UNKNOWN = "Unknown composer"


@dataclass(frozen=True)
class Discovery:
    """A composer or work first met through a suggestion."""

    composer: str
    work: str  # "" for a composer
    first_played: date  # the UTC day of the first play
    plays_after: int  # plays after the first one, by any route
    hours: float  # listening time including the first play


@dataclass(frozen=True)
class Insights:
    """Everything the Insights view shows; arrays are indexed by period (P) and composer (C)."""

    period: str  # "week" or "month"
    periods: list[date] = field(default_factory=list)  # first day of each period, (P,)
    composers: list[str] = field(default_factory=list)  # top composers by time, then OTHER, (C,)
    hours: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (C, P)
    plays: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (P,)
    suggested: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (P,)
    accepted: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (P,)
    skipped: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (P,)
    suggestions_shown: int = 0  # rows in the suggestions log
    suggestions_removed: int = 0  # removed from "Up next" before they played
    composers_heard: int = 0  # distinct tagged composers in the log
    works_heard: int = 0  # distinct works in the log
    discovered_composers: list[Discovery] = field(default_factory=list)  # newest first
    discovered_works: list[Discovery] = field(default_factory=list)  # newest first

    @property
    def empty(self) -> bool:
        return not self.periods

    @property
    def total_plays(self) -> int:
        return int(self.plays.sum())

    @property
    def total_hours(self) -> float:
        return float(self.hours.sum())

    @property
    def suggestion_share(self) -> float:
        """Suggestion plays / all plays over the whole log (0 when there are none)."""
        return float(self.suggested.sum()) / max(self.total_plays, 1)

    @property
    def acceptance_rate(self) -> float:
        """Accepted / (accepted + skipped) over the whole log (0 when neither happened)."""
        decided = int(self.accepted.sum() + self.skipped.sum())
        return float(self.accepted.sum()) / max(decided, 1)


@dataclass(frozen=True)
class PlayFacts:
    """The play log as Insights aggregates it, in start order; arrays have shape (N,).

    ``day`` counts UTC days since 1970-01-01; ``kind`` is 0 for a play the suggestions did not
    start, else 1 accepted, 2 skipped, 3 neither (see the module's definitions); ``composer``
    and ``work`` index ``composer_names`` ("" untagged) and ``work_names`` (composer, work).
    ``version`` is :func:`player.store.play_log.log_version` as it was when read.
    """

    version: tuple
    ms: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    composer: np.ndarray
    work: np.ndarray
    composer_names: list[str]
    work_names: list[tuple[str, str]]


def read_plays(db: Database) -> PlayFacts:
    """Read the play log and its tracks' identities (the expensive part of Insights)."""
    log = read_play_log(db)
    track_ids, ms, start_ms = log.track_id, log.ms_heard, log.start_ms
    suggested = log.started == STARTERS.index("suggestion")
    skipped = log.ended == ENDINGS.index("skipped")
    kind = np.where(suggested, np.where(log.heard(), 1, np.where(skipped, 2, 3)), 0)
    tracks = np.flatnonzero(np.bincount(track_ids)) if len(track_ids) else track_ids
    row_of = np.zeros(int(tracks[-1]) + 1 if len(tracks) else 0, np.int64)
    row_of[tracks] = np.arange(len(tracks))
    composer_names, composer_of_track, work_names, work_of_track = _track_keys(db, tracks)
    rows = row_of[track_ids]
    return PlayFacts(
        log.version,
        ms,
        start_ms // 86_400_000,
        kind,
        composer_of_track[rows] if len(rows) else rows,
        work_of_track[rows] if len(rows) else rows,
        composer_names,
        work_names,
    )


def compute_insights(
    db: Database, *, period: str | None = None, top: int = 6, plays: PlayFacts | None = None
) -> Insights:
    """Read the logs and aggregate them for the Insights view.

    Parameters
    ----------
    db : Database
        The profile database.
    plays : PlayFacts, optional
        The play log as :func:`read_plays` read it (still current): only the small suggestions
        log is read then.
    period : {"week", "month", "year"} or None
        The bin of the time charts; ``None`` picks weeks for a log spanning up to 26 weeks,
        months up to four years and years beyond, so a chart has between a handful and a few
        dozen bars (a decade by month would be 120 slivers).
    top : int
        How many composers (by total listening time) get their own series; the rest are summed
        into :data:`OTHER` (unless that would be a single composer, which is then shown).
    """
    if period not in (None, *PERIODS):
        raise ValueError(f"period must be one of {PERIODS} or None, not {period!r}")
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    plays = plays or read_plays(db)
    ms, kind = plays.ms, plays.kind
    if not len(ms):
        return Insights(period=period or "week")
    days = plays.day.astype("datetime64[D]")
    composer_names, composer, work_names = plays.composer_names, plays.composer, plays.work_names
    period = period or automatic_period(int((days[-1] - days[0]).astype(int)))
    starts, index = _bins(days, period)

    by_time = np.argsort(-np.bincount(composer, weights=ms), kind="stable")
    shown = by_time[:top] if len(by_time) > top + 1 else by_time
    series = np.full(len(composer_names), len(shown))  # every composer not shown goes to OTHER
    series[shown] = np.arange(len(shown))
    labels = [composer_names[c] or UNKNOWN for c in shown]
    labels += [OTHER] if len(shown) < len(by_time) else []
    cell = series[composer] * len(starts) + index
    hours = np.bincount(cell, weights=ms, minlength=len(labels) * len(starts)) / 3_600_000
    hours = hours.reshape(len(labels), len(starts))

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(index[mask], minlength=len(starts))

    shown_n, removed_n = db.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(outcome = 'removed'), 0) FROM suggestions"
    ).fetchone()
    tagged = np.array([bool(n) for n in composer_names])[composer]
    found_composers, composers_heard = _discoveries(
        composer[tagged], days[tagged], kind[tagged], ms[tagged], [(n, "") for n in composer_names]
    )
    found_works, works_heard = _discoveries(plays.work, days, kind, ms, work_names)
    return Insights(
        period=period,
        periods=[d.item() for d in starts],
        composers=labels,
        hours=hours,
        plays=count(np.ones(len(kind), bool)),
        suggested=count(kind > 0),
        accepted=count(kind == 1),
        skipped=count(kind == 2),
        suggestions_shown=int(shown_n),
        suggestions_removed=int(removed_n),
        composers_heard=composers_heard,
        works_heard=works_heard,
        discovered_composers=found_composers,
        discovered_works=found_works,
    )


def _track_keys(
    db: Database, track_ids: np.ndarray
) -> tuple[list[str], np.ndarray, list[tuple[str, str]], np.ndarray]:
    """For the tracks ``track_ids`` (ascending): the composer names ("" when untagged) and each
    track's index in them, the (composer, work) names and each track's index in those, each
    group in the order its first track (by id) is met.

    Composers and works are told apart by their identity (``player.domain``): "J.S. Bach" and
    "Bach, Johann Sebastian" are one composer, two recordings of a symphony one work. The
    identities come coded from :mod:`player.store.track_keys` (its cache file); a play of a
    track no longer stored counts as untagged.
    """
    keys = track_keys(db)
    rows = keys.rows_of(track_ids)
    codes, texts = keys.codes, keys.texts

    def column(name: str, missing: str) -> tuple[np.ndarray, list[str]]:
        """Each track's code for ``name`` (a code past the table's end for a missing track),
        and the table with ``missing`` as that last text."""
        table = texts[name] + [missing]
        return np.where(rows >= 0, codes[name][rows], len(table) - 1), table

    composer_key, composer_keys = column("composer_key", "")
    composer_name, composer_names = column("composer_name", "")
    work_key, _ = column("work_key", "")
    work_title, work_titles = column("work_title", "")
    composers, composer_of = _first_seen(composer_key)
    works, work_of = _first_seen(work_key)
    names = [
        composer_names[composer_name[r]] if composer_keys[composer_key[r]] else ""
        for r in composers
    ]
    work_names = [
        (
            composer_names[composer_name[r]] if composer_keys[composer_key[r]] else UNKNOWN,
            work_titles[work_title[r]],
        )
        for r in works
    ]
    return names, composer_of, work_names, work_of


def _first_seen(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The row where each distinct code is first seen, in that order, and each row's index
    into them."""
    if not len(codes):
        return codes, codes
    distinct, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(distinct), np.int64)
    rank[order] = np.arange(len(distinct))
    return first[order], rank[inverse.ravel()]


def automatic_period(span_days: int) -> str:
    """The chart's bin for a log spanning ``span_days`` from its first play to its last."""
    if span_days <= 26 * 7:
        return "week"
    return "month" if span_days <= 4 * 365 else "year"


def _bins(days: np.ndarray, period: str) -> tuple[np.ndarray, np.ndarray]:
    """Each period's first day from the first to the last play (P,), and each day's period (N,)."""
    if period in ("month", "year"):
        units = days.astype("datetime64[M]" if period == "month" else "datetime64[Y]")
        starts = np.arange(units[0], units[-1] + 1)
        return starts.astype("datetime64[D]"), (units - starts[0]).astype(int)
    # 1970-01-01 was a Thursday: shifting by 3 makes Monday weekday 0.
    mondays = days - ((days.astype(np.int64) + 3) % 7)
    starts = np.arange(mondays[0], mondays[-1] + 1, 7)
    return starts, (mondays - starts[0]).astype(int) // 7


def _discoveries(
    group: np.ndarray,
    days: np.ndarray,
    kind: np.ndarray,
    ms: np.ndarray,
    names: list[tuple[str, str]],
) -> tuple[list[Discovery], int]:
    """Groups (composers or works, ``group`` indexes ``names``) whose first play was a
    suggestion play, newest first, and how many groups were heard at all.

    Plays are in start order, so a group's smallest play index is its first play.
    """
    counts = np.bincount(group, minlength=len(names))
    hours = np.bincount(group, weights=ms, minlength=len(names)) / 3_600_000
    first = np.full(len(names), len(group))
    np.minimum.at(first, group, np.arange(len(group)))
    heard = np.flatnonzero(counts)
    found = [
        Discovery(
            composer=names[g][0],
            work=names[g][1],
            first_played=days[first[g]].item(),
            plays_after=int(counts[g] - 1),
            hours=float(hours[g]),
        )
        for g in heard[kind[first[heard]] > 0]
    ]
    found.sort(key=lambda d: d.first_played, reverse=True)
    return found, len(heard)
