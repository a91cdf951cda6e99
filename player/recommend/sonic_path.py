"""A sonic path, "From here to …": whole recordings stepping through the content space from the
work being heard to the one chosen, each a little nearer in sound to the destination.

Plexamp's Sonic Adventure is the model; this one is local and works-aware (units are whole
recordings; a work already in the session is not stepped on twice).
"""

from __future__ import annotations

import numpy as np

from player.recommend.library import LibraryIndex

STEPS = 4
"""Recordings between here and the destination."""


def unit_vectors(library: LibraryIndex) -> np.ndarray | None:
    """Each unit's mean content vector, L2-normalised (U, C); None before the analysis."""
    if library.content_unit is None:
        return None
    sums = np.zeros((len(library.units), library.content_unit.shape[1]), dtype=np.float64)
    np.add.at(sums, library.unit_of, library.content_unit)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).astype(np.float32)


def sonic_path(
    library: LibraryIndex,
    vectors: np.ndarray,
    start: int,
    destination: int,
    avoid_works: set[int],
    steps: int = STEPS,
) -> list[int]:
    """Units from after ``start`` to ``destination`` (last), each the nearest unit to its point
    on the line between the two; units of ``avoid_works`` and units without content are never
    stepped on. Fewer steps when the library has fewer such units."""
    a, b = vectors[start].astype(np.float64), vectors[destination].astype(np.float64)
    usable = np.linalg.norm(vectors, axis=1) > 0
    work_of_unit = library.work_of[library.unit_first]
    blocked = set(avoid_works) | {int(work_of_unit[start]), int(work_of_unit[destination])}
    usable &= ~np.isin(work_of_unit, list(blocked))
    path: list[int] = []
    for j in range(1, steps + 1):
        if not usable.any():
            break
        t = j / (steps + 1)
        point = (1 - t) * a + t * b
        norm = float(np.linalg.norm(point))
        if norm == 0:
            continue
        similarity = np.where(usable, vectors @ (point / norm), -np.inf)
        unit = int(np.argmax(similarity))
        path.append(unit)
        usable &= work_of_unit != work_of_unit[unit]  # one recording of a work on the way
    return [*path, destination]
