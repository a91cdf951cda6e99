"""Other recordings of the work being heard, the most different first, each with its difference.

A listener who asks for another recording wants to hear the work anew: another tempo, another
pitch, another sound. So the recordings are ordered by how far they are from the current one:
content distance (the analysed sound), tempo (from durations of the same movements) and tuning
(period pitch A≈415 against modern A≈440), and the reason names the differences that are there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from player.recommend.library import LibraryIndex

TEMPO_NOTE_S = 60.0
"""A difference in length shorter than this is not worth naming."""
TUNING_NOTE_CENTS = 25.0
"""Tunings this close count as the same pitch."""
PERIOD_PITCH_BELOW_HZ = 432.0
"""A below this is period pitch (A≈415, A≈430); above, modern pitch (A≈440, A≈443)."""


@dataclass(frozen=True)
class Difference:
    """How one recording differs from the current one."""

    unit: int
    distance: float  # larger: more different
    reason: str


def other_recordings(library: LibraryIndex, current_row: int) -> list[Difference]:
    """The other recordings of ``current_row``'s work, the most different first."""
    work, this = int(library.work_of[current_row]), int(library.unit_of[current_row])
    others = sorted({int(u) for u in library.unit_of[library.work_of == work]} - {this})
    found = [_difference(library, this, unit) for unit in others]
    return sorted(found, key=lambda d: -d.distance)


def _difference(library: LibraryIndex, this: int, other: int) -> Difference:
    parts: list[str] = []
    distance = 0.0
    sound = _content_distance(library, this, other)
    if sound is not None:
        distance += sound
    a, b = library.units[this], library.units[other]
    if len(a) == len(b):  # the same movements: the length difference is tempo
        delta = library.unit_seconds(other) - library.unit_seconds(this)
        distance += abs(
            np.log(max(library.unit_seconds(other), 1.0) / max(library.unit_seconds(this), 1.0))
        )
        if abs(delta) >= TEMPO_NOTE_S:
            word = "slower" if delta > 0 else "faster"
            parts.append(f"{word} by {_minutes(abs(delta))}")
    else:
        parts.append(f"{len(b)} movements against {len(a)}")
    here, there = _tuning(library, this), _tuning(library, other)
    if there is not None and here is not None:
        cents = 1200 * abs(np.log2(there / here))
        distance += cents / 100
        if cents >= TUNING_NOTE_CENTS:
            period = "period" if there < PERIOD_PITCH_BELOW_HZ else "modern"
            parts.append(f"{period} pitch A≈{there:.0f}")
    if sound is not None and not parts:
        parts.append("different in sound" if sound > 0.2 else "close in sound and tempo")
    reason = ", ".join(parts) or "another recording of this work"
    return Difference(other, distance, reason)


def _content_distance(library: LibraryIndex, a: int, b: int) -> float | None:
    """1 - cosine of the two recordings' mean content vectors (None before the analysis)."""
    unit = library.content_unit
    if unit is None:
        return None
    va, vb = unit[library.units[a]].mean(axis=0), unit[library.units[b]].mean(axis=0)
    na, nb = float(np.linalg.norm(va)), float(np.linalg.norm(vb))
    if na == 0 or nb == 0:
        return None
    return 1.0 - float(va @ vb) / (na * nb)


def _tuning(library: LibraryIndex, unit: int) -> float | None:
    """The recording's A in Hz (median over its analysed movements), None when unknown."""
    values = library.tuning_hz[library.units[unit]]
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else None


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
