"""The "Up next" policy: units ahead of the listener's queue, explained and steerable.

A unit is one recording of one work (or a single piece), its movements in order. The rest of
the recording being heard comes first; then two stages (paper Fig. 2): candidates from the
content neighbours of the session, the works that followed it in the listener's sessions, the
model's own top-K and the most played; the best available source ranks them (personal model →
content → your sessions → popularity), feedback moves them at once, works heard in full lately
are held back, and a greedy pass keeps composers varied — or a knapsack fills a time budget.
"Other recordings" offers the work being heard in the library's other recordings instead.
The window, ``continuo suggest`` and the benchmarks all call :meth:`Recommender.suggest`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path

import numpy as np

from player.allocator import trim
from player.collector import freeze_long_lived
from player.domain.collections import is_collection
from player.domain.plays import CURRENT_WORK, OTHER_RECORDINGS, SONIC_PATH
from player.errors import DatabaseError, ModelError, NoModelError
from player.faults import Faults
from player.recommend import feedback as fb
from player.recommend import rules, transitions
from player.recommend.budget import MOST_ITEMS, fill
from player.recommend.history import History, HistoryLog
from player.recommend.library import LibraryIndex, with_stored_features
from player.recommend.library_cache import cached_library, patched_library
from player.recommend.library_search import LibrarySearch
from player.recommend.model import ModelFiles, SessionModel, read_model
from player.recommend.recordings import other_recordings
from player.recommend.settings import DEFAULT_COUNT, UpNextSettings, load_settings
from player.recommend.sonic_path import STEPS, sonic_path, unit_vectors
from player.recommend.sources import (
    CONTENT,
    MODEL,
    SESSIONS,
    ContentSource,
    ModelSource,
    PopularSource,
    Request,
    SessionsSource,
    Source,
)
from player.store import feedback as store
from player.store.caches import cache_dir
from player.store.db import Database, fault_kind, open_database

log = logging.getLogger(__name__)

MODES = ("for_you", "discover", "popular", "other_recordings")
CANDIDATES_PER_SOURCE = 300
REMOVED_FOR = timedelta(hours=24)
"""A suggestion the listener removed stays away this long."""
NEW_COMPOSER_BONUS = 0.25
"""In Discover, how far (in rank percentiles) a composer never heard is lifted."""
FEEDBACK_FRESH_FOR = timedelta(hours=1)
"""Fading feedback is re-weighed at most this often (it moves by the day)."""


@dataclass(frozen=True)
class Suggestion:
    """One track in "Up next"; tracks of one unit share ``work_group`` and follow each other
    (a piece of a collection chosen alone for a time budget is a group of its own)."""

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
        self._stale = dict.fromkeys(
            ("library", "features", "history", "model", "feedback", "settings"), True
        )
        self._library: LibraryIndex | None = None
        # files a scan changed since the library was indexed (None: not known, index afresh)
        self._changed: set[str] | None = None
        self._log: HistoryLog | None = None
        # the parts as the last call had them: answered while another thread reloads
        self._loaded: tuple[LibraryIndex, History, SessionModel | None, UpNextSettings] | None
        self._loaded = None
        self._logged: set[int] = set()  # plays the play log wrote since the history took them in
        self._logged_lock = threading.Lock()
        self._files: ModelFiles | None = None
        self._model: SessionModel | None = None
        self._model_error: ModelError | None = None
        self._feedback: list[store.Feedback] = []
        self._feedback_id = 0  # the last feedback row read
        self._adjust: tuple[datetime, np.ndarray] | None = None  # weighed at, per-row weights
        self._settings = UpNextSettings()
        self._suggested: set[int] = set()  # plays started by a suggestion, until they end
        self._vectors: tuple[LibraryIndex, np.ndarray | None] | None = None  # per library
        self._search: LibrarySearch | None = None  # rows by work, content search: per library
        self._hearings: tuple[History, LibraryIndex, np.ndarray] | None = None
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

    def _state(self) -> tuple[LibraryIndex, History, SessionModel | None, UpNextSettings]:
        """The loaded parts, each reloaded when stale; a part whose reload fails stays stale
        (and the error propagates), so the next call tries again instead of using nothing.

        While another thread reloads (:meth:`prepare` after a scan: seconds at 100,000
        tracks), a call answers from the parts that reload replaces rather than waiting.
        """
        if not self._lock.acquire(blocking=self._loaded is None):
            assert self._loaded is not None
            return self._loaded
        try:
            self._loaded = self._reload()
            return self._loaded
        finally:
            self._lock.release()

    def _reload(self) -> tuple[LibraryIndex, History, SessionModel | None, UpNextSettings]:
        """:meth:`_state` under the lock."""
        part = ""
        try:
            db = self._db()
            if self._take(part := "library") or self._library is None:
                self._stale["features"] = False  # read with the tracks
                changed, self._changed = self._changed, set()
                if self._library is None or changed is None:
                    library = self._relibrary(cached_library(db))
                else:
                    library = self._relibrary(patched_library(db, self._library, changed))
            elif self._take(part := "features"):
                library = self._relibrary(
                    with_stored_features(db, self._library), content_only=True
                )
            else:
                library = self._library
            if self._take(part := "history") or self._log is None:
                self._logged_plays()  # the whole log is read now, these with it
                self._log = HistoryLog.load(db, library)
            elif logged := self._logged_plays():
                self._log.update(db, logged)
            if self._take(part := "model"):
                self._load_model(library)
            if self._take(part := "feedback"):
                given, self._feedback_id = store.feedback_since(db, self._feedback_id)
                if given:
                    self._feedback, self._adjust = [*self._feedback, *given], None
            if self._take(part := "settings"):
                self._settings, self._adjust = load_settings(db), None
        except BaseException:
            if part:
                self._stale[part] = True
            if part == "library":
                self._changed = None  # what the failed patch took is not known to be in
            raise
        assert self._log is not None
        return library, self._log.history, self._model, self._settings

    def _relibrary(self, library: LibraryIndex, *, content_only: bool = False) -> LibraryIndex:
        """Use a new library index: the history's kept plays are counted over its rows (no
        re-read of the log), the model is fitted again (its new or changed tracks: a track
        retagged in place is one) unless only content changed and it reads none."""
        model, before = self._model, self._library
        self._library, self._adjust = library, None
        if self._log is not None and not self._stale["history"]:
            self._log.rebase(library)
        rows_kept = before is not None and np.array_equal(before.track_ids, library.track_ids)
        if not (content_only and rows_kept and model is not None and model.content_dim == 0):
            self._stale["model"] = True
        return library

    def _logged_plays(self) -> list[int]:
        with self._logged_lock:
            logged, self._logged = self._logged, set()
        return sorted(logged)

    def _adjustment(self, library: LibraryIndex, now: datetime) -> np.ndarray:
        """Feedback weights per row as of ``now`` (re-weighed when an hour has passed)."""
        cached = self._adjust
        if (
            cached is None
            or abs(now - cached[0]) > FEEDBACK_FRESH_FOR
            or len(cached[1]) != len(library)
        ):
            half_life = self._settings.feedback_half_life_days
            cached = self._adjust = (now, fb.adjustment(library, self._feedback, now, half_life))
        return cached[1]

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
        """Read the model files (unless only the library changed) and fit them to ``library``
        (after a library change, only the tracks that are new or changed are computed).

        A new :class:`SessionModel` replaces the old one, so a ranking running meanwhile in
        another thread keeps the consistent pair it started with.
        """
        try:
            if self._files is None:
                self._files = read_model(
                    self.model_dir, threads=self.threads, providers=self.providers
                )
            before = self._model
            # the fit before a library change: its tracks with the same inputs keep their vectors
            earlier = before.fit if before is not None and before.files is self._files else None
            model = SessionModel(self._files)
            model.fit_library(
                library,
                cache=None if self.read_only else cache_dir(self._db()),
                earlier=earlier,
            )
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

    def library_changed(self, paths: Collection[str] | None = None) -> None:
        """A scan changed the library: re-index and refit the model lazily (the history's
        plays are counted over the new rows, not read again). ``paths``: the files whose
        tracks the scan stored, moved or lost (``ScanProgress.changed_paths``), when known:
        the index is then patched at their rows instead of made again."""
        changed = self._changed
        self._changed = None if paths is None or changed is None else changed | set(paths)
        self._stale["library"] = True

    def features_changed(self) -> None:
        """The analysis stored new results: content vectors, tuning and keys are read again
        lazily; the tracks' index stays."""
        self._stale["features"] = True

    def history_changed(self) -> None:
        """Plays came into the log other than by playing (an import): read it all again."""
        self._stale["history"] = True

    def plays_logged(self, play_ids: Sequence[int]) -> None:
        """The play log wrote these plays (new, or updated as they ran): the next call takes
        them into the history, reading only their rows. Any thread; returns at once."""
        with self._logged_lock:
            self._logged.update(play_ids)

    def prepare(self) -> None:
        """Load the library, the history and the model now (call it off the GUI thread at
        start), so that the first suggestion does not wait for them; then gives back what the
        loading left free in the heaps (:func:`player.allocator.trim`) and moves what it made
        out of the cyclic collector's passes (:mod:`player.collector`)."""
        self._state()
        trim()
        freeze_long_lived()

    def settings(self) -> UpNextSettings:
        """The settings the next suggestion follows (read from the profile when they changed)."""
        return self._state()[3]

    def settings_changed(self) -> None:
        """The listener changed a setting (:mod:`player.recommend.settings`): read it lazily."""
        self._stale["settings"] = True

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
            self._suggested.add(track_id)

    def track_ended(self, track_id: int, ms_heard: int, ended_how: str) -> None:
        """A play ended (the history takes it in when the play log says it wrote it:
        :meth:`plays_logged`).

        Skipping a suggested recording early (its first movement within the heard threshold)
        counts against that recording; skipping any other movement rejects nothing — the
        listener moved on within a work, not away from it or its composer.
        """
        suggested = track_id in self._suggested
        self._suggested.discard(track_id)
        if fb.is_quick_skip(ms_heard, ended_how):
            against = suggested and self._opens_its_recording(track_id)

            def write(db: Database) -> None:
                store.set_outcome(db, track_id, "skipped")
                if against:
                    store.add_feedback(db, track_id, "skip")

            if self._record("a quick skip", write) and against:
                self._stale["feedback"] = True

    def _opens_its_recording(self, track_id: int) -> bool:
        library = self._library  # loaded by the suggestion the play came from, usually
        if library is None:
            try:
                library = self._state()[0]
            except (sqlite3.Error, DatabaseError):  # then the skip cannot be weighed
                return False
        if track_id not in library.row_of:
            return False
        row = library.row_of[track_id]
        return int(library.unit_first[library.unit_of[row]]) == row

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
        n: int = DEFAULT_COUNT,
        mode: str = "for_you",
        *,
        expand_works: bool = True,
        minutes: float | None = None,
        now: datetime | None = None,
    ) -> list[Suggestion]:
        """Up to ``n`` units to play after the queue, best first, each with source and reason.

        ``session_track_ids`` are the session's tracks in order, the current one last. With
        ``minutes``, whole units whose total fits that time instead (``n`` is then ignored).
        ``now`` is the moment the rules measure from (feedback fading, no repeats).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if n < 0:
            raise ValueError(f"n must be at least 0, not {n}")
        if minutes is not None and not minutes > 0:
            raise ValueError(f"minutes must be more than 0, not {minutes}")
        library, history, model, settings = self._state()
        now = now or datetime.now(UTC)
        since = (now - REMOVED_FOR).isoformat(timespec="milliseconds")
        removed = self._removed | store.removed_since(self._db(), since)
        self._last_source = ""
        if not len(library) or (n == 0 and minutes is None):
            return []
        context = library.rows([*session_track_ids, *queue_ids])
        budget = minutes * 60 if minutes is not None else None
        if mode == "other_recordings":
            return self._other_recordings(library, context, n, budget, expand_works)
        request = Request(library, history, context, self._library_search(library))
        blocked = (
            {int(library.work_of[r]) for r in context},
            fb.never_units(library, self._feedback)
            | {int(u) for u in library.unit_of[library.rows(removed)]},
        )
        picks: list[list[Suggestion]] = []
        rest = self._rest_of_work(library, context) if expand_works else []
        if rest and budget is not None:
            rest = _fitting(library, rest, budget)
            budget -= sum(library.durations[library.row_of[s.track_id]] for s in rest)
        if rest:
            picks.append(rest)
        adjust = self._adjustment(library, now)
        try:
            ranked = self._rank(request, model, mode, adjust, blocked, budget is not None)
        except ModelError as exc:  # it failed on this session: refuse it, the next source ranks
            self._refuse(model, exc)
            model = None
            ranked = self._rank(request, model, mode, adjust, blocked, budget is not None)
        held = rules.held_back(self._full_hearings(library, history), now, settings.no_repeat_days)
        ranked, notes, waiting = _hold_back(library, ranked, held)
        if budget is not None:  # reasons only for the units taken (transitions: by rank order)
            fits = [e for e in ranked if _may_fit(library, e[0], budget)]
            order = self._diverse(
                request, fits, MOST_ITEMS, mode, True, None, picks, settings, budgeting=True
            )
            items = _budget_items(library, order)
            rows = [[library.row_of[s.track_id] for s in item] for item in items]
            seconds = [float(library.durations[r].sum()) for r in rows]
            works = [int(library.work_of[r[0]]) for r in rows]
            pieces = [len(item) == 1 and item[0].work_group >= len(library.units) for item in items]
            groups = [
                -1 - i if piece else w
                for i, (w, piece) in enumerate(zip(works, pieces, strict=True))
            ]
            for i in fill(seconds, budget, groups):
                unit = items[i] if expand_works else items[i][:1]
                why = self._reason(
                    request, library.row_of[unit[0].track_id], unit[0].source, mode, model
                )
                picks.append([replace(s, reason=why) for s in unit])
        else:
            picks += self._diverse(
                request, ranked, n - len(picks), mode, expand_works, model, picks, settings
            )
            if len(picks) < n and waiting:  # a small library: better heard lately than nothing
                more = self._diverse(
                    request, waiting, n - len(picks), mode, expand_works, model, picks, settings
                )
                for unit in more:
                    work = int(library.work_of[library.row_of[unit[0].track_id]])
                    notes[unit[0].work_group] = f"{held[work]}, but little else is left"
                picks += more
        self._last_source = (ranked or waiting)[0][2] if ranked or waiting else ""
        return [_noted(s, notes) for unit in picks for s in unit]

    def path_to(
        self,
        session_track_ids: Sequence[int],
        destination_id: int,
        *,
        steps: int = STEPS,
        expand_works: bool = True,
    ) -> list[Suggestion]:
        """ "From here to …": the rest of the recording begun, then whole recordings stepping
        through sound from the current work to ``destination_id``'s recording (last).

        Empty when the destination is not in the library; without content vectors (before the
        analysis) the destination alone follows, and its reason says why.
        """
        library = self._state()[0]
        context = library.rows(session_track_ids)
        target = library.row_of.get(destination_id)
        if target is None:
            return []
        destination = int(library.unit_of[target])
        label = library.labels[int(library.units[destination][0])]
        rest = self._rest_of_work(library, context) if expand_works else []
        vectors = self._unit_vectors(library)
        if vectors is None or not len(context) or not vectors[destination].any():
            units, why = [destination], "the destination (the path needs the analysis)"
        else:
            start = int(library.unit_of[int(context[-1])])
            avoid = {int(library.work_of[r]) for r in context}
            units, why = sonic_path(library, vectors, start, destination, avoid, steps), ""
        self._last_source = SONIC_PATH
        found = list(rest)
        for step, unit in enumerate(units, 1):
            rows = library.units[unit]
            reason = why or (
                f"step {step} of {len(units)} towards {label}"
                if unit != destination
                else f"the destination, after {step - 1} steps through sound"
            )
            found += [
                Suggestion(int(library.track_ids[r]), SONIC_PATH, reason, unit)
                for r in (rows if expand_works else rows[:1])
            ]
        return found

    def _full_hearings(self, library: LibraryIndex, history: History) -> np.ndarray:
        """When each work was last heard in full; computed once per history."""
        cached = self._hearings
        if cached is None or cached[0] is not history or cached[1] is not library:
            cached = self._hearings = (history, library, rules.heard_in_full_at(library, history))
        return cached[2]

    def _unit_vectors(self, library: LibraryIndex) -> np.ndarray | None:
        cached = self._vectors
        if cached is None or cached[0] is not library:
            cached = self._vectors = (library, unit_vectors(library))
        return cached[1]

    def _library_search(self, library: LibraryIndex) -> LibrarySearch:
        """The library's rows by work and its content search (made once per index)."""
        search = self._search
        if search is None or search.library is not library:
            search = self._search = LibrarySearch(library)
        return search

    def _other_recordings(
        self,
        library: LibraryIndex,
        context: np.ndarray,
        n: int,
        budget: float | None,
        expand_works: bool,
    ) -> list[Suggestion]:
        """The work being heard in the library's other recordings, the most different first."""
        if not len(context):
            return []
        found = other_recordings(library, int(context[-1]))
        self._last_source = OTHER_RECORDINGS if found else ""
        if budget is not None:
            chosen = fill([library.unit_seconds(d.unit) for d in found], budget)
            found = [found[i] for i in chosen]
        else:
            found = found[:n]
        return [
            Suggestion(int(library.track_ids[r]), OTHER_RECORDINGS, d.reason, d.unit)
            for d in found
            for r in (library.units[d.unit] if expand_works else library.units[d.unit][:1])
        ]

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

    def _sources(self, model: SessionModel | None, mode: str) -> list[Source]:
        popular = PopularSource()
        if mode == "popular":
            return [popular]
        chain: list[Source] = [ContentSource(), SessionsSource(), popular]
        return [ModelSource(model), *chain] if model is not None else chain

    def _rank(
        self,
        request: Request,
        model: SessionModel | None,
        mode: str,
        adjust: np.ndarray,
        blocked: tuple[set[int], set[int]],
        budgeting: bool,
    ) -> list[tuple[int, float, str]]:
        """Candidate units ``(unit, score, source)``, best first, blocked and heard ones removed
        (``budgeting``: for a time budget, which takes many units)."""
        library, history = request.library, request.history
        unheard = request.search.unheard(history) if mode == "discover" else None
        allowed = request.search.allowed(*blocked, unheard.works if unheard else None)
        if not allowed.any():  # Discover when every work was heard: no source has a candidate
            return []
        sources: list[Source] = []
        for source in self._sources(model, mode):
            if (
                source.name == CONTENT
                and sources
                and sources[0].name == MODEL
                and _content_outranked(model, mode, adjust, budgeting)
            ):
                continue  # its candidates could not rank: not even its query is worked out
            if source.start(request):
                sources.append(source)
        # stage 1: candidates, the top allowed rows of every source (all of the few the
        # sessions know); every candidate is allowed, so stage 2 reads the scores as they are
        found = [source.top(request, CANDIDATES_PER_SOURCE, allowed) for source in sources]
        candidates = _distinct(np.concatenate(found))
        if not len(candidates):
            return []
        # stage 2: the first source in fallback order ranks; a unit scores by its best row
        first = sources[0]
        ranker = first.name
        values = first.rank(request, candidates)
        z = _percentile(values)
        # which source each candidate's score is credited to: 0 the ranker, 1 your sessions, 2
        # popularity (codes, not an array of names: a tenth of a millisecond less)
        labels = np.zeros(len(candidates), dtype=np.int8)
        habits = next((src for src in sources if src.name == SESSIONS), None)
        if ranker == CONTENT and habits is not None:
            # the listener's own habit outweighs a likeness in sound: a work that followed the
            # session's works in their sessions gains half to all of the rank range
            followed_by = habits.rank(request, candidates)
            followed = followed_by > 0
            z[followed] += 0.5 + 0.5 * _percentile(followed_by[followed])
            labels[followed] = 1
        elif ranker == SESSIONS:  # what the sessions cannot tell apart, popularity ordered
            labels[values <= 0] = 2
        z += adjust[candidates]
        if len(sources) > 1:  # popularity breaks the ranker's ties
            z += 1e-3 * _percentile(sources[-1].rank(request, candidates))
        if unheard is not None:
            z += NEW_COMPOSER_BONUS * unheard.composers[candidates]
        # a unit ranks by its best row
        order = np.argsort(-z, kind="stable")
        units = library.unit_of[candidates[order]]
        _, firsts = np.unique(units, return_index=True)
        firsts.sort()
        best = order[firsts]
        names = (ranker, SESSIONS, sources[-1].name)
        # one conversion each, not one per unit
        credited = [names[code] for code in labels[best].tolist()]
        return list(zip(units[firsts].tolist(), z[best].tolist(), credited, strict=True))

    def _diverse(
        self,
        request: Request,
        ranked: list[tuple[int, float, str]],
        n: int,
        mode: str,
        expand_works: bool,
        model: SessionModel | None,
        before: list[list[Suggestion]],
        settings: UpNextSettings,
        *,
        budgeting: bool = False,
    ) -> list[list[Suggestion]]:
        """Take units in rank order, passing over one whose composer already has
        ``composer_max`` units among the last ``composer_window`` ahead; among those that score
        close, a related key and a similar sound follow more smoothly (not in Discover); one
        recording of a work per set (a second recording of a quartet is not "next").

        When only such composers are left, the best is taken anyway: better than an empty
        "Up next". ``budgeting``: candidates for a time budget, so no reasons yet, and a work's
        other recordings stay (the knapsack takes one of them, the one that fits best).
        """
        library = request.library
        most, window = settings.composer_max, settings.composer_window
        closeness = 0.0 if mode == "discover" else settings.transition_closeness
        composers = [library.artist_keys[library.row_of[u[0].track_id]] for u in before]
        # one recording of a work per set: its other recordings are what "Other recordings" is for
        works = {int(library.work_of[library.row_of[u[0].track_id]]) for u in before}
        previous = _last_row(library, request.session_rows, before)
        # the ranked units as arrays: each pick is a few vector operations over them, not a
        # walk through hundreds of units passed over for their composer
        firsts = library.unit_first[_units(ranked)]
        work_of, codes = library.work_of[firsts], library.artist_codes[firsts]
        fresh = np.ones(len(ranked), dtype=bool)  # not taken, nor (unless budgeting) its work
        if not budgeting:
            for work in works:
                fresh &= work_of != work
        picks: list[list[Suggestion]] = []
        owed: int | None = None  # the unit a smoother transition passed over

        while fresh.any() and len(picks) < n:
            ok = fresh
            if full := rules.composers_full(composers, most, window):
                ok = fresh.copy()
                for composer in full:
                    ok &= codes != library.artist_code_of.get(composer, -1)
            allowed = np.flatnonzero(ok)[: transitions.LOOK_AHEAD].tolist()
            if not allowed:  # only composers with their share left: the best of them anyway
                allowed = np.flatnonzero(fresh)[:1].tolist()
                if not allowed:
                    break
            if owed is not None and ranked[allowed[0]][0] == owed:
                choice, note = 0, None  # passed over for a smoother transition: it follows now
            else:
                choice, note = transitions.choose(
                    library, [ranked[i][:2] for i in allowed], previous, closeness
                )
            owed = ranked[allowed[0]][0] if choice else None
            taken = allowed[choice]
            unit, _, source = ranked[taken]
            fresh[taken] = False
            if not budgeting:
                fresh &= work_of != int(library.work_of[library.unit_first[unit]])
            rows = library.units[unit]
            reason = "" if budgeting else self._reason(request, int(rows[0]), source, mode, model)
            if note and not budgeting:
                reason = f"{reason}, {note}"
            members = rows if expand_works else rows[:1]
            picks.append(
                [Suggestion(i, source, reason, unit) for i in library.track_ids[members].tolist()]
            )
            composers.append(library.artist_keys[rows[0]])
            works.add(int(library.work_of[rows[0]]))
            previous = int(rows[-1])
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
        # in order, each worked out only when the ones before have nothing to say
        explain: list[Callable[[Request, int], str | None]] = [sessions.reason, content.reason]
        if source == MODEL and model is not None:
            explain.append(ModelSource(model).reason)
        found = (why for reason in explain if (why := reason(request, row)))
        return next(found, None) or popular.reason(request, row)


def _content_outranked(
    model: SessionModel | None, mode: str, adjust: np.ndarray, budgeting: bool = False
) -> bool:
    """Whether the content source's candidates could not rank among the ones taken, so that
    its search (about 0.9 ms of 6 at 100,000 tracks) is left out.

    True when the model ranks For you and was trained on every row: its own candidates are then
    its best-scoring allowed rows, so any other row the content search found scores below all
    of them, and nothing lifts it back: no "More like this" (which spreads to what sounds
    alike: content's own candidates) and no Discover bonus for a new composer. A row the model
    never trained on is reached through the other sources only, so with any such row the
    search stays; so it does for a time budget, whose forty units reach far down the ranking.
    Leaving them out changes the candidates' percentiles, and, were the composer rule to pass
    over every one of the model's own units, which other composer's unit comes next; in the
    replays (docs/recommender.md) no suggestion changed.
    """
    return (
        model is not None
        and mode == "for_you"
        and not budgeting
        and len(model.known_rows) == len(adjust)
        and not (adjust > 0).any()
    )


def _percentile(values: np.ndarray) -> np.ndarray:
    """Rank of each value in [0, 1] (ties share their mean rank): scores of any source, one scale."""
    n = len(values)
    if n < 2:
        return np.ones(n)
    order = np.argsort(values)
    ordered = values[order]
    if (ordered[1:] != ordered[:-1]).all():  # no ties (the usual case): each by its place
        ranks = np.empty(n)
        ranks[order] = np.arange(n) / (n - 1)
        return ranks
    below = np.searchsorted(ordered, values, side="left")
    up_to = np.searchsorted(ordered, values, side="right")
    return (below + up_to - 1) / 2 / (n - 1)


def _units(ranked: list[tuple[int, float, str]]) -> np.ndarray:
    """The units of ranked entries, as an array."""
    return np.fromiter(map(itemgetter(0), ranked), dtype=np.int64, count=len(ranked))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct ``values``, ascending (``np.unique`` of a thousand integers costs ten times
    as much: numpy 2 takes a longer road)."""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _last_row(
    library: LibraryIndex, session_rows: np.ndarray, before: list[list[Suggestion]]
) -> int | None:
    """The row the next unit follows: the end of what is already ahead, else the current one."""
    if before and before[-1]:
        return library.row_of.get(before[-1][-1].track_id)
    return int(session_rows[-1]) if len(session_rows) else None


def _may_fit(library: LibraryIndex, unit: int, budget: float) -> bool:
    """Whether a unit, or a piece of it when it is a collection, fits in ``budget`` seconds."""
    if library.unit_durations[unit] <= budget:
        return True
    first = int(library.unit_first[unit])
    return is_collection(library.labels[first]) and bool(
        library.durations[library.units[unit]].min() <= budget
    )


def _budget_items(library: LibraryIndex, units: list[list[Suggestion]]) -> list[list[Suggestion]]:
    """What a time budget chooses from: whole units, and each piece of a collection on its own
    (a prelude fills a gap; a symphony's movement never does)."""
    items: list[list[Suggestion]] = []
    for unit in units:
        row = library.row_of[unit[0].track_id]
        if len(unit) > 1 and is_collection(library.labels[row]):
            # each piece its own group: ids past the units' (unit index < len(units))
            items += [
                [replace(s, work_group=len(library.units) + library.row_of[s.track_id])]
                for s in unit
            ]
        else:
            items.append(unit)
    return items[:MOST_ITEMS]


def _fitting(library: LibraryIndex, rest: list[Suggestion], budget: float) -> list[Suggestion]:
    """The movements of the recording begun that fit in ``budget`` seconds, in order."""
    seconds = np.cumsum([library.durations[library.row_of[s.track_id]] for s in rest])
    return rest[: int(np.searchsorted(seconds, budget, side="right"))]


def _hold_back(
    library: LibraryIndex, ranked: list[tuple[int, float, str]], held: rules.HeldBack
) -> tuple[list[tuple[int, float, str]], dict[int, str], list[tuple[int, float, str]]]:
    """``ranked`` without the held-back works, ``{unit: note}`` for the unit that took the
    place of each ("Brahms: Symphony No. 4 held back, heard in full 2 days ago"), and the
    held-back entries themselves (in rank order: the last resort of a small library)."""
    if not held or not ranked:
        return ranked, {}, []
    firsts = library.unit_first[_units(ranked)]
    out = held.mask(library.work_of[firsts])
    if not out.any():
        return ranked, {}, []
    kept = [entry for entry, gone in zip(ranked, out.tolist(), strict=True) if not gone]
    gone = [entry for entry, gone in zip(ranked, out.tolist(), strict=True) if gone]
    notes: dict[int, str] = {}
    waiting: list[str] = []
    for i, away in enumerate(out.tolist()):
        row = int(firsts[i])
        if away:
            if len(waiting) < 2:
                waiting.append(
                    f"{library.labels[row]} held back, {held[int(library.work_of[row])]}"
                )
        elif waiting:
            notes[ranked[i][0]] = "; ".join(waiting)
            waiting = []
            if not out[i:].any():
                break
    return kept, notes, gone


def _noted(suggestion: Suggestion, notes: dict[int, str]) -> Suggestion:
    note = notes.get(suggestion.work_group)
    if note is None or suggestion.source == CURRENT_WORK:
        return suggestion
    return replace(suggestion, reason=f"{suggestion.reason} ({note})")
