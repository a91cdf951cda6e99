"""The ways a cache file in ``PROFILE/cache`` is found damaged, shared by the caches' tests.

Each cache must ignore such a file and write a sound one again; one list keeps them all tried
against the same damage.
"""

from __future__ import annotations

import pytest

damaged_cache_files = pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a zip file at all"),
        lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
        lambda path: path.write_bytes(b""),
    ],
    ids=["garbage", "cut short", "empty"],
)
