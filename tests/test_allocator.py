"""Large buffers freed go back to the system once ``give_back_large_buffers`` has run, and
``trim`` gives back what smaller ones left free in the heaps.

Each case runs in a fresh interpreter: a 16 MB array freed first (glibc then raises its mmap
threshold to 16 MB), then a hundred 2 MB arrays, a buffer on the heap after them, and the hundred freed.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

GLIBC = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "mallopt")

SCRIPT = """
import sys
import numpy as np
from player.allocator import give_back_large_buffers, trim
if sys.argv[1] in ("set", "trim"):
    assert give_back_large_buffers()
size = 250_000 if sys.argv[1] != "trim" else 60_000  # 2 MB; 480 KB: on the heaps all the same
def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
del_me = np.ones(2_000_000)
del del_me
before = resident_mb()
blocks = [np.ones(size) for _ in range(100)]
after_them = bytearray(100_000)  # on the heap above them: no trim from the top
del blocks
if sys.argv[1] == "trim":
    print(resident_mb() - before)
    trim()
print(resident_mb() - before)
"""


def left_resident_mb(mode: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
    )
    return [float(line) for line in out.stdout.split()]


@pytest.mark.skipif(not GLIBC, reason="not glibc: nothing to set")
def test_freed_megabyte_buffers_leave_the_process():
    assert left_resident_mb("default")[0] > 150  # glibc's own way: 200 MB kept on the heap
    assert left_resident_mb("set")[0] < 20


@pytest.mark.skipif(not GLIBC, reason="not glibc: nothing to trim")
def test_trim_gives_back_what_smaller_buffers_left_in_the_heap():
    kept, trimmed = left_resident_mb("trim")
    assert kept > 30 and trimmed < 10  # 47 MB of 480 KB buffers freed between two live blocks
