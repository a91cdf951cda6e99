"""What lives as long as the library, out of the cyclic collector's passes (``gc.freeze``).

A full pass of the cyclic collector visits every container the process holds, each element of
each, with the interpreter held: at 100,000 tracks and 1,000,000 plays (the search texts, the
recommender's library and history, a Counter per work it knows) one took ~100 ms of CPU,
~400 ms of wall time on a loaded machine, and it runs on whichever thread happens to allocate
when the pass is due: the GUI thread as often as not (issue 13: the GUI thread never busy for
more than ~20 ms). Frozen objects are never visited again; reference counting still frees them
when the library they belong to is replaced. The cost: a cycle that is already garbage when
they are frozen is never collected (a few small objects at each call).
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Call after a large build whose results stay (the window's start, the search texts, the
    recommender's load): they, and everything older, leave the collector's passes."""
    gc.freeze()
