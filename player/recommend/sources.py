"""Where suggestions come from, in fallback order: personal model, content, your sessions, popularity.

Each source scores every library row for the session so far (or says it has nothing to offer)
and explains one row in a short phrase. The "Up next" policy (``up_next.py``) draws candidates
from several sources and lets the best available one rank them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from player.domain.plays import CONTENT, MODEL, POPULAR, SESSIONS
from player.recommend.history import History
from player.recommend.library import LibraryIndex
from player.recommend.model import SessionModel


@dataclass
class Request:
    """One ranking request: the library, the history, and the session so far (library rows)."""

    library: LibraryIndex
    history: History
    session_rows: np.ndarray  # int64, most recent last
    content_columns: np.ndarray | None  # float32 (C, N): the library's content_unit transposed
    memo: dict = field(default_factory=dict)  # what a source worked out once for this request


class ContentSource:
    """Cosine between each track and the mean of the session's content vectors (paper §3.2.3)."""

    name = CONTENT

    def scores(self, request: Request) -> np.ndarray | None:
        unit, columns = request.library.content_unit, request.content_columns
        if unit is None or columns is None or not len(request.session_rows):
            return None
        heard = unit[request.session_rows]
        heard = heard[np.any(heard != 0, axis=1)]
        if not len(heard):
            return None
        mean = heard.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        # by columns: a few long rows of arithmetic, three times as quick as N rows of C values
        return None if norm == 0 else np.einsum("c,cn->n", mean / norm, columns)

    def nearest(self, request: Request, row: int) -> int | None:
        """The session row that sounds most like ``row`` (``None`` without content)."""
        unit = request.library.content_unit
        if unit is None or not len(request.session_rows) or not unit[row].any():
            return None
        similarity = unit[request.session_rows] @ unit[row]
        return int(request.session_rows[int(np.argmax(similarity))])

    def reason(self, request: Request, row: int) -> str | None:
        near = self.nearest(request, row)
        return None if near is None else f"similar in sound to {request.library.labels[near]}"


class SessionsSource:
    """Works that followed the session's works in the listener's own sessions (recent ones count more)."""

    name = SESSIONS

    def _contributions(self, request: Request) -> dict[int, dict[int, float]]:
        """``{candidate work: {session row: weight}}`` from the history's follow counts (worked
        out once per request: scores and each reason use it)."""
        if SESSIONS in request.memo:
            return request.memo[SESSIONS]
        library, follows = request.library, request.history.follows
        result: dict[int, dict[int, float]] = {}
        for age, row in enumerate(request.session_rows[::-1]):
            counter = follows.get(int(library.work_of[row]))
            if not counter:
                continue
            recency = 1.0 / (1.0 + age)
            for work, count in counter.items():
                result.setdefault(work, {})
                result[work][int(row)] = result[work].get(int(row), 0.0) + recency * count
        request.memo[SESSIONS] = result
        return result

    def scores(self, request: Request) -> np.ndarray | None:
        contributions = self._contributions(request)
        if not contributions:
            return None
        by_work = np.zeros(int(request.library.work_of.max()) + 1)
        for work, parts in contributions.items():
            by_work[work] = sum(parts.values())
        return by_work[request.library.work_of]

    def reason(self, request: Request, row: int) -> str | None:
        parts = self._contributions(request).get(int(request.library.work_of[row]))
        if not parts:
            return None
        source = max(parts, key=parts.__getitem__)
        return f"often follows {request.library.labels[source]} in your sessions"


class PopularSource:
    """The listener's most played tracks; the library order breaks ties (and covers a new profile)."""

    name = POPULAR

    def scores(self, request: Request) -> np.ndarray:
        # a tiny decreasing term keeps library order among equal counts (worked out once per
        # history; not to be written to)
        return request.history.popularity

    def top(self, request: Request, k: int, allowed: np.ndarray) -> np.ndarray | None:
        """The ``k`` most popular ``allowed`` rows, best first, when the history's leaders hold
        that many (else None: rank them all)."""
        leaders = request.history.most_popular
        rows = leaders[allowed[leaders]][:k]
        return rows if len(rows) == k or len(leaders) == len(allowed) else None

    def reason(self, request: Request, row: int) -> str:
        count = int(request.history.play_counts[row])
        return "you play this often" if count > 1 else "from your library"


class ModelSource:
    """The personal session model (two towers, dot product); needs at least one session track."""

    name = MODEL

    def __init__(self, model: SessionModel) -> None:
        self.model = model
        self.query: np.ndarray | None = None  # this request's session vector

    def scores(self, request: Request) -> np.ndarray | None:
        """Zeros (N,) once the session vector is computed: this source ranks through :meth:`rank`
        and proposes through :meth:`top`, never by a full scan of the library."""
        if not len(request.session_rows):
            return None
        self.query = self.model.session_vector(request.session_rows)
        return np.zeros(len(request.library), dtype=np.float32)

    def top(self, k: int, allowed: np.ndarray) -> np.ndarray:
        """The model's own candidates: its ``k`` best trained items among ``allowed`` rows."""
        assert self.query is not None
        return self.model.top_known(self.query, k, allowed)

    def rank(self, rows: np.ndarray) -> np.ndarray:
        """Scores of ``rows`` (after :meth:`scores`), whichever source proposed them."""
        assert self.query is not None
        return self.model.score_rows(self.query, rows)

    def nearest(self, request: Request, row: int) -> int:
        """The session row whose item vector is closest to ``row``'s."""
        vectors = self.model.candidate_vectors
        similarity = vectors[request.session_rows] @ vectors[row]
        return int(request.session_rows[int(np.argmax(similarity))])

    def reason(self, request: Request, row: int) -> str:
        return f"fits your session after {request.library.labels[self.nearest(request, row)]}"
