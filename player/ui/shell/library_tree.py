"""The works tree's rows (:class:`~player.ui.shell.library_models.TreeNode`), built from the
grouped library on worker threads.

Apart from the window's models so that numpy, which every row's ids need, is imported by the
first worker that builds rows (after the first paint), never by the models' import.
"""

from __future__ import annotations

import numpy as np

from player.library.browse import Overview
from player.library.grouping import Composer, Recording, acts
from player.store.tracks import Track
from player.ui.shell.library_models import TreeNode, composer_rows


def _ids(tracks: list[Track]) -> np.ndarray:
    return np.array([int(t.id or 0) for t in tracks], dtype=np.int64)


def composer_children(root: TreeNode | None, composer: Composer) -> list[TreeNode]:
    """The whole subtree under a composer's row (a worker-thread job): works; a work's
    recordings when it has several; a recording's acts when titles name them; movements."""
    works: list[TreeNode] = []
    for work in composer.works:
        tracks = [t for r in work.recordings for t in r.movements]
        node = TreeNode(work, root, len(works), work.recordings[0], _ids(tracks))
        if len(work.recordings) > 1:
            node.children = [
                _recording_node(r, node, row, r) for row, r in enumerate(work.recordings)
            ]
        else:
            node.children = _movement_nodes(node, work.recordings[0])
        works.append(node)
    return works


def _recording_node(obj, parent: TreeNode, row: int, unit: Recording) -> TreeNode:
    node = TreeNode(obj, parent, row, unit, _ids(unit.movements))
    node.children = _movement_nodes(node, unit)
    return node


def _movement_nodes(parent: TreeNode, unit: Recording) -> list[TreeNode]:
    parts = acts(unit)
    if not parts:
        return [_leaf(t, parent, row, unit) for row, t in enumerate(unit.movements)]
    made: list[TreeNode] = []
    for part in parts:  # an opera's acts
        node = TreeNode(part, parent, len(made), unit, _ids(part.movements))
        node.children = [_leaf(t, node, row, unit) for row, t in enumerate(part.movements)]
        made.append(node)
    return made


def _leaf(track: Track, parent: TreeNode, row: int, unit: Recording) -> TreeNode:
    node = TreeNode(track, parent, row, unit, np.array([int(track.id or 0)], dtype=np.int64))
    node.children = []
    return node


def make_roots(overview: Overview) -> list[TreeNode]:
    """The composers' rows (a worker-thread job); those the overview grouped come filled."""
    roots = composer_rows(overview.composers)
    for node in roots:
        grouped = overview.grouped.get(node.obj.key)
        if grouped is not None:
            node.children = composer_children(node, grouped)
            if node.children:
                node.ids = np.concatenate([c.ids for c in node.children])
    return roots
