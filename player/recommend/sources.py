"""Where suggestions come from, in fallback order: personal model, content, your sessions, popularity.

Each source proposes its best rows for the session so far and scores any rows it is asked about
(or says it has nothing to offer), and explains one row in a short phrase. The "Up next" policy (``up_next.py``) draws candidates
from several sources and lets the best available one rank them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from player.domain.plays import CONTENT, MODEL, POPULAR, SESSIONS
from player.recommend.history import History
from player.recommend.item_search import Scored, top_k
from player.recommend.library import LibraryIndex
from player.recommend.library_search import LibrarySearch
from player.recommend.model import SessionModel


@dataclass
class Request:
    """One ranking request: the library, the history, and the session so far (library rows)."""

    library: LibraryIndex
    history: History
    session_rows: np.ndarray  # int64, most recent last
    search: LibrarySearch  # the library's rows by work and its content search
    memo: dict = field(default_factory=dict)  # what a source worked out once for this request


class Source(Protocol):
    """A source of suggestions, used in three steps: :meth:`start` works out what it needs for
    the request (False: it has nothing to offer), :meth:`top` proposes its best allowed rows,
    :meth:`rank` scores any rows (the candidates of every source), so that no source scores
    the whole library."""

    name: str

    def start(self, request: Request) -> bool: ...

    def top(self, request: Request, k: int, allowed: np.ndarray) -> np.ndarray: ...

    def rank(self, request: Request, rows: np.ndarray) -> np.ndarray: ...


class ContentSource:
    """Cosine between each track and the mean of the session's content vectors (paper §3.2.3)."""

    name = CONTENT

    def start(self, request: Request) -> bool:
        unit = request.library.content_unit
        if unit is None or request.search.content is None or not len(request.session_rows):
            return False
        heard = request.memo[CONTENT, "heard"] = unit[request.session_rows]
        heard = heard[np.any(heard != 0, axis=1)]
        if not len(heard):
            return False
        mean = heard.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        if norm == 0:
            return False
        request.memo[CONTENT] = mean / norm
        return True

    def top(self, request: Request, k: int, allowed: np.ndarray) -> np.ndarray:
        search = request.search.content
        assert search is not None
        rows, request.memo[CONTENT, "scored"] = search.search(request.memo[CONTENT], k, allowed)
        return rows

    def rank(self, request: Request, rows: np.ndarray) -> np.ndarray:
        search, query = request.search.content, request.memo[CONTENT]
        assert search is not None
        scored = request.memo.get((CONTENT, "scored"))
        if scored is None:
            return search.scores(query, rows)
        return scored.of(rows, lambda others: search.scores(query, others))

    def nearest(self, request: Request, row: int) -> int | None:
        """The session row that sounds most like ``row`` (``None`` without content)."""
        unit = request.library.content_unit
        if unit is None or not len(request.session_rows) or not unit[row].any():
            return None
        heard = request.memo.get((CONTENT, "heard"))  # gathered by start(), once a request
        if heard is None:
            heard = request.memo[CONTENT, "heard"] = unit[request.session_rows]
        similarity = heard @ unit[row]
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
        rows = request.session_rows[::-1].tolist()
        for age, (row, heard) in enumerate(zip(rows, library.work_of[rows].tolist(), strict=True)):
            counter = follows.get(heard)
            if not counter:
                continue
            recency = 1.0 / (1.0 + age)
            for work, count in counter.items():  # hundreds per popular work: kept lean
                parts = result.get(work)
                if parts is None:
                    result[work] = {row: recency * count}
                else:
                    parts[row] = parts.get(row, 0.0) + recency * count
        request.memo[SESSIONS] = result
        return result

    def start(self, request: Request) -> bool:
        contributions = self._contributions(request)
        if not contributions:
            return False
        by_work = np.zeros(request.search.works)
        by_work[list(contributions)] = [sum(parts.values()) for parts in contributions.values()]
        request.memo[SESSIONS, "by work"] = by_work
        return True

    def top(self, request: Request, k: int, allowed: np.ndarray) -> np.ndarray:
        """Every allowed row of the works that followed (few: ``k`` does not cut them)."""
        by_work = request.memo[SESSIONS, "by work"]
        rows = request.search.work_rows(np.flatnonzero(by_work > 0))
        return rows[allowed[rows]]

    def rank(self, request: Request, rows: np.ndarray) -> np.ndarray:
        return request.memo[SESSIONS, "by work"][request.library.work_of[rows]]

    def reason(self, request: Request, row: int) -> str | None:
        parts = self._contributions(request).get(int(request.library.work_of[row]))
        if not parts:
            return None
        source = max(parts, key=parts.__getitem__)
        return f"often follows {request.library.labels[source]} in your sessions"


class PopularSource:
    """The listener's most played tracks; the library order breaks ties (and covers a new profile)."""

    name = POPULAR

    def start(self, request: Request) -> bool:
        return True

    def top(self, request: Request, k: int, allowed: np.ndarray) -> np.ndarray:
        """The ``k`` most popular ``allowed`` rows, best first: from the history's leaders when
        they hold that many, else ranked over every allowed row (the best ``k`` of all are
        among the leaders, so a shortlist only a little longer would not do either)."""
        leaders = request.history.most_popular
        rows = leaders[allowed[leaders]][:k]
        if len(rows) == k or len(leaders) == len(allowed):
            return rows
        return top_allowed(request.history.popularity, k, allowed)

    def rank(self, request: Request, rows: np.ndarray) -> np.ndarray:
        # a tiny decreasing term keeps library order among equal counts (worked out once per
        # history)
        return request.history.popularity[rows]

    def reason(self, request: Request, row: int) -> str:
        count = int(request.history.play_counts[row])
        return "you play this often" if count > 1 else "from your library"


class ModelSource:
    """The personal session model (two towers, dot product); needs at least one session track."""

    name = MODEL

    def __init__(self, model: SessionModel) -> None:
        self.model = model
        self.query: np.ndarray | None = None  # this request's session vector
        self.scored: Scored | None = None  # the exact scores its search worked out

    def start(self, request: Request) -> bool:
        """The session vector (the model needs at least one session track)."""
        if not len(request.session_rows):
            return False
        self.query = self.model.session_vector(request.session_rows)
        return True

    def top(self, request: Request, k: int, allowed: np.ndarray) -> np.ndarray:
        """The model's own candidates: its ``k`` best trained items among ``allowed`` rows."""
        assert self.query is not None
        rows, self.scored = self.model.search_known(self.query, k, allowed)
        return rows

    def rank(self, request: Request, rows: np.ndarray) -> np.ndarray:
        """Scores of ``rows``, whichever source proposed them (those the search scored on its
        way are not scored again)."""
        query = self.query
        assert query is not None
        if self.scored is None:
            return self.model.score_rows(query, rows)
        return self.scored.of(rows, lambda others: self.model.score_rows(query, others))

    def nearest(self, request: Request, row: int) -> int:
        """The session row whose item vector is closest to ``row``'s."""
        vectors = self.model.candidate_vectors
        similarity = vectors[request.session_rows] @ vectors[row]
        return int(request.session_rows[int(np.argmax(similarity))])

    def reason(self, request: Request, row: int) -> str:
        return f"fits your session after {request.library.labels[self.nearest(request, row)]}"


def top_allowed(scores: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
    """Rows of the ``k`` best finite ``scores`` where ``allowed``, best first (a masked copy of
    every score: the caller tried the few best first)."""
    masked = np.where(allowed, scores, -np.inf)
    rows = top_k(masked, k)
    return rows[np.isfinite(masked[rows])]
