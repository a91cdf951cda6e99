"""Where the files Continuo ships beside its code live, for a checkout and an installed wheel alike.

``player/assets`` is, in a checkout, a link to the repository's ``assets/`` folder and, in an
installed package, the folder itself (package data, see pyproject.toml): the demo library, the
demo profile and the segment class model are found the same way in both.
"""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
