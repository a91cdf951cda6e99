"""The demo profile: the bundled demo library, an example listening history and a model trained on it.

``continuo --demo`` fills a throwaway profile from ``assets/demo-profile/`` so a newcomer sees
"Up next" chosen by a personal model on the first run. The history ships as compact JSON keyed by
``tracks.item_key`` (play times are offsets before "now", so the history always ends recently)
and becomes plays once the demo library is scanned; the model is copied to ``models/current``.
The profile carries the :data:`DEMO_SETTING` mark, and the window says it holds demo data.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from player.errors import ContinuoError
from player.profile import Profile
from player.resources import ASSETS
from player.store.db import Database, open_database
from player.store.plays import has_plays, log_plays
from player.store.settings import get_setting, set_setting
from player.store.tracks import all_tracks

DEMO_LIBRARY = ASSETS / "demo"
DEMO_PROFILE = ASSETS / "demo-profile"
HISTORY_FILE = "history.json"
DEMO_SETTING = "demo_profile"
DEMO_LABEL = "Demo profile — example listening history"


@dataclass(frozen=True)
class DemoPlay:
    """One play of the example history; ``before_s`` is how long before the end it started."""

    item_key: str
    before_s: float
    ms_heard: int
    ended_how: str
    started_by: str


def read_history(path: Path) -> list[DemoPlay]:
    """The plays in ``history.json``: ``{"items": [keys], "plays": [[item, before_s, ms,
    ended_how, started_by], ...]}`` (items by index keep the file small)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
        items = data["items"]
        return [
            DemoPlay(items[i], float(s), int(ms), how, by) for i, s, ms, how, by in data["plays"]
        ]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        raise ContinuoError(f"{path}: not a demo history", str(error)) from error


def write_history(path: Path, plays: list[DemoPlay], note: str) -> None:
    items = sorted({p.item_key for p in plays})
    index = {key: i for i, key in enumerate(items)}
    rows = [
        [index[p.item_key], round(p.before_s), p.ms_heard, p.ended_how, p.started_by] for p in plays
    ]
    text = json.dumps({"note": note, "items": items, "plays": rows}, ensure_ascii=False)
    Path(path).write_text(text.replace("], [", "],\n["), "utf-8")


def import_history(db: Database, plays: list[DemoPlay], *, end: datetime | None = None) -> int:
    """Log ``plays`` against the scanned library's tracks (matched by item key); returns how many.

    Raises :class:`ContinuoError` naming a key the library lacks (the demo library changed
    without rebuilding the demo profile).
    """
    tracks = {t.item_key: t.id for t in all_tracks(db)}
    missing = sorted({p.item_key for p in plays} - tracks.keys())
    if missing:
        raise ContinuoError(
            "The demo history does not match the demo library",
            f"{len(missing)} tracks are not in the library, e.g. {missing[0]!r}. "
            "Rebuild it with packaging/build_demo_profile.py.",
        )
    end = end or datetime.now(UTC)
    return log_plays(
        db,
        (
            (
                int(tracks[play.item_key] or 0),  # rows read from the database have an id
                (end - timedelta(seconds=play.before_s)).isoformat(timespec="milliseconds"),
                play.ms_heard,
                play.ended_how,
                play.started_by,
            )
            for play in plays
        ),
    )


def is_demo(db: Database) -> bool:
    return get_setting(db, DEMO_SETTING) is not None


def create_demo_profile(
    profile: Profile,
    *,
    library: Path = DEMO_LIBRARY,
    source: Path = DEMO_PROFILE,
    with_model: bool = True,
) -> int:
    """Scan ``library`` into ``profile``, log the example history, mark it, install the model.

    Does nothing (returns 0) for a profile that already holds plays, so ``--demo --profile DIR``
    never mixes example plays into a real history twice. Returns the plays logged.
    """
    from player.library.scanner import scan_library

    profile.create()
    db = open_database(profile.database)
    try:
        if has_plays(db):
            return 0
        scan_library(db, [library])
        count = import_history(db, read_history(source / HISTORY_FILE))
        set_setting(db, DEMO_SETTING, DEMO_LABEL)
    finally:
        db.close()
    model = source / "models" / "current"
    if with_model and (model / "model.onnx").is_file():
        target = profile.models / "current"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(model, target)
    return count
