"""The profile directory: one folder holding a listener's database, models and logs.

Layout (DESIGN.md, contract 1)::

    PROFILE/continuo.db     SQLite database (WAL)
    PROFILE/models/         ONNX models the player may load
    PROFILE/logs/           log files
    PROFILE/art/            album art: original pictures, thumbnails in art/thumbs/
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "continuo"


@dataclass(frozen=True)
class Profile:
    """Paths inside one profile directory; creating it makes the folders."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "continuo.db"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def art(self) -> Path:
        return self.root / "art"

    def create(self) -> Profile:
        """Make the folders; a read-only profile without ``models/`` or ``logs/`` still opens
        (read-only, see :mod:`player.profile_db`) rather than failing here."""
        self.root.mkdir(parents=True, exist_ok=True)
        for folder in (self.models, self.logs):
            try:
                folder.mkdir(exist_ok=True)
            except OSError:  # read-only: the database opens read-only, these stay missing
                continue
        return self

    @classmethod
    def default(cls) -> Profile:
        return cls(Path(platformdirs.user_data_dir(APP_NAME))).create()

    @classmethod
    def throwaway(cls) -> Profile:
        """A profile in a fresh temporary directory (``--demo`` without ``--profile``)."""
        return cls(Path(tempfile.mkdtemp(prefix="continuo-demo-"))).create()
