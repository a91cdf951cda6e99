"""``continuo-train from-history``: train on a Continuo profile and install the model there.

The play log becomes sessions by the shared rule (the profile reader), items are Continuo item
keys, and the library's content vectors join the item tower. The new model is written beside the
old one and swapped in by renames, so the player never sees half a model.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from player.errors import ContinuoError
from player.profile import Profile
from trainer.dataset import SessionData
from trainer.fit import configs_from_args, train_and_export
from trainer.readers import NoSessionsError, read_sessions

MIN_SESSIONS = 30  # fewer sessions do not train a model that beats the player's fallbacks


def install(staging: Path, current: Path) -> None:
    """Replace ``current`` by ``staging`` (same parent) with two renames; the old one is removed."""
    retired = current.with_name(f".retired-{time.time_ns()}")
    if current.exists():
        current.rename(retired)
    staging.rename(current)
    shutil.rmtree(retired, ignore_errors=True)


def from_history(args: argparse.Namespace) -> dict:
    profile = Profile(Path(args.profile))
    data: SessionData | None = None
    usable = 0
    try:
        data, report = read_sessions(profile.root, "profile")
    except NoSessionsError:  # a missing or damaged profile raises another ReadError
        pass
    else:
        if not args.quiet:
            print(report.summary(), file=sys.stderr)
        usable = sum(1 for s in data.sessions if len(s) >= 2)
    if data is None or usable < MIN_SESSIONS:
        raise ContinuoError(
            f"{profile.root}: the history has {usable} listening sessions; "
            f"training needs {MIN_SESSIONS - usable} more",
            f"A model needs at least {MIN_SESSIONS} sessions of two or more plays; until then the "
            "player recommends by content similarity, co-occurrence and popularity.",
        )
    analysis_version = None
    if data.item_content is not None:
        from player.analysis.version import ANALYSIS_VERSION

        analysis_version = ANALYSIS_VERSION
    model_config, train_config = configs_from_args(args)
    profile.models.mkdir(parents=True, exist_ok=True)
    staging = profile.models / f".staging-{time.time_ns()}"
    try:
        metrics = train_and_export(
            data,
            staging,
            model_config,
            train_config,
            source="continuo profile",
            progress=not args.quiet,
            extra_summary={"item_key": "continuo_item_key", "analysis_version": analysis_version},
        )
        install(staging, profile.models / "current")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"installed {profile.models / 'current' / 'model.onnx'}", file=sys.stderr)
    return metrics
