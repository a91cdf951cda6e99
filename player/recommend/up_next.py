"""The "Up next" policy: N work units ahead of the listener's queue, explained and steerable.

Two stages (paper Fig. 2): candidates from the content neighbours of the session, the works that
followed it in the listener's sessions, the model's own top-K and the most played; then the best
available source ranks them (personal model → content → your sessions → popularity), feedback
moves them at once, and a greedy pass keeps composers varied. A work is a unit: a suggestion is a
work's first movement (or a single piece) followed by its other movements in order.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from player.domain.plays import CURRENT_WORK  # the rest of a recording already begun
from player.errors import DatabaseError, ModelError, NoModelError
from player.faults import Faults
from player.recommend import feedback as fb
from player.recommend.library import History, LibraryIndex, load_history, load_library
from player.recommend.model import ModelFiles, SessionModel, read_model, top_k
from player.recommend.sources import (
    CONTENT,
    MODEL,
    SESSIONS,
    ContentSource,
    ModelSource,
    PopularSource,
    Request,
    SessionsSource,
)
from player.store import feedback as store
from player.store.db import Database, fault_kind, open_database

log = logging.getLogger(__name__)

MODES = ("for_you", "discover", "popular")
CANDIDATES_PER_SOURCE = 300
REMOVED_FOR = timedelta(hours=24)
"""A suggestion the listener removed stays away this long."""
FOCUS_SHARE = 0.6
"""A session is "about" a composer when at least this share of its (≥ 3) tracks are theirs."""
NEW_COMPOSER_BONUS = 0.25
"""In Discover, how far (in rank percentiles) a composer never heard is lifted."""


@dataclass(frozen=True)
class Suggestion:
    """One track in "Up next"; tracks of one work unit share ``work_group`` and follow each other."""

    track_id: int
    source: str
    reason: str
    work_group: int


@dataclass(frozen=True)
class Status:
    """What the status bar and About box show: the source in use, the provider, a refusal."""

    source: str
    provider: str | None
    model_problem: str | None
    model_detail: str | None
    model_meta: dict | None = None  # the loaded model's contract-3 metadata (About box)
    no_model: bool = False  # the problem is only that none is installed yet (NoModelError)


class Recommender:
    """Thread-safe "Up next" for one profile; call it from worker threads, never the UI thread.

    Parameters
    ----------
    database : Path
        The profile database (each calling thread opens its own connection).
    model_dir : Path
        ``PROFILE/models/current``; a missing or unusable model falls back to the next source.
    threads : int
        onnxruntime intra-op threads.
    providers : list of str, optional
        Override onnxruntime's provider order.
    """

    def __init__(
        self,
        database: Path,
        model_dir: Path,
        *,
        threads: int = 1,
        providers: list[str] | None = None,
        read_only: bool = False,
        faults: Faults | None = None,
    ) -> None:
        self.database, self.model_dir = database, model_dir
        self.threads, self.providers = threads, providers
        self.read_only = read_only
        self.faults = faults or Faults()
        self._lock = threading.Lock()  # guards loading; the policy itself runs unlocked
        self._local = threading.local()
        # set from any thread without the lock (one assignment is atomic); cleared before a
        # reload reads the profile, so a change made during the reload is not lost
        self._stale = dict.fromkeys(("library", "history", "model", "feedback"), True)
        self._library: LibraryIndex | None = None
        self._history: History | None = None
        self._files: ModelFiles | None = None
        self._model: SessionModel | None = None
        self._model_error: ModelError | None = None
        self._feedback: tuple[list[store.Feedback], np.ndarray] = ([], np.zeros(0))
        self._removed: set[int] = set()
        self._last_source = ""

    # ---- state, loaded lazily and reloaded when it changed ------------------------------------

    def _db(self) -> Database:
        """This thread's connection to the profile (SQLite connections stay in their thread)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self.database, read_only=self.read_only)
        return db

    def _take(self, part: str) -> bool:
        stale = self._stale[part]
        self._stale[part] = False
        return stale

    def _state(self) -> tuple[LibraryIndex, History, SessionModel | None]:
        """The loaded parts, each reloaded when stale; a part whose reload fails stays stale
        (and the error propagates), so the next call tries again instead of using nothing."""
        with self._lock:
            part = ""
            try:
                db = self._db()
                if self._take(part := "library") or self._library is None:
                    self._library = load_library(db)
                    self._stale.update(history=True, model=True, feedback=True)  # rows changed
                if self._take(part := "history") or self._history is None:
                    self._history = load_history(db, self._library)
                if self._take(part := "model"):
                    self._load_model(self._library)
                if self._take(part := "feedback"):
                    given = store.all_feedback(db)
                    self._feedback = (given, fb.adjustment(self._library, given))
            except BaseException:
                if part:
                    self._stale[part] = True
                raise
            return self._library, self._history, self._model

    def _record(self, what: str, write: Callable[[Database], object]) -> bool:
        """Run one small write of the listener's feedback; a database that cannot take it is
        reported once (the suggestion still works) instead of failing the caller."""
        try:
            write(self._db())
        except (sqlite3.Error, DatabaseError) as exc:
            self.faults.report(
                f"up-next-{fault_kind(exc)}",
                f"Up next could not save {what} ({getattr(exc, 'short', exc)}); suggestions go "
                "on without it.",
            )
            return False
        return True

    def _load_model(self, library: LibraryIndex) -> None:
        """Read the model files (unless only the library changed) and fit them to ``library``.

        A new :class:`SessionModel` replaces the old one, so a ranking running meanwhile in
        another thread keeps the consistent pair it started with.
        """
        try:
            if self._files is None:
                self._files = read_model(
                    self.model_dir, threads=self.threads, providers=self.providers
                )
            model = SessionModel(self._files)
            model.fit_library(library)
            self._model, self._model_error = model, None
        except ModelError as exc:
            self._model, self._model_error = None, exc
            log.warning("personal model not used: %s", exc)

    def _refuse(self, model: SessionModel | None, exc: ModelError) -> None:
        """Stop using ``model`` (unless a reload replaced it meanwhile), with its reason."""
        with self._lock:
            if self._model is model:
                self._model, self._model_error = None, exc
        log.warning("personal model refused at run time: %s", exc)

    def library_changed(self) -> None:
        """A scan or the analysis changed the library: re-index and refit the model lazily."""
        self._stale["library"] = True

    def history_changed(self) -> None:
        self._stale["history"] = True

    def reload_model(self) -> None:
        """A new model was installed in ``model_dir`` (after "Retrain"): swap it in lazily."""
        self._files = None
        self._stale["model"] = True

    def status(self) -> Status:
        """What the last :meth:`suggest` used; reads no file, so the UI thread may call it."""
        model, error = self._model, self._model_error
        return Status(
            source=self._last_source,
            provider=model.provider if model else None,
            model_problem=error.short if error else None,
            model_detail=error.detail if error else None,
            model_meta=model.files.meta if model else None,
            no_model=isinstance(error, NoModelError),
        )

    # ---- feedback: written by the calling thread, used from the next suggest() ----------------

    def give_feedback(self, track_id: int, kind: str) -> None:
        """ "More like this", "Less like this", "Never suggest": stored, used from the next call."""
        if self._record("your feedback", lambda db: store.add_feedback(db, track_id, kind)):
            self._stale["feedback"] = True

    def track_started(self, track_id: int, started_by: str) -> None:
        """A play began; one started by a suggestion counts as accepted."""
        if started_by == "suggestion":
            self._record(
                "that a suggestion was played",
                lambda db: store.set_outcome(db, track_id, "accepted"),
            )

    def track_ended(self, track_id: int, ms_heard: int, ended_how: str) -> None:
        """A play ended: a skip within 30 s counts as negative feedback; the history grew."""
        if fb.is_quick_skip(ms_heard, ended_how) and self._record(
            "a quick skip",
            lambda db: (
                store.add_feedback(db, track_id, "skip"),
                store.set_outcome(db, track_id, "skipped"),
            ),
        ):
            self._stale["feedback"] = True
        self._stale["history"] = True

    def removed(self, track_id: int) -> None:
        """The listener removed a suggestion: it stays away for :data:`REMOVED_FOR`."""
        self._record("a removed suggestion", lambda db: store.set_outcome(db, track_id, "removed"))
        self._removed.add(track_id)

    def shown(self, suggestions: Sequence[Suggestion], mode: str) -> None:
        """Log suggestions as shown (for Insights and the next training)."""
        shown = [(s.track_id, s.source, s.reason) for s in suggestions]
        self._record(
            "which suggestions were shown", lambda db: store.log_suggestions(db, shown, mode)
        )

    # ---- the policy --------------------------------------------------------------------------

    def suggest(
        self,
        session_track_ids: Sequence[int],
        queue_ids: Sequence[int] = (),
        n: int = 5,
        mode: str = "for_you",
        *,
        expand_works: bool = True,
    ) -> list[Suggestion]:
        """Up to ``n`` work units to play after the queue, best first, each with source and reason.

        ``session_track_ids`` are the session's tracks in order, the current one last.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if n < 0:
            raise ValueError(f"n must be at least 0, not {n}")
        library, history, model = self._state()
        feedback, adjust = self._feedback
        since = (datetime.now(UTC) - REMOVED_FOR).isoformat(timespec="milliseconds")
        removed = self._removed | store.removed_since(self._db(), since)
        if not len(library) or n == 0:
            return []
        context = library.rows([*session_track_ids, *queue_ids])
        request = Request(library, history, context)
        blocked = (
            {int(library.work_of[r]) for r in context},
            fb.never_units(library, feedback)
            | {int(u) for u in library.unit_of[library.rows(removed)]},
        )
        picks: list[list[Suggestion]] = []
        rest = self._rest_of_work(library, context) if expand_works else []
        if rest:
            picks.append(rest)
        try:
            ranked = self._rank(request, model, mode, adjust, blocked)
        except ModelError as exc:  # it failed on this session: refuse it, the next source ranks
            self._refuse(model, exc)
            model = None
            ranked = self._rank(request, model, mode, adjust, blocked)
        picks += self._diverse(request, ranked, n - len(picks), mode, expand_works, model, picks)
        self._last_source = ranked[0][2] if ranked else ""
        return [s for unit in picks for s in unit]

    def _rest_of_work(self, library: LibraryIndex, context: np.ndarray) -> list[Suggestion]:
        """The movements after the last one heard or queued, when a work is half-way through."""
        if not len(context):
            return []
        last = int(context[-1])
        unit = int(library.unit_of[last])
        members = library.units[unit]
        after = members[int(np.nonzero(members == last)[0][0]) + 1 :]
        seen = set(context.tolist())
        reason = f"continues {library.labels[last]}"
        return [
            Suggestion(int(library.track_ids[r]), CURRENT_WORK, reason, unit)
            for r in after
            if r not in seen
        ]

    def _sources(self, model: SessionModel | None, mode: str) -> list:
        popular = PopularSource()
        if mode == "popular":
            return [popular]
        chain = [ContentSource(), SessionsSource(), popular]
        return [ModelSource(model), *chain] if model is not None else chain

    def _rank(
        self,
        request: Request,
        model: SessionModel | None,
        mode: str,
        adjust: np.ndarray,
        blocked: tuple[set[int], set[int]],
    ) -> list[tuple[int, float, str]]:
        """Candidate units ``(unit, score, source)``, best first, blocked and heard ones removed."""
        library, history = request.library, request.history
        blocked_works, blocked_units = blocked
        if mode == "discover":
            blocked_works = blocked_works | history.heard_works
        work_ok = np.ones(int(library.work_of.max()) + 1, dtype=bool)
        work_ok[list(blocked_works)] = False
        unit_ok = np.ones(len(library.units), dtype=bool)
        unit_ok[list(blocked_units)] = False
        allowed = work_ok[library.work_of] & unit_ok[library.unit_of]
        scored = []
        for source in self._sources(model, mode):
            scores = source.scores(request)
            if scores is not None:
                scored.append((source, np.where(allowed, scores, -np.inf)))
        # stage 1: candidates, the top rows of every source (all of the few the sessions know)
        found = []
        for source, scores in scored:
            if isinstance(source, ModelSource):
                found.append(source.top(CANDIDATES_PER_SOURCE, allowed))
                continue
            if source.name == SESSIONS:
                rows = np.flatnonzero(scores > 0)
            else:
                rows = top_k(scores, CANDIDATES_PER_SOURCE)
            found.append(rows[np.isfinite(scores[rows])])
        candidates = np.unique(np.concatenate(found))
        if not len(candidates):
            return []
        # stage 2: the first source in fallback order ranks; a unit scores by its best row
        first, scores = scored[0]
        ranker = first.name
        values = first.rank(candidates) if isinstance(first, ModelSource) else scores[candidates]
        z = _percentile(values)
        labels = np.full(len(candidates), ranker, dtype=object)
        habits = next((v for src, v in scored if src.name == SESSIONS), None)
        if ranker == CONTENT and habits is not None:
            # the listener's own habit outweighs a likeness in sound: a work that followed the
            # session's works in their sessions gains half to all of the rank range
            followed = habits[candidates] > 0
            z[followed] += 0.5 + 0.5 * _percentile(habits[candidates][followed])
            labels[followed] = SESSIONS
        elif ranker == SESSIONS:  # what the sessions cannot tell apart, popularity ordered
            labels[scores[candidates] <= 0] = scored[-1][0].name
        z += adjust[candidates]
        if len(scored) > 1:  # popularity breaks the ranker's ties
            z += 1e-3 * _percentile(scored[-1][1][candidates])
        if mode == "discover":
            new = [library.artist_keys[r] not in history.heard_artists for r in candidates]
            z += NEW_COMPOSER_BONUS * np.array(new)
        # a unit ranks by its best row
        order = np.argsort(-z, kind="stable")
        _, firsts = np.unique(library.unit_of[candidates[order]], return_index=True)
        best = order[np.sort(firsts)]
        return [(int(library.unit_of[candidates[i]]), float(z[i]), str(labels[i])) for i in best]

    def _diverse(
        self,
        request: Request,
        ranked: list[tuple[int, float, str]],
        n: int,
        mode: str,
        expand_works: bool,
        model: SessionModel | None,
        before: list[list[Suggestion]],
    ) -> list[list[Suggestion]]:
        """Take units in rank order, passing over a third unit in a row by one composer, and
        one recording of a work per set (a second recording of a quartet is not "next").

        When only that composer is left, it is taken anyway: better than an empty "Up next".
        """
        library = request.library
        focus = _session_focus(library, request.session_rows)
        composers = [library.artist_keys[library.row_of[u[0].track_id]] for u in before]
        remaining = list(ranked)
        picks: list[list[Suggestion]] = []
        while remaining and len(picks) < n:
            index = next(
                (
                    i
                    for i, (unit, _, _) in enumerate(remaining)
                    if (c := library.artist_keys[library.units[unit][0]]) == focus
                    or composers[-2:] != [c, c]
                ),
                0,
            )
            unit, _, source = remaining.pop(index)
            rows = library.units[unit]
            reason = self._reason(request, int(rows[0]), source, mode, model)
            members = rows if expand_works else rows[:1]
            picks.append(
                [Suggestion(int(library.track_ids[r]), source, reason, unit) for r in members]
            )
            composers.append(library.artist_keys[rows[0]])
            work = library.work_of[rows[0]]
            remaining = [r for r in remaining if library.work_of[library.units[r[0]][0]] != work]
        return picks

    def _reason(
        self, request: Request, row: int, source: str, mode: str, model: SessionModel | None
    ) -> str:
        library, history = request.library, request.history
        content, sessions, popular = ContentSource(), SessionsSource(), PopularSource()
        if mode == "popular":
            return popular.reason(request, row)
        if mode == "discover":
            near = content.nearest(request, row)
            if near is None and model is not None and len(request.session_rows):
                near = ModelSource(model).nearest(request, row)
            what = "composer" if library.artist_keys[row] not in history.heard_artists else "work"
            return f"new {what} for you" + (
                f", close to {library.labels[near]}" if near is not None else ""
            )
        if source == popular.name:
            return popular.reason(request, row)
        reasons = [sessions.reason(request, row), content.reason(request, row)]
        if source == MODEL:
            reasons.append(ModelSource(model).reason(request, row) if model else None)
        return next((r for r in reasons if r), popular.reason(request, row))


def _percentile(values: np.ndarray) -> np.ndarray:
    """Rank of each value in [0, 1] (ties share their mean rank): scores of any source, one scale."""
    if len(values) < 2:
        return np.ones(len(values))
    ordered = np.sort(values)
    below = np.searchsorted(ordered, values, side="left")
    up_to = np.searchsorted(ordered, values, side="right")
    return (below + up_to - 1) / 2 / (len(values) - 1)


def _session_focus(library: LibraryIndex, rows: np.ndarray) -> str | None:
    """The composer the session is clearly about, if any (see :data:`FOCUS_SHARE`)."""
    if len(rows) < 3:
        return None
    keys = [library.artist_keys[r] for r in rows]
    top = max(set(keys), key=keys.count)
    return top if keys.count(top) / len(keys) >= FOCUS_SHARE else None
