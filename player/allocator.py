"""Buffers of a megabyte or more in mappings of their own, so that freeing one gives it back.

glibc's malloc serves a request of at least its mmap threshold from a mapping of its own, given
back to the system when freed; but each such block freed raises the threshold to its size (up
to 32 MB), so after the first large numpy arrays are freed, buffers of megabytes come from the
heaps instead, and memory freed inside a heap (a worker thread's arena above all) stays resident.
At 100,000 tracks and 1,000,000 plays the start's one-off work (the play log read, the
recommender's library and history, the search texts) left over 100 MB resident that nothing used.

A fixed threshold (``M_MMAP_THRESHOLD``; setting it turns the raising off) of 1 MB keeps such
buffers in their own mappings. Smaller ones (a 100,000-row float64 array is 800 KB) stay on the
heaps, where reusing them costs nothing: a threshold of 256 KB made ``suggest()`` a tenth slower
(page faults of fresh mappings). Other C libraries (musl, macOS, Windows) are left as they are.
"""

from __future__ import annotations

import ctypes
import linecache
import sys

M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter (malloc.h)."""
THRESHOLD = 1 << 20


def _glibc(name: str):  # noqa: ANN202 (a ctypes function)
    """glibc's function ``name``, or None where the C library is another one."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc
        return None


def give_back_large_buffers() -> bool:
    """Set the threshold (call it once, early); False where the C library has no such setting."""
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, THRESHOLD) == 1


def trim() -> bool:
    """Give back the free pages inside the heaps (``malloc_trim``): after a large one-off build,
    what its smaller temporaries left between the blocks that stay. False where not glibc.

    Also drops the source lines kept in ``linecache``: PySide6's import hook reads the source of
    every module imported after it (to see whether it uses PySide6), about 6 MB by the time the
    start is over; a traceback reads what it shows again."""
    linecache.clearcache()
    malloc_trim = _glibc("malloc_trim")
    if malloc_trim is None:
        return False
    malloc_trim.argtypes = (ctypes.c_size_t,)
    malloc_trim.restype = ctypes.c_int
    return bool(malloc_trim(0))
