"""The content benchmark's corpus: seven collections of music21 scores, split once by piece.

Each collection plays on its own typical instruments, as a real album would (quartets on
strings, chorales on organ, madrigals on voices …), and again with every collection on one
shared instrument, so that "groups by timbre" can be told from "groups by musical content":

* ``typical`` — each collection's own ensemble;
* ``piano`` — every part of every piece on the piano (the trainer sees this for its pieces);
* ``guitar`` — every part on a nylon guitar, which no training render uses: the control.

The split is fixed: of each collection's pieces, taken in sorted order spread evenly over it,
every other one is held out (half of the collection); the pieces the shipped segment classes
were learned on (``trainer.segment_classes.select_pieces(..., part="train")``) are never held
out. Movements of one quartet may fall on both sides (the label is the collection, not the
work). Nothing is tuned on held-out pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.renders import Instrumentation, Piece, Render, render, render_all
from trainer.segment_classes import select_pieces

PIECES_PER_COLLECTION = 34
"""Pieces chosen per collection: 17 train, 17 held out (a few scores may fail to render)."""
SECONDS = 30.0
"""Each render is the piece's first 30 s at the renders' fixed tempo."""

TYPICAL: dict[str, Instrumentation] = {
    "chorales": Instrumentation("organ", (19,)),
    "masses": Instrumentation("choir", (52,)),
    "madrigals": Instrumentation("voices", (53,)),
    "trecento": Instrumentation("consort", (74, 74, 42)),
    "quartets": Instrumentation("quartet", (40, 40, 41, 42)),
    "folksongs": Instrumentation("accordion", (21,)),
    "fiddle": Instrumentation("fiddle", (110,)),
}
"""Each collection's own ensemble (General MIDI programs, top part first)."""
SHARED = {
    "piano": Instrumentation("piano", (0,)),
    "guitar": Instrumentation("guitar", (24,)),
}
TRAIN_CONDITIONS = ("typical", "piano")
HELD_OUT_CONDITIONS = ("typical", "piano", "guitar")


@dataclass(frozen=True)
class CorpusPiece:
    collection: str
    piece: Piece
    held_out: bool


def _files(folders: tuple[str, ...], keep=lambda path: True) -> list[str]:
    from music21 import corpus

    return [str(p) for f in folders for p in sorted(corpus.getComposer(f)) if keep(str(p))]


def candidates(collection: str) -> list[Piece]:
    """Every usable piece of a collection, in a fixed order."""
    if collection == "chorales":
        return [Piece(p) for p in _files(("bach",), lambda p: "/bwv" in p and p.endswith(".mxl"))]
    if collection == "masses":
        return [Piece(p) for p in _files(("palestrina",))]
    if collection == "madrigals":
        return [Piece(p) for p in _files(("monteverdi",), lambda p: p.endswith(".mxl"))]
    if collection == "trecento":
        return [Piece(p) for p in _files(("trecento",))]
    if collection == "quartets":
        return [Piece(p) for p in _files(("haydn", "mozart", "beethoven"), _quartet)]
    if collection == "folksongs":  # ABC books of many tunes: the first three of each book
        return [Piece(p, n) for n in (1, 2, 3) for p in _files(("essenFolksong",))]
    if collection == "fiddle":
        return [Piece(p) for p in _files(("ryansMammoth",))]
    raise ValueError(f"unknown collection {collection!r}")


def _quartet(path: str) -> bool:
    """A quartet movement: no krn twins of mxl files, no piano sonata (K. 545)."""
    return not path.endswith(".krn") and "k545" not in path


def split(count: int = PIECES_PER_COLLECTION) -> list[CorpusPiece]:
    """The fixed train / held-out split (see the module docstring)."""
    class_pieces = {
        p
        for c in (
            "bach",
            "palestrina",
            "monteverdi",
            "trecento",
            "mozart",
            "haydn",
            "beethoven",
            "ryansMammoth",
            "essenFolksong",
        )  # fmt: skip
        for p in select_pieces(c, 6, part="train")
    }
    out = []
    for collection in TYPICAL:
        pieces = candidates(collection)
        chosen = [
            pieces[i] for i in sorted(set(np.linspace(0, len(pieces) - 1, count).astype(int)))
        ]
        free = [p for p in chosen if p.number is not None or p.path not in class_pieces]
        held = set((free[1::2] + free[0::2])[: len(chosen) // 2])
        out += [CorpusPiece(collection, piece, piece in held) for piece in chosen]
    return out


def instrumentation(collection: str, condition: str) -> Instrumentation:
    return TYPICAL[collection] if condition == "typical" else SHARED[condition]


def renders(*, held_out: bool, condition: str) -> list[Render]:
    """Renders of one side of the split in one condition; a score music21 or fluidsynth cannot
    handle is skipped with a message."""
    out = []
    for item in split():
        if item.held_out != held_out:
            continue
        try:
            out.append(
                render(
                    item.piece,
                    item.collection,
                    max_seconds=SECONDS,
                    instrumentation=instrumentation(item.collection, condition),
                )
            )
        except Exception as exc:  # one odd score must not stop the corpus
            print(f"skipped {item.piece.stem} ({condition}): {type(exc).__name__}: {exc}")
    return out


def prepare(item: CorpusPiece) -> list[str]:
    """Render one piece in every condition its side of the split uses (parsed once); the
    problems met, as lines (empty when all went well)."""
    conditions = HELD_OUT_CONDITIONS if item.held_out else TRAIN_CONDITIONS
    ways = tuple(instrumentation(item.collection, c) for c in conditions)
    try:
        render_all(item.piece, item.collection, max_seconds=SECONDS, ways=ways)
    except Exception as exc:  # one odd score must not stop the corpus
        return [f"skipped {item.piece.stem}: {type(exc).__name__}: {exc}"]
    return []
