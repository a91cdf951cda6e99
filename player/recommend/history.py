"""The listener's history as the recommender sees it: read once, then kept up with the play log.

The log is read as arrays (``player.store.play_log``: its cache file and the plays newer than
it) and cut by the shared session rule (``player.store.sessions.session_cuts``). Whole sessions only ever add to what ranking
needs — heard plays per row, when a row was last heard, which works followed which — so the
history is kept in two parts: the *settled* sessions, summed once, and the *last* session, the
only one a new play can change (it grows, or a gap starts a new one and the last is settled).
:meth:`HistoryLog.update` reads just the plays the log wrote (by row) and recomputes the last
session; the result equals a fresh load of the whole log (``tests/recommend/test_history.py``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import timedelta
from functools import cached_property

import numpy as np

from player.domain.plays import HEARD_MS
from player.recommend.library import LibraryIndex
from player.store.db import Database
from player.store.play_log import plays_by_id, read_play_log
from player.store.plays import PlayColumns
from player.store.sessions import SESSION_GAP, session_cuts

GAP_MS = SESSION_GAP // timedelta(milliseconds=1)
FOLLOW_WINDOW = 2
"""A work "follows" another when it comes within this many works after it in a session."""
LEADERS = 2_000
"""Rows of :attr:`History.most_popular`."""


@dataclass(eq=False)
class History:
    """What the listener has heard, reduced to what ranking needs.

    Attributes
    ----------
    play_counts : float array, shape (N,)
        Heard plays per library row.
    heard_works, heard_artists : set
        Work indices and artist keys heard at least once.
    follows : dict of Counter
        ``follows[a][b]``: how often work ``b`` came within two works after work ``a`` in a session.
    last_heard : float array, shape (N,)
        When each row was last heard (POSIX seconds; -inf never): a work heard in full lately
        is held back (:mod:`player.recommend.rules`).
    chunks : tuple of (rows, cuts)
        The sessions' library rows in order, a run of sessions per chunk, each cut at ``cuts``
        (:attr:`sessions` splits them when asked).
    """

    play_counts: np.ndarray
    heard_works: set[int]
    heard_artists: set[str]
    follows: dict[int, Counter]
    last_heard: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chunks: tuple[tuple[np.ndarray, np.ndarray], ...] = ()

    @cached_property
    def popularity(self) -> np.ndarray:
        """(N,) heard plays per row, the library order breaking ties (popularity's scores)."""
        n = len(self.play_counts)
        return self.play_counts - np.arange(n) / (n + 1)

    @cached_property
    def most_popular(self) -> np.ndarray:
        """The :data:`LEADERS` most popular rows, best first (a request takes its candidates
        from them instead of ranking every row again)."""
        scores = self.popularity
        k = min(LEADERS, len(scores))
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        part = np.argpartition(scores, len(scores) - k)[-k:]
        return part[np.argsort(-scores[part], kind="stable")]

    @cached_property
    def sessions(self) -> list[np.ndarray]:
        """Library rows of each session, in order (replays and tests; split on first use:
        a decade holds a hundred thousand sessions)."""
        return [s.astype(np.int64) for rows, cuts in self.chunks for s in np.split(rows, cuts)]


@dataclass(frozen=True)
class _Part:
    """What a run of whole sessions adds to the history."""

    counts: np.ndarray  # (N,) heard plays per row
    last_heard: np.ndarray  # (N,)
    follows: dict[int, Counter]
    chunks: tuple[tuple[np.ndarray, np.ndarray], ...]

    def plus(self, other: _Part) -> _Part:
        """Both runs together (a new object: a history handed out never changes)."""
        follows = self.follows
        if other.follows:
            follows = dict(follows)
            for work, counter in other.follows.items():
                follows[work] = follows[work] + counter if work in follows else counter
        return _Part(
            self.counts + other.counts,
            np.maximum(self.last_heard, other.last_heard),
            follows,
            self.chunks + other.chunks,
        )


def load_history(db: Database, library: LibraryIndex) -> History:
    """Read the whole play log into a :class:`History` over ``library``'s rows."""
    return HistoryLog.load(db, library).history


class HistoryLog:
    """A :class:`History` kept up with the play log: the settled sessions and the last one.

    Not thread-safe: its owner (the recommender) updates it under its lock; each
    :attr:`history` handed out stays as it was.
    """

    _settled: _Part  # what the sessions before the last one add
    _settled_plays: _Plays  # their plays, kept to count them over another library's rows
    _heard: tuple[set[int], set[str]]  # works and composers heard in them

    def __init__(self, library: LibraryIndex, log: PlayColumns) -> None:
        self.library = library
        self._reset(log)

    def rebase(self, library: LibraryIndex) -> None:
        """Take the library's new rows (a scan added, removed or regrouped tracks): the plays
        kept from the log are counted again over ``library``, so no SQL is read, and the result
        equals a fresh load over it (``tests/recommend/test_history.py``)."""
        old, self.library = self.library, library
        if (
            np.array_equal(old.track_ids, library.track_ids)
            and np.array_equal(old.work_of, library.work_of)
            and old.artist_keys == library.artist_keys
        ):
            return  # the same rows, works and composers (new content vectors): nothing moves
        settled = self._settled_plays
        n = len(library)
        self._settled = _Part(np.zeros(n), np.full(n, -np.inf), {}, ())
        self._heard = (set(), set())
        if len(settled.track_id):
            self._settled = _part(library, settled)
            self._heard = _heard(library, self._settled.counts, self._heard)
        self._show()

    @classmethod
    def load(cls, db: Database, library: LibraryIndex) -> HistoryLog:
        """The whole log, read as arrays (a million plays in about a second; from the cache,
        in a few tens of milliseconds)."""
        return cls(library, read_play_log(db).columns())

    def update(self, db: Database, play_ids: list[int]) -> bool:
        """Take in the plays ``play_ids`` as the log now holds them (new, or updated while they
        ran); returns False when they reached back before the last session (a clock set back,
        an import), so the whole log was read again."""
        if not play_ids:
            return True
        if self._apply(plays_by_id(db, play_ids).columns()):
            return True
        self._reset(read_play_log(db).columns())
        return False

    def _reset(self, log: PlayColumns) -> None:
        new_session, repeat = _cuts(None, log)
        starts = np.flatnonzero(new_session)
        last = int(starts[-1]) if len(starts) else 0
        n = len(self.library)
        self._settled = _Part(np.zeros(n), np.full(n, -np.inf), {}, ())
        self._settled_plays = _Plays.of(_take(log, slice(0, 0)), new_session[:0], repeat[:0])
        self._heard = (set(), set())
        self._before = _take(log, slice(0, 0))
        self._settle(log, new_session, repeat, last)

    def _settle(
        self, log: PlayColumns, new_session: np.ndarray, repeat: np.ndarray, last: int
    ) -> None:
        """Add the sessions before ``last`` to the settled part; the rest is the last session."""
        if last:  # views: what _Plays keeps of them is its own (the log is let go)
            plays = _Plays.of(_view(log, slice(0, last)), new_session[:last], repeat[:last])
            done = _part(self.library, plays)
            self._settled = self._settled.plus(done)
            self._settled_plays = self._settled_plays.plus(plays)
            self._heard = _heard(self.library, done.counts, self._heard)
            self._before = _take(log, slice(last - 1, last))
        self._tail = _take(log, slice(last, None))
        self._tail_cuts = (new_session[last:], repeat[last:])
        self._show()

    def _show(self) -> None:
        """The history handed out: the settled part plus the last session."""
        tail = _part(self.library, _Plays.of(self._tail, *self._tail_cuts))
        whole = self._settled.plus(tail)
        works, artists = _heard(self.library, tail.counts, self._heard)
        self.history = History(
            whole.counts, works, artists, whole.follows, whole.last_heard, whole.chunks
        )

    def _apply(self, plays: PlayColumns) -> bool:
        """Merge ``plays`` (in start order) into the last session, then cut it again."""
        tail = {f.name: getattr(self._tail, f.name) for f in fields(PlayColumns)}
        for i in range(len(plays.id)):
            play = {name: column[i] for name, column in vars(plays).items()}
            at = np.flatnonzero(tail["id"] == play["id"])
            if len(at):
                if tail["start_ms"][at[0]] != play["start_ms"]:
                    return False
                for name, value in play.items():
                    tail[name] = tail[name].copy()
                    tail[name][at[0]] = value
            elif self._is_newest(tail, play):
                tail = {name: np.append(column, play[name]) for name, column in tail.items()}
            else:
                return False
        log = PlayColumns(**tail)
        new_session, repeat = _cuts(self._before, log)
        if len(self._before.id) and len(log.id) and not new_session[0]:
            return False  # the last session would join the one before: cannot happen, but safe
        starts = np.flatnonzero(new_session)
        self._settle(log, new_session, repeat, int(starts[-1]) if len(starts) else 0)
        return True

    def _is_newest(self, tail: dict[str, np.ndarray], play: dict[str, np.int64]) -> bool:
        """Whether ``play`` sorts after every play held, as a fresh read would order it."""
        latest = tail if len(tail["id"]) else vars(self._before)
        if not len(latest["id"]):
            return True
        return (play["start_ms"], play["id"]) > (latest["start_ms"][-1], latest["id"][-1])


@dataclass(frozen=True)
class _Plays:
    """What the history needs of a run of whole sessions' plays, kept so that a new library's
    rows can be counted again without reading the log (:meth:`HistoryLog.rebase`)."""

    track_id: np.ndarray
    end_ms: np.ndarray
    heard: np.ndarray  # bool: finished, or heard long enough (domain.plays.is_heard)
    new_session: np.ndarray  # bool: the play begins a session
    repeat: np.ndarray  # bool: merged into the play it repeats

    @classmethod
    def of(cls, log: PlayColumns, new_session: np.ndarray, repeat: np.ndarray) -> _Plays:
        """What the history keeps of the plays: track ids as int32 when they fit (a decade's
        plays are then 15 MB, not 19), the rest as given (``end_ms`` and the cuts are the
        history's own arrays, not the log's: a view of them keeps no more than they hold)."""
        heard = log.finished | (log.ms_heard >= HEARD_MS)
        ids = log.track_id
        small = not len(ids) or (ids.min() >= 0 and ids.max() < np.iinfo(np.int32).max)
        return cls(
            ids.astype(np.int32 if small else np.int64), log.end_ms, heard, new_session, repeat
        )

    def plus(self, other: _Plays) -> _Plays:
        if not len(self.track_id) or not len(other.track_id):
            return other if not len(self.track_id) else self
        return _Plays(
            *(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self))
        )


def _take(log: PlayColumns, index: slice) -> PlayColumns:
    """A copy of some plays (a view would keep the whole log's arrays alive)."""
    return PlayColumns(**{name: column[index].copy() for name, column in vars(log).items()})


def _view(log: PlayColumns, index: slice) -> PlayColumns:
    """Some plays, as views (to be read at once, not kept)."""
    return PlayColumns(**{name: column[index] for name, column in vars(log).items()})


def _cuts(before: PlayColumns | None, log: PlayColumns) -> tuple[np.ndarray, np.ndarray]:
    """The session rule over ``log``, continuing after the play ``before`` (when there is one)."""
    if before is None or not len(before.id):
        return session_cuts(log.start_ms, log.end_ms, log.track_id, GAP_MS)
    new_session, repeat = session_cuts(
        np.concatenate([before.start_ms, log.start_ms]),
        np.concatenate([before.end_ms, log.end_ms]),
        np.concatenate([before.track_id, log.track_id]),
        GAP_MS,
    )
    return new_session[1:], repeat[1:]


def _part(library: LibraryIndex, plays: _Plays) -> _Part:
    """What the whole sessions of ``plays`` add to the history."""
    rows = library.rows_of_ids(plays.track_id)
    kept = ~plays.repeat & (rows >= 0)  # a repeat is merged into the play it repeats
    heard = kept & plays.heard
    counts = np.bincount(rows[heard], minlength=len(library)).astype(np.float64)
    last_heard = np.full(len(library), -np.inf)
    np.maximum.at(last_heard, rows[heard], plays.end_ms[heard] / 1000.0)
    del heard
    kept_rows = rows[kept]
    del rows
    kept_sessions = np.cumsum(plays.new_session, dtype=np.int32)[kept]
    cuts = np.flatnonzero(np.diff(kept_sessions)) + 1
    return _Part(
        counts,
        last_heard,
        _follows(library, kept_rows, kept_sessions),
        ((kept_rows.astype(np.int32), cuts),) if len(kept_rows) else (),
    )


def _heard(
    library: LibraryIndex, counts: np.ndarray, before: tuple[set[int], set[str]]
) -> tuple[set[int], set[str]]:
    """The works and composers heard in ``before`` and in the rows ``counts`` counts."""
    rows = np.flatnonzero(counts)
    works, artists = before
    return works | set(library.work_of[rows].tolist()), artists | library.artist_keys.at(rows)


def _follows(library: LibraryIndex, rows: np.ndarray, session: np.ndarray) -> dict[int, Counter]:
    """How often each work came within :data:`FOLLOW_WINDOW` works after another in one
    session (a work's consecutive movements count once)."""
    works = library.work_of[rows]
    changed = np.ones(len(works), dtype=bool)
    changed[1:] = (works[1:] != works[:-1]) | (session[1:] != session[:-1])
    works, session = works[changed], session[changed]
    pairs = []
    for step in range(1, FOLLOW_WINDOW + 1):
        same = (session[step:] == session[:-step]) & (works[step:] != works[:-step])
        pairs.append(works[:-step][same] * len(library) + works[step:][same])
    codes, counts = np.unique(np.concatenate(pairs), return_counts=True)
    before, after = np.divmod(codes, len(library))
    cuts = np.flatnonzero(np.diff(before)) + 1  # codes are sorted: one run per leading work
    return {
        int(run[0]): Counter(dict(zip(b.tolist(), c.tolist(), strict=True)))
        for run, b, c in zip(
            np.split(before, cuts), np.split(after, cuts), np.split(counts, cuts), strict=True
        )
        if len(run)
    }
