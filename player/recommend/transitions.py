"""Smooth transitions: among candidates that score close, the one in a related key and of a
similar sound follows, as a thoughtful radio producer would sequence them (not in Discover,
where the unexpected is the point)."""

from __future__ import annotations

from player.domain.tonality import key_name, relation
from player.recommend.library import LibraryIndex

LOOK_AHEAD = 2
"""The best allowed candidates weighed against each other: with two, a smoother transition
swaps neighbours only (the one passed over follows next), so the units ahead stay the ones the
ranking chose and the replay's hit rate holds (docs/recommender.md, Figures)."""


def choose(
    library: LibraryIndex,
    candidates: list[tuple[int, float]],
    previous_row: int | None,
    closeness: float,
) -> tuple[int, str | None]:
    """``(index into candidates, note)``: the candidate to follow ``previous_row``.

    ``candidates`` are ``(unit, score)`` in rank order, scores in rank percentiles. When the
    first is not in a key related to ``previous_row``'s, a related one among the first
    :data:`LOOK_AHEAD` within ``closeness`` of its score takes its place (the likest in sound
    among several). The note says the key transition whenever the keys are related ("in A
    minor after E major").
    """
    if previous_row is None or not candidates:
        return 0, None
    before = int(library.key_codes[previous_row])

    def key_of(i: int) -> int:
        return int(library.key_codes[library.unit_first[candidates[i][0]]])

    chosen = 0
    if closeness > 0 and relation(before, key_of(0)) is None:
        top = candidates[0][1]
        smooth = [
            i
            for i, (_, score) in enumerate(candidates[:LOOK_AHEAD])
            if score >= top - closeness and relation(before, key_of(i)) is not None
        ]
        if len(smooth) > 1:  # the likest in sound of the related ones, then the better ranked
            rows = {i: int(library.unit_first[candidates[i][0]]) for i in smooth}
            chosen = max(smooth, key=lambda i: (_likeness(library, previous_row, rows[i]), -i))
        elif smooth:
            chosen = smooth[0]
    after = key_of(chosen)
    if relation(before, after) is None:
        return chosen, None
    return chosen, f"in {key_name(after)} after {key_name(before)}"


def _likeness(library: LibraryIndex, a: int, b: int) -> float:
    unit = library.content_unit
    if unit is None or not unit[a].any() or not unit[b].any():
        return 0.0
    return min(max(float(unit[a] @ unit[b]), 0.0), 1.0)
