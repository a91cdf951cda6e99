"""A column of texts, one per library row, held as numbers into the distinct texts.

The recommender's library index names every row's composer, work label, work and recording;
at 100,000 tracks a list per column is 100,000 string objects, and the names repeat by the
thousand (twenty composers, a label per work). A :class:`Texts` keeps one int32 code per row
and each distinct text once, so a column costs 400 KB plus its distinct texts, and comparing,
gathering or grouping rows are numpy operations on the codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

import numpy as np


class Texts(Sequence[str]):
    """Row ``i``'s text is ``values[codes[i]]``; it reads like a list of str.

    Two columns are equal when they hold the same texts row by row, whatever their codes.
    """

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray, values: list[str]) -> None:
        self.codes = codes
        self.values = values

    @classmethod
    def of(cls, texts: Iterable[str]) -> Texts:
        """The column holding ``texts``, each distinct text numbered as it first comes."""
        distinct: dict[str, int] = {}
        codes = np.fromiter((distinct.setdefault(t, len(distinct)) for t in texts), np.int32)
        return cls(codes, list(distinct))

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, row: int) -> str: ...

    @overload
    def __getitem__(self, row: slice) -> list[str]: ...

    def __getitem__(self, row: int | slice) -> str | list[str]:
        if isinstance(row, slice):
            return [self.values[c] for c in self.codes[row].tolist()]
        return self.values[self.codes[row]]

    def __iter__(self) -> Iterator[str]:
        return map(self.values.__getitem__, self.codes.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Texts):
            if other is self:
                return True
            if len(other) != len(self):
                return False
            if other.values == self.values:
                return bool(np.array_equal(other.codes, self.codes))
            return list(other) == list(self)
        if isinstance(other, list):
            return other == list(self)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable in principle, like a list

    def __repr__(self) -> str:
        return f"Texts({len(self)} rows, {len(self.values)} distinct)"

    def map(self, fn: Callable[[str], str]) -> Texts:
        """``fn`` of every row's text, worked out once per distinct text."""
        return Texts(self.codes, [fn(v) for v in self.values])

    def take(self, rows: np.ndarray) -> Texts:
        """The texts of ``rows`` (an index array), in that order."""
        return Texts(self.codes[rows], self.values)

    def at(self, rows: np.ndarray) -> set[str]:
        """The distinct texts of ``rows``."""
        return {self.values[c] for c in np.unique(self.codes[rows]).tolist()}

    def compact(self) -> Texts:
        """The same texts, each distinct one held once and numbered in the order the rows first
        hold it (so that ``codes`` number works or recordings as they first come)."""
        used, first, inverse = np.unique(self.codes, return_index=True, return_inverse=True)
        distinct: dict[str, int] = {}
        number = np.empty(len(used), dtype=np.int32)
        for at in np.argsort(first, kind="stable").tolist():
            number[at] = distinct.setdefault(self.values[int(used[at])], len(distinct))
        return Texts(number[inverse.reshape(-1)], list(distinct))

    @staticmethod
    def merged(kept: np.ndarray, old: Texts, fresh: Texts) -> Texts:
        """A column whose rows where ``kept`` is true come from ``old``, the others (in order)
        from ``fresh``; ``old`` has a row for every row (its value there is ignored)."""
        codes = old.codes.astype(np.int32, copy=True)
        codes[~kept] = fresh.codes + len(old.values)
        return Texts(codes, [*old.values, *fresh.values]).compact()
