"""Where the files Continuo ships beside its code live, for a checkout and an installed wheel alike.

``player/assets`` is, in a checkout, a link to the repository's ``assets/`` folder and, in an
installed package, the folder itself (package data, see pyproject.toml): the demo library, the
demo profile and the segment class model are found the same way in both. The link is followed:
the app stores a library folder as its real path (``player.app``), so the demo library scanned
into a new demo profile must be named by the path the window's start scans again, else that
scan saw all ten files as moved ("10 changed, 10 missing").
"""

from __future__ import annotations

from pathlib import Path

ASSETS = (Path(__file__).resolve().parent / "assets").resolve()
